//! The plain-Rust versions of the routines of [`super`]: eight bytes at a time in a `u64`
//! (SWAR), memchr, or a byte loop. They are what other targets run; on x86_64 the SSE2
//! versions use their byte loops ([`blank_at`], [`json_string_stop`], [`any_special`]) for the
//! bytes a vector does not settle, and the tests run all of them on every target.

/// [`super::count_words`]: eight bytes at a time, then one.
// Other targets' version; on x86_64 only the tests call it (so too `needs_quotes`).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub fn count_words(text: &str) -> i64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let bytes = text.as_bytes();
    let (mut words, mut in_word, mut i) = (0i64, false, 0usize);
    let mut slow_until = 0;
    while i < bytes.len() {
        if i >= slow_until {
            if let Some(block) = bytes[i..].first_chunk::<8>() {
                let w = u64::from_le_bytes(*block);
                // Per byte, in its high bit: the byte is ASCII; then with the low seven bits
                // `v` (sums stay inside a byte): it is ' ', in 0x09..=0x0D, or a non-ASCII
                // byte that may start a White_Space character (0xC2, 0xE1..=0xE3).
                let ascii = !w & HIGH;
                let v = w & LOW7;
                let is = |c: u64| {
                    let x = v ^ (c * 0x0101_0101_0101_0101);
                    !((x + LOW7) | x) & HIGH
                };
                let at_least = |c: u64| (v + (0x80 - c) * 0x0101_0101_0101_0101) & HIGH;
                let tab_to_cr = at_least(0x09) & !at_least(0x0E);
                let blank = (is(0x20) | tab_to_cr) & ascii;
                let space_lead = (is(0x42) | (at_least(0x61) & !at_least(0x64))) & !ascii;
                if space_lead == 0 {
                    // Any other non-ASCII byte belongs to a word; a word starts at a byte
                    // that is not blank after one that is.
                    let blank_before = (blank << 8) | if in_word { 0 } else { 0x80 };
                    words += i64::from((!blank & HIGH & blank_before).count_ones());
                    in_word = blank >> 63 == 0;
                    i += 8;
                    continue;
                }
                slow_until = i + 8;
            }
        }
        let (space, len) = blank_at(bytes, i);
        words += i64::from(!space && !in_word);
        in_word = !space;
        i += len;
    }
    words
}

/// Whether the character at `bytes[i]` (a char boundary, in bounds) is White_Space, and its
/// length when it is; a character that is not is stepped over a byte at a time.
#[inline]
pub fn blank_at(bytes: &[u8], i: usize) -> (bool, usize) {
    let b = bytes[i];
    if b < 0x80 {
        // ASCII White_Space: tab, LF, VT, FF, CR, space (0x1C..0x1F are not).
        (matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '), 1)
    } else {
        match unicode_space(&bytes[i..]) {
            Some(len) => (true, len),
            None => (false, 1),
        }
    }
}

/// The length of the UTF-8 encoding of a non-ASCII White_Space character at the start of
/// `bytes`: U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
#[inline]
fn unicode_space(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [0xC2, 0x85 | 0xA0, ..] => Some(2),
        [0xE1, 0x9A, 0x80, ..] | [0xE3, 0x80, 0x80, ..] => Some(3),
        [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] | [0xE2, 0x81, 0x9F, ..] => Some(3),
        _ => None,
    }
}

/// [`super::json_string_stop`]: a byte loop.
#[inline]
pub fn json_string_stop(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)
}

/// [`super::needs_quotes`]: the table's byte loop for short cells, memchr for long ones.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
pub fn needs_quotes(field: &[u8], delimiter: u8, special: &[bool; 256]) -> bool {
    if field.len() >= 48 {
        // Without SSE2: two vector scans pay off only for long cells.
        return memchr::memchr3(delimiter, b'"', b'\n', field).is_some()
            || memchr::memchr(b'\r', field).is_some();
    }
    // Short cells (numbers, times, names): a byte loop.
    any_special(field, special)
}

/// Whether a byte of `field` is marked in `special`.
#[inline]
pub fn any_special(field: &[u8], special: &[bool; 256]) -> bool {
    field.iter().any(|&b| special[usize::from(b)])
}
