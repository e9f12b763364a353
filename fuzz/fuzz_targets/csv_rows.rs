//! CSV rows: the typed fields of every payload read from the fuzz input (ids, names, message
//! texts) written with the `csv` crate and read back, value for value.
//!
//! A stand-in until the real row code (`src/render/rows.rs`, another branch) lands: then this
//! target should build its rows with that code instead of `message_rows` below.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use sshook::payload::Payload;

/// One message with its conversation's keys, as a message-rows export would have it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct MessageRow {
    conversation_id: i64,
    account_id: Option<i64>,
    begin_at: i64,
    visitor_id: String,
    visitor_name: String,
    visitor_email: String,
    status: String,
    index: usize,
    sender_kind: String,
    sender_id: String,
    name: String,
    text: String,
    sent_at: i64,
    trigger: String,
}

fn message_rows(p: &Payload) -> Vec<MessageRow> {
    let v = p.visitor.clone().unwrap_or_default();
    let owned = |t: &Option<std::borrow::Cow<str>>| t.as_deref().unwrap_or("").to_owned();
    p.messages
        .iter()
        .enumerate()
        .map(|(index, m)| MessageRow {
            conversation_id: p.id(),
            account_id: p.account_id,
            begin_at: p.begin_at,
            visitor_id: owned(&v.id),
            visitor_name: owned(&v.name),
            visitor_email: owned(&v.email),
            status: p.status().as_str().to_owned(),
            index,
            sender_kind: m.sender_kind().as_str().to_owned(),
            sender_id: m.sender_id().to_owned(),
            name: owned(&m.name),
            text: m.text().to_owned(),
            sent_at: m.sent_at,
            trigger: owned(&m.triggered_by),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let chunk = sshook_fuzz::chunk(data);
    let rows: Vec<MessageRow> = sshook_fuzz::payloads(&chunk)
        .iter()
        .flat_map(|doc| message_rows(&doc.payload))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        writer.serialize(row).expect("a row serialises");
    }
    let bytes = writer.into_inner().expect("flush to a Vec");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let back: Vec<MessageRow> = reader
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows read back");
    assert_eq!(back, rows);
});
