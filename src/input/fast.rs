//! The fast path for reading a POST-hook payload: a parser written for the one shape
//! [`Payload`] has, used before serde_json and giving up (`None`) on anything it is not sure
//! of, so that serde_json then reads the document and words any error exactly as before.
//!
//! Why: serde_json's typed parse was 59 % of an export's instructions. This parser scans
//! strings sixteen bytes at a time, expects each object's keys in the order Smartsupp writes
//! them (checking the next one with one sixteen-byte comparison, any order still read) and
//! makes the same values: a string borrowed from the input when it has no escapes, owned when it
//! has, integers, booleans, nulls, and the custom variables as raw text. A text is read first as
//! compact (no white space between tokens, no check for it after each token); at the first
//! white space it is read again allowing it.
//!
//! What it gives up on (and serde_json then reads): any value whose type is not the common
//! one (a float or a boolean where an integer or a string is expected, an array where an
//! object is), a number it cannot be sure to read as serde_json does (`-0`, more than 18
//! digits, a fraction or an exponent in a known field), a key written with escapes, an
//! escape serde_json refuses or reads specially (lone surrogates), a repeated known key, a
//! missing required one, the `sshook` block of an assembled conversation, nesting deeper
//! than [`DEPTH`], and every syntax error. Unknown keys are skipped after checking their
//! values are JSON by serde_json's grammar, as serde_json does.
//!
//! One rule holds it to serde_json: in a debug build (every test run), each payload it reads
//! is read by serde_json too and the two must be equal, to the byte offset where they end.

use std::borrow::Cow;

use crate::model::document::Fingerprint;
use crate::model::payload::{
    Channel, Message, Page, Payload, RawJson, RawText, Scalar, Text, Visitor,
};

/// Deeper nesting than this is left to serde_json (whose limit is 128, and the documents'
/// own rule too, see `split::MAX_DEPTH`): a payload the fast path reads is never too deep.
pub const DEPTH: usize = 64;

