//! What the fuzz targets need beyond `sshook::fuzzing` (where their properties live): the
//! reference CSV reader `check_csv_rows` compares export's CSV with, which the library itself
//! does not depend on. `tests/fuzz_regressions.rs` has the same reader.

/// Every record of `bytes`, the header first, as strings (`csv::Reader`, no header handling).
pub fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| match r {
            Ok(record) => record.iter().map(String::from).collect(),
            Err(e) => panic!("export's CSV does not read back: {e}"),
        })
        .collect()
}
