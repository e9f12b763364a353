//! Byte-level facts about JSON text that serde_json does not expose: which bytes lie outside
//! string literals, and the structure (nesting depth) of a text read piece by piece. Used to
//! strip layout whitespace exactly (`export --rows payloads`, the fingerprints that tell
//! re-sent copies apart), to measure nesting depth
//! (validate's "nesting too deep") and to cut a stream only between documents (the reader).

use std::borrow::Cow;

pub mod scan;

/// The positions and values of the bytes of `raw` outside string literals, in order. The
/// quotes that open and close strings are not yielded. A string is skipped in one step, by
/// searching for its closing quote (or a backslash) rather than reading it byte by byte.
pub fn outside_strings(raw: &[u8]) -> OutsideStrings<'_> {
    OutsideStrings { raw, at: 0 }
}

/// See [`outside_strings`].
pub struct OutsideStrings<'a> {
    raw: &'a [u8],
    at: usize,
}

impl Iterator for OutsideStrings<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        loop {
            let i = self.at;
            let &b = self.raw.get(i)?;
            if b != b'"' {
                self.at = i + 1;
                return Some((i, b));
            }
            self.at = after_string(self.raw, i);
        }
    }
}

/// The offset just after the string literal whose opening quote is at `quote` (the length of
/// `raw` if it does not close): the closing quote is searched for, stepping over escapes.
pub fn after_string(raw: &[u8], quote: usize) -> usize {
    let mut at = quote + 1;
    loop {
        let rest = raw.get(at..).unwrap_or_default();
        match memchr::memchr2(b'"', b'\\', rest) {
            None => return raw.len(),
            Some(n) if rest[n] == b'"' => return at + n + 1,
            Some(n) => at += n + 2, // the backslash and the byte it escapes
        }
    }
}

/// The JSON text without the whitespace between tokens; strings are kept byte for byte, so
/// every value (big numbers, escapes) comes out exactly as it went in.
pub fn compact_json(raw: &str) -> Cow<'_, str> {
    let bytes = raw.as_bytes();
    let blank = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut out: Option<String> = None;
    let (mut at, mut run_start) = (0, 0);
    while let Some(&b) = bytes.get(at) {
        if b == b'"' {
            at = after_string(bytes, at);
        } else if blank(b) {
            // A run of whitespace (a pretty document's indentation) is dropped in one step.
            // Whitespace is ASCII, so these are character boundaries.
            let out = out.get_or_insert_with(|| String::with_capacity(raw.len()));
            out.push_str(&raw[run_start..at]);
            while bytes.get(at).is_some_and(|&b| blank(b)) {
                at += 1;
            }
            run_start = at;
        } else {
            at += 1;
        }
    }
    match out {
        None => Cow::Borrowed(raw),
        Some(mut out) => {
            out.push_str(&raw[run_start..]);
            Cow::Owned(out)
        }
    }
}

/// The hash that tells two copies of a document apart (re-sent POST-hook payloads,
/// re-delivered webhook events): of its text without the white space between tokens. The same
/// document pretty-printed and compact hashes the same; any other change (a value, the order of
/// keys, an escape) differently. The fast path makes the same hash while it reads a payload.
pub fn fingerprint(raw: &str) -> u64 {
    hash_compact(compact_json(raw).as_bytes())
}

/// [`fingerprint`]'s hash of a text already without white space between tokens.
pub fn hash_compact(text: &[u8]) -> u64 {
    use std::hash::Hasher;
    // One call: the hasher takes sixteen bytes a step.
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(text);
    hasher.finish()
}

/// Whether `raw` nests objects and arrays deeper than `limit` levels.
pub fn deeper_than(raw: &[u8], limit: usize) -> bool {
    // A text with fewer brackets than the limit cannot be deeper: count them first, and walk
    // the structure only when there are enough. One vectorised count per bracket kind:
    // iterating over the matches of both (memchr2) cost a call per bracket.
    let brackets = memchr::memchr_iter(b'{', raw).count() + memchr::memchr_iter(b'[', raw).count();
    if brackets <= limit {
        return false;
    }
    let mut scanner = Scanner::default();
    scanner.scan(raw, 0, |_, _| {});
    scanner.max_depth > limit
}

