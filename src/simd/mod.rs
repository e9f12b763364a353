//! The CPU-specific byte scans, fenced here so that the rest of the crate (the model, the
//! readers, the renderers) stays plain, safe Rust with no `cfg(target_arch)`.
//!
//! Each routine below is what its callers use; it picks its version by target:
//! - `x86_64` (on x86_64): SSE2, part of that target's baseline, so no run-time detection.
//!   All of the crate's `std::arch`, and all of its `unsafe` but one allocator setting of
//!   `serve`, is in that file; the crate root denies `unsafe_code` everywhere else.
//! - `portable` (every target, used on the others): eight bytes in a `u64` (SWAR), memchr
//!   or a byte loop. It is compiled on x86_64 too, where the SSE2 versions share its byte
//!   loops and the tests run it.
//! - `naive` (tests only): an obviously correct byte-at-a-time reference for each routine.
//!
//! The tests check both versions against the reference: exhaustively over short inputs made
//! of the bytes that matter (ASCII blanks and 0x1C–0x1F, the lead bytes of Unicode spaces,
//! delimiters, quotes, line ends, control bytes, multibyte letters) at every length up to 40
//! (64 for quoting, whose portable version changes method at 48), every place and every
//! alignment, and on a few thousand pseudo-random inputs.
//!
//! Callers: [`count_words`] is `crate::payload::count_words` (`Payload::counted`: the word
//! counts of `check`, `stats` and the rows of `export` and `list`); [`json_string_stop`] is
//! the string scan of the fast payload reader (`input::fast`); [`needs_quotes`] is the CSV/TSV
//! quoting rule of `render::delimited`.

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86_64;

mod portable;

#[cfg(test)]
mod naive;

#[cfg(test)]
mod tests;

#[cfg(not(target_arch = "x86_64"))]
use portable as arch;
#[cfg(target_arch = "x86_64")]
use x86_64 as arch;

/// Words split on whitespace (Unicode White_Space, as `str::split_whitespace`), counted on
/// the bytes: a non-ASCII character is a word character unless it is one of the few
/// White_Space code points, which are recognised by their UTF-8 bytes.
#[inline]
pub fn count_words(text: &str) -> i64 {
    arch::count_words(text)
}

/// The offset of the first byte in `bytes` that ends a run of plain JSON string text: `"`,
/// `\` or a control character (below 0x20); `None` when there is none (the string is not
/// closed).
#[inline]
pub fn json_string_stop(bytes: &[u8]) -> Option<usize> {
    arch::json_string_stop(bytes)
}

/// Whether a CSV or TSV field must be quoted: it holds the delimiter, `"`, CR or LF.
/// `special` marks exactly those four bytes (the caller's table, made once per delimiter);
/// short fields are looked up in it a byte at a time, long ones scanned for the four bytes.
#[inline]
pub fn needs_quotes(field: &[u8], delimiter: u8, special: &[bool; 256]) -> bool {
    debug_assert!([delimiter, b'"', b'\r', b'\n']
        .iter()
        .all(|&b| special[usize::from(b)]));
    arch::needs_quotes(field, delimiter, special)
}
