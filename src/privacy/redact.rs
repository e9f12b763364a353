//! `--redact`: personal data replaced by pseudonyms, as one transform of a document's JSON
//! applied before a command renders it (see [`Redactor::document`]).
//!
//! A pseudonym is `KIND-` and 12 hex digits of HMAC-SHA256(key, kind and value): the same value
//! is the same pseudonym within a run (a random key) or across runs (`--redact-key`), and
//! nobody can find the value again by hashing guesses without the key. Pseudonyms look like
//! nothing real (`visitor-7f3a9c01d2e4`, `email-…`, `ip-…`), never like an address.
//!
//! Word counts are kept: a value spanning several words (a phone number `+420 777 123 456`, a
//! name) becomes its pseudonym followed by one `#` per further word, so that every figure of
//! `stats` is the same with and without `--redact`.

use std::borrow::Cow;
use std::sync::LazyLock;

use hmac::{Hmac, Mac};
use regex::Regex;
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::model::document::{Document, EventDoc, Fingerprint, Text};
use crate::model::webhook::Event;

mod stream;
mod typed;

/// What `--redact-help` prints (`docs/privacy.md#redacting` lists the same).
pub const HELP: &str = "\
sshook --redact replaces personal data by pseudonyms KIND-XXXXXXXXXXXX (12 hex digits of
HMAC-SHA256 with a random key, or with --redact-key KEY / SSHOOK_REDACT_KEY to be the same
across runs). The same value gives the same pseudonym, so you can still count per visitor.

Fields (POST-hook payloads and webhook events):
  visitor.name, contact.name, contact_name, a visitor's message name,
  a contact's message author_name                                 visitor-…
  visitor.email, contact.email, contact_email                       email-…
  visitor.ipAddress, location_ip, location.ip                       ip-…
  visitor.city, location_city, location.city                        city-…
  visitor.id, visitor_id, contact.id, contact_id, a visitor's from  id-…
  contact.phone                                                     phone-…
  agent names (message name, author_name)  only with --redact-agents agent-…

Patterns, in every other string (messages, notes, variables, pages, …):
  e-mail addresses                                                  email-…
  IBANs with a valid checksum (spaces allowed)                      iban-…
  card numbers of 13-19 digits that pass the Luhn check             card-…
  IPv6 and IPv4 addresses                                           ip-…
  phone numbers: + and 8-15 digits, or 9-15 digits in groups
  separated by spaces, dashes, dots or brackets                     phone-…
  and the visitor's own name, e-mail, IP address and city wherever they appear,
  and the visitor's given and family names on their own, as whole words in any case
  (Hi Emily), unless an agent has the same name (with --redact-agents those go too).

Not redacted: order numbers and other bare digit runs, prices, dates, times, ids of agents,
conversations and accounts, country codes. A value of several words becomes its pseudonym and
one # per further word, so word counts and every figure of stats stay the same.
";

/// The pseudonym maker and the rules: one per run.
#[derive(Clone)]
pub struct Redactor {
    mac: Hmac<Sha256>,
    agents: bool,
}

/// At most this many texts' pattern spans are remembered per thread; the memo is emptied
/// past it.
const MEMO_LIMIT: usize = 4096;

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("agents", &self.agents)
            .finish_non_exhaustive()
    }
}

/// What a pseudonym stands for: its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Visitor,
    Email,
    Phone,
    Ip,
    City,
    Id,
    Card,
    Iban,
    Agent,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Visitor => "visitor",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Ip => "ip",
            Kind::City => "city",
            Kind::Id => "id",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Agent => "agent",
        }
    }

    /// The form of a value that is hashed: the same e-mail in other case, the same phone or
    /// card with other separators, give the same pseudonym.
    fn normal(self, value: &str) -> Cow<'_, str> {
        let value = value.trim();
        match self {
            Kind::Email | Kind::Ip
                if value.is_ascii() && !value.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                Cow::Borrowed(value)
            }
            Kind::Email | Kind::Ip => Cow::Owned(value.to_lowercase()),
            Kind::Phone | Kind::Card => {
                Cow::Owned(value.chars().filter(|c| c.is_ascii_digit()).collect())
            }
            Kind::Iban => Cow::Owned(
                value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_uppercase(),
            ),
            _ => Cow::Borrowed(value),
        }
    }
}

/// 256 bits from the standard library's randomly seeded hasher keys (no extra crate).
fn random_key() -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    let mut key = Vec::with_capacity(32);
    for i in 0..4u64 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(i);
        key.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    key
}

impl Redactor {
    /// A redactor with a random key: pseudonyms are stable within one run only.
    pub fn with_random_key(agents: bool) -> Redactor {
        Redactor::new(&random_key(), agents)
    }

