//! The rows of `list` and `export`: which columns exist, what each means, and how each cell is
//! computed from a payload. Cells are typed ([`Cell`]) so that every writer keeps numbers as
//! numbers, flags as booleans and null as null: CSV, TSV, NDJSON, JSON, tables and Parquet all
//! read the same rows.
//!
//! Column names are stable snake_case: they are the CSV header, the NDJSON keys and what
//! `--columns` and `--list-columns` speak.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;

use anyhow::{bail, Result};
use serde_json::value::RawValue;

use crate::jsontext::compact_json;
use crate::model::document::{Document, EventDoc};
use crate::model::payload::{Counted, Message, Payload, Scalar, Visitor};

/// One typed value of a row. A missing or null value is [`Cell::Null`] and a sent empty string
/// stays an empty [`Cell::Text`]: JSON and Parquet keep the difference, CSV writes both as an
/// empty cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(Cow<'a, str>),
    /// An instant in epoch milliseconds, written as RFC 3339 in the display zone.
    Time(i64),
    /// A JSON number that is not a 64-bit integer (a custom variable), exactly as sent.
    Number(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    /// A text cell as sent: missing is null, `""` stays `""`.
    pub fn text(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Null, |t| Cell::Text(Cow::Borrowed(t)))
    }

    /// A text sshook computed (names joined, …): empty means there is none, so null.
    pub fn owned_text(text: String) -> Cell<'a> {
        if text.is_empty() {
            Cell::Null
        } else {
            Cell::Text(Cow::Owned(text))
        }
    }

    fn int(value: Option<i64>) -> Cell<'a> {
        value.map_or(Cell::Null, Cell::Int)
    }

    fn flag(value: Option<bool>) -> Cell<'a> {
        value.map_or(Cell::Null, Cell::Bool)
    }
}

/// The type of a column's cells, for writers that declare types (Parquet) and for the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    Text,
    /// Epoch milliseconds shown as RFC 3339 ([`Cell::Time`]).
    Time,
    /// Text holding compact JSON.
    Json,
    /// Whatever the payload sent: text, integer, number or boolean (ids, custom variables).
    Any,
}

/// A column: its name, one line on what it holds, its type and how to compute it.
pub struct Column<F: 'static> {
    pub name: &'static str,
    pub kind: Kind,
    pub meaning: &'static str,
    pub cell: F,
}

/// Computes a conversation cell.
pub type ConversationCell = for<'p, 'r> fn(&'r Conversation<'p>) -> Cell<'p>;
/// Computes a message cell.
pub type MessageCell = for<'p, 'r> fn(&'r MessageRow<'p>) -> Cell<'p>;
/// Computes a webhook event cell.
pub type EventCell = for<'p> fn(&'p EventDoc<'p>) -> Cell<'p>;

/// What rows are made from: a conversation (a POST-hook payload or an assembled one), or one
/// webhook event as stored (`--rows events`).
#[derive(Clone, Copy)]
pub enum Record<'p> {
    Conversation(&'p Document<'p>),
    Event(&'p EventDoc<'p>),
}

impl<'p> From<&'p Document<'p>> for Record<'p> {
    fn from(doc: &'p Document<'p>) -> Record<'p> {
        Record::Conversation(doc)
    }
}

impl<'p> From<&'p EventDoc<'p>> for Record<'p> {
    fn from(doc: &'p EventDoc<'p>) -> Record<'p> {
        Record::Event(doc)
    }
}

impl<'p> Record<'p> {
    /// The record's JSON text as read.
    pub fn raw(self) -> &'p str {
        match self {
            Record::Conversation(doc) => doc.raw(),
            Record::Event(doc) => doc.raw,
        }
    }

    /// About the length of [`Record::raw`], without making a redacted document's text.
    pub fn raw_len(self) -> usize {
        match self {
            Record::Conversation(doc) => doc.raw_len(),
            Record::Event(doc) => doc.raw.len(),
        }
    }
}

/// One conversation being turned into a row: the document and what is computed once for it.
pub struct Conversation<'p> {
    pub doc: &'p Document<'p>,
    /// Counted only when a column asks (a word count reads every message's text).
    counted: OnceCell<Counted>,
    variables: OnceCell<HashMap<String, &'p RawValue>>,
}

