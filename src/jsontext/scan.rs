//! The scanner the fast paths share (`input/fast.rs` for POST-hook payloads, the webhook
//! model's `Fast` readers for events): JSON read straight from the text into the model's
//! values, giving up (`None`) on anything it is not sure to read exactly as serde_json does,
//! so that serde_json then reads the document and words any error.
//!
//! Strings are scanned sixteen bytes at a time (`simd::json_string_stop`), known keys checked
//! with one sixteen-byte comparison, integers read eight digits at a time. With `PRETTY`, white
//! space between tokens is skipped and the text without it kept for the document's
//! fingerprint; without, the first white space between tokens fails the reading, and the
//! caller reads again allowing it.

use std::borrow::Cow;

/// Deeper nesting than this is left to serde_json (whose limit is 128, and the documents'
/// own rule too, see `split::MAX_DEPTH`): a payload the fast path reads is never too deep.
pub const DEPTH: usize = 64;

thread_local! {
    /// The buffer a thread compacts pretty-printed payloads in for their fingerprint.
    pub(crate) static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A known key as it is written, quotes included (at most sixteen bytes), so that the next
/// key can be checked with one sixteen-byte comparison.
pub(crate) struct Key {
    name: &'static str,
    pattern: u128,
    mask: u128,
    len: usize,
}

impl Key {
    pub(crate) const fn new(name: &'static str) -> Key {
        let bytes = name.as_bytes();
        let len = bytes.len() + 2;
        assert!(len <= 16);
        let mut written = [0u8; 16];
        let mut mask = [0u8; 16];
        written[0] = b'"';
        let mut i = 0;
        while i < bytes.len() {
            written[i + 1] = bytes[i];
            i += 1;
        }
        written[len - 1] = b'"';
        i = 0;
        while i < len {
            mask[i] = 0xFF;
            i += 1;
        }
        Key {
            name,
            pattern: u128::from_le_bytes(written),
            mask: u128::from_le_bytes(mask),
            len,
        }
    }
}

/// `PRETTY`: white space between tokens is read (and kept track of for the fingerprint);
/// without it, white space anywhere but inside strings makes the reading fail.
pub(crate) struct Parser<'a, const PRETTY: bool> {
    pub(crate) s: &'a str,
    pub(crate) b: &'a [u8],
    pub(crate) i: usize,
    /// How many runs of white space between tokens were skipped so far: a raw value read
    /// without it growing is compact.
    pub(crate) blanks: usize,
    /// The text read up to `since` without its white space between tokens, once there was
    /// some (its first `kept` bytes; empty while the text is compact): what the fingerprint
    /// hashes.
    pub(crate) compact: Vec<u8>,
    pub(crate) kept: usize,
    /// Where the text after the last run of white space begins.
    pub(crate) since: usize,
    /// A member of an object of known keys was skipped that [`Parser::noting`]'s test
    /// picked out.
    pub(crate) unread: bool,
    /// Which skipped members (key, text of the value) set `unread`; none by default.
    noted: fn(&str, &[u8]) -> bool,
}

impl<'a, const PRETTY: bool> Parser<'a, PRETTY> {
    pub(crate) fn new(text: &'a str) -> Self {
        Parser {
            s: text,
            b: text.as_bytes(),
            i: 0,
            blanks: 0,
            compact: Vec::new(),
            kept: 0,
            since: 0,
            unread: false,
            noted: |_, _| false,
        }
    }

    /// The same parser, noting (in `unread`) whether it skipped a member that `noted` picks
    /// out: the payload reader asks whether it left out anything that `--redact` reads.
    pub(crate) fn noting(mut self, noted: fn(&str, &[u8]) -> bool) -> Self {
        self.noted = noted;
        self
    }

    /// Where the reading ended: the fingerprint of the text read so far, made when it had
    /// white space between tokens; `None` when it had none (the text is its own compact
    /// form, hashed as it is when asked for).
    pub(crate) fn made_fingerprint(mut self) -> Option<u64> {
        if self.blanks == 0 {
            return None;
        }
        let end = self.i;
        self.keep_long(self.since);
        let compact = &self.compact[..self.kept + end - self.since];
        let hash = super::hash_compact(compact);
        if self.compact.len() <= 1 << 20 {
            // Kept for the thread's next pretty-printed document (not a huge one's).
            SCRATCH.set(self.compact);
        }
        Some(hash)
    }

