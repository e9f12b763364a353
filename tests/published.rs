//! Every version of the POST-hook example that Smartsupp has published reads: the official
//! one, `groupKey` with bare visitor keys and `"email": null`, the 2018 shape with an agent's
//! `from` as a number and `null` for trigger and system messages — and the published copy with
//! a trailing comma is a syntax error at its line.

use crate::common::Workdir;
use serde_json::Value;

const PUBLISHED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/published");

const VALID: [&str; 4] = [
    "2015-official.json",
    "2016-groupkey-bare-visitor.json",
    "2018-numeric-from.json",
    "2018-compact.json",
];

fn fixture(name: &str) -> String {
    format!("{PUBLISHED}/{name}")
}

#[test]
fn every_published_version_exports_one_conversation_with_its_agent() {
    let wd = Workdir::new();
    for name in VALID {
        let run = wd.run(&[
            "export",
            "-f",
            "ndjson",
            "--columns",
            "channel_id,agents,triggers,messages_counted,visitor_id",
            &fixture(name),
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let rows: Vec<Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 1, "{name}");
        let row = &rows[0];
        assert_eq!(row["channel_id"], 55039, "{name}");
        assert_eq!(row["agents"], "John Doe", "{name}");
        assert_eq!(row["triggers"], "Test Trigger", "{name}");
        assert_eq!(row["messages_counted"], 4, "{name}");
        assert_eq!(row["visitor_id"], 27671, "{name}: a number stays a number");
    }
}

#[test]
fn numeric_from_is_the_agent_and_null_from_is_a_trigger_or_system_message() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "show",
        "--format",
        "json",
        &fixture("2018-numeric-from.json"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let kinds: Vec<&str> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sender_kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["visitor", "system", "trigger", "agent", "visitor", "system"]
    );
    assert_eq!(doc["messages"][3]["sender_id"], "3");
    assert_eq!(doc["messages"][1]["event"], "agent.join");
    // Unknown message fields stay with their message, `"email": null` included.
    assert_eq!(
        doc["messages"][0]["extra"],
        serde_json::json!({"email": null})
    );
    assert_eq!(doc["extra"], serde_json::json!({}));
    assert_eq!(doc["visitor"]["id"], 27671);
}

#[test]
fn the_published_trailing_comma_is_a_syntax_error_at_its_line() {
    let wd = Workdir::new();
    let path = fixture("2016-trailing-comma.json");
    let run = wd.run(&["validate", &path]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().next().unwrap();
    assert!(
        line.ends_with(
            "2016-trailing-comma.json:48:3: error: syntax error: trailing comma near `},`"
        ),
        "{line}"
    );
}

#[test]
fn all_versions_validate_together_with_one_error() {
    let wd = Workdir::new();
    let run = wd.run(&["validate", "-q", PUBLISHED]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
}
