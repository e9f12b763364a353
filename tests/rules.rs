//! The rules every command shares, each tested once over all the commands it applies to:
//! `-o` decides the format, `-f` that contradicts it is a usage error, an input that yields no
//! document fails the run without writing a header or all-zero figures, `--limit`, and the same
//! flags select the same conversations in the display zone everywhere.

use crate::common::{payload, Workdir, OFFICIAL};
use serde_json::Value;

/// Command and flags, the output file, and how to recognise its format in the file.
type Case = (Vec<&'static str>, &'static str, fn(&[u8]) -> bool);

fn outputs() -> Vec<Case> {
    // Each check reads the file as its format and finds the one conversation in it (55039, the
    // official example): an empty or truncated file fails, not only a wrong first byte.
    fn json_lines(b: &[u8]) -> bool {
        let text = String::from_utf8_lossy(b);
        let lines: Vec<&str> = text.lines().collect();
        !lines.is_empty()
            && lines
                .iter()
                .all(|l| serde_json::from_str::<Value>(l).is_ok())
            && text.contains("55039")
    }
    fn findings(b: &[u8]) -> bool {
        // The official example's two notes (recorded counts that differ), one object a line.
        let text = String::from_utf8_lossy(b);
        let notes: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        notes.len() == 2
            && text.lines().count() == 2
            && notes
                .iter()
                .all(|n| n["file"] == "data.json" && n["severity"] == "note")
    }
    fn json_doc(b: &[u8]) -> bool {
        serde_json::from_slice::<Value>(b).is_ok_and(|v| v.to_string().contains("55039"))
    }
    fn csv(b: &[u8]) -> bool {
        let text = String::from_utf8_lossy(b);
        text.starts_with("conversation_id,")
            && text
                .lines()
                .nth(1)
                .is_some_and(|row| row.starts_with("55039,"))
    }
    fn stats_csv(b: &[u8]) -> bool {
        // One conversation: the total row's first figure is 1.
        let text = String::from_utf8_lossy(b);
        text.starts_with("conversations,")
            && text.lines().nth(1).is_some_and(|r| r.starts_with("1,"))
    }
    fn stats_json(b: &[u8]) -> bool {
        serde_json::from_slice::<Value>(b).is_ok_and(|v| v["total"]["conversations"] == 1)
    }
    fn tsv(b: &[u8]) -> bool {
        let text = String::from_utf8_lossy(b);
        text.starts_with("conversation_id\t")
            && text
                .lines()
                .nth(1)
                .is_some_and(|row| row.starts_with("55039\t"))
    }
    fn html(b: &[u8]) -> bool {
        let text = String::from_utf8_lossy(b);
        text.starts_with("<!DOCTYPE html>")
            && text.trim_end().ends_with("</html>")
            && text.contains("Conversation 55039")
    }
    fn gz_csv(b: &[u8]) -> bool {
        let mut csv_text = Vec::new();
        let whole = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(b), &mut csv_text);
        whole.is_ok() && csv(&csv_text)
    }
    let markdown = |b: &[u8]| {
        let text = String::from_utf8_lossy(b);
        text.starts_with("# Conversation 55039") && text.contains("Hello")
    };
    #[allow(unused_mut)]
    let mut cases: Vec<Case> = vec![
        (vec!["validate", "--pedantic"], "findings.json", findings),
        (vec!["list"], "list.ndjson", json_lines),
        (vec!["list"], "list.tsv", tsv),
        (vec!["list"], "list.json", json_doc),
        (vec!["show"], "chat.html", html),
        (vec!["show"], "chat.md", markdown),
        (vec!["show"], "chat.json", json_lines),
        (vec!["export"], "rows.tsv", tsv),
        (vec!["export"], "rows.jsonl", json_lines),
        (vec!["export"], "rows.csv.gz", gz_csv),
        (vec!["stats"], "stats.json", stats_json),
        (vec!["stats"], "stats.csv", stats_csv),
    ];
    #[cfg(feature = "parquet")]
    cases.push((
        vec!["export"],
        "rows.parquet",
        parquet_with_the_conversation,
    ));
    cases.extend([
        (
            vec!["export"],
            "rows.xlsx",
            xlsx_with_the_conversation as fn(&[u8]) -> bool,
        ),
        (vec!["list"], "list.xlsx", xlsx_with_the_conversation),
        (vec!["stats"], "stats.xlsx", xlsx_stats),
        (vec!["report"], "report.html", report_page),
    ]);
    cases
}