    /// Reads an object whose keys are not known in advance, calling `field` with each key
    /// (written without escapes, else `None`) and the parser at its value.
    #[inline]
    pub(crate) fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let name = self.key()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            field(self, name)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The text of the value here, checked by serde_json's grammar (as serde_json's
    /// `RawValue` gives it: from its first byte to its last, white space inside kept).
    pub(crate) fn raw_text(&mut self, depth: usize) -> Option<&'a str> {
        let start = self.i;
        self.skip(depth)?;
        self.s.get(start..self.i)
    }

    /// An integer as [`integer`](Self::integer) reads it, with its text as written (the same
    /// as the integer's own: no sign on zero, no leading zero).
    #[inline]
    pub(crate) fn integer_text(&mut self) -> Option<(i64, &'a str)> {
        let start = self.i;
        let value = self.integer()?;
        Some((value, self.s.get(start..self.i)?))
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON white space (the four characters serde_json skips), keeping the text before
    /// it for the fingerprint.
    #[inline]
    pub(crate) fn ws(&mut self) {
        if !PRETTY {
            return;
        }
        if let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            let (from, at) = (self.since, self.kept);
            let n = self.i - from;
            match (
                self.b.get(from..from + 16),
                self.compact.get_mut(at..at + 16),
            ) {
                // Most pieces between white space are short: one sixteen-byte copy, of which
                // the bytes past the piece are overwritten next.
                (Some(block), Some(to)) if n <= 16 => to.copy_from_slice(block),
                _ => self.keep_long(from),
            }
            self.kept = at + n;
            self.i += 1;
            while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
                self.i += 1;
            }
            self.since = self.i;
            self.blanks += 1;
        }
    }

    /// Keeps the text from `from` to here in `compact`, growing it (a thread's scratch buffer
    /// when it is first used).
    #[cold]
    pub(crate) fn keep_long(&mut self, from: usize) {
        let (at, n) = (self.kept, self.i - from);
        if self.compact.is_empty() {
            self.compact = SCRATCH.take();
        }
        if self.compact.len() < at + n + 16 {
            let len = (at + n + 16).max(2 * self.compact.len()).max(4 << 10);
            self.compact.resize(len, 0);
        }
        self.compact[at..at + n].copy_from_slice(&self.b[from..self.i]);
    }

    #[inline]
    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    pub(crate) fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// Reads an object of known `keys` (none for an object skipped), calling `field` with each
    /// key's index in `keys` (the length of `keys` for an unknown one) and the parser at the
    /// key's value. Returns which keys were read (bit `index`); `None` for a key read twice
    /// (serde's "duplicate field").
    #[inline]
    pub(crate) fn fields<const N: usize>(
        &mut self,
        keys: &[Key; N],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<u32> {
        let mut seen = 0u32;
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(seen);
        }
        let mut next = 0;
        let mut unknown = None;
        loop {
            let index = match keys.get(next) {
                Some(key) if self.at(key) => {
                    self.i += key.len;
                    next
                }
                _ => {
                    let name = self.key()?;
                    let index = keys.iter().position(|k| k.name == name).unwrap_or(N);
                    if index == N && N > 0 {
                        unknown = Some(name);
                    }
                    index
                }
            };
            next = index + 1;
            if index < N {
                if seen & 1 << index != 0 {
                    return None;
                }
                seen |= 1 << index;
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            match unknown.take() {
                // A member the model does not know, skipped: is it one the caller notes?
                Some(name) => {
                    let start = self.i;
                    field(self, index)?;
                    if !self.unread {
                        self.unread = (self.noted)(name, &self.b[start..self.i]);
                    }
                }
                None => field(self, index)?,
            }
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Some(seen);
                }
                _ => return None,
            }
        }
    }

    /// Whether `key` is written here (with its closing quote, so no longer key matches).
    #[inline]
    pub(crate) fn at(&self, key: &Key) -> bool {
        match self.b[self.i..].first_chunk::<16>() {
            Some(chunk) => u128::from_le_bytes(*chunk) & key.mask == key.pattern,
            None => false,
        }
    }

    /// Reads an array, calling `element` with the parser at each element.
    #[inline]
    pub(crate) fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A key without escapes.
    #[inline]
    pub(crate) fn key(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let end = start + special(&self.b[start..])?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        self.s.get(start..end)
    }

    /// The string at a `"`: borrowed when it has no escapes, as serde_json's `from_str` gives.
    #[inline]
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.i + 1;
        let end = start + special(&self.b[start..])?;
        match self.b[end] {
            b'"' => {
                self.i = end + 1;
                Some(Cow::Borrowed(self.s.get(start..end)?))
            }
            b'\\' => self.escaped(start, end).map(Cow::Owned),
            _ => None, // a control character: serde_json refuses it
        }
    }

    /// The rest of a string from its first backslash at `at`, unescaped.
    #[cold]
    pub(crate) fn escaped(&mut self, start: usize, mut at: usize) -> Option<String> {
        // Unescaped text is never longer than its escaped form: one allocation.
        let end = crate::jsontext::after_string(self.b, start - 1);
        let mut out = String::with_capacity(end - start);
        out.push_str(self.s.get(start..at)?);
        loop {
            let escape = *self.b.get(at + 1)?;
            at += 2;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let unit = self.hex4(at)?;
                    at += 4;
                    let c = match unit {
                        0xD800..=0xDBFF => {
                            // Only a well-formed pair; serde_json words the rest itself.
                            if self.b.get(at..at + 2)? != b"\\u" {
                                return None;
                            }
                            let low = self.hex4(at + 2)?;
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return None;
                            }
                            at += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                        }
                        0xDC00..=0xDFFF => return None,
                        _ => char::from_u32(unit)?,
                    };
                    out.push(c);
                }
                _ => return None,
            }
            let run = special(&self.b[at..])?;
            out.push_str(self.s.get(at..at + run)?);
            at += run;
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    return Some(out);
                }
                b'\\' => {}
                _ => return None,
            }
        }
    }

    pub(crate) fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.b.get(at..at + 4)?;
        let mut unit = 0;
        for &d in digits {
            unit = unit * 16 + char::from(d).to_digit(16)?;
        }
        Some(unit)
    }

    /// An integer as serde_json reads it into an `i64`; `None` for what it may read
    /// otherwise (`-0` is a float to it) or refuse (leading zeros), and past 18 digits.
    #[inline]
    pub(crate) fn integer(&mut self) -> Option<i64> {
        let negative = self.peek()? == b'-';
        if negative {
            self.i += 1;
        }
        let start = self.i;
        let mut value: i64 = 0;
        // Times in milliseconds have 13 digits: the first eight at once when they are digits.
        if let Some(block) = self.b.get(start..).and_then(|b| b.first_chunk::<8>()) {
            if let Some(eight) = eight_digits(u64::from_le_bytes(*block)) {
                value = eight as i64;
                self.i += 8;
            }
        }
        while let Some(d @ b'0'..=b'9') = self.peek() {
            value = value.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
            self.i += 1;
        }
        let digits = self.i - start;
        if digits == 0 || digits > 18 || (digits > 1 && self.b[start] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        if negative {
            if value == 0 {
                return None;
            }
            value = -value;
        }
        Some(value)
    }

    /// An integer, or `null` when `nullable` (`Some(None)`).
    #[inline]
    pub(crate) fn int(&mut self, nullable: bool) -> Option<Option<i64>> {
        if nullable && self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.integer().map(Some)
    }

    #[inline]
    pub(crate) fn opt_bool(&mut self) -> Option<Option<bool>> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|_| Some(true)),
            b'f' => self.literal(b"false").map(|_| Some(false)),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn opt_text(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'"' => self.string().map(Some),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }
    /// Skips any value, checking it by serde_json's grammar.
    pub(crate) fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' if depth < DEPTH => self.fields(&[], |p, _| p.skip(depth + 1)).map(drop),
            b'[' if depth < DEPTH => self.array(|p| p.skip(depth + 1)),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// Skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    pub(crate) fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    pub(crate) fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    pub(crate) fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }
}

/// The value of eight ASCII digits read as a little-endian word, `None` unless all eight are
/// digits: three multiplications instead of eight steps (the SWAR method of simdjson's
/// `parse_eight_digits_unrolled`).
pub(crate) fn eight_digits(word: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte is a digit when it is 0x30..=0x39: its high nibble is 3, and adding 6 keeps it so.
    let high = word & (0xF0 * ONES);
    let carried = word.wrapping_add(0x06 * ONES) & (0xF0 * ONES);
    if high != 0x30 * ONES || carried != 0x30 * ONES {
        return None;
    }
    let v = word - 0x30 * ONES;
    // Pairs, then fours, then all eight: the first digit is the lowest byte.
    let v = (v * 10) + (v >> 8);
    let v = ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32))
        + ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some(v)
}

/// The offset of the first byte in `b` that ends a run of plain string text: `"`, `\` or a
/// control character; `None` when there is none (the string is not closed).
#[inline]
pub(crate) fn special(b: &[u8]) -> Option<usize> {
    crate::simd::json_string_stop(b)
}
