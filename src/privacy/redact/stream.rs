//! The fast path of [`Redactor::json`]: a document's JSON text rewritten in two streaming
//! passes over its bytes, with no `serde_json::Value` tree.
//!
//! Why: parsing the tree, walking it, writing it out and reading it again was 83 % of a
//! redacted export's instructions. The reference, [`Redactor::json_reference`], still does
//! exactly that; it is what this path is tested against (byte for byte, over every bundled
//! document, pretty-printed too, generated payloads and hand-written tricky cases: see the
//! tests below), and what it falls back to.
//!
//! The passes:
//! 1. [`Collect`] reads the whole text once, checking it is JSON as serde_json reads it; it
//!    notes each object's message role (its `sub_type`/`type`/`from`, which may come after
//!    the strings they govern: a `name` is held as pending until its object closes) and
//!    gathers the visitor's own values and the agents' names, in the order the reference's
//!    `collect_known` finds them.
//! 2. [`Write`] reads it again and writes what `serde_json::to_string` would write of the
//!    walked tree: no white space, each string copied when it has no escape and is not
//!    changed, else decoded, redacted by the same rules (`field_kind`, `whole`,
//!    `visitor_from`, `text`) and escaped as serde_json escapes; numbers as serde_json
//!    writes them (plain integers copied; anything else through serde_json's own `Number`).
//!    Keys keep their order (serde_json's `preserve_order` is on).
//!
//! It gives up (`None`, and the reference runs) on what it could not write exactly the same:
//! a repeated key in an object (the tree keeps the first place and the last value), a key
//! written with escapes, a lone surrogate escape, nesting deeper than [`DEPTH`], a message
//! `name`/`author_name` that is an object or an array (whether the reference looks inside
//! depends on a role not yet known), and anything that is not JSON.

use std::borrow::Cow;

use super::{field_kind, Field, Kind, Known, Redactor, Role};

/// Deeper nesting is left to the reference (serde_json's limit is 128).
const DEPTH: usize = 100;

/// The redacted text of `raw` exactly as [`Redactor::json_reference`] writes it, or `None`
/// when the reference must make it.
pub(super) fn rewrite(redactor: &Redactor, raw: &str) -> Option<String> {
    let mut collect = Collect::new(raw);
    collect.at.blanks();
    collect.value(None, true)?;
    collect.at.blanks();
    if collect.at.i != raw.len() {
        return None;
    }
    let values = (collect.values.into_iter().flatten())
        .map(|(kind, value)| (kind, Cow::Owned(value)))
        .collect();
    let known = redactor.known(values, &collect.agents);
    let mut write = Write::new(raw, &collect.roles, redactor, &known);
    write.at.blanks();
    write.value(None, true)?;
    Some(write.out)
}

/// A part of a document's text (a value under the key `key`), read by the first pass: what
/// it adds to the document's values (`values`, `agents`, in the order found), and the roles
/// of its objects for [`write_part`]. `None` when only the whole document can be rewritten.
pub(super) fn collect_part(
    text: &str,
    key: &str,
    values: &mut Vec<(Kind, String)>,
    agents: &mut Vec<String>,
) -> Option<Vec<Role>> {
    let mut collect = Collect::new(text);
    collect.value(Some(key), true)?;
    if collect.at.i != text.len() {
        return None;
    }
    values.extend(collect.values.into_iter().flatten());
    agents.append(&mut collect.agents);
    Some(collect.roles)
}

/// The part [`collect_part`] read, redacted as the whole document's rewrite writes it, with
/// the document's `known` values.
pub(super) fn write_part(
    redactor: &Redactor,
    text: &str,
    key: &str,
    roles: &[Role],
    known: &[Known<'_>],
) -> Option<String> {
    let mut write = Write::new(text, roles, redactor, known);
    write.value(Some(key), true)?;
    Some(write.out)
}

/// A number as serde_json reads it.
enum Number<'a> {
    /// An integer of at most 18 digits (not `-0`): serde_json writes it as it is.
    Plain(&'a str),
    /// Anything else (fractions, exponents, big integers, `-0`), read by serde_json.
    Other(serde_json::Number),
}

impl Number<'_> {
    /// As `Number::to_string` (what the reference hashes).
    fn text(&self) -> Cow<'_, str> {
        match self {
            Number::Plain(text) => Cow::Borrowed(text),
            Number::Other(n) => Cow::Owned(n.to_string()),
        }
    }

    /// As serde_json writes it in a `Value`.
    fn json(&self) -> Option<Cow<'_, str>> {
        match self {
            Number::Plain(text) => Some(Cow::Borrowed(text)),
            Number::Other(n) => serde_json::to_string(n).ok().map(Cow::Owned),
        }
    }
}

