//! Smartsupp's newer webhooks: one signed JSON event per change (`docs/formats.md#webhook-events`). [`event`] is the
//! serde model of one event, [`assemble`] folds the events of a conversation into the view a
//! POST-hook payload gives, and [`assembler`] runs that fold over a whole stream in bounded
//! memory (partitioned, spilling to temporary files beyond `--memory`).

#[macro_use]
pub mod tolerant;
#[macro_use]
mod codec;
pub mod assemble;
pub mod assembler;
pub mod event;

pub use assemble::{EventCounts, Facts};
pub use assembler::{Assembled, Assembler, Pending, DEFAULT_MEMORY};
pub use event::Event;
