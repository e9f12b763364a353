//! Padding after a complete document — NUL bytes, as a crashed writer or a preallocated file
//! leaves them — is one finding at its place, and the document before it is read and
//! exported. The binary-file rule stays for files that do not begin as JSON documents.

use crate::common::{self, Workdir, OFFICIAL};

/// A payload followed by 4 KiB of NUL bytes used to be one "binary data" finding: the
/// payload was lost.
#[test]
fn a_nul_padded_payload_is_exported_and_its_padding_reported() {
    let wd = Workdir::new();
    let mut padded = OFFICIAL.as_bytes().to_vec();
    padded.extend(std::iter::repeat_n(0u8, 4096));
    wd.write("data.json", &padded);
    let run = wd.run(&[
        "export",
        "-f",
        "csv",
        "--columns",
        "conversation_id,status,messages_counted",
        "data.json",
    ]);
    assert_eq!(run.code, 1, "the padding is reported: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "conversation_id,status,messages_counted\n55039,completed,4\n"
    );
    let lines = OFFICIAL.lines().count();
    assert!(
        run.stderr.starts_with(&format!(
            "data.json:{}:1: error: padding after the document: 4096 NUL bytes (what a crashed \
             writer or a preallocated file leaves); the document before it was read\n",
            lines + 1
        )),
        "{}",
        run.stderr
    );
    let run = wd.run(&["validate", "data.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("1 payload: 1 valid; 1 error"),
        "{}",
        run.stderr
    );
}

/// In NDJSON, and after a compact document with no line end: the documents around the
/// padding are read.
#[test]
fn padding_between_documents_costs_nothing_else() {
    let wd = Workdir::new();
    let first = common::payload(1, 1_767_225_600_000);
    let second = common::payload(2, 1_767_225_660_000);
    let mut text = format!("{first}\n").into_bytes();
    text.extend_from_slice(b"\0\0\0\0\n");
    text.extend_from_slice(second.as_bytes());
    text.extend_from_slice(&[0u8; 100]);
    wd.write("data.ndjson", &text);
    let run = wd.run(&["validate", "data.ndjson"]);
    assert_eq!(run.code, 1);
    let leaves = "(what a crashed writer or a preallocated file leaves); the document before \
                  it was read";
    assert_eq!(
        run.stdout,
        format!(
            "data.ndjson:2:1: error: padding after the document: 4 NUL bytes {leaves}\n\
             data.ndjson:3:{}: error: padding after the document: 100 NUL bytes {leaves}\n",
            second.len() + 1
        )
    );
    assert!(run.stderr.contains("2 payloads: 2 valid"), "{}", run.stderr);
}

#[test]
fn a_binary_file_is_still_one_finding() {
    let wd = Workdir::new();
    wd.write("zip.json", b"PK\x03\x04\0\0\x08\0{\"beginAt\":1}");
    wd.write("half.json", b"{\"beginAt\":\0\0\0\0");
    let run = wd.run(&["validate", "zip.json", "half.json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "zip.json:1:5: error: binary data, not JSON text (byte 0x00)\n\
         half.json:1:12: error: binary data, not JSON text (byte 0x00)\n"
    );
}
