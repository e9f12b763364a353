//! The layout of a dumps folder, owned here and used by `serve` (which writes it), the reader
//! (which walks it) and `erase`/`prune` (which rewrite it). Names only: no I/O.
//!
//! ```text
//! DUMPS/2015/03/27/1427470439703-55039.json     a payload: UTC day and beginAt, channel id
//! DUMPS/2015/03/27/1427470439703-55039.1.json   the same conversation sent again, other bytes
//! DUMPS/2015/03/27/.1427470439703-55039.<hex>   hidden marker: a link to the copy with that digest
//! DUMPS/2020/08/08/20200808T075318.825Z-conversation.closed-<hex>.json   a webhook event
//! DUMPS/undated/…                               payloads whose beginAt has no calendar date, and
//!                                               bodies whose fields do not say where they go
//! DUMPS/rejected/20260301T120000.123Z-0.json    a body that is not a payload, as received
//! DUMPS/rejected/20260301T120000.123Z-0.reason.txt   why
//! ```
//!
//! Hidden files (markers, `.tmp-*` files being written) and `rejected/` are never read as data.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// Folder (under the dump folder) that keeps bodies that are not payloads.
pub const REJECTED_DIR: &str = "rejected";
/// Folder for payloads whose `beginAt` has no calendar date (beyond year 9999).
pub const UNDATED_DIR: &str = "undated";

