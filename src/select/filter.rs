//! Which conversations pass the selection flags (`--since`, `--status`, `--agent`, `--grep`…):
//! the filter, computed once from the flags, tested against each payload or event.

use crate::input::Chunk;
use crate::model::payload::{Payload, SenderKind, Status};
use crate::model::webhook::Event;

/// `--status` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWord {
    Open,
    Offline,
    Missed,
    Dropped,
    Completed,
    Incomplete,
    Triggered,
}

/// An inclusive range of ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingRange {
    pub low: i64,
    pub high: i64,
}

/// The filters of a run; empty (the default) keeps everything. Texts are lower case.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Began at or after this instant (ms).
    pub since: Option<i64>,
    /// Began before this instant (ms).
    pub until: Option<i64>,
    pub statuses: Vec<StatusWord>,
    pub rating: Option<RatingRange>,
    /// `Some(true)` only rated conversations, `Some(false)` only unrated ones.
    pub rated: Option<bool>,
    pub agents: Vec<String>,
    pub countries: Vec<String>,
    pub visitor: Option<String>,
    pub grep: Option<String>,
    /// Conversation ids: POST-hook channel ids or webhook conversation ids, as text.
    pub ids: Vec<String>,
    pub accounts: Vec<i64>,
}

impl Filter {
    /// Whether an event passes the filters that apply to events: its time against
    /// `--since`/`--until`, its conversation against `--id`.
    pub fn matches_event(&self, e: &Event) -> bool {
        if self.since.is_some_and(|s| e.timestamp < s)
            || self.until.is_some_and(|u| e.timestamp >= u)
        {
            return false;
        }
        self.ids.is_empty()
            || e.conversation_id()
                .is_some_and(|c| self.ids.iter().any(|id| id == c))
    }

    /// Whether the payload passes every filter.
    pub fn matches(&self, p: &Payload) -> bool {
        if !self.ids.is_empty() && !self.ids.iter().any(|id| *id == p.conversation_id()) {
            return false;
        }
        if !self.accounts.is_empty() && !p.account_id.is_some_and(|a| self.accounts.contains(&a)) {
            return false;
        }
        if self.since.is_some_and(|s| p.begin_at < s) || self.until.is_some_and(|u| p.begin_at >= u)
        {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.iter().any(|w| status_holds(*w, p)) {
            return false;
        }
        let rating = p.channel.rating;
        if let Some(range) = self.rating {
            if !rating.is_some_and(|r| (range.low..=range.high).contains(&r)) {
                return false;
            }
        }
        if self.rated.is_some_and(|want| want != rating.is_some()) {
            return false;
        }
        if !self.countries.is_empty() {
            let code = p.visitor.as_ref().and_then(|v| v.country_code.as_deref());
            if !code.is_some_and(|c| self.countries.contains(&c.to_lowercase())) {
                return false;
            }
        }
        if let Some(needle) = &self.visitor {
            let v = p.visitor.as_ref();
            let hit = |t: Option<&str>| t.is_some_and(|t| t.to_lowercase().contains(needle));
            if !(hit(v.and_then(|v| v.name.as_deref())) || hit(v.and_then(|v| v.email.as_deref())))
            {
                return false;
            }
        }
        if !self.agents.is_empty() && !self.agent_wrote(p) {
            return false;
        }
        if let Some(needle) = &self.grep {
            let hit = p.messages.iter().any(|m| {
                m.sender_kind() != SenderKind::System && m.text().to_lowercase().contains(needle)
            });
            if !hit {
                return false;
            }
        }
        true
    }

    fn agent_wrote(&self, p: &Payload) -> bool {
        p.messages
            .iter()
            .filter(|m| m.sender_kind() == SenderKind::Agent)
            .any(|m| {
                let name = m.name.as_deref().unwrap_or("").to_lowercase();
                let from = m.from.as_deref().unwrap_or("").to_lowercase();
                self.agents
                    .iter()
                    .any(|a| *a == name || *a == from || *a == m.sender_id())
            })
    }

    /// `Some(documents)` when a chunk of input certainly holds no selected payload and no
    /// syntax error, so that `--id` (as `show ID` uses it) skips the typed parse of the rest: a
    /// chunk that does not contain any wanted id's digits is only checked for well-formedness.
    pub fn skippable(&self, chunk: &Chunk) -> Option<u64> {
        // A chunk that carries a finding (a file that cannot be read, an empty one, an entry
        // of a walked folder) goes the full way, which reports it.
        if self.ids.is_empty() || chunk.read_error.is_some() || chunk.empty_source {
            return None;
        }
        let text = &chunk.text;
        let contains_id = self
            .ids
            .iter()
            .any(|id| memchr::memmem::find(text, id.as_bytes()).is_some());
        if contains_id {
            return None;
        }
        // Any problem (syntax, or a top-level value that is not an object) takes the full path,
        // which reports it; value errors inside well-formed documents are not looked for.
        let mut documents = 0;
        for doc in serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>() {
            doc.ok()?;
            documents += 1;
        }
        Some(documents)
    }
}

fn status_holds(word: StatusWord, p: &Payload) -> bool {
    let status = p.status();
    match word {
        StatusWord::Triggered => p.is_triggered(),
        StatusWord::Open => status == Status::Open,
        StatusWord::Offline => status == Status::Offline,
        StatusWord::Missed => status == Status::Missed,
        StatusWord::Dropped => status == Status::Dropped,
        StatusWord::Completed => status == Status::Completed,
        StatusWord::Incomplete => status == Status::Incomplete,
    }
}
