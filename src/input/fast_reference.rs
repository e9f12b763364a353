//! The fast paths against their reference, serde_json, in every profile: the release build
//! (LTO, no overflow checks — what users install) meets the reference here, not only debug
//! builds through the checks in `fast::payload` and `fast::event`. Over every payload and
//! event of `sample-data/` and `tests/fixtures/`, and over payloads and events generated from
//! them by random edits.

use std::path::Path;

use serde_json::value::RawValue;
use serde_json::Value;

use super::fast;

/// Every JSON document under `dir` (files, NDJSON lines, array elements; `.gz` decoded), with
/// its file name: the bundled documents the fast paths are compared with their references on
/// (here the payload reader, in `privacy::redact::stream` the redaction rewrite).
pub(crate) fn payload_texts(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            payload_texts(&path, out);
            continue;
        }
        let name = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) if name.ends_with(".gz") => {
                let mut text = Vec::new();
                let mut decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
                if std::io::Read::read_to_end(&mut decoder, &mut text).is_err() {
                    continue;
                }
                text
            }
            Ok(bytes) if name.ends_with(".json") || name.ends_with(".ndjson") => bytes,
            _ => continue,
        };
        for doc in serde_json::Deserializer::from_slice(&bytes).into_iter::<Box<RawValue>>() {
            let Ok(doc) = doc else { break };
            let text = doc.get();
            if text.starts_with('[') {
                if let Ok(items) = serde_json::from_str::<Vec<Box<RawValue>>>(text) {
                    out.extend(items.iter().map(|i| (name.clone(), i.get().to_owned())));
                }
            } else {
                out.push((name.clone(), text.to_owned()));
            }
        }
    }
}

/// Reads `text` with the fast path and, when it reads it, compares with serde_json (panics
/// on a difference). True when the fast path read it.
fn check(text: &str) -> bool {
    match fast::payload(text) {
        Some((payload, len, print, _)) => {
            fast::same_as_serde(text, &payload, len, print.of(&text[..len]));
            true
        }
        None => false,
    }
}

/// [`check`] for a webhook event.
fn check_event(text: &str) -> bool {
    match fast::event(text) {
        Some((event, len, print)) => {
            fast::event_same_as_serde(text, &event, len, print.of(&text[..len]));
            true
        }
        None => false,
    }
}

/// The bundled webhook events: every document with an `event` key and no `beginAt`.
fn bundled_events() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    payload_texts(&root.join("sample-data"), &mut texts);
    payload_texts(&root.join("tests/fixtures"), &mut texts);
    texts.retain(|(_, t)| t.contains("\"event\"") && !t.contains("\"beginAt\""));
    texts
}

#[test]
fn the_fast_path_reads_the_bundled_events_as_serde_json_does() {
    let events = bundled_events();
    assert!(events.len() >= 100, "only {} events found", events.len());
    let mut read = 0;
    for (name, text) in &events {
        read += usize::from(check_event(text));
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue; // a fixture of broken JSON
        };
        read += usize::from(check_event(&value.to_string()));
        read += usize::from(check_event(&serde_json::to_string_pretty(&value).unwrap()));
        let _ = name;
    }
    // Every shape the format documents is read by the fast path, odd ones (fixtures of the
    // warnings) excepted: most of the bundled events must not go to serde_json.
    assert!(
        read >= events.len() * 2,
        "the fast path read {read} of {}",
        events.len() * 3
    );
}

#[test]
fn the_fast_path_reads_generated_events_as_serde_json_does() {
    let events: Vec<Value> = bundled_events()
        .iter()
        .filter_map(|(_, t)| serde_json::from_str(t).ok())
        .collect();
    let read = edits_read(&events, Rng(0x0dd5_eed5_1234_5678), check_event);
    assert!(
        read > CASES / 5,
        "the fast path read only {read} of {CASES}"
    );
}