/// A string literal read: its value, and whether it was written with escapes.
struct Str<'a> {
    value: Cow<'a, str>,
    /// Its text, quotes included.
    raw: &'a str,
}

impl Str<'_> {
    /// Whether serde_json writes it as it was read (no escape in it).
    fn as_read(&self) -> bool {
        matches!(self.value, Cow::Borrowed(_))
    }
}

/// The tokens of a JSON text, read as serde_json reads them (`None` on anything else).
struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
    /// The text was read once already: control characters in strings were looked for.
    checked: bool,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str, checked: bool) -> Scan<'a> {
        Scan {
            text,
            bytes: text.as_bytes(),
            i: 0,
            checked,
        }
    }

    /// Whether `bytes` (part of a string) hold a control character, which JSON forbids there.
    fn control(&self, bytes: &[u8]) -> bool {
        if self.checked {
            return false;
        }
        // Eight bytes at a time: a byte is below 0x20 when its 0x80 bit is clear and so are
        // its 0x60 bits, which adding 0x60 to them (no carry out of the byte) tells.
        const LOW: u64 = 0x6060_6060_6060_6060;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            if !(((x & LOW) + LOW) | x) & HIGH != 0 {
                return true;
            }
        }
        chunks.remainder().iter().any(|&b| b < 0x20)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn blanks(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// After a member or an element: `Some(true)` for a `,` (and the blanks after it),
    /// `Some(false)` for `close`.
    fn next(&mut self, close: u8) -> Option<bool> {
        self.blanks();
        let b = self.peek()?;
        self.i += 1;
        if b == b',' {
            self.blanks();
            Some(true)
        } else if b == close {
            Some(false)
        } else {
            None
        }
    }

    /// After an opening `{` or `[`: whether the container is empty (its `close` eaten).
    fn empty(&mut self, close: u8) -> bool {
        self.i += 1;
        self.blanks();
        if self.peek() == Some(close) {
            self.i += 1;
            return true;
        }
        false
    }

    /// An object's key and the `:` after it; `None` for a key with escapes.
    fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        let Cow::Borrowed(key) = key.value else {
            return None;
        };
        self.blanks();
        (self.peek()? == b':').then_some(())?;
        self.i += 1;
        self.blanks();
        Some(key)
    }

    /// The string literal at `i`.
    fn string(&mut self) -> Option<Str<'a>> {
        let start = self.i;
        if self.peek()? != b'"' {
            return None;
        }
        let from = start + 1;
        let rest = self.bytes.get(from..)?;
        let n = memchr::memchr2(b'"', b'\\', rest)?;
        if self.control(&rest[..n]) {
            return None;
        }
        if rest[n] == b'"' {
            self.i = from + n + 1;
            return Some(Str {
                value: Cow::Borrowed(self.text.get(from..from + n)?),
                raw: self.text.get(start..self.i)?,
            });
        }
        // Escapes: decoded as serde_json decodes them.
        let mut out = String::with_capacity(n + 16);
        let mut at = from;
        loop {
            let rest = self.bytes.get(at..)?;
            let n = memchr::memchr2(b'"', b'\\', rest)?;
            if self.control(&rest[..n]) {
                return None;
            }
            out.push_str(self.text.get(at..at + n)?);
            at += n;
            if rest[n] == b'"' {
                self.i = at + 1;
                return Some(Str {
                    value: Cow::Owned(out),
                    raw: self.text.get(start..self.i)?,
                });
            }
            let escape = *self.bytes.get(at + 1)?;
            at += 2;
            out.push(match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = self.hex4(at)?;
                    at += 4;
                    match high {
                        0xD800..=0xDBFF => {
                            if self.bytes.get(at..at + 2)? != b"\\u" {
                                return None;
                            }
                            let low = self.hex4(at + 2)?;
                            at += 6;
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return None;
                            }
                            let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                            char::from_u32(c)?
                        }
                        0xDC00..=0xDFFF => return None,
                        c => char::from_u32(c)?,
                    }
                }
                _ => return None,
            });
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        Some(value)
    }

    /// The number at `i`.
    fn number(&mut self) -> Option<Number<'a>> {
        let start = self.i;
        let mut at = start;
        if self.bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        let digits = at;
        while self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let count = at - digits;
        let first = *self.bytes.get(digits)?;
        let more = matches!(self.bytes.get(at), Some(b'.' | b'e' | b'E'));
        if count == 0 || (first == b'0' && count > 1) {
            return None;
        }
        if !more && count <= 18 && !(first == b'0' && digits > start) {
            self.i = at;
            return Some(Number::Plain(self.text.get(start..at)?));
        }
        while self
            .bytes
            .get(at)
            .is_some_and(|b| matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E'))
        {
            at += 1;
        }
        let number = serde_json::from_str(self.text.get(start..at)?).ok()?;
        self.i = at;
        Some(Number::Other(number))
    }

    /// `true`, `false` or `null` at `i`.
    fn literal(&mut self) -> Option<&'a str> {
        let word: &'static str = match self.peek()? {
            b't' => "true",
            b'f' => "false",
            b'n' => "null",
            _ => return None,
        };
        let end = self.i + word.len();
        if self.bytes.get(self.i..end)? != word.as_bytes() {
            return None;
        }
        self.i = end;
        Some(word)
    }
}

