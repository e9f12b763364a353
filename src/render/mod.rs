//! Rendering: turning selected payloads into what a person or a program reads.
//! One idea per file: rows (conversation and message columns), encode (CSV, TSV, NDJSON, JSON
//! writers), parquet (typed columns), partition (Hive-style folder trees), table (fitted tables),
//! transcript (show), stats (aggregates), xlsx (Excel workbooks of rows and of stats).

pub mod delimited;
pub mod encode;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod partition;
pub mod report;
pub mod rows;
pub mod stats;
pub mod table;
pub mod transcript;
pub mod wrap;
pub mod xlsx;
