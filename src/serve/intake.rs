//! Judging a received body with the shared reader, so that `serve` accepts exactly what
//! `validate` calls a payload and rejects with the finding `validate` would print.

use std::sync::Arc;

use super::webhook::Envelope;
use crate::input::{self, Chunk};
use crate::model::document::Item;
use crate::model::finding::Finding;

/// How diagnostics about a body name it (`body:3:5: error: …`).
pub const BODY_NAME: &str = "body";

/// What a body is.
#[derive(Debug)]
pub enum Verdict {
    /// Exactly one payload object: where it is stored.
    Payload { begin_at: i64, channel_id: i64 },
    /// Exactly one webhook event, valid as `validate` checks events.
    Event(Envelope),
    /// Not one valid payload: the first error, which `validate` would also report.
    Rejected(Finding),
}

/// Reads `body` as one payload, and gives it back (it is parsed in place, not copied).
/// Warnings (odd counts, flags) do not reject: the sender's data is kept as sent, and
/// `validate` reports them later.
pub fn judge(body: Vec<u8>) -> (Verdict, Vec<u8>) {
    // Files are read the same way: a UTF-8 byte order mark is dropped before parsing.
    if let Some(text) = body.strip_prefix(b"\xEF\xBB\xBF") {
        let (verdict, _) = judge_text(text.to_vec());
        return (verdict, body);
    }
    judge_text(body)
}

fn judge_text(text: Vec<u8>) -> (Verdict, Vec<u8>) {
    let name: Arc<str> = Arc::from(BODY_NAME);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let finding = Finding::error(
            crate::model::finding::Origin::at(&name, 1, None),
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
    let verdict = verdict_of(&chunk, &name);
    (verdict, chunk.into_text())
}

fn verdict_of(chunk: &Chunk, name: &Arc<str>) -> Verdict {
    let mut documents = Vec::new();
    let mut first_error: Option<Finding> = None;
    input::documents(chunk, &mut |item| match item {
        Item::Payload(doc) => documents.push((
            doc.origin.clone(),
            Verdict::Payload {
                begin_at: doc.payload.begin_at,
                // The reader refuses a POST-hook payload without a channel id.
                channel_id: doc.payload.channel.id.unwrap_or_default(),
            },
        )),
        Item::Event(doc) => documents.push((
            doc.origin.clone(),
            Verdict::Event(Envelope {
                event: doc.event.event.to_string(),
                timestamp: jiff::Timestamp::from_millisecond(doc.event.timestamp)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            }),
        )),
        Item::Bad(finding) => {
            first_error.get_or_insert(finding);
        }
    });
    if let Some(finding) = first_error {
        return Verdict::Rejected(finding);
    }
    let count = documents.len();
    let mut documents = documents.into_iter();
    match (documents.next(), documents.next()) {
        (Some((_, verdict)), None) => verdict,
        (Some(_), Some((second, _))) => Verdict::Rejected(Finding::error(
            second,
            format!("{count} documents in one body: send one payload or event per request"),
        )),
        // `documents` reports an empty body as an error, so this is not reached.
        (None, _) => Verdict::Rejected(Finding::error(
            crate::model::finding::Origin::file(name),
            "empty input: no JSON document",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = r#"{"beginAt":1427470439703,"endAt":2,"channel":{"id":55039},"messages":[]}"#;

    fn reason(body: &str) -> String {
        match judge(body.as_bytes().to_vec()).0 {
            Verdict::Rejected(f) => f.to_string(),
            other => panic!("accepted: {other:?}"),
        }
    }

    #[test]
    fn one_object_is_a_payload() {
        let body = format!("\u{feff}{P}\n").into_bytes();
        let (verdict, back) = judge(body.clone());
        assert_eq!(back, body);
        match verdict {
            Verdict::Payload {
                begin_at,
                channel_id,
            } => assert_eq!((begin_at, channel_id), (1_427_470_439_703, 55039)),
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
            reason(r#"{"beginAt":"x","endAt":2,"channel":{"id":1},"messages":[]}"#),
            "body:1:12: error: beginAt: expected integer, found string \"x\""
        );
    }
}
