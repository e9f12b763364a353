//! Pipelines: input that arrives over time. Each payload written to sshook's stdin comes out
//! as its row before the next one is written, and commands whose answer is complete stop
//! reading, on a stdin that never ends. No clock is asserted: reads block, with a generous
//! timeout only so that a regression fails instead of hanging the suite.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{payload, Workdir};

/// How long a test waits before calling it a hang.
const HANG: Duration = Duration::from_secs(60);

/// `export` of `input` (a file, `-`, with or without `--follow`) as bare rows of each
/// conversation's id and status, the rows these tests compare.
fn export_ids<'a>(input: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["export"];
    args.extend_from_slice(input);
    args.extend(["--columns", "conversation_id,status", "--no-header"]);
    args
}

/// sshook with piped stdin and stdout; its stdout lines arrive on the receiver.
fn start(wd: &Workdir, args: &[&str]) -> (Child, ChildStdin, mpsc::Receiver<String>) {
    let mut child = wd
        .std_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sshook");
    let stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, stdin, rx)
}

fn next_line(rx: &mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("no line for {what}: the output does not stream"))
}

fn send(stdin: &mut ChildStdin, text: &str) {
    stdin.write_all(text.as_bytes()).expect("write to sshook");
    stdin.flush().expect("flush");
}

/// Waits for the child to exit on its own (its stdin still open); its exit code.
fn exits(child: &mut Child, what: &str) -> i32 {
    let start = Instant::now();
    while start.elapsed() < HANG {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("{what} did not stop reading once its answer was complete");
}

fn ndjson(id: i64) -> String {
    payload(id, 1_700_000_000_000 + id * 100_000) + "\n"
}

#[test]
fn export_writes_each_row_before_the_next_payload_arrives() {
    let wd = Workdir::new();
    let (mut child, mut stdin, rx) = start(
        &wd,
        &["export", "-", "--columns", "channel_id,visitor_name"],
    );
    assert_eq!(next_line(&rx, "the header"), "channel_id,visitor_name");
    for id in 1..=3 {
        send(&mut stdin, &ndjson(id));
        assert_eq!(next_line(&rx, "a row"), format!("{id},Eva"));
    }
    // A pretty-printed payload, sent in two writes: its row comes once it is complete.
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&ndjson(4)).expect("json"),
    )
    .expect("json");
    let (head, tail) = pretty.split_at(pretty.len() / 2);
    send(&mut stdin, head);
    send(&mut stdin, &format!("{tail}\n"));
    assert_eq!(next_line(&rx, "a pretty payload"), "4,Eva");
    drop(stdin);
    assert_eq!(exits(&mut child, "export"), 0);
}

#[test]
fn list_and_validate_stream_too() {
    let wd = Workdir::new();
    let (mut child, mut stdin, rx) = start(&wd, &["list", "-", "--format", "csv"]);
    next_line(&rx, "the header");
    for id in 1..=2 {
        send(&mut stdin, &ndjson(id));
        assert!(next_line(&rx, "a row").starts_with(&format!("{id},")));
    }
    drop(stdin);
    assert_eq!(exits(&mut child, "list"), 0);

    let (mut child, mut stdin, rx) = start(&wd, &["validate", "-"]);
    send(&mut stdin, &ndjson(1));
    send(&mut stdin, "{\"beginAt\": oops}\n");
    assert!(next_line(&rx, "a finding").starts_with("<stdin>:2:13: error: syntax error"));
    send(&mut stdin, "[1]\n");
    assert_eq!(
        next_line(&rx, "a finding"),
        "<stdin>:3: error: [0]: expected a payload object, found a number"
    );
    drop(stdin);
    assert_eq!(exits(&mut child, "validate"), 1);
}

