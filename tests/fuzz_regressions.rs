//! Inputs the fuzzers (`fuzz/`) found crashing, kept in `tests/fixtures/fuzz/`. Each has a
//! test through the real binary, and every file there also goes through the same checks the
//! fuzz targets make, so a crash input dropped into that folder is a regression test at once.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use crate::common::Workdir;
use sshook::check;
use sshook::input::{documents, Chunk};
use sshook::model::document::Item;
use sshook::model::time::DisplayZone;
use sshook::render::transcript;

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

/// What every fuzz target asserts, over every crash input kept: the reader, the checks and
/// all four transcript formats run without a panic, and HTML carries no markup from content.
#[test]
fn every_crash_input_reads_checks_and_renders() {
    let mut names: Vec<_> = fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let utc = DisplayZone::utc();
    for path in names {
        let chunk = Chunk {
            file: Arc::from(path.to_string_lossy().as_ref()),
            text: fs::read(&path).unwrap(),
            first_line: 1,
            read_error: None,
            empty_source: false,
        };
        documents(&chunk, &mut |item| {
            let Item::Payload(doc) = item else { return };
            for warning in check::warnings(&doc) {
                assert!(!warning.is_error(), "{}: {warning}", path.display());
            }
            transcript::text(&doc, &utc, true, Some(40));
            transcript::markdown(&doc, &utc);
            let html = transcript::html_article(&doc, &utc);
            assert!(!html.contains("<script"), "{}", path.display());
            let json = transcript::json_line(&doc, &utc);
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["id"], doc.payload.conversation_id().as_ref());
        });
    }
}
