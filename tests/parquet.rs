//! `sshook export --format parquet` and `--partition-by`: the Parquet files read back with the
//! parquet crate's arrow reader and compared, type by type and value by value, with the CSV
//! export of the same inputs; Hive-style trees of csv, ndjson and parquet files; re-runs that
//! replace only the partitions they write; and the errors a user can meet.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::{official_with, payload, status, varied, write_ndjson, Workdir, OFFICIAL};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMillisecondType};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

/// 2025-01-15T10:00:00Z, 2025-02-10T10:00:00Z, 2025-03-05T10:00:00Z.
const JAN: i64 = 1_736_935_200_000;
const FEB: i64 = 1_739_181_600_000;
const MAR: i64 = 1_741_168_800_000;
const DAY: i64 = 86_400_000;

/// A table read back: column names and types, and every row as the text CSV would hold.
struct Table {
    columns: Vec<(String, DataType)>,
    rows: Vec<Vec<String>>,
}

fn read_parquet(path: &Path) -> Table {
    let file = fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let columns = (builder.schema().fields().iter())
        .map(|f| {
            assert!(f.is_nullable(), "{} is not nullable", f.name());
            (f.name().clone(), f.data_type().clone())
        })
        .collect();
    let mut rows = Vec::new();
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for i in 0..batch.num_rows() {
            rows.push(batch.columns().iter().map(|a| text(a, i)).collect());
        }
    }
    Table { columns, rows }
}

/// A value as the CSV export writes it (times in UTC, as export writes them by default).
fn text(array: &dyn Array, i: usize) -> String {
    if array.is_null(i) {
        return String::new();
    }
    match array.data_type() {
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::Boolean => array.as_boolean().value(i).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(i).to_owned(),
        DataType::Timestamp(TimeUnit::Millisecond, Some(zone)) if &**zone == "UTC" => {
            let ms = array.as_primitive::<TimestampMillisecondType>().value(i);
            jiff::Timestamp::from_millisecond(ms)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00")
                .to_string()
        }
        other => panic!("unexpected type {other}"),
    }
}

fn read_csv(text: &str) -> Table {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns = (reader.headers().unwrap().iter())
        .map(|name| (name.to_owned(), DataType::Null))
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    Table { columns, rows }
}