/// An Excel workbook (read back with calamine) whose first sheet's first cell under the header
/// is `expected`.
fn first_cell_is(b: &[u8], expected: calamine::Data) -> bool {
    use calamine::Reader;
    let Ok(mut book) = calamine::Xlsx::new(std::io::Cursor::new(b.to_vec())) else {
        return false;
    };
    let Some(Ok(range)) = book.worksheet_range_at(0) else {
        return false;
    };
    range.get((1, 0)) == Some(&expected)
}

fn xlsx_with_the_conversation(b: &[u8]) -> bool {
    first_cell_is(b, calamine::Data::String("55039".into()))
}

/// One conversation: the first figure of the one row is 1.
fn xlsx_stats(b: &[u8]) -> bool {
    first_cell_is(b, calamine::Data::Float(1.0))
}

fn report_page(b: &[u8]) -> bool {
    let text = String::from_utf8_lossy(b);
    text.starts_with("<!DOCTYPE html>") && text.trim_end().ends_with("</html>")
}

/// A Parquet file (read back with the parquet crate) with one row, conversation 55039.
#[cfg(feature = "parquet")]
fn parquet_with_the_conversation(b: &[u8]) -> bool {
    use arrow_array::cast::AsArray;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let Ok(mut file) = tempfile::tempfile() else {
        return false;
    };
    if std::io::Write::write_all(&mut file, b).is_err() {
        return false;
    }
    let Ok(builder) = ParquetRecordBatchReaderBuilder::try_new(file) else {
        return false;
    };
    let Ok(reader) = builder.build() else {
        return false;
    };
    let batches: Vec<_> = reader.flatten().collect();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    rows == 1
        && batches[0]
            .column_by_name("conversation_id")
            .and_then(|c| c.as_string_opt::<i32>())
            .is_some_and(|ids| ids.value(0) == "55039")
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

/// `-o chats.xlsx` once wrote CSV under that name; now an extension the command has no format
/// for is a usage error naming the ones it has, before anything is read, and nothing is written.
/// With -f any name goes; a name without an extension takes the command's default format.
#[test]
fn an_extension_that_names_no_format_is_a_usage_error_everywhere() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for (command, file, expected) in [
        (
            "validate",
            "x.csv",
            "-o x.csv: validate writes .txt, .log, .json, .ndjson, .jsonl (each also .gz); \
             name one, or give -f",
        ),
        (
            "list",
            "x.xls",
            "-o x.xls: list writes .csv, .tsv, .tab, .ndjson, .jsonl, .json, .txt, .xlsx \
             (each but xlsx also .gz); name one, or give -f",
        ),
        (
            "show",
            "x.pdf",
            "-o x.pdf: show writes .txt, .text, .md, .markdown, .html, .htm, .json, .ndjson, \
             .jsonl (each also .gz); name one, or give -f",
        ),
        (
            "export",
            "x.xls",
            "-o x.xls: export writes .csv, .tsv, .tab, .ndjson, .jsonl, .json, .txt, .parquet, \
             .xlsx (each but parquet and xlsx also .gz); name one, or give -f",
        ),
        (
            "stats",
            "x.html.gz",
            "-o x.html.gz: stats writes .csv, .tsv, .tab, .ndjson, .jsonl, .json, .txt, .xlsx \
             (each but xlsx also .gz); name one, or give -f",
        ),
        (
            "report",
            "x.pdf",
            "-o x.pdf: report writes .html, .htm (each also .gz)",
        ),
    ] {
        // A missing input too: the usage error comes first (exit 2, not 1).
        let run = wd.run(&[command, "-o", file, "data.json", "missing.json"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert_eq!(run.stderr, format!("sshook: {expected}\n"), "{command}");
        assert_eq!(run.stdout, "", "{command}");
        assert!(!wd.path(file).exists(), "{command}");
    }
    // No extension: the command's default (csv where it has one, otherwise text or HTML).
    for (command, looks_right) in [
        ("list", "conversation_id,"),
        ("export", "conversation_id,"),
        ("stats", "conversations,"),
        ("show", "Conversation 55039"),
        ("report", "<!DOCTYPE html>"),
    ] {
        let run = wd.run(&[command, "-o", "plain", "data.json"]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        assert!(wd.read("plain").contains(looks_right), "{command}");
        std::fs::remove_file(wd.path("plain")).unwrap();
    }
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

/// A build without the `parquet` feature refuses Parquet clearly, as a usage error, and
/// writes nothing.
#[cfg(not(feature = "parquet"))]
#[test]
fn a_lean_build_refuses_parquet_as_a_usage_error() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for args in [
        &["export", "-o", "rows.parquet", "data.json"][..],
        &["export", "-f", "parquet", "-o", "rows.parquet", "data.json"][..],
    ] {
        let run = wd.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("built without parquet"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!wd.path("rows.parquet").exists(), "{args:?}");
    }
}