    pub fn new(key: &[u8], agents: bool) -> Redactor {
        // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
        let mac = match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => unreachable_key(),
        };
        Redactor { mac, agents }
    }

    /// The pseudonym of `value` as a `kind`: `email-3f9a0c12b4de`. Made each time: with the
    /// CPU's SHA instructions an HMAC of a short value costs less than looking it up in a
    /// per-thread memo did (a redacted export was 8 % faster without it; callgrind, whose
    /// SHA-256 is software, says otherwise).
    pub fn pseudonym(&self, kind: Kind, value: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(kind.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(kind.normal(value).as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(kind.as_str().len() + 13);
        out.push_str(kind.as_str());
        out.push('-');
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for byte in &digest[..6] {
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
        out
    }

    /// `value`'s pseudonym, with one `#` per further whitespace-separated word of `value`.
    fn replacement(&self, kind: Kind, value: &str) -> String {
        let mut out = self.pseudonym(kind, value);
        for _ in 1..value.split_whitespace().count() {
            out.push_str(" #");
        }
        out
    }

    /// A free text with every personal pattern, and every `known` value, replaced.
    pub fn text<'t>(&self, text: &'t str, known: &[Known<'_>]) -> Cow<'t, str> {
        let spans = find_spans(text, known);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, kind, lower) in spans {
            out.push_str(&text[at..start]);
            match lower {
                // A single name: the same pseudonym in any case.
                true => out.push_str(&self.pseudonym(kind, &text[start..end].to_lowercase())),
                false => out.push_str(&self.replacement(kind, &text[start..end])),
            }
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// The redacted JSON text of one document (a POST-hook payload or a webhook event):
    /// rewritten in one streaming pass over its text ([`stream`]), or, for the rare document
    /// that pass gives up on, by [`Redactor::json_reference`]. Both give the same text.
    pub fn json(&self, raw: &str) -> serde_json::Result<String> {
        match stream::rewrite(self, raw) {
            Some(json) => Ok(json),
            None => self.json_reference(raw),
        }
    }

    /// The reference of [`Redactor::json`]: the document parsed into a `serde_json::Value`,
    /// walked and written again. Four times slower than the streaming pass, which the tests
    /// hold to it, byte for byte; still used for what that pass gives up on.
    #[doc(hidden)]
    pub fn json_reference(&self, raw: &str) -> serde_json::Result<String> {
        let mut value: Value = serde_json::from_str(raw)?;
        let mut values = Vec::new();
        let mut agents = Vec::new();
        collect_known(&value, None, &mut values, &mut agents);
        let values = values
            .into_iter()
            .map(|(k, v)| (k, Cow::Owned(v)))
            .collect();
        let known = self.known(values, &agents);
        self.walk(&mut value, None, &known);
        serde_json::to_string(&value)
    }

    /// The values looked for in a document's texts, from the visitor's own `values` and the
    /// agents' names, both in the order they were found.
    fn known<'v>(
        &self,
        mut values: Vec<(Kind, Cow<'v, str>)>,
        agents: &[String],
    ) -> Vec<Known<'v>> {
        // Longest first, so that a full name wins over a part of it.
        values.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        values.dedup();
        // The visitor's given and family names on their own ("Hi Emily"), after the whole
        // values; an agent's names stay (unless --redact-agents, when they go too).
        let mut words: Vec<(Kind, String)> = Vec::new();
        for (kind, name) in values.iter().filter(|(k, _)| *k == Kind::Visitor) {
            for word in name_words(name) {
                if self.agents || !agents.iter().any(|a| is_name_word_of(&word, a)) {
                    words.push((*kind, word));
                }
            }
        }
        if self.agents {
            // Each agent once (their words are sorted and deduplicated below anyway).
            let mut agents: Vec<&str> = agents.iter().map(String::as_str).collect();
            agents.sort_unstable();
            agents.dedup();
            let agent_words = agents.iter().flat_map(|a| name_words(a));
            words.extend(agent_words.map(|w| (Kind::Agent, w)));
        }
        words.sort_by(|a, b| a.1.cmp(&b.1));
        words.dedup_by(|a, b| a.1 == b.1);
        (values.into_iter())
            .map(|(kind, value)| Known::exact(kind, value))
            .chain(
                words
                    .into_iter()
                    .map(|(kind, word)| Known::word(kind, Cow::Owned(word))),
            )
            .collect()
    }

    /// Runs `work` on the redacted form of `doc`: its payload redacted as it is when it can
    /// be ([`typed`]), the text rewritten only if `work` asks for it; else the text rewritten
    /// and read again ([`Redactor::document_rewritten`]). Both give the same document.
    pub fn document<R>(&self, doc: &Document, work: &dyn Fn(&Document) -> R) -> R {
        let Some(prepared) = typed::prepare(self, doc) else {
            return self.document_rewritten(doc, work);
        };
        let Some(parts) = prepared.parts(self) else {
            return self.document_rewritten(doc, work);
        };
        let made = prepared.made(self, &doc.payload);
        let payload = prepared.payload(self, &doc.payload, &parts, &made);
        // Never the unredacted text: `{}` in the case that cannot happen (a document the fast
        // reader read is JSON that serde_json reads).
        let make = || self.json(doc.raw()).unwrap_or_else(|_| String::from("{}"));
        work(&Document {
            origin: doc.origin.clone(),
            index: doc.index,
            text: Text::made(&make, doc.raw().len()),
            // Both rewrites write compact text.
            print: Fingerprint::Compact,
            payload: Box::new(payload),
            covered: false,
        })
    }

    /// [`Redactor::document`] by rewriting `doc`'s text and reading it again.
    #[doc(hidden)]
    pub fn document_rewritten<R>(&self, doc: &Document, work: &dyn Fn(&Document) -> R) -> R {
        let Ok(json) = self.json(doc.raw()) else {
            return work(&self.blank(doc));
        };
        // Read as the reader reads a payload (its fast path, else serde_json): the same
        // payload serde_json would make, in a fifth of the time.
        match crate::input::payload_of(&json) {
            Ok((payload, print, _)) => work(&Document {
                origin: doc.origin.clone(),
                index: doc.index,
                text: Text::read(&json),
                print,
                payload,
                covered: false,
            }),
            // Cannot happen (strings stay strings); never hand on the unredacted text.
            Err(_) => work(&self.blank(doc)),
        }
    }

    /// Runs `work` on the redacted form of a webhook event.
    pub fn event<R>(&self, doc: &EventDoc, work: &dyn Fn(&EventDoc) -> R) -> R {
        let json = self.json(doc.raw).unwrap_or_else(|_| String::from("{}"));
        match serde_json::from_str::<Event>(&json) {
            Ok(event) => work(&EventDoc {
                origin: doc.origin.clone(),
                index: doc.index,
                raw: &json,
                print: Fingerprint::Unknown,
                event: Box::new(event),
                shape: Vec::new(),
            }),
            // Cannot happen (strings stay strings); never hand on the unredacted text.
            Err(_) => {
                let mut event = doc.event.clone();
                event.data = Default::default();
                work(&EventDoc {
                    origin: doc.origin.clone(),
                    index: doc.index,
                    raw: "{}",
                    print: Fingerprint::Compact,
                    event,
                    shape: Vec::new(),
                })
            }
        }
    }

    /// A document with no personal data left, for the case that cannot happen (redacted JSON
    /// that no longer reads): the times and counts, no visitor, no texts.
    fn blank<'d>(&self, doc: &Document<'d>) -> Document<'d> {
        let mut payload = doc.payload.clone();
        payload.visitor = None;
        for m in &mut payload.messages {
            m.content = None;
            m.name = None;
        }
        Document {
            origin: doc.origin.clone(),
            index: doc.index,
            text: Text::read("{}"),
            print: crate::model::document::Fingerprint::Unknown,
            payload,
            covered: false,
        }
    }

    /// Replaces the personal values under `value`; `key` is the key it sits under.
    fn walk(&self, value: &mut Value, key: Option<&str>, known: &[Known<'_>]) {
        match value {
            Value::Object(map) => {
                let role = Role::of(map);
                let parent = key;
                for (k, v) in map.iter_mut() {
                    match field_kind(parent, k, role) {
                        Some(Field::Whole(kind)) => self.whole(v, kind),
                        Some(Field::Agent) if self.agents => self.whole(v, Kind::Agent),
                        Some(Field::Agent) => {}
                        Some(Field::VisitorFrom) => self.visitor_from(v),
                        Some(Field::Keep) => {}
                        None => self.walk(v, Some(k), known),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, key, known);
                }
            }
            Value::String(s) => {
                if let Cow::Owned(new) = self.text(s, known) {
                    *s = new;
                }
            }
            _ => {}
        }
    }

    /// A field that is personal as a whole: a string or number becomes its pseudonym.
    fn whole(&self, value: &mut Value, kind: Kind) {
        let text = match value {
            Value::String(s) if !s.trim().is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return,
        };
        *value = Value::String(self.pseudonym(kind, &text));
    }

    /// A visitor message's `from`: `visitor:KEY` keeps its prefix, the key is pseudonymised.
    fn visitor_from(&self, value: &mut Value) {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return,
        };
        let new = match text.split_once(':') {
            Some((prefix, key)) => format!("{prefix}:{}", self.pseudonym(Kind::Id, key)),
            None => self.pseudonym(Kind::Id, &text),
        };
        *value = Value::String(new);
    }
}

#[cold]
fn unreachable_key() -> ! {
    // Hmac::new_from_slice only fails for fixed-size keys, which HMAC-SHA256 has not.
    std::process::abort()
}

/// A value of the visitor's own, looked for in every text of the same document: borrowed
/// from the document where it can be (most values are a field's text as it is).
pub struct Known<'v> {
    kind: Kind,
    value: Cow<'v, str>,
    /// A single name (a given or family name on its own): found as a whole word in any case,
    /// `value` in lower case.
    word: bool,
    /// `value` is ASCII.
    ascii: bool,
    /// A single name's longest run of ASCII characters (the first of the longest) and the
    /// place in that run of its rarest letter: what a text must hold for the name to be in it
    /// (see `holds_ignoring_case`).
    run: std::ops::Range<usize>,
    rare: usize,
    /// What a text must hold to hold the value ([`Seen::may_hold`]): the signature of an
    /// exact value, of a single name's ASCII bytes.
    need: Signature,
}