#[test]
fn complete_answers_end_on_a_stdin_that_never_ends() {
    let wd = Workdir::new();
    // Each answer, and which conversations it shows (three are sent: the third must never
    // show, and the first only where asked for).
    for (args, shown) in [
        (&["show", "--first", "-"][..], &[1][..]),
        (&["show", "2", "-"], &[2]),
        (&["show", "--id", "1", "--id", "2", "-"], &[1, 2]),
        (&["list", "--limit", "2", "--format", "csv", "-"], &[1, 2]),
    ] {
        let (mut child, mut stdin, rx) = start(&wd, args);
        send(&mut stdin, &ndjson(1));
        send(&mut stdin, &ndjson(2));
        // stdin stays open: sshook must end by itself.
        assert_eq!(exits(&mut child, &args.join(" ")), 0, "{args:?}");
        // Its answer is complete without a third conversation; sent now, it is not read.
        let _ = stdin.write_all(ndjson(3).as_bytes());
        drop(stdin);
        let out: Vec<String> = rx.iter().collect();
        assert_eq!(conversations_in(args[0], &out), shown, "{args:?}: {out:#?}");
    }
}

/// The conversation ids a `show` (text) or `list` (CSV) output holds, in order.
fn conversations_in(command: &str, out: &[String]) -> Vec<i64> {
    let id = |text: &str| text.parse::<i64>().unwrap_or_else(|_| panic!("{text:?}"));
    if command == "show" {
        out.iter()
            .filter_map(|l| l.strip_prefix("Conversation "))
            .map(id)
            .collect()
    } else {
        assert_eq!(out[0].split(',').next(), Some("conversation_id"), "{out:?}");
        out[1..]
            .iter()
            .map(|l| id(l.split(',').next().unwrap()))
            .collect()
    }
}

#[test]
fn follow_a_growing_file_each_conversation_once() {
    let wd = Workdir::new();
    wd.write("hook.ndjson", ndjson(1));
    let (mut child, _stdin, rx) = start(
        &wd,
        &[
            "export",
            "--follow",
            "hook.ndjson",
            "--columns",
            "channel_id",
            "--no-header",
        ],
    );
    assert_eq!(next_line(&rx, "the payload already there"), "1");
    let append = |text: &str| {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(wd.path("hook.ndjson"))
            .expect("open");
        file.write_all(text.as_bytes()).expect("append");
    };
    append(&ndjson(2));
    assert_eq!(next_line(&rx, "an appended payload"), "2");
    // A copy of a conversation already written is not written again.
    append(&(ndjson(1) + &ndjson(3)));
    assert_eq!(next_line(&rx, "the next new conversation"), "3");
    // Replaced (rotated): read from its start; 4 is new.
    wd.write("hook.ndjson", ndjson(3) + &ndjson(4));
    assert_eq!(next_line(&rx, "a payload in the new file"), "4");
    child.kill().expect("stop sshook");
    let _ = child.wait();
}

#[test]
fn follow_a_dumps_folder_as_serve_writes_it() {
    let wd = Workdir::new();
    wd.write("dumps/2026/03/01/a.json", ndjson(1));
    let (mut child, _stdin, rx) = start(&wd, &["list", "--follow", "dumps", "--format", "csv"]);
    next_line(&rx, "the header");
    assert!(next_line(&rx, "a stored payload").starts_with("1,"));
    // As serve stores: a temporary file, then its name.
    wd.write("dumps/2026/03/02/.tmp-1", ndjson(2));
    std::fs::rename(
        wd.path("dumps/2026/03/02/.tmp-1"),
        wd.path("dumps/2026/03/02/b.json"),
    )
    .expect("rename");
    assert!(next_line(&rx, "a new file").starts_with("2,"));
    child.kill().expect("stop sshook");
    let _ = child.wait();
}

