//! A document as read from the input: its text, where it came from, and the typed payload or
//! event parsed from it. The reader (`src/input/`) makes them; selection, rendering,
//! checks and redaction consume them.

use crate::model::finding::{Finding, Origin};
use crate::model::payload::Payload;
use crate::model::webhook::Event;

/// A payload read from the input, with where it came from and its exact text.
#[derive(Debug)]
pub struct Document<'a> {
    pub origin: Origin,
    /// 0-based index in a top-level array, when the payload is an array element.
    pub index: Option<usize>,
    /// The document's text: every field, unknown ones included; read through
    /// [`Document::raw`].
    pub text: Text<'a>,
    /// What is known of the text's fingerprint; see [`Document::fingerprint`].
    pub print: Fingerprint,
    pub payload: Box<Payload<'a>>,
    /// The fast reader read `payload` and skipped no member of the text that `--redact`
    /// looks at, so that the payload can be redacted as it is (`privacy::redact`).
    pub covered: bool,
}

/// The keys of members the fast payload reader skips (it does not model them) that
/// redaction must see to redact the payload as it is: members that can be personal as a
/// whole (the redaction rules' whole, agent and visitor-`from` fields, `privacy::redact::field_kind`) in an object the reader models, and
/// those that decide a message's role. `email` is not one: personal as a whole only in a
/// visitor's or contact's object, where the reader models it.
const LOOKED_AT: [&str; 12] = [
    "name",
    "author_name",
    "from",
    "type",
    "sub_type",
    "phone",
    "contact_name",
    "contact_email",
    "contact_id",
    "visitor_id",
    "location_ip",
    "location_city",
];

/// Whether a member the fast payload reader skipped, `key` with the value whose text is
/// `value`, is one redaction looks at: an object (whose keys may be anything), an array
/// holding one, or a key of [`LOOKED_AT`]. Then the payload does not hold all that the
/// redaction of its document reads ([`Document::covered`]). Kept here, with the model,
/// so that the payload reader can tell without knowing redaction: the list follows
/// redaction's rules, and its tests (typed against rewritten) fail when the two part.
pub fn looked_at(key: &str, value: &[u8]) -> bool {
    match value.first() {
        Some(b'{') => true,
        Some(b'[') => memchr::memchr(b'{', value).is_some(),
        _ => LOOKED_AT.contains(&key),
    }
}

impl<'a> Document<'a> {
    /// The document's text as read (or, for a redacted document, as redacted).
    pub fn raw(&self) -> &str {
        self.text.get()
    }

    /// About the length of [`Document::raw`], without making a text made on demand.
    pub fn raw_len(&self) -> usize {
        self.text.len_hint()
    }

    /// The hash that tells this copy from other copies of the conversation.
    pub fn fingerprint(&self) -> u64 {
        self.print.of(self.raw())
    }
}

/// A document's JSON text: as read, or made when first asked for (the redacted text of a
/// document whose payload was redacted directly: most commands never ask for it).
pub struct Text<'a>(TextIs<'a>);

enum TextIs<'a> {
    Read(&'a str),
    Made {
        make: &'a dyn Fn() -> String,
        text: std::cell::OnceCell<String>,
        /// About its length.
        hint: usize,
    },
}

impl<'a> Text<'a> {
    /// A text as it was read.
    pub fn read(text: &'a str) -> Text<'a> {
        Text(TextIs::Read(text))
    }

    /// A text `make` makes, the first time it is asked for, about `hint` bytes long.
    pub fn made(make: &'a dyn Fn() -> String, hint: usize) -> Text<'a> {
        Text(TextIs::Made {
            make,
            text: std::cell::OnceCell::new(),
            hint,
        })
    }

    /// About the text's length, without making it.
    pub fn len_hint(&self) -> usize {
        match &self.0 {
            TextIs::Read(text) => text.len(),
            TextIs::Made { text, hint, .. } => text.get().map_or(*hint, String::len),
        }
    }

    pub fn get(&self) -> &str {
        match &self.0 {
            TextIs::Read(text) => text,
            TextIs::Made { make, text, .. } => text.get_or_init(make),
        }
    }
}

impl std::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            TextIs::Read(text) => text.fmt(f),
            TextIs::Made { text, .. } => match text.get() {
                Some(text) => text.fmt(f),
                None => f.write_str("(made when asked for)"),
            },
        }
    }
}

/// What is known of a document's [`fingerprint`](crate::jsontext::fingerprint) before it is
/// asked for: the fast path tells whether the text is compact, and hashes a pretty-printed
/// text's compact form while it reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fingerprint {
    /// Nothing: the text is scanned for its layout when asked.
    Unknown,
    /// The text has no white space between tokens: it is hashed as it is.
    Compact,
    /// The fingerprint, made while reading.
    Made(u64),
}

impl Fingerprint {
    /// The fingerprint of `raw`, the text this is known of.
    pub fn of(self, raw: &str) -> u64 {
        match self {
            Fingerprint::Unknown => crate::jsontext::fingerprint(raw),
            Fingerprint::Compact => crate::jsontext::hash_compact(raw.as_bytes()),
            Fingerprint::Made(hash) => hash,
        }
    }
}

/// A webhook event read from the input, with where it came from and its exact text.
#[derive(Debug)]
pub struct EventDoc<'a> {
    pub origin: Origin,
    pub index: Option<usize>,
    pub raw: &'a str,
    /// What is known of the event's fingerprint (see [`EventDoc::fingerprint`]).
    pub print: Fingerprint,
    /// Boxed: an event is twice a payload's size, and items are moved whole.
    pub event: Box<Event<'a>>,
    /// Warnings about used fields of shapes the model does not know, read as absent (one
    /// per field, at its line and column; see `model::webhook::tolerant`).
    pub shape: Vec<Finding>,
}

impl EventDoc<'_> {
    /// The hash that tells re-delivered copies of the event apart from other events: its
    /// text's, white space between tokens aside.
    pub fn fingerprint(&self) -> u64 {
        self.print.of(self.raw)
    }
}

/// What the reader yields: a POST-hook payload, a webhook event, or a finding about input
/// that is neither.
// A payload moves once, from the splitter to the command; boxing it would cost an allocation
// each. Events, twice a payload's size, are boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item<'a> {
    Payload(Document<'a>),
    Event(EventDoc<'a>),
    Bad(Finding),
}
