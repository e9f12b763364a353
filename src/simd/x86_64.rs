//! The SSE2 versions of the routines of [`super`]. SSE2 is part of the x86_64 baseline, so
//! there is no run-time detection. This file holds all of the crate's `std::arch` and its
//! `unsafe` (but for one `mallopt` call in `serve`): only the loads and the intrinsics are in
//! `unsafe` blocks, each with the reason it is sound; the byte loops they fall back to are
//! the portable ones.

use std::arch::x86_64::*;

use super::portable::blank_at;

/// [`super::count_words`]: sixteen bytes at a time, the last ones too.
#[inline]
pub fn count_words(text: &str) -> i64 {
    let bytes = text.as_bytes();
    let (mut words, mut in_word, mut i) = (0i64, false, 0usize);
    let mut slow_until = 0;
    while i < bytes.len() {
        if i >= slow_until {
            if let Some(block) = bytes[i..].first_chunk::<16>() {
                match blanks16(block) {
                    Some(blank) => {
                        let blank_before = (blank << 1) | u32::from(!in_word);
                        words += i64::from((!blank & blank_before & 0xFFFF).count_ones());
                        in_word = blank & 0x8000 == 0;
                        i += 16;
                        continue;
                    }
                    None => {
                        slow_until = i + 16;
                        continue;
                    }
                }
            }
            // The last 1 to 15 bytes: the block of the text's last sixteen bytes (or, for a
            // shorter text, the rest after blanks), of which only the last `rest` count.
            let rest = bytes.len() - i;
            let block = match bytes.last_chunk::<16>() {
                Some(block) => *block,
                None => {
                    let mut block = [b' '; 16];
                    block[16 - rest..].copy_from_slice(&bytes[i..]);
                    block
                }
            };
            match blanks16(&block) {
                Some(blank) => {
                    let blank = blank >> (16 - rest);
                    let blank_before = (blank << 1) | u32::from(!in_word);
                    words += i64::from((!blank & blank_before & ((1 << rest) - 1)).count_ones());
                    return words;
                }
                None => slow_until = i + 16,
            }
        }
        // A block that may hold a Unicode space: a character at a time.
        let (space, len) = blank_at(bytes, i);
        words += i64::from(!space && !in_word);
        in_word = !space;
        i += len;
    }
    words
}

/// Which of sixteen bytes are ASCII white space (bit `i` for byte `i`); `None` when one of
/// them may start a Unicode space (0xC2, 0xE1–0xE3), which the byte loop reads.
#[inline]
fn blanks16(block: &[u8; 16]) -> Option<u32> {
    // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the sixteen bytes of `block`.
    unsafe {
        let x = _mm_loadu_si128(block.as_ptr().cast());
        let at_most =
            |v: __m128i, max: u8| _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(max as i8)), v);
        let tab_to_cr = at_most(_mm_sub_epi8(x, _mm_set1_epi8(0x09)), 4);
        let blank = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x20)), tab_to_cr);
        let lead = _mm_or_si128(
            _mm_cmpeq_epi8(x, _mm_set1_epi8(0xC2u8 as i8)),
            at_most(_mm_sub_epi8(x, _mm_set1_epi8(0xE1u8 as i8)), 2),
        );
        if _mm_movemask_epi8(lead) != 0 {
            return None;
        }
        Some(_mm_movemask_epi8(blank) as u32)
    }
}

/// [`super::json_string_stop`]: sixteen bytes a step, then the portable byte loop for the
/// last 0 to 15.
#[inline]
pub fn json_string_stop(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
    // available; every load reads 16 bytes from `b[i..i + 16]`, which is in bounds.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let control = _mm_set1_epi8(0x1F);
        while i + 16 <= b.len() {
            let x = _mm_loadu_si128(b.as_ptr().add(i).cast());
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                // unsigned x <= 0x1F
                _mm_cmpeq_epi8(_mm_min_epu8(x, control), x),
            );
            let mask = _mm_movemask_epi8(hits);
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    super::portable::json_string_stop(&b[i..]).map(|at| i + at)
}

/// [`super::needs_quotes`]: the table's byte loop below sixteen bytes, SSE2 from there.
#[inline]
pub fn needs_quotes(field: &[u8], delimiter: u8, special: &[bool; 256]) -> bool {
    if field.len() >= 16 {
        return special16(field, delimiter);
    }
    // Short cells (numbers, times, names): a byte loop.
    super::portable::any_special(field, special)
}

/// Whether `field` (16 bytes or more) holds the delimiter, `"`, CR or LF, sixteen bytes a step,
/// the last step overlapping the one before.
#[inline]
fn special16(field: &[u8], delimiter: u8) -> bool {
    debug_assert!(field.len() >= 16);
    // SAFETY: SSE2 is in the x86_64 baseline; every load reads 16 bytes inside `field`
    // (`at + 16 <= field.len()`), unaligned loads being allowed.
    unsafe {
        let [d, q, cr, lf] = [delimiter, b'"', b'\r', b'\n'].map(|b| _mm_set1_epi8(b as i8));
        let hit = |at: usize| {
            let v = _mm_loadu_si128(field.as_ptr().add(at).cast());
            let either = |a, b| _mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b));
            _mm_movemask_epi8(_mm_or_si128(either(d, q), either(cr, lf))) != 0
        };
        let mut at = 0;
        while at + 16 <= field.len() {
            if hit(at) {
                return true;
            }
            at += 16;
        }
        at < field.len() && hit(field.len() - 16)
    }
}