impl<'p> Conversation<'p> {
    pub fn new(doc: &'p Document<'p>) -> Conversation<'p> {
        Conversation {
            doc,
            counted: OnceCell::new(),
            variables: OnceCell::new(),
        }
    }

    pub fn payload(&self) -> &'p Payload<'p> {
        &self.doc.payload
    }

    pub fn counted(&self) -> Counted {
        *self.counted.get_or_init(|| self.doc.payload.counted())
    }

    fn visitor(&self) -> Option<&'p Visitor<'p>> {
        self.doc.payload.visitor.as_ref()
    }

    fn visitor_text(&self, field: fn(&'p Visitor<'p>) -> Option<&'p str>) -> Cell<'p> {
        Cell::text(self.visitor().and_then(field))
    }

    /// The value of the custom variable `key` (`{ "label", "value" }`, or a bare value).
    pub fn variable(&self, key: &str) -> Cell<'p> {
        let variables = self.variables.get_or_init(|| {
            self.visitor()
                .and_then(|v| v.variables)
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .unwrap_or_default()
        });
        let Some(entry) = variables.get(key) else {
            return Cell::Null;
        };
        // `Some` also for `"value": null`, which is then a null cell, not the whole entry.
        fn present<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<&'de RawValue>, D::Error> {
            serde::Deserialize::deserialize(d).map(Some)
        }
        #[derive(serde::Deserialize)]
        struct Labelled<'a> {
            #[serde(default, borrow, deserialize_with = "present")]
            value: Option<&'a RawValue>,
        }
        let value = match serde_json::from_str::<Labelled>(entry.get()) {
            Ok(Labelled { value: Some(value) }) => value,
            _ => entry,
        };
        json_cell(value.get())
    }
}

/// One message being turned into a row.
pub struct MessageRow<'p> {
    pub doc: &'p Document<'p>,
    /// 0-based position in `messages`, as in the JSON path `messages[3]`.
    pub index: usize,
    pub message: &'p Message<'p>,
}

/// A JSON value as a cell: strings as text, integers as integers, other numbers as sent,
/// objects and arrays as compact JSON text.
pub fn json_cell(raw: &str) -> Cell<'_> {
    match raw.as_bytes().first() {
        Some(b'"') => match serde_json::from_str::<&str>(raw) {
            Ok(text) => Cell::text(Some(text)),
            Err(_) => serde_json::from_str::<String>(raw).map_or(Cell::Null, Cell::owned_text),
        },
        Some(b't') => Cell::Bool(true),
        Some(b'f') => Cell::Bool(false),
        Some(b'n') | None => Cell::Null,
        Some(b'{' | b'[') => Cell::Text(compact_json(raw)),
        Some(_) => match raw.parse::<i64>() {
            Ok(n) => Cell::Int(n),
            Err(_) => Cell::Number(Cow::Borrowed(raw)),
        },
    }
}

/// A field sent as a string or a number (visitor id, group): an integer cell when it was a
/// JSON integer, text otherwise.
fn scalar<'a>(value: Option<&'a Scalar<'a>>) -> Cell<'a> {
    match value {
        Some(v) if v.number => match v.text.parse::<i64>() {
            Ok(n) => Cell::Int(n),
            Err(_) => Cell::Number(Cow::Borrowed(&v.text)),
        },
        Some(v) => Cell::text(Some(&v.text)),
        None => Cell::Null,
    }
}

fn joined(names: Vec<&str>) -> Cell<'_> {
    match names.as_slice() {
        [] => Cell::Null,
        [one] => Cell::text(Some(one)),
        _ => Cell::owned_text(names.join("; ")),
    }
}

macro_rules! column {
    ($name:literal, $kind:ident, $meaning:literal, $cell:expr) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            meaning: $meaning,
            cell: $cell,
        }
    };
}

