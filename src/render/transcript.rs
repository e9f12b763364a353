//! One conversation as a transcript: text (aligned; coloured on a terminal), markdown, a
//! self-contained HTML page, or the normalised conversation as JSON.
//!
//! The text, markdown and HTML forms are three views of one [`Transcript`] (the header fields
//! and one line per message, in plain words), so they always say the same thing; each view
//! escapes for its medium. Nothing from the input reaches the output raw: control characters
//! (and bidirectional overrides) are shown as `\u{1b}`-style escapes, markdown and HTML
//! special characters are escaped, and JSON escapes by construction.

use std::fmt::Write as _;

use jiff::SignedDuration;
use serde_json::{json, Map, Value};
use unicode_width::UnicodeWidthStr;

use super::wrap::{links, wrap};
use crate::model::document::Document;
use crate::model::payload::{Attachment, Event, Message, Payload, SenderKind};
use crate::model::time::DisplayZone;

/// `show --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TranscriptFormat {
    /// Aligned text, coloured on a terminal.
    #[default]
    Text,
    /// Markdown, for tickets and notes.
    Markdown,
    /// One self-contained HTML page (inline CSS, no script).
    Html,
    /// The normalised conversation, one JSON object per line.
    Json,
}

/// On a terminal, the speaker column is as wide as the longest name up to this; a longer name
/// takes a line of its own, whole, with its message under the text column, so every message
/// starts in the same column. Off a terminal the column is as wide as the longest name.
const SPEAKER_WIDTH_CAP: usize = 16;

/// Messages wrap at the width, but their text column keeps at least this many columns.
const TEXT_WIDTH_MIN: usize = 20;

/// What a reader sees of one conversation, in plain (unescaped) words.
struct Transcript {
    id: String,
    /// Header fields in display order, each with one or more lines; empty ones are left out.
    fields: Vec<(&'static str, Vec<String>)>,
    lines: Vec<Line>,
}

/// One message.
struct Line {
    /// The local date (`2015-03-27 Friday`) when it differs from the previous message's.
    date: Option<String>,
    /// `HH:MM:SS` in the display zone.
    time: String,
    /// RFC 3339, for HTML's `<time datetime>`.
    instant: String,
    kind: SenderKind,
    /// Empty for system events, whose words are all in `text`.
    speaker: String,
    text: String,
}

fn transcript(doc: &Document, zone: &DisplayZone) -> Transcript {
    let p = &doc.payload;
    Transcript {
        id: p.conversation_id().into_owned(),
        fields: header_fields(doc, zone),
        lines: message_lines(p, zone),
    }
}

fn header_fields(doc: &Document, zone: &DisplayZone) -> Vec<(&'static str, Vec<String>)> {
    let p = &doc.payload;
    let v = p.visitor.clone().unwrap_or_default();
    let mut fields: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut add = |label: &'static str, values: Vec<String>| {
        let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
        if !values.is_empty() {
            fields.push((label, values));
        }
    };
    let zone_name = zone
        .tz
        .iana_name()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    add("Start", vec![long_time(zone, p.begin_at) + &zone_name]);
    add(
        "End",
        vec![p
            .end_at
            .map_or("(still open)".into(), |end| long_time(zone, end))],
    );
    add(
        "Duration",
        duration(p)
            .map(|secs| format!("{:#}", SignedDuration::from_secs(secs)))
            .into_iter()
            .collect(),
    );
    add("Status", vec![status_and_tags(p).join(", ")]);
    add("Rating", vec![rating(p)]);
    add(
        "Account",
        vec![p.account_id.map(|a| a.to_string()).unwrap_or_default()],
    );
    let text = |t: &Option<std::borrow::Cow<str>>| t.as_deref().unwrap_or("").to_owned();
    add("Visitor", vec![text(&v.name)]);
    add("Email", vec![text(&v.email)]);
    add("Location", vec![location(&v)]);
    add("Platform", vec![text(&v.platform)]);
    add("Note", vec![text(&v.note)]);
    add("Group", vec![v.group().unwrap_or("").to_owned()]);
    add("Variables", variables(v.variables));
    add("Pages", p.paths.iter().map(page).collect());
    add("Source", vec![doc.origin.to_string()]);
    fields
}

