//! The serde model of one Smartsupp webhook event (`docs/formats.md#webhook-events`): the
//! envelope and the objects the known events carry.
//!
//! The envelope is strict — `event` a string, `timestamp` an ISO 8601 time, `data` an object —
//! and a document without it is not an event. Everything inside `data` follows the one
//! tolerance rule ([`super::tolerant`]): every shape Smartsupp's APIs are known to send is read
//! (`docs/formats.md#shapes-in-smartsupps-own-api`); a used field of another shape is counted
//! in [`Event::odd`], read as absent, and reported as a warning; unused fields are kept as they
//! came and never checked.

use std::fmt;

use serde::de::{self, Deserializer, Visitor as SerdeVisitor};
use serde::Deserialize;

use super::tolerant::{
    Counting, Expiry, Fast, Flag, Id, Ids, Int, Key, Map, Obj, Objs, Seconds, Str, Tags, Time,
};
use crate::jsontext::scan::Parser;
use crate::model::payload::{object, text, Scalar, Text};

pub use super::tolerant::parse_time;

/// One webhook event as Smartsupp posts it.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Always `event_callback` (some stored copies omit it).
    pub kind: Option<Text<'a>>,
    /// The event name, e.g. `conversation.closed`; unknown names are kept.
    pub event: Text<'a>,
    /// When the event was created: ISO 8601 in the JSON, epoch **milliseconds** here.
    pub timestamp: i64,
    /// The Smartsupp account: digits, sent as a string.
    pub account_id: Option<Text<'a>>,
    pub data: Data<'a>,
    /// Used fields of a shape the model does not know, read as absent (see
    /// [`super::tolerant`]); where they are is found again only when this is not 0.
    pub odd: u32,
}

/// The envelope as read: `type`, `account_id` and `app_id` tolerant, the rest required.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: Str<'a>,
    #[serde(borrow, deserialize_with = "text")]
    event: Text<'a>,
    #[serde(deserialize_with = "time")]
    timestamp: i64,
    #[serde(default, borrow)]
    account_id: Str<'a>,
    #[serde(borrow, deserialize_with = "object")]
    data: Data<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Event<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let counting = Counting::start();
        let e = Envelope::deserialize(d)?;
        Ok(Event {
            kind: e.kind.0,
            event: e.event,
            timestamp: e.timestamp,
            account_id: e.account_id.0,
            data: e.data,
            odd: counting.finish(),
        })
    }
}

impl<'a> Event<'a> {
    /// Reads the event at the parser by the fast readers ([`Fast`]): the envelope as serde
    /// reads [`Envelope`] (required `event`, `timestamp` and `data`, each key once, other keys
    /// skipped), the objects by the tolerance rule's common shapes; `None` when serde must
    /// read it.
    pub(crate) fn fast<const P: bool>(p: &mut Parser<'a, P>) -> Option<Event<'a>> {
        let (mut kind, mut account_id) = (None, None);
        let (mut event, mut timestamp, mut data) = (None, None, None);
        let mut seen = 0u8;
        p.object(|p, key| {
            let bit = match key {
                "type" => 1,
                "event" => 2,
                "timestamp" => 4,
                "account_id" => 8,
                "data" => 16,
                _ => return p.skip(1),
            };
            if seen & bit != 0 {
                return None; // serde's "duplicate field"
            }
            seen |= bit;
            match key {
                "type" => kind = Str::fast(p, 1)?.0,
                "account_id" => account_id = Str::fast(p, 1)?.0,
                "event" if p.peek()? == b'"' => event = Some(p.string()?),
                "timestamp" if p.peek()? == b'"' => timestamp = Some(parse_time(&p.string()?)?),
                "data" if p.peek()? == b'{' => data = Some(Data::fast(p, 1)?),
                _ => return None,
            }
            Some(())
        })?;
        Some(Event {
            kind,
            event: event?,
            timestamp: timestamp?,
            account_id,
            data: data?,
            odd: 0,
        })
    }
}

lenient_object! {
    /// The event's objects. Which ones are present depends on the event.
    pub struct Data<'a> {
        /// Boxed, as the message: each is large (the conversation near a kilobyte), and an
        /// event is moved several times on its way.
        "conversation" => conversation: Option<Box<Conversation<'a>>> = Obj<Box<Conversation<'a>>>,
        "message" => message: Option<Box<Message<'a>>> = Obj<Box<Message<'a>>>,
        "contact" => contact: Option<Contact<'a>> = Obj<Contact<'a>>,
        /// The flat form some events use (`agent_joined`, `agent_left`).
        "conversation_id" => conversation_id: Option<Scalar<'a>> = Id<'a>,
        "agent_id" => agent_id: Option<Scalar<'a>> = Id<'a>,
        /// `conversation.agent_assigned` / `agent_unassigned`: the agent id.
        "assigned" => assigned: Option<Scalar<'a>> = Id<'a>,
        "close_type" => close_type: Option<Text<'a>> = Str<'a>,
        /// `conversation.rated`: 1–5.
        "rating_value" => rating_value: Option<i64> = Int,
        "rating_text" => rating_text: Option<Text<'a>> = Str<'a>,
    }
}

