//! The serde model of one Smartsupp POST-hook payload (one conversation).
//!
//! The model borrows its strings from the input buffer wherever the JSON text has no escapes,
//! so parsing a corpus allocates little. It is tolerant of every variant documented in
//! `docs/formats.md#published-variants`: `visitor.group` or `visitor.groupKey`, `from` with or without the `visitor:`
//! prefix, an extra `email` on messages, nulls for anything but the required fields.
//!
//! Unknown fields are not dropped: every parsed payload travels with the raw text it came from
//! (see [`crate::model::document::Document`]), and outputs that can carry them (`export --rows payloads`,
//! `show --format json`) are built from that text.
//!
//! Required fields: `beginAt`, `endAt`, `channel.id` (integers) and `messages` (an array), each
//! message with `type` and an integer `sentAt`. Everything else may be missing or null.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor as SerdeVisitor};
use serde::Deserialize;
use serde_json::value::RawValue;

// Words split on white space as `str::split_whitespace` does, counted in `crate::simd`.
pub use crate::simd::count_words;

/// A string borrowed from the input when it has no escapes, owned otherwise.
pub type Text<'a> = Cow<'a, str>;

/// One conversation as the hook posts it. `Hash` covers every field the model knows, so that
/// two copies of a re-sent conversation can be compared without keeping either.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload<'a> {
    /// Smartsupp account id.
    #[serde(default, deserialize_with = "opt_int")]
    pub account_id: Option<i64>,
    /// Conversation start, epoch **milliseconds** UTC.
    #[serde(deserialize_with = "int")]
    pub begin_at: i64,
    /// Conversation end, epoch **milliseconds** UTC. Required in a POST-hook payload; `None`
    /// only for a conversation assembled from webhook events that is still open.
    #[serde(deserialize_with = "required_int")]
    pub end_at: Option<i64>,
    #[serde(borrow, deserialize_with = "object")]
    pub channel: Channel<'a>,
    #[serde(default, borrow, deserialize_with = "opt_object")]
    pub visitor: Option<Visitor<'a>>,
    /// Pages the visitor went through; a missing or null list is empty.
    #[serde(default, borrow, deserialize_with = "null_as_empty")]
    pub paths: Vec<Page<'a>>,
    /// Messages in time order. Required, may be empty.
    #[serde(borrow, deserialize_with = "messages")]
    pub messages: Vec<Message<'a>>,
    /// Set on a conversation sshook assembled from webhook events (see `webhook::assemble`),
    /// which writes it under the key `sshook`; `None` for a POST-hook payload.
    #[serde(default, borrow, rename = "sshook")]
    pub assembled: Option<Assembled<'a>>,
}

/// Where an assembled conversation came from, and what the POST hook would have said that the
/// events do not.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assembled<'a> {
    /// The webhook conversation id (a string).
    #[serde(borrow, deserialize_with = "text")]
    pub conversation_id: Text<'a>,
    /// No close event yet.
    #[serde(default)]
    pub open: bool,
    /// Distinct events the conversation was assembled from.
    #[serde(default)]
    pub events: u64,
}

/// Where a conversation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    PostHook,
    Webhook,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PostHook => "post-hook",
            Source::Webhook => "webhook",
        }
    }
}

/// The conversation ("channel") itself: its id, flags, timings and the recorded counts.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel<'a> {
    /// Conversation id, the natural key: a re-sent payload repeats it. Required in a POST-hook
    /// payload; `None` for a conversation assembled from webhook events, whose id is a string
    /// ([`Assembled::conversation_id`]).
    #[serde(deserialize_with = "required_int")]
    pub id: Option<i64>,
    /// Visitor and agent both sent messages.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_chat: Option<bool>,
    /// No agent answered the last visitor message.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_missed: Option<bool>,
    /// At least one automatic (trigger) message.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_triggered: Option<bool>,
    /// An offline message: the visitor wrote while no agent was online.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_offline: Option<bool>,
    /// Closed, and every visitor message got an agent response.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_completed: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_dropped: Option<bool>,
    /// Length of the conversation in **seconds**.
    #[serde(default, deserialize_with = "opt_int")]
    pub duration: Option<i64>,
    /// Mean agent response time in **seconds**.
    #[serde(default, deserialize_with = "opt_int")]
    pub avg_response: Option<i64>,
    /// Time to the first agent response in **seconds**.
    #[serde(default, deserialize_with = "opt_int")]
    pub first_response: Option<i64>,
    /// Messages as Smartsupp counted them (its rule is undocumented; see `Payload::counted`).
    #[serde(default, deserialize_with = "opt_int")]
    pub messages_count: Option<i64>,
    /// Words as Smartsupp counted them.
    #[serde(default, deserialize_with = "opt_int")]
    pub words_count: Option<i64>,
    /// Visitor's rating (1..5 expected); `None` when the visitor gave none.
    #[serde(default, deserialize_with = "opt_int")]
    pub rating: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub rating_desc: Option<Text<'a>>,
}