impl<'v> Known<'v> {
    fn exact(kind: Kind, value: Cow<'v, str>) -> Known<'v> {
        Known {
            kind,
            word: false,
            ascii: value.is_ascii(),
            run: 0..0,
            rare: 0,
            need: Signature::of(value.as_bytes()),
            value,
        }
    }

    fn word(kind: Kind, lower: Cow<'v, str>) -> Known<'v> {
        let (mut run, mut at) = (0..0, 0);
        for part in lower.split(|c: char| !c.is_ascii()) {
            if part.len() > run.len() {
                run = at..at + part.len();
            }
            at += part.len()
                + lower[at + part.len()..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
        }
        // Letters from the rarest in European names and texts to the most common.
        const RARE: &[u8] = b"qxzjkvwyfbgphcmudlsrtoniae";
        let rank = |b: u8| RARE.iter().position(|&r| r == b).unwrap_or(0);
        let rare = (lower.as_bytes()[run.clone()].iter())
            .enumerate()
            .min_by_key(|&(_, &b)| rank(b))
            .map_or(0, |(i, _)| i);
        // The signature of its ASCII bytes: a name's other bytes may be in another case.
        let need = lower
            .bytes()
            .filter(u8::is_ascii)
            .fold(0, |sign, b| sign | SIGNS[usize::from(b)]);
        Known {
            kind,
            need: Signature(need),
            ascii: lower.is_ascii(),
            value: lower,
            word: true,
            run,
            rare,
        }
    }

    /// The longest run of ASCII characters of a single name (the first of the longest).
    fn ascii_run(&self) -> &str {
        &self.value[self.run.clone()]
    }
}

/// Where `needle` is in `hay`, each place after the end of the one before, as memchr's
/// `memmem::find_iter` finds them (its tests' reference): by the needle's first byte
/// (`memchr`), compared there. A document's values are looked for in a few short texts each
/// (22 bytes on average): building a `memmem` searcher for each value of each document cost
/// more than the searches. The empty needle is nowhere.
fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let (&first, _) = needle.split_first()?;
        let last = hay.len().checked_sub(needle.len())?;
        while from <= last {
            let at = from + memchr::memchr(first, &hay[from..=last])?;
            if hay[at..at + needle.len()] == *needle {
                from = at + needle.len();
                return Some(at);
            }
            from = at + 1;
        }
        None
    })
}

/// What a text's bytes tell of it, as 64 bits: each byte sets the bits [`SIGNS`] gives it.
/// A text holds a value only if the value's signature is within the text's (each byte of the
/// value is in the text, so each of its bits is), and a single name only if its letters are,
/// in either case: letters set one bit for both cases.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Signature(u64);

/// The bits of [`Signature`]: letters (either case) 0-25, digits 26-35, then these.
const AT: u64 = 1 << 36;
const COLON: u64 = 1 << 37;
const DOT: u64 = 1 << 38;
const CAPITAL: u64 = 1 << 39;
const BYTE_C4: u64 = 1 << 40;
const BYTE_B0: u64 = 1 << 41;
const BYTE_E2: u64 = 1 << 42;
const NOT_ASCII: u64 = 1 << 43;
const DIGIT: u64 = ((1 << 10) - 1) << 26;

/// The bits each byte sets. Any other byte sets one of bits 48-63 (by its value), so that
/// a value's other bytes still count. `İ` (0xC4 0xB0) also sets `i`'s bit and the Kelvin
/// sign (0xE2 0x84 0xAA) `k`'s: the only characters besides ASCII whose lower case holds an
/// ASCII letter (tested), so that a name is found in their lower case too.
const SIGNS: [u64; 256] = {
    let mut signs = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        signs[b] = match byte {
            b'a'..=b'z' => 1 << (byte - b'a'),
            b'A'..=b'Z' => 1 << (byte - b'A') | CAPITAL,
            b'0'..=b'9' => 1 << (26 + byte - b'0'),
            b'@' => AT,
            b':' => COLON,
            b'.' => DOT,
            0xC4 => BYTE_C4 | NOT_ASCII | 1 << (b'i' - b'a'),
            0xB0 => BYTE_B0 | NOT_ASCII,
            0xE2 => BYTE_E2 | NOT_ASCII | 1 << (b'k' - b'a'),
            0x80..=0xFF => NOT_ASCII | 1 << (48 + (byte & 15)),
            _ => 1 << (48 + (byte & 15)),
        };
        b += 1;
    }
    signs
};

