//! CSV and TSV records, written straight into a byte buffer: the one place that decides how a
//! field is quoted, for rows (`export`, `list`) and for `stats`.
//!
//! The rule is the csv crate's `QuoteStyle::Necessary` (RFC 4180): a field is quoted when it
//! holds the delimiter, a double quote, CR or LF; a quote inside is doubled; a record of one
//! empty field is written `""` so that it still reads as a record. The csv crate's writer
//! followed the same rule through its own buffer, byte by byte, and cost 17 % of an export's
//! instructions; here a field is one scan for those four bytes (a byte loop for short cells,
//! sixteen bytes a step for longer ones) and one copy. A property test checks every byte
//! against the csv crate.

/// How fields are separated and records ended.
#[derive(Debug, Clone)]
pub struct Delimited {
    delimiter: u8,
    crlf: bool,
    /// The bytes that make a field quoted: the delimiter, `"`, CR and LF.
    special: [bool; 256],
    /// Whether an integer, a boolean or an RFC 3339 time can never need quotes: they are
    /// made of ASCII letters and digits, `-`, `+`, `:` and `.`, never a quote or line end, so
    /// only such a delimiter could force them.
    plain: bool,
}

impl Delimited {
    /// `delimiter` must not be `"`, CR or LF (the command line refuses those).
    pub fn new(delimiter: u8, crlf: bool) -> Delimited {
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\r', b'\n'] {
            special[usize::from(b)] = true;
        }
        let plain = !delimiter.is_ascii_alphanumeric() && !b"-+:.".contains(&delimiter);
        Delimited {
            delimiter,
            crlf,
            special,
            plain,
        }
    }

    /// Starts a record at the end of `out`.
    pub fn record<'o>(&'o self, out: &'o mut Vec<u8>) -> Record<'o> {
        let start = out.len();
        Record {
            style: self,
            out,
            start,
            fields: 0,
        }
    }

    /// A whole record of text fields.
    pub fn write_record<I, F>(&self, out: &mut Vec<u8>, fields: I)
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        let mut record = self.record(out);
        for field in fields {
            record.field(field.as_ref());
        }
        record.end();
    }

    fn needs_quotes(&self, field: &[u8]) -> bool {
        crate::simd::needs_quotes(field, self.delimiter, &self.special)
    }
}

/// One record being written; [`Record::end`] writes its terminator.
pub struct Record<'o> {
    style: &'o Delimited,
    out: &'o mut Vec<u8>,
    start: usize,
    fields: usize,
}

impl Record<'_> {
    /// A field of text.
    pub fn field(&mut self, field: &[u8]) {
        self.separate();
        self.put(field);
    }

    /// A field that `write` puts into the buffer itself (an integer, a time: no copy), quoted
    /// afterwards if it turns out to need it (`--delimiter :` and a time, say).
    pub fn field_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        self.separate();
        let at = self.out.len();
        write(self.out);
        if self.style.needs_quotes(&self.out[at..]) {
            let text = self.out.split_off(at);
            self.put(&text);
        }
    }

    /// A field sshook made of ASCII letters, digits, `-`, `+`, `:` and `.` (an integer, a
    /// boolean, an RFC 3339 time) that `write` puts into the buffer: not scanned for the bytes
    /// that force quotes unless the delimiter is one of those characters.
    pub fn plain_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        if self.style.plain {
            self.separate();
            let at = self.out.len();
            write(self.out);
            debug_assert!(!self.style.needs_quotes(&self.out[at..]));
        } else {
            self.field_with(write);
        }
    }

    fn put(&mut self, field: &[u8]) {
        if self.style.needs_quotes(field) {
            self.out.push(b'"');
            let mut rest = field;
            while let Some(at) = memchr::memchr(b'"', rest) {
                self.out.extend_from_slice(&rest[..=at]);
                self.out.push(b'"');
                rest = &rest[at + 1..];
            }
            self.out.extend_from_slice(rest);
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(field);
        }
    }

    fn separate(&mut self) {
        if self.fields > 0 {
            self.out.push(self.style.delimiter);
        }
        self.fields += 1;
    }

    /// Ends the record.
    pub fn end(self) {
        if self.out.len() == self.start {
            // One empty field (or none): `""`, or the record would be a blank line.
            self.out.extend_from_slice(b"\"\"");
        }
        self.out
            .extend_from_slice(if self.style.crlf { b"\r\n" } else { b"\n" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_csv_crate(delimiter: u8, crlf: bool, records: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(Vec::new());
        for record in records {
            w.write_record(record).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn by_us(delimiter: u8, crlf: bool, records: &[Vec<Vec<u8>>], with: bool) -> Vec<u8> {
        let style = Delimited::new(delimiter, crlf);
        let mut out = Vec::new();
        for record in records {
            let mut r = style.record(&mut out);
            for field in record {
                if with {
                    r.field_with(|o| o.extend_from_slice(field));
                } else {
                    r.field(field);
                }
            }
            r.end();
        }
        out
    }

    fn field() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            Just(b','),
            Just(b'\t'),
            Just(b';'),
            Just(b'"'),
            Just(b'\r'),
            Just(b'\n'),
            Just(b' '),
            Just(b'a'),
            Just(b':'),
            any::<u8>(),
        ];
        let plain = prop_oneof![Just(b'x'), Just(b'a'), Just(b'b'), Just(0xC3), Just(0xA9)];
        prop_oneof![
            prop::collection::vec(byte.clone(), 0..40),
            prop::collection::vec(prop_oneof![9 => plain, 1 => byte], 0..70),
        ]
    }

    proptest! {
        #[test]
        fn quoting_matches_the_csv_crate(
            records in prop::collection::vec(prop::collection::vec(field(), 1..5), 0..5),
            delimiter in prop_oneof![Just(b','), Just(b'\t'), Just(b';'), Just(b':'), Just(b'a'), Just(0xE9)],
            crlf in any::<bool>(),
            with in any::<bool>(),
        ) {
            prop_assert_eq!(
                by_us(delimiter, crlf, &records, with),
                by_csv_crate(delimiter, crlf, &records)
            );
        }
    }

    #[test]
    fn integers_booleans_and_times_are_written_as_any_field_is() {
        // Unscanned only where the delimiter cannot occur in them: the same bytes as a text
        // field, with every ASCII delimiter the command line accepts.
        let made = [
            "0",
            "-9223372036854775808",
            "true",
            "false",
            "2025-01-01T00:01:34.867+01:00",
            "-000001-12-31T23:59:59.999Z",
        ];
        for delimiter in (0u8..128).filter(|d| !matches!(d, b'"' | b'\r' | b'\n')) {
            let style = Delimited::new(delimiter, false);
            let (mut plain, mut text) = (Vec::new(), Vec::new());
            let (mut p, mut t) = (style.record(&mut plain), style.record(&mut text));
            for cell in made {
                p.plain_with(|out| out.extend_from_slice(cell.as_bytes()));
                t.field(cell.as_bytes());
            }
            p.end();
            t.end();
            assert_eq!(plain, text, "delimiter {delimiter}");
        }
    }

    #[test]
    fn a_lone_empty_field_is_quoted() {
        let records = vec![vec![b"".to_vec()], vec![b"".to_vec(), b"".to_vec()]];
        assert_eq!(by_us(b',', false, &records, false), b"\"\"\n,\n");
        assert_eq!(by_us(b',', false, &records, true), b"\"\"\n,\n");
    }
}