/// Who the visitor is and where they came from. Every field may be missing or null.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visitor<'a> {
    /// The visitor id: an integer in the official example, a string in others; kept as sent.
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub name: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub email: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub note: Option<Text<'a>>,
    /// `group` in some versions of the documentation…
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub group: Option<Scalar<'a>>,
    /// …`groupKey` in others. Read through [`Visitor::group`].
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub group_key: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub ip_address: Option<Text<'a>>,
    /// As sent: the official example has city and country swapped; never "fixed".
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub city: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub country_code: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub country: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub user_agent: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub platform: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub referer: Option<Text<'a>>,
    /// Custom variables, `{ "key": { "label": "…", "value": any JSON } }`, kept as raw JSON.
    #[serde(default, borrow)]
    pub variables: Option<RawJson<'a>>,
}

/// A JSON value kept as its text, as serde_json's `RawValue` keeps it (read through one), but
/// a plain slice of the input, so that the fast path (`input::fast`) can make one from text it
/// has checked by the same grammar. Equal, hashed and shown by its text alone.
#[derive(Clone, Copy)]
pub struct RawJson<'a> {
    text: &'a str,
    /// Known to have no white space between its tokens (the fast path knows; serde does not).
    compact: bool,
}

impl<'a> RawJson<'a> {
    /// `text` must be exactly one JSON value, without surrounding white space; `compact`
    /// that it has none between its tokens either.
    pub(crate) fn checked(text: &'a str, compact: bool) -> RawJson<'a> {
        RawJson { text, compact }
    }

    pub fn get(&self) -> &'a str {
        self.text
    }

    /// The text when it is known to have no white space between tokens (then it needs no
    /// compacting); `None` when that is not known.
    pub fn known_compact(&self) -> Option<&'a str> {
        self.compact.then_some(self.text)
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.text).finish()
    }
}

impl PartialEq for RawJson<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for RawJson<'_> {}

impl std::hash::Hash for RawJson<'_> {
    /// The layout (pretty or compact) must not make two copies differ.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .for_each(|b| state.write_u8(b));
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(|raw| RawJson {
            text: raw.get(),
            compact: false,
        })
    }
}

/// A JSON value kept as its text, as [`RawJson`] but not knowing whether it is compact: two
/// words, with no destructor, for the fields of a message that are rarely there (a message is
/// moved whole, and a payload holds many). Equal and shown by its text, hashed without layout.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawText<'a>(&'a str);

impl<'a> RawText<'a> {
    /// `text` must be exactly one JSON value, without surrounding white space.
    pub(crate) fn checked(text: &'a str) -> RawText<'a> {
        RawText(text)
    }

    pub fn get(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for RawText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawText").field(&self.0).finish()
    }
}

impl std::hash::Hash for RawText<'_> {
    /// The layout (pretty or compact) must not make two copies differ.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .for_each(|b| state.write_u8(b));
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(|raw| RawText(raw.get()))
    }
}

/// A page the visitor went through.
#[derive(Debug, Clone, Hash, Deserialize)]
pub struct Page<'a> {
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub url: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub title: Option<Text<'a>>,
}

