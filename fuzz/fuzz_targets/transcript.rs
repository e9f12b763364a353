//! The transcript renderers: every payload read from the fuzz input rendered as text
//! (plain and coloured), markdown, HTML and JSON.
//!
//! Checked: no control characters from the input in text or markdown; in HTML every tag is
//! one of the template's (so no `<script` or any other markup can come from content) and every
//! `&` starts an entity; JSON parses back with the input's id and message texts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sshook::model::document::Document;
use sshook::render::transcript;
use sshook::model::time::DisplayZone;

fuzz_target!(|data: &[u8]| {
    let chunk = sshook_fuzz::chunk(data);
    let utc = DisplayZone::utc();
    for doc in sshook_fuzz::payloads(&chunk) {
        check_text(&transcript::text(&doc, &utc, false, None));
        check_text(&transcript::text(&doc, &utc, false, Some(40)));
        let _ = transcript::text(&doc, &utc, true, Some(1));
        check_text(&transcript::markdown(&doc, &utc));
        check_html(&transcript::html_article(&doc, &utc));
        check_json(&doc, &transcript::json_line(&doc, &utc));
    }
});

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
        let close = tag_and_after.find('>').expect("every < closes");
        let tag = &tag_and_after[..close];
        assert!(template_tag(tag), "<{tag}> is not the template's:\n{out}");
        rest = &tag_and_after[close + 1..];
    }
    assert!(!out.contains('>') || balanced_gt(out), "stray > in:\n{out}");
    for (at, _) in out.match_indices('&') {
        let entity = ENTITIES.iter().any(|e| out[at..].starts_with(e));
        assert!(entity, "bare & at {at}:\n{out}");
    }
}

fn template_tag(tag: &str) -> bool {
    let tag = tag.strip_prefix('/').unwrap_or(tag);
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

/// Every `>` closes a tag opened by `<`.
fn balanced_gt(out: &str) -> bool {
    out.matches('>').count() == out.matches('<').count()
}

fn check_json(doc: &Document, line: &str) {
    assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
    let value: Value = serde_json::from_str(line).expect("json_line is JSON");
    assert_eq!(value["id"], doc.payload.conversation_id().as_ref());
    let messages = value["messages"].as_array().expect("messages array");
    assert_eq!(messages.len(), doc.payload.messages.len());
    for (m, out) in doc.payload.messages.iter().zip(messages) {
        assert_eq!(out["text"].as_str(), m.content.as_deref());
        assert_eq!(out["name"].as_str(), m.name.as_deref());
    }
}
