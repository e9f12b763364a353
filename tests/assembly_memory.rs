//! Webhook assembly in bounded memory (`--memory`, `src/model/webhook/assembler.rs`): the
//! conversations, their JSON and their order are the same whatever the budget, from a budget
//! so small that every event goes through the temporary files to one that holds everything.
//!
//! `tests/fixtures/webhook-stream/events.ndjson.gz`: `python3 bench/gen_events.py
//! --conversations 120 --seed 28` (out of order, re-delivered copies), with contact events
//! of several versions (one re-delivered, equal versions), events of unknown names with and
//! without a conversation, and the events of `tests/fixtures/webhooks/closed-and-rated.ndjson`
//! mixed in. `tests/expected/assembled-payloads.ndjson.gz` is what `export --rows payloads -f
//! ndjson --utc` wrote for it before the assembly was partitioned (a fold of the whole stream
//! in memory): the reference. (Not under `fixtures/`, whose payloads the fast path's reference
//! test reads: assembled ones take serde's path.)

use std::io::Read;

use crate::common::Workdir;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/webhook-stream");

fn gunzip(path: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn workdir() -> Workdir {
    let wd = Workdir::new();
    wd.write(
        "events.ndjson.gz",
        std::fs::read(format!("{FIXTURES}/events.ndjson.gz")).unwrap(),
    );
    wd
}

/// Budgets: every event spilled, some spilled, none (the default and a large one).
const BUDGETS: [Option<&str>; 4] = [Some("1K"), Some("64K"), None, Some("1G")];

/// Runs `args` on the fixture with each budget; stdout and stderr must not depend on it.
fn same_whatever_the_budget(wd: &Workdir, args: &[&str]) -> String {
    let mut first: Option<(String, String)> = None;
    for budget in BUDGETS {
        let mut all: Vec<&str> = args.to_vec();
        if let Some(budget) = budget {
            all.extend(["--memory", budget]);
        }
        all.push("events.ndjson.gz");
        let run = wd.run(&all);
        assert_eq!(run.code, 0, "{all:?}: {}", run.stderr);
        match &first {
            None => first = Some((run.stdout, run.stderr)),
            Some((stdout, stderr)) => {
                assert!(*stdout == run.stdout, "{all:?}: stdout differs");
                assert_eq!(*stderr, run.stderr, "{all:?}");
            }
        }
    }
    first.unwrap().0
}

#[test]
fn assembled_payloads_are_the_whole_stream_fold_whatever_the_budget() {
    let wd = workdir();
    let out = same_whatever_the_budget(
        &wd,
        &["export", "--utc", "--rows", "payloads", "-f", "ndjson"],
    );
    let reference = gunzip(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/expected/assembled-payloads.ndjson.gz"
    ));
    assert_eq!(out.lines().count(), 121);
    assert!(
        out == reference,
        "the assembled JSON differs from the reference"
    );
}

#[test]
fn export_list_and_stats_do_not_depend_on_the_budget() {
    let wd = workdir();
    let csv = same_whatever_the_budget(&wd, &["export", "--utc", "-f", "csv"]);
    assert_eq!(csv.lines().count(), 122);
    // Contact facts: the latest version wins, an equal later one too (`note 2`).
    assert!(csv.contains(",v0@example.com,note 2,"), "{csv}");
    same_whatever_the_budget(&wd, &["export", "--utc", "-f", "ndjson"]);
    same_whatever_the_budget(&wd, &["export", "--utc", "--rows", "messages", "-f", "csv"]);
    same_whatever_the_budget(&wd, &["export", "--utc", "--rows", "events", "-f", "csv"]);
    same_whatever_the_budget(&wd, &["list", "--utc"]);
    same_whatever_the_budget(&wd, &["stats", "--utc"]);
    same_whatever_the_budget(&wd, &["stats", "--utc", "--by", "day"]);
    same_whatever_the_budget(&wd, &["list", "--utc", "--status", "missed", "-n", "5"]);
    same_whatever_the_budget(&wd, &["show", "--utc", "-f", "json"]);
}

#[test]
fn a_bad_memory_size_is_a_usage_error() {
    let wd = workdir();
    for bad in ["lots", "0", "1.5G", "-1M", "64X"] {
        let flag = format!("--memory={bad}");
        let run = wd.run(&["export", &flag, "events.ndjson.gz"]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("--memory"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    let run = wd.run(&["completions", "bash", "--memory", "1G"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--memory"), "{}", run.stderr);
}

#[test]
fn temporary_files_that_cannot_be_written_are_a_clear_error() {
    let wd = workdir();
    let missing = wd.path("no-such-dir");
    let run = wd
        .command(&["export", "--utc", "--memory", "1K", "events.ndjson.gz"])
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("TMPDIR"), "{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Within the budget nothing is written there: the run succeeds.
    let run = wd
        .command(&["export", "--utc", "events.ndjson.gz"])
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
}
