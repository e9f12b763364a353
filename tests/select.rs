//! The selection shared by list, show, export and stats, driven through `show --format json`:
//! every filter, local days around DST changes, the display zone, dedupe of re-sent payloads,
//! sorting, and output that does not depend on the number of threads.

use crate::common::{payload, Run, Workdir};
use serde_json::{json, Value};

/// `payload(id, ms)` with `edit` applied to its JSON.
fn with(id: i64, ms: i64, edit: impl FnOnce(&mut Value)) -> String {
    let mut p: Value = serde_json::from_str(&payload(id, ms)).unwrap();
    edit(&mut p);
    p.to_string()
}

fn ms(instant: &str) -> i64 {
    instant.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn conversations(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The ids `show --format json ARGS` prints, in order; an empty list must come with exit 1.
fn ids(wd: &Workdir, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["show", "--format", "json"];
    all.extend_from_slice(args);
    let run = wd.run(&all);
    let ids: Vec<i64> = conversations(&run)
        .iter()
        .map(|c| c["channel_id"].as_i64().unwrap())
        .collect();
    let expected_code = if ids.is_empty() { 1 } else { 0 };
    assert_eq!(run.code, expected_code, "{args:?}: {}", run.stderr);
    ids
}

const T0: i64 = 1_700_000_000_000;

/// Six conversations, one trait each (see the asserts for what matches what).
fn corpus(wd: &Workdir) {
    let flags = |p: &mut Value, on: &[&str]| {
        for flag in ["isMissed", "isOffline", "isCompleted", "isDropped"] {
            p["channel"][flag] = Value::from(on.contains(&flag));
        }
    };
    let lines = [
        with(1, T0, |p| {
            p["messages"]
                .as_array_mut()
                .unwrap()
                .push(json!({"type": "system",
                "name": "John Doe", "from": "agent:3", "content": "agent.join", "sentAt": T0 + 1}));
        }),
        with(2, T0 + 1000, |p| {
            flags(p, &["isOffline", "isMissed"]);
            p["channel"]["rating"] = json!(5);
            p["visitor"] =
                json!({"name": "Petr Novák", "email": "petr@example.cz", "countryCode": "SK"});
        }),
        with(3, T0 + 2000, |p| {
            flags(p, &["isMissed"]);
            p["channel"]["rating"] = json!(4);
            p["messages"][0]["content"] = json!("Where is my REFUND?");
            p["messages"][1]["name"] = json!("Jana");
            p["messages"][1]["from"] = json!("agent:7");
        }),
        with(4, T0 + 3000, |p| {
            flags(p, &["isDropped"]);
            p["accountId"] = json!(209);
            p["channel"]["rating"] = json!(2);
            p["visitor"] = json!({"name": null, "email": "Eva.B@shop.com", "countryCode": "cz"});
        }),
        with(5, T0 + 4000, |p| {
            flags(p, &[]);
            p["channel"]["isTriggered"] = json!(true);
            p["visitor"]["countryCode"] = json!("DE");
            p["messages"][1] = json!({"type": "agent", "name": "", "from": "system",
                "content": "Can we help?", "sentAt": T0 + 4001, "triggeredBy": "Welcome"});
        }),
        with(6, T0 + 5000, |p| {
            p["channel"]["isTriggered"] = json!(true);
            p["channel"]["rating"] = json!(1);
            p["visitor"]["name"] = json!("ÉMILE Zola");
            p["visitor"]["countryCode"] = Value::Null;
        }),
    ];
    wd.write("corpus.ndjson", lines.join("\n") + "\n");
}

#[test]
fn status_words_and_the_triggered_tag() {
    let wd = Workdir::new();
    corpus(&wd);
    let by = |word: &str| ids(&wd, &["--status", word, "corpus.ndjson"]);
    // 2 is offline and missed: offline comes first.
    assert_eq!(by("offline"), [2]);
    assert_eq!(by("missed"), [3]);
    assert_eq!(by("dropped"), [4]);
    assert_eq!(by("completed"), [1, 6]);
    assert_eq!(by("incomplete"), [5]);
    assert_eq!(by("triggered"), [5, 6]);
    assert_eq!(
        ids(
            &wd,
            &["--status", "dropped", "--status", "missed", "corpus.ndjson"]
        ),
        [3, 4]
    );
    let run = wd.run(&["show", "--status", "lost", "corpus.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .contains("invalid value 'lost' for '--status <WORD>'"));
}

#[test]
fn ratings() {
    let wd = Workdir::new();
    corpus(&wd);
    assert_eq!(ids(&wd, &["--rating", "5", "corpus.ndjson"]), [2]);
    assert_eq!(ids(&wd, &["--rating", "4-5", "corpus.ndjson"]), [2, 3]);
    assert_eq!(ids(&wd, &["--rating", "1-2", "corpus.ndjson"]), [4, 6]);
    assert_eq!(
        ids(&wd, &["--rating", "3", "corpus.ndjson"]),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&wd, &["--rated", "corpus.ndjson"]), [2, 3, 4, 6]);
    assert_eq!(ids(&wd, &["--unrated", "corpus.ndjson"]), [1, 5]);
    let run = wd.run(&["show", "--rating", "good", "corpus.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .contains("expected a rating like 5 or 4-5, not \"good\""));
    let run = wd.run(&["show", "--rated", "--unrated", "corpus.ndjson"]);
    assert_eq!(run.code, 2);
}

#[test]
fn agent_by_name_or_id() {
    let wd = Workdir::new();
    corpus(&wd);
    assert_eq!(ids(&wd, &["--agent", "jana", "corpus.ndjson"]), [3]);
    assert_eq!(ids(&wd, &["--agent", "7", "corpus.ndjson"]), [3]);
    assert_eq!(ids(&wd, &["--agent", "agent:7", "corpus.ndjson"]), [3]);
    // 5's only agent message is a trigger; the join event of 1 is not a message written.
    assert_eq!(
        ids(&wd, &["--agent", "JOHN DOE", "corpus.ndjson"]),
        [1, 2, 4, 6]
    );
    assert_eq!(
        ids(&wd, &["--agent", "Jana", "--agent", "3", "corpus.ndjson"]),
        [1, 2, 3, 4, 6]
    );
    assert_eq!(
        ids(&wd, &["--agent", "John", "corpus.ndjson"]),
        Vec::<i64>::new()
    );
}

#[test]
fn country_visitor_grep_id_account() {
    let wd = Workdir::new();
    corpus(&wd);
    assert_eq!(ids(&wd, &["--country", "CZ", "corpus.ndjson"]), [1, 3, 4]);
    assert_eq!(
        ids(
            &wd,
            &["--country", "sk", "--country", "de", "corpus.ndjson"]
        ),
        [2, 5]
    );
    // Name or email, case-insensitive, Unicode too.
    assert_eq!(
        ids(&wd, &["--visitor", "EVA", "corpus.ndjson"]),
        [1, 3, 4, 5]
    );
    assert_eq!(ids(&wd, &["--visitor", "@shop.COM", "corpus.ndjson"]), [4]);
    assert_eq!(ids(&wd, &["--visitor", "émile", "corpus.ndjson"]), [6]);
    assert_eq!(ids(&wd, &["--visitor", "novák", "corpus.ndjson"]), [2]);
    // Message text, case-insensitive; trigger messages count, system event codes do not.
    assert_eq!(ids(&wd, &["--grep", "refund", "corpus.ndjson"]), [3]);
    assert_eq!(ids(&wd, &["--grep", "CAN WE", "corpus.ndjson"]), [5]);
    assert_eq!(
        ids(&wd, &["--grep", "agent.join", "corpus.ndjson"]),
        Vec::<i64>::new()
    );
    // Input order, not the order of the flags.
    assert_eq!(
        ids(&wd, &["--id", "4", "--id", "2", "corpus.ndjson"]),
        [2, 4]
    );
    assert_eq!(ids(&wd, &["--account", "209", "corpus.ndjson"]), [4]);
    assert_eq!(
        ids(
            &wd,
            &["--account", "208", "--account", "209", "corpus.ndjson"]
        )
        .len(),
        6
    );
    // Filters combine with AND.
    assert_eq!(
        ids(
            &wd,
            &["--status", "completed", "--unrated", "corpus.ndjson"]
        ),
        [1]
    );
    assert_eq!(
        ids(
            &wd,
            &[
                "--country",
                "cz",
                "--rated",
                "--grep",
                "hello",
                "corpus.ndjson"
            ]
        ),
        [3, 4]
    );
}

/// Conversations on both sides of the edges of the two DST-change days in Prague.
fn dst_corpus(wd: &Workdir) {
    let at = [
        (10, "2024-03-30T22:59:59Z"), // Sat 23:59:59 CET
        (11, "2024-03-30T23:00:00Z"), // Sun 00:00 CET
        (12, "2024-03-31T21:59:59Z"), // Sun 23:59:59 CEST: the day had 23 hours
        (13, "2024-03-31T22:00:00Z"), // Mon 00:00 CEST
        (20, "2024-10-26T21:59:59Z"), // Sat 23:59:59 CEST
        (21, "2024-10-26T22:00:00Z"), // Sun 00:00 CEST
        (22, "2024-10-27T00:30:00Z"), // Sun 02:30 CEST, the first 02:30
        (23, "2024-10-27T01:30:00Z"), // Sun 02:30 CET, the second 02:30
        (24, "2024-10-27T22:59:59Z"), // Sun 23:59:59 CET: the day had 25 hours
        (25, "2024-10-27T23:00:00Z"), // Mon 00:00 CET
    ];
    let lines: Vec<String> = at.iter().map(|(id, t)| payload(*id, ms(t))).collect();
    wd.write("dst.ndjson", lines.join("\n"));
}

#[test]
fn local_days_around_dst_changes() {
    let wd = Workdir::new();
    dst_corpus(&wd);
    let prague = |since: &str, until: &str| {
        ids(
            &wd,
            &[
                "--tz",
                "Europe/Prague",
                "--since",
                since,
                "--until",
                until,
                "dst.ndjson",
            ],
        )
    };
    assert_eq!(prague("2024-03-31", "2024-04-01"), [11, 12]);
    assert_eq!(prague("2024-10-27", "2024-10-28"), [21, 22, 23, 24]);
    assert_eq!(prague("2024-03-30T00:00", "2024-03-31T00:00"), [10]);
    // A local time in the fold is its first occurrence; with an offset it is exact.
    assert_eq!(prague("2024-10-27", "2024-10-27T02:30"), [21]);
    assert_eq!(prague("2024-10-27T02:30", "2024-10-28"), [22, 23, 24]);
    assert_eq!(prague("2024-10-27T02:30:00+01:00", "2024-10-28"), [23, 24]);
    // 02:30 on 31 March does not exist in Prague: it moves forward, into the same day.
    assert_eq!(prague("2024-03-31T02:30", "2024-04-01"), [12]);
    assert_eq!(prague("2024-03-31", "2024-03-31T02:30"), [11]);
    // The same days in UTC.
    let utc = |since: &str, until: &str| {
        ids(
            &wd,
            &["--utc", "--since", since, "--until", until, "dst.ndjson"],
        )
    };
    assert_eq!(utc("2024-03-31", "2024-04-01"), [12, 13]);
    assert_eq!(utc("2024-10-27", "2024-10-28"), [22, 23, 24, 25]);

    // Times are shown in the zone, with the offset of their moment.
    let run = wd.run(&[
        "show",
        "--format",
        "json",
        "--tz",
        "Europe/Prague",
        "--id",
        "22",
        "--id",
        "23",
        "dst.ndjson",
    ]);
    let begins: Vec<Value> = conversations(&run)
        .iter()
        .map(|c| c["begin_at"].clone())
        .collect();
    assert_eq!(
        begins,
        [
            "2024-10-27T02:30:00.000+02:00",
            "2024-10-27T02:30:00.000+01:00"
        ]
    );
}

#[test]
fn the_display_zone_defaults_to_tz_and_the_flags_win() {
    let wd = Workdir::new();
    dst_corpus(&wd);
    let day = [
        "show",
        "--format",
        "json",
        "--since",
        "2024-03-31",
        "--until",
        "2024-04-01",
    ];
    let with_tz = |tz: &str, extra: &[&str]| {
        let mut args = day.to_vec();
        args.extend_from_slice(extra);
        args.push("dst.ndjson");
        let output = wd.command(&args).env("TZ", tz).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["channel_id"]
                    .as_i64()
                    .unwrap()
            })
            .collect::<Vec<i64>>()
    };
    assert_eq!(with_tz("Europe/Prague", &[]), [11, 12]);
    assert_eq!(with_tz("UTC", &[]), [12, 13]);
    assert_eq!(with_tz("Europe/Prague", &["--utc"]), [12, 13]);
    assert_eq!(with_tz("UTC", &["--tz", "Europe/Prague"]), [11, 12]);
    // New York (on summer time since 10 March): 2024-03-31 runs from 04:00Z to 04:00Z.
    assert_eq!(with_tz("UTC", &["--tz", "America/New_York"]), [12, 13]);
}

#[test]
fn bad_times_and_zones_are_usage_errors() {
    let wd = Workdir::new();
    dst_corpus(&wd);
    let run = wd.run(&["show", "--since", "yesterday", "dst.ndjson"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "sshook: cannot read \"yesterday\" as a time: use 2026-03-01, 2026-03-01T14:00, \
         2026-03-01T14:00:00Z or a span like 7d, 12h\n"
    );
    let run = wd.run(&[
        "show",
        "--since",
        "2024-04-01",
        "--until",
        "2024-03-31",
        "dst.ndjson",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "sshook: --since must come before --until\n");
    let run = wd.run(&["show", "--tz", "Mars/Olympus", "dst.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("sshook: unknown time zone \"Mars/Olympus\""),
        "{}",
        run.stderr
    );
    let run = wd.run(&["show", "--tz", "UTC", "--utc", "dst.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"));
}

#[test]
fn relative_spans_count_back_from_now() {
    let wd = Workdir::new();
    // Far in the past and far in the future: no clock makes this flaky before 2099.
    wd.write(
        "chats.ndjson",
        format!(
            "{}\n{}\n",
            payload(1, ms("2015-03-27T15:33:59Z")),
            payload(2, ms("2099-01-01T00:00:00Z"))
        ),
    );
    assert_eq!(ids(&wd, &["--since", "7d", "chats.ndjson"]), [2]);
    assert_eq!(ids(&wd, &["--until", "12h", "chats.ndjson"]), [1]);
    assert_eq!(
        ids(&wd, &["--since", "2w", "--until", "30m", "chats.ndjson"]),
        Vec::<i64>::new()
    );
}

#[test]
fn dedupe_keeps_the_first_copy_read() {
    let wd = Workdir::new();
    let original = payload(1, T0);
    // The same payload laid out differently is the same payload.
    let pretty = original.replace(",\"", ",\n  \"");
    let rated = with(1, T0, |p| p["channel"]["rating"] = json!(5));
    wd.write("d/a.json", &original)
        .write("d/b.json", &pretty)
        .write("d/c.ndjson", format!("{}\n{rated}\n", payload(2, T0)));

    let run = wd.run(&["show", "--format", "json", "d"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept = conversations(&run);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["channel_id"], 1);
    assert_eq!(kept[0]["rating"], Value::Null);
    assert_eq!(kept[0]["source"], "d/a.json:1");
    assert_eq!(kept[1]["channel_id"], 2);
    // One summary line, however many copies differ; --verbose lists them.
    assert_eq!(
        run.stderr,
        "sshook: 2 re-sent copies dropped (same channel.id; the first copy read is kept); 1 \
         differed from the kept copy (--verbose lists them)\n"
    );
    let run = wd.run(&["show", "--format", "json", "--verbose", "d"]);
    assert_eq!(
        run.stderr,
        "d/c.ndjson:2: warning: conversation 1 was read before with different content; the \
         first copy is kept\n\
         sshook: 2 re-sent copies dropped (same channel.id; the first copy read is kept); 1 \
         differed from the kept copy\n"
    );

    // --keep last: the copy read last, at its place in input order.
    let run = wd.run(&["show", "--format", "json", "--keep", "last", "d"]);
    let kept = conversations(&run);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["channel_id"], 2);
    assert_eq!(kept[1]["channel_id"], 1);
    assert_eq!(kept[1]["rating"], 5);
    assert_eq!(kept[1]["source"], "d/c.ndjson:2");
    assert!(
        run.stderr.contains("the last copy read is kept"),
        "{}",
        run.stderr
    );

    // An exact re-send alone is counted, not warned about.
    let run = wd.run(&["show", "--format", "json", "d/a.json", "d/b.json"]);
    assert_eq!(run.code, 0);
    assert_eq!(conversations(&run).len(), 1);
    assert_eq!(
        run.stderr,
        "sshook: 1 re-sent copy dropped (same channel.id; the first copy read is kept)\n"
    );

    // Named inputs are read in the order given.
    let run = wd.run(&["show", "--format", "json", "d/c.ndjson", "d/a.json"]);
    assert_eq!(conversations(&run)[1]["rating"], 5);

    let run = wd.run(&["show", "--format", "json", "--keep-duplicates", "d"]);
    assert_eq!(run.code, 0);
    let all: Vec<Value> = conversations(&run)
        .iter()
        .map(|c| c["source"].clone())
        .collect();
    assert_eq!(
        all,
        ["d/a.json:1", "d/b.json:1", "d/c.ndjson:1", "d/c.ndjson:2"]
    );
    assert_eq!(run.stderr, "");

    let run = wd.run(&["show", "--format", "json", "--quiet", "d"]);
    assert_eq!(run.stderr, "");
    assert_eq!(conversations(&run).len(), 2);

    // The kept copy is the conversation: a filter only the dropped copy passes finds nothing.
    assert_eq!(ids(&wd, &["--quiet", "--rated", "d"]), Vec::<i64>::new());
    assert_eq!(
        ids(&wd, &["--quiet", "--rated", "--keep-duplicates", "d"]),
        [1]
    );
}

/// Five conversations whose begin, duration and rating orders all differ from input order.
fn sort_corpus(wd: &Workdir) {
    let rows = [
        // id, begin offset (s), duration, rating
        (3, 30, Some(60), Some(4)),
        (1, 10, Some(600), None),
        (5, 50, None, Some(4)),
        (2, 20, Some(5), Some(5)),
        (4, 40, Some(60), Some(1)),
    ];
    let lines: Vec<String> = rows
        .iter()
        .map(|&(id, begin, duration, rating)| {
            with(id, T0 + begin * 1000, |p| {
                p["channel"]["duration"] = json!(duration);
                p["channel"]["rating"] = json!(rating);
            })
        })
        .collect();
    wd.write("sort.ndjson", lines.join("\n"));
}

#[test]
fn sort_and_reverse() {
    let wd = Workdir::new();
    sort_corpus(&wd);
    let sorted = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("sort.ndjson");
        ids(&wd, &all)
    };
    assert_eq!(sorted(&[]), [3, 1, 5, 2, 4]);
    assert_eq!(sorted(&["--sort", "id"]), [1, 2, 3, 4, 5]);
    assert_eq!(sorted(&["--sort", "id", "--reverse"]), [5, 4, 3, 2, 1]);
    assert_eq!(sorted(&["--sort", "begin"]), [1, 2, 3, 4, 5]);
    assert_eq!(sorted(&["--sort", "begin", "--reverse"]), [5, 4, 3, 2, 1]);
    // Ties keep input order; missing values go last either way.
    assert_eq!(sorted(&["--sort", "duration"]), [2, 3, 4, 1, 5]);
    assert_eq!(
        sorted(&["--sort", "duration", "--reverse"]),
        [1, 3, 4, 2, 5]
    );
    assert_eq!(sorted(&["--sort", "rating"]), [4, 3, 5, 2, 1]);
    assert_eq!(sorted(&["--sort", "rating", "--reverse"]), [2, 3, 5, 4, 1]);
    assert_eq!(
        sorted(&["--sort", "rating", "--rated", "--reverse"]),
        [2, 3, 5, 4]
    );

    let run = wd.run(&[
        "show",
        "--first",
        "--sort",
        "id",
        "--reverse",
        "sort.ndjson",
    ]);
    assert!(run.stdout.starts_with("Conversation 5\n"));
    assert_eq!(run.stdout.matches("Conversation ").count(), 1);

    let run = wd.run(&["show", "--reverse", "sort.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--sort <KEY>"), "{}", run.stderr);
}

#[test]
fn output_is_the_same_on_one_core_or_two() {
    let wd = Workdir::new();
    // Several files of several chunks each, with re-sent copies (some differing) across them:
    // folders are read in sorted path order, then by position in the file.
    let mut expected = Vec::new();
    for (file, first) in [
        ("z/late.ndjson", 30_000),
        ("a.ndjson", 0),
        ("m/mid.ndjson", 10_000),
    ] {
        let conversation = |id: i64, rating: Option<i64>| {
            with(id, T0 + id * 1000, |p| {
                p["messages"][0]["content"] = json!(format!("message {id} ✓"));
                p["channel"]["rating"] = json!(rating);
            })
        };
        let lines: Vec<String> = (0..3_000)
            .map(|i| match first {
                // A copy of a conversation of a.ndjson, differing every other time.
                0 => conversation(i, None),
                _ if i % 500 == 7 => conversation(i, (i % 1000 == 7).then_some(3)),
                _ => conversation(first + i, None),
            })
            .collect();
        wd.write(file, lines.join("\n") + "\n");
    }
    for first in [0, 10_000, 30_000] {
        for i in 0..3_000 {
            if i % 500 != 7 || first == 0 {
                expected.push(first + i);
            }
        }
    }
    let run_with = |threads: &str, format: &str| {
        let output = wd
            .command(&["show", "--format", format, "."])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        (output.stdout, output.stderr)
    };
    let (one, one_err) = run_with("1", "json");
    let (two, two_err) = run_with("2", "json");
    assert!(one == two, "json output differs between 1 and 2 threads");
    assert_eq!(one_err, two_err);
    let got: Vec<i64> = String::from_utf8(one)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["channel_id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(got, expected);
    let stderr = String::from_utf8(one_err).unwrap();
    assert!(
        stderr.ends_with(
            "sshook: 12 re-sent copies dropped (same channel.id; the first copy read is kept); \
             6 differed from the kept copy (--verbose lists them)\n"
        ),
        "{stderr}"
    );
    assert!(run_with("1", "text").0 == run_with("2", "text").0);
}

/// Three differing re-sends stored the way `serve` names them come back in arrival order:
/// `X.json`, then `X.1.json`, `X.2.json` (a plain sort would read `X.1.json` first).
#[test]
fn numbered_copies_are_read_in_the_order_stored() {
    let wd = Workdir::new();
    for (name, rating) in [
        ("x.json", 1),
        ("x.1.json", 2),
        ("x.2.json", 3),
        ("x.10.json", 4),
    ] {
        wd.write(
            &format!("dumps/2026/03/01/{name}"),
            with(7, T0, |p| p["channel"]["rating"] = json!(rating)),
        );
    }
    let rating = |keep: &str| {
        let run = wd.run(&[
            "show", "--format", "json", "--quiet", "--keep", keep, "dumps",
        ]);
        conversations(&run)
            .iter()
            .map(|c| c["rating"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(rating("first"), [1]);
    assert_eq!(rating("last"), [4]);
    assert_eq!(rating("all"), [1, 2, 3, 4]);
}
