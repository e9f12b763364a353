//! `sshook stats` over real files: the official example worked out by hand, a small corpus
//! across the 2026-03-29 DST change in Europe/Prague, every grouping, nesting, percentile edge
//! cases, duplicates, empty selections and every output format.

use crate::common::{payload, Workdir, OFFICIAL};
use serde_json::{json, Value};

// ---- building payloads ----

fn ms(utc: &str) -> i64 {
    utc.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// A conversation beginning at `begin` (UTC, RFC 3339) with `status`, a recorded first
/// response, and agents replying to the first visitor message after (name, milliseconds).
fn conversation(
    id: i64,
    begin: &str,
    status: &str,
    first_response: Option<i64>,
    agents: &[(&str, i64)],
) -> Value {
    let begin = ms(begin);
    let mut messages = vec![
        json!({"type": "visitor", "name": "Eva", "from": "visitor:k1",
        "content": "hi there", "sentAt": begin, "triggeredBy": null}),
    ];
    for (name, after) in agents {
        let agent_id = name.len();
        messages.push(
            json!({"type": "agent", "name": name, "from": format!("agent:{agent_id}"),
            "content": "hello", "sentAt": begin + after, "triggeredBy": null}),
        );
    }
    let is = |word: &str| status == word;
    json!({
        "accountId": 208, "beginAt": begin, "endAt": begin + 60_000,
        "channel": {
            "id": id, "isChat": first_response.is_some(), "isMissed": is("missed"),
            "isTriggered": false, "isOffline": is("offline"), "isCompleted": is("completed"),
            "isDropped": is("dropped"), "duration": 60, "avgResponse": first_response,
            "firstResponse": first_response, "messagesCount": messages.len(), "wordsCount": 3,
            "rating": null, "ratingDesc": null
        },
        "visitor": {"id": id, "name": "Eva", "countryCode": "CZ", "group": null},
        "paths": [],
        "messages": messages,
    })
}

fn ndjson(payloads: &[Value]) -> String {
    payloads.iter().map(|p| format!("{p}\n")).collect()
}

/// Seven conversations around the DST change in Prague (2026-03-29 02:00 CET → 03:00 CEST),
/// plus a re-sent copy of one of them.
fn dst_corpus() -> String {
    let e = conversation(
        5,
        "2026-03-29T22:30:00Z",
        "completed",
        Some(30),
        &[("Bob", 30_000)],
    );
    ndjson(&[
        // Prague Sat 28th 11:00.
        conversation(
            1,
            "2026-03-28T10:00:00Z",
            "completed",
            Some(10),
            &[("Ann", 10_000)],
        ),
        // Prague Sun 29th 00:30 CET (UTC: the 28th).
        conversation(2, "2026-03-28T23:30:00Z", "missed", None, &[]),
        // Prague 29th 01:30 CET.
        conversation(
            3,
            "2026-03-29T00:30:00Z",
            "completed",
            Some(20),
            &[("Ann", 20_500), ("Bob", 25_000), ("Ann", 26_000)],
        ),
        // Prague 29th 03:30 CEST: an hour after 01:30 on the clock skips 02.
        conversation(4, "2026-03-29T01:30:00Z", "offline", None, &[]),
        // Prague Mon 30th 00:30 CEST (UTC: Sunday the 29th).
        e.clone(),
        // Prague Wed 1 April 00:30 (UTC: 31 March).
        conversation(
            6,
            "2026-03-31T22:30:00Z",
            "completed",
            Some(40),
            &[("Ann", 40_000)],
        ),
        // Prague Thu 2 April.
        conversation(7, "2026-04-02T12:00:00Z", "dropped", None, &[]),
        // Re-sent: counted once.
        e,
    ])
}

// ---- reading output back ----

struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn parse(text: &str, delimiter: u8) -> Csv {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        Csv { header, rows }
    }

    fn column(&self, name: &str) -> Vec<&str> {
        let at = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(|r| r[at].as_str()).collect()
    }
}

