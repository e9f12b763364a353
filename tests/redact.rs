//! `--redact`: personal data replaced by keyed pseudonyms on every reading command, figures
//! unchanged.

use std::collections::BTreeMap;

use crate::common::{payload, Workdir};
use serde_json::Value;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");

fn rows(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson row"))
        .collect()
}

fn export(wd: &Workdir, extra: &[&str]) -> String {
    let mut args = vec!["export", SAMPLE, "-f", "ndjson", "--utc"];
    args.extend_from_slice(extra);
    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn column<'v>(rows: &'v [Value], name: &str) -> Vec<&'v str> {
    rows.iter()
        .filter_map(|r| r[name].as_str())
        .filter(|s| !s.trim().is_empty())
        .collect()
}

#[test]
fn export_redacted_holds_no_email_ip_or_visitor_name_of_the_input() {
    let wd = Workdir::new();
    let plain = rows(&export(&wd, &[]));
    let redacted = export(&wd, &["--redact"]);
    let mut personal = Vec::new();
    for name in ["visitor_name", "visitor_email", "visitor_ip"] {
        personal.extend(column(&plain, name));
    }
    assert!(personal.len() > 20, "the sample has personal data");
    // Agent names are kept (a visitor Petr and an agent Petr Dvořák share a word).
    let mut redacted = rows(&redacted);
    for r in &mut redacted {
        r.as_object_mut().expect("row").remove("agents");
    }
    let text = serde_json::to_string(&redacted).expect("json");
    for value in personal {
        assert!(!text.contains(value), "{value} left in the redacted export");
    }
    for r in &redacted {
        for (name, prefix) in [
            ("visitor_name", "visitor-"),
            ("visitor_email", "email-"),
            ("visitor_ip", "ip-"),
            ("visitor_city", "city-"),
        ] {
            if let Some(v) = r[name].as_str().filter(|v| !v.is_empty()) {
                assert!(v.starts_with(prefix), "{name}: {v}");
            }
        }
    }
    // Messages too: the payload rows keep every field.
    let payloads = export(&wd, &["--redact", "--rows", "payloads"]);
    for value in ["lena.weiss@gmx.de", "eva@example.com", "Eva Nováková"] {
        assert!(!payloads.contains(value), "{value} left in {payloads}");
    }
}

#[test]
fn pseudonyms_are_stable_with_a_key_and_differ_with_another() {
    let wd = Workdir::new();
    let a = export(&wd, &["--redact", "--redact-key", "k1"]);
    let b = export(&wd, &["--redact", "--redact-key", "k1"]);
    let c = export(&wd, &["--redact", "--redact-key", "k2"]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let from_env = wd
        .command(&["export", SAMPLE, "-f", "ndjson", "--utc", "--redact"])
        .env("SSHOOK_REDACT_KEY", "k1")
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&from_env.stdout), a);
    // Without a key the pseudonyms are per run, but still one per value within the run.
    let rows = rows(&export(&wd, &["--redact"]));
    let emails = column(&rows, "visitor_email");
    let plain_rows = self::rows(&export(&wd, &[]));
    let plain_emails = column(&plain_rows, "visitor_email");
    let distinct = |v: &[&str]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
    assert_eq!(distinct(&emails), distinct(&plain_emails));
}

#[test]
fn per_pseudonym_counts_equal_per_visitor_counts() {
    let wd = Workdir::new();
    let counts = |rows: &[Value], name: &str| {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for r in rows {
            *counts.entry(r[name].to_string()).or_default() += 1;
        }
        let mut n: Vec<u64> = counts.into_values().collect();
        n.sort();
        n
    };
    let plain = rows(&export(&wd, &[]));
    let redacted = rows(&export(&wd, &["--redact", "--redact-key", "k"]));
    for name in ["visitor_name", "visitor_email", "visitor_id", "visitor_ip"] {
        assert_eq!(counts(&plain, name), counts(&redacted, name), "{name}");
    }
}

#[test]
fn stats_figures_do_not_change() {
    let wd = Workdir::new();
    for by in [
        &[][..],
        &["--by", "month"],
        &["--by", "country", "--format", "csv"],
    ] {
        let mut args = vec!["stats", SAMPLE, "--utc"];
        args.extend_from_slice(by);
        let plain = wd.run(&args);
        args.push("--redact");
        let redacted = wd.run(&args);
        assert_eq!(plain.code, 0);
        assert_eq!(plain.stdout, redacted.stdout, "{by:?}");
    }
    // With --redact-agents the agent rows are renamed, their figures stay.
    let figures = |args: &[&str]| -> Vec<String> {
        let mut lines: Vec<String> = wd
            .run(args)
            .stdout
            .lines()
            .skip(1)
            .map(|l| l.split_once(',').map_or("", |(_, f)| f).to_string())
            .collect();
        lines.sort();
        lines
    };
    let base = ["stats", SAMPLE, "--utc", "--by", "agent", "--format", "csv"];
    let mut redacted = base.to_vec();
    redacted.extend(["--redact", "--redact-agents"]);
    assert_eq!(figures(&base), figures(&redacted));
    assert!(!wd.run(&redacted).stdout.contains("John Doe"));
}