/// Files that appear in a followed folder come out once each, in the order they were
/// completed; what a walk would skip is skipped. With the system's notifications, files are
/// also written in place (read once closed); with `--poll`, which may come upon a file half
/// written, they are renamed into place as `serve` stores them.
#[test]
fn follow_a_folder_reads_each_new_file_once_as_it_is_completed() {
    for poll in [false, true] {
        let wd = Workdir::new();
        let store = |name: &str, text: String| {
            if poll {
                let temp = format!("{name}.tmp");
                wd.write(&temp, text);
                std::fs::rename(wd.path(&temp), wd.path(name)).expect("rename");
            } else {
                wd.write(name, text);
            }
        };
        store("dumps/2026/03/01/a.json", ndjson(1));
        let mut args = vec!["export", "--follow", "dumps", "--columns", "channel_id"];
        args.extend(["--no-header", "--quiet"]);
        if poll {
            args.push("--poll");
        }
        let (mut child, _stdin, rx) = start(&wd, &args);
        assert_eq!(next_line(&rx, "the file already there"), "1");
        store("dumps/2026/03/01/b.json", ndjson(2));
        assert_eq!(next_line(&rx, "a new file"), "2");
        // Folders made at once, and a file in the deepest.
        store("dumps/2027/01/02/c.ndjson", ndjson(3) + &ndjson(4));
        assert_eq!(next_line(&rx, "a file in new folders"), "3");
        assert_eq!(next_line(&rx, "its second line"), "4");
        // Skipped as a walk skips them; a conversation already written is not written again;
        // then one that is new.
        store("dumps/rejected/x.json", ndjson(90));
        store("dumps/2026/03/01/.hidden.json", ndjson(91));
        store("dumps/2026/03/01/notes.txt", ndjson(92));
        store("dumps/2026/03/01/again.json", ndjson(2));
        store("dumps/2026/03/01/e.json", ndjson(5));
        assert_eq!(next_line(&rx, "the next new file"), "5");
        // A file replaced is not read again.
        store("dumps/2026/03/01/e.json", ndjson(93));
        store("dumps/2026/03/01/f.json", ndjson(6));
        assert_eq!(next_line(&rx, "the file after a replaced one"), "6");
        child.kill().expect("stop sshook");
        let _ = child.wait();
        let rest: Vec<String> = rx.try_iter().collect();
        assert!(rest.is_empty(), "poll {poll}: {rest:?}");
    }
}

#[test]
fn poll_goes_with_follow() {
    let wd = Workdir::new();
    wd.write("hook.ndjson", ndjson(1));
    let run = wd.run(&["export", "hook.ndjson", "--poll"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--follow"), "{}", run.stderr);
}

#[test]
fn follow_refuses_what_cannot_stream() {
    let wd = Workdir::new();
    wd.write("hook.ndjson", ndjson(1));
    for args in [
        &["export", "--follow", "hook.ndjson", "-o", "out.csv"][..],
        &["list", "--follow", "hook.ndjson", "-f", "table"],
        &[
            "list",
            "--follow",
            "hook.ndjson",
            "-f",
            "csv",
            "--sort",
            "begin",
        ],
    ] {
        let run = wd.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("--follow"), "{}", run.stderr);
    }
}

/// A webhook event of conversation `id` at `minute` minutes past 2026-01-01 00:00 UTC.
fn event(name: &str, id: &str, minute: i64) -> String {
    let time = format!("2026-01-01T{:02}:{:02}:00.000Z", minute / 60, minute % 60);
    format!(
        r#"{{"type":"event_callback","event":"{name}","timestamp":"{time}","account_id":"1","data":{{"conversation":{{"id":"{id}","status":"{}"}}}}}}"#,
        if name == "conversation.closed" {
            "closed"
        } else {
            "open"
        }
    ) + "\n"
}

#[test]
fn follow_writes_a_webhook_conversation_once_it_is_closed_and_settled() {
    let wd = Workdir::new();
    wd.write(
        "events.ndjson",
        event("conversation.opened", "a", 0)
            + &event("conversation.closed", "a", 1)
            + &event("conversation.opened", "b", 2),
    );
    let mut child = wd
        .std_command(&export_ids(&["--follow", "events.ndjson"]))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sshook");
    let lines = |pipe: Box<dyn std::io::Read + Send>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        rx
    };
    let out = lines(Box::new(child.stdout.take().expect("stdout")));
    let err = lines(Box::new(child.stderr.take().expect("stderr")));
    let append = |text: &str| {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(wd.path("events.ndjson"))
            .expect("open");
        file.write_all(text.as_bytes()).expect("append");
    };
    // b at 10 minutes: a was closed at 1, not yet 15 minutes of the stream ago.
    append(&event("conversation.contact_replied", "b", 10));
    // b at 17: now a is settled, and written; b is open and is not.
    append(&event("conversation.contact_replied", "b", 17));
    assert_eq!(next_line(&out, "the settled conversation"), "a,incomplete");
    // An event of a, already written, is left out with a warning.
    append(&event("conversation.rated", "a", 18));
    let warning = next_line(&err, "the warning about a late event");
    assert!(
        warning
            .starts_with("events.ndjson:6: warning: an event of conversation a, already written"),
        "{warning}"
    );
    assert!(
        warning.contains("the stream 15 minutes past its last event"),
        "{warning}"
    );
    // b closes and settles: written once, after a.
    append(&event("conversation.closed", "b", 20));
    append(&event("conversation.opened", "c", 36));
    assert_eq!(
        next_line(&out, "the second settled conversation"),
        "b,incomplete"
    );
    child.kill().expect("stop sshook");
    let _ = child.wait();
    assert!(
        out.try_recv().is_err(),
        "a conversation written twice, or c too early"
    );
}

