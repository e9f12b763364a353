//! Byte-level facts about JSON text that serde_json does not expose: which bytes lie outside
//! string literals. Used to strip layout whitespace exactly (`export --rows payloads`) and to
//! measure nesting depth (validate's "nesting too deep").

/// The positions and values of the bytes of `raw` outside string literals, in order. The
/// quotes that open and close strings are not yielded.
pub fn outside_strings(raw: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    raw.iter().enumerate().filter_map(move |(i, &b)| {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            None
        } else if b == b'"' {
            in_string = true;
            None
        } else {
            Some((i, b))
        }
    })
}

/// Whether `raw` nests objects and arrays deeper than `limit` levels.
pub fn deeper_than(raw: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    for (_, b) in outside_strings(raw) {
        match b {
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_hide_their_bytes() {
        let raw = br#"{"a b": "x\"{[ ", "c":[1, 2]}"#;
        let outside: String = outside_strings(raw).map(|(_, b)| b as char).collect();
        assert_eq!(outside, "{: , :[1, 2]}");
        assert!(!deeper_than(br#"[[["[[[[["]]]"#, 3));
        assert!(deeper_than(b"[[[[]]]]", 3));
    }
}
