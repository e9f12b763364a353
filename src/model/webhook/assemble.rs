//! Conversations assembled from webhook events, by the rules of `docs/formats.md#assembly`.
//!
//! Parsing threads turn each event into [`Facts`] (owned, small: no raw text); the reading
//! thread folds them into one [`Assembly`] per conversation id, in any arrival order, counting
//! a re-delivered identical event once. At the end of input each assembly is written out as a
//! POST-hook-shaped JSON document (camelCase, epoch milliseconds, a `sshook` object naming the
//! source), which the ordinary payload model reads: every command then treats an assembled
//! conversation like a POST-hook one.
//!
//! | view | from the events |
//! |---|---|
//! | begin | the earliest `created_at` of the conversation (else its earliest message or event) |
//! | end | `finished_at`, else `last_closed_at`, else the close event's `timestamp`; none while open |
//! | messages | each message once per id, in `created_at` order; contact → visitor, agent → agent, bot/trigger → automatic |
//! | rating | the last `conversation.rated` by time, else `conversation.rating` |
//! | visitor | `contact_name`/`contact_email`/`location_*`, else the contact events |
//! | closed | a close event, or `status` closed |
//!
//! Fields of the conversation object merge field by field: the copy with the later
//! `updated_at` (then event `timestamp`) wins each field it carries.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::codec::{Codec, Corrupt};
use super::event::{Attachment, Content, Event, Message};

/// What one event contributes, taken on a parsing thread: its texts borrowed from the event
/// while they are only encoded for the assembler (`Facts<'static>` once read back, or kept).
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub name: Cow<'a, str>,
    pub timestamp: i64,
    /// A hash of the event's text without layout whitespace: equal for a re-delivery.
    pub fingerprint: u64,
    pub account_id: Option<Cow<'a, str>>,
    pub conversation_id: Option<Cow<'a, str>>,
    pub conversation: Option<ConversationFacts<'a>>,
    pub message: Option<MessageFacts<'a>>,
    pub contact: Option<ContactFacts>,
    pub agent_id: Option<Cow<'a, str>>,
    pub rating_value: Option<i64>,
    pub rating_text: Option<Cow<'a, str>>,
}

codec_struct!(Facts<'a> {
    name,
    timestamp,
    fingerprint,
    account_id,
    conversation_id,
    conversation,
    message,
    contact,
    agent_id,
    rating_value,
    rating_text,
});

/// A conversation object's fields that the assembled view uses, and the others as they came.
#[derive(Debug, Clone, Default)]
pub struct ConversationFacts<'a> {
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub fields: ConversationFields<'a>,
    /// The fields the assembly does not use: key and JSON text as sent.
    pub other: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

codec_struct!(ConversationFacts<'a> {
    created_at,
    updated_at,
    fields,
    other,
});

macro_rules! merged_fields {
    ($($index:literal $name:ident: $ty:ty),* $(,)?) => {
        /// The mergeable fields of a conversation object.
        #[derive(Debug, Clone, Default)]
        pub struct ConversationFields<'a> {
            $(pub $name: Option<$ty>,)*
        }

        const FIELDS: usize = [$($index),*].len();

        codec_struct!(ConversationFields<'a> { $($name),* });

        impl ConversationFields<'_> {
            /// The same fields, owning their texts.
            pub fn into_static(self) -> ConversationFields<'static> {
                ConversationFields { $($name: self.$name.map(Stored::stored),)* }
            }
        }

        impl ConversationFields<'static> {
            /// Takes each field `other` carries whose version is at least the one held.
            /// (Copied into what is held, reusing its allocations: `other` is the fold's
            /// one decoded event, read into again for the next.)
            fn merge(&mut self, versions: &mut [Version; FIELDS], other: &ConversationFields<'_>, version: Version) {
                $(
                    if let Some(value) = &other.$name {
                        if self.$name.is_none() || version >= versions[$index] {
                            value.store_into(&mut self.$name);
                            versions[$index] = version;
                        }
                    }
                )*
            }
        }
    };
}

merged_fields! {
    0 status: Cow<'a, str>,
    1 is_offline: bool,
    2 contact_id: Cow<'a, str>,
    3 visitor_id: Cow<'a, str>,
    4 referer: Cow<'a, str>,
    5 variables: Cow<'a, str>,
    6 assigned_agent_ids: Vec<Cow<'a, str>>,
    7 rating: i64,
    8 rating_text: Cow<'a, str>,
    9 finished_at: i64,
    10 last_closed_at: i64,
    11 contact_name: Cow<'a, str>,
    12 contact_email: Cow<'a, str>,
    13 location_country: Cow<'a, str>,
    14 location_city: Cow<'a, str>,
    15 location_ip: Cow<'a, str>,
    16 location_code: Cow<'a, str>,
    17 tags: Vec<Cow<'a, str>>,
}

/// A field's value as the assembly holds it: owned.
trait Stored {
    type Held;
    fn stored(self) -> Self::Held;
    /// Copies the value into `held`, into the text it holds when it holds one.
    fn store_into(&self, held: &mut Option<Self::Held>);
}

impl Stored for Cow<'_, str> {
    type Held = Cow<'static, str>;
    fn stored(self) -> Cow<'static, str> {
        Cow::Owned(self.into_owned())
    }
    fn store_into(&self, held: &mut Option<Cow<'static, str>>) {
        match held {
            Some(Cow::Owned(text)) => {
                text.clear();
                text.push_str(self);
            }
            _ => *held = Some(Cow::Owned(self.to_string())),
        }
    }
}

impl Stored for Vec<Cow<'_, str>> {
    type Held = Vec<Cow<'static, str>>;
    fn stored(self) -> Self::Held {
        self.into_iter().map(Stored::stored).collect()
    }
    fn store_into(&self, held: &mut Option<Self::Held>) {
        *held = Some(self.iter().map(|t| Cow::Owned(t.to_string())).collect());
    }
}

macro_rules! stored_as_is {
    ($($ty:ty),*) => {$(
        impl Stored for $ty {
            type Held = $ty;
            fn stored(self) -> $ty {
                self
            }
            fn store_into(&self, held: &mut Option<$ty>) {
                *held = Some(*self);
            }
        }
    )*};
}

