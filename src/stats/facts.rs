//! What the figures need from one payload, taken on the parsing threads so that only this
//! small summary (never the payload) reaches the aggregation.

use crate::model::payload::{Counted, Payload, SenderKind, Status};
use crate::model::time::DisplayZone;
use crate::stats::{Dimension, Key};

/// The facts of one conversation that any figure uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub status: Status,
    pub is_chat: bool,
    pub is_triggered: bool,
    /// Recorded `channel.firstResponse`, seconds.
    pub first_response: Option<i64>,
    /// Recorded `channel.avgResponse`, seconds.
    pub avg_response: Option<i64>,
    /// Recorded `channel.duration`, seconds.
    pub duration: Option<i64>,
    pub messages_recorded: Option<i64>,
    pub words_recorded: Option<i64>,
    pub counted: Counted,
    pub rating: Option<i64>,
    /// The key in each `--by` dimension; the agent dimension's slot is `None` here and is
    /// filled from [`Conversation::agents`], one group per agent.
    pub keys: Vec<Option<Key>>,
    /// The agents who wrote, in order of their first message; empty unless asked for.
    pub agents: Vec<AgentPart>,
}

/// One agent's part in one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPart {
    /// The display name, or the `from` value (`agent:3`) when the name is empty or missing,
    /// as its group's key ([`Key::Name`]): made here, on the parsing threads, and moved, not
    /// copied, into a new group.
    pub key: Option<Key>,
    /// Its own messages (type `agent`, not trigger messages).
    pub messages: u64,
    /// Milliseconds from the conversation's first visitor message to this agent's first
    /// message after it; `None` when it wrote nothing after it, or the clock runs backwards.
    pub first_response_ms: Option<i64>,
}

impl AgentPart {
    /// The display name (or `from` value).
    pub fn name(&self) -> Option<&str> {
        match &self.key {
            Some(Key::Name(name)) => Some(name),
            _ => None,
        }
    }
}

impl Conversation {
    /// The facts of `payload` for grouping `by`, with times in `zone`. Agents are looked at
    /// only when `with_agents`.
    pub fn new(
        payload: &Payload,
        by: &[Dimension],
        zone: &DisplayZone,
        with_agents: bool,
    ) -> Conversation {
        let channel = &payload.channel;
        // The local time once for every calendar dimension: it is most of a key's cost.
        let calendar = by.iter().any(|d| d.is_calendar());
        let zoned = calendar.then(|| zone.zoned(payload.begin_at)).flatten();
        Conversation {
            status: payload.status(),
            is_chat: channel.is_chat == Some(true),
            is_triggered: payload.is_triggered(),
            first_response: channel.first_response,
            avg_response: channel.avg_response,
            duration: channel.duration,
            messages_recorded: channel.messages_count,
            words_recorded: channel.words_count,
            counted: payload.counted(),
            rating: channel.rating,
            keys: by
                .iter()
                .map(|d| key(payload, *d, zoned.as_ref()))
                .collect(),
            agents: if with_agents {
                agent_parts(payload)
            } else {
                Vec::new()
            },
        }
    }
}

/// The key of `payload` in dimension `by`; `zoned` is its beginAt in the display zone.
fn key(payload: &Payload, by: Dimension, zoned: Option<&jiff::Zoned>) -> Option<Key> {
    let visitor = payload.visitor.as_ref();
    let name = |text: Option<&str>| text.filter(|t| !t.is_empty()).map(|t| Key::Name(t.into()));
    match by {
        Dimension::Agent => None,
        Dimension::Country => name(visitor.and_then(|v| v.country_code.as_deref())),
        Dimension::Group => name(visitor.and_then(|v| v.group())),
        Dimension::Status => Some(Key::Status(payload.status())),
        Dimension::Day
        | Dimension::Week
        | Dimension::Month
        | Dimension::Hour
        | Dimension::Weekday => {
            let zoned = zoned?;
            Some(match by {
                Dimension::Hour => Key::Hour(zoned.hour()),
                _ => date_key(by, zoned.date())?,
            })
        }
    }
}

/// The key of a local day in a calendar dimension (day, week, month, weekday); `None` for
/// the others.
pub fn date_key(by: Dimension, date: jiff::civil::Date) -> Option<Key> {
    Some(match by {
        Dimension::Day => Key::Day(date),
        Dimension::Week => {
            let week = date.iso_week_date();
            Key::Week {
                year: week.year(),
                week: week.week(),
            }
        }
        Dimension::Month => Key::Month {
            year: date.year(),
            month: date.month(),
        },
        Dimension::Weekday => Key::Weekday(date.weekday().to_monday_one_offset()),
        _ => return None,
    })
}

