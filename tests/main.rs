//! The integration tests, as one test crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file here is a module of it, not a crate of its own.
//!
//! Why one crate: every test binary links the whole `sshook` library and its dependencies
//! (tokio, axum, arrow, parquet, ...). As 21 crates (each with its own copy of `common`), the
//! tests were 21 compilations and 21 links after every change to `src/`, on CI's two cores; as
//! one, they are one of each (measured from scratch on two cores: about 4 s of CPU instead of
//! 12 s, and one 50 MB binary instead of 21 making 270 MB).
//!
//! A new test file is added below as `mod name;`; a file not named here is not compiled. Shared
//! helpers are in `common` (`use crate::common::...`).
//!
//! proptest saves failing cases next to the test file (`tests/export.proptest-regressions`),
//! as it did before, only through `common::regressions_beside_file` (see there why).

mod common;

mod cli;
mod erase;
mod export;
mod fit;
mod fuzz_regressions;
mod hostile;
mod jobs;
mod list;
#[cfg(feature = "parquet")]
mod parquet;
mod properties;
mod published;
mod reader;
mod readme;
mod redact;
mod report;
mod rules;
mod select;
#[cfg(unix)]
mod serve;
mod show;
mod stats;
mod streaming;
mod validate;
mod webhooks;