fn stats_json(wd: &Workdir, args: &[&str]) -> Value {
    let mut full = vec!["stats", "--format", "json"];
    full.extend_from_slice(args);
    let run = wd.run(&full);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// `figure` of every group, with the group's keys joined by `/`.
fn by_group(report: &Value, figure: &str) -> Vec<(String, Value)> {
    let by: Vec<&str> = report["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let key = by
                .iter()
                .map(|b| match &g[*b] {
                    Value::String(s) => s.clone(),
                    Value::Null => "-".into(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            (key, g[figure].clone())
        })
        .collect()
}

fn pairs(list: &[(&str, Value)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

// ---- the official example, by hand ----

#[test]
fn official_example_figures_by_hand() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let report = stats_json(&wd, &["data.json"]);
    assert_eq!(report["by"], json!([]));
    assert_eq!(report["groups"], json!([]));
    // One completed, triggered chat. firstResponse = avgResponse = 14 s, duration 36 s,
    // recorded 5 messages and 11 words; counted: "Hello", the trigger's "This is triggered
    // message", "Hi, how can i help you ?" and "tanks." = 4 messages, 1 + 4 + 7 + 1 = 13 words.
    assert_eq!(
        report["total"],
        json!({
            "conversations": 1, "chats": 1, "completed": 1, "incomplete": 0, "missed": 0,
            "offline": 0, "dropped": 0, "open": 0, "triggered": 1, "missed_rate": 0.0,
            "first_response_mean": 14.0, "first_response_median": 14.0,
            "first_response_p90": 14, "first_response_max": 14,
            "avg_response_mean": 14.0, "avg_response_median": 14.0,
            "duration_mean": 36.0, "duration_median": 36.0,
            "messages_recorded": 5, "messages_counted": 4,
            "words_recorded": 11, "words_counted": 13,
            "rated": 1, "rating_mean": 5.0,
            "rating_1": 0, "rating_2": 0, "rating_3": 0, "rating_4": 0, "rating_5": 1
        })
    );
}

#[test]
fn official_example_per_agent_measures_from_the_messages() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let report = stats_json(&wd, &["data.json", "--by", "agent"]);
    // "Hello" at …439703, John Doe's reply at …453772: 14.069 s. The trigger is nobody's,
    // and the agent.join system event is no message of his.
    let john = json!({"agent": "John Doe", "conversations": 1, "messages": 1,
        "first_response_mean": 14.069, "first_response_median": 14.069,
        "first_response_p90": 14.069, "rating_mean": 5.0});
    assert_eq!(report["groups"], json!([john]));
    assert_eq!(report["total"]["conversations"], 1);
}

#[test]
fn official_example_time_groups() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    // 1427470439703 is Friday 2015-03-27 15:33:59 UTC, 16:33 in Prague.
    for (by, utc, prague) in [
        ("day", json!("2015-03-27"), json!("2015-03-27")),
        ("week", json!("2015-W13"), json!("2015-W13")),
        ("month", json!("2015-03"), json!("2015-03")),
        ("hour", json!(15), json!(16)),
        ("weekday", json!("Fri"), json!("Fri")),
        ("status", json!("completed"), json!("completed")),
        ("country", json!("CZ"), json!("CZ")),
        ("group", Value::Null, Value::Null),
    ] {
        let report = stats_json(&wd, &["data.json", "--by", by, "--utc"]);
        assert_eq!(report["groups"][0][by], utc, "--by {by}");
        assert_eq!(report["groups"][0]["conversations"], 1);
        let report = stats_json(&wd, &["data.json", "--by", by, "--tz", "Europe/Prague"]);
        assert_eq!(report["groups"][0][by], prague, "--by {by} in Prague");
    }
}

// ---- time zones and DST ----

#[test]
fn days_in_prague_across_the_dst_change() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let prague = stats_json(
        &wd,
        &[
            "chats.ndjson",
            "--tz",
            "Europe/Prague",
            "--by",
            "day",
            "--since",
            "2026-03-28",
            "--until",
            "2026-04-03",
        ],
    );
    assert_eq!(
        by_group(&prague, "conversations"),
        pairs(&[
            ("2026-03-28", json!(1)),
            ("2026-03-29", json!(3)),
            ("2026-03-30", json!(1)),
            ("2026-03-31", json!(0)),
            ("2026-04-01", json!(1)),
            ("2026-04-02", json!(1)),
        ])
    );
    // The 29th: one missed, one offline, one completed chat; the empty 31st is all zero
    // counts and null figures.
    assert_eq!(
        by_group(&prague, "missed_rate")[1..4],
        pairs(&[
            ("2026-03-29", json!(1.0 / 3.0)),
            ("2026-03-30", json!(0.0)),
            ("2026-03-31", Value::Null),
        ])
    );
    let empty = &prague["groups"][3];
    assert_eq!(empty["chats"], 0);
    assert_eq!(empty["rated"], 0);
    assert_eq!(empty["first_response_median"], Value::Null);
    assert_eq!(empty["messages_counted"], Value::Null);
    assert_eq!(prague["total"]["conversations"], 7);

    // Without a range, only the days that have conversations.
    let utc = stats_json(&wd, &["chats.ndjson", "--utc", "--by", "day"]);
    assert_eq!(
        by_group(&utc, "conversations"),
        pairs(&[
            ("2026-03-28", json!(2)),
            ("2026-03-29", json!(3)),
            ("2026-03-31", json!(1)),
            ("2026-04-02", json!(1)),
        ])
    );
}

#[test]
fn hours_weeks_months_and_weekdays_in_prague() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let run = |by: &str, zone: &str| {
        let zone_args: &[&str] = if zone == "UTC" {
            &["--utc"]
        } else {
            &["--tz", zone]
        };
        let mut args = vec!["chats.ndjson", "--by", by];
        args.extend_from_slice(zone_args);
        by_group(&stats_json(&wd, &args), "conversations")
    };
    let prague = "Europe/Prague";
    // No 02 o'clock on the 29th: 01:30 CET is followed by 03:30 CEST an hour later.
    assert_eq!(
        run("hour", prague),
        pairs(&[
            ("0", json!(3)),
            ("1", json!(1)),
            ("3", json!(1)),
            ("11", json!(1)),
            ("14", json!(1)),
        ])
    );
    assert_eq!(
        run("week", prague),
        pairs(&[("2026-W13", json!(4)), ("2026-W14", json!(3))])
    );
    assert_eq!(
        run("week", "UTC"),
        pairs(&[("2026-W13", json!(5)), ("2026-W14", json!(2))])
    );
    assert_eq!(
        run("month", prague),
        pairs(&[("2026-03", json!(5)), ("2026-04", json!(2))])
    );
    assert_eq!(
        run("month", "UTC"),
        pairs(&[("2026-03", json!(6)), ("2026-04", json!(1))])
    );
    assert_eq!(
        run("weekday", prague),
        pairs(&[
            ("Mon", json!(1)),
            ("Wed", json!(1)),
            ("Thu", json!(1)),
            ("Sat", json!(1)),
            ("Sun", json!(3)),
        ])
    );
}