impl Signature {
    /// The signature of `bytes`, four bytes at a time into separate registers (a loop-carried
    /// OR per byte would wait on the one before).
    fn of(bytes: &[u8]) -> Signature {
        let mut parts = [0u64; 4];
        let mut chunks = bytes.chunks_exact(4);
        for chunk in &mut chunks {
            for (part, &b) in parts.iter_mut().zip(chunk) {
                *part |= SIGNS[usize::from(b)];
            }
        }
        let mut sign = parts[0] | parts[1] | parts[2] | parts[3];
        for &b in chunks.remainder() {
            sign |= SIGNS[usize::from(b)];
        }
        Signature(sign)
    }

    fn has(&self, bits: u64) -> bool {
        self.0 & bits != 0
    }

    /// Whether every bit of `other` is in this signature.
    fn holds(&self, other: Signature) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Which bytes a text holds: what tells at once that a value, a name or a pattern cannot be
/// in it (most texts hold none of them).
struct Seen(Signature);

impl Seen {
    fn of(text: &str) -> Seen {
        Seen(Signature::of(text.as_bytes()))
    }

    fn has(&self, bits: u64) -> bool {
        self.0.has(bits)
    }

    fn is_ascii(&self) -> bool {
        !self.has(NOT_ASCII)
    }

    /// Whether a text with these bytes may hold `known`: the signature of an exact value, or
    /// of a single name's ASCII bytes (in lower case; letters count in either case, and `i`
    /// and `k` for a byte of `İ` and `K`).
    fn may_hold(&self, known: &Known<'_>) -> bool {
        self.0.holds(known.need)
    }

    /// Whether a text may hold `known`, byte by byte: the tests' reference, which
    /// [`Seen::may_hold`] never contradicts when it says yes.
    #[cfg(test)]
    fn may_hold_reference(text: &str, known: &Known<'_>) -> bool {
        let has = |b: u8| text.as_bytes().contains(&b);
        if !known.word {
            return known.value.bytes().all(has);
        }
        known.value.bytes().filter(u8::is_ascii).all(|c| {
            has(c)
                || has(c.to_ascii_uppercase())
                || (c == b'i' && has(0xC4))
                || (c == b'k' && has(0xE2))
        })
    }
}

/// Particles that are part of names but ordinary words on their own.
const PARTICLES: [&str; 14] = [
    "van", "von", "der", "den", "del", "della", "las", "los", "dos", "das", "bin", "ibn", "ben",
    "the",
];

/// The single names of a person's name that are looked for on their own: each word of three
/// letters or more, in lower case, but particles.
fn name_words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| w.chars().count() >= 3 && !PARTICLES.contains(&w.as_str()))
}

/// Whether `word` (a name word: lower case, three letters or more, no particle) is one of
/// `name`'s [`name_words`], compared without making them: a word of `name` whose lower case
/// is `word` has as many letters and is no particle either.
fn is_name_word_of(word: &str, name: &str) -> bool {
    (name.split(|c: char| c.is_whitespace() || c == ','))
        .any(|w| lower_is(w.trim_matches(|c: char| !c.is_alphanumeric()), word))
}

/// Who wrote a message object, from its `type`/`sub_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Visitor,
    Agent,
    Other,
}

impl Role {
    fn of(map: &Map<String, Value>) -> Role {
        let word = |k: &str| map.get(k).and_then(Value::as_str);
        Role::from_words(word("sub_type"), word("type"), word("from"))
    }

    /// The role of an object whose `sub_type`, `type` and `from` are these strings.
    fn from_words(sub_type: Option<&str>, kind: Option<&str>, from: Option<&str>) -> Role {
        // A webhook message says `sub_type`; a POST-hook message `type` (+ `from: system` for
        // triggers).
        match (sub_type, kind, from) {
            (Some("contact"), _, _) => Role::Visitor,
            (Some("agent"), _, _) => Role::Agent,
            (Some(_), _, _) => Role::Other,
            (None, Some("visitor"), _) => Role::Visitor,
            (None, Some("agent"), Some("system")) => Role::Other,
            (None, Some("agent"), _) => Role::Agent,
            _ => Role::Other,
        }
    }
}

enum Field {
    Whole(Kind),
    Agent,
    VisitorFrom,
    /// Left as it is: times, and texts that are codes.
    Keep,
}

/// The rule for field `key` of an object under `parent` whose message role is `role`.
fn field_kind(parent: Option<&str>, key: &str, role: Role) -> Option<Field> {
    let person = matches!(parent, Some("visitor" | "contact"));
    Some(match key {
        "name" if person => Field::Whole(Kind::Visitor),
        "email" if person => Field::Whole(Kind::Email),
        "id" if person => Field::Whole(Kind::Id),
        "phone" if person => Field::Whole(Kind::Phone),
        "ipAddress" if person => Field::Whole(Kind::Ip),
        "city" if person => Field::Whole(Kind::City),
        // A webhook conversation's nested `location: {ip, code, country, city}`.
        "ip" if parent == Some("location") => Field::Whole(Kind::Ip),
        "city" if parent == Some("location") => Field::Whole(Kind::City),
        "contact_name" => Field::Whole(Kind::Visitor),
        "contact_email" => Field::Whole(Kind::Email),
        "contact_id" | "visitor_id" => Field::Whole(Kind::Id),
        "location_ip" => Field::Whole(Kind::Ip),
        "location_city" => Field::Whole(Kind::City),
        "name" | "author_name" if role == Role::Visitor => Field::Whole(Kind::Visitor),
        "name" | "author_name" if role == Role::Agent => Field::Agent,
        "from" if role == Role::Visitor => Field::VisitorFrom,
        // Times and the envelope are never personal; a pattern must not touch them.
        "timestamp" | "event" | "type" | "sub_type" | "status" | "close_type" => Field::Keep,
        k if k.ends_with("At") || k.ends_with("_at") => Field::Keep,
        _ => return None,
    })
}

