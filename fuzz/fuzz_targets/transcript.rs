//! The transcript renderers: every payload read from the fuzz input rendered as text (plain
//! and coloured), markdown, HTML and JSON. The properties are
//! `sshook::fuzzing::check_transcript`'s (the test suite runs the same checks over the seeds
//! and the kept crash inputs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sshook::fuzzing::check_transcript(data));