stored_as_is!(bool, i64);

impl Facts<'_> {
    /// The same facts, owning their texts (to be kept past the event they came from).
    pub fn into_static(self) -> Facts<'static> {
        Facts {
            name: self.name.stored(),
            timestamp: self.timestamp,
            fingerprint: self.fingerprint,
            account_id: self.account_id.map(Stored::stored),
            conversation_id: self.conversation_id.map(Stored::stored),
            conversation: self.conversation.map(|c| ConversationFacts {
                created_at: c.created_at,
                updated_at: c.updated_at,
                fields: c.fields.into_static(),
                other: c
                    .other
                    .into_iter()
                    .map(|(key, raw)| (key.stored(), raw.stored()))
                    .collect(),
            }),
            message: self.message.map(MessageFacts::into_static),
            contact: self.contact,
            agent_id: self.agent_id.map(Stored::stored),
            rating_value: self.rating_value,
            rating_text: self.rating_text.map(Stored::stored),
        }
    }
}

/// A message, as small as the assembled view allows: it is held until the end of input.
/// Copies of one message (the same id in several events) merge field by field: a copy that
/// carries fewer fields (a delivery event's) never erases what a fuller one said.
#[derive(Debug, Clone)]
pub struct MessageFacts<'a> {
    pub id: Cow<'a, str>,
    pub sub_type: SubType,
    /// `message.type`.
    pub kind: Option<MessageType>,
    /// The content object's type (`upload`, `rate_form`, `agent_join`, …).
    pub content_kind: Option<Cow<'a, str>>,
    pub text: Option<Cow<'a, str>>,
    pub author_name: Option<Cow<'a, str>>,
    pub agent_id: Option<Cow<'a, str>>,
    pub trigger_name: Option<Cow<'a, str>>,
    /// The message carried a visitor id: a `system` one is then a page visit.
    pub by_visitor: bool,
    /// The files it carried, as the JSON array the assembled message holds.
    pub attachments: Option<Box<str>>,
    /// What an event, rating or page-visit message says besides its kind.
    pub detail: Option<Box<Detail>>,
    /// The visitor's id and the page, taken once per conversation (not held per message).
    pub visitor_id: Option<Cow<'a, str>>,
    pub page_url: Option<Cow<'a, str>>,
    pub response_time: Option<f32>,
    pub created_at: Option<i64>,
    /// The order of copies: `updated_at` (`i64::MIN` when it has none), then the event's
    /// `timestamp`.
    pub version: Version,
}

codec_struct!(MessageFacts<'a> {
    id,
    sub_type,
    kind,
    content_kind,
    text,
    author_name,
    agent_id,
    trigger_name,
    by_visitor,
    attachments,
    detail,
    visitor_id,
    page_url,
    response_time,
    created_at,
    version,
});

/// `message.type`: the words the assembly tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Message,
    /// An agent's internal note.
    Note,
    Event,
    Other,
}

impl Codec for MessageType {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        Ok(match u8::get(input)? {
            0 => MessageType::Message,
            1 => MessageType::Note,
            2 => MessageType::Event,
            3 => MessageType::Other,
            _ => return Err(Corrupt),
        })
    }
}

impl MessageType {
    fn new(word: &str) -> MessageType {
        match word {
            "message" => MessageType::Message,
            "note" => MessageType::Note,
            "event" => MessageType::Event,
            _ => MessageType::Other,
        }
    }
}

/// `content.data` of an event or rating message, and a page visit's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail {
    /// The agent who joined, left, was assigned or unassigned, or closed the chat.
    pub agent: Option<Box<str>>,
    /// Who assigned or unassigned.
    pub by: Option<Box<str>>,
    pub close_type: Option<Box<str>>,
    /// A rating's value and comment.
    pub value: Option<i64>,
    pub text: Option<Box<str>>,
    /// The page a visit went to.
    pub url: Option<Box<str>>,
}

codec_struct!(Detail {
    agent,
    by,
    close_type,
    value,
    text,
    url,
});

/// The content types of event messages (`type: event`).
const EVENT_CONTENT: [&str; 5] = [
    "agent_join",
    "agent_leave",
    "agent_assign",
    "agent_unassign",
    "chat_close",
];