/// The visitor's own values, to be replaced wherever they appear in the document's texts.
/// Also gathers the agents' names (`agents`), whose single names stay in texts.
fn collect_known(
    value: &Value,
    key: Option<&str>,
    known: &mut Vec<(Kind, String)>,
    agents: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            let role = Role::of(map);
            for (k, v) in map {
                match (field_kind(key, k, role), v.as_str()) {
                    (Some(Field::Whole(kind)), Some(text)) => {
                        let text = text.trim();
                        // Ids and very short values would hit ordinary words and numbers.
                        if kind != Kind::Id && text.chars().count() >= 3 {
                            known.push((kind, text.to_string()));
                        }
                    }
                    (Some(Field::Whole(_)), None) => {}
                    (Some(Field::Agent), Some(name)) => agents.push(name.to_string()),
                    _ => collect_known(v, Some(k), known, agents),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_known(item, key, known, agents);
            }
        }
        _ => {}
    }
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex_or_never(
        r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}",
    )
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    regex_or_never(r"(?-u:\b)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?-u:\b)")
});
static CARD: LazyLock<Regex> =
    LazyLock::new(|| regex_or_never(r"(?-u:\b)[0-9](?:[ \-]?[0-9]){12,18}(?-u:\b)"));
static IPV6: LazyLock<Regex> =
    LazyLock::new(|| regex_or_never(r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[0-9a-z]+)?"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    regex_or_never(
        r"(?-u:\b)(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?-u:\b)",
    )
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| regex_or_never(r"(?:\+|00)?\(?[0-9]{1,4}\)?(?:[ .\-]?\(?[0-9]{1,5}\)?){1,6}"));
static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    regex_or_never(
        r"^(?:[0-9]{4}[\-./][0-9]{1,2}[\-./][0-9]{1,2}|[0-9]{1,2}[\-./][0-9]{1,2}[\-./][0-9]{2,4})$",
    )
});

/// The patterns are constants, tested; a regex that does not compile matches nothing.
fn regex_or_never(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| {
        debug_assert!(false, "bad pattern {pattern}");
        #[allow(clippy::trivial_regex)]
        Regex::new(r"[^\s\S]").unwrap_or_else(|_| std::process::abort())
    })
}

/// The personal spans of `text`, in order, not overlapping: earlier rules win. The flag says
/// the span is a single name, pseudonymised in lower case.
fn find_spans(text: &str, known: &[Known<'_>]) -> Vec<(usize, usize, Kind, bool)> {
    find_spans_gated(text, known, true)
}

/// [`find_spans`], skipping what the bytes of `text` tell cannot be in it (`gates`), or
/// not (the tests' reference: the gates only skip what cannot be found).
fn find_spans_gated(
    text: &str,
    known: &[Known<'_>],
    gates: bool,
) -> Vec<(usize, usize, Kind, bool)> {
    let seen = gates.then(|| Seen::of(text));
    let may_hold = |k: &Known<'_>| seen.as_ref().is_none_or(|seen| seen.may_hold(k));
    let mut spans: Vec<(usize, usize, Kind, bool)> = Vec::new();
    let mut add_span = |start: usize, end: usize, kind: Kind, word: bool| {
        if !spans.iter().any(|&(s, e, _, _)| start < e && s < end) {
            spans.push((start, end, kind, word));
        }
    };
    let mut add = |start: usize, end: usize, kind: Kind| add_span(start, end, kind, false);
    for known in known.iter().filter(|k| !k.word) {
        if text.len() < known.value.len() || !may_hold(known) {
            continue;
        }
        for at in occurrences(text.as_bytes(), known.value.as_bytes()) {
            let (start, end) = (at, at + known.value.len());
            if word_bounded(text, start, end) {
                add(start, end, known.kind);
            }
        }
    }
    let found = match &seen {
        Some(seen) => patterns(text, seen),
        None => patterns_gated(text, false),
    };
    for (start, end, kind) in found {
        add(start, end, kind);
    }
    // Single names last: an e-mail address or a whole name that holds one is replaced whole.
    // Not collected: this runs for every string of a document.
    // With the gates, only the names the text may hold, and each word's cheap checks first:
    // its length (an ASCII word's lower case is as long), its first letter in lower case.
    // In an ASCII text, a name must be there as it is in any case (its words' lower case is
    // ASCII and as long).
    let ascii = seen
        .as_ref()
        .map_or_else(|| text.is_ascii(), Seen::is_ascii);
    // Without İ and K in the text, a word's ASCII letters in lower case are its own ASCII
    // letters in any case, in the same runs: the name's longest ASCII run is in the text.
    let odd_letters = seen
        .as_ref()
        .is_none_or(|seen| (seen.has(BYTE_C4) && seen.has(BYTE_B0)) || seen.has(BYTE_E2));
    let may_be = |k: &&Known<'_>| {
        k.word
            && may_hold(k)
            && (!gates
                || match ascii {
                    true => k.ascii && holds_ignoring_case(text, k.ascii_run(), k.rare),
                    false => odd_letters || holds_ignoring_case(text, k.ascii_run(), k.rare),
                })
    };
    // Empty, not allocated, for most texts.
    let names: Vec<&Known<'_>> = known.iter().filter(may_be).collect();
    let words = || names.iter().copied();
    let any_words = !names.is_empty();
    // Bit n: a name n bytes long (bit 63: 63 or more).
    let lengths = match gates {
        true => words().fold(0u64, |set, k| set | 1 << k.value.len().min(63)),
        false => u64::MAX,
    };
    if any_words && ascii {
        // An ASCII text's words are runs of ASCII letters and digits, and lower case keeps
        // their length: only a word as long as a name can be one.
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
                at += 1;
            }
            let start = at;
            while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
                at += 1;
            }
            let word = &text[start..at];
            if word.is_empty() {
                break;
            }
            if lengths >> word.len().min(63) & 1 == 0 {
                continue;
            }
            let same = |k: &&Known<'_>| k.value.len() == word.len() && lower_is(word, &k.value);
            if let Some(k) = words().find(same) {
                add_span(start, at, k.kind, true);
            }
        }
    } else if any_words {
        for (start, word) in words_of(text) {
            // The first character of a word's lower case is its first character's (a final
            // sigma is never first).
            let first = word.chars().next().and_then(|c| c.to_lowercase().next());
            let may = |k: &&Known<'_>| !gates || first.is_some_and(|f| k.value.starts_with(f));
            if let Some(k) = words().filter(may).find(|k| lower_is(word, &k.value)) {
                add_span(start, start + word.len(), k.kind, true);
            }
        }
    }
    spans.sort_by_key(|&(start, _, _, _)| start);
    spans
}