/// A payload whose visitor writes `text`, exported redacted: the message as rendered.
fn redacted_message(text: &str) -> String {
    let wd = Workdir::new();
    let json = payload(1, 1_772_442_847_000)
        .replace("\"hi there\"", &serde_json::to_string(text).expect("json"));
    wd.write("p.json", json);
    let run = wd.run(&[
        "export",
        "p.json",
        "-f",
        "ndjson",
        "--columns",
        "first_visitor_message,words_counted",
        "--redact",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row: Value = serde_json::from_str(run.stdout.trim()).expect("row");
    assert_eq!(
        row["words_counted"].as_i64(),
        Some(text.split_whitespace().count() as i64 + 2),
        "word count kept for {text}"
    );
    row["first_visitor_message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn each_pattern_is_redacted_in_messages() {
    for (text, secret, prefix) in [
        (
            "mail me at jan.novak@example.cz ok",
            "jan.novak@example.cz",
            "email-",
        ),
        ("call +420 777 123 456 please", "777 123 456", "phone-"),
        ("call 602-123-456 please", "602-123-456", "phone-"),
        ("card 4111 1111 1111 1111 thanks", "4111 1111", "card-"),
        ("card 5500005555555559 thanks", "5500005555555559", "card-"),
        (
            "iban CZ65 0800 0000 1920 0014 5399 ok",
            "0800 0000",
            "iban-",
        ),
        (
            "iban DE89370400440532013000 ok",
            "DE89370400440532013000",
            "iban-",
        ),
        ("my ip is 203.0.113.7 ok", "203.0.113.7", "ip-"),
        ("my ip is 2001:db8::ff00:42:8329 ok", "2001:db8", "ip-"),
    ] {
        let out = redacted_message(text);
        assert!(!out.contains(secret), "{text} -> {out}");
        assert!(out.contains(prefix), "{text} -> {out}");
    }
}

#[test]
fn look_alikes_are_not_redacted() {
    for text in [
        "order 20260314001 is on its way",
        "order no. 123456789 shipped",
        "it costs 1 299 Kč or 12,990.50 EUR",
        "price 4 990 000 Kč",
        "delivered on 2026-03-14 at 14:30:00",
        "delivered on 14.03.2026 at 9:15",
        "card 4111 1111 1111 1112 fails Luhn",
        "iban CZ65 0800 0000 1920 0014 5398 fails the checksum",
        "app version 2.10.3.4.1",
        "tracking 1Z999AA10123456784",
    ] {
        assert_eq!(redacted_message(text), text);
    }
}

#[test]
fn agents_are_kept_unless_asked() {
    let wd = Workdir::new();
    wd.write("p.json", payload(1, 1_772_442_847_000));
    let shown = wd.run(&["show", "p.json", "--redact", "--utc"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("John Doe"));
    assert!(!shown.stdout.contains("Eva"));
    let shown = wd.run(&["show", "p.json", "--redact", "--redact-agents", "--utc"]);
    assert!(!shown.stdout.contains("John Doe"));
    assert!(shown.stdout.contains("agent-"));
    let listed = wd.run(&["list", "p.json", "--redact", "-f", "csv"]);
    assert!(!listed.stdout.contains("Eva"), "{}", listed.stdout);
}

#[test]
fn webhook_events_are_redacted_too() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "export",
        &format!("{SAMPLE}/webhooks"),
        "--rows",
        "events",
        "-f",
        "ndjson",
        "--redact",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for value in ["eva@example.com", "Eva Nováková"] {
        assert!(!run.stdout.contains(value), "{value} in {}", run.stdout);
    }
}

#[test]
fn redact_help_lists_fields_and_patterns() {
    let wd = Workdir::new();
    let run = wd.run(&["export", "--redact-help"]);
    assert_eq!(run.code, 0);
    for word in [
        "visitor.email",
        "location_ip",
        "Luhn",
        "IBAN",
        "IPv6",
        "--redact-agents",
    ] {
        assert!(run.stdout.contains(word), "{word}");
    }
}

#[test]
fn every_field_is_searched_notes_variables_and_pages_too() {
    let wd = Workdir::new();
    let json = payload(1, 1_772_442_847_000).replace(
        r#""name":"Eva","countryCode":"CZ"}"#,
        r#""name":"Eva Malá","note":"rings from +420 603 111 222","countryCode":"CZ","variables":{"mail":{"label":"Mail","value":"eva.mala@example.org"}}}"#,
    ).replace(
        r#""paths":[]"#,
        r#""paths":[{"url":"https://shop.example/?ip=198.51.100.23","title":"Order for Eva Malá"}]"#,
    );
    wd.write("p.json", json);
    for args in [
        &[
            "export", "p.json", "--rows", "payloads", "-f", "ndjson", "--redact",
        ][..],
        &["show", "p.json", "--format", "json", "--redact"],
        &["show", "p.json", "--redact", "--utc"],
    ] {
        let run = wd.run(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for secret in [
            "603 111 222",
            "eva.mala@example.org",
            "198.51.100.23",
            "Malá",
        ] {
            assert!(
                !run.stdout.contains(secret),
                "{secret} in {args:?}: {}",
                run.stdout
            );
        }
    }
}
