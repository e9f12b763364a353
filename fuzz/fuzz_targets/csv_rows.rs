//! CSV rows: every payload read from the fuzz input exported with the real row code, read
//! back with the `csv` crate, and compared with the cells the columns computed. The
//! properties are `sshook::fuzzing::check_csv_rows`'s (the test suite runs the same checks
//! over the seeds and the kept crash inputs).
#![no_main]

use sshook::fuzzing::check_csv_rows;
use sshook_fuzz::read_csv;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_csv_rows(data, read_csv));