/// Followed standard input (with `extra` arguments): a opens at minute 0 and closes at 1, b
/// opens at 2 and writes at `minute`. a must come out then, while the pipe is still open; when
/// the pipe closes, b, still open, is written at its end, and the run ends.
fn follow_of_standard_input_settles(extra: &[&str], minute: i64) {
    let wd = Workdir::new();
    let mut input = vec!["--follow", "-"];
    input.extend_from_slice(extra);
    let (mut child, mut stdin, out) = start(&wd, &export_ids(&input));
    send(
        &mut stdin,
        &(event("conversation.opened", "a", 0)
            + &event("conversation.closed", "a", 1)
            + &event("conversation.opened", "b", 2)),
    );
    send(
        &mut stdin,
        &event("conversation.contact_replied", "b", minute),
    );
    assert_eq!(next_line(&out, "the settled conversation"), "a,incomplete");
    drop(stdin);
    assert_eq!(
        next_line(&out, "the conversation left at the end"),
        "b,open"
    );
    assert_eq!(exits(&mut child, "export --follow -"), 0);
    assert!(out.recv().is_err(), "a conversation written twice");
}

/// b at 17: a, closed at 1, is more than the default 15 minutes behind the stream.
#[test]
fn follow_of_standard_input_writes_webhook_conversations_as_they_settle() {
    follow_of_standard_input_settles(&[], 17);
}

/// `--settle` sets how long a closed conversation waits: at 4, a, closed at 1, is 3 minutes
/// behind the stream, past 2 minutes (and not yet 15).
#[test]
fn follow_settles_after_the_length_given() {
    follow_of_standard_input_settles(&["--settle", "2m"], 4);
}

#[test]
fn settle_takes_a_length_and_needs_follow() {
    let wd = Workdir::new();
    wd.write("events.ndjson", event("conversation.opened", "a", 0));
    for (args, says) in [
        (
            vec!["export", "--settle", "2m", "events.ndjson"],
            "--follow",
        ),
        (
            vec!["export", "--follow", "events.ndjson", "--settle", "15"],
            "is not a duration",
        ),
    ] {
        let run = wd.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
}

/// Without --follow a pipe is read to its end first: the same conversations as from a file, in
/// the order of their first event, whatever came later.
#[test]
fn a_pipe_of_webhook_events_gives_the_conversations_at_its_end() {
    let wd = Workdir::new();
    let (mut child, mut stdin, out) = start(&wd, &export_ids(&["-"]));
    send(
        &mut stdin,
        &(event("conversation.opened", "b", 0)
            + &event("conversation.opened", "a", 1)
            + &event("conversation.closed", "a", 2)
            + &event("conversation.contact_replied", "b", 30)),
    );
    drop(stdin);
    assert_eq!(exits(&mut child, "export -"), 0);
    let rows: Vec<String> = out.iter().collect();
    assert_eq!(rows, ["b,open", "a,incomplete"]);
}

/// A followed stream counts its events as a read one does: the summary is the same.
#[test]
fn follow_of_standard_input_counts_its_events() {
    let wd = Workdir::new();
    let events = event("conversation.opened", "a", 0)
        + &event("conversation.opened", "a", 0)
        + &event("conversation.closed", "a", 1);
    let args = ["export", "--columns", "conversation_id,status", "-"];
    let read = wd.run_with_stdin(&args, events.clone());
    let followed = wd.run_with_stdin(
        &[
            "export",
            "--columns",
            "conversation_id,status",
            "--follow",
            "-",
        ],
        events,
    );
    assert_eq!((read.code, followed.code), (0, 0));
    assert_eq!(followed.stdout, read.stdout);
    assert!(
        read.stderr.contains("2 webhook events read"),
        "{}",
        read.stderr
    );
    assert_eq!(followed.stderr, read.stderr);
}