/// Every agent who wrote, with its messages and its own first response.
fn agent_parts(payload: &Payload) -> Vec<AgentPart> {
    let first_visitor = payload
        .messages
        .iter()
        .position(|m| m.sender_kind() == SenderKind::Visitor);
    let mut parts: Vec<(AgentPart, bool)> = Vec::new();
    for (index, message) in payload.messages.iter().enumerate() {
        if message.sender_kind() != SenderKind::Agent {
            continue;
        }
        let name = Some(message.name.as_deref().unwrap_or(""))
            .filter(|n| !n.is_empty())
            .or(message.from.as_deref().filter(|f| !f.is_empty()));
        let at = match parts.iter().position(|(p, _)| p.name() == name) {
            Some(at) => at,
            None => {
                parts.push((
                    AgentPart {
                        key: name.map(|name| Key::Name(name.to_owned())),
                        messages: 0,
                        first_response_ms: None,
                    },
                    false,
                ));
                parts.len() - 1
            }
        };
        let (part, replied) = &mut parts[at];
        part.messages += 1;
        if let Some(visitor) = first_visitor.filter(|v| index > *v) {
            if !*replied {
                *replied = true;
                let waited = message.sent_at - payload.messages[visitor].sent_at;
                part.first_response_ms = (waited >= 0).then_some(waited);
            }
        }
    }
    parts.into_iter().map(|(part, _)| part).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: &str = include_str!("../../sample-data/official-example.json");

    #[test]
    fn official_example_facts() {
        let p: Payload = serde_json::from_str(OFFICIAL).unwrap();
        let by = [Dimension::Day, Dimension::Agent, Dimension::Country];
        let c = Conversation::new(&p, &by, &DisplayZone::utc(), true);
        assert_eq!(c.status, Status::Completed);
        assert!(c.is_chat && c.is_triggered);
        assert_eq!(c.keys[0], Some(Key::Day(jiff::civil::date(2015, 3, 27))));
        assert_eq!(c.keys[1], None);
        assert_eq!(c.keys[2], Some(Key::Name("CZ".into())));
        // John Doe's one message came 14.069 s after "Hello"; the trigger is nobody's.
        assert_eq!(
            c.agents,
            [AgentPart {
                key: Some(Key::Name("John Doe".into())),
                messages: 1,
                first_response_ms: Some(14_069),
            }]
        );
    }

    #[test]
    fn agent_first_response_counts_from_the_first_visitor_message() {
        let json = r#"{"beginAt":0,"endAt":9,"channel":{"id":1},"messages":[
            {"type":"agent","name":"Ann","from":"agent:1","sentAt":100},
            {"type":"visitor","from":"visitor:v","sentAt":1000},
            {"type":"visitor","from":"visitor:v","sentAt":2000},
            {"type":"agent","name":"Bob","from":"agent:2","sentAt":4500},
            {"type":"agent","name":"Ann","from":"agent:1","sentAt":7000},
            {"type":"agent","name":"","from":"agent:9","sentAt":8000},
            {"type":"agent","name":"Bob","from":"agent:2","sentAt":9000}]}"#;
        let p: Payload = serde_json::from_str(json).unwrap();
        let c = Conversation::new(&p, &[], &DisplayZone::utc(), true);
        let got: Vec<_> = c
            .agents
            .iter()
            .map(|a| (a.name(), a.messages, a.first_response_ms))
            .collect();
        assert_eq!(
            got,
            [
                (Some("Ann"), 2, Some(6_000)),
                (Some("Bob"), 2, Some(3_500)),
                (Some("agent:9"), 1, Some(7_000)),
            ]
        );
    }

    #[test]
    fn agent_without_visitor_message_has_no_first_response() {
        let json = r#"{"beginAt":0,"endAt":9,"channel":{"id":1},"messages":[
            {"type":"agent","name":"Ann","from":"agent:1","sentAt":100}]}"#;
        let p: Payload = serde_json::from_str(json).unwrap();
        let c = Conversation::new(&p, &[], &DisplayZone::utc(), true);
        assert_eq!(c.agents[0].first_response_ms, None);
        assert_eq!(c.agents[0].messages, 1);
    }
}