/// `2015-03-27 15:33:59 +00:00`; the raw number when out of range.
fn long_time(zone: &DisplayZone, ms: i64) -> String {
    match zone.zoned(ms) {
        Some(z) => z.strftime("%Y-%m-%d %H:%M:%S %:z").to_string(),
        None => ms.to_string(),
    }
}

/// The recorded duration in seconds, or the span from `beginAt` to `endAt` when none is (none
/// while an assembled conversation is open).
fn duration(p: &Payload) -> Option<i64> {
    p.channel
        .duration
        .or_else(|| Some(p.end_at?.saturating_sub(p.begin_at) / 1000))
}

fn status_and_tags(p: &Payload) -> Vec<&'static str> {
    let mut words = vec![p.status().as_str()];
    if p.is_triggered() {
        words.push("triggered");
    }
    words
}

/// `5/5`, `4/5 "quick and kind"`, or `none`.
fn rating(p: &Payload) -> String {
    let comment = p.channel.rating_desc.as_deref().unwrap_or("");
    let mut text = match p.channel.rating {
        Some(r) if (1..=5).contains(&r) => format!("{r}/5"),
        Some(r) => r.to_string(),
        None => String::from("none"),
    };
    if !comment.is_empty() {
        let _ = write!(text, " \u{201c}{comment}\u{201d}");
    }
    text
}

