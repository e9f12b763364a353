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

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::event::{Content, Event};
use crate::model::finding::Origin;

/// What one event contributes, owned, taken on a parsing thread.
#[derive(Debug, Clone)]
pub struct Facts {
    pub name: String,
    pub timestamp: i64,
    /// A hash of the event's text without layout whitespace: equal for a re-delivery.
    pub fingerprint: u64,
    pub account_id: Option<String>,
    pub conversation_id: Option<String>,
    pub conversation: Option<ConversationFacts>,
    pub message: Option<MessageFacts>,
    pub contact: Option<ContactFacts>,
    pub agent_id: Option<String>,
    pub rating_value: Option<i64>,
    pub rating_text: Option<String>,
}

/// A conversation object's fields that the assembled view uses.
#[derive(Debug, Clone, Default)]
pub struct ConversationFacts {
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub fields: ConversationFields,
}

macro_rules! merged_fields {
    ($($index:literal $name:ident: $ty:ty),* $(,)?) => {
        /// The mergeable fields of a conversation object.
        #[derive(Debug, Clone, Default)]
        pub struct ConversationFields {
            $(pub $name: Option<$ty>,)*
        }

        const FIELDS: usize = [$($index),*].len();

        impl ConversationFields {
            /// Takes each field `other` carries whose version is at least the one held.
            fn merge(&mut self, versions: &mut [Version; FIELDS], other: ConversationFields, version: Version) {
                $(
                    if let Some(value) = other.$name {
                        if self.$name.is_none() || version >= versions[$index] {
                            self.$name = Some(value);
                            versions[$index] = version;
                        }
                    }
                )*
            }
        }
    };
}

merged_fields! {
    0 status: String,
    1 is_offline: bool,
    2 contact_id: String,
    3 visitor_id: String,
    4 referer: String,
    5 variables: String,
    6 assigned_agent_ids: Vec<String>,
    7 rating: i64,
    8 rating_text: String,
    9 finished_at: i64,
    10 last_closed_at: i64,
    11 contact_name: String,
    12 contact_email: String,
    13 location_country: String,
    14 location_city: String,
    15 location_ip: String,
    16 location_code: String,
}