impl<'a> MessageFacts<'a> {
    fn new(m: &'a Message<'_>, event_time: i64) -> MessageFacts<'a> {
        let boxed = |t: Option<&'a str>| t.map(Box::<str>::from);
        let (content_kind, text, data) = match &m.content {
            None => (None, None, None),
            Some(Content::Text(t)) => (None, Some(Cow::Borrowed(&**t)), None),
            Some(c @ Content::Rich(rich)) => (
                c.kind().map(Cow::Borrowed),
                rich.text.as_deref().map(Cow::Borrowed),
                rich.data.as_ref(),
            ),
        };
        let mut files: Vec<Attachment> = m.attachments.clone().unwrap_or_default();
        let mut detail = None;
        if let Some(data) = data {
            match content_kind.as_deref() {
                Some("upload") => files.insert(0, data.attachment()),
                _ => {
                    let id = |s: &Option<crate::model::payload::Scalar>| {
                        s.as_deref().map(Box::<str>::from)
                    };
                    detail = Some(Box::new(Detail {
                        agent: id(&data.agent_id)
                            .or_else(|| id(&data.assigned))
                            .or_else(|| id(&data.unassigned)),
                        by: id(&data.assigned_by).or_else(|| id(&data.unassigned_by)),
                        close_type: boxed(data.close_type.as_deref()),
                        value: data.value,
                        text: boxed(data.text.as_deref()),
                        url: None,
                    }));
                }
            }
        }
        let sub_type = SubType::new(m.sub_type.as_deref());
        let by_visitor = m.visitor_id.is_some();
        if sub_type == SubType::System
            && by_visitor
            && content_kind.as_deref().is_none_or(|k| k == "text")
        {
            // A page visit: its address.
            let url = m
                .page_url
                .as_deref()
                .or(text.as_deref())
                .map(Box::<str>::from);
            detail = Some(Box::new(Detail {
                url,
                ..Detail::default()
            }));
        }
        let borrowed = |t: Option<&'a str>| t.map(Cow::Borrowed);
        MessageFacts {
            id: Cow::Borrowed(&*m.id),
            sub_type,
            kind: m.kind.as_deref().map(MessageType::new),
            content_kind,
            text,
            author_name: borrowed(m.author_name.as_deref()),
            agent_id: borrowed(m.agent_id.as_deref()),
            trigger_name: borrowed(m.trigger_name.as_deref()),
            by_visitor,
            attachments: attachments_json(&files),
            detail,
            visitor_id: borrowed(m.visitor_id.as_deref()),
            page_url: borrowed(m.page_url.as_deref()),
            response_time: m.response_time.map(|t| t as f32),
            created_at: m.created_at,
            version: (m.updated_at.unwrap_or(i64::MIN), event_time),
        }
    }

    /// The same message, owning its texts (to be kept past the event it came from).
    fn into_static(self) -> MessageFacts<'static> {
        let stored = |t: Option<Cow<'_, str>>| t.map(Stored::stored);
        MessageFacts {
            id: self.id.stored(),
            sub_type: self.sub_type,
            kind: self.kind,
            content_kind: stored(self.content_kind),
            text: stored(self.text),
            author_name: stored(self.author_name),
            agent_id: stored(self.agent_id),
            trigger_name: stored(self.trigger_name),
            by_visitor: self.by_visitor,
            attachments: self.attachments,
            detail: self.detail,
            visitor_id: stored(self.visitor_id),
            page_url: stored(self.page_url),
            response_time: self.response_time,
            created_at: self.created_at,
            version: self.version,
        }
    }

    /// Folds another copy of the same message in: each field it carries wins when it is the
    /// later copy or the field was not known; what it does not carry stays.
    fn merge(&mut self, other: MessageFacts<'a>) {
        let newer = other.version >= self.version;
        fn take<T>(held: &mut Option<T>, new: Option<T>, newer: bool) {
            if new.is_some() && (newer || held.is_none()) {
                *held = new;
            }
        }
        if other.sub_type != SubType::Missing && (newer || self.sub_type == SubType::Missing) {
            self.sub_type = other.sub_type;
        }
        take(&mut self.kind, other.kind, newer);
        take(&mut self.content_kind, other.content_kind, newer);
        take(&mut self.text, other.text, newer);
        take(&mut self.author_name, other.author_name, newer);
        take(&mut self.agent_id, other.agent_id, newer);
        take(&mut self.trigger_name, other.trigger_name, newer);
        take(&mut self.attachments, other.attachments, newer);
        take(&mut self.detail, other.detail, newer);
        take(&mut self.response_time, other.response_time, newer);
        take(&mut self.created_at, other.created_at, newer);
        self.by_visitor |= other.by_visitor;
        self.version = self.version.max(other.version);
    }

    /// Nothing to show: a copy that only said the message was delivered, of a message never
    /// seen whole.
    fn is_empty(&self) -> bool {
        self.sub_type == SubType::Missing
            && self.kind.is_none()
            && self.content_kind.is_none()
            && self.text.is_none()
            && self.attachments.is_none()
    }

    /// Written by the visitor or an agent to the other (not a note, an event, a rating or a
    /// page visit).
    fn is_reply_kind(&self) -> bool {
        self.kind
            .is_none_or(|k| k != MessageType::Note && k != MessageType::Event)
            && self
                .content_kind
                .as_deref()
                .is_none_or(|k| k != "rate_form" && !EVENT_CONTENT.contains(&k))
            && !self.is_page_visit()
    }

    /// A `system` message attributed to the visitor: a page the visitor went to.
    fn is_page_visit(&self) -> bool {
        self.sub_type == SubType::System
            && self.by_visitor
            && self.content_kind.as_deref().is_none_or(|k| k == "text")
    }
}

/// The files of a message as the assembled message holds them: `{type, url, fileName,
/// fileType, size, expireAt}` (epoch milliseconds), null fields left out.
fn attachments_json(files: &[Attachment]) -> Option<Box<str>> {
    if files.is_empty() {
        return None;
    }
    let list: Vec<Value> = files
        .iter()
        .map(|a| {
            let mut file = Map::new();
            let mut put = |key: &str, value: Value| {
                if !value.is_null() {
                    file.insert(key.into(), value);
                }
            };
            put("type", json!(a.kind));
            put("url", json!(a.url));
            put("fileName", json!(a.file_name));
            put("fileType", json!(a.file_type));
            put("size", json!(a.size));
            put("expireAt", json!(a.expire_at));
            Value::Object(file)
        })
        .collect();
    Some(Value::Array(list).to_string().into())
}

/// `message.sub_type`; an unknown one keeps its word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubType {
    Contact,
    Agent,
    Bot,
    Trigger,
    System,
    Other(Box<str>),
    Missing,
}

impl Codec for SubType {
    fn put(&self, out: &mut Vec<u8>) {
        let tag: u8 = match self {
            SubType::Contact => 0,
            SubType::Agent => 1,
            SubType::Bot => 2,
            SubType::Trigger => 3,
            SubType::System => 4,
            SubType::Other(word) => {
                out.push(5);
                return word.put(out);
            }
            SubType::Missing => 6,
        };
        out.push(tag);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        Ok(match u8::get(input)? {
            0 => SubType::Contact,
            1 => SubType::Agent,
            2 => SubType::Bot,
            3 => SubType::Trigger,
            4 => SubType::System,
            5 => SubType::Other(Box::get(input)?),
            6 => SubType::Missing,
            _ => return Err(Corrupt),
        })
    }
}

