//! The reader: arbitrary bytes split and parsed as one chunk, every finding, payload and
//! event checked. The properties are `sshook::fuzzing::check_reader`'s (the test suite runs
//! the same checks over the seeds and the kept crash inputs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sshook::fuzzing::check_reader(data));
