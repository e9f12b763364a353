//! Webhook events (`docs/formats.md#webhook-events`): recognised in every stored form, validated with paths,
//! assembled into conversations in any arrival order with re-deliveries counted once, and read
//! by list, show, export and stats like POST-hook payloads.

use crate::common::{payload, Workdir};
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/webhooks");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn events() -> Vec<String> {
    fixture("closed-and-rated.ndjson")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const COLUMNS: &str = "conversation_id,source,channel_id,begin_at,end_at,status,rating,rating_desc,\
messages_counted,first_visitor_message,visitor_name,visitor_email,agents,first_response,avg_response,\
is_chat,is_missed,is_completed,is_triggered,messages_recorded";

fn export(wd: &Workdir, inputs: &[&str]) -> Vec<Value> {
    let mut args = vec!["export", "--utc", "-f", "ndjson", "--columns", COLUMNS];
    args.extend_from_slice(inputs);
    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    ndjson(&run.stdout)
}

#[test]
fn every_fixture_validates() {
    let wd = Workdir::new();
    let run = wd.run(&["validate", FIXTURES]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "validate: 3 files, 0 payloads, 16 webhook events (1 of unknown names, kept): 16 valid; 0 errors, 0 warnings\n"
    );
}

#[test]
fn a_conversation_is_assembled_from_its_events() {
    let wd = Workdir::new();
    wd.write("events.ndjson", fixture("closed-and-rated.ndjson"));
    let rows = export(&wd, &["events.ndjson"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0],
        json!({
            "conversation_id": "cnv_8Jk2LqX9",
            "source": "webhook",
            "channel_id": null,
            "begin_at": "2026-03-10T09:00:00.000+00:00",
            "end_at": "2026-03-10T09:01:40.000+00:00",
            "status": "completed",
            "rating": 5,
            "rating_desc": "Quick and kind",
            "messages_counted": 5,
            "first_visitor_message": "Hello, is my order 4711 on its way?",
            "visitor_name": "Eva Nováková",
            "visitor_email": "eva@example.com",
            "agents": "John Doe",
            "first_response": 44,
            "avg_response": 27,
            "is_chat": true,
            "is_missed": false,
            "is_completed": true,
            "is_triggered": true,
            "messages_recorded": null,
        })
    );
}

#[test]
fn arrival_order_and_redelivery_do_not_change_the_conversation() {
    let wd = Workdir::new();
    let in_order = events();
    // Reversed, every event twice (once pretty), one file per event like serve stores them.
    for (i, event) in in_order.iter().rev().enumerate() {
        wd.write(&format!("dumps/e{i:02}.json"), event);
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(event).unwrap()).unwrap();
        wd.write(&format!("dumps/e{i:02}.again.json"), pretty);
    }
    wd.write("ordered.ndjson", in_order.join("\n"));
    let expected = export(&wd, &["ordered.ndjson"]);
    assert_eq!(export(&wd, &["dumps"]), expected);

    // Re-deliveries are counted once.
    let run = wd.run(&["show", "--format", "json", "dumps"]);
    let shown: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        shown["messages"].as_array().unwrap().len(),
        7,
        "5 messages, a join, a close"
    );
    let run = wd.run(&["list", "-f", "csv", "dumps", "ordered.ndjson"]);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
}