thread_local! {
    /// The buffer a thread compacts pretty-printed payloads in for their fingerprint.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Reads the payload object at the start of `text`; returns it, the length of its text and
/// what it knows of its fingerprint, or `None` when serde_json must read it.
pub fn payload(text: &str) -> Option<(Box<Payload<'_>>, usize, Fingerprint)> {
    // Read first as a compact text, with no white space between tokens (NDJSON as it is
    // usually written): the first white space fails that reading at once, and the text is
    // read again allowing it. Looking for white space after every token was 6 % of an export.
    read::<false>(text).or_else(|| read::<true>(text))
}

/// [`payload`], allowing white space between tokens (`PRETTY`) or not.
fn read<const PRETTY: bool>(text: &str) -> Option<(Box<Payload<'_>>, usize, Fingerprint)> {
    let mut parser = Parser::<PRETTY>::new(text);
    // Boxed at once: the payload is large (over 600 bytes) and moved several times on its way.
    let payload = Box::new(parser.payload()?);
    let end = parser.i;
    let print = if parser.blanks == 0 {
        // Hashed only if asked for (validate does not).
        Fingerprint::Compact
    } else {
        parser.keep_long(parser.since);
        let compact = &parser.compact[..parser.kept + end - parser.since];
        let hash = crate::jsontext::hash_compact(compact);
        if parser.compact.len() <= 1 << 20 {
            // Kept for the thread's next pretty-printed payload (not a huge one's).
            SCRATCH.set(parser.compact);
        }
        Fingerprint::Made(hash)
    };
    #[cfg(debug_assertions)]
    same_as_serde(text, &payload, end, print.of(&text[..end]));
    Some((payload, end, print))
}

/// The check every debug build makes on every payload the fast path reads, and the tests make
/// in every profile (see `fast_reference.rs`): serde_json reads the same payload from the same
/// text, ends at the same place, borrows the same strings, and the fingerprint is the one made
/// from the text alone.
#[cfg(any(debug_assertions, test))]
pub(super) fn same_as_serde(text: &str, fast: &Payload, len: usize, fingerprint: u64) {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Payload>();
    let slow = stream.next();
    let slow = match slow {
        Some(Ok(p)) => p,
        other => panic!("the fast path read a payload serde_json does not: {other:?}\n{text}"),
    };
    assert_eq!(
        stream.byte_offset(),
        len,
        "fast path ended elsewhere:\n{text}"
    );
    assert_eq!(
        format!("{fast:?}"),
        format!("{slow:?}"),
        "fast path read otherwise:\n{text}"
    );
    assert_eq!(
        borrowed(fast),
        borrowed(&slow),
        "borrowed strings differ:\n{text}"
    );
    assert_eq!(
        fingerprint,
        crate::jsontext::fingerprint(&text[..len]),
        "fingerprint differs:\n{text}"
    );
}

/// Which strings of a payload borrow from the input (in a fixed order).
#[cfg(any(debug_assertions, test))]
fn borrowed(p: &Payload) -> Vec<bool> {
    let is = |t: &Option<Text>| matches!(t, Some(Cow::Borrowed(_)));
    // A number's text is borrowed by the fast path and made by serde_json (`Debug` compares
    // the texts): only strings must agree.
    let scalar = |s: &Option<Scalar>| {
        matches!(
            s,
            Some(Scalar {
                text: Cow::Borrowed(_),
                number: false,
            })
        )
    };
    let mut out = vec![is(&p.channel.rating_desc)];
    if let Some(v) = &p.visitor {
        out.extend([scalar(&v.id), scalar(&v.group), scalar(&v.group_key)]);
        out.extend(
            [
                &v.name,
                &v.email,
                &v.note,
                &v.ip_address,
                &v.city,
                &v.country_code,
                &v.country,
                &v.user_agent,
                &v.platform,
                &v.referer,
            ]
            .map(is),
        );
    }
    for page in &p.paths {
        out.extend([is(&page.url), is(&page.title)]);
    }
    for m in &p.messages {
        out.push(matches!(m.kind, Cow::Borrowed(_)));
        out.extend([
            is(&m.name),
            scalar(&m.from),
            is(&m.content),
            is(&m.triggered_by),
        ]);
    }
    out
}

/// A known key as it is written, quotes included (at most sixteen bytes), so that the next
/// key can be checked with one sixteen-byte comparison.
struct Key {
    name: &'static str,
    pattern: u128,
    mask: u128,
    len: usize,
}

impl Key {
    const fn new(name: &'static str) -> Key {
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

// The keys of each object, in the order Smartsupp writes them (the official example's): the
// key after the one just read is checked first, and only a miss scans the key and looks it
// up. The index of a key is its bit in `seen` and its arm in the object's `match`.
const PAYLOAD: [Key; 8] = [
    Key::new("accountId"),
    Key::new("beginAt"),
    Key::new("endAt"),
    Key::new("channel"),
    Key::new("visitor"),
    Key::new("paths"),
    Key::new("messages"),
    Key::new("sshook"),
];
const CHANNEL: [Key; 14] = [
    Key::new("id"),
    Key::new("isChat"),
    Key::new("isMissed"),
    Key::new("isTriggered"),
    Key::new("isOffline"),
    Key::new("isCompleted"),
    Key::new("isDropped"),
    Key::new("duration"),
    Key::new("avgResponse"),
    Key::new("firstResponse"),
    Key::new("messagesCount"),
    Key::new("wordsCount"),
    Key::new("rating"),
    Key::new("ratingDesc"),
];
const VISITOR: [Key; 14] = [
    Key::new("id"),
    Key::new("name"),
    Key::new("email"),
    Key::new("note"),
    Key::new("group"),
    Key::new("groupKey"),
    Key::new("ipAddress"),
    Key::new("city"),
    Key::new("countryCode"),
    Key::new("country"),
    Key::new("userAgent"),
    Key::new("platform"),
    Key::new("referer"),
    Key::new("variables"),
];
const PAGE: [Key; 2] = [Key::new("url"), Key::new("title")];
const MESSAGE: [Key; 8] = [
    Key::new("type"),
    Key::new("name"),
    Key::new("from"),
    Key::new("content"),
    Key::new("sentAt"),
    Key::new("triggeredBy"),
    Key::new("attachments"),
    Key::new("data"),
];

/// `PRETTY`: white space between tokens is read (and kept track of for the fingerprint);
/// without it, white space anywhere but inside strings makes the reading fail.
struct Parser<'a, const PRETTY: bool> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// How many runs of white space between tokens were skipped so far: a raw value read
    /// without it growing is compact.
    blanks: usize,
    /// The text read up to `since` without its white space between tokens, once there was
    /// some (its first `kept` bytes; empty while the text is compact): what the fingerprint
    /// hashes.
    compact: Vec<u8>,
    kept: usize,
    /// Where the text after the last run of white space begins.
    since: usize,
}

impl<'a, const PRETTY: bool> Parser<'a, PRETTY> {
    fn new(text: &'a str) -> Self {
        Parser {
            s: text,
            b: text.as_bytes(),
            i: 0,
            blanks: 0,
            compact: Vec::new(),
            kept: 0,
            since: 0,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON white space (the four characters serde_json skips), keeping the text before
    /// it for the fingerprint.
    #[inline]
    fn ws(&mut self) {
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
    fn keep_long(&mut self, from: usize) {
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
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
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
    fn fields<const N: usize>(
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
        loop {
            let index = match keys.get(next) {
                Some(key) if self.at(key) => {
                    self.i += key.len;
                    next
                }
                _ => {
                    let name = self.key()?;
                    keys.iter().position(|k| k.name == name).unwrap_or(N)
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
            field(self, index)?;
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
    fn at(&self, key: &Key) -> bool {
        match self.b[self.i..].first_chunk::<16>() {
            Some(chunk) => u128::from_le_bytes(*chunk) & key.mask == key.pattern,
            None => false,
        }
    }

    /// Reads an array, calling `element` with the parser at each element.
    #[inline]
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
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
    fn key(&mut self) -> Option<&'a str> {
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
    fn string(&mut self) -> Option<Text<'a>> {
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
    fn escaped(&mut self, start: usize, mut at: usize) -> Option<String> {
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

    fn hex4(&self, at: usize) -> Option<u32> {
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
    fn integer(&mut self) -> Option<i64> {
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
    fn int(&mut self, nullable: bool) -> Option<Option<i64>> {
        if nullable && self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.integer().map(Some)
    }

    #[inline]
    fn opt_bool(&mut self) -> Option<Option<bool>> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|_| Some(true)),
            b'f' => self.literal(b"false").map(|_| Some(false)),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }

    #[inline]
    fn opt_text(&mut self) -> Option<Option<Text<'a>>> {
        match self.peek()? {
            b'"' => self.string().map(Some),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }

    /// A string or an integer, kept as text (see [`Scalar`]); floats go to serde_json.
    fn opt_scalar(&mut self) -> Option<Option<Scalar<'a>>> {
        match self.peek()? {
            b'"' => self.string().map(|text| {
                Some(Scalar {
                    text,
                    number: false,
                })
            }),
            b'n' => self.literal(b"null").map(|_| None),
            _ => {
                // The digits as written: the same text as the integer's own (`integer` reads
                // no sign on zero, no leading zero, no fraction or exponent), without a copy.
                let start = self.i;
                self.integer()?;
                Some(Some(Scalar {
                    text: Cow::Borrowed(self.s.get(start..self.i)?),
                    number: true,
                }))
            }
        }
    }

    /// Skips any value, checking it by serde_json's grammar.
    fn skip(&mut self, depth: usize) -> Option<()> {
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
    fn number(&mut self) -> Option<()> {
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

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    fn payload(&mut self) -> Option<Payload<'a>> {
        let (mut account_id, mut begin_at, mut end_at, mut channel) = (None, None, None, None);
        let (mut visitor, mut paths, mut messages) = (None, Vec::new(), None);
        self.fields(&PAYLOAD, |p, key| {
            match key {
                0 => {
                    // accountId
                    account_id = p.int(true)?;
                }
                1 => {
                    // beginAt
                    begin_at = p.int(false)?;
                }
                2 => {
                    // endAt
                    end_at = Some(p.int(true)?);
                }
                3 => {
                    // channel
                    channel = Some(p.channel()?);
                }
                4 => {
                    // visitor
                    visitor = match p.peek()? {
                        b'n' => p.literal(b"null").map(|_| None)?,
                        _ => Some(p.visitor()?),
                    };
                }
                5 => {
                    // paths
                    if p.peek()? == b'n' {
                        p.literal(b"null")?;
                    } else {
                        p.array(|p| {
                            paths.push(p.page()?);
                            Some(())
                        })?;
                    }
                }
                6 => {
                    let mut list = Vec::with_capacity(16);
                    p.array(|p| {
                        list.push(p.message()?);
                        Some(())
                    })?;
                    messages = Some(list);
                }
                // An assembled conversation: rare, and serde_json's to read.
                7 => return None,
                _ => p.skip(1)?,
            }
            Some(())
        })?;
        Some(Payload {
            account_id,
            begin_at: begin_at?,
            end_at: end_at?,
            channel: channel?,
            visitor,
            paths,
            messages: messages?,
            assembled: None,
        })
    }

    fn channel(&mut self) -> Option<Channel<'a>> {
        let mut c = Channel {
            id: None,
            is_chat: None,
            is_missed: None,
            is_triggered: None,
            is_offline: None,
            is_completed: None,
            is_dropped: None,
            duration: None,
            avg_response: None,
            first_response: None,
            messages_count: None,
            words_count: None,
            rating: None,
            rating_desc: None,
        };
        let seen = self.fields(&CHANNEL, |p, key| {
            match key {
                0 => {
                    // id
                    c.id = p.int(true)?;
                }
                1 => {
                    // isChat
                    c.is_chat = p.opt_bool()?;
                }
                2 => {
                    // isMissed
                    c.is_missed = p.opt_bool()?;
                }
                3 => {
                    // isTriggered
                    c.is_triggered = p.opt_bool()?;
                }
                4 => {
                    // isOffline
                    c.is_offline = p.opt_bool()?;
                }
                5 => {
                    // isCompleted
                    c.is_completed = p.opt_bool()?;
                }
                6 => {
                    // isDropped
                    c.is_dropped = p.opt_bool()?;
                }
                7 => {
                    // duration
                    c.duration = p.int(true)?;
                }
                8 => {
                    // avgResponse
                    c.avg_response = p.int(true)?;
                }
                9 => {
                    // firstResponse
                    c.first_response = p.int(true)?;
                }
                10 => {
                    // messagesCount
                    c.messages_count = p.int(true)?;
                }
                11 => {
                    // wordsCount
                    c.words_count = p.int(true)?;
                }
                12 => {
                    // rating
                    c.rating = p.int(true)?;
                }
                13 => {
                    // ratingDesc
                    c.rating_desc = p.opt_text()?;
                }
                _ => p.skip(2)?,
            }
            Some(())
        })?;
        // `id` is required (its null is refused later, with the payload's other nulls).
        (seen & 1 != 0).then_some(c)
    }

    fn visitor(&mut self) -> Option<Visitor<'a>> {
        let mut v = Visitor::default();
        self.fields(&VISITOR, |p, key| {
            match key {
                0 => {
                    // id
                    v.id = p.opt_scalar()?;
                }
                1 => {
                    // name
                    v.name = p.opt_text()?;
                }
                2 => {
                    // email
                    v.email = p.opt_text()?;
                }
                3 => {
                    // note
                    v.note = p.opt_text()?;
                }
                4 => {
                    // group
                    v.group = p.opt_scalar()?;
                }
                5 => {
                    // groupKey
                    v.group_key = p.opt_scalar()?;
                }
                6 => {
                    // ipAddress
                    v.ip_address = p.opt_text()?;
                }
                7 => {
                    // city
                    v.city = p.opt_text()?;
                }
                8 => {
                    // countryCode
                    v.country_code = p.opt_text()?;
                }
                9 => {
                    // country
                    v.country = p.opt_text()?;
                }
                10 => {
                    // userAgent
                    v.user_agent = p.opt_text()?;
                }
                11 => {
                    // platform
                    v.platform = p.opt_text()?;
                }
                12 => {
                    // referer
                    v.referer = p.opt_text()?;
                }
                13 => {
                    // variables
                    v.variables = p.raw(2)?;
                }
                _ => p.skip(2)?,
            }
            Some(())
        })?;
        Some(v)
    }

    /// A value kept as raw JSON text, `null` read as none (as serde's `Option` reads it);
    /// `depth`: the nesting it is at.
    fn raw(&mut self, depth: usize) -> Option<Option<RawJson<'a>>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        let (start, blanks) = (self.i, self.blanks);
        self.skip(depth)?;
        let text = self.s.get(start..self.i)?;
        Some(Some(RawJson::checked(text, self.blanks == blanks)))
    }

    fn page(&mut self) -> Option<Page<'a>> {
        let mut page = Page {
            url: None,
            title: None,
        };
        self.fields(&PAGE, |p, key| {
            match key {
                0 => {
                    // url
                    page.url = p.opt_text()?;
                }
                1 => {
                    // title
                    page.title = p.opt_text()?;
                }
                _ => p.skip(3)?,
            }
            Some(())
        })?;
        Some(page)
    }

    fn message(&mut self) -> Option<Message<'a>> {
        let (mut kind, mut sent_at) = (None, None);
        let (mut name, mut from, mut content, mut triggered_by) = (None, None, None, None);
        let (mut attachments, mut data) = (None, None);
        self.fields(&MESSAGE, |p, key| {
            match key {
                0 => {
                    // type
                    if p.peek()? != b'"' {
                        return None;
                    }
                    kind = Some(p.string()?);
                }
                1 => {
                    // name
                    name = p.opt_text()?;
                }
                2 => {
                    // from
                    from = p.opt_scalar()?;
                }
                3 => {
                    // content
                    content = p.opt_text()?;
                }
                4 => {
                    // sentAt
                    sent_at = Some(p.integer()?);
                }
                5 => {
                    // triggeredBy
                    triggered_by = p.opt_text()?;
                }
                6 => {
                    // attachments
                    attachments = p.raw(3)?.map(|raw| RawText::checked(raw.get()));
                }
                7 => {
                    // data
                    data = p.raw(3)?.map(|raw| RawText::checked(raw.get()));
                }
                _ => p.skip(3)?,
            }
            Some(())
        })?;
        Some(Message {
            kind: kind?,
            name,
            from,
            content,
            sent_at: sent_at?,
            triggered_by,
            attachments,
            data,
        })
    }
}

/// The value of eight ASCII digits read as a little-endian word, `None` unless all eight are
/// digits: three multiplications instead of eight steps (the SWAR method of simdjson's
/// `parse_eight_digits_unrolled`).
fn eight_digits(word: u64) -> Option<u64> {
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
fn special(b: &[u8]) -> Option<usize> {
    crate::simd::json_string_stop(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Option<(String, usize)> {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Payload>();
        let p = stream.next()?.ok()?;
        Some((format!("{p:?}"), stream.byte_offset()))
    }

    fn fast(text: &str) -> Option<(String, usize)> {
        payload(text).map(|(p, n, _)| (format!("{p:?}"), n))
    }

    const OFFICIAL: &str = include_str!("../../sample-data/official-example.json");

    #[test]
    fn eight_digits_read_as_str_parse_does() {
        let word = |text: &[u8; 8]| u64::from_le_bytes(*text);
        assert_eq!(eight_digits(word(b"17356896")), Some(17_356_896));
        assert_eq!(eight_digits(word(b"00000000")), Some(0));
        assert_eq!(eight_digits(word(b"99999999")), Some(99_999_999));
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let text: [u8; 8] =
                std::array::from_fn(|k| b'0' + (state >> (k * 5) & 0x1F) as u8 % 10);
            let expected: u64 = std::str::from_utf8(&text).unwrap().parse().unwrap();
            assert_eq!(eight_digits(word(&text)), Some(expected));
            // Any byte that is not a digit, at any place: not eight digits.
            for at in 0..8 {
                for b in [
                    b'/',
                    b':',
                    b'.',
                    b'-',
                    b'e',
                    b' ',
                    0x30 + 0x80,
                    0x40,
                    0x20,
                    b'"',
                ] {
                    let mut other = text;
                    other[at] = b;
                    assert_eq!(eight_digits(word(&other)), None, "{other:?}");
                }
            }
        }
    }

    #[test]
    fn integers_of_every_length_read_as_serde_does() {
        for len in 1..=20 {
            for first in [b'1', b'9', b'0'] {
                let digits: String = (0..len)
                    .map(|k| {
                        if k == 0 {
                            first as char
                        } else {
                            (b'0' + (k * 7 % 10) as u8) as char
                        }
                    })
                    .collect();
                for text in [
                    digits.clone(),
                    format!("-{digits}"),
                    format!("{digits}.5"),
                    format!("{digits}e2"),
                ] {
                    let json = format!("{text},");
                    let mut parser = Parser::<true>::new(&json);
                    let fast = parser.integer();
                    let serde = serde_json::from_str::<i64>(&text).ok();
                    let readable = len <= 18
                        && !(len > 1 && first == b'0')
                        && text != "-0"
                        && !text.contains(['.', 'e']);
                    assert_eq!(fast, if readable { serde } else { None }, "{text}");
                    if let Some(n) = fast {
                        assert_eq!(n.to_string(), text);
                    }
                }
            }
        }
    }

    #[test]
    fn the_common_payloads_take_the_fast_path_and_read_as_serde_json_does() {
        let texts = [
            OFFICIAL.to_string(),
            // escapes of every kind, surrogate pair, unknown keys of every type, nulls
            r#"{ "beginAt" : 1 , "endAt":2,"x":[1,-2.5e+3,{"a":[true,false,null]},"s\"\\"],
               "channel":{"id":-7,"rating":null,"ratingDesc":"a\u00e9\ud83d\ude00\n\/\b\f\r\t","isChat":false},
               "visitor":{"id":12,"group":"g","variables":{"k":{"label":"L","value":[1,{"x":null}]}}, "zz":0},
               "paths":null,
               "messages":[{"type":"visitor","from":42,"content":"hi","sentAt":0,"email":null},
                           {"type":"agent","from":"agent:1","content":"","sentAt":-5,"triggeredBy":null}]}"#
                .to_string(),
            r#"{"beginAt":1,"endAt":null,"channel":{"id":null},"visitor":null,"paths":[{"url":"u"},{}],"messages":[]}"#
                .to_string(),
            // A key missing where a longer one that starts like it follows.
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1,"wordsCount":3,"ratingDesc":"x"},"visitor":{"note":"n","groupKey":"g"},"messages":[]}"#
                .to_string(),
            // Files and a system line's data, as assembled conversations carry them.
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[
                {"type":"visitor","content":null,"sentAt":1,"id":"m1","attachments":[{"type":"image","url":"https://x/a.png","size":5}]},
                {"type":"system","content":"rating","sentAt":2,"data":{"value":5,"text":"ok"},"attachments":null},
                {"type":"note","from":"agent:3","content":"n","sentAt":2,"data":null}]}"#
                .to_string(),
        ];
        for text in &texts {
            let fast = fast(text);
            assert!(fast.is_some(), "fast path gave up on:\n{text}");
            assert_eq!(fast, serde(text));
        }
    }

    #[test]
    fn white_space_anywhere_between_tokens_is_read_the_second_time() {
        let compact = crate::jsontext::compact_json(OFFICIAL).into_owned();
        assert!(
            read::<false>(&compact).is_some(),
            "a compact text is read at once"
        );
        // Every place next to a bracket, a comma or a colon outside strings.
        let mut places: Vec<usize> = crate::jsontext::outside_strings(compact.as_bytes())
            .filter(|(_, b)| matches!(b, b'{' | b'}' | b'[' | b']' | b',' | b':'))
            .flat_map(|(at, _)| [at, at + 1])
            .collect();
        places.dedup();
        places.retain(|&at| at > 0 && at < compact.len());
        assert!(places.len() > 100);
        for at in places {
            for blank in [" ", "\n", "\r\n\t "] {
                let text = format!("{}{blank}{}", &compact[..at], &compact[at..]);
                assert!(read::<false>(&text).is_none(), "{at}: {text}");
                let read = fast(&text);
                assert_eq!(read.as_ref().map(|r| r.1), Some(text.len()), "{at}: {text}");
                assert_eq!(read, serde(&text), "{at}: {text}");
            }
        }
    }

    #[test]
    fn custom_variables_say_whether_they_are_compact() {
        fn variables(text: &str) -> RawJson<'_> {
            let (p, _, _) = payload(text).unwrap();
            p.visitor.unwrap().variables.unwrap()
        }
        let compact = variables(
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":{"a":{"label":"A b","value":[1,"x y"]}}},"messages":[]}"#,
        );
        assert_eq!(
            compact.known_compact(),
            Some(r#"{"a":{"label":"A b","value":[1,"x y"]}}"#)
        );
        for spaced in [
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":{"a": 1}},"messages":[]}"#,
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":[1 ,2]},"messages":[]}"#,
        ] {
            assert_eq!(variables(spaced).known_compact(), None, "{spaced}");
        }
        // White space around the value is not part of it.
        let around = variables(
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables" :  {"a":1} },"messages":[]}"#,
        );
        assert_eq!(around.known_compact(), Some(r#"{"a":1}"#));
    }

    #[test]
    fn keys_in_any_order_read_the_same() {
        // The key after the last one read is tried first: any other order must read alike.
        fn reversed(v: &serde_json::Value) -> serde_json::Value {
            use serde_json::Value;
            match v {
                Value::Object(map) => Value::Object(
                    map.iter()
                        .rev()
                        .map(|(k, v)| (k.clone(), reversed(v)))
                        .collect(),
                ),
                Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
                other => other.clone(),
            }
        }
        for text in [OFFICIAL, COMPACT] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            for text in [
                serde_json::to_string(&reversed(&value)).unwrap(),
                serde_json::to_string_pretty(&reversed(&value)).unwrap(),
                serde_json::to_string(&value).unwrap(),
            ] {
                let fast = fast(&text);
                assert!(fast.is_some(), "fast path gave up on:\n{text}");
                assert_eq!(fast, serde(&text));
            }
        }
    }

    #[test]
    fn what_it_is_not_sure_of_goes_to_serde_json() {
        let base = |channel: &str, message: &str| {
            format!(
                r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1{channel}}},"messages":[{{"type":"visitor","sentAt":1{message}}}]}}"#
            )
        };
        for (channel, message) in [
            (",\"rating\":-0", ""),
            (",\"rating\":1.0", ""),
            (",\"rating\":1e2", ""),
            (",\"rating\":0123", ""),
            (",\"rating\":9223372036854775807", ""),
            (",\"id\":2", ""),
            (",\"isChat\":1", ""),
            (",\"ratingDesc\":\"\\ud800\"", ""),
            (",\"ratingDesc\":\"\\udc00x\"", ""),
            (",\"ratingDesc\":\"a\tb\"", ""),
            (",\"ratingDesc\":\"\\x\"", ""),
            (",\"rat\\u0069ng\":5", ""),
            ("", ",\"from\":1.5"),
            ("", ",\"from\":true"),
            ("", ",\"type\":null"),
            ("", ",\"x\":[1,]"),
            ("", ",\"x\":01"),
            ("", ",\"x\":1."),
            ("", ",\"x\":-"),
            ("", ",\"x\":nul"),
        ] {
            let text = base(channel, message);
            assert_eq!(fast(&text), None, "{text}");
        }
        let deep = format!(
            r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1}},"messages":[],"x":{}{}}}"#,
            "[".repeat(DEPTH),
            "]".repeat(DEPTH)
        );
        assert_eq!(fast(&deep), None);
        // Custom variables are read by serde_json, which counts their nesting on its own.
        let variables = |levels: usize| {
            format!(
                r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1}},"messages":[],"visitor":{{"variables":{}{}}}}}"#,
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        assert!(fast(&variables(DEPTH - 2)).is_some());
        assert_eq!(fast(&variables(DEPTH - 1)), None);
        assert!(fast(&base("", "")).is_some());
        assert_eq!(
            fast(r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[],"sshook":null}"#),
            None
        );
        assert_eq!(
            fast(r#"{"beginAt":1,"channel":{"id":1},"messages":[]}"#),
            None
        );
        assert_eq!(
            fast(r#"{"beginAt":1,"endAt":2,"channel":{},"messages":[]}"#),
            None
        );
        assert_eq!(
            fast(r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[[]]}"#),
            None
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Random edits of a payload's text: whatever the fast path reads, serde_json reads
        /// the same (the other way round is not required: it may give up).
        #[test]
        fn edited_payloads_read_as_serde_json_reads_them(
            edits in proptest::collection::vec((0usize..10_000, 0usize..3, 0usize..TOKENS.len()), 1..4),
            base in 0usize..2,
        ) {
            let mut text = [OFFICIAL, COMPACT][base].to_string();
            for (at, how, token) in edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = text[at..].char_indices().nth(1).map_or(text.len(), |(i, _)| at + i);
                match how {
                    0 => text.insert_str(at, TOKENS[token]),
                    1 => text.replace_range(at..end, TOKENS[token]),
                    _ => text.replace_range(at..end, ""),
                }
            }
            let fast = fast(&text);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, serde(&text), "{}", text);
            }
        }
    }

    const COMPACT: &str = r#"{"accountId":5,"beginAt":1735689694867,"endAt":1735690023983,"channel":{"id":1000027,"isChat":true,"duration":329,"rating":4,"ratingDesc":"Rychlé"},"visitor":{"id":"v1","name":"Agnieszka","groupKey":7,"variables":{"a":{"label":"A","value":[1,2.5,"x"]}}},"paths":[{"url":"https://x","title":"T"}],"messages":[{"type":"visitor","name":"A","from":"visitor:x","content":"SAML \"bad\" sig","sentAt":1735689710220,"triggeredBy":null},{"type":"system","from":"agent:21","content":"agent.join","sentAt":1735689746963}]}"#;

    const TOKENS: &[&str] = &[
        "\"",
        "\\",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "null",
        "true",
        "-0",
        "0",
        "1.5",
        "1e5",
        "-",
        "01",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\n",
        "\u{1}",
        "é",
        "\"x\":1,",
        "\"id\":2,",
        "\"type\":\"agent\",",
        "\"sentAt\":3,",
        "9999999999999999999",
        "\"variables\":{\"a\":[]},",
        "\"paths\":[],",
        "\"from\":7,",
    ];
}