/// One message of the conversation.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message<'a> {
    /// `visitor`, `agent` or `system`; other values are kept (and warned about by validate).
    #[serde(rename = "type", borrow, deserialize_with = "text")]
    pub kind: Text<'a>,
    /// Display name of the sender; may be empty or missing.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub name: Option<Text<'a>>,
    /// `visitor:<visitorKey>` (or the bare key), `agent:<agentId>`, or `system`; in the 2018
    /// versions an agent's id as a number (`3`, read as agent 3) and `null` for trigger and
    /// system messages.
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub from: Option<Scalar<'a>>,
    /// The text; for system messages an event code such as `agent.join`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub content: Option<Text<'a>>,
    /// Epoch **milliseconds** UTC.
    #[serde(deserialize_with = "int")]
    pub sent_at: i64,
    /// The trigger's name, for automatic messages.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub triggered_by: Option<Text<'a>>,
    /// Files sent with the message, `[{type, url, fileName, fileType, size, expireAt}]`, kept
    /// as raw JSON (see [`Message::attachments`]).
    #[serde(default, borrow)]
    pub attachments: Option<RawText<'a>>,
    /// What a system line of an assembled conversation says besides its code: `{"by": …}`,
    /// `{"url": …}`, `{"value": 5, "text": …}`; raw JSON.
    #[serde(default, borrow)]
    pub data: Option<RawText<'a>>,
}

/// A value sent either as a string or as a number (visitor ids, groups, a message's `from`):
/// read as text, remembering which it was so that outputs keep what was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scalar<'a> {
    pub text: Text<'a>,
    /// Sent as a JSON number (or boolean), not a string.
    pub number: bool,
}

impl std::ops::Deref for Scalar<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl serde::Serialize for Scalar<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.number {
            if let Ok(n) = self.text.parse::<i64>() {
                return s.serialize_i64(n);
            }
            if let Ok(n) = self.text.parse::<u64>() {
                return s.serialize_u64(n);
            }
            if let Ok(n) = self.text.parse::<f64>() {
                return s.serialize_f64(n);
            }
        }
        s.serialize_str(&self.text)
    }
}

/// Who sent a message, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenderKind {
    Visitor,
    Agent,
    /// An automatic message: `type: agent`, `from: system`, usually with `triggeredBy`.
    Trigger,
    System,
    /// An agent's internal note (`type: note`): the visitor never sees it, so it is no reply.
    Note,
    /// A `type` this program does not know; shown as it is.
    Unknown,
}

impl SenderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SenderKind::Visitor => "visitor",
            SenderKind::Agent => "agent",
            SenderKind::Trigger => "trigger",
            SenderKind::System => "system",
            SenderKind::Note => "note",
            SenderKind::Unknown => "unknown",
        }
    }
}

/// A system event, decoded from a system message's `content`: the POST hook's codes, and
/// those of the lines sshook writes for webhook event messages (`docs/formats.md#message-kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    AgentJoin,
    AgentLeave,
    /// `agent.assign`: an agent was assigned the chat (`data.by`: by whom).
    AgentAssign,
    /// `agent.unassign`.
    AgentUnassign,
    VisitorClose,
    AgentClose,
    /// `close` or `close.<type>`: closed in another way.
    Close,
    /// `rating`: a rating given in the chat (`data.value`, `data.text`).
    Rating,
    /// `page.visit`: the visitor went to a page (`data.url`).
    PageVisit,
    /// Any other code: rendered as it is, never dropped.
    Other,
}

impl Event {
    pub fn from_code(code: &str) -> Event {
        match code {
            "agent.join" => Event::AgentJoin,
            "agent.leave" => Event::AgentLeave,
            "agent.assign" => Event::AgentAssign,
            "agent.unassign" => Event::AgentUnassign,
            "close.visitorClose" => Event::VisitorClose,
            "close.agentClose" => Event::AgentClose,
            "rating" => Event::Rating,
            "page.visit" => Event::PageVisit,
            c if c == "close" || c.starts_with("close.") => Event::Close,
            _ => Event::Other,
        }
    }
}

