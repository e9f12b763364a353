//! Property tests of the reader: any bytes give payloads or findings, never a panic; a payload
//! written as JSON (compact, pretty, NDJSON, array) reads back with the same values.

use std::sync::Arc;

use crate::common::regressions_beside_file;
use proptest::prelude::*;
use serde_json::{json, Value};
use sshook::input::{documents, Chunk};
use sshook::model::document::Item;

fn chunk(bytes: Vec<u8>) -> Chunk {
    Chunk {
        file: Arc::from("prop.json"),
        text: bytes,
        first_line: 1,
        read_error: None,
        empty_source: false,
    }
}

/// (payloads, findings) read from `bytes`.
fn read(bytes: Vec<u8>) -> (Vec<Value>, usize) {
    let chunk = chunk(bytes);
    let mut payloads = Vec::new();
    let mut findings = 0;
    documents(&chunk, &mut |item| match item {
        Item::Payload(doc) => {
            let p = &doc.payload;
            payloads.push(json!({
                "id": p.channel.id,
                "begin": p.begin_at,
                "rating": p.channel.rating,
                "name": p.visitor.as_ref().and_then(|v| v.name.as_deref()),
                "texts": p.messages.iter().map(|m| m.text()).collect::<Vec<_>>(),
                "raw": serde_json::from_str::<Value>(doc.raw()).unwrap(),
            }));
        }
        Item::Event(doc) => panic!("a payload read as an event: {}", doc.raw),
        Item::Bad(_) => findings += 1,
    });
    (payloads, findings)
}

fn payload_strategy() -> impl Strategy<Value = Value> {
    (
        any::<i64>(),
        0i64..4_000_000_000_000,
        proptest::option::of(1i64..=5),
        ".*",
        proptest::collection::vec(".*", 0..4),
    )
        .prop_map(|(id, begin, rating, name, texts)| {
            let messages: Vec<Value> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| json!({"type": "visitor", "content": t, "sentAt": begin + i as i64}))
                .collect();
            json!({
                "beginAt": begin, "endAt": begin + 1000,
                "channel": {"id": id, "rating": rating, "futureField": [1, {"x": null}]},
                "visitor": {"name": name},
                "messages": messages,
            })
        })
}

proptest! {
    #![proptest_config(regressions_beside_file(ProptestConfig::with_cases(256)))]

    #[test]
    fn any_bytes_give_payloads_or_findings(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(bytes);
    }

    #[test]
    fn json_like_noise_never_panics(text in r#"[\[\]{}",:0-9a-z \n\\]{0,200}"#) {
        let _ = read(text.into_bytes());
    }

    #[test]
    fn payload_json_payload_round_trip(payloads in proptest::collection::vec(payload_strategy(), 1..5)) {
        let expect = |p: &Value| json!({
            "id": p["channel"]["id"], "begin": p["beginAt"], "rating": p["channel"]["rating"],
            "name": p["visitor"]["name"],
            "texts": p["messages"].as_array().unwrap().iter().map(|m| m["content"].clone()).collect::<Vec<_>>(),
            "raw": p,
        });
        let expected: Vec<Value> = payloads.iter().map(expect).collect();
        let ndjson: String = payloads.iter().map(|p| format!("{p}\n")).collect();
        let pretty: String = payloads.iter().map(|p| serde_json::to_string_pretty(p).unwrap() + "\n").collect();
        let array = serde_json::to_string_pretty(&payloads).unwrap();
        for text in [ndjson, pretty, array] {
            let (read_back, findings) = read(text.into_bytes());
            prop_assert_eq!(findings, 0);
            prop_assert_eq!(&read_back, &expected);
        }
    }
}
