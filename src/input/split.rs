//! Splitting a chunk of text into documents and parsing each into a [`Payload`].
//!
//! A chunk may hold one payload, a JSON array of payloads, NDJSON or concatenated documents.
//! Each top-level value is parsed straight into the typed model (one pass); only a document
//! that fails is looked at again, to find its end and the JSON path of the wrong value. After
//! a syntax error, reading resumes at the next line that starts a document, so one bad line of
//! NDJSON costs that line only.

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::Deserialize;
use serde::Deserializer as _;
use serde_json::value::RawValue;
use serde_json::Deserializer;

use super::read::{resume_after, Chunk};
use crate::model::document::{Document, EventDoc, Fingerprint, Item};
use crate::model::finding::{Finding, Origin};
use crate::model::payload::Payload;
use crate::model::webhook::{tolerant, Event};

/// The two kinds of document, told apart by their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Payload,
    Event,
}

/// Keys of the webhook envelope: a document that starts with one is tried as an event first.
const ENVELOPE_KEYS: [&str; 6] = ["type", "event", "timestamp", "account_id", "app_id", "data"];

/// The kind a document probably is, from its first key (cheap; confirmed by parsing).
fn likely_kind(text: &[u8]) -> Kind {
    let pos = skip_whitespace(text, 1);
    if text.get(pos) == Some(&b'"') {
        let key = &text[pos + 1..];
        if let Some(end) = memchr::memchr(b'"', &key[..key.len().min(32)]) {
            if ENVELOPE_KEYS.iter().any(|k| k.as_bytes() == &key[..end]) {
                return Kind::Event;
            }
        }
    }
    Kind::Payload
}

/// Which kind a document that failed to parse was meant to be: `event` names an event,
/// `beginAt` a payload; `None` when it has neither.
fn intended_kind(raw: &str) -> Option<Kind> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "beginAt")]
        begin_at: Option<serde::de::IgnoredAny>,
        event: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_str(raw).ok()?;
    match (probe.begin_at, probe.event) {
        (Some(_), _) => Some(Kind::Payload),
        (None, Some(_)) => Some(Kind::Event),
        (None, None) => None,
    }
}

const NEITHER: &str = "neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`";

/// Parses every document of `chunk`, handing each payload or finding to `emit` in order.
pub fn documents<'a>(chunk: &'a Chunk, emit: &mut dyn FnMut(Item<'a>)) {
    let mut splitter = Splitter {
        text: &chunk.text,
        utf8: simdutf8::basic::from_utf8(&chunk.text).ok(),
        file: &chunk.file,
        lines: LineIndex::new(chunk.first_line),
        emit,
    };
    if chunk.empty_source {
        let origin = Origin::file(&chunk.file);
        (splitter.emit)(Item::Bad(Finding::error(
            origin,
            "empty input: no JSON document",
        )));
    } else {
        splitter.run();
    }
    if let Some(finding) = &chunk.read_error {
        (splitter.emit)(Item::Bad(finding.clone()));
    }
}

struct Splitter<'a, 'e> {
    text: &'a [u8],
    /// The same text, when all of it is UTF-8 (the common case).
    utf8: Option<&'a str>,
    file: &'a Arc<str>,
    lines: LineIndex,
    emit: &'e mut dyn FnMut(Item<'a>),
}

