//! Rendering: turning selected payloads into what a person or a program reads.
//! One idea per file: rows (conversation and message columns), encode (CSV, TSV, NDJSON, JSON
//! writers), table (comfy-table), transcript (show), stats (aggregates).

pub mod encode;
pub mod rows;
pub mod stats;
pub mod table;
pub mod transcript;