/// The status word of a conversation: open (assembled from webhook events, not closed yet),
/// else the first that holds of offline, missed, dropped, completed, else incomplete.
/// `triggered` is a separate tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Open,
    Offline,
    Missed,
    Dropped,
    Completed,
    Incomplete,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Open,
        Status::Offline,
        Status::Missed,
        Status::Dropped,
        Status::Completed,
        Status::Incomplete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Offline => "offline",
            Status::Missed => "missed",
            Status::Dropped => "dropped",
            Status::Completed => "completed",
            Status::Incomplete => "incomplete",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What sshook itself counts in a conversation (as opposed to the recorded counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// Visitor and agent messages, trigger messages included, system events and internal
    /// notes not.
    pub messages: i64,
    /// Whitespace-separated words of those messages.
    pub words: i64,
}

impl<'a> Payload<'a> {
    /// The conversation id as text: the webhook's id, or the POST hook's `channel.id` digits.
    pub fn conversation_id(&self) -> Cow<'_, str> {
        match (&self.assembled, self.channel.id) {
            (Some(a), _) => Cow::Borrowed(&a.conversation_id),
            (None, Some(id)) => Cow::Owned(id.to_string()),
            (None, None) => Cow::Borrowed(""),
        }
    }

    pub fn source(&self) -> Source {
        if self.assembled.is_some() {
            Source::Webhook
        } else {
            Source::PostHook
        }
    }

    /// A required value a POST-hook payload sent as `null` (the model reads these as options
    /// so that an assembled conversation can leave them out): its JSON path.
    pub fn null_required(&self) -> Option<&'static str> {
        if self.assembled.is_some() {
            return None;
        }
        if self.channel.id.is_none() {
            Some("channel.id")
        } else if self.end_at.is_none() {
            Some("endAt")
        } else {
            None
        }
    }

    pub fn status(&self) -> Status {
        let c = &self.channel;
        if self.assembled.as_ref().is_some_and(|a| a.open) {
            Status::Open
        } else if c.is_offline == Some(true) {
            Status::Offline
        } else if c.is_missed == Some(true) {
            Status::Missed
        } else if c.is_dropped == Some(true) {
            Status::Dropped
        } else if c.is_completed == Some(true) {
            Status::Completed
        } else {
            Status::Incomplete
        }
    }

    pub fn is_triggered(&self) -> bool {
        self.channel.is_triggered == Some(true)
    }

    pub fn counted(&self) -> Counted {
        let mut counted = Counted::default();
        for m in &self.messages {
            if matches!(
                m.sender_kind(),
                SenderKind::Visitor | SenderKind::Agent | SenderKind::Trigger
            ) {
                counted.messages += 1;
                counted.words += count_words(m.text());
            }
        }
        counted
    }

    /// Distinct agent display names (agent messages from `agent:N`), in order of appearance.
    pub fn agents(&self) -> Vec<&str> {
        distinct(
            self.messages
                .iter()
                .filter(|m| m.sender_kind() == SenderKind::Agent)
                .map(|m| m.name.as_deref().unwrap_or("")),
        )
    }

    /// Distinct trigger names of automatic messages, in order of appearance.
    pub fn triggers(&self) -> Vec<&str> {
        distinct(
            self.messages
                .iter()
                .filter(|m| m.sender_kind() == SenderKind::Trigger)
                .filter_map(|m| m.triggered_by.as_deref()),
        )
    }

    pub fn first_visitor_message(&self) -> Option<&Message<'a>> {
        self.messages
            .iter()
            .find(|m| m.sender_kind() == SenderKind::Visitor)
    }
}

fn distinct<'s>(names: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

impl std::hash::Hash for Visitor<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        [&self.id, &self.group, &self.group_key].hash(state);
        let texts = [
            &self.name,
            &self.email,
            &self.note,
            &self.ip_address,
            &self.city,
            &self.country_code,
            &self.country,
            &self.user_agent,
            &self.platform,
            &self.referer,
        ];
        texts.hash(state);
        // Raw JSON: the layout (pretty or compact) must not make two copies differ.
        if let Some(raw) = self.variables {
            raw.get()
                .bytes()
                .filter(|b| !b.is_ascii_whitespace())
                .for_each(|b| state.write_u8(b));
        }
    }
}

impl<'a> Visitor<'a> {
    /// `group`, or `groupKey` where `group` is missing or null.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref().or(self.group_key.as_deref())
    }
}