lenient_object! {
    /// A conversation object: the fields the assembly uses, in every known shape; all others
    /// (`subject`, `domain`, `channel`, `last_message`, …) kept in `other` as they came.
    pub struct Conversation<'a> {
        /// Empty when missing.
        "id" => id: Scalar<'a> = Key<'a>,
        /// `open`, `closed`, `pending`, `served`, …
        "status" => status: Option<Text<'a>> = Str<'a>,
        "is_offline" => is_offline: Option<bool> = Flag,
        "contact_id" => contact_id: Option<Scalar<'a>> = Id<'a>,
        "visitor_id" => visitor_id: Option<Scalar<'a>> = Id<'a>,
        "referer" => referer: Option<Text<'a>> = Str<'a>,
        /// An array of strings or the REST list object, as a list.
        "tags" => tags: Option<Vec<Text<'a>>> = Tags<'a>,
        /// Custom variables, kept as raw JSON (an object, or absent).
        "variables" => variables: Option<&'a str> = Map<'a>,
        "assigned_agent_ids" => assigned_agent_ids: Option<Vec<Scalar<'a>>> = Ids<'a>,
        "agent_ids" => agent_ids: Option<Vec<Scalar<'a>>> = Ids<'a>,
        "assigned_ids" => assigned_ids: Option<Vec<Scalar<'a>>> = Ids<'a>,
        "rating" => rating: Option<i64> = Int,
        "rating_value" => rating_value: Option<i64> = Int,
        "rating_text" => rating_text: Option<Text<'a>> = Str<'a>,
        "finished_at" => finished_at: Option<i64> = Time,
        "last_closed_at" => last_closed_at: Option<i64> = Time,
        "contact_name" => contact_name: Option<Text<'a>> = Str<'a>,
        "contact_email" => contact_email: Option<Text<'a>> = Str<'a>,
        "location_country" => location_country: Option<Text<'a>> = Str<'a>,
        "location_city" => location_city: Option<Text<'a>> = Str<'a>,
        "location_ip" => location_ip: Option<Text<'a>> = Str<'a>,
        "location_code" => location_code: Option<Text<'a>> = Str<'a>,
        /// The nested form of the `location_*` fields.
        "location" => location: Option<Location<'a>> = Obj<Location<'a>>,
        "created_at" => created_at: Option<i64> = Time,
        "updated_at" => updated_at: Option<i64> = Time,
    }
}

lenient_object! {
    /// `location: {ip, code, country, city}`, the nested form of `location_*`.
    pub struct Location<'a> {
        "ip" => ip: Option<Text<'a>> = Str<'a>,
        "code" => code: Option<Text<'a>> = Str<'a>,
        "country" => country: Option<Text<'a>> = Str<'a>,
        "city" => city: Option<Text<'a>> = Str<'a>,
    }
}

lenient_object! {
    /// A message object.
    pub struct Message<'a> {
        /// Empty when missing.
        "id" => id: Scalar<'a> = Key<'a>,
        "conversation_id" => conversation_id: Option<Scalar<'a>> = Id<'a>,
        /// `contact`, `agent`, `bot`, `trigger`, `system`.
        "sub_type" => sub_type: Option<Text<'a>> = Str<'a>,
        /// `message`, `note` (an agent's internal note) or `event`.
        "type" => kind: Option<Text<'a>> = Str<'a>,
        "content" => content: Option<Content<'a>> = ContentShape<'a>,
        "author_name" => author_name: Option<Text<'a>> = Str<'a>,
        "agent_id" => agent_id: Option<Scalar<'a>> = Id<'a>,
        "visitor_id" => visitor_id: Option<Scalar<'a>> = Id<'a>,
        "trigger_id" => trigger_id: Option<Scalar<'a>> = Id<'a>,
        "trigger_name" => trigger_name: Option<Text<'a>> = Str<'a>,
        "page_url" => page_url: Option<Text<'a>> = Str<'a>,
        /// Seconds the agent took to reply, or null.
        "response_time" => response_time: Option<f64> = Seconds,
        "attachments" => attachments: Option<Vec<Attachment<'a>>> = Objs<Attachment<'a>>,
        "created_at" => created_at: Option<i64> = Time,
        "updated_at" => updated_at: Option<i64> = Time,
    }
}

