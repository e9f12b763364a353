//! Domain checks on a payload that parsed: right types, implausible values. These are
//! warnings (errors only with `validate --strict`), and notes where a recorded count differs
//! from the counted one (shown only with `--pedantic`): the sender's data is reported, never
//! fixed.

use crate::model::document::Document;
use crate::model::finding::{Finding, Severity};
use crate::model::payload::{Payload, SenderKind};

/// Epoch milliseconds below this (1973-03-03) are more likely epoch seconds.
const LOOKS_LIKE_SECONDS: i64 = 100_000_000_000;
/// 9999-12-31T23:59:59.999Z in epoch milliseconds.
const YEAR_9999_END: i64 = 253_402_300_799_999;
/// Message times may sit this far outside the conversation before we call it odd.
const SENT_AT_SLACK_MS: i64 = 1_000;

/// Every warning about one webhook event: used fields of unknown shapes first (read as
/// absent), then the checks. Unknown event names are not warned about: they are kept and
/// counted.
pub fn event_warnings(doc: &crate::model::document::EventDoc) -> Vec<Finding> {
    let mut found = doc.shape.clone();
    let at = |path: &str| match doc.index {
        Some(i) => format!("[{i}].{path}"),
        None => path.to_string(),
    };
    let e = &doc.event;
    if let Some(kind) = e.kind.as_deref().filter(|k| *k != "event_callback") {
        found.push(Finding::warning(
            doc.origin.clone(),
            Some(at("type")),
            format!("type {kind:?}, expected \"event_callback\""),
        ));
    }
    if let Some(rating) = e.data.rating_value.filter(|r| !(1..=5).contains(r)) {
        found.push(Finding::warning(
            doc.origin.clone(),
            Some(at("data.rating_value")),
            format!("rating {rating} is outside 1..5"),
        ));
    }
    let conversation_event = e.event.starts_with("conversation.");
    if conversation_event && e.conversation_id().is_none() {
        found.push(Finding::warning(
            doc.origin.clone(),
            Some(at("data")),
            format!("{} names no conversation (no data.conversation.id, data.message.conversation_id or data.conversation_id)", e.event),
        ));
    }
    found
}

/// Every warning about one payload, in a stable order.
pub fn warnings(doc: &Document) -> Vec<Finding> {
    let p = &doc.payload;
    let mut out = Checks {
        doc,
        found: Vec::new(),
    };
    out.timestamp("beginAt", p.begin_at);
    // An assembled conversation that is still open has no end: its messages run on.
    let end_at = p.end_at.unwrap_or(i64::MAX);
    if let Some(end_at) = p.end_at {
        out.timestamp("endAt", end_at);
        if p.begin_at > end_at {
            out.warn(
                "endAt",
                format!(
                    "conversation ends before it begins (beginAt {} > endAt {end_at})",
                    p.begin_at
                ),
            );
        }
    }
    for (i, m) in p.messages.iter().enumerate() {
        let path = format!("messages[{i}]");
        if m.sender_kind() == SenderKind::Unknown {
            out.warn(
                &format!("{path}.type"),
                format!("unknown message type {:?}", m.kind),
            );
        }
        out.timestamp(&format!("{path}.sentAt"), m.sent_at);
        let (lo, hi) = (p.begin_at.min(end_at), end_at.max(p.begin_at));
        // Saturating: timestamps are the sender's, and may be any i64 (found by fuzzing).
        let outside = m.sent_at < lo.saturating_sub(SENT_AT_SLACK_MS)
            || m.sent_at > hi.saturating_add(SENT_AT_SLACK_MS);
        if outside {
            out.warn(
                &format!("{path}.sentAt"),
                format!(
                    "sent at {} outside the conversation ({lo}..{hi})",
                    m.sent_at
                ),
            );
        }
    }
    if let Some(rating) = p.channel.rating {
        if !(1..=5).contains(&rating) {
            out.warn("channel.rating", format!("rating {rating} is outside 1..5"));
        }
    }
    out.flags(p);
    out.counts(p);
    out.found
}

struct Checks<'d, 'a> {
    doc: &'d Document<'a>,
    found: Vec<Finding>,
}

impl Checks<'_, '_> {
    fn warn(&mut self, path: &str, message: String) {
        self.push(Severity::Warning, path, message);
    }

    fn note(&mut self, path: &str, message: String) {
        self.push(Severity::Note, path, message);
    }

    fn push(&mut self, severity: Severity, path: &str, message: String) {
        let path = match self.doc.index {
            Some(i) => format!("[{i}].{path}"),
            None => path.to_string(),
        };
        let mut finding = Finding::warning(self.doc.origin.clone(), Some(path), message);
        finding.severity = severity;
        self.found.push(finding);
    }

    fn timestamp(&mut self, path: &str, ms: i64) {
        if ms < 0 {
            self.warn(path, format!("negative timestamp {ms}"));
        } else if ms < LOOKS_LIKE_SECONDS {
            self.warn(
                path,
                format!("{ms} looks like epoch seconds; the hook sends milliseconds"),
            );
        } else if ms > YEAR_9999_END {
            self.warn(path, format!("timestamp {ms} is after the year 9999"));
        }
    }

    /// Flags that contradict each other or the messages.
    fn flags(&mut self, p: &Payload) {
        let c = &p.channel;
        let has = |kind: SenderKind| p.messages.iter().any(|m| m.sender_kind() == kind);
        let (visitor, agent, trigger) = (
            has(SenderKind::Visitor),
            has(SenderKind::Agent),
            has(SenderKind::Trigger),
        );
        if c.is_offline == Some(true) && c.is_chat == Some(true) {
            self.warn(
                "channel.isOffline",
                "isOffline and isChat are both true".into(),
            );
        }
        if c.is_missed == Some(true) && c.is_completed == Some(true) {
            self.warn(
                "channel.isMissed",
                "isMissed and isCompleted are both true".into(),
            );
        }
        if c.is_chat == Some(true) && !(visitor && agent) {
            self.warn(
                "channel.isChat",
                "isChat is true but visitor and agent did not both write".into(),
            );
        }
        if c.is_triggered == Some(true) && !trigger {
            self.warn(
                "channel.isTriggered",
                "isTriggered is true but there is no trigger message".into(),
            );
        }
        if c.is_triggered == Some(false) && trigger {
            self.warn(
                "channel.isTriggered",
                "isTriggered is false but there is a trigger message".into(),
            );
        }
    }

    /// Recorded counts versus what the messages show. The counting rule is undocumented (the
    /// official example itself differs), so these are notes for `--pedantic`, not warnings.
    fn counts(&mut self, p: &Payload) {
        let c = &p.channel;
        let counted = p.counted();
        if let Some(recorded) = c.messages_count {
            if recorded != counted.messages {
                self.note(
                    "channel.messagesCount",
                    format!(
                        "recorded {recorded} messages, counted {} visitor and agent messages",
                        counted.messages
                    ),
                );
            }
        }
        if let Some(recorded) = c.words_count {
            if recorded != counted.words {
                self.note(
                    "channel.wordsCount",
                    format!("recorded {recorded} words, counted {}", counted.words),
                );
            }
        }
        if let (Some(duration), Some(end_at)) = (c.duration, p.end_at) {
            // In i128: any two i64 timestamps and durations subtract without overflow.
            let span = (i128::from(end_at) - i128::from(p.begin_at)).div_euclid(1000);
            if (i128::from(duration) - span).abs() > 1 {
                self.warn(
                    "channel.duration",
                    format!("recorded duration {duration} s, but endAt - beginAt is {span} s"),
                );
            }
        }
    }
}