impl SubType {
    fn new(word: Option<&str>) -> SubType {
        match word {
            Some("contact") => SubType::Contact,
            Some("agent") => SubType::Agent,
            Some("bot") => SubType::Bot,
            Some("trigger") => SubType::Trigger,
            Some("system") => SubType::System,
            Some(other) => SubType::Other(other.into()),
            None => SubType::Missing,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContactFacts {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
    pub version: Version,
}

codec_struct!(ContactFacts {
    id,
    name,
    email,
    note,
    version,
});

/// The order of copies of one object: `updated_at`, then the event's `timestamp`.
pub type Version = (i64, i64);

fn owned(text: Option<impl AsRef<str>>) -> Option<String> {
    text.map(|t| t.as_ref().to_owned())
}

/// A country code in upper case, as exports write it (`cz` and `CZ` are one country).
fn country_code(code: Cow<'_, str>) -> Cow<'_, str> {
    if code
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_lowercase())
    {
        Cow::Owned(code.to_uppercase())
    } else {
        code // already upper case: `to_uppercase` would give it back unchanged
    }
}

/// A text of the event, borrowed.
fn borrowed<T: AsRef<str> + ?Sized>(text: Option<&T>) -> Option<Cow<'_, str>> {
    text.map(|t| Cow::Borrowed(t.as_ref()))
}

impl<'e> Facts<'e> {
    /// The facts of `event`, whose text (layout aside) hashes to `fingerprint`.
    pub fn new(event: &'e Event<'_>, fingerprint: u64) -> Facts<'e> {
        let d = &event.data;
        let conversation = d.conversation.as_ref().map(|c| {
            let location = c.location.as_ref();
            fn nested<'l>(
                location: Option<&'l super::event::Location<'_>>,
                field: fn(&'l super::event::Location<'_>) -> Option<&'l str>,
            ) -> Option<Cow<'l, str>> {
                location.and_then(field).map(Cow::Borrowed)
            }
            let mut code = borrowed(c.location_code.as_ref())
                .or_else(|| nested(location, |l| l.code.as_deref()));
            let mut country = borrowed(c.location_country.as_ref())
                .or_else(|| nested(location, |l| l.country.as_deref()));
            // A two-letter "country" is a code, in whatever case it came.
            if let Some(short) = country
                .clone()
                .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
            {
                let upper = country_code(short);
                code.get_or_insert_with(|| upper.clone());
                country = Some(upper);
            }
            let assigned: Option<Vec<Cow<'e, str>>> =
                [&c.assigned_agent_ids, &c.agent_ids, &c.assigned_ids]
                    .into_iter()
                    .flatten()
                    .map(|ids| ids.iter().map(|id| Cow::Borrowed(&**id)))
                    .fold(None, |all: Option<Vec<Cow<'e, str>>>, ids| {
                        let mut all = all.unwrap_or_default();
                        for id in ids {
                            if !all.contains(&id) {
                                all.push(id);
                            }
                        }
                        Some(all)
                    });
            ConversationFacts {
                created_at: c.created_at,
                updated_at: c.updated_at,
                fields: ConversationFields {
                    status: borrowed(c.status.as_ref()),
                    is_offline: c.is_offline,
                    contact_id: borrowed(c.contact_id.as_deref()),
                    visitor_id: borrowed(c.visitor_id.as_deref()),
                    referer: borrowed(c.referer.as_ref()),
                    variables: c.variables.map(Cow::Borrowed),
                    assigned_agent_ids: assigned,
                    rating: c.rating_value.or(c.rating),
                    rating_text: borrowed(c.rating_text.as_ref()),
                    finished_at: c.finished_at,
                    last_closed_at: c.last_closed_at,
                    contact_name: borrowed(c.contact_name.as_ref()),
                    contact_email: borrowed(c.contact_email.as_ref()),
                    location_country: country,
                    location_city: borrowed(c.location_city.as_ref())
                        .or_else(|| nested(location, |l| l.city.as_deref())),
                    location_ip: borrowed(c.location_ip.as_ref())
                        .or_else(|| nested(location, |l| l.ip.as_deref())),
                    location_code: code.map(country_code),
                    tags: c
                        .tags
                        .as_ref()
                        .map(|tags| tags.iter().map(|t| Cow::Borrowed(&**t)).collect()),
                },
                other: c
                    .other
                    .iter()
                    .map(|(key, raw)| (Cow::Borrowed(&**key), Cow::Borrowed(*raw)))
                    .collect(),
            }
        });
        let message = d
            .message
            .as_ref()
            .map(|m| MessageFacts::new(m, event.timestamp));
        let contact = d.contact.as_ref().map(|c| ContactFacts {
            id: c.id.to_string(),
            name: owned(c.name.as_ref()),
            email: owned(c.email.as_ref()),
            note: owned(c.note.as_ref()),
            version: (c.updated_at.unwrap_or(i64::MIN), event.timestamp),
        });
        Facts {
            name: Cow::Borrowed(&*event.event),
            timestamp: event.timestamp,
            fingerprint,
            account_id: borrowed(event.account_id.as_ref()),
            conversation_id: event.conversation_id().map(Cow::Borrowed),
            conversation,
            message,
            contact,
            agent_id: borrowed(d.agent_id.as_deref().or(d.assigned.as_deref())),
            rating_value: d.rating_value,
            rating_text: borrowed(d.rating_text.as_ref()),
        }
    }
}

/// One conversation being assembled.
#[derive(Debug)]
pub(super) struct Assembly {
    pub(super) id: String,
    /// Where its first event was read: the conversation's origin in messages.
    pub(super) origin: Place,
    /// The arrival number of its first event: conversations come out in this order.
    pub(super) first_seq: u64,
    account_id: Option<String>,
    created_at: Option<i64>,
    fields: ConversationFields<'static>,
    versions: [Version; FIELDS],
    /// The conversation object's fields the assembly does not use, merged like the others:
    /// key (in [`Keys`]), JSON text, version.
    other: Vec<(u32, Box<str>, Version)>,
    /// Messages once per id (few per conversation: a list beats a map in memory).
    messages: Vec<MessageFacts<'static>>,
    /// Distinct pages the messages were sent from, in order.
    pages: Vec<String>,
    /// The visitor id the contact messages carry.
    message_visitor: Option<String>,
    /// Agents in order of appearance (assignments, joins, messages).
    agents: Vec<String>,
    /// Join events: (time, agent id).
    joins: Vec<(i64, String)>,
    /// The last close event: (time, by the visitor).
    closed: Option<(i64, bool)>,
    /// The last rating event: (time, value, text).
    rated: Option<(i64, Option<i64>, Option<String>)>,
    first_event: i64,
    last_event: i64,
    events: u64,
}

codec_struct!(Assembly {
    id,
    origin,
    first_seq,
    account_id,
    created_at,
    fields,
    versions,
    other,
    messages,
    pages,
    message_visitor,
    agents,
    joins,
    closed,
    rated,
    first_event,
    last_event,
    events,
});

