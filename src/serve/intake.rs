//! Judging a received body with the shared reader. A body that is one JSON object with its
//! kind's envelope — a POST-hook payload: an object with `beginAt`; a webhook event: `event`
//! and an object `data` — is stored, whatever `validate` finds in its fields (the findings go
//! to the log and the answer; the reading commands report them again). Only a body that is not
//! JSON, or has no envelope, is rejected, with the finding `validate` would print.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::webhook::Envelope;
use crate::input::{self, Chunk};
use crate::model::document::Item;
use crate::model::finding::{Finding, Origin};

/// How diagnostics about a body name it (`body:3:5: error: …`).
pub const BODY_NAME: &str = "body";

/// What a body is.
#[derive(Debug)]
pub enum Verdict {
    /// One POST-hook payload: its `beginAt` and `channel.id` (where it is stored) when they
    /// read, and the errors `validate` finds in it.
    Payload {
        begin_at: Option<i64>,
        channel_id: Option<i64>,
        findings: Vec<Finding>,
    },
    /// One webhook event, and what `validate` finds in it (errors, and used fields of shapes
    /// the model does not know).
    Event {
        envelope: Envelope,
        findings: Vec<Finding>,
    },
    /// Not JSON, or no envelope: the first error, which `validate` would also report.
    Rejected(Finding),
}

/// Reads `body` as one payload (`event`: as one webhook event), and gives it back (it is
/// parsed in place, not copied).
pub fn judge(body: Vec<u8>, event: bool) -> (Verdict, Vec<u8>) {
    // Files are read the same way: a UTF-8 byte order mark is dropped before parsing.
    if let Some(text) = body.strip_prefix(b"\xEF\xBB\xBF") {
        let (verdict, _) = judge_text(text.to_vec(), event);
        return (verdict, body);
    }
    judge_text(body, event)
}

fn judge_text(text: Vec<u8>, event: bool) -> (Verdict, Vec<u8>) {
    let name: Arc<str> = Arc::from(BODY_NAME);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let finding = Finding::error(
            Origin::at(&name, 1, None),
            "expected one payload object, found an array: send one payload per request",
        );
        return (Verdict::Rejected(finding), text);
    }
    let empty_source = first.is_none();
    let chunk = Chunk {
        file: Arc::clone(&name),
        text,
        first_line: 1,
        read_error: None,
        empty_source,
    };
    let verdict = verdict_of(&chunk, &name, event);
    (verdict, chunk.into_text())
}

/// A document the reader read from a body.
enum Read {
    Payload { begin_at: i64, channel_id: i64 },
    Event(Envelope),
}

fn verdict_of(chunk: &Chunk, name: &Arc<str>, event: bool) -> Verdict {
    let mut documents: Vec<(Origin, Read)> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    input::documents(chunk, &mut |item| match item {
        Item::Payload(doc) => documents.push((
            doc.origin.clone(),
            Read::Payload {
                begin_at: doc.payload.begin_at,
                // The reader refuses a POST-hook payload without a channel id.
                channel_id: doc.payload.channel.id.unwrap_or_default(),
            },
        )),
        Item::Event(doc) => {
            findings.extend(doc.shape.iter().cloned());
            documents.push((
                doc.origin.clone(),
                Read::Event(Envelope {
                    event: doc.event.event.to_string(),
                    timestamp: jiff::Timestamp::from_millisecond(doc.event.timestamp).ok(),
                }),
            ))
        }
        Item::Bad(finding) => findings.push(finding),
    });
    let first_error = |findings: &[Finding]| findings.iter().find(|f| f.is_error()).cloned();
    let count = documents.len();
    if count > 1 {
        return Verdict::Rejected(Finding::error(
            documents.swap_remove(1).0,
            format!("{count} documents in one body: send one payload or event per request"),
        ));
    }
    // One JSON value, whatever is wrong in its fields?
    let Ok(raw) = serde_json::from_slice::<&RawValue>(&chunk.text) else {
        return Verdict::Rejected(
            first_error(&findings)
                .unwrap_or_else(|| Finding::error(Origin::file(name), "not one JSON document")),
        );
    };
    let probe = Probe::of(raw);
    let read = documents.pop().map(|(_, read)| read);
    match (event, read) {
        (
            false,
            Some(Read::Payload {
                begin_at,
                channel_id,
            }),
        ) => Verdict::Payload {
            begin_at: Some(begin_at),
            channel_id: Some(channel_id),
            findings,
        },
        (true, Some(Read::Event(envelope))) => Verdict::Event { envelope, findings },
        (true, Some(Read::Payload { .. })) => Verdict::Rejected(Finding::error(
            Origin::file(name),
            "a POST-hook payload sent as a webhook event: send payloads to the hook path",
        )),
        // Read with errors: stored when its envelope is there.
        (false, _) if probe.payload() => Verdict::Payload {
            begin_at: probe.begin_at(),
            channel_id: probe.channel_id(),
            findings,
        },
        (true, _) if probe.event() => Verdict::Event {
            envelope: Envelope {
                event: probe.event_name(),
                timestamp: probe.timestamp(),
            },
            findings,
        },
        _ => Verdict::Rejected(first_error(&findings).unwrap_or_else(|| {
            let what = if event {
                "not a webhook event: no `event`, or no object `data`"
            } else {
                "not a POST-hook payload: no `beginAt`"
            };
            Finding::error(Origin::at(name, 1, None), what)
        })),
    }
}