/// The first pass: roles, the visitor's values and the agents' names (the reference's
/// `Role::of` and `collect_known`).
struct Collect<'a> {
    at: Scan<'a>,
    depth: usize,
    /// The role of each object, in the order they open.
    roles: Vec<Role>,
    /// The visitor's values in the order found; `None` for a name whose object's role made
    /// it none of the visitor's.
    values: Vec<Option<(Kind, String)>>,
    agents: Vec<String>,
    /// The keys of the open objects (repeated keys are left to the reference).
    keys: Vec<&'a str>,
    /// Names of the open objects waiting for their object's role: their place in `values`.
    pending: Vec<(usize, Cow<'a, str>)>,
}

impl<'a> Collect<'a> {
    /// The first pass over `text`, at its start.
    fn new(text: &'a str) -> Self {
        Collect {
            at: Scan::new(text, false),
            depth: 0,
            roles: Vec::new(),
            values: Vec::new(),
            agents: Vec::new(),
            keys: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The value at `i`, under `key`; its values gathered when `collect`.
    fn value(&mut self, key: Option<&'a str>, collect: bool) -> Option<()> {
        match self.at.peek()? {
            b'{' => self.object(key, collect),
            b'[' => {
                self.deeper()?;
                if !self.at.empty(b']') {
                    loop {
                        self.value(key, collect)?;
                        if !self.at.next(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'"' => self.at.string().map(drop),
            b't' | b'f' | b'n' => self.at.literal().map(drop),
            _ => self.at.number().map(drop),
        }
    }

    fn deeper(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= DEPTH).then_some(())
    }

    fn object(&mut self, parent: Option<&'a str>, collect: bool) -> Option<()> {
        self.deeper()?;
        let ordinal = self.roles.len();
        self.roles.push(Role::Other);
        let keys_from = self.keys.len();
        let pending_from = self.pending.len();
        let person = matches!(parent, Some("visitor" | "contact"));
        let (mut sub_type, mut kind, mut from) = (None, None, None);
        if !self.at.empty(b'}') {
            loop {
                let key = self.at.key()?;
                if self.keys[keys_from..].contains(&key) {
                    return None;
                }
                self.keys.push(key);
                // A message's name: whose it is depends on the object's role.
                let by_role = (key == "name" && !person) || key == "author_name";
                if self.at.peek()? == b'"' {
                    let text = self.at.string()?.value;
                    match key {
                        "sub_type" => sub_type = Some(text.clone()),
                        "type" => kind = Some(text.clone()),
                        "from" => from = Some(text.clone()),
                        _ => {}
                    }
                    if collect && by_role {
                        self.pending.push((self.values.len(), text));
                        self.values.push(None);
                    } else if collect {
                        if let Some(Field::Whole(kind)) = field_kind(parent, key, Role::Other) {
                            self.found(kind, &text);
                        }
                    }
                } else {
                    let container = matches!(self.at.peek()?, b'{' | b'[');
                    if by_role && container {
                        return None;
                    }
                    // A whole field that is not a string is not looked into.
                    let whole =
                        matches!(field_kind(parent, key, Role::Other), Some(Field::Whole(_)));
                    self.value(Some(key), collect && !whole)?;
                }
                if !self.at.next(b'}')? {
                    break;
                }
            }
        }
        let role = Role::from_words(sub_type.as_deref(), kind.as_deref(), from.as_deref());
        self.roles[ordinal] = role;
        for (slot, name) in self.pending.drain(pending_from..) {
            match role {
                Role::Visitor => {
                    let text = name.trim();
                    if text.chars().count() >= 3 {
                        self.values[slot] = Some((Kind::Visitor, text.to_string()));
                    }
                }
                Role::Agent => self.agents.push(name.into_owned()),
                Role::Other => {}
            }
        }
        self.keys.truncate(keys_from);
        self.depth -= 1;
        Some(())
    }

    /// A whole field's string: one of the visitor's values (not ids, nor short ones).
    fn found(&mut self, kind: Kind, text: &str) {
        let text = text.trim();
        // Ids and very short values would hit ordinary words and numbers.
        if kind != Kind::Id && text.chars().count() >= 3 {
            self.values.push(Some((kind, text.to_string())));
        }
    }
}

/// The second pass: the text written again, redacted (the reference's `walk`).
struct Write<'a, 'r> {
    at: Scan<'a>,
    roles: &'r [Role],
    /// Objects opened so far: the next one's index in `roles`.
    objects: usize,
    out: String,
    redactor: &'r Redactor,
    known: &'r [Known<'r>],
}

impl<'a, 'r> Write<'a, 'r> {
    /// The second pass over `text`, at its start, with the roles and values the first found.
    fn new(
        text: &'a str,
        roles: &'r [Role],
        redactor: &'r Redactor,
        known: &'r [Known<'r>],
    ) -> Self {
        Write {
            at: Scan::new(text, true),
            roles,
            objects: 0,
            out: String::with_capacity(text.len() + text.len() / 8),
            redactor,
            known,
        }
    }

    /// The value at `i`, under `key`: redacted when `walk`, else written as it is.
    fn value(&mut self, key: Option<&'a str>, walk: bool) -> Option<()> {
        match self.at.peek()? {
            b'{' => self.object(key, walk),
            b'[' => {
                self.out.push('[');
                if !self.at.empty(b']') {
                    loop {
                        self.value(key, walk)?;
                        if !self.at.next(b']')? {
                            break;
                        }
                        self.out.push(',');
                    }
                }
                self.out.push(']');
                Some(())
            }
            b'"' => {
                let s = self.at.string()?;
                if walk {
                    if let Cow::Owned(new) = self.redactor.text(&s.value, self.known) {
                        escaped(&mut self.out, &new);
                        return Some(());
                    }
                }
                self.string(&s);
                Some(())
            }
            b't' | b'f' | b'n' => {
                let word = self.at.literal()?;
                self.out.push_str(word);
                Some(())
            }
            _ => {
                let number = self.at.number()?;
                self.out.push_str(&number.json()?);
                Some(())
            }
        }
    }

    /// A string as read.
    fn string(&mut self, s: &Str) {
        if s.as_read() {
            self.out.push_str(s.raw);
        } else {
            escaped(&mut self.out, &s.value);
        }
    }

    fn object(&mut self, parent: Option<&'a str>, walk: bool) -> Option<()> {
        let role = *self.roles.get(self.objects)?;
        self.objects += 1;
        self.out.push('{');
        if !self.at.empty(b'}') {
            loop {
                let key = self.at.key()?;
                self.out.push('"');
                self.out.push_str(key);
                self.out.push_str("\":");
                if !walk {
                    self.value(Some(key), false)?;
                } else {
                    match field_kind(parent, key, role) {
                        Some(Field::Whole(kind)) => self.whole(kind)?,
                        Some(Field::Agent) if self.redactor.agents => self.whole(Kind::Agent)?,
                        Some(Field::Agent | Field::Keep) => self.value(Some(key), false)?,
                        Some(Field::VisitorFrom) => self.visitor_from()?,
                        None => self.value(Some(key), true)?,
                    }
                }
                if !self.at.next(b'}')? {
                    break;
                }
                self.out.push(',');
            }
        }
        self.out.push('}');
        Some(())
    }

    /// A field that is personal as a whole: a string or number becomes its pseudonym.
    fn whole(&mut self, kind: Kind) -> Option<()> {
        match self.at.peek()? {
            b'"' => {
                let s = self.at.string()?;
                if s.value.trim().is_empty() {
                    self.string(&s);
                } else {
                    escaped(&mut self.out, &self.redactor.pseudonym(kind, &s.value));
                }
                Some(())
            }
            b'{' | b'[' | b't' | b'f' | b'n' => self.value(None, false),
            _ => {
                let number = self.at.number()?;
                escaped(
                    &mut self.out,
                    &self.redactor.pseudonym(kind, &number.text()),
                );
                Some(())
            }
        }
    }

    /// A visitor message's `from`: `visitor:KEY` keeps its prefix, the key is pseudonymised.
    fn visitor_from(&mut self) -> Option<()> {
        let text = match self.at.peek()? {
            b'"' => self.at.string()?.value,
            b'{' | b'[' | b't' | b'f' | b'n' => return self.value(None, false),
            _ => Cow::Owned(self.at.number()?.text().into_owned()),
        };
        let new = match text.split_once(':') {
            Some((prefix, key)) => format!("{prefix}:{}", self.redactor.pseudonym(Kind::Id, key)),
            None => self.redactor.pseudonym(Kind::Id, &text),
        };
        escaped(&mut self.out, &new);
        Some(())
    }
}

/// `text` as a JSON string, escaped as serde_json escapes: `"`, `\` and the control
/// characters, those as `\b \f \n \r \t` or `\u00xx`; everything else as it is.
fn escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = text.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        // The bytes escaped are ASCII: `i` is a character boundary.
        out.push_str(&text[run..i]);
        run = i + 1;
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
    out.push_str(&text[run..]);
    out.push('"');
}

/// The streaming rewrite against its reference, `Redactor::json_reference`: the same text, byte
/// for byte, in every profile.
#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::input::fast_reference::payload_texts;

    fn redactors() -> [Redactor; 2] {
        [Redactor::new(b"k", false), Redactor::new(b"k", true)]
    }

    /// Whether the fast path rewrote `raw`; panics when it wrote other than the reference.
    fn same(raw: &str) -> bool {
        let mut rewritten = false;
        for redactor in redactors() {
            let reference = redactor.json_reference(raw);
            if let Some(fast) = rewrite(&redactor, raw) {
                let reference = reference.unwrap_or_else(|e| {
                    panic!("the reference refuses what the fast path rewrote ({e}):\n{raw}")
                });
                assert_eq!(fast, reference, "agents {}:\n{raw}", redactor.agents);
                rewritten = true;
            }
            // And what `json` gives is always the reference's.
            assert_eq!(
                redactor.json(raw).ok(),
                redactor.json_reference(raw).ok(),
                "{raw}"
            );
        }
        rewritten
    }

    #[test]
    fn the_bundled_documents_are_rewritten_as_the_reference_writes_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut docs = Vec::new();
        payload_texts(&root.join("sample-data"), &mut docs);
        payload_texts(&root.join("tests/fixtures"), &mut docs);
        let events = docs.iter().filter(|(_, t)| t.contains("\"event\"")).count();
        assert!(
            docs.len() >= 100 && events >= 10,
            "{} documents",
            docs.len()
        );
        let mut rewritten = 0;
        for (name, text) in &docs {
            let pretty = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok());
            let once =
                std::panic::catch_unwind(|| same(text)).unwrap_or_else(|_| panic!("in {name}"));
            if once {
                rewritten += 1;
            }
            if let Some(pretty) = pretty {
                same(&pretty);
            }
        }
        // Nearly all: the rest are the documents the fast path gives up on.
        assert!(
            rewritten * 10 >= docs.len() * 9,
            "rewrote {rewritten} of {}",
            docs.len()
        );
    }

    #[test]
    fn control_characters_are_found_eight_bytes_at_a_time() {
        let scan = Scan::new("", false);
        for b in 0..=255u8 {
            for at in 0..16 {
                let mut bytes = [b'a'; 16];
                bytes[at] = b;
                assert_eq!(
                    scan.control(&bytes[..13]),
                    at < 13 && b < 0x20,
                    "{b} at {at}"
                );
            }
        }
    }

    #[test]
    fn tricky_documents() {
        let rewritten = [
            // Escapes of every kind, in keys' values and texts; \/ and \u00e9 come out plain.
            r#"{"visitor":{"name":"Zo\u00eb \"Z\" Nov\u00e1k","email":"zoe\/x@x.cz","city":"Br\tno"},
               "messages":[{"type":"visitor","name":"Zoë \"Z\" Novák","content":"I am Zo\u00eb, zoe/x@x.cz\n\u001f\ud83d\ude00 a\\b"}]}"#,
            // The role after the name; a name inside a longer word stays.
            r#"{"visitor":{"name":"Ann Lee"},"messages":[{"name":"Ann Lee","content":"Ann, Annabel and LEE","from":"visitor:abc","type":"visitor"},
               {"content":"Hi Ann","name":"Ann Lee","type":"agent","from":"agent:1"},
               {"name":"Bob Smith","content":"Bob here","type":"agent","from":"system"}]}"#,
            // Webhook shape: sub_type after author_name.
            r#"{"event":"message","data":{"conversation":{"contact":{"id":"c1","name":"Eva Nová","email":"eva@x.cz"},"location":{"ip":"1.2.3.4","city":"Praha"}},
               "message":{"author_name":"Eva Nová","content":{"text":"Eva Nová z Prahy"},"sub_type":"contact"}}}"#,
            // Numbers as ids and values; fractions, exponents, big and negative numbers.
            r#"{"visitor":{"id":123456,"name":42,"city":1.5e3,"phone":-0,"email":12345678901234567890123},"x":[1.0,1e3,-1.25E-2,0,-7,12345678901234567890,1234567890123456789],
               "messages":[{"type":"visitor","from":77,"name":null},{"type":"visitor","from":1.5,"name":true}]}"#,
            // Missing and null fields, blank names, nested variables and arrays.
            r#"{"visitor":{"name":"  ","email":null,"variables":{"a":{"label":"Phone","value":"+420 777 123 456"},"b":[{"name":"x"},["Ann Lee"]],"c":{}}},"messages":[],"paths":[{}]}"#,
            // White space everywhere.
            "{ \"visitor\" : { \"name\" : \"Jan Novák\" } ,\n\t\"messages\" : [ { \"type\" : \"visitor\" , \"content\" : \"Jan NOVÁK here\" } , { } ] , \"e\" : [ ] , \"o\" : { } }",
            // Names in other cases and scripts; the final sigma.
            r#"{"visitor":{"name":"ΟΔΥΣΣΕΑΣ Ἀθῆναι İlker"},"messages":[{"type":"visitor","content":"ΟΔΥΣΣΕΑΣ, οδυσσεας and ilker and İLKER"}]}"#,
            // An agent with the visitor's given name; `from: system`.
            r#"{"visitor":{"name":"Petr Malý"},"messages":[{"type":"agent","name":"Petr Veliký","content":"Petr and Malý"},{"type":"agent","from":"system","name":"Tom Bot"}]}"#,
            // A whole field holding an object or an array.
            r#"{"visitor":{"email":{"a":"jan@x.cz"},"city":["Brno"]},"contact_name":{"name":"Jan"},"note":"jan@x.cz"}"#,
        ];
        let fallback = [
            // A repeated key: the tree keeps the first place and the last value.
            r#"{"visitor":{"name":"Jan Novák","name":"Eva"},"messages":[{"type":"agent","type":"visitor","content":"Eva"}]}"#,
            // A key with escapes.
            r#"{"visitor":{"n\u0061me":"Jan Novák"}}"#,
            // A lone surrogate: the reference refuses it.
            r#"{"visitor":{"name":"Jan \ud800"}}"#,
            // A message name that is an object, its role not known yet.
            r#"{"messages":[{"name":{"first":"Jan Novák"},"type":"agent"}]}"#,
            // Not JSON.
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":"b"} x"#,
        ];
        for raw in rewritten {
            assert!(same(raw), "not rewritten:\n{raw}");
        }
        for raw in fallback {
            assert!(!same(raw), "rewritten:\n{raw}");
        }
        let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
        assert!(!same(&format!(r#"{{"a":{deep}}}"#)));
    }

    /// Payloads shaped like `bench/gen_corpus.py`'s: visitors, agents, triggers, texts with
    /// names, e-mails, phones and escapes.
    fn payload() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "Jan",
            "jan",
            "NOVÁK",
            "Novák",
            "Zoë",
            "zoe@x.cz",
            "+420 777 123 456",
            "777 123 456",
            "4111 1111 1111 1111",
            "10.0.0.1",
            "fe80::1",
            "Brno",
            "hi",
            "\"",
            "\\",
            "\n",
            "é",
            "Annabel",
            "Eva",
            "12:30",
            "1 299 Kč",
            "ok.",
            "Malá",
            "Lucie",
        ]);
        let text = prop::collection::vec(word, 0..8).prop_map(|w| w.join(" "));
        let name = prop::sample::select(vec!["Jan Novák", "Eva", "Lucie Malá", "Zoë Ann", "", " "]);
        let kind = prop::sample::select(vec!["visitor", "agent", "system", "note"]);
        let from = prop::sample::select(vec!["visitor:abc", "agent:3", "system", ""]);
        let message = (
            kind,
            name.clone(),
            from,
            text.clone(),
            any::<bool>(),
            0u8..3,
        );
        let messages = prop::collection::vec(message, 0..6);
        (name, text.clone(), text, messages, any::<bool>()).prop_map(
            |(visitor, note, variable, messages, pretty)| {
                let messages: Vec<serde_json::Value> = messages
                    .into_iter()
                    .map(|(kind, name, from, content, late, number)| {
                        let mut m = serde_json::Map::new();
                        if !late {
                            m.insert("type".into(), kind.into());
                        }
                        m.insert("name".into(), name.into());
                        m.insert("from".into(), from.into());
                        m.insert("content".into(), content.into());
                        m.insert(
                            "sentAt".into(),
                            match number {
                                0 => 1_735_689_694_867i64.into(),
                                1 => serde_json::json!(1.5),
                                _ => serde_json::Value::Null,
                            },
                        );
                        if late {
                            m.insert("type".into(), kind.into());
                        }
                        serde_json::Value::Object(m)
                    })
                    .collect();
                let doc = serde_json::json!({
                    "beginAt": 1_735_689_694_867i64,
                    "visitor": {"id": 510_689, "name": visitor, "email": "zoe@x.cz", "note": note,
                        "ipAddress": "10.0.0.1", "city": "Brno",
                        "variables": {"v": {"label": "Note", "value": variable}}},
                    "messages": messages,
                });
                let text = if pretty {
                    serde_json::to_string_pretty(&doc)
                } else {
                    serde_json::to_string(&doc)
                };
                // Escapes serde_json does not write: \/ and \u00XX.
                text.unwrap_or_default()
                    .replace("zoe@x.cz", "zoe\\/x@x.cz")
                    .replace('é', "\\u00e9")
            },
        )
    }

    proptest! {
        #[test]
        fn generated_payloads_are_rewritten_as_the_reference_writes_them(raw in payload()) {
            prop_assert!(same(&raw), "not rewritten:\n{}", raw);
        }
    }
}
