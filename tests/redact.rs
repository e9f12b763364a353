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

/// The personal fields of a conversation row and the kind of pseudonym each becomes.
const PERSONAL: [(&str, &str); 5] = [
    ("visitor_name", "visitor"),
    ("visitor_email", "email"),
    ("visitor_ip", "ip"),
    ("visitor_city", "city"),
    ("visitor_id", "id"),
];

/// `KIND-` and 12 lower-case hex digits.
fn is_pseudonym(value: &str, kind: &str) -> bool {
    value
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            hex.len() == 12
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// A plain value as the pseudonym stands for it: e-mails and IP addresses in any case are one
/// value; numbers (visitor ids) as their text; `None` for no value (null or empty).
fn plain_value(value: &Value, kind: &str) -> Option<String> {
    let text = match value {
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Null => return None,
        other => other.to_string(),
    };
    Some(if kind == "email" || kind == "ip" {
        text.to_lowercase()
    } else {
        text
    })
}

/// For each personal field, the pseudonym of each plain value of `plain` in the rows of
/// `redacted` (the same conversations, in the same order). Fails unless every value that was
/// there is a pseudonym of its kind, every absent value stays as it was, one value has one
/// pseudonym, and different values have different ones.
fn pseudonyms(plain: &[Value], redacted: &[Value]) -> BTreeMap<(&'static str, String), String> {
    assert_eq!(plain.len(), redacted.len());
    let mut map: BTreeMap<(&'static str, String), String> = BTreeMap::new();
    for (p, r) in plain.iter().zip(redacted) {
        assert_eq!(p["conversation_id"], r["conversation_id"], "same order");
        for (name, kind) in PERSONAL {
            let Some(value) = plain_value(&p[name], kind) else {
                assert_eq!(r[name], p[name], "{name}: no value stays no value");
                continue;
            };
            let pseudonym = r[name].as_str().unwrap_or_default().to_string();
            assert!(
                is_pseudonym(&pseudonym, kind),
                "{name}: {value} -> {pseudonym}"
            );
            let known = map
                .entry((name, value.clone()))
                .or_insert(pseudonym.clone());
            assert_eq!(*known, pseudonym, "{name}: {value} has two pseudonyms");
        }
    }
    for (name, _) in PERSONAL {
        let of_field: Vec<&String> = (map.iter())
            .filter(|((n, _), _)| *n == name)
            .map(|(_, p)| p)
            .collect();
        let distinct: std::collections::BTreeSet<_> = of_field.iter().collect();
        assert_eq!(
            distinct.len(),
            of_field.len(),
            "{name}: two values, one pseudonym"
        );
    }
    map
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
    // The same rows with the same columns; what is not personal is unchanged: ids, times,
    // statuses, counts, ratings (every value that is not text), and these texts.
    let redacted = rows(&export(&wd, &["--redact"]));
    assert_eq!(redacted.len(), plain.len());
    let personal: Vec<&str> = PERSONAL.iter().map(|(name, _)| *name).collect();
    let mut compared = 0;
    for (p, r) in plain.iter().zip(&redacted) {
        let (p, r) = (p.as_object().unwrap(), r.as_object().unwrap());
        assert_eq!(p.keys().collect::<Vec<_>>(), r.keys().collect::<Vec<_>>());
        for (key, value) in p {
            let kept_text = [
                "conversation_id",
                "source",
                "begin_at",
                "end_at",
                "status",
                "visitor_country_code",
                "agents",
                "source_file",
            ]
            .contains(&key.as_str());
            if !personal.contains(&key.as_str()) && (kept_text || !value.is_string()) {
                assert_eq!(&r[key], value, "{key} of {}", p["conversation_id"]);
                compared += 1;
            }
        }
    }
    assert!(compared > 20 * plain.len(), "{compared}");
    // Every personal value that was there is a pseudonym of its kind, one per value.
    let map = pseudonyms(&plain, &redacted);
    for (name, kind) in PERSONAL {
        let n = map.keys().filter(|(n, _)| *n == name).count();
        assert!(n >= 3, "{name}: {n} {kind}- pseudonyms");
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
    // With a key: one pseudonym per value in a run, the same in the next run, and another
    // one for every value under another key.
    let plain = rows(&export(&wd, &[]));
    let k1 = pseudonyms(&plain, &rows(&a));
    assert_eq!(k1, pseudonyms(&plain, &rows(&b)));
    let k2 = pseudonyms(&plain, &rows(&c));
    assert_eq!(k1.len(), k2.len());
    assert!(k1.len() > 40, "{}", k1.len());
    for (value, pseudonym) in &k1 {
        assert_ne!(&k2[value], pseudonym, "{value:?} under k1 and k2");
    }
    // Without a key the pseudonyms are per run, but still one per value within the run.
    let once = pseudonyms(&plain, &rows(&export(&wd, &["--redact"])));
    let again = pseudonyms(&plain, &rows(&export(&wd, &["--redact"])));
    assert_eq!(once.len(), k1.len());
    assert!(once
        .iter()
        .all(|(value, p)| &again[value] != p && &k1[value] != p));
    let emails = column(&plain, "visitor_email");
    let distinct = |v: &[&str]| {
        v.iter()
            .map(|e| e.to_lowercase())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let n = once.keys().filter(|(n, _)| *n == "visitor_email").count();
    assert_eq!(n, distinct(&emails));
}

/// A visitor's own e-mail written in a message gets the pseudonym of the visitor's e-mail
/// field, in any case: one value, one pseudonym, wherever it is.
#[test]
fn one_value_has_one_pseudonym_in_every_field() {
    let wd = Workdir::new();
    let json = payload(1, 1_772_442_847_000)
        .replace(
            r#""name":"Eva","countryCode":"CZ"}"#,
            r#""name":"Eva","email":"Eva.Mala@Example.org","countryCode":"CZ"}"#,
        )
        .replace("\"hi there\"", "\"write to eva.mala@example.org please\"");
    wd.write("p.json", json);
    let args = [
        "export",
        "p.json",
        "-f",
        "ndjson",
        "--columns",
        "channel_id,visitor_email,first_visitor_message,words_counted",
        "--redact",
        "--redact-key",
        "k",
    ];
    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let email = row["visitor_email"].as_str().unwrap();
    assert!(is_pseudonym(email, "email"), "{email}");
    assert_eq!(
        row["first_visitor_message"],
        format!("write to {email} please")
    );
    assert_eq!(row["channel_id"], 1);
    assert_eq!(row["words_counted"], 4 + 2);
    // The same key, the same pseudonym in the next run.
    assert_eq!(wd.run(&args).stdout, run.stdout);
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
        assert_eq!(redacted.code, 0, "{}", redacted.stderr);
        assert_eq!(plain.stdout, redacted.stdout, "{by:?}");
        // Figures, not an empty output: the conversations add up to every row exported.
        let conversations = conversation_total(&redacted.stdout);
        assert_eq!(
            conversations,
            rows(&export(&wd, &[])).len() as u64,
            "{by:?}"
        );
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
    assert!(figures(&base).len() >= 3, "{:?}", figures(&base));
    assert_eq!(figures(&base), figures(&redacted));
    let out = wd.run(&redacted).stdout;
    assert!(!out.contains("John Doe"));
    // Each agent row is named by a pseudonym (the last row, the total, has no name).
    let names: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let (total, agents) = names.split_last().unwrap();
    assert_eq!(*total, "");
    assert!(agents.iter().all(|a| is_pseudonym(a, "agent")), "{names:?}");
}

/// The `conversations` figure of stats' output (CSV, or the last row of a grouped CSV: the
/// total; or a table's `conversations` column total).
fn conversation_total(stdout: &str) -> u64 {
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let column = (reader.headers().unwrap().iter())
        .position(|h| h == "conversations")
        .unwrap_or_else(|| panic!("no conversations column: {stdout}"));
    let last = reader.records().last().unwrap().unwrap();
    last[column].parse().unwrap()
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
        // The whole value, and only it, is replaced: its pseudonym, then one # per further
        // word (the word count is kept).
        let value = [
            "jan.novak@example.cz",
            "+420 777 123 456",
            "602-123-456",
            "4111 1111 1111 1111",
            "5500005555555559",
            "CZ65 0800 0000 1920 0014 5399",
            "DE89370400440532013000",
            "203.0.113.7",
            "2001:db8::ff00:42:8329",
        ]
        .into_iter()
        .find(|v| text.contains(v))
        .unwrap();
        let (before, after) = text.split_once(value).unwrap();
        let middle = out
            .strip_prefix(before)
            .and_then(|m| m.strip_suffix(after))
            .unwrap_or_else(|| panic!("{text} -> {out}"));
        let (pseudonym, rest) = middle.split_once(' ').unwrap_or((middle, ""));
        let kind = prefix.trim_end_matches('-');
        assert!(is_pseudonym(pseudonym, kind), "{text} -> {out}");
        let further = value.split_whitespace().count() - 1;
        assert_eq!(rest, vec!["#"; further].join(" "), "{text} -> {out}");
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
    assert!(
        shown.stdout.starts_with("Conversation 1\n"),
        "{}",
        shown.stdout
    );
    let listed = wd.run(&["list", "p.json", "--redact", "-f", "csv"]);
    assert!(!listed.stdout.contains("Eva"), "{}", listed.stdout);
    // The row is there, with its id, its count and a visitor pseudonym for Eva.
    let mut reader = csv::Reader::from_reader(listed.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1, "{}", listed.stdout);
    let cell = |name: &str| &rows[0][header.iter().position(|h| h == name).unwrap()];
    assert_eq!(cell("conversation_id"), "1");
    assert_eq!(cell("messages_counted"), "2");
    assert_eq!(cell("agents"), "John Doe");
    assert!(
        is_pseudonym(cell("visitor_name"), "visitor"),
        "{}",
        listed.stdout
    );
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