/// Files under `root`, relative, sorted; `/` between folders.
fn tree(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in walk(root) {
        let relative = entry.strip_prefix(root).unwrap();
        files.push(relative.to_string_lossy().replace('\\', "/"));
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Rows per partition folder of a parquet tree.
fn parquet_counts(root: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for file in tree(root) {
        let (folder, _) = file.split_once('/').unwrap();
        *counts.entry(folder.to_owned()).or_default() += read_parquet(&root.join(&file)).rows.len();
    }
    counts
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Three months of chats: two in January, one in February, three in March.
fn three_months(wd: &Workdir) {
    let lines: Vec<String> = [
        (1, JAN),
        (2, MAR),
        (3, JAN + DAY),
        (4, FEB),
        (5, MAR + DAY),
        (6, MAR + 2 * DAY),
    ]
    .iter()
    .map(|(id, at)| payload(*id, *at))
    .collect();
    wd.write("chats.ndjson", lines.join("\n") + "\n");
}

#[test]
fn conversation_columns_are_typed_and_equal_the_csv() {
    let wd = Workdir::new();
    wd.write("a/official.json", OFFICIAL);
    wd.write(
        "a/more.ndjson",
        format!(
            "{}\n{}\n",
            payload(7, JAN),
            official_with("\"id\": 55039", "\"id\": 8").replace('\n', "")
        ),
    );
    let args = ["export", "a", "--var", "chatPackage", "--var", "chatId"];
    let csv = wd.run(&args);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let run = wd.run(&[&args[..], &["-f", "parquet", "-o", "chats.parquet"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "export: 3 payloads read, 3 conversations written\n"
    );

    let parquet = read_parquet(&wd.path("chats.parquet"));
    let csv = read_csv(&csv.stdout);
    let names: Vec<&str> = parquet.columns.iter().map(|(n, _)| n.as_str()).collect();
    let csv_names: Vec<&str> = csv.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, csv_names);
    let type_of = |name: &str| &parquet.columns[names.iter().position(|n| *n == name).unwrap()].1;
    let utc = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    for (name, expected) in [
        ("channel_id", DataType::Int64),
        ("account_id", DataType::Int64),
        ("begin_at", utc.clone()),
        ("end_at", utc),
        ("begin_at_ms", DataType::Int64),
        ("duration", DataType::Int64),
        ("status", DataType::Utf8),
        ("is_chat", DataType::Boolean),
        ("is_dropped", DataType::Boolean),
        ("rating", DataType::Int64),
        ("visitor_id", DataType::Utf8),
        ("variables", DataType::Utf8),
        ("source_line", DataType::Int64),
        ("var_chatPackage", DataType::Utf8),
        ("var_chatId", DataType::Utf8),
    ] {
        assert_eq!(type_of(name), &expected, "{name}");
    }
    assert_eq!(parquet.rows, csv.rows);
    // Spot checks that the comparison is not vacuous: nulls, flags, JSON, times.
    let row = (parquet.rows.iter()).find(|r| r[0] == "55039").unwrap();
    let cell = |name: &str| row[names.iter().position(|n| *n == name).unwrap()].as_str();
    assert_eq!(cell("begin_at"), "2015-03-27T15:33:59.703+00:00");
    assert_eq!(cell("is_triggered"), "true");
    assert_eq!(cell("rating_desc"), "");
    assert_eq!(cell("var_chatId"), "208");
    assert!(cell("variables").starts_with("{\"chatId\":{\"label\":\"Chat ID\""));
}

/// An instant as the Parquet timestamp reads back (`text`): RFC 3339 in UTC, milliseconds.
fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// A JSON number or null as a cell reads back: its digits, or empty.
fn number(v: &Value) -> String {
    v.as_i64().map(|n| n.to_string()).unwrap_or_default()
}

/// The columns of `table` named `names`, row by row.
fn pick(table: &Table, names: &[&str]) -> Vec<Vec<String>> {
    let at: Vec<usize> = (names.iter())
        .map(|name| {
            (table.columns.iter())
                .position(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        })
        .collect();
    (table.rows.iter())
        .map(|row| at.iter().map(|&i| row[i].clone()).collect())
        .collect()
}

/// Each conversation's columns hold what its payload says, computed here from the JSON the
/// test wrote (not from another export): ids, times, statuses, flags, counts, ratings, agents.
#[test]
fn conversation_columns_hold_the_values_of_the_payloads() {
    let wd = Workdir::new();
    let payloads = varied(40);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let run = wd.run(&["export", "chats.ndjson", "-f", "parquet", "-o", "c.parquet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "export: 40 payloads read, 40 conversations written\n"
    );
    let names = [
        "channel_id",
        "account_id",
        "begin_at",
        "end_at_ms",
        "duration",
        "status",
        "is_chat",
        "first_response",
        "rating",
        "visitor_country_code",
        "agents",
        "messages_counted",
        "source_line",
    ];
    let expected: Vec<Vec<String>> = payloads
        .iter()
        .enumerate()
        .map(|(line, p)| {
            let c = &p["channel"];
            let mut agents: Vec<&str> = Vec::new();
            for m in p["messages"].as_array().unwrap() {
                let name = m["name"].as_str().unwrap();
                if m["type"] == "agent" && !agents.contains(&name) {
                    agents.push(name);
                }
            }
            vec![
                number(&c["id"]),
                number(&p["accountId"]),
                utc(p["beginAt"].as_i64().unwrap()),
                number(&p["endAt"]),
                number(&c["duration"]),
                status(p).to_owned(),
                c["isChat"].as_bool().unwrap().to_string(),
                number(&c["firstResponse"]),
                number(&c["rating"]),
                p["visitor"]["countryCode"].as_str().unwrap().to_owned(),
                agents.join("; "),
                p["messages"].as_array().unwrap().len().to_string(),
                (line + 1).to_string(),
            ]
        })
        .collect();
    let table = read_parquet(&wd.path("c.parquet"));
    assert_eq!(pick(&table, &names), expected);
    // The figures vary: not a column of one value.
    for (i, name) in names.iter().enumerate() {
        let distinct: std::collections::BTreeSet<&String> =
            expected.iter().map(|r| &r[i]).collect();
        assert!(distinct.len() > 1 || *name == "account_id", "{name}");
    }
}

/// One row per message, in order, holding that message's fields (from the JSON written).
#[test]
fn message_rows_hold_each_message_of_the_payloads() {
    let wd = Workdir::new();
    let payloads = varied(25);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let run = wd.run(&[
        "export",
        "chats.ndjson",
        "--rows",
        "messages",
        "-o",
        "m.parquet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = Vec::new();
    for p in &payloads {
        let begin = p["beginAt"].as_i64().unwrap();
        for (index, m) in p["messages"].as_array().unwrap().iter().enumerate() {
            let sent = m["sentAt"].as_i64().unwrap();
            expected.push(vec![
                number(&p["channel"]["id"]),
                index.to_string(),
                utc(sent),
                (sent - begin).to_string(),
                m["type"].as_str().unwrap().to_owned(),
                m["name"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            ]);
        }
    }
    assert!(expected.len() > 40, "{}", expected.len());
    let table = read_parquet(&wd.path("m.parquet"));
    let names = [
        "channel_id",
        "index",
        "sent_at",
        "offset_ms",
        "type",
        "name",
        "content",
    ];
    assert_eq!(pick(&table, &names), expected);
}

#[test]
fn message_rows_equal_the_csv() {
    let wd = Workdir::new();
    wd.write("official.json", OFFICIAL);
    wd.write("more.ndjson", payload(7, JAN) + "\n" + &payload(8, FEB));
    let csv = wd.run(&["export", ".", "--rows", "messages"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let run = wd.run(&[
        "export",
        ".",
        "--rows",
        "messages",
        "-f",
        "parquet",
        "-o",
        "m.parquet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let parquet = read_parquet(&wd.path("m.parquet"));
    let csv = read_csv(&csv.stdout);
    assert!(parquet.rows.len() > 5, "{}", parquet.rows.len());
    assert_eq!(parquet.rows, csv.rows);
    let types: Vec<(&str, &DataType)> = parquet
        .columns
        .iter()
        .map(|(n, t)| (n.as_str(), t))
        .filter(|(n, _)| ["index", "sent_at", "content"].contains(n))
        .collect();
    let utc = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    assert_eq!(
        types,
        [
            ("index", &DataType::Int64),
            ("sent_at", &utc),
            ("content", &DataType::Utf8)
        ]
    );
}

#[test]
fn chosen_columns_only() {
    let wd = Workdir::new();
    wd.write("official.json", OFFICIAL);
    let run = wd.run(&[
        "export",
        "official.json",
        "--columns",
        "status,channel_id,is_chat",
        "-f",
        "parquet",
        "-o",
        "x.parquet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table = read_parquet(&wd.path("x.parquet"));
    let columns: Vec<(&str, &DataType)> =
        table.columns.iter().map(|(n, t)| (n.as_str(), t)).collect();
    assert_eq!(
        columns,
        [
            ("status", &DataType::Utf8),
            ("channel_id", &DataType::Int64),
            ("is_chat", &DataType::Boolean)
        ]
    );
    assert_eq!(table.rows, [["completed", "55039", "true"]]);
}

#[test]
fn partitions_by_month_for_conversations_and_messages() {
    let wd = Workdir::new();
    three_months(&wd);
    // Starts on January 31st, its second message is sent on February 1st: both rows belong
    // to January, with their conversation.
    let eve = 1_738_367_998_000; // 2025-01-31T23:59:58Z
    wd.write("late.json", payload(9, eve));
    let run = wd.run(&[
        "export",
        ".",
        "-f",
        "parquet",
        "--partition-by",
        "month",
        "-o",
        "chats",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "export: 7 payloads read, 7 conversations written in 3 partitions\n"
    );
    assert_eq!(
        tree(&wd.path("chats")),
        [
            "month=2025-01/part-00000.parquet",
            "month=2025-02/part-00000.parquet",
            "month=2025-03/part-00000.parquet"
        ]
    );
    assert_eq!(
        parquet_counts(&wd.path("chats")),
        counts(&[
            ("month=2025-01", 3),
            ("month=2025-02", 1),
            ("month=2025-03", 3)
        ])
    );

    let run = wd.run(&[
        "export",
        ".",
        "--rows",
        "messages",
        "-f",
        "parquet",
        "--partition-by",
        "month",
        "-o",
        "messages",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        parquet_counts(&wd.path("messages")),
        counts(&[
            ("month=2025-01", 6),
            ("month=2025-02", 2),
            ("month=2025-03", 6)
        ])
    );
    let january = read_parquet(&wd.path("messages/month=2025-01/part-00000.parquet"));
    assert!(january
        .rows
        .iter()
        .any(|r| r[3] == "2025-02-01T00:00:03.000+00:00"));
}

#[test]
fn days_follow_the_display_zone() {
    let wd = Workdir::new();
    // 2025-03-01T23:30:00Z is March 2nd in Prague (UTC+1).
    let late = 1_740_871_800_000;
    wd.write(
        "chats.ndjson",
        payload(1, late) + "\n" + &payload(2, late - DAY),
    );
    for (zone, expected) in [
        ("UTC", ["day=2025-02-28", "day=2025-03-01"]),
        ("Europe/Prague", ["day=2025-03-01", "day=2025-03-02"]),
    ] {
        let out = format!("by-{}", zone.replace('/', "-"));
        let run = wd.run(&[
            "export",
            "chats.ndjson",
            "-f",
            "csv",
            "--partition-by",
            "day",
            "--tz",
            zone,
            "-o",
            &out,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let folders: Vec<String> = tree(&wd.path(&out))
            .iter()
            .map(|f| f.split_once('/').unwrap().0.to_owned())
            .collect();
        assert_eq!(folders, expected, "{zone}");
    }
}

#[test]
fn accounts_and_the_default_partition() {
    let wd = Workdir::new();
    wd.write("official.json", OFFICIAL);
    let other = payload(2, JAN).replace("\"accountId\":208", "\"accountId\":5120");
    let none = payload(3, FEB).replace("\"accountId\":208,", "");
    wd.write(
        "more.ndjson",
        format!("{other}\n{none}\n{}\n", payload(4, MAR)),
    );
    let run = wd.run(&[
        "export",
        ".",
        "-f",
        "parquet",
        "--partition-by",
        "account",
        "-o",
        "out",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        parquet_counts(&wd.path("out")),
        counts(&[
            ("account=208", 2),
            ("account=5120", 1),
            ("account=__HIVE_DEFAULT_PARTITION__", 1)
        ])
    );
    let nameless =
        read_parquet(&wd.path("out/account=__HIVE_DEFAULT_PARTITION__/part-00000.parquet"));
    assert_eq!(nameless.rows[0][0], "3");
    assert_eq!(nameless.rows[0][3], "", "account_id is null");
}

#[test]
fn csv_and_ndjson_trees() {
    let wd = Workdir::new();
    three_months(&wd);
    let run = wd.run(&[
        "export",
        "chats.ndjson",
        "--partition-by",
        "month",
        "-o",
        "csv",
        "--columns",
        "channel_id,begin_at",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        tree(&wd.path("csv")),
        [
            "month=2025-01/part-00000.csv",
            "month=2025-02/part-00000.csv",
            "month=2025-03/part-00000.csv"
        ]
    );
    assert_eq!(
        wd.read("csv/month=2025-01/part-00000.csv"),
        "channel_id,begin_at\n1,2025-01-15T10:00:00.000+00:00\n3,2025-01-16T10:00:00.000+00:00\n"
    );
    assert_eq!(
        wd.read("csv/month=2025-02/part-00000.csv"),
        "channel_id,begin_at\n4,2025-02-10T10:00:00.000+00:00\n"
    );

    let run = wd.run(&[
        "export",
        "chats.ndjson",
        "--rows",
        "messages",
        "-f",
        "ndjson",
        "--partition-by",
        "month",
        "-o",
        "nd",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (folder, ids) in [
        ("month=2025-01", vec![1, 1, 3, 3]),
        ("month=2025-02", vec![4, 4]),
        ("month=2025-03", vec![2, 2, 5, 5, 6, 6]),
    ] {
        let text = wd.read(&format!("nd/{folder}/part-00000.ndjson"));
        let found: Vec<i64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["channel_id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert_eq!(found, ids, "{folder}");
    }
}

#[test]
fn a_rerun_replaces_only_the_partitions_it_writes() {
    let wd = Workdir::new();
    three_months(&wd);
    let args = |input: &str| {
        [
            "export",
            input,
            "-f",
            "parquet",
            "--partition-by",
            "month",
            "-o",
            "out",
        ]
        .map(String::from)
    };
    let run = wd.run(&args("chats.ndjson").each_ref().map(String::as_str));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let january = fs::read(wd.path("out/month=2025-01/part-00000.parquet")).unwrap();
    // Left from an earlier run with more parts, and files that are not parts at all.
    wd.write("out/month=2025-02/part-00001.parquet", "old part");
    wd.write("out/month=2025-02/notes.txt", "mine");
    wd.write("out/month=2025-01/part-00001.parquet", "old part");

    // A new dump for February only: two chats where there was one.
    wd.write(
        "new/feb.ndjson",
        payload(10, FEB) + "\n" + &payload(11, FEB + DAY),
    );
    let run = wd.run(&args("new").each_ref().map(String::as_str));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "export: 2 payloads read, 2 conversations written in 1 partition\n"
    );
    assert_eq!(
        tree(&wd.path("out")),
        [
            "month=2025-01/part-00000.parquet",
            "month=2025-01/part-00001.parquet",
            "month=2025-02/notes.txt",
            "month=2025-02/part-00000.parquet",
            "month=2025-03/part-00000.parquet"
        ]
    );
    assert_eq!(
        fs::read(wd.path("out/month=2025-01/part-00000.parquet")).unwrap(),
        january
    );
    let february = read_parquet(&wd.path("out/month=2025-02/part-00000.parquet"));
    let ids: Vec<&str> = february.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["10", "11"]);
}

#[test]
fn more_folders_than_open_files_make_more_parts() {
    let wd = Workdir::new();
    // 150 days, twice round: more days than files kept open, so the second chat of each day
    // comes after its first file was closed and goes to a second part.
    let mut lines = Vec::new();
    for round in 0..2 {
        for day in 0..150 {
            lines.push(payload(
                1 + round * 1000 + day,
                JAN + day * DAY + round * 1000,
            ));
        }
    }
    wd.write("chats.ndjson", lines.join("\n"));
    let run = wd.run(&[
        "export",
        "chats.ndjson",
        "-f",
        "parquet",
        "--partition-by",
        "day",
        "-o",
        "out",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "export: 300 payloads read, 300 conversations written in 150 partitions (300 files)\n"
    );
    let per_day = parquet_counts(&wd.path("out"));
    assert_eq!(per_day.len(), 150);
    assert!(per_day.values().all(|n| *n == 2), "{per_day:?}");
    assert!(tree(&wd.path("out")).contains(&String::from("day=2025-06-13/part-00001.parquet")));
}

#[test]
fn a_failed_export_leaves_the_old_tree() {
    let wd = Workdir::new();
    three_months(&wd);
    let args = [
        "export",
        "chats.ndjson",
        "-f",
        "parquet",
        "--partition-by",
        "month",
        "-o",
        "out",
    ];
    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let january = fs::read(wd.path("out/month=2025-01/part-00000.parquet")).unwrap();
    // February's folder cannot be written: the run fails after January's file was started.
    fs::remove_dir_all(wd.path("out/month=2025-02")).unwrap();
    wd.write("out/month=2025-02", "a file in the way");
    wd.write("chats.ndjson", payload(20, JAN) + "\n" + &payload(21, FEB));
    let run = wd.run(&args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("month=2025-02"), "{}", run.stderr);
    assert_eq!(
        tree(&wd.path("out")),
        [
            "month=2025-01/part-00000.parquet",
            "month=2025-02",
            "month=2025-03/part-00000.parquet"
        ],
        "no temporary file is left"
    );
    assert_eq!(
        fs::read(wd.path("out/month=2025-01/part-00000.parquet")).unwrap(),
        january
    );
}

#[test]
fn usage_errors() {
    let wd = Workdir::new();
    wd.write("official.json", OFFICIAL);
    wd.write("file.txt", "x");
    for (args, message) in [
        (
            &["-f", "parquet"][..],
            "parquet is written to a file: add -o FILE.parquet (or --partition-by and -o DIR)",
        ),
        (
            &["--partition-by", "month"][..],
            "--partition-by writes a folder of files: add -o DIR",
        ),
        (
            &["--partition-by", "day", "-o", "file.txt"][..],
            "file.txt is a file; --partition-by writes a folder of files (-o DIR)",
        ),
        (
            &["--partition-by", "day", "-f", "table", "-o", "t"][..],
            "--partition-by writes csv, tsv, ndjson, json or parquet files, not tables",
        ),
        (
            &["-f", "parquet", "-o", "x.parquet.gz"][..],
            "parquet compresses its columns itself: name the file .parquet, not .gz",
        ),
        (
            &["-f", "parquet", "-o", "x.parquet", "--excel"][..],
            "--excel, --safe and --delimiter apply to csv and tsv, not to parquet",
        ),
        (
            &["-f", "parquet", "-o", "x.parquet", "--rows", "payloads"][..],
            "--rows payloads is written as ndjson or json, not as parquet columns",
        ),
    ] {
        let run = wd.run(&[&["export", "official.json"][..], args].concat());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    assert_eq!(tree(wd.root()), ["file.txt", "official.json"]);
}