/// Whether `text` holds `lower` (ASCII in lower case) in any case: looked for by its letter
/// at `at` (the rarest: SIMD `memchr2` for both cases), then compared there. The empty text
/// is in every text.
fn holds_ignoring_case(text: &str, lower: &str, at: usize) -> bool {
    let (text, lower) = (text.as_bytes(), lower.as_bytes());
    let Some(&rare) = lower.get(at) else {
        return true;
    };
    if lower.len() > text.len() {
        return false;
    }
    memchr::memchr2_iter(rare, rare.to_ascii_uppercase(), text).any(|hit| {
        hit >= at
            && text
                .get(hit - at..hit - at + lower.len())
                .is_some_and(|there| there.eq_ignore_ascii_case(lower))
    })
}

/// The pattern spans of `text` (e-mails, IBANs, cards, IP addresses, phones), in the order
/// they are tried, each checked but not yet against overlaps; remembered per thread for short
/// texts, which repeat (user agents, pages, the same answers).
fn patterns(text: &str, seen: &Seen) -> Vec<(usize, usize, Kind)> {
    if !Gates::seen(text, seen).any() {
        return Vec::new();
    }
    if text.len() > PATTERN_MEMO_TEXT {
        return patterns_made(text);
    }
    PATTERNS.with(|memo| {
        let Ok(mut memo) = memo.try_borrow_mut() else {
            return patterns_made(text);
        };
        if let Some(found) = memo.get(text) {
            return found.clone();
        }
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        let found = patterns_made(text);
        memo.insert(Box::from(text), found.clone());
        found
    })
}

/// Pattern spans by text, per thread.
type PatternMemo = rustc_hash::FxHashMap<Box<str>, Vec<(usize, usize, Kind)>>;

/// Texts up to this long have their pattern spans remembered.
const PATTERN_MEMO_TEXT: usize = 512;

thread_local! {
    static PATTERNS: std::cell::RefCell<PatternMemo> = std::cell::RefCell::new(Default::default());
}

/// [`patterns`], found.
fn patterns_made(text: &str) -> Vec<(usize, usize, Kind)> {
    patterns_gated(text, true)
}

/// What the patterns need of a text, counted in one pass: most texts have neither `@` nor a
/// digit, and a pattern needs so many digits (an IBAN 2 and two capitals, an IPv4 address 4
/// and dots, a phone 8, a card 13) or colons (IPv6 2).
struct Gates {
    at: bool,
    colons: usize,
    digits: usize,
    capital: bool,
    dot: bool,
}

impl Gates {
    fn of(text: &str) -> Gates {
        Gates::seen(text, &Seen::of(text))
    }

    /// The gates of `text`, whose bytes are `seen`: counted only when there is something to
    /// count (in passes the compiler vectorises).
    fn seen(text: &str, seen: &Seen) -> Gates {
        let count = |b: u8| text.bytes().filter(|&c| c == b).count();
        Gates {
            at: seen.has(AT),
            colons: if seen.has(COLON) { count(b':') } else { 0 },
            digits: match seen.has(DIGIT) {
                true => text.bytes().filter(u8::is_ascii_digit).count(),
                false => 0,
            },
            capital: seen.has(CAPITAL),
            dot: seen.has(DOT),
        }
    }

    /// No gate at all (the tests' reference).
    fn open() -> Gates {
        Gates {
            at: true,
            colons: usize::MAX,
            digits: usize::MAX,
            capital: true,
            dot: true,
        }
    }

    fn email(&self) -> bool {
        self.at
    }

    fn iban(&self) -> bool {
        self.digits >= 2 && self.capital
    }

    fn card(&self) -> bool {
        self.digits >= 13
    }

    fn ipv6(&self) -> bool {
        self.colons >= 2
    }

    fn ipv4(&self) -> bool {
        self.digits >= 4 && self.dot
    }

    fn phone(&self) -> bool {
        self.digits >= 8
    }

    fn any(&self) -> bool {
        self.email() || self.iban() || self.ipv6() || self.ipv4() || self.phone()
    }
}

/// [`patterns_made`], with the gates (`gates`) or without (the tests' reference: the gates
/// only skip patterns that cannot match).
fn patterns_gated(text: &str, gates: bool) -> Vec<(usize, usize, Kind)> {
    let g = match gates {
        true => Gates::of(text),
        false => Gates::open(),
    };
    let mut found = Vec::new();
    if g.email() {
        for m in EMAIL.find_iter(text) {
            found.push((m.start(), m.end(), Kind::Email));
        }
    }
    if g.iban() {
        for m in IBAN.find_iter(text) {
            if iban_valid(m.as_str()) {
                found.push((m.start(), m.end(), Kind::Iban));
            }
        }
    }
    if g.card() {
        for m in CARD.find_iter(text) {
            if luhn_valid(m.as_str()) {
                found.push((m.start(), m.end(), Kind::Card));
            }
        }
    }
    if g.ipv6() {
        for m in IPV6.find_iter(text) {
            let candidate = m.as_str();
            let bare = candidate.split('%').next().unwrap_or(candidate);
            if bare.matches(':').count() >= 2
                && bare.parse::<std::net::Ipv6Addr>().is_ok()
                && !is_time_like(bare)
                && word_bounded(text, m.start(), m.end())
            {
                found.push((m.start(), m.end(), Kind::Ip));
            }
        }
    }
    if g.ipv4() {
        for m in IPV4.find_iter(text) {
            let (start, end) = (m.start(), m.end());
            // 1.2.3.4.5 is a version number, not an address.
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let dotted = |c: Option<char>| c.is_some_and(|c| c == '.' || c.is_ascii_digit());
            let dotted_after = text[end..]
                .strip_prefix('.')
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            // Chrome/122.0.0.0 is a product version.
            let version = text[..start]
                .strip_suffix('/')
                .and_then(|t| t.chars().next_back())
                .is_some_and(char::is_alphanumeric);
            if !dotted(before)
                && !version
                && !dotted_after
                && !after.is_some_and(|c| c.is_ascii_digit())
            {
                found.push((start, end, Kind::Ip));
            }
        }
    }
    if g.phone() {
        for m in PHONE.find_iter(text) {
            if let Some((start, end)) = phone_span(text, m.start(), m.end()) {
                found.push((start, end, Kind::Phone));
            }
        }
    }
    found
}