/// A message, as small as the assembled view allows: it is held until the end of input.
#[derive(Debug, Clone)]
pub struct MessageFacts {
    pub id: Box<str>,
    pub sub_type: SubType,
    pub text: Option<Box<str>>,
    pub author_name: Option<Box<str>>,
    pub agent_id: Option<Box<str>>,
    pub trigger_name: Option<Box<str>>,
    /// The visitor's id and the page, taken once per conversation (not held per message).
    pub visitor_id: Option<String>,
    pub page_url: Option<String>,
    pub response_time: Option<f32>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
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

/// The order of copies of one object: `updated_at`, then the event's `timestamp`.
pub type Version = (i64, i64);

fn owned(text: Option<impl AsRef<str>>) -> Option<String> {
    text.map(|t| t.as_ref().to_owned())
}

impl Facts {
    /// The facts of `event`, whose text (layout aside) hashes to `fingerprint`.
    pub fn new(event: &Event, fingerprint: u64) -> Facts {
        let d = &event.data;
        let conversation = d.conversation.as_ref().map(|c| ConversationFacts {
            created_at: c.created_at,
            updated_at: c.updated_at,
            fields: ConversationFields {
                status: owned(c.status.as_ref()),
                is_offline: c.is_offline,
                contact_id: owned(c.contact_id.as_deref()),
                visitor_id: owned(c.visitor_id.as_deref()),
                referer: owned(c.referer.as_ref()),
                variables: c.variables.map(|raw| raw.get().to_owned()),
                assigned_agent_ids: c
                    .assigned_agent_ids
                    .as_ref()
                    .map(|ids| ids.iter().map(|id| id.to_string()).collect()),
                rating: c.rating,
                rating_text: owned(c.rating_text.as_ref()),
                finished_at: c.finished_at,
                last_closed_at: c.last_closed_at,
                contact_name: owned(c.contact_name.as_ref()),
                contact_email: owned(c.contact_email.as_ref()),
                location_country: owned(c.location_country.as_ref()),
                location_city: owned(c.location_city.as_ref()),
                location_ip: owned(c.location_ip.as_ref()),
                location_code: owned(c.location_code.as_ref()),
            },
        });
        let boxed = |t: Option<&str>| t.map(Box::<str>::from);
        let message = d.message.as_ref().map(|m| MessageFacts {
            id: (*m.id).into(),
            sub_type: SubType::new(m.sub_type.as_deref()),
            text: m.content.as_ref().map(|c| match c {
                Content::Text(t) => (**t).into(),
                Content::Rich { .. } => c.text().into(),
            }),
            author_name: boxed(m.author_name.as_deref()),
            agent_id: boxed(m.agent_id.as_deref()),
            trigger_name: boxed(m.trigger_name.as_deref()),
            visitor_id: owned(m.visitor_id.as_deref()),
            page_url: owned(m.page_url.as_ref()),
            response_time: m.response_time.map(|t| t as f32),
            created_at: m.created_at,
            updated_at: m.updated_at,
        });
        let contact = d.contact.as_ref().map(|c| ContactFacts {
            id: c.id.to_string(),
            name: owned(c.name.as_ref()),
            email: owned(c.email.as_ref()),
            note: owned(c.note.as_ref()),
            version: (c.updated_at.unwrap_or(i64::MIN), event.timestamp),
        });
        Facts {
            name: event.event.to_string(),
            timestamp: event.timestamp,
            fingerprint,
            account_id: owned(event.account_id.as_ref()),
            conversation_id: event.conversation_id().map(str::to_owned),
            conversation,
            message,
            contact,
            agent_id: owned(d.agent_id.as_deref().or(d.assigned.as_deref())),
            rating_value: d.rating_value,
            rating_text: owned(d.rating_text.as_ref()),
        }
    }
}

/// One conversation being assembled.
#[derive(Debug)]
struct Assembly {
    id: String,
    /// Where its first event was read: the conversation's origin in messages.
    origin: Origin,
    account_id: Option<String>,
    created_at: Option<i64>,
    fields: ConversationFields,
    versions: [Version; FIELDS],
    /// Messages once per id (few per conversation: a list beats a map in memory).
    messages: Vec<MessageFacts>,
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

impl Assembly {
    fn new(id: String, origin: Origin) -> Assembly {
        Assembly {
            id,
            origin,
            account_id: None,
            created_at: None,
            fields: ConversationFields::default(),
            versions: [(i64::MIN, i64::MIN); FIELDS],
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

    fn add_agent(&mut self, agent: &str) {
        if !agent.is_empty() && !self.agents.iter().any(|a| a == agent) {
            self.agents.push(agent.to_owned());
        }
    }

    fn add(&mut self, facts: Facts) {
        self.events += 1;
        self.first_event = self.first_event.min(facts.timestamp);
        self.last_event = self.last_event.max(facts.timestamp);
        if self.account_id.is_none() {
            self.account_id = facts.account_id;
        }
        if let Some(c) = facts.conversation {
            if let Some(created) = c.created_at {
                self.created_at = Some(self.created_at.map_or(created, |t| t.min(created)));
            }
            if let Some(ids) = &c.fields.assigned_agent_ids {
                ids.iter().for_each(|id| self.add_agent(id));
            }
            let version = (c.updated_at.unwrap_or(i64::MIN), facts.timestamp);
            self.fields.merge(&mut self.versions, c.fields, version);
        }
        if let Some(mut m) = facts.message {
            if m.sub_type == SubType::Agent {
                if let Some(agent) = &m.agent_id {
                    self.add_agent(agent);
                }
            }
            if let Some(url) = m.page_url.take() {
                if !self.pages.contains(&url) {
                    self.pages.push(url);
                }
            }
            if m.sub_type == SubType::Contact && self.message_visitor.is_none() {
                self.message_visitor = m.visitor_id.take();
            }
            m.visitor_id = None;
            match self.messages.iter_mut().find(|held| held.id == m.id) {
                None => self.messages.push(m),
                Some(held) => {
                    if m.updated_at.unwrap_or(i64::MIN) > held.updated_at.unwrap_or(i64::MIN) {
                        *held = m;
                    }
                }
            }
        }
        let agent = facts.agent_id.as_deref().unwrap_or("");
        match facts.name.as_str() {
            "conversation.closed" => self.close(facts.timestamp, false),
            "conversation.closed_by_contact" => self.close(facts.timestamp, true),
            "conversation.rated"
                if self
                    .rated
                    .as_ref()
                    .is_none_or(|(t, ..)| facts.timestamp >= *t) =>
            {
                self.rated = Some((facts.timestamp, facts.rating_value, facts.rating_text));
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

/// Folds events into conversations.
#[derive(Debug, Default)]
pub struct Assembler {
    conversations: HashMap<String, Assembly>,
    /// Conversation ids in the order their first event was read.
    order: Vec<String>,
    contacts: HashMap<String, ContactFacts>,
    seen: HashSet<u64, rustc_hash::FxBuildHasher>,
    pub counts: EventCounts,
}

/// One assembled conversation: where its first event was, and its POST-hook-shaped JSON.
#[derive(Debug)]
pub struct Assembled {
    pub origin: Origin,
    pub json: String,
}

impl Assembler {
    pub fn new() -> Assembler {
        Assembler::default()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.events == 0
    }

    pub fn add(&mut self, facts: Facts, origin: &Origin) {
        if !self.seen.insert(facts.fingerprint) {
            self.counts.redelivered += 1;
            return;
        }
        self.counts.events += 1;
        if !super::event::is_known(&facts.name) {
            *self.counts.unknown.entry(facts.name.clone()).or_insert(0) += 1;
        }
        if let Some(contact) = &facts.contact {
            let newer = self
                .contacts
                .get(&contact.id)
                .is_none_or(|held| contact.version >= held.version);
            if newer {
                self.contacts.insert(contact.id.clone(), contact.clone());
            }
        }
        let Some(id) = facts.conversation_id.clone() else {
            return;
        };
        let assembly = self.conversations.entry(id.clone()).or_insert_with(|| {
            self.order.push(id.clone());
            Assembly::new(id, origin.clone())
        });
        assembly.add(facts);
    }

    /// Every conversation, in the order of its first event, as POST-hook-shaped JSON: written
    /// one at a time as the iterator is drained, each assembly freed as it goes (all the
    /// documents at once would be several times the assemblies' size).
    pub fn finish(self) -> impl Iterator<Item = Assembled> {
        let Assembler {
            mut conversations,
            order,
            contacts,
            ..
        } = self;
        order
            .into_iter()
            .filter_map(move |id| conversations.remove(&id))
            .map(move |a| Assembled {
                origin: a.origin.clone(),
                json: payload_json(a, &contacts).to_string(),
            })
    }
}

/// How a webhook message reads in the POST hook's terms.
fn post_hook_message(m: &MessageFacts, at: i64, visitor: &str) -> Value {
    let (kind, from, trigger): (&str, Option<String>, Option<&str>) = match &m.sub_type {
        SubType::Contact => ("visitor", Some(format!("visitor:{visitor}")), None),
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
    json!({
        "type": kind,
        "name": m.author_name,
        "from": from,
        "content": m.text,
        "sentAt": at,
        "triggeredBy": trigger,
        "id": m.id,
    })
}

/// The assembled conversation as a POST-hook payload (plus `sshook`): figures the POST hook
/// records but the events do not carry are computed where the rules allow (flags, first
/// response, duration, mean response from `response_time`) and null otherwise (recorded
/// message and word counts, `isDropped`).
fn payload_json(a: Assembly, contacts: &HashMap<String, ContactFacts>) -> Value {
    let f = &a.fields;
    let mut messages: Vec<(i64, &MessageFacts)> = a
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

    // Agent names from their own messages, for join events and agent lists.
    let mut agent_names: HashMap<&str, &str> = HashMap::new();
    for (_, m) in &messages {
        if let (Some(agent), Some(name)) = (&m.agent_id, &m.author_name) {
            agent_names.entry(&**agent).or_insert(&**name);
        }
    }
    let visitor = a.message_visitor.as_deref().unwrap_or("");
    let mut timeline: Vec<(i64, Value)> = messages
        .iter()
        .map(|(t, m)| (*t, post_hook_message(m, *t, visitor)))
        .collect();
    for (at, agent) in &a.joins {
        timeline.push((
            *at,
            json!({"type": "system", "name": agent_names.get(agent.as_str()).copied().unwrap_or(""),
                   "from": format!("agent:{agent}"), "content": "agent.join", "sentAt": at}),
        ));
    }
    if let Some((at, by_visitor)) = a.closed {
        let code = if by_visitor {
            "close.visitorClose"
        } else {
            "close.agentClose"
        };
        timeline.push((
            at,
            json!({"type": "system", "from": "system", "content": code, "sentAt": at}),
        ));
    }
    // Stable: at equal times messages come before the system lines added after them.
    timeline.sort_by_key(|(t, _)| *t);

    // Computed flags, from the messages as the POST hook defines them.
    let times = |sub: SubType| -> Vec<i64> {
        messages
            .iter()
            .filter(|(_, m)| m.sub_type == sub)
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
        .filter_map(|(_, m)| m.response_time.map(f64::from))
        .collect();
    let avg_response = (!response_times.is_empty())
        .then(|| (response_times.iter().sum::<f64>() / response_times.len() as f64).round() as i64);
    let is_offline = f.is_offline == Some(true);
    let missed = closed && !is_offline && !visitor_times.is_empty() && !last_visitor_answered;
    let completed = closed && !is_offline && is_chat && last_visitor_answered;

    let (rating, rating_text) = match &a.rated {
        Some((_, value, text)) => (*value, text.clone()),
        None => (f.rating, f.rating_text.clone()),
    };
    let contact = f.contact_id.as_ref().and_then(|id| contacts.get(id));
    let pages: Vec<Value> = a
        .pages
        .iter()
        .map(|url| json!({"url": url, "title": null}))
        .collect();
    let variables: Value = f
        .variables
        .as_deref()
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or(Value::Null);
    let account_id: Value = a
        .account_id
        .as_deref()
        .and_then(|id| id.parse::<i64>().ok())
        .map_or(Value::Null, Value::from);

    let mut top = Map::new();
    top.insert("accountId".into(), account_id);
    top.insert("beginAt".into(), json!(begin));
    top.insert("endAt".into(), json!(end));
    top.insert(
        "channel".into(),
        json!({
            "id": null,
            "isChat": is_chat,
            "isMissed": closed.then_some(missed),
            "isTriggered": triggered,
            "isOffline": f.is_offline,
            "isCompleted": closed.then_some(completed),
            "isDropped": null,
            "duration": end.map(|e| (e - begin) / 1000),
            "avgResponse": avg_response,
            "firstResponse": first_response,
            "messagesCount": null,
            "wordsCount": null,
            "rating": rating,
            "ratingDesc": rating_text,
        }),
    );
    top.insert(
        "visitor".into(),
        json!({
            "id": f.visitor_id.as_ref().or(f.contact_id.as_ref()),
            "name": f.contact_name.as_ref().or(contact.and_then(|c| c.name.as_ref())),
            "email": f.contact_email.as_ref().or(contact.and_then(|c| c.email.as_ref())),
            "note": contact.and_then(|c| c.note.as_ref()),
            "ipAddress": f.location_ip,
            "city": f.location_city,
            "countryCode": f.location_code,
            "country": f.location_country,
            "referer": f.referer,
            "variables": variables,
        }),
    );
    top.insert("paths".into(), Value::Array(pages));
    top.insert(
        "messages".into(),
        Value::Array(timeline.into_iter().map(|(_, m)| m).collect()),
    );
    top.insert(
        "sshook".into(),
        json!({
            "source": "webhook",
            "conversationId": a.id,
            "open": !closed,
            "events": a.events,
            "agents": a.agents,
        }),
    );
    Value::Object(top)
}