// ---- agents, statuses, nesting ----

#[test]
fn per_agent_figures_and_the_whole_selection() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let report = stats_json(&wd, &["chats.ndjson", "--by", "agent"]);
    // Ann: conversations 1, 3, 6 answered after 10, 20.5 and 40 s (two messages in 3).
    // Bob: 3 and 5, after 25 and 30 s.
    assert_eq!(
        report["groups"],
        json!([
            {"agent": "Ann", "conversations": 3, "messages": 4, "first_response_mean": 23.5,
             "first_response_median": 20.5, "first_response_p90": 40.0, "rating_mean": null},
            {"agent": "Bob", "conversations": 2, "messages": 2, "first_response_mean": 27.5,
             "first_response_median": 27.5, "first_response_p90": 30.0, "rating_mean": null},
        ])
    );
    // The total: every selected conversation, every agent message, all five responses.
    assert_eq!(
        report["total"],
        json!({"conversations": 7, "messages": 6, "first_response_mean": 25.1,
            "first_response_median": 25.0, "first_response_p90": 40.0, "rating_mean": null})
    );
}

#[test]
fn statuses_in_their_order_add_up() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let report = stats_json(&wd, &["chats.ndjson", "--by", "status"]);
    assert_eq!(
        by_group(&report, "conversations"),
        pairs(&[
            ("offline", json!(1)),
            ("missed", json!(1)),
            ("dropped", json!(1)),
            ("completed", json!(4)),
        ])
    );
    let total = &report["total"];
    assert_eq!(total["completed"], 4);
    assert_eq!(total["missed_rate"], json!(1.0 / 7.0));
    // Recorded first responses of the four chats: 10, 20, 30, 40.
    assert_eq!(total["first_response_mean"], 25.0);
    assert_eq!(total["first_response_median"], 25.0);
    assert_eq!(total["first_response_p90"], 40);
    assert_eq!(total["first_response_max"], 40);
    assert_eq!(total["duration_median"], 60.0);
    let completed = &report["groups"][3];
    assert_eq!(completed["first_response_median"], 25.0);
    let missed = &report["groups"][1];
    assert_eq!(missed["missed_rate"], 1.0);
    assert_eq!(missed["first_response_mean"], Value::Null);
}