/// Whether `word.to_lowercase()` is `lower`, without making it: ASCII words byte by byte,
/// others char by char (`str::to_lowercase` differs from `char::to_lowercase` only for a
/// final sigma, so a word with `Σ` is lowered whole).
fn lower_is(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.len() == lower.len()
            && word
                .bytes()
                .zip(lower.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else if word.contains('Σ') {
        word.to_lowercase() == lower
    } else {
        word.chars().flat_map(char::to_lowercase).eq(lower.chars())
    }
}

/// The words of `text` (runs of letters and digits) and where each starts.
fn words_of(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while rest.next_if(|(_, c)| !c.is_alphanumeric()).is_some() {}
        let (start, _) = *rest.peek()?;
        let mut end = start;
        while let Some((i, c)) = rest.next_if(|(_, c)| c.is_alphanumeric()) {
            end = i + c.len_utf8();
        }
        Some((start, &text[start..end]))
    })
}

/// Whether `text[start..end]` is not part of a longer word.
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !alnum(text[..start].chars().next_back()) && !alnum(text[end..].chars().next())
}

/// `12:30:00` and `::` alone are times and punctuation, not addresses.
fn is_time_like(candidate: &str) -> bool {
    candidate
        .split(':')
        .all(|part| part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit()))
}

/// The phone number in a candidate span, if it is one: `+` (or `00`) and 8–15 digits, or
/// 9–15 digits in at least three groups; never a date, a time, a price or a bare digit run.
fn phone_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let candidate = text[start..end].trim_end_matches(['.', '-', ' ', '(']);
    let end = start + candidate.len();
    // Inside a longer token (a word, a decimal number, an id like ABC-123): not a phone.
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | ',' | '/' | '-' | '_'))
        || after.is_some_and(|c| {
            c.is_alphanumeric() || matches!(c, '/' | '_' | '%' | '€' | '$' | '£' | ':')
        })
        || after.is_some_and(|c| matches!(c, '.' | ',') && next_is_digit(&text[end..]))
    {
        return None;
    }
    if candidate.ends_with(')') && !candidate.contains('(') {
        return None;
    }
    let digits = candidate.bytes().filter(u8::is_ascii_digit).count();
    let international = candidate.starts_with('+') || candidate.starts_with("00");
    let groups = candidate
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .count();
    let ok = if international {
        (8..=15).contains(&digits) && (candidate.starts_with('+') || groups >= 2)
    } else {
        // Dotted digits without a `+` are versions, addresses and amounts, not phones.
        (9..=15).contains(&digits)
            && groups >= 3
            && !candidate.contains('.')
            && !DATE_LIKE.is_match(candidate)
    };
    // A price like 1 299 000 Kč is grouped in threes after a short first group.
    let price = !international
        && candidate.contains(' ')
        && candidate
            .split(' ')
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        && after_currency(&text[end..]);
    (ok && !price).then_some((start, end))
}

