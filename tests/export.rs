//! `sshook export`: every row kind in every format, parsed back value by value; column choice,
//! custom variables, the spreadsheet guard, atomic output and bad inputs.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::common::{official_with, payload, regressions_beside_file, Workdir, OFFICIAL};
use serde_json::{json, Value};

/// The conversation columns, in the order the issue promises.
const CONVERSATION_HEADER: &str =
    "conversation_id,source,channel_id,account_id,begin_at,end_at,begin_at_ms,end_at_ms,\
duration,status,is_chat,is_missed,is_triggered,is_offline,is_completed,is_dropped,first_response,\
avg_response,messages_recorded,messages_counted,words_recorded,words_counted,rating,rating_desc,\
visitor_id,visitor_name,visitor_email,visitor_note,visitor_group,visitor_ip,visitor_city,\
visitor_country_code,visitor_country,visitor_platform,visitor_user_agent,visitor_referer,agents,\
triggers,pages,first_url,first_visitor_message,variables,source_file,source_line";

/// Rows of a CSV or TSV text as maps from column name to value.
fn records(text: &str, delimiter: u8) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len(), "ragged row {r:?}");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn conversation_csv_of_the_official_example() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["export", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "export: 1 payload read, 1 conversation written\n"
    );
    assert_eq!(run.stdout.lines().next().unwrap(), CONVERSATION_HEADER);
    let (_, rows) = records(&run.stdout, b',');
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let expected = [
        ("channel_id", "55039"),
        ("account_id", "208"),
        ("begin_at", "2015-03-27T15:33:59.703+00:00"),
        ("end_at", "2015-03-27T15:34:36.687+00:00"),
        ("begin_at_ms", "1427470439703"),
        ("end_at_ms", "1427470476687"),
        ("duration", "36"),
        ("status", "completed"),
        ("is_chat", "true"),
        ("is_missed", "false"),
        ("is_triggered", "true"),
        ("is_dropped", "false"),
        ("first_response", "14"),
        ("avg_response", "14"),
        ("messages_recorded", "5"),
        ("messages_counted", "4"),
        ("words_recorded", "11"),
        ("words_counted", "13"),
        ("rating", "5"),
        ("rating_desc", ""),
        ("visitor_id", "27671"),
        ("visitor_name", "Dusan Kmet"),
        ("visitor_email", ""),
        ("visitor_note", "VIP customer"),
        ("visitor_group", ""),
        // As sent: the official example has city and country swapped.
        ("visitor_city", "Czech Republic"),
        ("visitor_country", "Brno"),
        ("visitor_country_code", "CZ"),
        ("visitor_platform", "MacIntel"),
        ("agents", "John Doe"),
        ("triggers", "Test Trigger"),
        ("pages", "2"),
        ("first_url", ""),
        ("first_visitor_message", "Hello"),
        ("source_file", "data.json"),
        ("source_line", "1"),
    ];
    for (column, value) in expected {
        assert_eq!(row[column], value, "{column}");
    }
    assert!(row["visitor_user_agent"].starts_with("Mozilla/5.0 (Macintosh; Intel"));
    let variables: Value = serde_json::from_str(&row["variables"]).unwrap();
    let official: Value = serde_json::from_str(OFFICIAL).unwrap();
    assert_eq!(variables, official["visitor"]["variables"]);
    assert!(row["variables"].starts_with(r#"{"chatId":{"label":"Chat ID","value":208},"#));
}

#[test]
fn ndjson_and_json_carry_typed_values() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&[
        "export",
        "data.json",
        "--format",
        "ndjson",
        "--tz",
        "Asia/Tokyo",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = ndjson(&run.stdout);
    assert_eq!(rows.len(), 1);
    let row = rows[0].as_object().unwrap();
    let names: Vec<&str> = row.keys().map(String::as_str).collect();
    assert_eq!(names.join(","), CONVERSATION_HEADER);
    assert_eq!(row["channel_id"], json!(55039));
    assert_eq!(row["begin_at"], json!("2015-03-28T00:33:59.703+09:00"));
    assert_eq!(row["is_chat"], json!(true));
    assert_eq!(row["rating"], json!(5));
    // What was sent: "" stays "", a number stays a number, null stays null.
    assert_eq!(row["rating_desc"], json!(""));
    assert_eq!(row["visitor_id"], json!(27671));
    assert_eq!(row["visitor_group"], Value::Null);
    assert!(row["variables"].is_string());

    let run = wd.run(&[
        "export",
        "data.json",
        "data.json",
        "--keep-duplicates",
        "-f",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let array: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(array.len(), 2);
    assert_eq!(array[1]["messages_counted"], json!(4));

    let run = wd.run(&["export", "data.json", "--id", "1", "-f", "json"]);
    assert_eq!(run.stdout, "[\n]\n");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        json!([])
    );
}

#[test]
fn message_rows_in_every_format() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["export", "data.json", "--rows", "messages"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "export: 1 payload read, 6 messages written\n");
    let (header, rows) = records(&run.stdout, b',');
    assert_eq!(
        header.join(","),
        "conversation_id,channel_id,index,sent_at,sent_at_ms,offset_ms,type,sender_kind,sender_id,name,content,\
         trigger,event,attachments"
    );
    let column = |name: &str| -> Vec<&str> { rows.iter().map(|r| r[name].as_str()).collect() };
    assert_eq!(column("index"), ["0", "1", "2", "3", "4", "5"]);
    assert_eq!(
        column("sender_kind"),
        ["visitor", "system", "trigger", "agent", "visitor", "system"]
    );
    assert_eq!(column("type")[2], "agent");
    assert_eq!(column("sender_id")[3], "3");
    assert_eq!(
        column("sender_id")[0],
        "mxTiqn9adr2h39kmzAJ0FeaTGFJhmjio0R41491503012015"
    );
    assert_eq!(column("trigger"), ["", "", "Test Trigger", "", "", ""]);
    assert_eq!(
        column("event"),
        ["", "agent.join", "", "", "", "close.visitorClose"]
    );
    assert_eq!(column("offset_ms")[5], "36984");
    assert_eq!(column("sent_at")[0], "2015-03-27T15:33:59.703+00:00");
    assert_eq!(column("name")[2], "");

    let run = wd.run(&["export", "data.json", "--rows", "messages", "-f", "ndjson"]);
    let rows = ndjson(&run.stdout);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[2]["name"], json!(""));
    assert_eq!(rows[2]["content"], json!("This is triggered message"));
    assert_eq!(rows[5]["sent_at_ms"], json!(1427470476687_i64));

    let run = wd.run(&["export", "data.json", "--rows", "messages", "-f", "json"]);
    let array: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(array, rows);

    let run = wd.run(&[
        "export",
        "data.json",
        "--rows",
        "messages",
        "-f",
        "table",
        "--columns",
        "index,sender_kind,content",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r#"
    index  sender kind  content
    ─────  ───────────  ─────────────────────────
        0  visitor      Hello
        1  system       agent.join
        2  trigger      This is triggered message
        3  agent        Hi, how can i help you ?
        4  visitor      tanks.
        5  system       close.visitorClose
    "#);
}

#[test]
fn tsv_keeps_tabs_newlines_quotes_and_commas() {
    let wd = Workdir::new();
    let text = "line one,\tafter a tab\nline \"two\"; done";
    let escaped = serde_json::to_string(text).unwrap();
    wd.write(
        "data.json",
        official_with("\"Hello\"", &escaped).replace("\"VIP customer\"", "\"Zoë 😀 日本\""),
    );
    for (format, delimiter) in [("tsv", b'\t'), ("csv", b',')] {
        let run = wd.run(&["export", "data.json", "-f", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let (_, rows) = records(&run.stdout, delimiter);
        assert_eq!(rows[0]["first_visitor_message"], text);
        assert_eq!(rows[0]["visitor_note"], "Zoë 😀 日本");
    }
    let run = wd.run(&["export", "data.json", "--delimiter", ";", "--no-header"]);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(run.stdout.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(&record[0], "55039");
    assert_eq!(&record[40], text);
}

#[test]
fn payload_rows_keep_every_field_exactly() {
    let wd = Workdir::new();
    let pretty = official_with(
        "\"accountId\": 208,",
        "\"accountId\": 208,\n  \"tags\": [ \"vip\", \"a  b\" ],\n  \"score\": 0.10000000000000000001,\n  \"huge\": 123456789012345678901234567890,",
    );
    wd.write("data.json", &pretty);
    let run = wd.run(&["export", "data.json", "--rows", "payloads"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1);
    let line = run.stdout.trim_end();
    assert!(line.starts_with(
        r#"{"accountId":208,"tags":["vip","a  b"],"score":0.10000000000000000001,"huge":123456789012345678901234567890,"beginAt""#
    ));
    // Nothing but the whitespace between tokens changed.
    let stripped: String = pretty.split(['\n', ' ']).collect();
    let line_stripped: String = line.split(' ').collect();
    assert_eq!(line_stripped, stripped);
    assert_eq!(
        serde_json::from_str::<Value>(line).unwrap(),
        serde_json::from_str::<Value>(&pretty).unwrap()
    );

    let run = wd.run(&["export", "data.json", "--rows", "payloads", "-f", "json"]);
    let array: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(array[0]["tags"], json!(["vip", "a  b"]));

    let run = wd.run(&["export", "data.json", "--rows", "payloads", "-f", "csv"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("written as ndjson or json"),
        "{}",
        run.stderr
    );
}

#[test]
fn columns_and_variables() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL).write(
        "other.json",
        official_with("\"id\": 55039", "\"id\": 2")
            .replace("\"value\": 208", "\"value\": 2.50")
            .replace("\"value\": \"pro\"", "\"value\": null"),
    );
    let run = wd.run(&[
        "export",
        "data.json",
        "other.json",
        "--columns",
        "rating,channel_id,var_userId",
        "--var",
        "chatId",
        "--var",
        "chatPackage",
        "--var",
        "userId",
        "-f",
        "ndjson",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = ndjson(&run.stdout);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "rating",
            "channel_id",
            "var_userId",
            "var_chatId",
            "var_chatPackage"
        ]
    );
    assert_eq!(rows[0]["var_userId"], json!("1234"));
    assert_eq!(rows[0]["var_chatId"], json!(208));
    assert_eq!(rows[0]["var_chatPackage"], json!("pro"));
    assert_eq!(rows[1]["var_chatId"], json!(2.5));
    assert_eq!(rows[1]["var_chatPackage"], Value::Null);

    let run = wd.run(&[
        "export",
        "data.json",
        "--var",
        "nothing",
        "--columns",
        "channel_id",
    ]);
    assert_eq!(run.stdout, "channel_id,var_nothing\n55039,\n");

    let run = wd.run(&["export", "data.json", "--columns", "channel_id,ratings"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "sshook: unknown column \"ratings\" for --rows conversations; `sshook export --rows \
         conversations --list-columns` lists them\n"
    );
    let run = wd.run(&[
        "export",
        "data.json",
        "--rows",
        "messages",
        "--var",
        "userId",
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn list_columns_names_every_column() {
    let wd = Workdir::new();
    let run = wd.run(&["export", "--list-columns"]);
    assert_eq!(run.code, 0);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names[..44].join(","), CONVERSATION_HEADER);
    assert_eq!(names[44], "var_KEY");
    assert!(run.stdout.contains(
        "messages_counted       visitor and agent messages, trigger messages included, system events not\n"
    ));
    let run = wd.run(&["export", "--list-columns", "--rows", "messages"]);
    assert_eq!(run.stdout.lines().count(), 14);
    assert!(
        run.stdout
            .starts_with("conversation_id  the conversation's id"),
        "{}",
        run.stdout
    );
    let run = wd.run(&["export", "--list-columns", "--rows", "events"]);
    assert_eq!(run.stdout.lines().count(), 11);
}

#[test]
fn excel_guards_formulas_but_not_numbers() {
    let wd = Workdir::new();
    wd.write(
        "data.json",
        official_with("\"VIP customer\"", "\"=SUM(A1)\"")
            .replace("\"Dusan Kmet\"", "\"+420 777\"")
            .replace("\"Hello\"", "\"@cmd\"")
            .replace("\"duration\": 36", "\"duration\": -36"),
    );
    let run = wd.run(&["export", "data.json", "--excel"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("\u{FEFF}conversation_id,"));
    assert!(run.stdout.contains("source_line\r\n"));
    let (_, rows) = records(run.stdout.trim_start_matches('\u{FEFF}'), b',');
    assert_eq!(rows[0]["visitor_note"], "'=SUM(A1)");
    assert_eq!(rows[0]["visitor_name"], "'+420 777");
    assert_eq!(rows[0]["first_visitor_message"], "'@cmd");
    assert_eq!(rows[0]["duration"], "-36");
    assert_eq!(rows[0]["begin_at_ms"], "1427470439703");

    let run = wd.run(&["export", "data.json", "--safe", "-f", "tsv"]);
    let (_, rows) = records(&run.stdout, b'\t');
    assert_eq!(rows[0]["visitor_note"], "'=SUM(A1)");
    assert!(!run.stdout.contains('\r'));

    let run = wd.run(&["export", "data.json"]);
    let (_, rows) = records(&run.stdout, b',');
    assert_eq!(rows[0]["visitor_note"], "=SUM(A1)");

    let run = wd.run(&["export", "data.json", "--excel", "-f", "ndjson"]);
    assert_eq!(run.code, 2);
}

#[test]
fn bad_inputs_are_reported_and_the_good_rows_exported() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL)
        .write(
            "bad.json",
            official_with("\"rating\": 5", "\"rating\": \"5\""),
        )
        .write(
            "more.ndjson",
            format!(
                "{}\n{{oops\n{}\n",
                payload(1, 1_700_000_000_000),
                payload(2, 1_700_000_100_000)
            ),
        );
    let run = wd.run(&[
        "export",
        "good.json",
        "bad.json",
        "more.ndjson",
        "-o",
        "out.csv",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains(
        "bad.json:18:15: error: channel.rating: expected integer or null, found string \"5\""
    ));
    assert!(run.stderr.contains("more.ndjson:2:2: error: syntax error"));
    assert!(run
        .stderr
        .ends_with("export: 3 payloads read, 3 conversations written\n"));
    let (_, rows) = records(&wd.read("out.csv"), b',');
    let ids: Vec<&str> = rows.iter().map(|r| r["channel_id"].as_str()).collect();
    assert_eq!(ids, ["55039", "1", "2"]);
    assert_eq!(rows[2]["source_file"], "more.ndjson");
    assert_eq!(rows[2]["source_line"], "3");
}

#[test]
fn resent_duplicates_are_dropped() {
    let wd = Workdir::new();
    let compact: String =
        serde_json::to_string(&serde_json::from_str::<Value>(OFFICIAL).unwrap()).unwrap();
    wd.write("a.json", OFFICIAL)
        .write("b.ndjson", format!("{compact}\n{}\n", payload(7, 0)));
    let run = wd.run(&["export", "a.json", "b.ndjson", "-f", "ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ndjson(&run.stdout).len(), 2);
    assert_eq!(
        run.stderr,
        "export: 3 payloads read, 2 conversations written\n\
         sshook: 1 re-sent copy dropped (same channel.id; the first copy read is kept)\n"
    );
}

#[test]
fn array_elements_name_their_own_line() {
    let wd = Workdir::new();
    wd.write(
        "array.json",
        format!("[\n{},\n{}\n]\n", payload(1, 0), payload(2, 0)),
    );
    let run = wd.run(&[
        "export",
        "array.json",
        "--columns",
        "channel_id,source_file,source_line",
    ]);
    assert_eq!(
        run.stdout,
        "channel_id,source_file,source_line\n1,array.json,2\n2,array.json,3\n"
    );
}

#[test]
fn output_file_is_atomic_and_gz_compresses() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL).write("out.csv", "old\n");
    let run = wd.run(&["export", "data.json", "-o", "out.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(records(&wd.read("out.csv"), b',').1.len(), 1);

    let run = wd.run(&["export", "data.json", "-o", "out.ndjson.gz"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(wd.path("out.ndjson.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(ndjson(&text)[0]["channel_id"], json!(55039));

    // Failures leave the old file alone.
    wd.write("out.csv", "old\n");
    let run = wd.run(&[
        "export",
        "data.json",
        "-o",
        "out.csv",
        "--tz",
        "Mars/Olympus",
    ]);
    assert_eq!(run.code, 2);
    let run = wd.run(&["export", "data.json", "-o", "no/such/folder/out.csv"]);
    assert_eq!(run.code, 2);
    // One line, naming the user's path, not the temporary file or an OS error number.
    assert_eq!(
        run.stderr,
        "sshook: cannot write no/such/folder/out.csv: no such file or directory\n"
    );
    assert_eq!(wd.read("out.csv"), "old\n");
    let leftovers = std::fs::read_dir(wd.root())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn an_interrupted_export_leaves_the_old_file() {
    let wd = Workdir::new();
    wd.write("out.csv", "old\n");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("sshook"))
        .current_dir(wd.root())
        .args(["export", "-", "-o", "out.csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for id in 0..200 {
        writeln!(stdin, "{}", payload(id, 1_700_000_000_000)).unwrap();
    }
    stdin.flush().unwrap();
    // The temporary file exists once the export is under way.
    let temp_exists = || {
        std::fs::read_dir(wd.root()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".sshook-")
        })
    };
    while !temp_exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(wd.read("out.csv"), "old\n");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let wd = Workdir::new();
    let corpus: String = (0..3000)
        .map(|id| payload(id, 1_700_000_000_000) + "\n")
        .collect();
    wd.write("big.ndjson", corpus);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("sshook"))
        .current_dir(wd.root())
        .args(["export", "big.ndjson", "--rows", "messages"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"conversation_id,channel_id,index,sent_at"));
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn sample_data_in_every_stored_form() {
    let wd = Workdir::new();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
    let run = wd.run(&["export", sample, "-f", "ndjson", "--tz", "Europe/Prague"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = ndjson(&run.stdout);
    // sample-data/webhooks holds two conversations as webhook events.
    let webhook: Vec<&Value> = all.iter().filter(|r| r["source"] == "webhook").collect();
    assert_eq!(webhook.len(), 2);
    let rows: Vec<Value> = all
        .iter()
        .filter(|r| r["source"] == "post-hook")
        .cloned()
        .collect();
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r["channel_id"].as_i64().unwrap())
        .collect();
    assert_eq!(rows.len(), 29);
    for id in [55039, 61201, 61802, 62001, 62006, 63004, 64001, 64004] {
        assert!(ids.contains(&id), "{id}");
    }
    let by_id = |id: i64| rows.iter().find(|r| r["channel_id"] == json!(id)).unwrap();
    // DST: 01:48 CET, the clocks then jump to summer time.
    assert_eq!(
        by_id(61718)["begin_at"],
        json!("2026-03-29T01:48:10.120+01:00")
    );
    assert_eq!(
        by_id(61718)["end_at"],
        json!("2026-03-29T03:17:40.120+02:00")
    );
    assert_eq!(by_id(61718)["visitor_group"], json!("support"));
    assert_eq!(
        by_id(63004)["source_file"].as_str().unwrap(),
        format!("{sample}/2026-03-array/export.json")
    );
    assert_eq!(by_id(61420)["agents"], json!("John Doe; Jana Nováková"));
    assert!(run
        .stderr
        .contains("31 payloads and 15 webhook events read, 31 conversations written\n"));
}

proptest::proptest! {
    #![proptest_config(regressions_beside_file(proptest::prelude::ProptestConfig::with_cases(24)))]

    /// Any text survives payload → CSV / NDJSON → text (empty as an empty cell, and as "" in
    /// NDJSON: what was sent).
    #[test]
    fn texts_round_trip_through_csv_and_ndjson(note in "\\PC*", message in "[ -~\t\r\n\"',;=+@-]{0,40}") {
        let wd = Workdir::new();
        let payload = official_with("\"VIP customer\"", &serde_json::to_string(&note).unwrap())
            .replace("\"Hello\"", &serde_json::to_string(&message).unwrap());
        wd.write("data.json", payload);
        let run = wd.run(&["export", "data.json", "--columns", "visitor_note,first_visitor_message"]);
        let (_, rows) = records(&run.stdout, b',');
        proptest::prop_assert_eq!(&rows[0]["visitor_note"], &note);
        proptest::prop_assert_eq!(&rows[0]["first_visitor_message"], &message);
        let run = wd.run(&["export", "data.json", "-f", "ndjson", "--columns", "visitor_note"]);
        let row = &ndjson(&run.stdout)[0];
        proptest::prop_assert_eq!(&row["visitor_note"], &json!(note));
    }
}

/// A table of conversations shows the columns a person reads (as `list`), not every column
/// in the table's order (source, channel and account ids, milliseconds…).
#[test]
fn a_table_shows_the_columns_a_person_reads() {
    let wd = Workdir::new();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/2026");
    let output = wd
        .command(&["export", "-f", "table", sample])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    let rule = table.lines().position(|l| l.starts_with('─')).unwrap();
    let header = table.lines().take(rule).collect::<Vec<_>>().join(" ");
    for name in [
        "conversation",
        "begin",
        "status",
        "visitor",
        "agents",
        "rating",
    ] {
        assert!(header.contains(name), "{name} missing:\n{table}");
    }
    for name in ["source", "channel", "account", "ms"] {
        assert!(
            !header.split_whitespace().any(|w| w == name),
            "{name} shown:\n{table}"
        );
    }
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    // --wide shows every column again.
    let wide = wd.run(&["export", "-f", "table", "--wide", sample]);
    assert!(
        wide.stdout.lines().next().unwrap().contains("source"),
        "{}",
        wide.stdout
    );
}