impl<'a> Splitter<'a, '_> {
    fn run(&mut self) {
        let mut pos = skip_whitespace(self.text, 0);
        while pos < self.text.len() {
            let next = match self.text[pos] {
                b'{' => self.object(pos),
                b'[' => self.array(pos),
                _ => self.not_a_payload(pos),
            };
            pos = skip_whitespace(self.text, next);
        }
    }

    /// Parses the object at `pos`; returns where reading goes on.
    fn object(&mut self, pos: usize) -> usize {
        // A chunk checked as UTF-8 once is parsed as `str`: serde_json then skips re-checking
        // every string, and the raw text needs no check either.
        let kind = likely_kind(&self.text[pos..]);
        if let (Some(text), Kind::Payload) = (self.utf8, kind) {
            if let Some((payload, len, print, covered)) = super::fast::payload(&text[pos..]) {
                // Read by the fast path, which gives up on nesting deeper than the limit.
                let end = pos + len;
                let origin = self.origin(pos);
                if print == Fingerprint::Compact {
                    // No line ends inside: the next document's line is counted from here.
                    self.lines.no_line_end(self.text, end);
                }
                (self.emit)(item(
                    Parsed::Payload(payload, print, covered),
                    origin,
                    None,
                    &text[pos..end],
                    "",
                ));
                return end;
            }
        }
        if let (Some(text), Kind::Event) = (self.utf8, kind) {
            if let Some((event, len, print)) = super::fast::event(&text[pos..]) {
                // As for a payload: the fast path gives up on nesting deeper than the limit.
                let end = pos + len;
                let origin = self.origin(pos);
                if print == Fingerprint::Compact {
                    self.lines.no_line_end(self.text, end);
                }
                (self.emit)(item(
                    Parsed::Event(event, print),
                    origin,
                    None,
                    &text[pos..end],
                    "",
                ));
                return end;
            }
        }
        let (parsed, len) = match (self.utf8, kind) {
            (Some(text), Kind::Payload) => {
                first_value(Deserializer::from_str(&text[pos..]), Parsed::payload)
            }
            (Some(text), Kind::Event) => {
                first_value(Deserializer::from_str(&text[pos..]), Parsed::event)
            }
            (None, Kind::Payload) => {
                first_value(Deserializer::from_slice(&self.text[pos..]), Parsed::payload)
            }
            (None, Kind::Event) => {
                first_value(Deserializer::from_slice(&self.text[pos..]), Parsed::event)
            }
        };
        match parsed {
            Some(Ok(parsed)) => {
                let end = pos + len;
                let raw = match self.utf8 {
                    Some(text) => Ok(&text[pos..end]),
                    None => std::str::from_utf8(&self.text[pos..end]),
                };
                let Ok(raw) = raw else {
                    // serde_json skips unknown strings without checking their encoding.
                    self.report_invalid_utf8(pos);
                    return end;
                };
                if let Some(finding) = self.too_deep(pos, raw, "") {
                    (self.emit)(Item::Bad(finding));
                    return end;
                }
                let origin = self.origin(pos);
                let item = self.located(item(parsed, origin, None, raw, ""), pos, "");
                (self.emit)(item);
                end
            }
            Some(Err(err)) if err.is_data() => match self.raw_value(pos) {
                Ok(raw) => {
                    let item = self.document(pos, raw.get(), None, "", Some(kind));
                    (self.emit)(item);
                    pos + raw.get().len()
                }
                Err(syntax) => self.syntax_error(pos, &syntax),
            },
            Some(Err(err)) => self.syntax_error(pos, &err),
            None => self.text.len(),
        }
    }

    /// Parses a top-level array element by element, so that one bad element costs only itself
    /// and the elements before a syntax error are still read.
    fn array(&mut self, pos: usize) -> usize {
        let mut elements = Vec::new();
        let mut de = Deserializer::from_slice(&self.text[pos..]);
        let result = (&mut de).deserialize_seq(Elements(&mut elements));
        // serde_json does not say where the array ended: it is the `]` after the last element.
        let after_last = elements.last().map_or(pos + 1, |raw| {
            raw.get().as_ptr() as usize - self.text.as_ptr() as usize + raw.get().len()
        });
        let result = result.map(|()| skip_whitespace(self.text, after_last) + 1);
        if elements.is_empty() && result.is_ok() {
            let origin = self.origin(pos);
            (self.emit)(Item::Bad(Finding::error(
                origin,
                "empty array: no document",
            )));
        }
        for (index, raw) in elements.into_iter().enumerate() {
            let start = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
            let prefix = format!("[{index}]");
            let deep = self.too_deep(start, raw.get(), &prefix);
            let origin = self.origin(start);
            let item = if let Some(finding) = deep {
                Item::Bad(finding)
            } else if raw.get().starts_with('{') {
                self.document(start, raw.get(), Some(index), &prefix, None)
            } else {
                Item::Bad(
                    Finding::error(
                        origin,
                        format!("expected a payload object, found {}", kind(raw)),
                    )
                    .with_path(prefix),
                )
            };
            (self.emit)(item);
        }
        match result {
            Ok(end) => end,
            Err(err) => self.syntax_error(pos, &err),
        }
    }

    /// A top-level value that is not an object or array: `null`, a number, a string, or bytes
    /// after a document.
    fn not_a_payload(&mut self, pos: usize) -> usize {
        let before = self.text[..pos]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace());
        if matches!(before, Some(b'}' | b']')) && matches!(self.text[pos], 0x00 | 0xFF) {
            return self.padding(pos);
        }
        if matches!(before, Some(b'}' | b']')) {
            let mut message = String::from("unexpected bytes after the document");
            if let Some(excerpt) = excerpt(self.text, pos) {
                message.push_str(&format!(" near `{excerpt}`"));
            }
            let (line, column) = self.lines.line_column(self.text, pos);
            (self.emit)(Item::Bad(Finding::error(
                Origin::at(self.file, line, Some(column)),
                message,
            )));
            return resume_after(self.text, pos);
        }
        let byte = self.text[pos];
        if !(0x20..0x80).contains(&byte) {
            let (line, column) = self.lines.line_column(self.text, pos);
            (self.emit)(Item::Bad(Finding::error(
                Origin::at(self.file, line, Some(column)),
                format!("binary data, not JSON text (byte 0x{byte:02X})"),
            )));
            return resume_after(self.text, pos);
        }
        match self.raw_value(pos) {
            Ok(raw) => {
                let message = format!("expected a payload object, found {}", kind(raw));
                let origin = self.origin(pos);
                (self.emit)(Item::Bad(Finding::error(origin, message)));
                pos + raw.get().len()
            }
            Err(err) => self.syntax_error(pos, &err),
        }
    }

    /// NUL bytes (or 0xFF, erased flash) after a complete document, and the blanks among
    /// them: what a crashed writer or a preallocated file leaves. One finding at their start;
    /// the document before them was read, and reading goes on after them.
    fn padding(&mut self, pos: usize) -> usize {
        let byte = self.text[pos];
        let end = self.text[pos..]
            .iter()
            .position(|&b| !(b == byte || b.is_ascii_whitespace()))
            .map_or(self.text.len(), |n| pos + n);
        let count = self.text[pos..end].iter().filter(|&&b| b == byte).count();
        let what = if byte == 0 {
            "NUL bytes".to_owned()
        } else {
            format!("bytes 0x{byte:02X}")
        };
        let (line, column) = self.lines.line_column(self.text, pos);
        (self.emit)(Item::Bad(Finding::error(
            Origin::at(self.file, line, Some(column)),
            format!(
                "padding after the document: {count} {what} (what a crashed writer or a \
                 preallocated file leaves); the document before it was read"
            ),
        )));
        end
    }

    fn raw_value(&self, pos: usize) -> serde_json::Result<&'a RawValue> {
        let mut stream = Deserializer::from_slice(&self.text[pos..]).into_iter::<&'a RawValue>();
        stream.next().unwrap_or_else(|| {
            Err(serde::de::Error::custom("no value")) // unreachable: `pos` is not whitespace
        })
    }

    /// Reports a syntax error of the document starting at `pos` and returns where to resume.
    fn syntax_error(&mut self, pos: usize, err: &serde_json::Error) -> usize {
        let resume = resume_after(self.text, pos);
        let (mut line, mut column, mut at) = self.locate_error(pos, err);
        let mut reparsed = None;
        if at >= resume {
            // The parser ran on into the next document (a line cut in half takes the next line
            // as its continuation): the broken document ends where reading resumes, so the
            // error is the one it has on its own.
            let alone = &self.text[pos..resume];
            let mut stream = Deserializer::from_slice(alone).into_iter::<&RawValue>();
            if let Some(Err(own)) = stream.next() {
                (line, column, at) = self.locate_error(pos, &own);
                reparsed = Some(own);
            }
        }
        let err = reparsed.as_ref().unwrap_or(err);
        let mut message = syntax_message(err);
        let line_ends =
            memchr::memchr(b'\n', &self.text[at.saturating_sub(1)..]).is_some_and(|n| n <= 2);
        if line_ends && message.contains("control character") {
            // A raw newline inside a string: the line was cut in half.
            message =
                "syntax error: the document is cut off (the line ends inside a string)".into();
        }
        if self.report_invalid_utf8(pos) {
            return resume;
        }
        if let Some(excerpt) = excerpt(self.text, at) {
            message.push_str(&format!(" near `{excerpt}`"));
        }
        (self.emit)(Item::Bad(Finding::error(
            Origin::at(self.file, line, Some(column)),
            message,
        )));
        resume
    }

    /// Line, column and byte offset of a serde_json error in the document starting at `pos`.
    fn locate_error(&mut self, pos: usize, err: &serde_json::Error) -> (usize, usize, usize) {
        let (doc_line, doc_column) = self.lines.line_column(self.text, pos);
        let err_line = err.line().max(1);
        let line = doc_line + err_line - 1;
        let column = if err_line == 1 {
            doc_column - 1 + err.column()
        } else {
            err.column()
        };
        // The byte offset of the error, for the excerpt.
        let mut at = pos;
        for _ in 1..err_line {
            match memchr::memchr(b'\n', &self.text[at..]) {
                Some(nl) => at += nl + 1,
                None => break,
            }
        }
        let at = (at
            + err
                .column()
                .saturating_sub(if err_line == 1 { 0 } else { 1 }))
        .min(self.text.len());
        (line, column.max(1), at)
    }

    /// Reports the first byte that is not UTF-8 in the document at `pos`, if there is one.
    fn report_invalid_utf8(&mut self, pos: usize) -> bool {
        let Some(bad) = self.invalid_utf8_from(pos) else {
            return false;
        };
        let (line, column) = self.lines.line_column(self.text, bad);
        let byte = self.text[bad];
        (self.emit)(Item::Bad(Finding::error(
            Origin::at(self.file, line, Some(column)),
            format!("not UTF-8: invalid byte 0x{byte:02X} (sshook reads UTF-8 text)"),
        )));
        true
    }

    /// The first byte that is not UTF-8 in the document at `pos`.
    fn invalid_utf8_from(&self, pos: usize) -> Option<usize> {
        let end = resume_after(self.text, pos);
        std::str::from_utf8(&self.text[pos..end])
            .err()
            .map(|e| pos + e.valid_up_to())
    }

    fn origin(&mut self, pos: usize) -> Origin {
        let (line, _) = self.lines.line_column(self.text, pos);
        Origin::at(self.file, line, None)
    }

    /// The place of byte `pos` of the chunk: file, line and column.
    fn place(&mut self, pos: usize) -> Origin {
        let (line, column) = self.lines.line_column(self.text, pos);
        Origin::at(self.file, line, Some(column))
    }

    /// The finding for `raw`, the document at `start` that is JSON but not a valid `T`: at the
    /// line and column of the wrong value, with its JSON path after `prefix`.
    fn bad_value<T: Deserialize<'a>>(
        &mut self,
        start: usize,
        raw: &'a str,
        prefix: &str,
    ) -> Finding {
        let wrong = value_error::<T>(raw);
        let finding = Finding::error(self.place(start + wrong.offset), wrong.message);
        let path = match (prefix.is_empty(), wrong.path.is_empty()) {
            (_, true) => prefix.to_string(),
            (true, false) => wrong.path,
            (false, false) => format!("{prefix}.{}", wrong.path),
        };
        if path.is_empty() {
            finding
        } else {
            finding.with_path(path)
        }
    }

    /// An event with fields of shapes the model does not know (read as absent, see
    /// `model::webhook::tolerant`) gets a warning for each, at its line and column, with its
    /// JSON path: the event, at `start` of the chunk, is read again for each to find it.
    fn located(&mut self, mut item: Item<'a>, start: usize, prefix: &str) -> Item<'a> {
        let Item::Event(doc) = &mut item else {
            return item;
        };
        for skip in 0..doc.event.odd {
            let mut de = Deserializer::from_str(doc.raw);
            let Err(err) = tolerant::failing_at(skip, || {
                serde_path_to_error::deserialize::<_, Event>(&mut de).map(drop)
            }) else {
                break;
            };
            let offset = value_offset(doc.raw, err.path(), err.inner());
            let mut path = err.path().to_string();
            if path == "." {
                path.clear();
            }
            let message = strip_position(&err.inner().to_string());
            doc.shape.push(Finding::warning(
                self.place(start + offset),
                Some(join_path(prefix, &path)),
                format!("{message} (left out)"),
            ));
        }
        item
    }

    /// One rule for nesting, in every part of a document: more than [`MAX_DEPTH`] levels is an
    /// error, also where serde_json does not count (values kept as raw text or skipped).
    fn too_deep(&mut self, start: usize, raw: &str, prefix: &str) -> Option<Finding> {
        if !crate::jsontext::deeper_than(raw.as_bytes(), MAX_DEPTH) {
            return None;
        }
        let at = crate::jsontext::deeper_at(raw.as_bytes(), MAX_DEPTH).unwrap_or(0);
        let finding = Finding::error(self.place(start + at), TOO_DEEP);
        Some(if prefix.is_empty() {
            finding
        } else {
            finding.with_path(prefix)
        })
    }

    /// Reads one complete object whose text is `raw`, at byte `start` of the chunk: a
    /// payload, an event, or the finding that says why it is neither (at the line and column
    /// of the wrong value). `tried`: the kind already tried, which failed on a value.
    fn document(
        &mut self,
        start: usize,
        raw: &'a str,
        index: Option<usize>,
        prefix: &str,
        tried: Option<Kind>,
    ) -> Item<'a> {
        let origin = self.origin(start);
        let first = tried.unwrap_or_else(|| likely_kind(raw.as_bytes()));
        if tried.is_none() {
            if let Ok(parsed) = parse_as(raw, first) {
                return self.located(item(parsed, origin, index, raw, prefix), start, prefix);
            }
        }
        if let Some(deep) = self.too_deep(start, raw, prefix) {
            return Item::Bad(deep);
        }
        let Some(kind) = intended_kind(raw) else {
            let finding = Finding::error(origin, NEITHER);
            return Item::Bad(if prefix.is_empty() {
                finding
            } else {
                finding.with_path(prefix)
            });
        };
        if kind != first {
            if let Ok(parsed) = parse_as(raw, kind) {
                return self.located(item(parsed, origin, index, raw, prefix), start, prefix);
            }
        }
        Item::Bad(match kind {
            Kind::Payload => self.bad_value::<Payload>(start, raw, prefix),
            Kind::Event => self.bad_value::<Event>(start, raw, prefix),
        })
    }
}