/// The columns of `--rows conversations`, in their default order.
pub static CONVERSATION_COLUMNS: &[Column<ConversationCell>] =
    &[
        column!(
            "conversation_id",
            Text,
            "the conversation's id as text: a webhook conversation id, or channel.id's digits",
            |c| Cell::owned_text(c.payload().conversation_id().into_owned())
        ),
        column!(
            "source",
            Text,
            "post-hook (one payload) or webhook (assembled from events)",
            |c| Cell::text(Some(c.payload().source().as_str()))
        ),
        column!(
            "channel_id",
            Int,
            "POST-hook conversation id (channel.id); empty for webhook conversations",
            |c| Cell::int(c.payload().channel.id)
        ),
        column!("account_id", Int, "Smartsupp account id (accountId)", |c| {
            Cell::int(c.payload().account_id)
        }),
        column!(
            "begin_at",
            Time,
            "start, RFC 3339 with offset in the display zone (beginAt)",
            |c| Cell::Time(c.payload().begin_at)
        ),
        column!(
            "end_at",
            Time,
            "end, RFC 3339 with offset in the display zone (endAt)",
            |c| c.payload().end_at.map_or(Cell::Null, Cell::Time)
        ),
        column!(
            "begin_at_ms",
            Int,
            "start, epoch milliseconds UTC, as sent",
            |c| Cell::Int(c.payload().begin_at)
        ),
        column!(
            "end_at_ms",
            Int,
            "end, epoch milliseconds UTC, as sent",
            |c| Cell::int(c.payload().end_at)
        ),
        column!(
            "duration",
            Int,
            "length in seconds (channel.duration)",
            |c| Cell::int(c.payload().channel.duration)
        ),
        column!("status", Text,
        "offline, missed, dropped, completed or incomplete: the first of these flags that holds",
        |c| Cell::text(Some(c.payload().status().as_str()))),
        column!(
            "is_chat",
            Bool,
            "visitor and agent both sent messages (channel.isChat)",
            |c| Cell::flag(c.payload().channel.is_chat)
        ),
        column!(
            "is_missed",
            Bool,
            "no agent answered the last visitor message (channel.isMissed)",
            |c| Cell::flag(c.payload().channel.is_missed)
        ),
        column!(
            "is_triggered",
            Bool,
            "at least one automatic (trigger) message (channel.isTriggered)",
            |c| Cell::flag(c.payload().channel.is_triggered)
        ),
        column!(
            "is_offline",
            Bool,
            "an offline message: no agent was online (channel.isOffline)",
            |c| Cell::flag(c.payload().channel.is_offline)
        ),
        column!(
            "is_completed",
            Bool,
            "closed, every visitor message answered (channel.isCompleted)",
            |c| Cell::flag(c.payload().channel.is_completed)
        ),
        column!("is_dropped", Bool, "dropped (channel.isDropped)", |c| {
            Cell::flag(c.payload().channel.is_dropped)
        }),
        column!(
            "first_response",
            Int,
            "seconds to the first agent response (channel.firstResponse)",
            |c| Cell::int(c.payload().channel.first_response)
        ),
        column!(
            "avg_response",
            Int,
            "mean agent response time in seconds (channel.avgResponse)",
            |c| Cell::int(c.payload().channel.avg_response)
        ),
        column!(
            "messages_recorded",
            Int,
            "messages as the payload counts them (channel.messagesCount)",
            |c| Cell::int(c.payload().channel.messages_count)
        ),
        column!(
            "messages_counted",
            Int,
            "visitor and agent messages, trigger messages included, system events not",
            |c| Cell::Int(c.counted().messages)
        ),
        column!(
            "words_recorded",
            Int,
            "words as the payload counts them (channel.wordsCount)",
            |c| Cell::int(c.payload().channel.words_count)
        ),
        column!(
            "words_counted",
            Int,
            "words of the counted messages, split on whitespace",
            |c| Cell::Int(c.counted().words)
        ),
        column!(
            "rating",
            Int,
            "the visitor's rating; empty when none (channel.rating)",
            |c| Cell::int(c.payload().channel.rating)
        ),
        column!(
            "rating_desc",
            Text,
            "the visitor's rating comment (channel.ratingDesc)",
            |c| Cell::text(c.payload().channel.rating_desc.as_deref())
        ),
        column!(
            "visitor_id",
            Any,
            "visitor id (visitor.id): an integer, or text if sent as text",
            |c| scalar(c.visitor().and_then(|v| v.id.as_ref()))
        ),
        column!("visitor_name", Text, "visitor name (visitor.name)", |c| c
            .visitor_text(|v| v.name.as_deref())),
        column!(
            "visitor_email",
            Text,
            "visitor email (visitor.email)",
            |c| c.visitor_text(|v| v.email.as_deref())
        ),
        column!(
            "visitor_note",
            Text,
            "note on the visitor (visitor.note)",
            |c| c.visitor_text(|v| v.note.as_deref())
        ),
        column!(
            "visitor_group",
            Any,
            "visitor group (visitor.group, or visitor.groupKey)",
            |c| scalar(
                c.visitor()
                    .and_then(|v| v.group.as_ref().or(v.group_key.as_ref()))
            )
        ),
        column!(
            "visitor_ip",
            Text,
            "visitor IP address (visitor.ipAddress)",
            |c| c.visitor_text(|v| v.ip_address.as_deref())
        ),
        column!(
            "visitor_city",
            Text,
            "visitor city as sent (visitor.city)",
            |c| c.visitor_text(|v| v.city.as_deref())
        ),
        column!(
            "visitor_country_code",
            Text,
            "visitor country code, e.g. CZ (visitor.countryCode)",
            |c| c.visitor_text(|v| v.country_code.as_deref())
        ),
        column!(
            "visitor_country",
            Text,
            "visitor country as sent (visitor.country)",
            |c| c.visitor_text(|v| v.country.as_deref())
        ),
        column!(
            "visitor_platform",
            Text,
            "visitor platform, e.g. MacIntel (visitor.platform)",
            |c| c.visitor_text(|v| v.platform.as_deref())
        ),
        column!(
            "visitor_user_agent",
            Text,
            "visitor browser user agent (visitor.userAgent)",
            |c| c.visitor_text(|v| v.user_agent.as_deref())
        ),
        column!(
            "visitor_referer",
            Text,
            "page the visitor came from (visitor.referer)",
            |c| c.visitor_text(|v| v.referer.as_deref())
        ),
        column!(
            "agents",
            Text,
            "names of the agents who wrote, in order of first message, joined by \"; \"",
            |c| joined(c.payload().agents())
        ),
        column!(
            "triggers",
            Text,
            "names of the triggers that fired, in order, joined by \"; \"",
            |c| joined(c.payload().triggers())
        ),
        column!(
            "pages",
            Int,
            "number of pages the visitor went through (paths)",
            |c| Cell::Int(c.payload().paths.len() as i64)
        ),
        column!(
            "first_url",
            Text,
            "URL of the first page (paths[0].url)",
            |c| Cell::text(c.payload().paths.first().and_then(|p| p.url.as_deref()))
        ),
        column!(
            "first_visitor_message",
            Text,
            "text of the visitor's first message",
            |c| Cell::text(
                c.payload()
                    .first_visitor_message()
                    .and_then(|m| m.content.as_deref())
            )
        ),
        column!(
            "variables",
            Json,
            "the visitor's custom variables as compact JSON (visitor.variables)",
            |c| match c.visitor().and_then(|v| v.variables) {
                Some(raw) if raw.get() != "null" => Cell::Text(match raw.known_compact() {
                    Some(text) => Cow::Borrowed(text),
                    None => compact_json(raw.get()),
                }),
                _ => Cell::Null,
            }
        ),
        column!(
            "source_file",
            Text,
            "the file the payload was read from (<stdin> for standard input)",
            |c| Cell::text(Some(&c.doc.origin.file))
        ),
        column!(
            "source_line",
            Int,
            "line of the payload in that file (of the element, in an array)",
            |c| Cell::int(c.doc.origin.line.map(|l| l as i64))
        ),
    ];

