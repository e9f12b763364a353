//! What becomes of a body once read: judged (parsing, blocking) as a payload, an event or
//! neither, then kept (file I/O, blocking) where it belongs.

use super::intake::{self, Verdict};
use super::store::{KeptRejected, NotStored, Store, Stored};
use crate::model::finding::Finding;

/// What became of a body that was read.
pub enum Accepted {
    Stored {
        stored: Stored,
        channel: Option<i64>,
        event: Option<String>,
        /// What `validate` finds in the stored body (for the log and the answer).
        findings: Vec<Finding>,
    },
    Rejected {
        finding: Finding,
        kept: KeptRejected,
    },
    NotStored(NotStored),
}

/// Judges one body (blocking: parsing) with the shared reader, and gives it back. `event`:
/// the request came as a webhook event (signed, or with an `event` key), so it must be one.
pub fn judge(body: Vec<u8>, event: bool) -> (Verdict, Vec<u8>) {
    intake::judge(body, event)
}

/// Stores one judged body (blocking: file I/O). A payload whose `beginAt` and `channel.id`
/// read goes where they say; one whose do not, and an event without a time, are named by
/// their digest ([`crate::dumps::unnamed_file`]).
pub fn keep(store: &Store, body: &[u8], verdict: Verdict) -> Accepted {
    let stored = |result: Result<Stored, NotStored>, channel, event, findings| match result {
        Ok(stored) => Accepted::Stored {
            stored,
            channel,
            event,
            findings,
        },
        Err(err) => Accepted::NotStored(err),
    };
    match verdict {
        Verdict::Payload {
            begin_at: Some(begin_at),
            channel_id: Some(channel_id),
            findings,
        } => stored(
            store.store_payload(body, begin_at, channel_id),
            Some(channel_id),
            None,
            findings,
        ),
        Verdict::Payload {
            begin_at,
            channel_id,
            findings,
        } => {
            let (folder, name) = crate::dumps::unnamed_file(begin_at, "payload", body);
            stored(
                store.store_event(body, &folder, &name),
                channel_id,
                None,
                findings,
            )
        }
        Verdict::Event { envelope, findings } => {
            let (folder, name) = match envelope.timestamp {
                Some(timestamp) => crate::dumps::event_file(timestamp, &envelope.event, body),
                None => crate::dumps::unnamed_file(None, &envelope.event, body),
            };
            stored(
                store.store_event(body, &folder, &name),
                None,
                Some(envelope.event),
                findings,
            )
        }
        Verdict::Rejected(finding) => Accepted::Rejected {
            kept: store.store_rejected(body, &finding.to_string()),
            finding,
        },
    }
}
