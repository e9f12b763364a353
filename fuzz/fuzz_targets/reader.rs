//! The reader: arbitrary bytes split and parsed as one chunk, and every payload checked.
//!
//! Beyond "no panic, no hang": each finding names a line inside the input and prints on one
//! line without control characters (it goes to a terminal); each payload's raw text parses
//! again into the same conversation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sshook::check;
use sshook::input::documents;
use sshook::model::document::Item;
use sshook::model::finding::Finding;
use sshook::model::payload::Payload;

fuzz_target!(|data: &[u8]| {
    let chunk = sshook_fuzz::chunk(data);
    let lines = memchr_count(data) + 1;
    documents(&chunk, &mut |item| match item {
        Item::Bad(finding) => assert_printable(&finding, lines),
        Item::Payload(doc) => {
            assert!(doc.origin.line.is_some_and(|l| (1..=lines).contains(&l)));
            let again: Payload = serde_json::from_str(doc.raw).expect("raw text parses again");
            assert_eq!(again.conversation_id(), doc.payload.conversation_id());
            assert_eq!(again.messages.len(), doc.payload.messages.len());
            for warning in check::warnings(&doc) {
                assert!(!warning.is_error());
                assert_printable(&warning, lines);
            }
        }
        Item::Event(doc) => {
            assert!(doc.origin.line.is_some_and(|l| (1..=lines).contains(&l)));
            for warning in check::event_warnings(&doc) {
                assert!(!warning.is_error());
                assert_printable(&warning, lines);
            }
        }
    });
});

fn assert_printable(finding: &Finding, lines: usize) {
    if let Some(line) = finding.origin.line {
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
    }
    let text = finding.to_string();
    assert!(
        !text.chars().any(char::is_control),
        "control character in {text:?}"
    );
    let _ = finding.to_json().to_string();
}

fn memchr_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count()
}