/// File names a folder walk reads. Files named explicitly are read whatever their name.
pub fn is_payload_file_name(name: &str) -> bool {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    if name.starts_with('.') {
        return false; // hidden and temporary files (`serve` writes `.tmp-*`)
    }
    [".json", ".ndjson", ".jsonl"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// Folders a walk never enters: hidden ones, and `rejected/` where `serve` keeps bad bodies.
pub fn is_skipped_dir_name(name: &str) -> bool {
    name.starts_with('.') || name == REJECTED_DIR
}

/// The sort key of a file name in a folder walk: names in byte order, except that the numbered
/// copies `serve` stores of a re-sent conversation (`X.json`, `X.1.json`, `X.2.json`, …) come
/// right after `X.json` in the order they were stored — plain sorting would put `X.1.json`
/// first, and "the first copy" would be the second one received.
pub fn stored_order(name: &str) -> (std::borrow::Cow<'_, str>, u64) {
    for ext in [".json", ".ndjson", ".jsonl"] {
        let Some(at) = name.find(ext) else { continue };
        let (stem, rest) = name.split_at(at);
        if !(rest == ext || rest.strip_prefix(ext) == Some(".gz")) {
            continue;
        }
        if let Some((base, number)) = stem.rsplit_once('.') {
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(n) = number.parse::<u64>() {
                    return (format!("{base}{rest}").into(), n.saturating_add(1));
                }
            }
        }
        return (name.into(), 0);
    }
    (name.into(), 0)
}

/// `YYYY/MM/DD` of `beginAt` in UTC, or `undated` when it has no calendar date.
pub fn day_folder(begin_at: i64) -> String {
    match Timestamp::from_millisecond(begin_at) {
        Ok(ts) => ts.to_zoned(TimeZone::UTC).strftime("%Y/%m/%d").to_string(),
        Err(_) => UNDATED_DIR.to_string(),
    }
}

/// The name of a stored payload: `<beginAt>-<channelId>.json` for the first copy, then
/// `<beginAt>-<channelId>.<copy>.json` for each differing re-send.
pub fn payload_file(stem: &str, copy: u32) -> String {
    match copy {
        0 => format!("{stem}.json"),
        n => format!("{stem}.{n}.json"),
    }
}

/// The stem of a stored payload's names: `<beginAt>-<channelId>`.
pub fn payload_stem(begin_at: i64, channel_id: i64) -> String {
    format!("{begin_at}-{channel_id}")
}

/// The hidden marker beside a stored payload: `.<stem>.<16 hex of the body's SHA-256>`.
pub fn payload_marker(stem: &str, body: &[u8]) -> String {
    format!(".{stem}.{}", short_digest(body))
}

/// Where an event is stored, relative to the dump folder: the UTC day of its `timestamp`, and
/// a name made of the time, the event and the first 16 hex digits of the body's SHA-256 — so
/// that an identical re-delivery maps to the same name. For example
/// `2020/08/08/20200808T075318.825Z-conversation.closed-3f2a9c1d0b7e4a65.json`.
pub fn event_file(timestamp: Timestamp, event: &str, body: &[u8]) -> (String, String) {
    let zoned = timestamp.to_zoned(TimeZone::UTC);
    let folder = zoned.strftime("%Y/%m/%d").to_string();
    let time = zoned.strftime("%Y%m%dT%H%M%S%.3fZ");
    let name = format!("{time}-{}-{}.json", file_word(event), short_digest(body));
    (folder, name)
}

/// Where a body is stored whose place its fields do not give — a payload whose `beginAt` or
/// `channel.id` does not read, an event whose `timestamp` does not: the UTC day of `beginAt`
/// when it reads (else `undated/`), and a name made of `beginAt` (else `what`, a word like
/// `payload` or the event's name) and the first 16 hex digits of the body's SHA-256, so that
/// an identical re-send maps to the same name. For example `undated/payload-3f2a9c1d0b7e4a65.json`.
pub fn unnamed_file(begin_at: Option<i64>, what: &str, body: &[u8]) -> (String, String) {
    let folder = begin_at.map_or_else(|| UNDATED_DIR.to_string(), day_folder);
    let stem = match begin_at {
        Some(begin_at) => begin_at.to_string(),
        None => file_word(what),
    };
    (folder, format!("{stem}-{}.json", short_digest(body)))
}

/// A word safe in a file name: letters, digits, `.` and `_` (others become `_`), at most 64;
/// `event` when nothing is left.
fn file_word(word: &str) -> String {
    let word: String = word
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if word.is_empty() {
        "event".into()
    } else {
        word
    }
}

/// The first 16 hex digits of the SHA-256 of `bytes`.
pub fn short_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_folders_are_utc_dates_of_begin_at() {
        assert_eq!(day_folder(1_427_470_439_703), "2015/03/27");
        assert_eq!(day_folder(-1), "1969/12/31");
        assert_eq!(day_folder(i64::MAX), "undated");
    }

    #[test]
    fn payload_file_names() {
        for yes in [
            "a.json",
            "a.ndjson",
            "a.jsonl",
            "a.json.gz",
            "2026-03-01.jsonl.gz",
        ] {
            assert!(is_payload_file_name(yes), "{yes}");
        }
        for no in [
            ".json",
            ".tmp-1.json",
            "a.txt",
            "a.gz",
            "json",
            "a.json.reason",
            "a.json.tmp",
        ] {
            assert!(!is_payload_file_name(no), "{no}");
        }
    }

    #[test]
    fn numbered_copies_follow_their_original_in_stored_order() {
        let mut names = vec![
            "a.json",
            "a.10.json",
            "a.2.json",
            "a.1.json",
            "b.json",
            "a-b.json",
            "a.ndjson.gz",
            "a.1.ndjson.gz",
            "x.y.json",
        ];
        names.sort_by(|a, b| stored_order(a).cmp(&stored_order(b)));
        assert_eq!(
            names,
            [
                "a-b.json",
                "a.json",
                "a.1.json",
                "a.2.json",
                "a.10.json",
                "a.ndjson.gz",
                "a.1.ndjson.gz",
                "b.json",
                "x.y.json"
            ]
        );
    }

    #[test]
    fn event_file_names() {
        let event = br#"{"type":"event_callback","event":"conversation.closed"}"#;
        let timestamp = "2020-08-08T07:53:18.825Z".parse().unwrap();
        let (folder, name) = event_file(timestamp, "conversation.closed", event);
        assert_eq!(folder, "2020/08/08");
        assert!(name.starts_with("20200808T075318.825Z-conversation.closed-"));
        assert_eq!(
            name.len(),
            "20200808T075318.825Z-conversation.closed-".len() + 21
        );
    }
}