#[test]
fn nested_month_then_agent() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let report = stats_json(
        &wd,
        &[
            "chats.ndjson",
            "--tz",
            "Europe/Prague",
            "--by",
            "month",
            "--by",
            "agent",
        ],
    );
    assert_eq!(report["by"], json!(["month", "agent"]));
    // March: Ann in 1 and 3, Bob in 3 and 5 (a tie, so by name); April: Ann in 6.
    assert_eq!(
        by_group(&report, "conversations"),
        pairs(&[
            ("2026-03/Ann", json!(2)),
            ("2026-03/Bob", json!(2)),
            ("2026-04/Ann", json!(1)),
        ])
    );
    assert_eq!(
        by_group(&report, "first_response_median")[0],
        ("2026-03/Ann".into(), json!(15.25))
    );
}

#[test]
fn nested_day_then_agent_fills_days_once() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let run = wd.run(&[
        "stats",
        "chats.ndjson",
        "--tz",
        "Europe/Prague",
        "--by",
        "day",
        "--by",
        "agent",
        "--format",
        "csv",
        "--since",
        "2026-03-28",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = Csv::parse(&run.stdout, b',');
    let keys: Vec<String> = csv
        .rows
        .iter()
        .map(|r| format!("{}/{}", r[0], r[1]))
        .collect();
    assert_eq!(
        keys,
        [
            "2026-03-28/Ann",
            "2026-03-29/Ann",
            "2026-03-29/Bob",
            "2026-03-30/Bob",
            "2026-03-31/",
            "2026-04-01/Ann",
            "2026-04-02/",
            "/",
        ]
    );
    assert_eq!(
        csv.column("conversations"),
        ["1", "1", "1", "1", "0", "1", "0", "7"]
    );
}

#[test]
fn countries_and_groups_by_size_with_empty_keys_last() {
    let wd = Workdir::new();
    let mut list = Vec::new();
    for (id, country, group) in [
        (1, Some("SK"), Some("sales")),
        (2, Some("CZ"), None),
        (3, None, Some("sales")),
        (4, Some("CZ"), Some("support")),
        (5, Some(""), Some("support")),
    ] {
        let mut p = conversation(id, "2026-03-01T10:00:00Z", "completed", Some(5), &[]);
        p["visitor"]["countryCode"] = json!(country);
        // The groupKey variant of the documentation.
        p["visitor"].as_object_mut().unwrap().remove("group");
        p["visitor"]["groupKey"] = json!(group);
        list.push(p);
    }
    wd.write("chats.ndjson", ndjson(&list));
    let report = stats_json(&wd, &["chats.ndjson", "--by", "country"]);
    assert_eq!(
        by_group(&report, "conversations"),
        pairs(&[("CZ", json!(2)), ("-", json!(2)), ("SK", json!(1))])
    );
    let report = stats_json(&wd, &["chats.ndjson", "--by", "group"]);
    assert_eq!(
        by_group(&report, "conversations"),
        pairs(&[("sales", json!(2)), ("support", json!(2)), ("-", json!(1))])
    );
}

// ---- exact figures ----

#[test]
fn percentiles_of_zero_one_two_and_ten_values() {
    let wd = Workdir::new();
    let chats = |responses: &[i64]| {
        let list: Vec<Value> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| {
                conversation(
                    i as i64 + 1,
                    "2026-03-01T10:00:00Z",
                    "completed",
                    Some(*r),
                    &[],
                )
            })
            .collect();
        ndjson(&list)
    };
    wd.write(
        "zero.ndjson",
        ndjson(&[conversation(1, "2026-03-01T10:00:00Z", "missed", None, &[])]),
    )
    .write("one.ndjson", chats(&[7]))
    .write("two.ndjson", chats(&[8, 3]))
    .write("ten.ndjson", chats(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5]));
    let figures = |file: &str| {
        let total = stats_json(&wd, &[file])["total"].clone();
        [
            "first_response_mean",
            "first_response_median",
            "first_response_p90",
            "first_response_max",
        ]
        .map(|f| total[f].clone())
    };
    assert_eq!(
        figures("zero.ndjson"),
        [Value::Null, Value::Null, Value::Null, Value::Null]
    );
    assert_eq!(
        figures("one.ndjson"),
        [json!(7.0), json!(7.0), json!(7), json!(7)]
    );
    assert_eq!(
        figures("two.ndjson"),
        [json!(5.5), json!(5.5), json!(8), json!(8)]
    );
    assert_eq!(
        figures("ten.ndjson"),
        [json!(5.5), json!(5.5), json!(9), json!(10)]
    );
}