/// A message's content: a string, or an object `{type, text, html}` / `{type, text, data}`.
#[derive(Debug, Clone)]
pub enum Content<'a> {
    Text(Text<'a>),
    /// Boxed: its `data` holds any of several objects' fields.
    Rich(Box<RichContent<'a>>),
}

lenient_object! {
    /// The object form of a message's content.
    pub struct RichContent<'a> {
        /// `text`, `upload`, `rate_form`, `agent_join`, `agent_leave`, `agent_assign`,
        /// `agent_unassign`, `chat_close`, …
        "type" => kind: Option<Text<'a>> = Str<'a>,
        "text" => text: Option<Text<'a>> = Str<'a>,
        "data" => data: Option<ContentData<'a>> = Obj<ContentData<'a>>,
    }
}

lenient_object! {
    /// `content.data`, whichever content type it goes with: an attachment (`upload`), a
    /// rating (`rate_form`: `value`, `text`), an agent (`agentId`), an assignment
    /// (`assigned`, `assignedBy`, `unassigned`, `unassignedBy`), a close (`closeType`).
    pub struct ContentData<'a> {
        "value" => value: Option<i64> = Int,
        "text" => text: Option<Text<'a>> = Str<'a>,
        "agentId" => agent_id: Option<Scalar<'a>> = Id<'a>,
        "assigned" => assigned: Option<Scalar<'a>> = Id<'a>,
        "assignedBy" => assigned_by: Option<Scalar<'a>> = Id<'a>,
        "unassigned" => unassigned: Option<Scalar<'a>> = Id<'a>,
        "unassignedBy" => unassigned_by: Option<Scalar<'a>> = Id<'a>,
        "closeType" => close_type: Option<Text<'a>> = Str<'a>,
        "type" => file_kind: Option<Text<'a>> = Str<'a>,
        "url" => url: Option<Text<'a>> = Str<'a>,
        "fileName" => file_name: Option<Text<'a>> = Str<'a>,
        "fileType" => file_type: Option<Text<'a>> = Str<'a>,
        "size" => size: Option<i64> = Int,
        "expireAt" => expire_at: Option<i64> = Expiry,
    }
}

lenient_object! {
    /// A file sent in a message: *direct* `{type, url, fileName}` or *uploaded* (also
    /// `fileType`, `size`, `expireAt`, `width`, `height`, `thumb400`). Every field but `type`
    /// may be null or missing.
    pub struct Attachment<'a> {
        /// `image` or `file`.
        "type" => kind: Option<Text<'a>> = Str<'a>,
        "url" => url: Option<Text<'a>> = Str<'a>,
        "fileName" => file_name: Option<Text<'a>> = Str<'a>,
        /// A MIME type.
        "fileType" => file_type: Option<Text<'a>> = Str<'a>,
        /// Bytes.
        "size" => size: Option<i64> = Int,
        /// Until when the link works, epoch milliseconds.
        "expireAt" => expire_at: Option<i64> = Expiry,
    }
}

impl<'a> ContentData<'a> {
    /// The attachment an `upload` content carries.
    pub fn attachment(&self) -> Attachment<'a> {
        Attachment {
            kind: self.file_kind.clone(),
            url: self.url.clone(),
            file_name: self.file_name.clone(),
            file_type: self.file_type.clone(),
            size: self.size,
            expire_at: self.expire_at,
            other: Vec::new(),
        }
    }
}

impl Content<'_> {
    /// The plain text, whichever shape it came in.
    pub fn text(&self) -> &str {
        match self {
            Content::Text(t) => t,
            Content::Rich(rich) => rich.text.as_deref().unwrap_or(""),
        }
    }

    /// The content type of the object form (`upload`, `agent_join`, …); `None` for a string.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Content::Text(_) => None,
            Content::Rich(rich) => rich.kind.as_deref(),
        }
    }
}

/// [`Content`] by its shapes: a string, an object, or null.
#[derive(Default)]
pub struct ContentShape<'a>(pub Option<Content<'a>>);

impl<'de: 'a, 'a> super::tolerant::Shape<'de> for ContentShape<'a> {
    const EXPECTED: &'static str =
        "a string, an object {type, text, html} or {type, text, data}, or null";
    fn scalar<E: de::Error>(any: super::tolerant::Any<'de>) -> Result<Self, E> {
        match any {
            super::tolerant::Any::Str(s) => Ok(ContentShape(Some(Content::Text(s)))),
            other => Str::scalar(other).map(|_| ContentShape(None)),
        }
    }
    fn map<A: de::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        RichContent::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(|rich| ContentShape(Some(Content::Rich(Box::new(rich)))))
    }
}

