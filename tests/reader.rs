//! The reader over every layout a payload file can have, each one larger than the reader's
//! chunk size (1 MiB), plain and gzipped: every payload comes back and nothing is reported.
//! The reader cuts big inputs into chunks; it must cut only between documents, never where a
//! line merely looks like the start of one (array elements at column 0, braces in strings).

use std::io::Write;

use crate::common::Workdir;
use flate2::write::GzEncoder;

/// How many payloads each layout holds: about 1.2 MB of compact text (3.8 MB pretty), over two chunks.
const COUNT: usize = 800;

/// A payload whose texts hold what a naive splitter would take for structure.
fn payload(id: usize) -> serde_json::Value {
    let begin = 1_774_000_000_000i64 + id as i64 * 60_000;
    let messages: Vec<serde_json::Value> = (0..8)
        .map(|m| {
            serde_json::json!({
                "type": if m % 2 == 0 { "visitor" } else { "agent" },
                "name": "Eva",
                "from": format!("visitor:k{id}"),
                "content": format!("}}\n{{\"id\": {m}}} [\\\"] a {{ b }} and some more words here {id}"),
                "sentAt": begin + m * 1_000,
                "triggeredBy": null,
            })
        })
        .collect();
    serde_json::json!({
        "accountId": 208,
        "beginAt": begin,
        "endAt": begin + 60_000,
        "channel": {"id": id, "isChat": true, "duration": 60, "rating": null},
        "visitor": {"id": 1, "name": "Eva", "variables": {"k": {"label": "}\n{", "value": "[{"}}},
        "messages": messages,
    })
}

fn compact(id: usize) -> String {
    payload(id).to_string()
}

fn pretty(id: usize) -> String {
    serde_json::to_string_pretty(&payload(id)).expect("json")
}

/// Every layout, by name.
fn layouts() -> Vec<(&'static str, String)> {
    let ids = 0..COUNT;
    let join = |f: fn(usize) -> String, sep: &str| ids.clone().map(f).collect::<Vec<_>>().join(sep);
    // One payload larger than a chunk: many messages.
    let mut big = payload(1);
    let pair = big["messages"].as_array().expect("messages")[..2].to_vec();
    big["messages"] = serde_json::Value::Array(pair.iter().cycle().take(12_000).cloned().collect());
    vec![
        (
            "single-pretty.json",
            serde_json::to_string_pretty(&big).expect("json"),
        ),
        ("single-compact.json", big.to_string()),
        // `[\n{\n  …\n},\n{\n  …\n}\n]`: elements open at column 0, as some tools print.
        (
            "array-column0.json",
            format!("[\n{}\n]\n", join(pretty, ",\n")),
        ),
        (
            "array-pretty.json",
            serde_json::to_string_pretty(&ids.clone().map(payload).collect::<Vec<_>>())
                .expect("json"),
        ),
        ("array-compact.json", format!("[{}]", join(compact, ","))),
        ("payloads.ndjson", join(compact, "\n") + "\n"),
        ("concatenated-pretty.json", join(pretty, "\n")),
        ("concatenated-compact.json", join(compact, "")),
    ]
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).expect("gzip");
    gz.finish().expect("gzip")
}

#[test]
fn every_layout_above_the_chunk_size_reads_whole() {
    let wd = Workdir::new();
    for (name, text) in layouts() {
        assert!(text.len() > 1 << 20, "{name} is only {} bytes", text.len());
        let count = if name.starts_with("single") { 1 } else { COUNT };
        wd.write(name, &text);
        wd.write(format!("{name}.gz").as_str(), gzip(&text));
        for file in [name.to_string(), format!("{name}.gz")] {
            let run = wd.run(&["validate", &file]);
            assert_eq!(run.stdout, "", "{file}");
            assert_eq!(run.code, 0, "{file}: {}", run.stderr);
            assert!(
                run.stderr
                    .contains(&format!("{}: {count} valid; 0 errors", plural(count))),
                "{file}: {}",
                run.stderr
            );
        }
        // Every payload comes back as a row (the reading is the same for every command).
        let run = wd.run(&["export", name, "--columns", "channel_id", "--no-header"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.stdout.lines().count(), count, "{name}");
        // The same text through a pipe, where it arrives in pieces.
        let run = wd.run_with_stdin(&["validate", "-"], text);
        assert_eq!(run.code, 0, "{name} on stdin: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("{}: {count} valid; 0 errors", plural(count))),
            "{name} on stdin: {}",
            run.stderr
        );
    }
}

#[test]
fn a_broken_line_costs_only_itself_above_the_chunk_size() {
    let wd = Workdir::new();
    let mut lines: Vec<String> = (0..COUNT).map(compact).collect();
    // Line 11 is cut in half, inside an object: its brackets never close.
    let half = lines[10].len() / 2;
    lines[10].truncate(half);
    wd.write("cut.ndjson", lines.join("\n") + "\n");
    let run = wd.run(&["validate", "cut.ndjson"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("cut.ndjson:11:"), "{}", run.stdout);
    let valid = COUNT - 1;
    assert!(
        run.stderr.contains(&format!("{valid} valid; 1 error,")),
        "{}",
        run.stderr
    );
}

fn plural(count: usize) -> String {
    if count == 1 {
        "1 payload".to_owned()
    } else {
        format!("{count} payloads")
    }
}