#[test]
fn response_figures_count_only_chats_and_ratings_only_rated() {
    let wd = Workdir::new();
    let mut not_chat = conversation(1, "2026-03-01T10:00:00Z", "completed", Some(100), &[]);
    not_chat["channel"]["isChat"] = json!(false);
    let mut rated = conversation(2, "2026-03-01T10:00:00Z", "completed", Some(4), &[]);
    rated["channel"]["rating"] = json!(4);
    rated["channel"]["messagesCount"] = Value::Null;
    rated["channel"]["duration"] = Value::Null;
    let mut low = conversation(3, "2026-03-01T10:00:00Z", "completed", Some(6), &[]);
    low["channel"]["rating"] = json!(1);
    wd.write("chats.ndjson", ndjson(&[not_chat, rated, low]));
    let total = stats_json(&wd, &["chats.ndjson"])["total"].clone();
    assert_eq!(total["chats"], 2);
    assert_eq!(total["first_response_mean"], 5.0);
    assert_eq!(total["first_response_max"], 6);
    assert_eq!(total["rated"], 2);
    assert_eq!(total["rating_mean"], 2.5);
    assert_eq!(total["rating_1"], 1);
    assert_eq!(total["rating_4"], 1);
    assert_eq!(total["rating_5"], 0);
    // Durations of 60 s in two conversations; one recorded message in each of two.
    assert_eq!(total["duration_mean"], 60.0);
    assert_eq!(total["messages_recorded"], 2);
    assert_eq!(total["messages_counted"], 3);
    assert_eq!(total["words_counted"], 6);
}

// ---- selection, duplicates, empty input, bad input ----