impl<'a> Fast<'a> for ContentShape<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        match p.peek()? {
            b'"' => p.string().map(|s| ContentShape(Some(Content::Text(s)))),
            b'{' => RichContent::fast(p, depth)
                .map(|rich| ContentShape(Some(Content::Rich(Box::new(rich))))),
            b'n' => p.literal(b"null").map(|()| ContentShape(None)),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ContentShape<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::tolerant::by_shape(d)
    }
}

lenient_object! {
    /// A contact object.
    pub struct Contact<'a> {
        /// Empty when missing.
        "id" => id: Scalar<'a> = Key<'a>,
        "name" => name: Option<Text<'a>> = Str<'a>,
        "email" => email: Option<Text<'a>> = Str<'a>,
        "note" => note: Option<Text<'a>> = Str<'a>,
        "updated_at" => updated_at: Option<i64> = Time,
    }
}

impl<'a> Event<'a> {
    /// The id of the conversation this event belongs to, if any.
    pub fn conversation_id(&self) -> Option<&str> {
        let d = &self.data;
        d.conversation
            .as_ref()
            .map(|c| &*c.id)
            .filter(|id| !id.is_empty())
            .or_else(|| {
                d.message
                    .as_ref()
                    .and_then(|m| m.conversation_id.as_deref())
            })
            .or(d.conversation_id.as_deref())
            .filter(|id| !id.is_empty())
    }
}

/// Whether the event name is one `docs/formats.md#event-names` lists (others are kept and counted).
pub fn is_known(event: &str) -> bool {
    KNOWN.contains(&event)
}

const KNOWN: &[&str] = &[
    "conversation.opened",
    "conversation.closed",
    "conversation.closed_by_contact",
    "conversation.rated",
    "conversation.agent_assigned",
    "conversation.agent_unassigned",
    "conversation.agent_joined",
    "conversation.agent_left",
    "conversation.agent_replied",
    "conversation.contact_replied",
    "conversation.bot_replied",
    "conversation.message_delivered",
    "conversation.message_delivery_failed",
    "contact.created",
    "contact.updated",
    "contact.acquired",
    "contact.banned",
    "contact.unbanned",
    "visitor.connected",
    "visitor.updated",
    "visitor.triggered",
    "visitor.disconnected",
    "visitor.typing",
];

// ---- field deserialisers ----

/// The envelope's `timestamp`: required, an ISO 8601 time.
fn time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct TimeVisitor;
    impl<'de> SerdeVisitor<'de> for TimeVisitor {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an ISO 8601 time")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            parse_time(v).ok_or_else(|| {
                E::custom(format_args!(
                    "expected {}, found {v:?}",
                    super::tolerant::TIME_EXPECTED
                ))
            })
        }
    }
    d.deserialize_any(TimeVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_envelope_reads() {
        let e: Event = serde_json::from_str(
            r#"{ "type": "event_callback", "event": "conversation.closed", "timestamp": "2020-08-08T07:53:18.825Z",
              "account_id": "881987", "app_id": "ap40qUkYi", "data": { } }"#,
        )
        .unwrap();
        assert_eq!(e.event, "conversation.closed");
        assert_eq!(e.timestamp, 1_596_873_198_825);
        assert_eq!(e.account_id.as_deref(), Some("881987"));
        assert!(e.conversation_id().is_none());
    }

    #[test]
    fn content_is_a_string_or_an_object() {
        let m: Message = serde_json::from_str(
            r#"{"id":"m1","content":{"type":"text","text":"Hi","html":"<p>Hi</p>"}}"#,
        )
        .unwrap();
        assert_eq!(m.content.unwrap().text(), "Hi");
        let m: Message = serde_json::from_str(r#"{"id":"m1","content":"Hi"}"#).unwrap();
        assert_eq!(m.content.unwrap().text(), "Hi");
    }

    #[test]
    fn times_must_be_iso_8601() {
        let err =
            serde_json::from_str::<Event>(r#"{"event":"x","timestamp":1596873198825,"data":{}}"#)
                .unwrap_err();
        assert!(err.to_string().contains("ISO 8601"), "{err}");
        let err =
            serde_json::from_str::<Event>(r#"{"event":"x","timestamp":"yesterday","data":{}}"#)
                .unwrap_err();
        assert!(err.to_string().contains("found \"yesterday\""), "{err}");
        assert_eq!(parse_time("2020-08-08T07:53:18Z"), Some(1_596_873_198_000));
    }
}