/// The columns of `--rows messages`, in their default order.
pub static MESSAGE_COLUMNS: &[Column<MessageCell>] = &[
    column!(
        "conversation_id",
        Text,
        "the conversation's id as text (webhook id, or channel.id's digits)",
        |m| Cell::owned_text(m.doc.payload.conversation_id().into_owned())
    ),
    column!(
        "channel_id",
        Int,
        "conversation id (channel.id); empty for webhook conversations",
        |m| { Cell::int(m.doc.payload.channel.id) }
    ),
    column!(
        "index",
        Int,
        "0-based position in the conversation (messages[index])",
        |m| Cell::Int(m.index as i64)
    ),
    column!(
        "sent_at",
        Time,
        "when it was sent, RFC 3339 with offset in the display zone",
        |m| Cell::Time(m.message.sent_at)
    ),
    column!(
        "sent_at_ms",
        Int,
        "when it was sent, epoch milliseconds UTC, as sent",
        |m| Cell::Int(m.message.sent_at)
    ),
    column!(
        "offset_ms",
        Int,
        "milliseconds since the conversation began (sentAt - beginAt)",
        |m| Cell::Int(m.message.sent_at.saturating_sub(m.doc.payload.begin_at))
    ),
    column!(
        "type",
        Text,
        "the message type as sent: visitor, agent, system, or note (an agent's internal note)",
        |m| Cell::text(Some(&m.message.kind))
    ),
    column!(
        "sender_kind",
        Text,
        "visitor, agent, trigger (automatic message), system, or note (internal, not a reply)",
        |m| Cell::text(Some(m.message.sender_kind().as_str()))
    ),
    column!(
        "sender_id",
        Text,
        "agent id or visitor key, from `from` without its prefix",
        |m| Cell::text(Some(m.message.sender_id()).filter(|id| !id.is_empty()))
    ),
    column!("name", Text, "display name of the sender", |m| Cell::text(
        m.message.name.as_deref()
    )),
    column!(
        "content",
        Text,
        "the text (for system messages the event code)",
        |m| Cell::text(m.message.content.as_deref())
    ),
    column!(
        "trigger",
        Text,
        "the trigger's name, for automatic messages (triggeredBy)",
        |m| Cell::text(m.message.triggered_by.as_deref())
    ),
    column!(
        "event",
        Text,
        "the event code of a system message, e.g. agent.join",
        |m| Cell::text(m.message.event_code())
    ),
    column!(
        "attachments",
        Json,
        "the files sent with the message as compact JSON, [{type, url, fileName, fileType, size, expireAt}]",
        |m| match m.message.attachments {
            Some(raw) => Cell::Text(compact_json(raw.get())),
            None => Cell::Null,
        }
    ),
];

