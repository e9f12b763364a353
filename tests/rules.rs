//! The rules every command shares, each tested once over all the commands it applies to:
//! `-o` decides the format, `-f` that contradicts it is a usage error, an input that yields no
//! document fails the run without writing a header or all-zero figures, `--limit`, and the same
//! flags select the same conversations in the display zone everywhere.

use crate::common::{payload, Workdir, OFFICIAL};
use serde_json::Value;

/// Command and flags, the output file, and how to recognise its format in the file.
type Case = (Vec<&'static str>, &'static str, fn(&[u8]) -> bool);

fn outputs() -> Vec<Case> {
    let json_lines = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok())
    };
    let json_doc = |b: &[u8]| serde_json::from_slice::<Value>(b).is_ok();
    let csv = |b: &[u8]| b.starts_with(b"conversation_id,") || b.starts_with(b"conversations,");
    let tsv = |b: &[u8]| b.starts_with(b"conversation_id\t") || b.starts_with(b"conversations\t");
    let html = |b: &[u8]| b.starts_with(b"<!DOCTYPE html>");
    let markdown = |b: &[u8]| b.starts_with(b"# Conversation 55039");
    let parquet = |b: &[u8]| b.starts_with(b"PAR1");
    let gz = |b: &[u8]| b.starts_with(&[0x1f, 0x8b]);
    vec![
        (vec!["validate", "--pedantic"], "findings.json", json_lines),
        (vec!["list"], "list.ndjson", json_lines),
        (vec!["list"], "list.tsv", tsv),
        (vec!["list"], "list.json", json_doc),
        (vec!["show"], "chat.html", html),
        (vec!["show"], "chat.md", markdown),
        (vec!["show"], "chat.json", json_lines),
        (vec!["export"], "rows.tsv", tsv),
        (vec!["export"], "rows.jsonl", json_lines),
        (vec!["export"], "rows.parquet", parquet),
        (vec!["export"], "rows.csv.gz", gz),
        (vec!["stats"], "stats.json", json_doc),
        (vec!["stats"], "stats.csv", csv),
    ]
}

#[test]
fn the_output_extension_decides_the_format_in_every_command() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for (command, file, looks_right) in outputs() {
        let mut args = command.clone();
        args.extend(["-o", file, "data.json"]);
        let run = wd.run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}: data goes to the file");
        let bytes = std::fs::read(wd.path(file)).unwrap();
        assert!(
            looks_right(&bytes),
            "{args:?}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn f_that_contradicts_the_extension_is_a_usage_error_everywhere() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for (command, file, format) in [
        ("validate", "x.json", "text"),
        ("list", "x.csv", "ndjson"),
        ("show", "x.html", "json"),
        ("export", "x.parquet", "csv"),
        ("stats", "x.json", "csv"),
    ] {
        let run = wd.run(&[command, "-f", format, "-o", file, "data.json"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("contradicts -o"),
            "{command}: {}",
            run.stderr
        );
        assert!(!wd.path(file).exists(), "{command}");
    }
    // -f wins over an extension that names no format.
    let run = wd.run(&["export", "-f", "ndjson", "-o", "x.out", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(wd.read("x.out").starts_with('{'));
}

#[test]
fn an_input_that_yields_no_document_fails_and_writes_nothing() {
    let wd = Workdir::new();
    std::fs::create_dir_all(wd.path("empty")).unwrap();
    wd.write("blank.json", "\n").write("none.json", "[]");
    for command in ["validate", "list", "show", "export", "stats"] {
        for input in ["empty", "missing", "blank.json", "none.json"] {
            let run = wd.run(&[
                command,
                "-f",
                if command == "show" {
                    "json"
                } else if command == "validate" {
                    "text"
                } else {
                    "csv"
                },
                input,
            ]);
            assert_eq!(run.code, 1, "{command} {input}: {}", run.stderr);
            let message = if command == "validate" {
                &run.stdout
            } else {
                &run.stderr
            };
            assert!(message.contains(input), "{command} {input}: {message}");
            if command != "validate" && ["empty", "missing"].contains(&input) {
                assert_eq!(
                    run.stdout, "",
                    "{command} {input}: no header, no zero figures"
                );
            }
        }
    }
}

#[test]
fn limit_applies_to_list_show_and_export() {
    let wd = Workdir::new();
    let corpus: Vec<String> = (1..=5)
        .map(|id| payload(id, 1_700_000_000_000 + id * 1000))
        .collect();
    wd.write("chats.ndjson", corpus.join("\n"));
    let count = |args: &[&str]| {
        let run = wd.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run.stdout.lines().count()
    };
    assert_eq!(
        count(&["list", "-f", "ndjson", "--limit", "2", "chats.ndjson"]),
        2
    );
    assert_eq!(count(&["show", "-f", "json", "-n", "3", "chats.ndjson"]), 3);
    assert_eq!(
        count(&["export", "-f", "ndjson", "--limit", "1", "chats.ndjson"]),
        1
    );
    assert_eq!(
        count(&[
            "export",
            "-f",
            "ndjson",
            "--sort",
            "id",
            "--reverse",
            "--limit",
            "2",
            "chats.ndjson"
        ]),
        2
    );
}

/// TZ=Europe/Prague: 2026-03-29 is 23 hours long there. A conversation at 23:30 UTC on the
/// 28th is on the 29th in Prague (CET); one at 22:30 UTC on the 29th is on the 30th (CEST).
#[test]
fn the_same_flags_select_the_same_conversations_in_every_command() {
    let wd = Workdir::new();
    let times = [
        (1, "2026-03-28T23:30:00Z"),
        (2, "2026-03-29T12:00:00Z"),
        (3, "2026-03-29T22:30:00Z"),
        (4, "2026-03-28T12:00:00Z"),
    ];
    let lines: Vec<String> = times
        .iter()
        .map(|(id, t)| payload(*id, t.parse::<jiff::Timestamp>().unwrap().as_millisecond()))
        .collect();
    wd.write("chats.ndjson", lines.join("\n"));
    let flags = [
        "--since",
        "2026-03-29",
        "--until",
        "2026-03-30",
        "chats.ndjson",
    ];
    let run_in_prague = |command: &[&str]| {
        let mut args = command.to_vec();
        args.extend(flags);
        let out = wd
            .command(&args)
            .env("TZ", "Europe/Prague")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let ids = |text: String, key: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()[key]
                    .to_string()
                    .trim_matches('"')
                    .to_owned()
            })
            .collect()
    };
    let expected = vec!["1".to_owned(), "2".to_owned()];
    assert_eq!(
        ids(run_in_prague(&["list", "-f", "ndjson"]), "conversation_id"),
        expected
    );
    assert_eq!(
        ids(
            run_in_prague(&["export", "-f", "ndjson"]),
            "conversation_id"
        ),
        expected
    );
    assert_eq!(ids(run_in_prague(&["show", "-f", "json"]), "id"), expected);
    let stats: Value = serde_json::from_str(&run_in_prague(&["stats", "-f", "json"])).unwrap();
    assert_eq!(stats["total"]["conversations"], 2);
}