#[test]
fn resent_copies_count_once_and_filters_apply() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let run = wd.run(&["stats", "chats.ndjson", "--format", "csv"]);
    assert_eq!(run.code, 0);
    assert_eq!(Csv::parse(&run.stdout, b',').column("conversations"), ["7"]);
    assert!(
        run.stderr.contains("1 re-sent copy dropped"),
        "{}",
        run.stderr
    );
    let run = wd.run(&[
        "stats",
        "chats.ndjson",
        "--format",
        "csv",
        "--keep-duplicates",
    ]);
    assert_eq!(Csv::parse(&run.stdout, b',').column("conversations"), ["8"]);
    let report = stats_json(
        &wd,
        &["chats.ndjson", "--status", "completed", "--by", "agent"],
    );
    assert_eq!(report["total"]["conversations"], 4);
}

#[test]
fn empty_selection_gives_zero_counts_and_null_figures() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&[
        "stats",
        "data.json",
        "--since",
        "2030-01-01",
        "--by",
        "day",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = Csv::parse(&run.stdout, b',');
    assert_eq!(csv.header[0], "day");
    assert_eq!(csv.rows.len(), 1, "only the total row");
    assert_eq!(csv.column("day"), [""]);
    assert_eq!(csv.column("conversations"), ["0"]);
    assert_eq!(csv.column("missed_rate"), [""]);
    assert_eq!(csv.column("first_response_p90"), [""]);
    assert_eq!(csv.column("messages_counted"), [""]);
    assert_eq!(csv.column("rating_5"), ["0"]);
    let report = stats_json(
        &wd,
        &["data.json", "--since", "2030-01-01", "--by", "agent"],
    );
    assert_eq!(
        report,
        json!({"by": ["agent"], "groups": [], "total": {"conversations": 0, "messages": 0,
            "first_response_mean": null, "first_response_median": null,
            "first_response_p90": null, "rating_mean": null}})
    );
}

#[test]
fn bad_input_is_named_and_the_rest_counted() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL)
        .write("bad.json", "{\"beginAt\": oops}");
    let run = wd.run(&["stats", "good.json", "bad.json", "--format", "csv"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.json:1:"), "{}", run.stderr);
    assert_eq!(Csv::parse(&run.stdout, b',').column("conversations"), ["1"]);
}

#[test]
fn the_same_dimension_twice_is_a_usage_error() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["stats", "data.json", "--by", "day", "--by", "day"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "sshook: --by day is given twice\n");
}

// ---- formats ----

#[test]
fn csv_is_the_default_off_a_terminal_and_tsv_ndjson_agree() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let args = [
        "stats",
        "chats.ndjson",
        "--tz",
        "Europe/Prague",
        "--by",
        "status",
    ];
    let csv = Csv::parse(&wd.run(&args).stdout, b',');
    assert_eq!(&csv.header[..3], ["status", "conversations", "chats"]);
    assert_eq!(csv.header.len(), 1 + 29);
    assert_eq!(
        csv.column("status"),
        ["offline", "missed", "dropped", "completed", ""]
    );
    assert_eq!(
        csv.column("missed_rate"),
        ["0", "1", "0", "0", "0.14285714285714285"]
    );
    let mut tsv_args = args.to_vec();
    tsv_args.extend(["--format", "tsv"]);
    let tsv = Csv::parse(&wd.run(&tsv_args).stdout, b'\t');
    assert_eq!(tsv.header, csv.header);
    assert_eq!(tsv.rows, csv.rows);

    let mut nd_args = args.to_vec();
    nd_args.extend(["--format", "ndjson"]);
    let lines: Vec<Value> = wd
        .run(&nd_args)
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[3]["status"], "completed");
    assert_eq!(lines[3]["conversations"], 4);
    assert_eq!(lines[4]["status"], Value::Null);
    assert_eq!(lines[4]["conversations"], 7);
    let keys: Vec<&String> = lines[4].as_object().unwrap().keys().collect();
    assert_eq!(keys[..2], ["status", "conversations"]);
}

