//! `--redact` replaces the visitor's given and family names on their own, wherever they appear
//! in message texts and custom variables, as whole words in any case; agents' names stay
//! unless `--redact-agents`.

use crate::common::Workdir;
use serde_json::Value;

const PAYLOAD: &str = r#"{"beginAt":1773133200000,"endAt":1773133300000,"channel":{"id":7},
"visitor":{"name":"Emily Clarke","email":"emily@example.com",
 "variables":{"note":{"label":"Note","value":"call Emily after 5"}}},
"messages":[
 {"sentAt":1773133200000,"type":"visitor","from":"visitor:1","content":"Hi, EMILY here, from the Clarke family. Emilyne is my cousin."},
 {"sentAt":1773133210000,"type":"agent","from":"agent:1","name":"John Doe","content":"Hi Emily, I am John. Thanks, Zoë"}]}"#;

fn messages(wd: &Workdir, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["export", "--rows", "messages", "-f", "ndjson", "--redact"];
    args.extend_from_slice(extra);
    args.push("chat.json");
    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(row: &Value) -> &str {
    row["content"].as_str().unwrap()
}

#[test]
fn given_and_family_names_are_replaced_in_any_case() {
    let wd = Workdir::new();
    wd.write("chat.json", PAYLOAD);
    let rows = messages(&wd, &["--redact-key", "k"]);
    assert_eq!(rows.len(), 2);
    let (visitor, agent) = (text(&rows[0]), text(&rows[1]));
    for name in ["Emily", "EMILY", "Clarke"] {
        assert!(
            !visitor.contains(name) || visitor.contains("Emilyne"),
            "{visitor}"
        );
        assert!(!agent.contains(name), "{agent}");
    }
    // The same name in any case is the same pseudonym; a longer word is not the name.
    let pseudonym = |t: &str, after: &str| {
        let at = t.find(after).unwrap() + after.len();
        t[at..at + "visitor-".len() + 12].to_owned()
    };
    let emily = pseudonym(visitor, "Hi, ");
    assert!(emily.starts_with("visitor-"), "{visitor}");
    assert!(
        emily["visitor-".len()..]
            .chars()
            .all(|c| c.is_ascii_hexdigit()),
        "{emily}"
    );
    assert_eq!(pseudonym(agent, "Hi "), emily, "{agent}");
    assert!(visitor.contains("Emilyne is my cousin"), "{visitor}");
    assert!(visitor.contains("from the visitor-"), "{visitor}");
    // Agents' names and other people's stay.
    assert!(agent.contains("I am John. Thanks, Zoë"), "{agent}");
    // Word counts are kept: one name, one word.
    let plain = wd.run(&["stats", "-f", "json", "chat.json"]);
    let redacted = wd.run(&["stats", "-f", "json", "--redact", "chat.json"]);
    assert_eq!(plain.stdout, redacted.stdout);

    // Custom variables too.
    let run = wd.run(&["export", "-f", "ndjson", "--redact", "chat.json"]);
    let row: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let variables = row["variables"].as_str().unwrap();
    assert!(!variables.contains("Emily"), "{variables}");
    assert!(variables.contains("call visitor-"), "{variables}");
}

#[test]
fn agents_names_go_with_redact_agents_and_stay_when_an_agent_shares_them() {
    let wd = Workdir::new();
    wd.write("chat.json", PAYLOAD);
    let rows = messages(&wd, &["--redact-agents"]);
    let agent = text(&rows[1]);
    assert!(!agent.contains("John"), "{agent}");
    assert!(agent.contains("I am agent-"), "{agent}");
    assert_eq!(
        rows[1]["name"].as_str().map(|a| a.starts_with("agent-")),
        Some(true)
    );

    // An agent called Emily: "Emily" in texts is the agent's name too, and stays.
    wd.write("chat.json", PAYLOAD.replace("John Doe", "Emily Novak"));
    let rows = messages(&wd, &[]);
    assert!(
        text(&rows[1]).starts_with("Hi Emily,"),
        "{}",
        text(&rows[1])
    );
    assert!(!text(&rows[0]).contains("Clarke"), "{}", text(&rows[0]));
}
