//! Test support, not part of the tool: the properties the fuzz targets (`fuzz/fuzz_targets/`)
//! check, written once so that the fuzzers and the test suite (`tests/fuzz_regressions.rs`,
//! over every seed and every kept crash input) assert the same things.
//!
//! Each `check_*` takes arbitrary bytes, reads them as one chunk of one file (what the reader
//! hands the splitter for a small file) and **panics** when a property does not hold: the
//! `assert!`s and `panic!`s here are the point of the module (a fuzzer reports a panic as a
//! finding, a test as a failure), unlike everywhere else in the library.
//!
//! - [`check_reader`]: every finding names a line inside the input and prints on one line
//!   without control characters; each payload's raw text parses again into the same id and
//!   message count; warnings of payloads and events are never errors.
//! - [`check_transcript`]: text and markdown carry no control characters or bidi overrides
//!   but `\n` and `\t`; in HTML every tag is one of the template's (no `<script` or other
//!   markup from content) and every `&` starts an entity; JSON is one line that parses back
//!   with the payload's id, message count, texts and names.
//! - [`check_csv_rows`]: export's CSV (conversation and message rows, with and without the
//!   formula guard) read back with a reference reader has the column names as header and
//!   exactly the cells the columns computed.

use std::sync::Arc;

use serde_json::Value;

use crate::check;
use crate::input::{documents, Chunk};
use crate::model::document::{Document, Item};
use crate::model::finding::Finding;
use crate::model::payload::Payload;
use crate::model::time::DisplayZone;
use crate::render::encode::{is_formula_like, Encoder, Format, Options, RowWriter};
use crate::render::rows::{Cell, Columns, RowKind};
use crate::render::transcript;

/// The fuzz input as one chunk of one file, starting at line 1.
pub fn chunk(data: &[u8]) -> Chunk {
    Chunk {
        file: Arc::from("fuzz.json"),
        text: data.to_vec(),
        first_line: 1,
        read_error: None,
        empty_source: false,
    }
}

/// Every payload the reader finds in `chunk`, in order (findings about bad input dropped).
pub fn payloads(chunk: &Chunk) -> Vec<Document<'_>> {
    let mut found = Vec::new();
    documents(chunk, &mut |item| {
        if let Item::Payload(doc) = item {
            found.push(doc);
        }
    });
    found
}

// ---- reader ----

/// The reader: `data` split and parsed, every finding, payload and event checked.
pub fn check_reader(data: &[u8]) {
    let chunk = chunk(data);
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    documents(&chunk, &mut |item| match item {
        Item::Bad(finding) => assert_printable(&finding, lines),
        Item::Payload(doc) => {
            assert_line(doc.origin.line, lines);
            let again: Payload = serde_json::from_str(doc.raw())
                .unwrap_or_else(|e| panic!("raw text does not parse again: {e}"));
            assert_eq!(again.conversation_id(), doc.payload.conversation_id());
            assert_eq!(again.messages.len(), doc.payload.messages.len());
            for warning in check::warnings(&doc) {
                assert!(!warning.is_error(), "a warning is an error: {warning}");
                assert_printable(&warning, lines);
            }
        }
        Item::Event(doc) => {
            assert_line(doc.origin.line, lines);
            for warning in check::event_warnings(&doc) {
                assert!(!warning.is_error(), "a warning is an error: {warning}");
                assert_printable(&warning, lines);
            }
        }
    });
}

fn assert_line(line: Option<usize>, lines: usize) {
    assert!(
        line.is_some_and(|l| (1..=lines).contains(&l)),
        "document at line {line:?} of {lines}"
    );
}

fn assert_printable(finding: &Finding, lines: usize) {
    if let Some(line) = finding.origin.line {
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
    }
    let text = finding.to_string();
    assert!(
        !text.chars().any(char::is_control),
        "control character in {text:?}"
    );
    let _ = finding.to_json().to_string();
}

// ---- transcript ----

/// The transcript renderers: every payload in `data` as text (plain, wrapped and coloured),
/// markdown, HTML and JSON.
pub fn check_transcript(data: &[u8]) {
    let chunk = chunk(data);
    let utc = DisplayZone::utc();
    for doc in payloads(&chunk) {
        check_text(&transcript::text(&doc, &utc, false, None));
        check_text(&transcript::text(&doc, &utc, false, Some(40)));
        let _ = transcript::text(&doc, &utc, true, Some(1));
        check_text(&transcript::markdown(&doc, &utc));
        check_html(&transcript::html_article(&doc, &utc));
        check_json(&doc, &transcript::json_line(&doc, &utc));
    }
}

/// Line breaks and tabs are the only control characters; bidi overrides are escaped too.
fn check_text(out: &str) {
    for c in out.chars() {
        let control = c.is_control() && c != '\n' && c != '\t';
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!control && !bidi, "raw {c:?} in output:\n{out}");
    }
}