/// The columns of `--rows events`, in their default order.
pub static EVENT_COLUMNS: &[Column<EventCell>] = &[
    column!(
        "time",
        Time,
        "when the event was created (timestamp), RFC 3339",
        |e| Cell::Time(e.event.timestamp)
    ),
    column!("event", Text, "the event name, e.g. conversation.closed", |e| {
        Cell::text(Some(&e.event.event))
    }),
    column!(
        "conversation_id",
        Text,
        "the conversation it belongs to (data.conversation.id, data.message.conversation_id or data.conversation_id)",
        |e| Cell::text(e.event.conversation_id())
    ),
    column!("message_id", Text, "data.message.id", |e| Cell::text(
        e.event.data.message.as_ref().map(|m| &*m.id.text)
    )),
    column!(
        "sub_type",
        Text,
        "data.message.sub_type: contact, agent, bot, trigger or system",
        |e| Cell::text(e.event.data.message.as_ref().and_then(|m| m.sub_type.as_deref()))
    ),
    column!(
        "author",
        Text,
        "data.message.author_name",
        |e| Cell::text(e.event.data.message.as_ref().and_then(|m| m.author_name.as_deref()))
    ),
    column!(
        "text",
        Text,
        "the message text (data.message.content, or its text when it is an object)",
        |e| Cell::text(e.event.data.message.as_ref().and_then(|m| m.content.as_ref()).map(|c| c.text()))
    ),
    column!("account_id", Text, "account_id (a string)", |e| Cell::text(
        e.event.account_id.as_deref()
    )),
    column!(
        "source_file",
        Text,
        "the file the event was read from (<stdin> for standard input)",
        |e| Cell::text(Some(&e.origin.file))
    ),
    column!(
        "source_line",
        Int,
        "line of the event in that file",
        |e| Cell::int(e.origin.line.map(|l| l as i64))
    ),
    column!(
        "raw",
        Json,
        "the whole event as compact JSON, every field kept",
        |e| Cell::Text(compact_json(e.raw))
    ),
];

/// The columns a person reads, named as in `sshook export --list-columns`, each with its
/// priority in a table too narrow for all of them (0 the most important; the highest hide
/// first): what `list` shows, and `export --format table` without `--columns` or `--wide`.
const READING_COLUMNS: [(&str, u16); 10] = [
    ("conversation_id", 0),
    ("begin_at", 1),
    ("duration", 6),
    ("status", 2),
    ("visitor_name", 3),
    ("visitor_country_code", 9),
    ("agents", 5),
    ("messages_counted", 7),
    ("rating", 8),
    ("first_visitor_message", 4),
];

/// [`READING_COLUMNS`]' names and priorities.
pub fn reading_columns() -> (Vec<String>, Vec<u16>) {
    READING_COLUMNS
        .iter()
        .map(|(c, p)| (c.to_string(), *p))
        .unzip()
}