/// A parsed document of either kind.
#[allow(clippy::large_enum_variant)] // see `Item`
enum Parsed<'a> {
    /// A payload, what is known of its fingerprint, and whether it holds all that `--redact`
    /// reads (see `Document::covered`).
    Payload(Box<Payload<'a>>, Fingerprint, bool),
    /// An event, and what is known of its fingerprint.
    Event(Box<Event<'a>>, Fingerprint),
}

impl<'a> Parsed<'a> {
    /// A payload serde_json read.
    fn payload(payload: Payload<'a>) -> Parsed<'a> {
        Parsed::Payload(Box::new(payload), Fingerprint::Unknown, false)
    }

    fn event(event: Event<'a>) -> Parsed<'a> {
        Parsed::Event(Box::new(event), Fingerprint::Unknown)
    }
}

/// Parses one `T` from the start of `de`; returns it (as a [`Parsed`]) and the bytes it took.
fn first_value<'a, R, T>(
    de: Deserializer<R>,
    wrap: fn(T) -> Parsed<'a>,
) -> (Option<serde_json::Result<Parsed<'a>>>, usize)
where
    R: serde_json::de::Read<'a>,
    T: serde::Deserialize<'a>,
{
    let mut stream = de.into_iter::<T>();
    let parsed = stream.next().map(|r| r.map(wrap));
    (parsed, stream.byte_offset())
}

fn parse_as<'a>(raw: &'a str, kind: Kind) -> serde_json::Result<Parsed<'a>> {
    match kind {
        Kind::Payload => match super::fast::payload(raw) {
            Some((payload, len, print, covered)) if len == raw.len() => {
                Ok(Parsed::Payload(payload, print, covered))
            }
            _ => serde_json::from_str(raw).map(Parsed::payload),
        },
        Kind::Event => match super::fast::event(raw) {
            Some((event, len, print)) if len == raw.len() => Ok(Parsed::Event(event, print)),
            _ => serde_json::from_str(raw).map(Parsed::event),
        },
    }
}

/// The item of a parsed document; a POST-hook payload that sent `null` for a required value
/// is refused here (the model reads those as options for assembled conversations).
fn item<'a>(
    parsed: Parsed<'a>,
    origin: Origin,
    index: Option<usize>,
    raw: &'a str,
    prefix: &str,
) -> Item<'a> {
    match parsed {
        Parsed::Payload(payload, print, covered) => match payload.null_required() {
            None => Item::Payload(Document {
                origin,
                index,
                text: crate::model::document::Text::read(raw),
                print,
                payload,
                covered,
            }),
            Some(path) => Item::Bad(
                Finding::error(origin, "expected integer, found null")
                    .with_path(join_path(prefix, path)),
            ),
        },
        Parsed::Event(event, print) => Item::Event(EventDoc {
            origin,
            index,
            raw,
            print,
            event,
            shape: Vec::new(),
        }),
    }
}

fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (_, true) => prefix.to_string(),
        (true, false) => path.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn skip_whitespace(text: &[u8], mut pos: usize) -> usize {
    while pos < text.len() && matches!(text[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// Collects the elements of a top-level array as raw text, keeping those read before an error.
struct Elements<'v, 'a>(&'v mut Vec<&'a RawValue>);

impl<'de: 'a, 'a> Visitor<'de> for Elements<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of payloads")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            self.0.push(raw);
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Elements<'_, 'a> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

fn kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

const MAX_DEPTH: usize = 128;
const TOO_DEEP: &str = "nesting too deep: more than 128 levels";
/// What is wrong in a document that is JSON but not the type it should be.
struct ValueError {
    /// Byte offset, in the document, of the wrong value (for a missing field: of the object
    /// that misses it).
    offset: usize,
    /// JSON path of the wrong value, `` for the document itself.
    path: String,
    message: String,
}

/// Parses `raw` again as a `T` with path tracking, to name the wrong value and find it:
/// `channel.rating: …` at the line and column where that value is written.
fn value_error<'de, T: Deserialize<'de>>(raw: &'de str) -> ValueError {
    let mut de = Deserializer::from_str(raw);
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => {
            return ValueError {
                offset: 0,
                path: String::new(),
                message: "invalid payload".into(),
            }
        }
        Err(err) => err,
    };
    let mut offset = value_offset(raw, err.path(), err.inner());
    let mut path = err.path().to_string();
    if path == "." {
        path.clear();
    }
    let inner = err.into_inner();
    let text = strip_position(&inner.to_string());
    if let Some(key) = between(&text, "duplicate field `", "`") {
        // Point at the second of the two, not at the object holding them.
        let object = &raw[offset..];
        if let Some((_, value)) = object_entries(object)
            .and_then(|entries| entries.into_iter().rev().find(|(k, _)| k == key))
        {
            offset = value.get().as_ptr() as usize - raw.as_ptr() as usize;
        }
    }
    let (path, message) = describe_value_error(&path, &text);
    ValueError {
        offset,
        path,
        message,
    }
}

/// The byte offset in `doc` of the value that a deserialisation error names, for any type
/// deserialised from `doc`: found by following `path` through the text (exact, the value's
/// first byte); where the path cannot be followed, serde_json's own line and column, which
/// point just after the value.
pub fn value_offset(doc: &str, path: &serde_path_to_error::Path, err: &serde_json::Error) -> usize {
    use serde_path_to_error::Segment;
    let base = doc.as_ptr() as usize;
    let Ok(mut value) = serde_json::from_str::<&RawValue>(doc) else {
        return error_offset(doc, err);
    };
    for segment in path.iter() {
        let next = match segment {
            Segment::Seq { index } => serde_json::from_str::<Vec<&RawValue>>(value.get())
                .ok()
                .and_then(|items| items.get(*index).copied()),
            // The last of duplicated keys: the one serde_json keeps.
            Segment::Map { key } => object_entries(value.get()).and_then(|entries| {
                entries
                    .into_iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v)
            }),
            Segment::Enum { .. } | Segment::Unknown => None,
        };
        match next {
            Some(next) => value = next,
            None => break, // a missing field: the object that misses it
        }
    }
    value.get().as_ptr() as usize - base
}

/// The entries of a JSON object, in order (duplicates kept).
fn object_entries(text: &str) -> Option<Vec<(std::borrow::Cow<'_, str>, &RawValue)>> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(std::borrow::Cow<'de, str>, &'de RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<std::borrow::Cow<'de, str>, &'de RawValue>()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    Deserializer::from_str(text).deserialize_map(Entries).ok()
}

/// The byte offset in `doc` of serde_json's error position (1-based line and column).
fn error_offset(doc: &str, err: &serde_json::Error) -> usize {
    let mut at = 0;
    for _ in 1..err.line().max(1) {
        match memchr::memchr(b'\n', &doc.as_bytes()[at..]) {
            Some(nl) => at += nl + 1,
            None => break,
        }
    }
    (at + err.column().saturating_sub(1)).min(doc.len())
}

/// Rewords serde's messages the way validate reports them.
fn describe_value_error(path: &str, text: &str) -> (String, String) {
    let join = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(field) = between(text, "missing field `", "`") {
        return (join(field), "missing".into());
    }
    if let Some(field) = between(text, "duplicate field `", "`") {
        return (join(field), "duplicate key".into());
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.rsplit_once(", expected ") {
            let found = reword_unexpected(found);
            let expected = match expected {
                "struct Payload"
                | "struct Channel"
                | "struct Visitor"
                | "struct Message"
                | "struct Page"
                | "struct Event"
                | "struct Data"
                | "struct Conversation"
                | "struct Contact"
                | "struct Assembled" => "object",
                "a sequence" => "array",
                other => other,
            };
            return (path.into(), format!("expected {expected}, found {found}"));
        }
    }
    (path.into(), text.into())
}

fn reword_unexpected(found: &str) -> String {
    if found == "map" {
        return "object".into();
    }
    if found == "sequence" {
        return "array".into();
    }
    if found == "unit value" {
        return "null".into();
    }
    for (from, to) in [
        ("floating point `", "number "),
        ("integer `", "number "),
        ("boolean `", "boolean "),
    ] {
        if let Some(rest) = found.strip_prefix(from) {
            return format!("{to}{}", rest.trim_end_matches('`'));
        }
    }
    found.into()
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

fn strip_position(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text.to_string(),
    }
}

fn syntax_message(err: &serde_json::Error) -> String {
    let text = strip_position(&err.to_string());
    if err.is_eof() {
        return format!("syntax error: the document is cut off ({text})");
    }
    match text.as_str() {
        "recursion limit exceeded" => TOO_DEEP.into(),
        "trailing characters" => "syntax error: unexpected bytes after the document".into(),
        _ => format!("syntax error: {text}"),
    }
}

/// A short, printable piece of the line around byte `at`.
fn excerpt(text: &[u8], at: usize) -> Option<String> {
    let at = at.min(text.len());
    let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |n| n + 1);
    let line_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |n| at + n);
    let start = at.saturating_sub(24).max(line_start);
    let end = (at + 8).min(line_end);
    let piece = String::from_utf8_lossy(&text[start..end]);
    let piece = piece.trim();
    if piece.is_empty() {
        return None;
    }
    let mut out = String::new();
    for c in piece.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Maps byte offsets to 1-based lines and columns, scanning forward from the last answer.