impl<'a> Message<'a> {
    pub fn sender_kind(&self) -> SenderKind {
        let from = self.from.as_deref().unwrap_or("");
        match self.kind.as_ref() {
            "visitor" => SenderKind::Visitor,
            "agent" if from == "system" || (from.is_empty() && self.triggered_by.is_some()) => {
                SenderKind::Trigger
            }
            "agent" => SenderKind::Agent,
            "system" => SenderKind::System,
            "note" => SenderKind::Note,
            _ => SenderKind::Unknown,
        }
    }

    /// The sender's id without its prefix: the agent number, the visitor key, or empty.
    pub fn sender_id(&self) -> &str {
        let from = self.from.as_deref().unwrap_or("");
        match from.split_once(':') {
            Some((_, id)) => id,
            None if from == "system" => "",
            None => from,
        }
    }

    /// The system event code for system messages.
    pub fn event_code(&self) -> Option<&str> {
        (self.sender_kind() == SenderKind::System).then(|| self.text())
    }

    pub fn text(&self) -> &str {
        self.content.as_deref().unwrap_or("")
    }

    /// The files sent with the message; an attachment of another shape is left out.
    pub fn attachments(&self) -> Vec<Attachment> {
        let Some(raw) = self.attachments else {
            return Vec::new();
        };
        serde_json::from_str::<Vec<serde_json::Value>>(raw.get())
            .unwrap_or_default()
            .iter()
            .filter_map(Attachment::from_json)
            .collect()
    }

    /// A field of the message's `data` (what a system line says besides its code).
    pub fn data(&self, key: &str) -> Option<serde_json::Value> {
        let raw = self.data?;
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(raw.get()).ok()?;
        map.remove(key).filter(|v| !v.is_null())
    }
}

/// A file sent in a message, as far as its JSON says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attachment {
    /// `image` or `file`.
    pub kind: Option<String>,
    pub url: Option<String>,
    pub file_name: Option<String>,
    /// A MIME type.
    pub file_type: Option<String>,
    /// Bytes.
    pub size: Option<i64>,
    /// Until when the link works: epoch milliseconds (an ISO 8601 string is read too).
    pub expire_at: Option<i64>,
}

impl Attachment {
    fn from_json(value: &serde_json::Value) -> Option<Attachment> {
        let file = value.as_object()?;
        let text = |key: &str| {
            file.get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let expire_at = match file.get("expireAt") {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => crate::model::webhook::tolerant::parse_time(s),
            _ => None,
        };
        Some(Attachment {
            kind: text("type"),
            url: text("url"),
            file_name: text("fileName"),
            file_type: text("fileType"),
            size: file.get("size").and_then(serde_json::Value::as_i64),
            expire_at,
        })
    }

    /// The name to show: the file name, else the last part of the link's path, else `file`.
    pub fn name(&self) -> &str {
        if let Some(name) = &self.file_name {
            return name;
        }
        self.url
            .as_deref()
            .and_then(|url| url.split(['?', '#']).next())
            .and_then(|path| path.rsplit('/').next())
            .filter(|last| !last.is_empty())
            .unwrap_or("file")
    }
}

// ---- field deserialisers with the wording validate reports ("expected integer or null") ----

struct IntVisitor {
    /// `null` reads as `None`.
    nullable: bool,
    /// Say "integer" although `null` is read: a required value whose `null` the reader
    /// refuses later for POST-hook payloads (see [`Payload::null_required`]).
    null_unsaid: bool,
}

impl<'de> SerdeVisitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.nullable && !self.null_unsaid {
            "integer or null"
        } else {
            "integer"
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format_args!("number {v} does not fit in a 64-bit integer")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() >= 9.2e18 {
            Err(E::custom(format_args!(
                "number {v} does not fit in a 64-bit integer"
            )))
        } else {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.nullable {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Unit, &self))
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntVisitor {
        nullable: false,
        null_unsaid: false,
    })?
    .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"integer"))
}

pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor {
        nullable: true,
        null_unsaid: false,
    })
}

/// A required integer (`channel.id`, `endAt`) that an assembled conversation may leave null.
pub(crate) fn required_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor {
        nullable: true,
        null_unsaid: true,
    })
}

