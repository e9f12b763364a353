//! Obviously correct references for the routines of [`super`], a byte (or a character) at a
//! time, that the tests check the SSE2 and portable versions against.

/// [`super::count_words`]: what the standard library calls white space.
pub fn count_words(text: &str) -> i64 {
    text.split_whitespace().count() as i64
}

/// [`super::json_string_stop`]: the first quote, backslash or control byte.
pub fn json_string_stop(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | 0x00..=0x1F))
}

/// [`super::needs_quotes`]: whether any byte is the delimiter, a quote, CR or LF.
pub fn needs_quotes(field: &[u8], delimiter: u8) -> bool {
    field
        .iter()
        .any(|&b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'))
}