/// Where an event was read, as held for each assembly: [`Origin`] with the file by its
/// number in the assembler's list of files (not a path for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    pub(super) file: u32,
    pub(super) line: Option<usize>,
    pub(super) column: Option<usize>,
}

codec_struct!(Place { file, line, column });

impl Assembly {
    /// The arrival number of the first event of the assembly encoded in `record`, read
    /// without decoding the rest (`id` and `origin` come before it, see `codec_struct!`
    /// above).
    pub(super) fn first_seq_of(record: &[u8]) -> Result<u64, Corrupt> {
        let mut input = record;
        super::codec::skip_str(&mut input)?;
        Place::get(&mut input)?;
        u64::get(&mut input)
    }

    pub(super) fn new(id: String, origin: Place, first_seq: u64) -> Assembly {
        Assembly {
            id,
            origin,
            first_seq,
            account_id: None,
            created_at: None,
            fields: ConversationFields::default(),
            versions: [(i64::MIN, i64::MIN); FIELDS],
            other: Vec::new(),
            messages: Vec::new(),
            pages: Vec::new(),
            message_visitor: None,
            agents: Vec::new(),
            joins: Vec::new(),
            closed: None,
            rated: None,
            first_event: i64::MAX,
            last_event: i64::MIN,
            events: 0,
        }
    }

    /// Closed: by a close event, or by its `status` (as the assembled view says).
    pub(super) fn is_closed(&self) -> bool {
        self.closed.is_some() || self.fields.status.as_deref() == Some("closed")
    }

    /// The time of its latest event.
    pub(super) fn last_event(&self) -> i64 {
        self.last_event
    }

    fn add_agent(&mut self, agent: &str) {
        if !agent.is_empty() && !self.agents.iter().any(|a| a == agent) {
            self.agents.push(agent.to_owned());
        }
    }

    /// Folds an event's facts in. `facts` is left to be read into again (see
    /// [`Codec::get_into`]): what is kept is copied, or taken out (the message).
    pub(super) fn add(&mut self, facts: &mut Facts<'static>, keys: &mut Keys) {
        self.events += 1;
        self.first_event = self.first_event.min(facts.timestamp);
        self.last_event = self.last_event.max(facts.timestamp);
        if self.account_id.is_none() {
            self.account_id = facts.account_id.as_deref().map(str::to_owned);
        }
        if let Some(c) = &facts.conversation {
            if let Some(created) = c.created_at {
                self.created_at = Some(self.created_at.map_or(created, |t| t.min(created)));
            }
            if let Some(ids) = &c.fields.assigned_agent_ids {
                ids.iter().for_each(|id| self.add_agent(id));
            }
            let version = (c.updated_at.unwrap_or(i64::MIN), facts.timestamp);
            self.fields.merge(&mut self.versions, &c.fields, version);
            for (key, raw) in &c.other {
                let key = keys.id(key);
                // As for the used fields, a null does not erase what an earlier copy said.
                match self.other.iter_mut().find(|(k, ..)| *k == key) {
                    None => self.other.push((key, (**raw).into(), version)),
                    Some(held) if version >= held.2 && (raw != "null" || &*held.1 == "null") => {
                        *held = (key, (**raw).into(), version)
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(mut m) = facts.message.take() {
            if m.id.is_empty() {
                // No id: a message of its own, known by its event.
                m.id = format!("#{:016x}", facts.fingerprint).into();
            }
            if m.sub_type == SubType::Agent && m.kind != Some(MessageType::Note) {
                if let Some(agent) = &m.agent_id {
                    self.add_agent(agent);
                }
            }
            let at = m.created_at.unwrap_or(facts.timestamp);
            let detail = m.detail.as_deref().cloned().unwrap_or_default();
            match m.content_kind.as_deref() {
                Some("agent_join" | "agent_assign") => {
                    if let Some(agent) = detail.agent.as_deref().or(m.agent_id.as_deref()) {
                        self.add_agent(agent);
                    }
                }
                Some("chat_close") => {
                    let by_visitor = detail.close_type.as_deref() == Some("visitor_close");
                    self.close(at, by_visitor);
                }
                Some("rate_form") if detail.value.is_some() || detail.text.is_some() => {
                    self.rate(at, detail.value, detail.text.map(String::from));
                }
                _ => {}
            }
            if let Some(url) = m.page_url.take() {
                if !self.pages.iter().any(|page| *page == url) {
                    self.pages.push(url.into_owned());
                }
            }
            if m.sub_type == SubType::Contact && self.message_visitor.is_none() {
                self.message_visitor = m.visitor_id.take().map(Cow::into_owned);
            }
            m.visitor_id = None;
            match self.messages.iter_mut().find(|held| held.id == m.id) {
                None => self.messages.push(m),
                Some(held) => held.merge(m),
            }
        }
        let agent = facts.agent_id.as_deref().unwrap_or("");
        match &*facts.name {
            "conversation.closed" => self.close(facts.timestamp, false),
            "conversation.closed_by_contact" => self.close(facts.timestamp, true),
            "conversation.rated" => {
                let text = facts.rating_text.as_deref().map(str::to_owned);
                self.rate(facts.timestamp, facts.rating_value, text);
            }
            "conversation.agent_joined" if !agent.is_empty() => {
                self.add_agent(agent);
                if !self.joins.iter().any(|(_, a)| a == agent) {
                    self.joins.push((facts.timestamp, agent.to_owned()));
                }
            }
            "conversation.agent_assigned" => self.add_agent(agent),
            _ => {}
        }
    }

    /// A rating given at `at`: the last one by time counts.
    fn rate(&mut self, at: i64, value: Option<i64>, text: Option<String>) {
        if self.rated.as_ref().is_none_or(|(t, ..)| at >= *t) {
            self.rated = Some((at, value, text));
        }
    }

    fn close(&mut self, at: i64, by_visitor: bool) {
        if self.closed.is_none_or(|(t, _)| at >= t) {
            self.closed = Some((at, by_visitor));
        }
    }
}

/// What an event stream held, for summaries.
#[derive(Debug, Default, Clone)]
pub struct EventCounts {
    /// Distinct events (re-deliveries counted once).
    pub events: u64,
    pub redelivered: u64,
    /// Events whose name `docs/formats.md#event-names` does not list, by name.
    pub unknown: BTreeMap<String, u64>,
}

/// Field names, each held once and known by its number.
#[derive(Debug, Default)]
pub(super) struct Keys {
    pub(super) names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32, rustc_hash::FxBuildHasher>,
}

impl Keys {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        let name: Box<str> = name.into();
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }
}

/// Names of agents (by id) and the visitor's id, for the lines that name them.
struct Names<'m> {
    agents: HashMap<&'m str, &'m str>,
    visitor: &'m str,
}

impl Names<'_> {
    /// An agent's name, when one of its messages gave it.
    fn agent(&self, id: &str) -> Option<&str> {
        self.agents.get(id).copied()
    }
}

/// Compact JSON written straight to text: the assembled documents are written once each and
/// parsed right after, and building them as `serde_json::Value` trees first cost more than
/// the rest of the end of input. Keys come in the order written, as `json!` with
/// `preserve_order` gave them; strings and values are serialised by serde_json, so the text
/// is the same, byte for byte.
trait Json {
    fn write(&self, out: &mut Vec<u8>);
}

impl Json for str {
    /// As serde_json writes a string (`"`, `\\` and control characters escaped, the short
    /// forms where JSON has them, else `\u00xx`), with the plain runs between found by the
    /// vectorised scan: serde_json's byte-by-byte writing was a tenth of assembling a stream.
    fn write(&self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut rest = self.as_bytes();
        out.reserve(rest.len() + 2);
        out.push(b'"');
        while let Some(n) = crate::simd::json_string_stop(rest) {
            out.extend_from_slice(&rest[..n]);
            let byte = rest[n];
            match byte {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 15)],
                ]),
            }
            rest = &rest[n + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'"');
    }
}

