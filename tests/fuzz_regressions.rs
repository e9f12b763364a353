//! Inputs the fuzzers (`fuzz/`) found crashing, kept in `tests/fixtures/fuzz/`. Each has a
//! test through the real binary, and every file there, and every seed of `fuzz/seeds/`, also
//! goes through the checks the fuzz targets make (`sshook::fuzzing`, which the targets call),
//! so a crash input dropped into that folder is a regression test at once.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::Workdir;
use sshook::fuzzing;

const FIXTURES: &str = "tests/fixtures/fuzz";

fn fixture(name: &str) -> Vec<u8> {
    fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

/// `check::warnings` subtracted and added timestamps as i64: `beginAt` of i64::MIN (or a
/// duration check over the full i64 range) overflowed, a panic in debug builds and silently
/// wrong warnings in release ones. Found by the `reader` target from its extreme-numbers seed.
#[test]
fn extreme_timestamps_are_warned_about_not_overflowed() {
    let wd = Workdir::new();
    wd.write(
        "extreme.json",
        fixture("check-overflow-extreme-numbers.json"),
    );
    let run = wd.run(&["validate", "--pedantic", "extreme.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    extreme.json:1: warning: beginAt: negative timestamp -9223372036854775808
    extreme.json:1: warning: endAt: timestamp 9223372036854775807 is after the year 9999
    extreme.json:1: warning: messages[0].sentAt: negative timestamp -9223372036854775808
    extreme.json:1: warning: messages[1].sentAt: timestamp 9223372036854775807 is after the year 9999
    extreme.json:1: warning: messages[2].sentAt: 0 looks like epoch seconds; the hook sends milliseconds
    extreme.json:1: warning: channel.rating: rating -9223372036854775808 is outside 1..5
    extreme.json:1: warning: channel.isTriggered: isTriggered is false but there is a trigger message
    extreme.json:1: note: channel.messagesCount: recorded 9223372036854775807 messages, counted 3 visitor and agent messages
    extreme.json:1: note: channel.wordsCount: recorded -1 words, counted 0
    extreme.json:1: warning: channel.duration: recorded duration -9223372036854775808 s, but endAt - beginAt is 18446744073709551 s
    ");
    assert_eq!(
        run.stderr,
        "validate: 1 file, 1 payload: 1 valid; 0 errors, 8 warnings, 2 notes\n"
    );
}

/// The folders whose files go through every fuzz target's checks: the fuzzers' seeds (one
/// folder per target), the crash inputs kept here, and `fuzz/regressions/` if someone saved
/// inputs there. Relative to the package root (where `cargo test` runs the tests).
fn inputs() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = vec![PathBuf::from(FIXTURES)];
    for root in ["fuzz/seeds", "fuzz/regressions"] {
        let Ok(entries) = fs::read_dir(root) else {
            assert_ne!(root, "fuzz/seeds", "the seeds are committed");
            continue;
        };
        folders.push(PathBuf::from(root));
        folders.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_dir()));
    }
    let mut files: Vec<PathBuf> = folders
        .iter()
        .flat_map(|folder| fs::read_dir(folder).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// The reference CSV reader `check_csv_rows` compares export's CSV with (as the fuzz crate's
/// `sshook_fuzz::read_csv`): every record, the header first.
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// What every fuzz target asserts (`sshook::fuzzing`, the functions the targets call), over
/// every seed of every target and every crash input kept: a seed or crash input that breaks a
/// property fails here, without a fuzzer.
#[test]
fn every_seed_and_crash_input_passes_every_fuzz_check() {
    let files = inputs();
    let seeds = files.iter().filter(|f| f.starts_with("fuzz/seeds")).count();
    let kept = files.iter().filter(|f| f.starts_with(FIXTURES)).count();
    assert!(seeds >= 3 && kept >= 1, "{files:?}");
    for path in &files {
        let data = fs::read(path).unwrap();
        let name = path.display().to_string();
        let checks: [(&str, &dyn Fn()); 3] = [
            ("reader", &|| fuzzing::check_reader(&data)),
            ("transcript", &|| fuzzing::check_transcript(&data)),
            ("csv_rows", &|| fuzzing::check_csv_rows(&data, read_csv)),
        ];
        for (target, check) in checks {
            if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)) {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!("{target} check fails on {name}: {message}");
            }
        }
    }
}

/// The checks pass on the official example, and the CSV check is not vacuous: a read-back that
/// loses a row or changes a cell fails it.
#[test]
fn the_csv_check_compares_every_row_and_cell() {
    let fails =
        |check: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).is_err();
    let official = crate::common::OFFICIAL.as_bytes();
    assert!(!fails(&|| fuzzing::check_reader(official)));
    assert!(!fails(&|| fuzzing::check_transcript(official)));
    assert!(!fails(&|| fuzzing::check_csv_rows(official, read_csv)));
    // A reference reader that loses a row, or changes a cell: the comparison notices.
    assert!(fails(&|| fuzzing::check_csv_rows(official, |b| {
        let mut rows = read_csv(b);
        rows.pop();
        rows
    })));
    assert!(fails(&|| fuzzing::check_csv_rows(official, |b| {
        let mut rows = read_csv(b);
        rows[1][0].push('0');
        rows
    })));
    // The official example is read as one payload (an input of none would check nothing).
    let chunk = fuzzing::chunk(official);
    assert_eq!(fuzzing::payloads(&chunk).len(), 1);
}
