//! The serde model of one Smartsupp webhook event (`docs/formats.md#webhook-events`): the envelope and the objects
//! the known events carry. Tolerant like the payload model — unknown fields and event names are
//! accepted, almost everything may be missing or null — and precise where the format is known:
//! `timestamp` and every `*_at` are ISO 8601 strings, `account_id` a string, `data` an object,
//! `rating_value` an integer, `content` a string or a `{type, text, html}` object.

use std::fmt;

use serde::de::{self, Deserializer, Visitor as SerdeVisitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::payload::{
    object, opt_bool, opt_int, opt_object, opt_scalar, opt_text, text, Scalar, Text,
};

/// One webhook event as Smartsupp posts it.
#[derive(Debug, Clone, Deserialize)]
pub struct Event<'a> {
    /// Always `event_callback` (some stored copies omit it).
    #[serde(rename = "type", default, borrow, deserialize_with = "opt_text")]
    pub kind: Option<Text<'a>>,
    /// The event name, e.g. `conversation.closed`; unknown names are kept.
    #[serde(borrow, deserialize_with = "text")]
    pub event: Text<'a>,
    /// When the event was created: ISO 8601 in the JSON, epoch **milliseconds** here.
    #[serde(deserialize_with = "time")]
    pub timestamp: i64,
    /// The Smartsupp account: digits, sent as a string.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub account_id: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub app_id: Option<Text<'a>>,
    #[serde(borrow, deserialize_with = "object")]
    pub data: Data<'a>,
}

/// The event's objects. Which ones are present depends on the event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Data<'a> {
    #[serde(default, borrow, deserialize_with = "opt_object")]
    pub conversation: Option<Conversation<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_object")]
    pub message: Option<Message<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_object")]
    pub contact: Option<Contact<'a>>,
    /// The flat form some events use (`agent_joined`, `agent_left`).
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub conversation_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub agent_id: Option<Scalar<'a>>,
    /// `conversation.agent_assigned` / `agent_unassigned`: the agent id.
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub assigned: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub close_type: Option<Text<'a>>,
    /// `conversation.rated`: 1–5.
    #[serde(default, deserialize_with = "opt_int")]
    pub rating_value: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub rating_text: Option<Text<'a>>,
}

/// A conversation object; every field may be missing or null but `id`.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation<'a> {
    #[serde(borrow, deserialize_with = "required_scalar")]
    pub id: Scalar<'a>,
    /// `open`, `closed`, `pending`, `served`, …
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub status: Option<Text<'a>>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_offline: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_served: Option<bool>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub contact_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub visitor_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub subject: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub domain: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub referer: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub channel: Option<Channel<'a>>,
    #[serde(default, borrow)]
    pub tags: Option<Vec<Scalar<'a>>>,
    /// Custom variables, kept as raw JSON.
    #[serde(default, borrow)]
    pub variables: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub assigned_agent_ids: Option<Vec<Scalar<'a>>>,
    #[serde(default, deserialize_with = "opt_int")]
    pub rating: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub rating_text: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub close_type: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub closed_by_agent_id: Option<Scalar<'a>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub finished_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_closed_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_message_at: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub contact_name: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub contact_email: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub location_country: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub location_city: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub location_ip: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub location_code: Option<Text<'a>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Channel<'a> {
    /// `chat`, `facebook_messenger`, `default`, …
    #[serde(rename = "type", default, borrow, deserialize_with = "opt_text")]
    pub kind: Option<Text<'a>>,
}

/// A message object.
#[derive(Debug, Clone, Deserialize)]
pub struct Message<'a> {
    #[serde(borrow, deserialize_with = "required_scalar")]
    pub id: Scalar<'a>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub conversation_id: Option<Scalar<'a>>,
    /// `contact`, `agent`, `bot`, `trigger`, `system`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub sub_type: Option<Text<'a>>,
    #[serde(rename = "type", default, borrow, deserialize_with = "opt_text")]
    pub kind: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub content: Option<Content<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub author_name: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub agent_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub visitor_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_scalar")]
    pub trigger_id: Option<Scalar<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub trigger_name: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub page_url: Option<Text<'a>>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_offline: Option<bool>,
    /// Seconds the agent took to reply, or null.
    #[serde(default, deserialize_with = "opt_seconds")]
    pub response_time: Option<f64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub delivered_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<i64>,
}

/// A message's content: a string, or an object with its text (and HTML).
#[derive(Debug, Clone)]
pub enum Content<'a> {
    Text(Text<'a>),
    Rich {
        kind: Option<Text<'a>>,
        text: Option<Text<'a>>,
    },
}

impl Content<'_> {
    /// The plain text, whichever shape it came in.
    pub fn text(&self) -> &str {
        match self {
            Content::Text(t) => t,
            Content::Rich { text, .. } => text.as_deref().unwrap_or(""),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact<'a> {
    #[serde(borrow, deserialize_with = "required_scalar")]
    pub id: Scalar<'a>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub name: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub email: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub phone: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub note: Option<Text<'a>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<i64>,
}

impl<'a> Event<'a> {
    /// The id of the conversation this event belongs to, if any.
    pub fn conversation_id(&self) -> Option<&str> {
        let d = &self.data;
        d.conversation
            .as_ref()
            .map(|c| &*c.id)
            .or_else(|| {
                d.message
                    .as_ref()
                    .and_then(|m| m.conversation_id.as_deref())
            })
            .or(d.conversation_id.as_deref())
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

/// An ISO 8601 instant (`2020-08-08T07:53:18.825Z`, any offset, milliseconds optional) as epoch
/// milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let ts: jiff::Timestamp = text.parse().ok()?;
    Some(ts.as_millisecond())
}

struct TimeVisitor {
    nullable: bool,
}

impl<'de> SerdeVisitor<'de> for TimeVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.nullable {
            "an ISO 8601 time or null"
        } else {
            "an ISO 8601 time"
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_time(v).map(Some).ok_or_else(|| {
            E::custom(format_args!(
                "expected an ISO 8601 time like 2020-08-08T07:53:18.825Z, found {v:?}"
            ))
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.nullable {
            Ok(None)
        } else {
            Err(E::invalid_type(de::Unexpected::Unit, &self))
        }
    }
}

fn time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(TimeVisitor { nullable: false })?
        .ok_or_else(|| de::Error::invalid_type(de::Unexpected::Unit, &"an ISO 8601 time"))
}

fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(TimeVisitor { nullable: true })
}

fn required_scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar<'de>, D::Error> {
    opt_scalar(d)?.ok_or_else(|| de::Error::invalid_type(de::Unexpected::Unit, &"string or number"))
}

fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Seconds;
    impl<'de> SerdeVisitor<'de> for Seconds {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("number or null")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Seconds)
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> SerdeVisitor<'de> for ContentVisitor {
            type Value = Content<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an object {type, text, html}")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Content::Text(Text::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Content::Text(Text::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Content::Text(Text::Owned(v)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                #[derive(Deserialize)]
                struct Rich<'a> {
                    #[serde(rename = "type", default, borrow, deserialize_with = "opt_text")]
                    kind: Option<Text<'a>>,
                    #[serde(default, borrow, deserialize_with = "opt_text")]
                    text: Option<Text<'a>>,
                }
                let rich = Rich::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Content::Rich {
                    kind: rich.kind,
                    text: rich.text,
                })
            }
        }
        d.deserialize_any(ContentVisitor)
    }
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