struct BoolVisitor;

impl<'de> SerdeVisitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("boolean or null")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(BoolVisitor)
}

/// Strings, borrowed where possible.
struct TextVisitor {
    nullable: bool,
}

impl<'de> SerdeVisitor<'de> for TextVisitor {
    type Value = Option<Text<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.nullable {
            "string or null"
        } else {
            "string"
        })
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.nullable {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Unit, &self))
        }
    }
}

pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
    let visitor = TextVisitor { nullable: false };
    d.deserialize_any(visitor)?
        .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"string"))
}

pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Text<'de>>, D::Error> {
    d.deserialize_any(TextVisitor { nullable: true })
}

struct ScalarVisitor;

impl<'de> SerdeVisitor<'de> for ScalarVisitor {
    type Value = Option<Scalar<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("string, number or null")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Borrowed(v),
            number: false,
        }))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Owned(v.to_owned()),
            number: false,
        }))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Owned(v),
            number: false,
        }))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Owned(v.to_string()),
            number: true,
        }))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Owned(v.to_string()),
            number: true,
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Scalar {
            text: Cow::Owned(v.to_string()),
            number: true,
        }))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

pub(crate) fn opt_scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Scalar<'de>>, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)?
            .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"string or number"))
    }
}

/// A struct read only from a JSON object: serde would also fill a struct from an array, by
/// position, and accept `"channel": [1]`.
pub(crate) fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    opt_object(d)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"object"))
}

/// [`object`], or `None` for null.
pub(crate) fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> SerdeVisitor<'de> for ObjectVisitor<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(ObjectVisitor(std::marker::PhantomData))
}

/// The messages, read into room for a typical conversation's (serde's own `Vec` starts empty
/// and grows, copying every message it holds, three or four times a payload).
fn messages<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Message<'de>>, D::Error> {
    struct Messages;
    impl<'de> SerdeVisitor<'de> for Messages {
        type Value = Vec<Message<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(16).min(1024));
            while let Some(message) = seq.next_element()? {
                out.push(message);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Messages)
}

pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: &str = include_str!("../../sample-data/official-example.json");

    #[test]
    fn official_example_reads_with_its_oddities() {
        let p: Payload = serde_json::from_str(OFFICIAL).unwrap();
        assert_eq!(p.conversation_id(), "55039");
        assert_eq!(p.status(), Status::Completed);
        assert!(p.is_triggered());
        assert_eq!(p.messages.len(), 6);
        let kinds: Vec<_> = p.messages.iter().map(|m| m.sender_kind()).collect();
        use SenderKind::*;
        assert_eq!(kinds, [Visitor, System, Trigger, Agent, Visitor, System]);
        // Four visitor/agent/trigger messages: 1 + 4 + 7 + 1 words.
        assert_eq!(
            p.counted(),
            Counted {
                messages: 4,
                words: 13
            }
        );
        assert_eq!(p.agents(), ["John Doe"]);
        assert_eq!(p.triggers(), ["Test Trigger"]);
        assert_eq!(
            p.visitor.as_ref().unwrap().city.as_deref(),
            Some("Czech Republic")
        );
        assert_eq!(p.messages[1].event_code(), Some("agent.join"));
    }

    #[test]
    fn group_key_variant_and_bare_visitor_from() {
        let json = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"groupKey":"sales"},
            "messages":[{"type":"visitor","from":"abc","sentAt":1,"email":null}]}"#;
        let p: Payload = serde_json::from_str(json).unwrap();
        assert_eq!(p.visitor.as_ref().unwrap().group(), Some("sales"));
        assert_eq!(p.messages[0].sender_id(), "abc");
        assert_eq!(p.messages[0].sender_kind(), SenderKind::Visitor);
    }

    #[test]
    fn integer_errors_are_worded_for_users() {
        let err = serde_json::from_str::<Payload>(
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1180591620717411303424},"messages":[]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("does not fit in a 64-bit integer"), "{err}");
        let err = serde_json::from_str::<Payload>(
            r#"{"beginAt":1.5,"endAt":2,"channel":{"id":1},"messages":[]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("expected integer"), "{err}");
    }
}