/// City, country (code), as sent — the official example has city and country swapped.
fn location(v: &crate::model::payload::Visitor) -> String {
    let parts: Vec<&str> = [v.city.as_deref(), v.country.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    let mut text = parts.join(", ");
    if let Some(code) = v.country_code.as_deref().filter(|c| !c.is_empty()) {
        text = if text.is_empty() {
            code.to_owned()
        } else {
            format!("{text} ({code})")
        };
    }
    text
}

/// `Label: value` for each custom variable; the raw JSON when it has another shape.
fn variables(raw: Option<crate::model::payload::RawJson>) -> Vec<String> {
    let Some(raw) = raw else { return Vec::new() };
    let Ok(value) = serde_json::from_str::<Value>(raw.get()) else {
        return vec![raw.get().to_owned()];
    };
    match value {
        Value::Null => Vec::new(),
        Value::Object(map) => map
            .iter()
            .map(|(key, var)| {
                let label = var
                    .get("label")
                    .and_then(Value::as_str)
                    .filter(|l| !l.is_empty())
                    .unwrap_or(key);
                // `{label, value}` (the published shape), or the value itself (a map of scalars).
                let value = match var.get("value").unwrap_or(var) {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{label}: {value}")
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

fn page(p: &crate::model::payload::Page) -> String {
    let title = p.title.as_deref().unwrap_or("");
    let url = p.url.as_deref().unwrap_or("");
    match (title.is_empty(), url.is_empty()) {
        (false, false) => format!("{title} <{url}>"),
        (false, true) => title.to_owned(),
        (true, _) => url.to_owned(),
    }
}

fn message_lines(p: &Payload, zone: &DisplayZone) -> Vec<Line> {
    let visitor_name = p
        .visitor
        .as_ref()
        .and_then(|v| v.name.as_deref())
        .unwrap_or("");
    let mut last_date = None;
    p.messages
        .iter()
        .map(|m| {
            let zoned = zone.zoned(m.sent_at);
            let (date, time) = match &zoned {
                Some(z) => (
                    z.strftime("%Y-%m-%d %A").to_string(),
                    z.strftime("%H:%M:%S").to_string(),
                ),
                None => (String::from("invalid date"), m.sent_at.to_string()),
            };
            let changed = last_date.as_ref() != Some(&date);
            last_date = Some(date.clone());
            let (speaker, mut text) = speaker_and_text(m, visitor_name);
            for file in m.attachments() {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&attachment(&file, zone));
            }
            Line {
                date: changed.then_some(date),
                time,
                instant: zone.rfc3339(m.sent_at),
                kind: m.sender_kind(),
                speaker,
                text,
            }
        })
        .collect()
}

fn speaker_and_text(m: &Message, visitor_name: &str) -> (String, String) {
    let name = m.name.as_deref().unwrap_or("");
    let text = m.text().to_owned();
    match m.sender_kind() {
        SenderKind::Visitor => {
            let who = [name, visitor_name, "Visitor"]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or("Visitor");
            (who.to_owned(), text)
        }
        SenderKind::Agent if !name.is_empty() => (name.to_owned(), text),
        SenderKind::Agent => match m.sender_id() {
            "" => (String::from("Agent"), text),
            id => (format!("Agent {id}"), text),
        },
        SenderKind::Trigger => match m.triggered_by.as_deref().filter(|t| !t.is_empty()) {
            Some(trigger) => (format!("trigger: {trigger}"), text),
            None => (String::from("trigger"), text),
        },
        SenderKind::System => (String::new(), event_words(m, visitor_name)),
        SenderKind::Note => {
            let who = match (name.is_empty(), m.sender_id()) {
                (false, _) => name.to_owned(),
                (true, "") => String::from("Agent"),
                (true, id) => format!("Agent {id}"),
            };
            (who, format!("(internal note) {text}").trim_end().to_owned())
        }
        SenderKind::Unknown if name.is_empty() => (m.kind.to_string(), text),
        SenderKind::Unknown => (format!("{name} ({})", m.kind), text),
    }
}

/// A system event in words; an unknown code as it is, with the name it came with.
fn event_words(m: &Message, visitor_name: &str) -> String {
    let name = m.name.as_deref().unwrap_or("");
    let code = m.text();
    let who = |fallback: &str| {
        if name.is_empty() {
            fallback.to_owned()
        } else {
            name.to_owned()
        }
    };
    let data_text = |key: &str| match m.data(key) {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let by_whom = || match (data_text("by"), data_text("byAgent")) {
        (by, _) if !by.is_empty() => format!(" by {by}"),
        (_, id) if !id.is_empty() => format!(" by agent {id}"),
        _ => String::new(),
    };
    match Event::from_code(code) {
        Event::AgentJoin => format!("{} joined the chat", who("an agent")),
        Event::AgentLeave => format!("{} left the chat", who("an agent")),
        Event::AgentAssign => format!("the chat was assigned to {}{}", who("an agent"), by_whom()),
        Event::AgentUnassign => format!(
            "{} was unassigned from the chat{}",
            who("an agent"),
            by_whom()
        ),
        Event::VisitorClose => String::from("the visitor closed the chat"),
        Event::AgentClose => format!("{} closed the chat", who("the agent")),
        Event::Close => match code.strip_prefix("close.") {
            Some(how) => format!("the chat was closed ({how})"),
            None => String::from("the chat was closed"),
        },
        Event::Rating => {
            let value = m.data("value").and_then(|v| v.as_i64());
            let comment = data_text("text");
            let mut words = String::from("the visitor rated the chat");
            match value {
                Some(v) if (1..=5).contains(&v) => {
                    let _ = write!(words, " {v}/5");
                }
                Some(v) => {
                    let _ = write!(words, " {v}");
                }
                None => {}
            }
            if !comment.is_empty() {
                let _ = write!(words, " \u{201c}{comment}\u{201d}");
            }
            words
        }
        Event::PageVisit => {
            let visitor = [name, visitor_name]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or("the visitor");
            match data_text("url") {
                url if url.is_empty() => format!("{visitor} visited a page"),
                url => format!("{visitor} visited {url}"),
            }
        }
        Event::Other if code.is_empty() => format!("system event without a code{}", by(name)),
        Event::Other => format!("system event {code}{}", by(name)),
    }
}

/// One file of a message: its name, type, size and link, and until when the link works.
fn attachment(file: &Attachment, zone: &DisplayZone) -> String {
    let mut about: Vec<String> = Vec::new();
    about.extend(file.kind.clone());
    about.extend(file.file_type.clone());
    if let Some(size) = file.size {
        about.push(bytes(size));
    }
    let mut text = format!("\u{1f4ce} {}", file.name());
    if !about.is_empty() {
        let _ = write!(text, " ({})", about.join(", "));
    }
    if let Some(url) = &file.url {
        let _ = write!(text, " {url}");
    }
    if let Some(until) = file.expire_at {
        let _ = write!(text, " (link works until {})", long_time(zone, until));
    }
    text
}

/// A size in bytes, in words: `512 bytes`, `12.5 KiB`, `3.1 MiB`.
fn bytes(size: i64) -> String {
    const KIB: f64 = 1024.0;
    let n = size as f64;
    if n.abs() < KIB {
        format!("{size} bytes")
    } else if n.abs() < KIB * KIB {
        format!("{:.1} KiB", n / KIB)
    } else if n.abs() < KIB * KIB * KIB {
        format!("{:.1} MiB", n / KIB / KIB)
    } else {
        format!("{:.1} GiB", n / KIB / KIB / KIB)
    }
}

fn by(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    }
}

// ---- escaping ----

/// Control characters and bidirectional overrides made visible (`\u{1b}`, `\r`). With
/// `multiline`, line breaks (`\n`, `\r\n`) and tabs stay as they are.
pub fn visible(text: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' if multiline => out.push(c),
            '\r' if multiline && chars.peek() == Some(&'\n') => {}
            c if c.is_control() || is_bidi_control(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for an HTML element or a quoted attribute.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for an HTML element with its `http`/`https` links as links; everything escaped.
pub fn html_linked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for link in links(text) {
        out.push_str(&html_escape(&text[at..link.start]));
        let url = html_escape(&text[link.clone()]);
        let _ = write!(
            out,
            "<a href=\"{url}\" rel=\"noopener noreferrer nofollow\">{url}</a>"
        );
        at = link.end;
    }
    out.push_str(&html_escape(&text[at..]));
    out
}

/// Text that markdown shows as it is: inline syntax and HTML backslash-escaped, and a line
/// start that would open a list, heading or quote too.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        let body = line.trim_start_matches(' ');
        out.push_str(&line[..line.len() - body.len()]);
        let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        for (at, c) in body.char_indices() {
            let line_start = at == 0 && matches!(c, '-' | '+' | '=');
            let ordered = at == digits && digits > 0 && matches!(c, '.' | ')');
            if line_start || ordered || "\\`*_[]<>|~#&!".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

// ---- text ----

const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(color: bool, style: &str, text: &str) -> String {
    if color {
        format!("{style}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn speaker_style(kind: SenderKind) -> &'static str {
    match kind {
        SenderKind::Visitor => "\x1b[1;34m",
        SenderKind::Agent => "\x1b[1;32m",
        SenderKind::Trigger => "\x1b[1;35m",
        SenderKind::Note => "\x1b[1;33m",
        SenderKind::System | SenderKind::Unknown => BOLD,
    }
}

/// The transcript as aligned text; `color` adds ANSI styles (dim times, bold speakers).
/// With a `width`, values and messages wrap at word boundaries (links stay whole), each
/// continuation line under the start of its text.
pub fn text(doc: &Document, zone: &DisplayZone, color: bool, width: Option<usize>) -> String {
    let t = transcript(doc, zone);
    let fill =
        |indent: usize| width.map_or(usize::MAX, |w| w.saturating_sub(indent).max(TEXT_WIDTH_MIN));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(color, BOLD, &format!("Conversation {}", t.id))
    );
    let label_width = t.fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let value_indent = " ".repeat(2 + label_width + 2);
    for (label, values) in &t.fields {
        let lines = values
            .iter()
            .flat_map(|v| wrap(&visible(v, false), fill(value_indent.len())));
        for (i, value) in lines.enumerate() {
            let label = if i == 0 { label } else { "" };
            let padded = format!("{label:label_width$}");
            let row = format!("  {}  {value}", paint(color, DIM, &padded));
            let _ = writeln!(out, "{}", row.trim_end());
        }
    }
    let speakers: Vec<String> = t.lines.iter().map(|l| visible(&l.speaker, false)).collect();
    let longest = speakers.iter().map(|s| s.width()).max().unwrap_or(0);
    // Names are never cut: off a terminal the column fits the longest.
    let speaker_width = match width {
        Some(_) => longest.min(SPEAKER_WIDTH_CAP),
        None => longest,
    };
    for (line, speaker) in t.lines.iter().zip(&speakers) {
        if let Some(date) = &line.date {
            let _ = writeln!(out, "\n{}", paint(color, BOLD, &format!("── {date} ──")));
        }
        let time = paint(color, DIM, &line.time);
        let time_width = line.time.width();
        if line.kind == SenderKind::System {
            let indent = time_width + 2 + 2;
            let words = wrap(&visible(&line.text, false), fill(indent));
            for (i, words) in words.iter().enumerate() {
                let words = if i == 0 {
                    format!("· {words}")
                } else {
                    words.clone()
                };
                let lead = if i == 0 {
                    time.clone()
                } else {
                    " ".repeat(time_width)
                };
                let pad = if i == 0 { "" } else { "  " };
                let _ = writeln!(out, "{lead}  {pad}{}", paint(color, DIM, &words));
            }
            continue;
        }
        let indent = time_width + 2 + speaker_width + 2;
        let body = wrap(&visible(&line.text, true), fill(indent));
        let blank = " ".repeat(indent);
        let whole = speaker.width() <= speaker_width;
        let pad = " ".repeat(speaker_width.saturating_sub(speaker.width()));
        if !whole {
            // A name longer than the column: whole, on a line of its own (wrapped at its words
            // if it is wider than the terminal); the text below it.
            for (i, part) in wrap(speaker, fill(time_width + 2)).iter().enumerate() {
                let lead = if i == 0 {
                    time.clone()
                } else {
                    " ".repeat(time_width)
                };
                let part = paint(color, speaker_style(line.kind), part);
                let _ = writeln!(out, "{lead}  {part}");
            }
        }
        let speaker = paint(color, speaker_style(line.kind), speaker);
        for (i, text) in body.iter().enumerate() {
            let row = if i == 0 && whole {
                format!("{time}  {speaker}{pad}  {text}")
            } else {
                format!("{blank}{text}")
            };
            let _ = writeln!(out, "{}", row.trim_end());
        }
    }
    out
}

/// What goes between two text transcripts.
pub const TEXT_SEPARATOR: &str =
    "\n════════════════════════════════════════════════════════════════════════\n\n";

// ---- markdown ----

/// The transcript as markdown: a heading, the header as a list, a heading per local date
/// and a paragraph per message.
pub fn markdown(doc: &Document, zone: &DisplayZone) -> String {
    let t = transcript(doc, zone);
    let mut out = format!("# Conversation {}\n\n", t.id);
    for (label, values) in &t.fields {
        let md = |v: &String| markdown_escape(&visible(v, false));
        if let [value] = values.as_slice() {
            let _ = writeln!(out, "- **{label}:** {}", md(value));
        } else {
            let _ = writeln!(out, "- **{label}:**");
            for value in values {
                let _ = writeln!(out, "  - {}", md(value));
            }
        }
    }
    for line in &t.lines {
        if let Some(date) = &line.date {
            let _ = write!(out, "\n## {date}\n");
        }
        let text = markdown_escape(&visible(&line.text, true));
        if line.kind == SenderKind::System {
            let _ = write!(out, "\n*{} · {text}*\n", line.time);
        } else {
            let speaker = markdown_escape(&visible(&line.speaker, false));
            let _ = write!(out, "\n**{} {speaker}:** {text}\n", line.time);
        }
    }
    out
}

/// What goes between two markdown transcripts.
pub const MARKDOWN_SEPARATOR: &str = "\n---\n\n";

// ---- html ----

const HTML_STYLE: &str = "\
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#222;background:#fff}
article+article{border-top:3px double #bbb;margin-top:2rem;padding-top:1rem}
h1{font-size:1.4rem;margin:0 0 .5rem}
h2{font-size:1rem;color:#555;border-bottom:1px solid #ddd;margin:1.5rem 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:0}
dt{color:#666}dd{margin:0}dd p{margin:0}
.m{display:grid;grid-template-columns:5rem 12rem 1fr;gap:.75rem;padding:.2rem 0}
.m time{color:#888;font-variant-numeric:tabular-nums}
.who{font-weight:600;overflow-wrap:anywhere}
.visitor .who{color:#1a5fb4}.agent .who{color:#26a269}.trigger .who{color:#9141ac}
.note{background:#fdf6d8}.note .who{color:#986a00}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.system{color:#777;font-style:italic;grid-template-columns:5rem 1fr}
a{color:#1a5fb4}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000}article+article{break-before:page;border:0;margin:0;padding:0}.m{break-inside:avoid}h2{break-after:avoid}a{color:inherit}}
";

/// The page's title for the conversation that opens it: its id, visitor and local date
/// (escaped for HTML).
pub fn html_title(doc: &Document, zone: &DisplayZone) -> String {
    let p = &doc.payload;
    let mut title = format!("Conversation {}", p.conversation_id());
    let visitor = p.visitor.as_ref().and_then(|v| v.name.as_deref());
    if let Some(name) = visitor.filter(|n| !n.trim().is_empty()) {
        let _ = write!(title, " \u{b7} {}", visible(name, false));
    }
    if let Some(day) = zone.zoned(p.begin_at) {
        let _ = write!(title, " \u{b7} {}", day.strftime("%Y-%m-%d"));
    }
    html_escape(&title)
}

/// The start of the page, before the first conversation; `title` is already escaped.
pub fn html_page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{title}</title>\n<style>\n{HTML_STYLE}</style>\n</head>\n<body>\n"
    )
}

/// The end of the page, after the last conversation.
pub const HTML_PAGE_END: &str = "</body>\n</html>\n";

/// One conversation as an `<article>`; every text from the input is escaped.
pub fn html_article(doc: &Document, zone: &DisplayZone) -> String {
    let t = transcript(doc, zone);
    let h = |text: &str, multiline: bool| html_escape(&visible(text, multiline));
    let mut out = format!("<article>\n<h1>Conversation {}</h1>\n<dl>\n", t.id);
    for (label, values) in &t.fields {
        let _ = write!(out, "<dt>{label}</dt><dd>");
        let linked = |v: &String| html_linked(&visible(v, false));
        if let [value] = values.as_slice() {
            out.push_str(&linked(value));
        } else {
            for value in values {
                let _ = write!(out, "<p>{}</p>", linked(value));
            }
        }
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
    for line in &t.lines {
        if let Some(date) = &line.date {
            let _ = writeln!(out, "<h2>{}</h2>", html_escape(date));
        }
        let time = format!(
            "<time datetime=\"{}\">{}</time>",
            html_escape(&line.instant),
            html_escape(&line.time)
        );
        if line.kind == SenderKind::System {
            let _ = writeln!(
                out,
                "<div class=\"m system\">{time}<span>{}</span></div>",
                h(&line.text, false)
            );
        } else {
            let _ = writeln!(
                out,
                "<div class=\"m {}\">{time}<span class=\"who\">{}</span><span class=\"text\">{}</span></div>",
                line.kind.as_str(),
                h(&line.speaker, false),
                html_linked(&visible(&line.text, true))
            );
        }
    }
    out.push_str("</article>\n");
    out
}

// ---- json ----

/// The normalised conversation as one line of JSON (snake_case keys, times in RFC 3339 in
/// the display zone, durations in seconds), with the input's unknown fields under `extra`.
pub fn json_line(doc: &Document, zone: &DisplayZone) -> String {
    let mut line = normalised(doc, zone).to_string();
    line.push('\n');
    line
}

fn normalised(doc: &Document, zone: &DisplayZone) -> Value {
    let p = &doc.payload;
    let c = &p.channel;
    let v = p.visitor.clone().unwrap_or_default();
    let variables = v
        .variables
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .unwrap_or(Value::Null);
    let tags: Vec<&str> = status_and_tags(p).into_iter().skip(1).collect();
    let (extra, mut message_extra) = extra_fields(doc.raw());
    json!({
        "id": p.conversation_id(),
        "channel_id": p.channel.id,
        "source": p.source().as_str(),
        "account_id": p.account_id,
        "begin_at": zone.rfc3339(p.begin_at),
        "end_at": p.end_at.map(|end| zone.rfc3339(end)),
        "duration": duration(p),
        "status": p.status().as_str(),
        "tags": tags,
        "rating": c.rating,
        "rating_desc": c.rating_desc,
        "recorded": {
            "duration": c.duration,
            "avg_response": c.avg_response,
            "first_response": c.first_response,
            "messages_count": c.messages_count,
            "words_count": c.words_count,
        },
        "visitor": {
            "id": v.id,
            "name": v.name,
            "email": v.email,
            "note": v.note,
            "group": v.group(),
            "ip_address": v.ip_address,
            "city": v.city,
            "country_code": v.country_code,
            "country": v.country,
            "user_agent": v.user_agent,
            "platform": v.platform,
            "referer": v.referer,
            "variables": variables,
        },
        "pages": p.paths.iter().map(|page| json!({"url": page.url, "title": page.title})).collect::<Vec<_>>(),
        "messages": p.messages.iter().enumerate().map(|(index, m)| {
            let mut message = json!({
                "index": index,
                "sent_at": zone.rfc3339(m.sent_at),
                "sender_kind": m.sender_kind().as_str(),
                "sender_id": m.sender_id(),
                "name": m.name,
                "text": m.content,
                "trigger": m.triggered_by,
                "event": m.event_code(),
            });
            // Present only on the messages that carry them.
            if let Some(files) = m.attachments.and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok()) {
                message["attachments"] = files;
            }
            if let Some(data) = m.data.and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok()) {
                message["data"] = data;
            }
            message["extra"] = Value::Object(message_extra.get_mut(index).map(std::mem::take).unwrap_or_default());
            message
        }).collect::<Vec<_>>(),
        "source": doc.origin.to_string(),
        "extra": extra,
    })
}

const KNOWN_TOP: &[&str] = &[
    "accountId",
    "beginAt",
    "endAt",
    "channel",
    "visitor",
    "paths",
    "messages",
];
const KNOWN_CHANNEL: &[&str] = &[
    "id",
    "isChat",
    "isMissed",
    "isTriggered",
    "isOffline",
    "isCompleted",
    "isDropped",
    "duration",
    "avgResponse",
    "firstResponse",
    "messagesCount",
    "wordsCount",
    "rating",
    "ratingDesc",
];
const KNOWN_VISITOR: &[&str] = &[
    "id",
    "name",
    "email",
    "note",
    "group",
    "groupKey",
    "ipAddress",
    "city",
    "countryCode",
    "country",
    "userAgent",
    "platform",
    "referer",
    "variables",
];
const KNOWN_PAGE: &[&str] = &["url", "title"];
const KNOWN_MESSAGE: &[&str] = &[
    "type",
    "name",
    "from",
    "content",
    "sentAt",
    "triggeredBy",
    "attachments",
    "data",
];

/// Fields the model does not know, so that the normalised form loses nothing the sender
/// added: the payload's by JSON path (`channel.isSpam`, `paths[1].lang`), and each message's
/// under that message (`email` of the documented variant included).
fn extra_fields(raw: &str) -> (Map<String, Value>, Vec<Map<String, Value>>) {
    let mut extra = Map::new();
    let mut messages = Vec::new();
    let Ok(top) = serde_json::from_str::<Value>(raw) else {
        return (extra, messages);
    };
    let unknown = |into: &mut Map<String, Value>, prefix: &str, value: &Value, known: &[&str]| {
        if let Value::Object(map) = value {
            for (key, value) in map {
                if !known.contains(&key.as_str()) {
                    into.insert(format!("{prefix}{key}"), value.clone());
                }
            }
        }
    };
    unknown(&mut extra, "", &top, KNOWN_TOP);
    if let Some(channel) = top.get("channel") {
        unknown(&mut extra, "channel.", channel, KNOWN_CHANNEL);
    }
    if let Some(visitor) = top.get("visitor") {
        unknown(&mut extra, "visitor.", visitor, KNOWN_VISITOR);
    }
    if let Some(Value::Array(items)) = top.get("paths") {
        for (i, item) in items.iter().enumerate() {
            unknown(&mut extra, &format!("paths[{i}]."), item, KNOWN_PAGE);
        }
    }
    if let Some(Value::Array(items)) = top.get("messages") {
        for item in items {
            let mut own = Map::new();
            unknown(&mut own, "", item, KNOWN_MESSAGE);
            messages.push(own);
        }
    }
    (extra, messages)
}