#[test]
fn table_with_bars() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let run = wd.run(&[
        "stats",
        "chats.ndjson",
        "--tz",
        "Europe/Prague",
        "--by",
        "agent",
        "--format",
        "table",
        "--quiet",
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!(run.stdout, @r#"
                                                                 first         first
                                                              response  response p90   rating mean
    agent  conversations  bar                   messages    median (s)           (s)         (1–5)
    ─────  ─────────────  ────────────────────  ────────  ────────────  ────────────  ────────────
    Ann                3  ████████████████████         4          20.5          40.0             –
    Bob                2  █████████████▍               2          27.5          30.0             –
    total              7                               6          25.0          40.0             –
    1 more figure — `--all` shows all
    "#);
}

#[test]
fn ascii_table_of_days_with_the_main_figures() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", dst_corpus());
    let run = wd.run(&[
        "stats",
        "chats.ndjson",
        "--tz",
        "Europe/Prague",
        "--by",
        "day",
        "--format",
        "table",
        "--ascii",
        "--quiet",
        "--until",
        "2026-04-03",
    ]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout, @r"
                                                                            first       first
                                                                         response    response    duration             rating
    day         conversations  bar                   missed  missed %  median (s)     p90 (s)  median (s)  rated  mean (1–5)
    ----------  -------------  --------------------  ------  --------  ----------  ----------  ----------  -----  ----------
    2026-03-28              1  #######                    0       0.0        10.0          10        60.0      0           -
    2026-03-29              3  ####################       1      33.3        20.0          20        60.0      0           -
    2026-03-30              1  #######                    0       0.0        30.0          30        60.0      0           -
    2026-03-31              0                             0         -           -           -           -      0           -
    2026-04-01              1  #######                    0       0.0        40.0          40        60.0      0           -
    2026-04-02              1  #######                    0       0.0           -           -        60.0      0           -
    total                   7                             1      14.3        25.0          40        60.0      0           -
    21 more figures — `--all` shows all
    ");
}

#[test]
fn table_without_groups_lists_the_compact_figures_and_output_goes_to_a_file() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["stats", "data.json", "--format", "table", "--ascii"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    figure                     value
    -------------------------  -----
    conversations                  1
    missed                         0
    missed %                     0.0
    first response median (s)   14.0
    first response p90 (s)        14
    duration median (s)         36.0
    rated                          1
    rating mean (1–5)            5.0
    21 more figures — `--all` shows all
    ");
    let run = wd.run(&["stats", "data.json", "--by", "weekday", "-o", "days.csv"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    let csv = Csv::parse(&wd.read("days.csv"), b',');
    assert_eq!(csv.column("weekday"), ["Fri", ""]);
    assert_eq!(csv.column("words_counted"), ["13", "13"]);
}

/// One rule for every time key: a stray old payload among this year's adds no empty periods;
/// an explicit range fills exactly its own periods.
#[test]
fn empty_periods_only_inside_an_explicit_range() {
    let wd = Workdir::new();
    let mut corpus = dst_corpus();
    corpus.push_str(&payload(9, 1_420_070_400_000)); // 2015-01-01
    corpus.push('\n');
    wd.write("chats.ndjson", &corpus);
    for by in ["day", "week", "month"] {
        let all = stats_json(&wd, &["chats.ndjson", "--utc", "--by", by]);
        let groups = all["groups"].as_array().unwrap();
        assert!(groups.len() <= 7, "--by {by}: {} groups", groups.len());
        assert!(groups.iter().all(|g| g["conversations"] != 0), "--by {by}");
    }
    let ranged = stats_json(
        &wd,
        &[
            "chats.ndjson",
            "--utc",
            "--by",
            "month",
            "--since",
            "2025-11-15",
            "--until",
            "2026-05-01",
        ],
    );
    let months: Vec<&str> = ranged["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["month"].as_str().unwrap())
        .collect();
    assert_eq!(
        months,
        ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    );
}