/// Tag names, classes and attributes the template writes; anything else came from content.
const TAGS: &[&str] = &[
    "article", "h1", "h2", "dl", "dt", "dd", "p", "div", "span", "time", "a",
];
const CLASSES: &[&str] = &[
    "m system",
    "m visitor",
    "m agent",
    "m trigger",
    "m unknown",
    "who",
    "text",
];
const ENTITIES: &[&str] = &["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];

fn check_html(out: &str) {
    assert!(!out.to_ascii_lowercase().contains("<script"), "{out}");
    let mut rest = out;
    while let Some(open) = rest.find('<') {
        let tag_and_after = &rest[open + 1..];
        let Some(close) = tag_and_after.find('>') else {
            panic!("a < that no > closes:\n{out}");
        };
        let tag = &tag_and_after[..close];
        assert!(template_tag(tag), "<{tag}> is not the template's:\n{out}");
        rest = &tag_and_after[close + 1..];
    }
    assert!(
        out.matches('>').count() == out.matches('<').count(),
        "stray > in:\n{out}"
    );
    for (at, _) in out.match_indices('&') {
        let entity = ENTITIES.iter().any(|e| out[at..].starts_with(e));
        assert!(entity, "bare & at {at}:\n{out}");
    }
}

fn template_tag(tag: &str) -> bool {
    // A closing tag is a name alone (`</a>` closes a link, which opens with attributes).
    if let Some(name) = tag.strip_prefix('/') {
        return TAGS.contains(&name);
    }
    let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
    if !TAGS.contains(&name) {
        return false;
    }
    if attrs.is_empty() {
        return name != "a";
    }
    if name == "a" {
        return web_link(attrs);
    }
    let value = |key: &str| {
        attrs
            .strip_prefix(key)
            .and_then(|v| v.strip_prefix("=\""))
            .and_then(|v| v.strip_suffix('"'))
    };
    match (name, value("class"), value("datetime")) {
        ("div" | "span", Some(class), None) => CLASSES.contains(&class),
        // An RFC 3339 instant or, out of range, the raw number.
        ("time", None, Some(instant)) => instant
            .chars()
            .all(|c| c.is_ascii_digit() || "-+:.T".contains(c)),
        _ => false,
    }
}

/// `href="http(s)://…" rel="noopener noreferrer nofollow"`: a web address with nothing that
/// could end the attribute.
fn web_link(attrs: &str) -> bool {
    let Some(rest) = attrs.strip_prefix("href=\"") else {
        return false;
    };
    let Some((url, rest)) = rest.split_once('"') else {
        return false;
    };
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.contains(|c: char| c.is_whitespace() || "<>'".contains(c))
        && rest == " rel=\"noopener noreferrer nofollow\""
}

fn check_json(doc: &Document, line: &str) {
    assert!(
        line.ends_with('\n') && !line[..line.len() - 1].contains('\n'),
        "not one line: {line:?}"
    );
    let value: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("json_line is not JSON: {e}"));
    assert_eq!(value["id"], doc.payload.conversation_id().as_ref());
    let Some(messages) = value["messages"].as_array() else {
        panic!("no messages array in {line}");
    };
    assert_eq!(messages.len(), doc.payload.messages.len());
    for (m, out) in doc.payload.messages.iter().zip(messages) {
        assert_eq!(out["text"].as_str(), m.content.as_deref());
        assert_eq!(out["name"].as_str(), m.name.as_deref());
    }
}

// ---- csv rows ----

/// A reference CSV reader: every record of a CSV text, the header first, as strings. The
/// library does not depend on a CSV reader (its tests and the fuzz crate do), so the caller
/// hands one in: `csv::ReaderBuilder::new().has_headers(false)` over the bytes.
pub type ReadCsv = fn(&[u8]) -> Vec<Vec<String>>;

/// Every payload in `data` exported with the real row code (`render::rows` +
/// `render::encode`, as `sshook export` writes CSV), conversation and message rows, with and
/// without the formula guard; read back with `read_csv`, it must hold the column names as
/// header and exactly the cells the columns computed.
pub fn check_csv_rows(data: &[u8], read_csv: ReadCsv) {
    let chunk = chunk(data);
    let docs = payloads(&chunk);
    let zone = DisplayZone::utc();
    for kind in [RowKind::Conversations, RowKind::Messages] {
        for safe in [false, true] {
            let columns =
                Columns::new(kind, &[], &[]).unwrap_or_else(|e| panic!("default columns: {e}"));
            let names: Vec<String> = columns.names().iter().map(|n| n.to_string()).collect();
            let mut expected: Vec<Vec<String>> = vec![names];
            let mut cells = Vec::new();
            for doc in &docs {
                let spelled = columns.for_each_row(doc.into(), &mut cells, |row| {
                    expected.push(row.iter().map(|c| spelled(c, &zone, safe)).collect());
                    Ok::<_, ()>(())
                });
                assert!(
                    spelled.is_ok(),
                    "cells of {}",
                    doc.payload.conversation_id()
                );
            }
            let options = Options {
                safe,
                ..Options::default()
            };
            let encoder = Encoder::new(columns, Format::Csv, zone.clone(), options)
                .unwrap_or_else(|e| panic!("encoder: {e}"));
            let mut writer =
                RowWriter::start(&encoder, Vec::new()).unwrap_or_else(|e| panic!("header: {e}"));
            for doc in &docs {
                let rendered = encoder
                    .render(doc.into())
                    .unwrap_or_else(|e| panic!("render: {e}"));
                writer
                    .write(rendered)
                    .unwrap_or_else(|e| panic!("write: {e}"));
            }
            let bytes = writer.finish().unwrap_or_else(|e| panic!("finish: {e}"));
            let back = read_csv(&bytes);
            assert_eq!(
                back.first(),
                expected.first(),
                "header ({kind:?}, safe {safe})"
            );
            assert_eq!(back, expected, "rows ({kind:?}, safe {safe})");
        }
    }
}

/// A cell as export's CSV spells it.
fn spelled(cell: &Cell, zone: &DisplayZone, safe: bool) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Int(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Text(t) if safe && is_formula_like(t) => format!("'{t}"),
        Cell::Text(t) => t.to_string(),
        Cell::Time(ms) => zone.rfc3339(*ms),
        Cell::Number(n) => n.to_string(),
    }
}
