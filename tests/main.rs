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

mod assembly_memory;
mod cli;
#[cfg(unix)]
mod durable;
mod erase;
mod export;
mod fit;
mod flags;
mod fuzz_regressions;
mod hostile;
mod jobs;
mod list;
mod padding;
#[cfg(feature = "parquet")]
mod parquet;
mod properties;
mod published;
mod reader;
mod readme;
mod redact;
mod redact_names;
mod report;
mod rules;
mod select;
#[cfg(unix)]
mod serve;
mod shapes;
mod show;
mod stats;
mod streaming;
mod validate;
#[cfg(feature = "parquet")]
mod warehouse;
mod webhooks;
mod xlsx;

/// Every test file is a module above: with one test crate (`autotests = false`), a file not
/// named here would never be compiled, and its tests would pass in silence.
#[test]
fn every_test_file_is_a_module_of_this_crate() {
    let main = include_str!("main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        if module != "main" && !main.contains(&format!("\nmod {module};")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not declared in tests/main.rs: {missing:?}"
    );
}
