//! `sshook list`: the table people read, and the same rows as CSV, TSV and NDJSON.

use crate::common::{official_with, payload, Workdir, OFFICIAL};
use serde_json::{json, Value};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");

#[test]
fn table_fits_columns_and_cuts_long_texts() {
    let wd = Workdir::new();
    // COLUMNS=120, TZ=UTC, not a terminal: no colour; a table only when asked for.
    let run = wd.run(&["list", "-f", "table", &format!("{SAMPLE}/2026/03")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.lines().all(|l| l.chars().count() <= 120));
    insta::assert_snapshot!(run.stdout, @r#"
                                                                      visitor                                    first
    conversation                                         visitor      country                  messages          visitor
    id            begin at          duration  status     name         code        agents        counted  rating  message
    ────────────  ────────────────  ────────  ─────────  ───────────  ──────────  ───────────  ────────  ──────  ───────────
    61201         2026-03-02 09:14       131  completed  Petra Svob…  CZ          John Doe            7       5  Dobrý den,…
    61234         2026-03-03 17:42       183  missed     Jürgen Mül…  DE                              2          Hallo, ist…
    61302         2026-03-05 03:02         0  offline    Zoë O'Conn…  US                              1          Hi, I orde…
    61355         2026-03-06 13:05        88  dropped    Ľubomír Šť…  SK          Jana Novák…         4          Dobrý deň,…
    61420         2026-03-09 08:01       175  completed  山田 太郎    JP          John Doe; …         6       4  こんにちは…
    61488         2026-03-11 14:20        95  completed  Tomáš Beneš  CZ          Petr Dvořák         6          V exportu …
    61533         2026-03-14 19:33       251  completed  Käthe Größ…  DE          Anna Schmi…         6       1  Hallo 👋 m…
    61590         2026-03-18 10:47       140  completed  Martin Hor…  CZ          John Doe            4       3  Jaký je ro…
    61642         2026-03-22 15:00        70  completed  Eva Dvořák…  CZ          Jana Novák…         5          Platí slev…
    61711         2026-03-28 23:30      1320  completed  Lukáš Černý  CZ          Petr Dvořák         4       5  Dobrý veče…
    61718         2026-03-29 00:48      1770  completed  Kateřina M…  CZ          John Doe            6       4  Dobrou noc…
    61760         2026-03-30 16:12        52  completed  Michael "M…  US          Jana Novák…         4       5  Hello, can…
    61802         2026-03-31 22:05         0  offline    佐藤 花子    JP                              1          営業時間外…
    "#);
}

#[test]
fn wide_terminal_shows_whole_texts_on_one_line() {
    let wd = Workdir::new();
    let text = "Hello,\nI have\ta question about the \"Pro\" plan";
    wd.write(
        "data.json",
        official_with("\"Hello\"", &serde_json::to_string(text).unwrap()),
    );
    let run = wd
        .command(&["list", "-f", "table", "data.json"])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    insta::assert_snapshot!(stdout, @r#"
    conversation id  begin at          duration  status     visitor name  visitor country code  agents    messages counted  rating  first visitor message
    ───────────────  ────────────────  ────────  ─────────  ────────────  ────────────────────  ────────  ────────────────  ──────  ─────────────────────────────────────────────
    55039            2015-03-27 15:33        36  completed  Dusan Kmet    CZ                    John Doe                 4       5  Hello, I have a question about the "Pro" plan
    "#);
}

#[test]
fn machine_formats_use_the_column_names() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["list", "data.json", "-f", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "conversation_id,begin_at,duration,status,visitor_name,visitor_country_code,agents,\
         messages_counted,rating,first_visitor_message\n\
         55039,2015-03-27T15:33:59.703+00:00,36,completed,Dusan Kmet,CZ,John Doe,4,5,Hello\n"
    );
    let run = wd.run(&["list", "data.json", "-f", "tsv"]);
    assert!(run
        .stdout
        .starts_with("conversation_id\tbegin_at\tduration\tstatus\t"));
    let run = wd.run(&["list", "data.json", "-f", "ndjson"]);
    let row: Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    assert_eq!(
        row,
        json!({
            "conversation_id": "55039",
            "begin_at": "2015-03-27T15:33:59.703+00:00",
            "duration": 36,
            "status": "completed",
            "visitor_name": "Dusan Kmet",
            "visitor_country_code": "CZ",
            "agents": "John Doe",
            "messages_counted": 4,
            "rating": 5,
            "first_visitor_message": "Hello"
        })
    );
}

#[test]
fn times_are_in_the_system_zone_unless_told() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let begin = |run: std::process::Output| {
        let text = String::from_utf8(run.stdout).unwrap();
        text.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .to_string()
    };
    let run = wd
        .command(&["list", "data.json", "-f", "csv"])
        .env("TZ", "Europe/Prague")
        .output()
        .unwrap();
    assert_eq!(begin(run), "2015-03-27T16:33:59.703+01:00");
    let run = wd
        .command(&["list", "data.json", "-f", "csv", "--utc"])
        .env("TZ", "Europe/Prague")
        .output()
        .unwrap();
    assert_eq!(begin(run), "2015-03-27T15:33:59.703+00:00");
    let run = wd
        .command(&["list", "data.json", "-f", "csv", "--tz", "America/New_York"])
        .output()
        .unwrap();
    assert_eq!(begin(run), "2015-03-27T11:33:59.703-04:00");
}

#[test]
fn limit_selection_and_sort() {
    let wd = Workdir::new();
    let corpus: String = (1..=5)
        .map(|id| payload(id, 1_700_000_000_000 - id * 1000) + "\n")
        .collect();
    wd.write("chats.ndjson", corpus);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["list", "chats.ndjson", "-f", "ndjson"];
        all.extend_from_slice(args);
        let run = wd.run(&all);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["conversation_id"]
                    .as_str()
                    .unwrap()
                    .parse::<i64>()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(ids(&[]), [1, 2, 3, 4, 5]);
    assert_eq!(ids(&["--limit", "2"]), [1, 2]);
    assert_eq!(ids(&["--limit", "0"]), Vec::<i64>::new());
    assert_eq!(ids(&["--sort", "begin", "--limit", "3"]), [5, 4, 3]);
    assert_eq!(ids(&["--id", "4", "--id", "2"]), [2, 4]);
}

#[test]
fn colour_only_when_asked_on_a_pipe() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["list", "-f", "table", "data.json"]);
    assert!(!run.stdout.contains('\u{1b}'));
    let run = wd.run(&["list", "-f", "table", "data.json", "--color", "always"]);
    assert!(run.stdout.contains("\u{1b}["), "{}", run.stdout);
    assert!(run.stdout.contains("completed"));
}

