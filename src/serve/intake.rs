//! Judging a received body with the shared reader, so that `serve` accepts exactly what
//! `validate` calls a payload and rejects with the finding `validate` would print.

use std::sync::Arc;

use crate::finding::Finding;
use crate::input::{self, Chunk, Item};

/// How diagnostics about a body name it (`body:3:5: error: …`).
pub const BODY_NAME: &str = "body";

/// What a body is.
#[derive(Debug)]
pub enum Verdict {
    /// Exactly one payload object: where it is stored.
    Payload { begin_at: i64, channel_id: i64 },
    /// Not one valid payload: the first error, which `validate` would also report.
    Rejected(Finding),
}

/// Reads `body` as one payload. Warnings (odd counts, flags) do not reject: the sender's data is
/// kept as sent, and `validate` reports them later.
pub fn judge(body: &[u8]) -> Verdict {
    let name: Arc<str> = Arc::from(BODY_NAME);
    // Files are read the same way: a UTF-8 byte order mark is dropped before parsing.
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Verdict::Rejected(Finding::error(
            crate::finding::Origin::at(&name, 1, None),
            "expected one payload object, found an array: send one payload per request",
        ));
    }
    let chunk = Chunk {
        file: Arc::clone(&name),
        text: text.to_vec(),
        first_line: 1,
        read_error: None,
        empty_source: first.is_none(),
    };
    let mut payloads = Vec::new();
    let mut first_error: Option<Finding> = None;
    input::documents(&chunk, &mut |item| match item {
        Item::Payload(doc) => payloads.push((
            doc.origin.clone(),
            doc.payload.begin_at,
            doc.payload.channel.id,
        )),
        Item::Bad(finding) => {
            first_error.get_or_insert(finding);
        }
    });
    if let Some(finding) = first_error {
        return Verdict::Rejected(finding);
    }
    match payloads.as_slice() {
        [(_, begin_at, channel_id)] => Verdict::Payload {
            begin_at: *begin_at,
            channel_id: *channel_id,
        },
        [_, (second, ..), ..] => Verdict::Rejected(Finding::error(
            second.clone(),
            format!(
                "{} payloads in one body: send one payload per request",
                payloads.len()
            ),
        )),
        // `documents` reports an empty body as an error, so this is not reached.
        [] => Verdict::Rejected(Finding::error(
            crate::finding::Origin::file(&name),
            "empty input: no JSON document",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = r#"{"beginAt":1427470439703,"endAt":2,"channel":{"id":55039},"messages":[]}"#;

    fn reason(body: &str) -> String {
        match judge(body.as_bytes()) {
            Verdict::Rejected(f) => f.to_string(),
            other => panic!("accepted: {other:?}"),
        }
    }

    #[test]
    fn one_object_is_a_payload() {
        match judge(format!("\u{feff}{P}\n").as_bytes()) {
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
            "body:2: error: 2 payloads in one body: send one payload per request"
        );
        assert!(reason("{\"beginAt\":1,,}").starts_with("body:1:14: error: syntax error"));
        assert_eq!(
            reason(r#"{"beginAt":"x","endAt":2,"channel":{"id":1},"messages":[]}"#),
            "body:1:12: error: beginAt: expected integer, found string \"x\""
        );
    }
}
