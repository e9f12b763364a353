//! Rendering: turning selected payloads into what a person or a program reads.
//! One idea per file: rows (conversation and message columns), table (comfy-table),
//! transcript (show), stats (aggregates).

pub mod encode;
pub mod rows;
pub mod table;