#[test]
fn bad_input_is_reported_and_the_rest_listed() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL)
        .write("bad.json", "{\"beginAt\": 1,")
        .write("again.json", OFFICIAL);
    let run = wd.run(&["list", "good.json", "bad.json", "again.json", "-f", "csv"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 2);
    assert!(run.stderr.starts_with("bad.json:1:"), "{}", run.stderr);
    assert!(run.stderr.ends_with(
        "sshook: 1 re-sent copy dropped (same channel.id; the first copy read is kept)\n"
    ));
}

/// Conversation ids are what a person copies into `show`: never cut, at any width; the rest of
/// the table gives way.
#[test]
fn ids_are_whole_at_every_width() {
    let wd = Workdir::new();
    let all = wd.run(&["list", "-f", "csv", "--columns", "conversation_id", SAMPLE]);
    let ids: Vec<&str> = all.stdout.lines().skip(1).collect();
    assert!(ids.contains(&"cnv_8Jk2LqX9"), "{}", all.stdout);
    for width in ["60", "100"] {
        let output = wd
            .command(&["list", "-f", "table", SAMPLE])
            .env("COLUMNS", width)
            .output()
            .unwrap();
        let table = String::from_utf8(output.stdout).unwrap();
        let rule = table.lines().position(|l| l.starts_with('─')).unwrap();
        let shown: Vec<&str> = table.lines().skip(rule + 1).take(ids.len()).collect();
        for (line, id) in shown.iter().zip(&ids) {
            assert_eq!(
                line.split_whitespace().next(),
                Some(*id),
                "at {width}:\n{table}"
            );
        }
        assert!(table.lines().next().unwrap().len() <= 100);
        let header: Vec<&str> = table.lines().take(rule).collect();
        assert!(
            header
                .iter()
                .any(|l| l.split_whitespace().any(|w| w == "conversation")),
            "the id's header is cut at {width}:\n{table}"
        );
    }
}