/// The envelope of a body, read whatever its fields hold.
#[derive(Deserialize, Default)]
struct Probe<'a> {
    #[serde(rename = "beginAt", borrow)]
    begin_at: Option<&'a RawValue>,
    #[serde(borrow)]
    channel: Option<&'a RawValue>,
    #[serde(borrow)]
    event: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

impl<'a> Probe<'a> {
    fn of(raw: &'a RawValue) -> Probe<'a> {
        serde_json::from_str(raw.get()).unwrap_or_default()
    }

    /// A POST-hook payload's envelope: `beginAt`.
    fn payload(&self) -> bool {
        self.begin_at.is_some()
    }

    /// A webhook event's envelope: `event`, and an object `data`.
    fn event(&self) -> bool {
        self.event.is_some() && self.data.is_some_and(|d| d.get().starts_with('{'))
    }

    fn begin_at(&self) -> Option<i64> {
        serde_json::from_str(self.begin_at?.get()).ok()
    }

    fn channel_id(&self) -> Option<i64> {
        #[derive(Deserialize)]
        struct Channel {
            id: i64,
        }
        serde_json::from_str::<Channel>(self.channel?.get())
            .ok()
            .map(|c| c.id)
    }

    fn event_name(&self) -> String {
        self.event
            .and_then(|e| serde_json::from_str::<String>(e.get()).ok())
            .unwrap_or_default()
    }

    fn timestamp(&self) -> Option<jiff::Timestamp> {
        let text: String = serde_json::from_str(self.timestamp?.get()).ok()?;
        text.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = r#"{"beginAt":1427470439703,"endAt":2,"channel":{"id":55039},"messages":[]}"#;

    fn reason(body: &str) -> String {
        match judge(body.as_bytes().to_vec(), false).0 {
            Verdict::Rejected(f) => f.to_string(),
            other => panic!("accepted: {other:?}"),
        }
    }

    #[test]
    fn one_object_is_a_payload() {
        let body = format!("\u{feff}{P}\n").into_bytes();
        let (verdict, back) = judge(body.clone(), false);
        assert_eq!(back, body);
        match verdict {
            Verdict::Payload {
                begin_at,
                channel_id,
                findings,
            } => {
                assert_eq!(
                    (begin_at, channel_id),
                    (Some(1_427_470_439_703), Some(55039))
                );
                assert!(findings.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn everything_else_is_rejected_with_a_place() {
        assert_eq!(reason(""), "body: error: empty input: no JSON document");
        assert_eq!(
            reason(&format!("[{P}]")),
            "body:1: error: expected one payload object, found an array: send one payload per request"
        );
        assert_eq!(
            reason(&format!("{P}\n{P}")),
            "body:2: error: 2 documents in one body: send one payload or event per request"
        );
        assert!(reason("{\"beginAt\":1,,}").starts_with("body:1:14: error: syntax error"));
        assert_eq!(
            reason(r#"{"endAt":2,"channel":{"id":1},"messages":[]}"#),
            "body:1: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`"
        );
        assert!(reason(&format!("{P}\0\0\0")).starts_with("body:1:73: error: padding after"));
    }

    #[test]
    fn a_payload_with_wrong_fields_is_kept_with_its_findings() {
        let body = r#"{"beginAt":"x","endAt":2,"channel":{"id":1},"messages":[]}"#;
        match judge(body.as_bytes().to_vec(), false).0 {
            Verdict::Payload {
                begin_at: None,
                channel_id: Some(1),
                findings,
            } => assert_eq!(
                findings[0].to_string(),
                "body:1:12: error: beginAt: expected integer, found string \"x\""
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_event_needs_event_and_an_object_data() {
        let event = |body: &str| judge(body.as_bytes().to_vec(), true).0;
        match event(r#"{"event":"conversation.closed","timestamp":"yesterday","data":{}}"#) {
            Verdict::Event { envelope, findings } => {
                assert_eq!(envelope.event, "conversation.closed");
                assert_eq!(envelope.timestamp, None);
                assert!(findings[0]
                    .to_string()
                    .contains("timestamp: expected an ISO 8601"));
            }
            other => panic!("{other:?}"),
        }
        for body in [
            r#"{"event":"x","data":[]}"#,
            r#"{"data":{}}"#,
            "{\"event\":",
        ] {
            assert!(matches!(event(body), Verdict::Rejected(_)), "{body}");
        }
    }
}