/// What one row stands for (`--rows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowKind {
    /// One row per conversation (POST-hook payloads and conversations assembled from webhook
    /// events).
    #[default]
    Conversations,
    /// One row per message.
    Messages,
    /// Each payload as compact JSON, every field kept (an assembled conversation as sshook
    /// wrote it, POST-hook-shaped).
    Payloads,
    /// One row per webhook event as stored (re-deliveries once, unless --keep all).
    Events,
}

/// A chosen conversation column: one of the table, or a custom variable (`--var KEY`).
pub enum ConversationColumn {
    Fixed(&'static Column<ConversationCell>),
    Variable { name: String, key: String },
}

/// The columns chosen for a run.
pub enum Columns {
    Conversations(Vec<ConversationColumn>),
    Messages(Vec<&'static Column<MessageCell>>),
    Events(Vec<&'static Column<EventCell>>),
    /// Payload rows have no columns: each is the payload's JSON.
    Payloads,
}

impl Columns {
    /// Resolves `--columns` (empty: all, in order) and `--var` keys (appended as `var_KEY`
    /// unless named in `--columns`).
    pub fn new(kind: RowKind, names: &[String], vars: &[String]) -> Result<Columns> {
        let unknown = |name: &str| {
            anyhow::anyhow!(
                "unknown column {name:?} for --rows {}; `sshook export --rows {0} \
                 --list-columns` lists them",
                kind_word(kind)
            )
        };
        match kind {
            RowKind::Payloads if !names.is_empty() || !vars.is_empty() => {
                bail!("--rows payloads has no columns: each row is the payload's JSON")
            }
            RowKind::Payloads => Ok(Columns::Payloads),
            RowKind::Messages | RowKind::Events if !vars.is_empty() => {
                bail!("--var applies to --rows conversations")
            }
            RowKind::Events if names.is_empty() => {
                Ok(Columns::Events(EVENT_COLUMNS.iter().collect()))
            }
            RowKind::Events => names
                .iter()
                .map(|n| find(EVENT_COLUMNS, n).ok_or_else(|| unknown(n)))
                .collect::<Result<_>>()
                .map(Columns::Events),
            RowKind::Messages if names.is_empty() => {
                Ok(Columns::Messages(MESSAGE_COLUMNS.iter().collect()))
            }
            RowKind::Messages => names
                .iter()
                .map(|n| find(MESSAGE_COLUMNS, n).ok_or_else(|| unknown(n)))
                .collect::<Result<_>>()
                .map(Columns::Messages),
            RowKind::Conversations => {
                let mut chosen: Vec<ConversationColumn> = if names.is_empty() {
                    CONVERSATION_COLUMNS
                        .iter()
                        .map(ConversationColumn::Fixed)
                        .collect()
                } else {
                    let resolve = |name: &String| match find(CONVERSATION_COLUMNS, name) {
                        Some(column) => Ok(ConversationColumn::Fixed(column)),
                        None => match name.strip_prefix("var_") {
                            Some(key) if !key.is_empty() => Ok(variable(key)),
                            _ => Err(unknown(name)),
                        },
                    };
                    names.iter().map(resolve).collect::<Result<_>>()?
                };
                for key in vars {
                    let name = format!("var_{key}");
                    if !names.contains(&name) {
                        chosen.push(variable(key));
                    }
                }
                Ok(Columns::Conversations(chosen))
            }
        }
    }

    /// The header: column names in order.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Columns::Conversations(columns) => columns.iter().map(|c| c.name()).collect(),
            Columns::Messages(columns) => columns.iter().map(|c| c.name).collect(),
            Columns::Events(columns) => columns.iter().map(|c| c.name).collect(),
            Columns::Payloads => Vec::new(),
        }
    }

    pub fn kinds(&self) -> Vec<Kind> {
        match self {
            Columns::Conversations(columns) => columns.iter().map(|c| c.kind()).collect(),
            Columns::Messages(columns) => columns.iter().map(|c| c.kind).collect(),
            Columns::Events(columns) => columns.iter().map(|c| c.kind).collect(),
            Columns::Payloads => Vec::new(),
        }
    }