impl Json for String {
    fn write(&self, out: &mut Vec<u8>) {
        self.as_str().write(out);
    }
}

impl Json for Cow<'_, str> {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl Json for Box<str> {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl Json for i64 {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl Json for u64 {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl Json for bool {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl Json for Value {
    fn write(&self, out: &mut Vec<u8>) {
        let _ = serde_json::to_writer(&mut *out, self);
    }
}

/// `null`.
struct Null;

impl Json for Null {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"null");
    }
}

impl<T: Json + ?Sized> Json for &T {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl<T: Json> Json for Option<T> {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write(out),
            None => Null.write(out),
        }
    }
}

impl<T: Json> Json for [T] {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (n, item) in self.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            item.write(out);
        }
        out.push(b']');
    }
}

impl<T: Json> Json for Vec<T> {
    fn write(&self, out: &mut Vec<u8>) {
        self.as_slice().write(out);
    }
}

/// A JSON object being written: `put` each key and value in order, then `close`.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Object<'o> {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// Writes `key:` and returns the text, for a value written by other means.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        key.write(self.out);
        self.out.push(b':');
        self.out
    }

    fn put(&mut self, key: &str, value: impl Json) -> &mut Object<'o> {
        value.write(self.key(key));
        self
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// What writes a system line's `data` object, if it has one.
type Data<'d> = Option<&'d dyn Fn(&mut Vec<u8>)>;

/// How a webhook message reads in the POST hook's terms, by its kind
/// (`docs/formats.md#message-kinds`): a written message by its `sub_type`, an internal note,
/// an event or rating in a system line, a page visit, as a JSON object's text. `None` for a
/// message known only from a copy that carries nothing to show.
fn post_hook_message(m: &MessageFacts<'_>, at: i64, names: &Names) -> Option<Vec<u8>> {
    if m.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(256);
    let detail = m.detail.as_deref();
    let agent_from = |id: Option<&str>| id.map(|id| format!("agent:{id}"));
    // A system line; `data` writes its `data` object, if any.
    let system =
        |out: &mut Vec<u8>, code: &str, name: Option<&str>, from: Option<String>, data: Data| {
            let mut line = Object::open(out);
            line.put("type", "system")
                .put("name", name)
                .put("from", from.as_deref().unwrap_or("system"))
                .put("content", code)
                .put("sentAt", at)
                .put("id", &m.id);
            if let Some(data) = data {
                data(line.key("data"));
            }
            line.close();
        };
    let content_kind = m.content_kind.as_deref();
    if content_kind == Some("rate_form") {
        let data = |out: &mut Vec<u8>| {
            let mut data = Object::open(out);
            data.put("value", detail.and_then(|d| d.value))
                .put("text", detail.and_then(|d| d.text.as_deref()));
            data.close();
        };
        let from = Some(format!("visitor:{}", names.visitor));
        system(
            &mut out,
            "rating",
            m.author_name.as_deref(),
            from,
            Some(&data),
        );
        return Some(out);
    }
    let event_kind = content_kind.filter(|k| EVENT_CONTENT.contains(k));
    if m.kind == Some(MessageType::Event) || event_kind.is_some() {
        let agent = detail
            .and_then(|d| d.agent.as_deref())
            .or(m.agent_id.as_deref());
        let name = agent
            .and_then(|a| names.agent(a))
            .or(m.author_name.as_deref());
        let by = detail.and_then(|d| d.by.as_deref());
        let by_data = |out: &mut Vec<u8>| {
            let mut data = Object::open(out);
            data.put("by", by.and_then(|b| names.agent(b)))
                .put("byAgent", by);
            data.close();
        };
        let by_data: Data = by.map(|_| &by_data as _);
        let code = match event_kind {
            Some("agent_join") => "agent.join".to_owned(),
            Some("agent_leave") => "agent.leave".to_owned(),
            Some("agent_assign") => {
                system(&mut out, "agent.assign", name, agent_from(agent), by_data);
                return Some(out);
            }
            Some("agent_unassign") => {
                system(&mut out, "agent.unassign", name, agent_from(agent), by_data);
                return Some(out);
            }
            Some(_) => {
                let close_type = detail.and_then(|d| d.close_type.as_deref()).unwrap_or("");
                let code = match close_type {
                    "visitor_close" => "close.visitorClose".to_owned(),
                    "agent_close" => "close.agentClose".to_owned(),
                    "" => "close".to_owned(),
                    other => format!("close.{other}"),
                };
                let by_agent = close_type != "visitor_close";
                let name = name.filter(|_| by_agent && agent.is_some());
                let from = agent_from(agent.filter(|_| by_agent));
                system(&mut out, &code, name, from, None);
                return Some(out);
            }
            // Another event: its content type (or text) is its code.
            None => content_kind
                .map(str::to_owned)
                .or(m.text.as_deref().map(str::to_owned))
                .unwrap_or_default(),
        };
        system(&mut out, &code, name, agent_from(agent), None);
        return Some(out);
    }
    if m.is_page_visit() {
        let url = detail.and_then(|d| d.url.as_deref());
        let data = |out: &mut Vec<u8>| {
            let mut data = Object::open(out);
            data.put("url", url);
            data.close();
        };
        let from = Some(format!("visitor:{}", names.visitor));
        system(
            &mut out,
            "page.visit",
            m.author_name.as_deref(),
            from,
            Some(&data),
        );
        return Some(out);
    }
    let (kind, from, trigger): (&str, Option<String>, Option<&str>) = match &m.sub_type {
        _ if m.kind == Some(MessageType::Note) => (
            "note",
            agent_from(m.agent_id.as_deref()).or(Some("agent:".to_owned())),
            None,
        ),
        SubType::Contact => ("visitor", Some(format!("visitor:{}", names.visitor)), None),
        SubType::Agent => (
            "agent",
            Some(format!("agent:{}", m.agent_id.as_deref().unwrap_or(""))),
            None,
        ),
        SubType::Bot | SubType::Trigger => (
            "agent",
            Some("system".to_owned()),
            Some(m.trigger_name.as_deref().unwrap_or("bot")),
        ),
        SubType::System => ("system", Some("system".to_owned()), None),
        // Unknown sub types keep their word: the transcript shows them as sent.
        SubType::Other(word) => (word, None, None),
        SubType::Missing => ("unknown", None, None),
    };
    let mut line = Object::open(&mut out);
    line.put("type", kind)
        .put("name", &m.author_name)
        .put("from", from)
        .put("content", &m.text)
        .put("sentAt", at)
        .put("triggeredBy", trigger)
        .put("id", &m.id);
    if let Some(files) = m
        .attachments
        .as_deref()
        .and_then(|files| serde_json::from_str::<Value>(files).ok())
    {
        line.put("attachments", files);
    }
    line.close();
    Some(out)
}