#[test]
fn a_conversation_that_never_closes_is_open() {
    let wd = Workdir::new();
    wd.write("open.json", fixture("never-closed.json"));
    wd.write("events.ndjson", fixture("closed-and-rated.ndjson"));
    let rows = export(&wd, &["open.json"]);
    assert_eq!(rows[0]["status"], "open");
    assert_eq!(rows[0]["end_at"], Value::Null);
    assert_eq!(rows[0]["is_missed"], Value::Null);
    assert_eq!(rows[0]["visitor_name"], "Petr");
    let run = wd.run(&[
        "list",
        "-f",
        "csv",
        "--status",
        "open",
        "open.json",
        "events.ndjson",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[1].starts_with("cnv_Q3vZ77aa,"), "{}", lines[1]);
    let run = wd.run(&["show", "--id", "cnv_Q3vZ77aa", "open.json", "events.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("End        (still open)"),
        "{}",
        run.stdout
    );
}

#[test]
fn events_and_payloads_together_in_stats_and_list() {
    let wd = Workdir::new();
    let mut mixed = events().join("\n");
    mixed.push('\n');
    mixed.push_str(&payload(1, 1_773_100_000_000));
    mixed.push('\n');
    wd.write("mixed.ndjson", &mixed);
    wd.write("open.json", fixture("never-closed.json"));
    let run = wd.run(&[
        "stats",
        "--format",
        "json",
        "--by",
        "status",
        "mixed.ndjson",
        "open.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stats: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(stats["total"]["conversations"], 3);
    assert_eq!(stats["total"]["open"], 1);
    assert_eq!(stats["total"]["completed"], 2);
    assert_eq!(stats["total"]["rating_5"], 1);
}

#[test]
fn every_stored_form_reads() {
    let wd = Workdir::new();
    let lines = events();
    let array = format!("[\n{}\n]\n", lines.join(",\n"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, lines.join("\n").as_bytes()).unwrap();
    wd.write("array.json", &array);
    wd.write("events.ndjson.gz", gz.finish().unwrap());
    wd.write("concatenated.json", lines.join(""));
    let expected = export(&wd, &["array.json"]);
    assert_eq!(expected.len(), 1);
    assert_eq!(export(&wd, &["events.ndjson.gz"]), expected);
    assert_eq!(export(&wd, &["concatenated.json"]), expected);
    let run = wd.run_with_stdin(
        &["export", "--utc", "-f", "ndjson", "--columns", COLUMNS, "-"],
        lines.join("\n"),
    );
    assert_eq!(ndjson(&run.stdout), expected);
}

#[test]
fn bad_events_are_named_with_their_path() {
    let wd = Workdir::new();
    let base = &events()[0];
    let bad = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1)
    };
    wd.write(
        "bad.ndjson",
        [
            bad(r#""account_id":"881987""#, r#""account_id":881987"#),
            bad(
                r#""timestamp":"2026-03-10T09:00:00.120Z""#,
                r#""timestamp":"10.3.2026 9:00""#,
            ),
            bad(r#""data":{"#, r#""data":[],"x":{"#),
            bad(r#""is_offline":false"#, r#""is_offline":"no""#),
            r#"{"hello":"world"}"#.to_owned(),
            r#"{"event":"conversation.opened","data":{}}"#.to_owned(),
        ]
        .join("\n"),
    );
    let run = wd.run(&["validate", "bad.ndjson"]);
    assert_eq!(run.code, 1);
    // The envelope is required; a used field of an unknown shape is a warning, read as absent.
    insta::assert_snapshot!(run.stdout, @r#"
    bad.ndjson:1:108: warning: account_id: expected string or null, found number 881987 (left out)
    bad.ndjson:2:68: error: timestamp: expected an ISO 8601 time like 2020-08-08T07:53:18.825Z, found "10.3.2026 9:00"
    bad.ndjson:3:145: error: data: expected object, found array
    bad.ndjson:4:211: warning: data.conversation.is_offline: expected boolean or null, found string "no" (left out)
    bad.ndjson:5: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`
    bad.ndjson:6:1: error: timestamp: missing
    "#);
}

#[test]
fn export_rows_events_is_the_stream_itself() {
    let wd = Workdir::new();
    let mut lines = events();
    lines.push(lines[3].clone()); // a re-delivery
    wd.write("events.ndjson", lines.join("\n"));
    let run = wd.run(&[
        "export",
        "--utc",
        "--rows",
        "events",
        "-f",
        "ndjson",
        "events.ndjson",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = ndjson(&run.stdout);
    assert_eq!(rows.len(), 13, "every event once: a re-delivery is a copy");
    assert!(
        run.stderr.contains("1 re-delivered event dropped"),
        "{}",
        run.stderr
    );
    assert_eq!(rows[0]["event"], "conversation.opened");
    assert_eq!(rows[0]["time"], "2026-03-10T09:00:00.120+00:00");
    assert_eq!(rows[0]["conversation_id"], "cnv_8Jk2LqX9");
    assert_eq!(rows[1]["message_id"], "msg_1");
    assert_eq!(rows[1]["sub_type"], "contact");
    assert_eq!(rows[2]["text"], "An agent will be with you shortly.");
    assert_eq!(rows[5]["author"], "John Doe");
    assert_eq!(rows[12]["event"], "conversation.translated");
    let raw: Value = serde_json::from_str(rows[0]["raw"].as_str().unwrap()).unwrap();
    assert_eq!(raw, serde_json::from_str::<Value>(&lines[0]).unwrap());
    // --keep all: the stream as stored, copies included; the time range is the event's.
    let run = wd.run(&[
        "export",
        "--rows",
        "events",
        "--keep",
        "all",
        "-f",
        "csv",
        "events.ndjson",
    ]);
    assert_eq!(run.stdout.lines().count(), 15);
    let run = wd.run(&[
        "export",
        "--utc",
        "--rows",
        "events",
        "-f",
        "csv",
        "--columns",
        "event",
        "--since",
        "2026-03-10T09:01:00Z",
        "events.ndjson",
    ]);
    assert_eq!(
        run.stdout,
        "event\nconversation.contact_replied\nconversation.agent_replied\nconversation.closed\n\
         conversation.rated\ncontact.updated\nconversation.translated\n"
    );
}

/// `--rows events` selects by the event's own time — `--since` inclusive, `--until`
/// exclusive, to the millisecond — and by its conversation with `--id`. (Mutation testing
/// found no test that noticed either bound or the id comparison turned around.)
#[test]
fn event_rows_are_selected_by_their_own_time_and_conversation() {
    let wd = Workdir::new();
    let event = |conversation: &str, time: &str| {
        json!({
            "event": "conversation.updated",
            "timestamp": time,
            "data": {"conversation": {"id": conversation, "updated_at": time}}
        })
        .to_string()
    };
    let lines = [
        event("c1", "2026-03-10T09:00:00.000Z"),
        event("c1", "2026-03-10T09:10:00.000Z"),
        event("c2", "2026-03-10T09:10:00.000Z"),
        event("c1", "2026-03-10T09:19:59.999Z"),
        event("c1", "2026-03-10T09:20:00.000Z"),
    ];
    wd.write("events.ndjson", lines.join("\n") + "\n");
    let rows = |extra: &[&str]| {
        let mut args = vec!["export", "--rows", "events", "--utc", "-f", "csv"];
        args.extend_from_slice(&["--columns", "conversation_id,time"]);
        args.extend_from_slice(extra);
        args.push("events.ndjson");
        let run = wd.run(&args);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        run.stdout
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let window = [
        "--since",
        "2026-03-10T09:10:00Z",
        "--until",
        "2026-03-10T09:20:00Z",
    ];
    assert_eq!(
        rows(&window),
        [
            "c1,2026-03-10T09:10:00.000+00:00",
            "c2,2026-03-10T09:10:00.000+00:00",
            "c1,2026-03-10T09:19:59.999+00:00",
        ]
    );
    assert_eq!(rows(&["--id", "c2"]), ["c2,2026-03-10T09:10:00.000+00:00"]);
    assert_eq!(rows(&["--id", "c1"]).len(), 4);
}