struct LineIndex {
    first_line: usize,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineIndex {
    fn new(first_line: usize) -> LineIndex {
        LineIndex {
            first_line,
            offset: 0,
            line: first_line,
            line_start: 0,
        }
    }

    /// Moves on to `offset` past text known to hold no line end (a compact document the fast
    /// path read: no white space between tokens, and no raw control character in strings).
    fn no_line_end(&mut self, text: &[u8], offset: usize) {
        debug_assert!(!text[self.offset.min(offset)..offset].contains(&b'\n'));
        self.offset = self.offset.max(offset);
    }

    fn line_column(&mut self, text: &[u8], offset: usize) -> (usize, usize) {
        if offset < self.offset {
            *self = LineIndex::new(self.first_line);
        }
        let offset = offset.min(text.len());
        for nl in memchr::memchr_iter(b'\n', &text[self.offset..offset]) {
            self.line += 1;
            self.line_start = self.offset + nl + 1;
        }
        self.offset = offset;
        (self.line, offset - self.line_start + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<String> {
        let chunk = Chunk {
            file: Arc::from("t.json"),
            text: text.as_bytes().to_vec(),
            first_line: 1,
            read_error: None,
            empty_source: false,
        };
        let mut out = Vec::new();
        documents(&chunk, &mut |item| {
            out.push(match item {
                Item::Payload(d) => format!("ok {} {}", d.origin, d.payload.conversation_id()),
                Item::Event(e) => format!("event {} {}", e.origin, e.event.event),
                Item::Bad(f) => f.to_string(),
            })
        });
        out
    }

    const P1: &str = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[]}"#;
    const P2: &str = r#"{"beginAt":1,"endAt":2,"channel":{"id":2},"messages":[]}"#;

    #[test]
    fn ndjson_with_a_bad_line_keeps_the_others() {
        let text = format!("{P1}\n{{\"beginAt\":1,,\n{P2}\r\n");
        let out = read(&text);
        assert_eq!(out[0], "ok t.json:1 1");
        assert!(
            out[1].starts_with("t.json:2:14: error: syntax error"),
            "{}",
            out[1]
        );
        assert_eq!(out[2], "ok t.json:3 2");
    }

    #[test]
    fn array_with_a_bad_element_keeps_the_others() {
        let text = format!("[{P1},\n {{\"beginAt\":\"x\"}},\n{P2}]");
        let out = read(&text);
        assert_eq!(out[0], "ok t.json:1 1");
        assert_eq!(
            out[1],
            "t.json:2:13: error: [1].beginAt: expected integer, found string \"x\""
        );
        assert_eq!(out[2], "ok t.json:3 2");
    }

    #[test]
    fn value_errors_name_the_json_path() {
        let text = r#"{"beginAt":1,"endAt":2,"channel":{"id":1,"rating":"5"},"messages":[{"type":"visitor","sentAt":1},{"type":"agent"}]}"#;
        let out = read(text);
        assert_eq!(
            out,
            ["t.json:1:51: error: channel.rating: expected integer or null, found string \"5\""]
        );
        let text = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[{"type":"visitor","sentAt":1},{"type":"agent"}]}"#;
        assert_eq!(
            read(text),
            ["t.json:1:85: error: messages[1].sentAt: missing"]
        );
    }

    #[test]
    fn a_post_hook_payload_must_not_send_null_for_its_id_or_end() {
        let text = format!(
            "{}\n{}\n",
            P1.replace(r#""id":1"#, r#""id":null"#),
            P2.replace(r#""endAt":2"#, r#""endAt":null"#)
        );
        assert_eq!(
            read(&text),
            [
                "t.json:1: error: channel.id: expected integer, found null",
                "t.json:2: error: endAt: expected integer, found null"
            ]
        );
    }

    #[test]
    fn events_and_payloads_mix_and_neither_is_named() {
        let event = r#"{"event":"conversation.opened","timestamp":"2026-03-10T09:00:00Z","data":{"conversation":{"id":"c1"}}}"#;
        let text = format!("{P1}\n{event}\n{{\"id\":1}}\n[{event},{P2}]");
        assert_eq!(
            read(&text),
            [
                "ok t.json:1 1",
                "event t.json:2 conversation.opened",
                "t.json:3: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`",
                "event t.json:4 conversation.opened",
                "ok t.json:4 2",
            ]
        );
    }

    #[test]
    fn concatenated_documents_and_trailing_garbage() {
        let out = read(&format!("{P1}{P2} 42"));
        assert_eq!(out[0], "ok t.json:1 1");
        assert_eq!(out[1], "ok t.json:1 2");
        assert_eq!(
            out[2],
            "t.json:1:114: error: unexpected bytes after the document near `{\"id\":2},\"messages\":[]} 42`"
        );
    }
}