/// The assembled conversation as a POST-hook payload (plus `sshook`), as JSON text: figures
/// the POST hook records but the events do not carry are computed where the rules allow
/// (flags, first response, duration, mean response from `response_time`) and null otherwise
/// (recorded message and word counts, `isDropped`).
pub(super) fn payload_json(
    a: Assembly,
    contacts: &HashMap<String, ContactFacts>,
    keys: &[Box<str>],
) -> String {
    let f = &a.fields;
    let mut messages: Vec<(i64, &MessageFacts<'_>)> = a
        .messages
        .iter()
        .map(|m| (m.created_at.unwrap_or(a.first_event), m))
        .collect();
    messages.sort_by(|(ta, ma), (tb, mb)| ta.cmp(tb).then_with(|| ma.id.cmp(&mb.id)));

    let begin = a
        .created_at
        .or(messages.first().map(|(t, _)| *t))
        .unwrap_or(a.first_event);
    let closed = a.closed.is_some() || f.status.as_deref() == Some("closed");
    let end = if closed {
        f.finished_at
            .or(f.last_closed_at)
            .or(a.closed.map(|(t, _)| t))
            .or(Some(a.last_event))
    } else {
        None
    };

    // Agent names from their own messages (and notes), for event lines and agent lists.
    let mut agents: HashMap<&str, &str> = HashMap::new();
    for (_, m) in &messages {
        if let (Some(agent), Some(name)) = (&m.agent_id, &m.author_name) {
            if m.sub_type == SubType::Agent {
                agents.entry(&**agent).or_insert(&**name);
            }
        }
    }
    let names = Names {
        agents,
        visitor: a.message_visitor.as_deref().unwrap_or(""),
    };
    let mut timeline: Vec<(i64, Vec<u8>)> = messages
        .iter()
        .filter_map(|(t, m)| Some((*t, post_hook_message(m, *t, &names)?)))
        .collect();
    // The lines event messages gave: a join or close event adds none of its own then.
    let said = |code: &str, agent: Option<&str>| {
        messages.iter().any(|(_, m)| {
            let detail = m.detail.as_deref();
            m.content_kind.as_deref() == Some(code)
                && agent.is_none_or(|agent| {
                    detail
                        .and_then(|d| d.agent.as_deref())
                        .or(m.agent_id.as_deref())
                        == Some(agent)
                })
        })
    };
    for (at, agent) in &a.joins {
        if said("agent_join", Some(agent)) {
            continue;
        }
        let mut out = Vec::with_capacity(128);
        let mut line = Object::open(&mut out);
        line.put("type", "system")
            .put(
                "name",
                names.agents.get(agent.as_str()).copied().unwrap_or(""),
            )
            .put("from", format!("agent:{agent}"))
            .put("content", "agent.join")
            .put("sentAt", *at);
        line.close();
        timeline.push((*at, out));
    }
    if let Some((at, by_visitor)) = a.closed.filter(|_| !said("chat_close", None)) {
        let code = if by_visitor {
            "close.visitorClose"
        } else {
            "close.agentClose"
        };
        let mut out = Vec::with_capacity(96);
        let mut line = Object::open(&mut out);
        line.put("type", "system")
            .put("from", "system")
            .put("content", code)
            .put("sentAt", at);
        line.close();
        timeline.push((at, out));
    }
    // Stable: at equal times messages come before the system lines added after them.
    timeline.sort_by_key(|(t, _)| *t);

    // Computed flags, from the messages as the POST hook defines them.
    // Notes, events, ratings and page visits are no replies: only written messages count.
    let times = |sub: SubType| -> Vec<i64> {
        messages
            .iter()
            .filter(|(_, m)| m.sub_type == sub && m.is_reply_kind())
            .map(|(t, _)| *t)
            .collect()
    };
    let (visitor_times, agent_times) = (times(SubType::Contact), times(SubType::Agent));
    let triggered = messages
        .iter()
        .any(|(_, m)| matches!(m.sub_type, SubType::Bot | SubType::Trigger));
    let is_chat = !visitor_times.is_empty() && !agent_times.is_empty();
    let last_visitor_answered = visitor_times
        .last()
        .is_none_or(|last| agent_times.iter().any(|t| t >= last));
    let first_response = visitor_times.first().and_then(|first| {
        agent_times
            .iter()
            .find(|t| *t >= first)
            .map(|t| (t - first) / 1000)
    });
    let response_times: Vec<f64> = messages
        .iter()
        .filter(|(_, m)| m.is_reply_kind())
        .filter_map(|(_, m)| m.response_time.map(f64::from))
        .collect();
    let avg_response = (!response_times.is_empty())
        .then(|| (response_times.iter().sum::<f64>() / response_times.len() as f64).round() as i64);
    let is_offline = f.is_offline == Some(true);
    let missed = closed && !is_offline && !visitor_times.is_empty() && !last_visitor_answered;
    let completed = closed && !is_offline && is_chat && last_visitor_answered;

    let (rating, rating_text) = match &a.rated {
        Some((_, value, text)) => (
            value.or(f.rating),
            text.as_deref().or(f.rating_text.as_deref()),
        ),
        None => (f.rating, f.rating_text.as_deref()),
    };
    let contact = f.contact_id.as_deref().and_then(|id| contacts.get(id));
    let variables: Value = f
        .variables
        .as_deref()
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or(Value::Null);
    let account_id = a
        .account_id
        .as_deref()
        .and_then(|id| id.parse::<i64>().ok());

    let mut out = Vec::with_capacity(4096);
    let mut top = Object::open(&mut out);
    top.put("accountId", account_id)
        .put("beginAt", begin)
        .put("endAt", end);
    let mut channel = Object::open(top.key("channel"));
    channel
        .put("id", Null)
        .put("isChat", is_chat)
        .put("isMissed", closed.then_some(missed))
        .put("isTriggered", triggered)
        .put("isOffline", f.is_offline)
        .put("isCompleted", closed.then_some(completed))
        .put("isDropped", Null)
        .put("duration", end.map(|e| (e - begin) / 1000))
        .put("avgResponse", avg_response)
        .put("firstResponse", first_response)
        .put("messagesCount", Null)
        .put("wordsCount", Null)
        .put("rating", rating)
        .put("ratingDesc", rating_text);
    channel.close();
    let mut visitor = Object::open(top.key("visitor"));
    visitor
        .put("id", f.visitor_id.as_ref().or(f.contact_id.as_ref()))
        .put(
            "name",
            f.contact_name
                .as_deref()
                .or(contact.and_then(|c| c.name.as_deref())),
        )
        .put(
            "email",
            f.contact_email
                .as_deref()
                .or(contact.and_then(|c| c.email.as_deref())),
        )
        .put("note", contact.and_then(|c| c.note.as_ref()))
        .put("ipAddress", &f.location_ip)
        .put("city", &f.location_city)
        .put("countryCode", &f.location_code)
        .put("country", &f.location_country)
        .put("referer", &f.referer)
        .put("variables", &variables);
    visitor.close();
    let paths = top.key("paths");
    paths.push(b'[');
    for (n, url) in a.pages.iter().enumerate() {
        if n > 0 {
            paths.push(b',');
        }
        let mut page = Object::open(paths);
        page.put("url", url).put("title", Null);
        page.close();
    }
    paths.push(b']');
    let lines = top.key("messages");
    lines.push(b'[');
    for (n, (_, line)) in timeline.iter().enumerate() {
        if n > 0 {
            lines.push(b',');
        }
        lines.extend_from_slice(line);
    }
    lines.push(b']');
    if let Some(tags) = f.tags.as_ref().filter(|tags| !tags.is_empty()) {
        top.put("tags", tags);
    }
    // The conversation object's other fields, as they came (the latest copy of each).
    let other: Vec<(&str, Value)> = a
        .other
        .iter()
        .filter_map(|(key, raw, _)| {
            let name = keys.get(*key as usize)?;
            Some((&**name, serde_json::from_str(raw).ok()?))
        })
        .collect();
    if !other.is_empty() {
        let mut conversation = Object::open(top.key("conversation"));
        for (name, value) in &other {
            conversation.put(name, value);
        }
        conversation.close();
    }
    let mut sshook = Object::open(top.key("sshook"));
    sshook
        .put("source", "webhook")
        .put("conversationId", &a.id)
        .put("open", !closed)
        .put("events", a.events)
        .put("agents", &a.agents);
    sshook.close();
    top.close();
    // Only serde_json's text and ASCII punctuation were written: always UTF-8.
    String::from_utf8(out)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::Json;
    use super::{Assembly, Codec, Place};

    /// The first event's arrival number read from a record alone is the decoded assembly's,
    /// with ids of every length (the length before the text takes one byte or more).
    #[test]
    fn first_seq_is_read_from_a_record_without_decoding_it() {
        for (id, line, seq) in [
            ("", None, 0),
            ("c1", Some(7), 42),
            (&*"x".repeat(300), Some(1 << 40), u64::MAX),
        ] {
            let place = Place {
                file: 3,
                line,
                column: Some(2),
            };
            let mut record = Vec::new();
            Assembly::new(id.to_string(), place, seq).put(&mut record);
            let decoded = Assembly::get(&mut &record[..]).unwrap();
            assert_eq!(Assembly::first_seq_of(&record).ok(), Some(seq));
            assert_eq!((decoded.first_seq, decoded.id.as_str()), (seq, id));
        }
        assert!(Assembly::first_seq_of(&[]).is_err());
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0u32..0x80)
            .chain([0xa0, 0x2028, 0x1F600])
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        let pieces = [
            "a", "\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "ž", "😀", "/", "\t",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..5_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for k in 0..(state % 70) {
                let pick = (state >> (k % 50)) as usize % (pieces.len() + 4);
                text.push_str(pieces.get(pick).copied().unwrap_or("plain"));
            }
            texts.push(text);
        }
        texts.push(String::new());
        texts.push("x".repeat(16) + "\"" + &"y".repeat(31));
        for text in &texts {
            let mut out = Vec::new();
            text.as_str().write(&mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }
}