fn next_is_digit(rest: &str) -> bool {
    rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

fn after_currency(rest: &str) -> bool {
    let word = rest.trim_start();
    ["Kč", "CZK", "EUR", "USD", "Ft", "zł", "€", "$", ",-", ".-"]
        .iter()
        .any(|c| word.starts_with(c))
}

/// The Luhn check of a card number (spaces and dashes ignored).
pub fn luhn_valid(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let d = d * 2;
                if d > 9 {
                    d - 9
                } else {
                    d
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The ISO 13616 check of an IBAN: mod 97 of the rearranged number is 1.
pub fn iban_valid(candidate: &str) -> bool {
    let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        Redactor::new(b"test key", false)
    }

    fn redacted(text: &str) -> String {
        r().text(text, &[]).into_owned()
    }

    #[test]
    fn patterns_are_replaced() {
        for (text, kind) in [
            ("write to jan.novak+chat@example.co.uk please", "email-"),
            ("call +420 777 123 456 today", "phone-"),
            ("call 777 123 456 today", "phone-"),
            ("call (602) 555-0134 today", "phone-"),
            ("card 4111 1111 1111 1111 ok", "card-"),
            ("card 4111-1111-1111-1111 ok", "card-"),
            ("iban CZ65 0800 0000 1920 0014 5399 ok", "iban-"),
            ("iban GB82WEST12345698765432 ok", "iban-"),
            ("from 192.168.10.20 ok", "ip-"),
            ("from 2001:db8::8a2e:370:7334 ok", "ip-"),
            ("from fe80::1 ok", "ip-"),
        ] {
            let out = redacted(text);
            assert!(out.contains(kind), "{text} -> {out}");
            assert_eq!(
                crate::model::payload::count_words(text),
                crate::model::payload::count_words(&out),
                "{text} -> {out}"
            );
        }
    }

    #[test]
    fn look_alikes_are_kept() {
        for text in [
            "order 123456789 shipped",
            "order #2026031234 shipped",
            "order ABC-123-456-789",
            "it costs 1 299 000 Kč",
            "it costs 12,990.50 EUR or 1299.00",
            "on 2026-03-01 at 14:00:00",
            "on 01.03.2026 at 14:30",
            "on 1/3/2026 at 2:30 pm",
            "version 1.2.3.4.5",
            "Mozilla/5.0 Chrome/122.0.0.0 Safari/537.36",
            "card 4111 1111 1111 1112 is not valid",
            "iban CZ65 0800 0000 1920 0014 5398 is not valid",
            "tracking 1234567890123",
            "from 999.168.10.20 no",
            "ratio 12:30:45 no",
            "invoice 2026-0042",
        ] {
            assert_eq!(redacted(text), text);
        }
    }

    #[test]
    fn pseudonyms_depend_on_the_key() {
        let a = Redactor::new(b"one", false);
        let b = Redactor::new(b"two", false);
        assert_eq!(
            a.pseudonym(Kind::Email, "A@x.cz"),
            a.pseudonym(Kind::Email, "a@x.cz")
        );
        assert_ne!(
            a.pseudonym(Kind::Email, "a@x.cz"),
            b.pseudonym(Kind::Email, "a@x.cz")
        );
        let p = a.pseudonym(Kind::Visitor, "Jan");
        assert!(p.starts_with("visitor-") && p.len() == "visitor-".len() + 12);
    }

    #[test]
    fn json_fields_and_known_values() {
        let raw = r#"{"beginAt":1,"visitor":{"id":77,"name":"Jan Novák","email":"jan@x.cz","ipAddress":"10.0.0.1","city":"Brno"},
            "messages":[{"type":"visitor","name":"Jan Novák","from":"visitor:77","content":"I am Jan Novák from Brno","sentAt":1},
            {"type":"agent","name":"Eva","from":"agent:3","content":"hi","sentAt":2}]}"#;
        let out = r().json(raw).unwrap();
        for gone in ["Novák", "jan@x.cz", "10.0.0.1", "Brno", "visitor:77"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.contains("\"Eva\""));
        assert!(out.contains("\"sentAt\":1"));
    }
}

#[cfg(test)]
mod lower {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::lower_is;

    proptest! {
        #[test]
        fn lower_is_to_lowercase(word in "\\PC{0,6}", other in "\\PC{0,6}") {
            let lower = word.to_lowercase();
            prop_assert!(lower_is(&word, &lower));
            prop_assert_eq!(lower_is(&word, &other), word.to_lowercase() == other);
        }
    }

    proptest! {
        /// `is_name_word_of` says what looking among `name_words` says.
        #[test]
        fn name_words_are_found_without_making_them(
            name in "([a-zA-Z,. -]|van|VAN|İlker|Işık|Zoë|Jan|JAN|ann){0,6}",
            other in "([a-zA-Z,. -]|van|VAN|İlker|Işık|Zoë|Jan|JAN|ann){0,6}",
        ) {
            for word in super::name_words(&other) {
                let made = super::name_words(&name).any(|w| w == word);
                prop_assert_eq!(super::is_name_word_of(&word, &name), made, "{}", word);
            }
        }
    }

    proptest! {
        /// `occurrences` finds what `memmem::find_iter` finds (its reference), in texts made
        /// of a few bytes so that needles repeat, overlap and end texts.
        #[test]
        fn occurrences_are_memmems(hay in "[abé ]{0,24}", needle in "[abé ]{0,4}") {
            let found: Vec<usize> = super::occurrences(hay.as_bytes(), needle.as_bytes()).collect();
            let reference: Vec<usize> = match needle.is_empty() {
                true => Vec::new(),
                false => memchr::memmem::find_iter(hay.as_bytes(), needle.as_bytes()).collect(),
            };
            prop_assert_eq!(found, reference);
        }
    }

    proptest! {
        #[test]
        fn pattern_gates_skip_only_what_cannot_match(
            text in "[0-9 +().:/@a-fA-Z%-]{0,40}",
        ) {
            prop_assert_eq!(
                super::patterns_gated(&text, true),
                super::patterns_gated(&text, false)
            );
        }
    }

    /// Documents' known values (with names in other cases and scripts, İ and the Kelvin
    /// sign), as `Redactor::known` makes them.
    fn known_values() -> impl Strategy<Value = (Vec<(super::Kind, Cow<'static, str>)>, Vec<String>)>
    {
        let value = prop::sample::select(vec![
            "Jan Novák",
            "Kate Kiss",
            "Ilker Işık",
            "Zoë",
            "jan@x.cz",
            "10.0.0.1",
            "Brno",
            "ΟΔΥΣΣΕΑΣ",
            "Łukasz Żak",
            "Kim",
            "Eva",
        ]);
        let kind = prop::sample::select(vec![
            super::Kind::Visitor,
            super::Kind::Email,
            super::Kind::City,
        ]);
        (
            prop::collection::vec((kind, value.clone().prop_map(Cow::Borrowed)), 0..5),
            prop::collection::vec(value.prop_map(String::from), 0..3),
        )
    }

    proptest! {
        #[test]
        fn span_gates_skip_only_what_cannot_be_found(
            text in "([A-Za-z0-9 .@:+İıKkŁłΣσςÖöé-]|Jan|KATE|kİm|\u{212a}ate|ILKER|Brno|Novák){0,12}",
            (values, agents) in known_values(),
            agents_too in any::<bool>(),
        ) {
            let known = super::Redactor::new(b"k", agents_too).known(values, &agents);
            prop_assert_eq!(
                super::find_spans_gated(&text, &known, true),
                super::find_spans_gated(&text, &known, false)
            );
        }

        #[test]
        fn signatures_never_rule_out_what_the_bytes_allow(
            text in "([A-Za-z0-9 .@:+İıKkŁłΣσςÖöé-]|JAN|kİm|\u{212a}ATE|ILKER|BRNO|ZOË){0,12}",
            (values, agents) in known_values(),
        ) {
            let seen = super::Seen::of(&text);
            for k in &super::Redactor::new(b"k", true).known(values, &agents) {
                if super::Seen::may_hold_reference(&text, k) {
                    prop_assert!(seen.may_hold(k), "{}", k.value);
                }
            }
        }

        #[test]
        fn span_gates_skip_only_what_cannot_be_found_in_ascii(
            text in "([A-Za-z0-9 .,@:-]|Jan|KATE|kate|ILKER|Brno|EVA|eva|Kim|kiss|Novak){0,12}",
            (values, agents) in known_values(),
            agents_too in any::<bool>(),
        ) {
            let known = super::Redactor::new(b"k", agents_too).known(values, &agents);
            prop_assert_eq!(
                super::find_spans_gated(&text, &known, true),
                super::find_spans_gated(&text, &known, false)
            );
        }
    }

    /// `Seen::may_hold` counts on it: only `İ` and the Kelvin sign, besides ASCII, have an
    /// ASCII character in their lower case.
    #[test]
    fn only_two_characters_lower_to_ascii_letters() {
        let odd: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(odd, ['\u{130}', '\u{212a}']);
    }

    #[test]
    fn pattern_gates_in_examples() {
        for text in [
            "call +420 777 123 456",
            "fe80::1",
            "abc::def",
            "a:b",
            "1.2.3.4",
            "12345678",
            "4111 1111 1111 1111",
            "CZ65 0800 0000 1920 0014 5399",
            "x@y.cz",
            "12:30:00",
            "",
        ] {
            assert_eq!(
                super::patterns_gated(text, true),
                super::patterns_gated(text, false),
                "{text}"
            );
        }
    }

    #[test]
    fn lower_is_in_other_scripts() {
        for word in [
            "ΟΔΥΣΣΕΑΣ",
            "Σ",
            "ΣΑ",
            "İlker",
            "Zoë",
            "NOVÁK",
            "ǅemal",
            "ß",
            "ẞ",
            "Ⅻ",
        ] {
            assert!(lower_is(word, &word.to_lowercase()), "{word}");
            assert!(!lower_is(word, "x"), "{word}");
        }
    }
}