#[test]
fn the_fast_path_reads_the_bundled_payloads_as_serde_json_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    payload_texts(&root.join("sample-data"), &mut texts);
    payload_texts(&root.join("tests/fixtures"), &mut texts);
    let payloads: Vec<_> = texts
        .iter()
        .filter(|(_, t)| t.contains("\"beginAt\""))
        .collect();
    assert!(
        payloads.len() >= 30,
        "only {} payloads found",
        payloads.len()
    );
    let mut read = 0;
    for (name, text) in &payloads {
        read += usize::from(check(text));
        // The same payload compact, and pretty-printed.
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        read += usize::from(check(&value.to_string()));
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        read += usize::from(check(&pretty));
    }
    // The fast path is the common path: it must read the bundled payloads, not give up on them.
    assert!(
        read >= payloads.len() * 2,
        "the fast path read {read} of {}",
        payloads.len() * 3
    );
}

/// A small deterministic generator (xorshift), so that a failure is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A value to put where another was: texts with escapes and non-ASCII, integers at the edges,
/// floats, booleans, nulls, and now and then a wrong type.
fn scalar(rng: &mut Rng) -> Value {
    const TEXTS: [&str; 8] = [
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "tab\tnew\nline\u{1}",
        "Žluťoučký kůň 😀",
        "\u{2028}\u{00a0} spaces",
        "agent:3",
        "visitor:ABC",
    ];
    match rng.below(9) {
        0 => Value::from(TEXTS[rng.below(TEXTS.len() as u64) as usize]),
        1 => Value::from(rng.next() as i64),
        2 => Value::from(i64::MAX - rng.below(3) as i64),
        3 => Value::from(1_700_000_000_000 + rng.below(1 << 40) as i64),
        4 => Value::from(rng.below(1000) as f64 / 7.0),
        5 => Value::Bool(rng.below(2) == 0),
        6 => Value::Null,
        7 => Value::from(-(rng.below(100) as i64)),
        _ => Value::from(format!("{}", rng.next())),
    }
}

/// Changes one place of `value` at random: a scalar replaced, a key removed, or an unknown
/// key added.
fn mutate(value: &mut Value, rng: &mut Rng) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[rng.below(keys.len() as u64) as usize];
            match rng.below(8) {
                0 if key != "beginAt" => {
                    map.remove(key.as_str());
                }
                1 => {
                    map.insert(format!("unknown{}", rng.below(5)), scalar(rng));
                }
                _ => {
                    if let Some(inner) = map.get_mut(key.as_str()) {
                        mutate(inner, rng);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len() as u64) as usize;
            mutate(&mut items[i], rng);
        }
        _ => *value = scalar(rng),
    }
}

#[test]
fn the_fast_path_reads_generated_payloads_as_serde_json_does() {
    let official: Value =
        serde_json::from_str(include_str!("../../sample-data/official-example.json")).unwrap();
    let read = edits_read(&[official], Rng(0x5eed_1234_abcd_ef01), check);
    // Many mutations make a payload the fast path leaves to serde_json (an unknown key, a
    // wrong type); a quarter or so it reads (755 of 3000 when written): enough to compare.
    assert!(
        read > CASES / 5,
        "the fast path read only {read} of {CASES}"
    );
}

/// How many random edits in all the fast path read: [`CASES`] times one of `seeds` (the only
/// one when there is one), changed in one to four places, compact or pretty-printed, given to
/// `check` (which compares it with serde_json's reading).
fn edits_read(seeds: &[Value], mut rng: Rng, check: fn(&str) -> bool) -> usize {
    let mut read = 0;
    for _ in 0..CASES {
        let pick = match seeds.len() {
            1 => 0,
            n => rng.below(n as u64) as usize,
        };
        let mut value = seeds[pick].clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut value, &mut rng);
        }
        let text = if rng.below(2) == 0 {
            value.to_string()
        } else {
            serde_json::to_string_pretty(&value).unwrap()
        };
        read += usize::from(check(&text));
    }
    read
}

/// Random edits each generated test makes.
const CASES: usize = 3000;
