//! Smartsupp's newer webhooks: one signed JSON event per change (WEBHOOKS.md). [`event`] is the
//! serde model of one event, [`assemble`] folds the events of a conversation into the view a
//! POST-hook payload gives.

pub mod assemble;
pub mod event;

pub use assemble::{Assembled, Assembler, EventCounts, Facts};
pub use event::Event;

/// A hash of a document's text without the whitespace between tokens: equal for the same
/// event delivered again, whether stored pretty or compact.
pub fn fingerprint(raw: &str) -> u64 {
    use std::hash::Hasher;
    let bytes = raw.as_bytes();
    let mut layout = crate::jsontext::outside_strings(bytes)
        .filter(|(_, b)| b.is_ascii_whitespace())
        .map(|(i, _)| i)
        .peekable();
    let mut hasher = rustc_hash::FxHasher::default();
    for (i, &b) in bytes.iter().enumerate() {
        if layout.peek() == Some(&i) {
            layout.next();
            continue;
        }
        hasher.write_u8(b);
    }
    hasher.finish()
}
