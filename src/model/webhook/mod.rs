//! Smartsupp's newer webhooks: one signed JSON event per change (`docs/formats.md#webhook-events`). [`event`] is the
//! serde model of one event, [`assemble`] folds the events of a conversation into the view a
//! POST-hook payload gives.

#[macro_use]
pub mod tolerant;
pub mod assemble;
pub mod event;

pub use assemble::{Assembled, Assembler, EventCounts, Facts};
pub use event::Event;