/// The offset of the first bracket that opens level `limit + 1`, if `raw` goes that deep.
pub fn deeper_at(raw: &[u8], limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in outside_strings(raw) {
        match b {
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The structure of JSON text read piece by piece: whether the scan is inside a string, and
/// how deep in objects and arrays. It never fails: on broken text it keeps going (a string
/// ends at a newline, which JSON strings cannot hold raw; a stray closing bracket at the top
/// is ignored), so the caller can resynchronise.
#[derive(Debug, Default, Clone)]
pub struct Scanner {
    pub depth: usize,
    pub in_string: bool,
    escaped: bool,
    /// The greatest depth seen.
    pub max_depth: usize,
}

impl Scanner {
    /// Scans `text[from..]`. `line_start(offset, depth)` is called for every offset just after
    /// a newline that lies outside strings, with the depth there.
    pub fn scan(&mut self, text: &[u8], from: usize, mut line_start: impl FnMut(usize, usize)) {
        let mut i = from;
        while i < text.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Jump to the next byte that can end the string: most strings are short
                // (keys, names), where a plain loop beats setting up a vectorised search.
                let rest = &text[i..];
                let head = rest.len().min(32);
                let found = rest[..head]
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))
                    .or_else(|| {
                        memchr::memchr3(b'"', b'\\', b'\n', &rest[head..]).map(|n| n + head)
                    });
                match found {
                    None => return,
                    Some(n) => {
                        i += n;
                        match text[i] {
                            b'"' => self.in_string = false,
                            b'\\' => self.escaped = true,
                            _ => {
                                // A raw newline: the string is broken; start afresh.
                                self.in_string = false;
                                line_start(i + 1, self.depth);
                            }
                        }
                        i += 1;
                    }
                }
                continue;
            }
            match text[i] {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    self.max_depth = self.max_depth.max(self.depth);
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                b'\n' => line_start(i + 1, self.depth),
                _ => {}
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_layout_only() {
        let compact = r#"{"a":{"label":"K","value":1},"m":[{"content":"x y"}]}"#;
        let pretty = "{\n  \"a\": {\"label\": \"K\", \"value\": 1},\r\n\t\"m\": [ {\"content\":\"x y\"} ]\n}\n";
        let fp = fingerprint(compact);
        assert_eq!(fp, hash_compact(compact.as_bytes()));
        assert_eq!(fp, fingerprint(pretty));
        for changed in [
            compact.replace("x y", "x  y"),
            compact.replace("x y", "xy"),
            compact.replace(r#""value":1"#, r#""value":2"#),
            compact.replace(r#""label":"K","value":1"#, r#""value":1,"label":"K""#),
            compact.replace("K", "\\u004b"),
        ] {
            assert_ne!(fp, fingerprint(&changed), "{changed}");
        }
        // Longer than the hasher's sixteen-byte steps: a change after the first steps counts.
        let long = format!(r#"{{"t":"{}","u":1}}"#, "a".repeat(100));
        assert_ne!(
            fingerprint(&long),
            fingerprint(&long.replace("\"u\":1", "\"u\":2"))
        );
    }

    #[test]
    fn compact_json_keeps_strings_and_numbers_exact() {
        let raw = "{\n  \"a b\": \"x  y\\\" z\",\n  \"n\": 1.000000000000000000001e400 }";
        assert_eq!(
            compact_json(raw),
            "{\"a b\":\"x  y\\\" z\",\"n\":1.000000000000000000001e400}"
        );
        assert!(matches!(compact_json("[1,2]"), Cow::Borrowed("[1,2]")));
    }

    /// The rule plainly: every whitespace byte outside string literals goes.
    fn compact_slowly(raw: &str) -> String {
        let dropped: Vec<usize> = crate::jsontext::outside_strings(raw.as_bytes())
            .filter(|&(_, b)| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
            .map(|(i, _)| i)
            .collect();
        let bytes = raw
            .bytes()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i));
        String::from_utf8(bytes.map(|(_, b)| b).collect()).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn compact_json_drops_exactly_the_whitespace_outside_strings(
            raw in r#"[ \n\t\r"\\a{}\[\],:0-9é]{0,60}"#
        ) {
            proptest::prop_assert_eq!(compact_json(&raw).into_owned(), compact_slowly(&raw));
        }
    }

    #[test]
    fn strings_hide_their_bytes() {
        let raw = br#"{"a b": "x\"{[ ", "c":[1, 2]}"#;
        let outside: String = outside_strings(raw).map(|(_, b)| b as char).collect();
        assert_eq!(outside, "{: , :[1, 2]}");
        assert!(!deeper_than(br#"[[["[[[[["]]]"#, 3));
        assert!(deeper_than(b"[[[[]]]]", 3));
        assert!(!deeper_than(b"[[[]]][[[]]]", 3));
        assert!(deeper_than(br#"{"a":[{"b":[1]}]}"#, 3));
    }

    /// The byte-by-byte definition `outside_strings` must agree with.
    fn outside_strings_slowly(raw: &[u8]) -> Vec<(usize, u8)> {
        let (mut in_string, mut escaped, mut out) = (false, false, Vec::new());
        for (i, &b) in raw.iter().enumerate() {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else {
                out.push((i, b));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn outside_strings_skips_strings_like_the_byte_walk(raw in "[\"\\\\a{ }\n:,]{0,60}") {
            let fast: Vec<_> = outside_strings(raw.as_bytes()).collect();
            proptest::prop_assert_eq!(fast, outside_strings_slowly(raw.as_bytes()));
        }
    }

    #[test]
    fn scanner_agrees_with_outside_strings_on_long_strings() {
        // Escapes and quotes around the 32-byte mark where the scan changes method.
        for at in 28..40 {
            let mut inner = "x".repeat(at);
            inner.push_str("\\\"{[");
            inner.push_str(&"y".repeat(40));
            let text = format!("[{{\"k\": \"{inner}\"}},\n{{\"a\": [\"{inner}\"]}}]\n{{}}\n");
            let mut depths = Vec::new();
            let mut scanner = Scanner::default();
            scanner.scan(text.as_bytes(), 0, |at, depth| depths.push((at, depth)));
            let mut expected = Vec::new();
            let mut depth = 0usize;
            for (i, b) in outside_strings(text.as_bytes()) {
                match b {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    b'\n' => expected.push((i + 1, depth)),
                    _ => {}
                }
            }
            assert_eq!(depths, expected, "{text}");
            assert_eq!(scanner.depth, 0);
        }
    }

    #[test]
    fn scanner_reports_line_starts_with_their_depth() {
        let text = b"[\n{\"a\":\"x\\\"{\"},\n{}\n]\n{}\n";
        let mut starts = Vec::new();
        let mut scanner = Scanner::default();
        // Scanned in two pieces, as the reader does.
        scanner.scan(&text[..7], 0, |at, depth| starts.push((at, depth)));
        scanner.scan(text, 7, |at, depth| starts.push((at, depth)));
        assert_eq!(starts, [(2, 1), (16, 1), (19, 1), (21, 0), (24, 0)]);
        assert_eq!(scanner.depth, 0);
        assert!(!scanner.in_string);
    }
}
