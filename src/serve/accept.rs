//! What becomes of a body once read: judged (parsing, blocking) as a payload, an event or
//! neither, then kept (file I/O, blocking) where it belongs.

use super::intake::{self, Verdict};
use super::store::{KeptRejected, NotStored, Store, Stored};
use super::webhook;
use crate::model::finding::Finding;

/// What became of a body that was read.
pub enum Accepted {
    Stored {
        stored: Stored,
        channel: Option<i64>,
        event: Option<String>,
    },
    Rejected {
        finding: Finding,
        kept: KeptRejected,
    },
    NotStored(NotStored),
}

/// What a body is.
pub enum Judged {
    Payload { begin_at: i64, channel_id: i64 },
    Event(webhook::Envelope),
    Rejected(Finding),
}

/// Judges one body (blocking: parsing) with the shared reader, and gives it back. `event`:
/// the request came as a webhook event (signed, or with an `event` key), so it must be one.
pub fn judge(body: Vec<u8>, event: bool) -> (Judged, Vec<u8>) {
    let (verdict, body) = intake::judge(body);
    let judged = match verdict {
        Verdict::Payload { .. } if event => Judged::Rejected(Finding::error(
            crate::model::finding::Origin::file(&std::sync::Arc::from(intake::BODY_NAME)),
            "a POST-hook payload sent as a webhook event: send payloads to the hook path",
        )),
        Verdict::Payload {
            begin_at,
            channel_id,
        } => Judged::Payload {
            begin_at,
            channel_id,
        },
        Verdict::Event(envelope) => Judged::Event(envelope),
        Verdict::Rejected(finding) => Judged::Rejected(finding),
    };
    (judged, body)
}

/// Stores one judged body (blocking: file I/O).
pub fn keep(store: &Store, body: &[u8], judged: Judged) -> Accepted {
    let stored = |result: Result<Stored, NotStored>, channel, event| match result {
        Ok(stored) => Accepted::Stored {
            stored,
            channel,
            event,
        },
        Err(err) => Accepted::NotStored(err),
    };
    match judged {
        Judged::Payload {
            begin_at,
            channel_id,
        } => stored(
            store.store_payload(body, begin_at, channel_id),
            Some(channel_id),
            None,
        ),
        Judged::Event(envelope) => {
            let (folder, name) =
                crate::dumps::event_file(envelope.timestamp, &envelope.event, body);
            stored(
                store.store_event(body, &folder, &name),
                None,
                Some(envelope.event),
            )
        }
        Judged::Rejected(finding) => Accepted::Rejected {
            kept: store.store_rejected(body, &finding.to_string()),
            finding,
        },
    }
}