    /// Computes the rows of one record into `cells` (cleared for each row) and hands each to
    /// `row`. Payload rows have no cells, and a record of the other kind (an event for
    /// conversation columns, a conversation for event columns) has no rows: nothing is called.
    pub fn for_each_row<'p, E>(
        &self,
        record: Record<'p>,
        cells: &mut Vec<Cell<'p>>,
        mut row: impl FnMut(&[Cell<'p>]) -> Result<(), E>,
    ) -> Result<(), E> {
        let doc = match (self, record) {
            (Columns::Events(columns), Record::Event(event)) => {
                cells.clear();
                cells.extend(columns.iter().map(|c| (c.cell)(event)));
                return row(cells);
            }
            (_, Record::Event(_)) | (Columns::Events(_), _) => return Ok(()),
            (_, Record::Conversation(doc)) => doc,
        };
        match self {
            Columns::Events(_) => Ok(()),
            Columns::Conversations(columns) => {
                let conversation = Conversation::new(doc);
                cells.clear();
                cells.extend(columns.iter().map(|c| c.cell(&conversation)));
                row(cells)
            }
            Columns::Messages(columns) => {
                for (index, message) in doc.payload.messages.iter().enumerate() {
                    let message = MessageRow {
                        doc,
                        index,
                        message,
                    };
                    cells.clear();
                    cells.extend(columns.iter().map(|c| (c.cell)(&message)));
                    row(cells)?;
                }
                Ok(())
            }
            Columns::Payloads => Ok(()),
        }
    }
}

impl ConversationColumn {
    pub fn name(&self) -> &str {
        match self {
            ConversationColumn::Fixed(column) => column.name,
            ConversationColumn::Variable { name, .. } => name,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            ConversationColumn::Fixed(column) => column.kind,
            ConversationColumn::Variable { .. } => Kind::Any,
        }
    }

    pub fn cell<'p>(&self, conversation: &Conversation<'p>) -> Cell<'p> {
        match self {
            ConversationColumn::Fixed(column) => (column.cell)(conversation),
            ConversationColumn::Variable { key, .. } => conversation.variable(key),
        }
    }
}

fn variable(key: &str) -> ConversationColumn {
    ConversationColumn::Variable {
        name: format!("var_{key}"),
        key: key.to_owned(),
    }
}

fn find<F>(columns: &'static [Column<F>], name: &str) -> Option<&'static Column<F>> {
    columns.iter().find(|c| c.name == name)
}

pub fn kind_word(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Conversations => "conversations",
        RowKind::Messages => "messages",
        RowKind::Payloads => "payloads",
        RowKind::Events => "events",
    }
}

/// The text of `--list-columns`: one column a line, its name and what it holds.
pub fn column_list(kind: RowKind) -> String {
    let lines: Vec<(&str, &str)> = match kind {
        RowKind::Conversations => CONVERSATION_COLUMNS
            .iter()
            .map(|c| (c.name, c.meaning))
            .chain([(
                "var_KEY",
                "the value of the visitor's custom variable KEY (with --var KEY)",
            )])
            .collect(),
        RowKind::Messages => MESSAGE_COLUMNS
            .iter()
            .map(|c| (c.name, c.meaning))
            .collect(),
        RowKind::Events => EVENT_COLUMNS.iter().map(|c| (c.name, c.meaning)).collect(),
        RowKind::Payloads => {
            return String::from(
                "--rows payloads has no columns: each row is one payload as compact JSON, \
                 every field kept\n",
            )
        }
    };
    let width = lines.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (name, meaning) in lines {
        text.push_str(&format!("{name:width$}  {meaning}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_become_typed_cells() {
        assert_eq!(json_cell("\"pro\""), Cell::Text("pro".into()));
        assert_eq!(json_cell("\"a\\nb\""), Cell::Text("a\nb".into()));
        assert_eq!(json_cell("\"\""), Cell::Text("".into()));
        assert_eq!(json_cell("208"), Cell::Int(208));
        assert_eq!(json_cell("2.50"), Cell::Number("2.50".into()));
        assert_eq!(json_cell("true"), Cell::Bool(true));
        assert_eq!(json_cell("null"), Cell::Null);
        assert_eq!(json_cell("[1, 2]"), Cell::Text("[1,2]".into()));
    }

    #[test]
    fn every_column_name_is_unique_snake_case() {
        let names: Vec<&str> = CONVERSATION_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), 44);
        for list in [names, MESSAGE_COLUMNS.iter().map(|c| c.name).collect()] {
            for (i, name) in list.iter().enumerate() {
                assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
                assert!(!list[..i].contains(name), "{name} twice");
            }
        }
    }
}
