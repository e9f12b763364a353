//! What the fuzz targets share: fuzz bytes as a chunk of input, and the payloads read from it.

use std::sync::Arc;

use sshook::input::{documents, Chunk};
use sshook::model::document::{Document, Item};

/// The fuzz input as one chunk of one file, starting at line 1 — what the reader hands the
/// splitter for a small file.
pub fn chunk(data: &[u8]) -> Chunk {
    Chunk {
        file: Arc::from("fuzz.json"),
        text: data.to_vec(),
        first_line: 1,
        read_error: None,
        empty_source: false,
    }
}

/// Every payload the reader finds in `chunk`, in order (findings about bad input dropped).
pub fn payloads(chunk: &Chunk) -> Vec<Document<'_>> {
    let mut found = Vec::new();
    documents(chunk, &mut |item| {
        if let Item::Payload(doc) = item {
            found.push(doc);
        }
    });
    found
}
