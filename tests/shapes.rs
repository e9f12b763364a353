//! Webhook events in the shapes of Smartsupp's own API (`docs/formats.md#shapes-in-smartsupps-own-api`):
//! each shape alone in an otherwise valid conversation validates without a finding, assembles,
//! and shows and exports what it carries; each message kind reads as what it is; a used field
//! of a shape still unknown is a warning at its place, read as absent. The fixtures are in
//! `tests/fixtures/shapes/` (its README lists them).

use crate::common::Workdir;
use serde_json::{json, Value};

const SHAPES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shapes");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{SHAPES}/{name}.ndjson")).unwrap()
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The one conversation the fixture `name` assembles into, as `export -f ndjson` writes it.
fn conversation(wd: &Workdir, name: &str) -> Value {
    wd.write(&format!("{name}.ndjson"), fixture(name));
    let run = wd.run(&["export", "--utc", "-f", "ndjson", &format!("{name}.ndjson")]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let mut rows = ndjson(&run.stdout);
    assert_eq!(rows.len(), 1, "{name}: {}", run.stdout);
    rows.remove(0)
}

/// `show -f json` of the fixture `name`.
fn shown(wd: &Workdir, name: &str) -> Value {
    wd.write(&format!("{name}.ndjson"), fixture(name));
    let run = wd.run(&["show", "--utc", "-f", "json", &format!("{name}.ndjson")]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The transcript's message lines (after the header) of the fixture `name`.
fn transcript(wd: &Workdir, name: &str) -> String {
    wd.write(&format!("{name}.ndjson"), fixture(name));
    let run = wd.run(&["show", "--utc", &format!("{name}.ndjson")]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let at = run.stdout.find("── ").unwrap();
    run.stdout[at..].to_string()
}

fn message_rows(wd: &Workdir, name: &str) -> Vec<Value> {
    wd.write(&format!("{name}.ndjson"), fixture(name));
    let run = wd.run(&[
        "export",
        "--utc",
        "--rows",
        "messages",
        "-f",
        "ndjson",
        &format!("{name}.ndjson"),
    ]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    ndjson(&run.stdout)
}

const ALL: [&str; 20] = [
    "tags-list-object",
    "channel-open-word",
    "agent-id-number",
    "country-code-lower-case",
    "location-nested",
    "last-message-nested",
    "rating-value",
    "agent-ids-assigned-ids",
    "times-mixed",
    "variables-scalars",
    "ids-prefixed",
    "long-text",
    "message-upload",
    "message-attachment-direct",
    "message-note",
    "message-events",
    "message-close-by-visitor",
    "message-rate-form",
    "message-page-visit",
    "message-bot",
];

#[test]
fn every_shape_validates_without_a_finding() {
    let wd = Workdir::new();
    let run = wd.run(&["validate", "--strict", SHAPES]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with("; 0 errors, 0 warnings\n"),
        "{}",
        run.stderr
    );
    let listed = std::fs::read_dir(SHAPES)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "ndjson")
        .count();
    assert_eq!(listed, ALL.len());
}

/// Each shape alone: one closed conversation with its one agent, the visitor's first message
/// and the agent's reply in time.
#[test]
fn each_shape_alone_assembles_with_its_agent_and_reply() {
    let wd = Workdir::new();
    for name in ALL {
        let row = conversation(&wd, name);
        let status = if name == "message-upload" {
            // The visitor's file came after the agent's last reply.
            "missed"
        } else {
            "completed"
        };
        assert_eq!(row["status"], status, "{name}");
        assert_eq!(row["source"], "webhook", "{name}");
        assert_eq!(row["is_chat"], true, "{name}");
        assert_eq!(row["begin_at"], "2026-05-12T18:29:00.000+00:00", "{name}");
        assert_eq!(row["first_response"], 96, "{name}");
        let agents = row["agents"].as_str().unwrap();
        assert!(agents.starts_with("John Doe"), "{name}: {agents}");
        assert_eq!(row["visitor_name"], "Eva Nováková", "{name}");
        assert_eq!(row["visitor_country_code"], "CZ", "{name}");
    }
}

#[test]
fn the_shapes_of_the_conversation_object_read() {
    let wd = Workdir::new();

    // tags: the REST list object, as a list.
    assert_eq!(
        shown(&wd, "tags-list-object")["extra"]["tags"],
        json!(["vip", "returning"])
    );

    // channel: an open word and a string id, kept as they came (sshook does not use them).
    assert_eq!(
        shown(&wd, "channel-open-word")["extra"]["conversation"]["channel"],
        json!({"type": "facebook_messenger", "id": "fb_1234567890"})
    );
    assert_eq!(
        shown(&wd, "last-message-nested")["extra"]["conversation"]["last_message"],
        json!({"text": "Yes, it left our warehouse today.", "created_at": "2026-05-12T18:30:58Z"})
    );

    // agent ids as numbers or strings: one agent either way.
    for name in ["agent-id-number", "agent-ids-assigned-ids"] {
        let json = shown(&wd, name);
        assert_eq!(json["extra"]["sshook"]["agents"], json!(["3"]), "{name}");
        let row = conversation(&wd, name);
        assert_eq!(row["agents"], "John Doe", "{name}");
    }

    // Country codes in any case, exported upper case; the nested location.
    assert_eq!(
        conversation(&wd, "country-code-lower-case")["visitor_country_code"],
        "CZ"
    );
    let row = conversation(&wd, "location-nested");
    assert_eq!(
        (
            &row["visitor_country_code"],
            &row["visitor_country"],
            &row["visitor_city"],
            &row["visitor_ip"]
        ),
        (
            &json!("CZ"),
            &json!("Czechia"),
            &json!("Brno"),
            &json!("89.235.0.55")
        )
    );

    // The conversation's own rating_value and rating_text.
    let row = conversation(&wd, "rating-value");
    assert_eq!(
        (&row["rating"], &row["rating_desc"]),
        (&json!(4), &json!("Quick and kind"))
    );

    // Times with and without a fraction, Z or an offset: the same instants.
    let rows = message_rows(&wd, "times-mixed");
    assert_eq!(rows[0]["sent_at"], "2026-05-12T18:29:21.336+00:00");
    assert_eq!(rows[1]["sent_at"], "2026-05-12T18:30:58.000+00:00");

    // Variables: a map of mixed scalars.
    let run = {
        wd.write("variables.ndjson", fixture("variables-scalars"));
        wd.run(&[
            "export",
            "-f",
            "ndjson",
            "--columns",
            "conversation_id",
            "--var",
            "plan",
            "--var",
            "seats",
            "--var",
            "trial",
            "variables.ndjson",
        ])
    };
    assert_eq!(
        ndjson(&run.stdout)[0],
        json!({"conversation_id": "coVariables01", "var_plan": "pro", "var_seats": 3, "var_trial": false})
    );
    assert!(transcript_header(&wd, "variables-scalars")
        .contains("  Variables  plan: pro\n             seats: 3\n             trial: false\n"));

    // Opaque ids with prefixes, `-` and `_`; long texts.
    let row = conversation(&wd, "ids-prefixed");
    assert_eq!(row["conversation_id"], "coXU9u5VscuzW");
    assert_eq!(row["visitor_id"], "vi-w5VXkpGrF");
    let row = conversation(&wd, "long-text");
    assert!(row["first_visitor_message"].as_str().unwrap().len() > 500);
    assert!(row["visitor_referer"].as_str().unwrap().len() > 500);
}

fn transcript_header(wd: &Workdir, name: &str) -> String {
    wd.write(&format!("{name}.ndjson"), fixture(name));
    wd.run(&["show", "--utc", &format!("{name}.ndjson")]).stdout
}

#[test]
fn files_show_their_name_type_size_link_and_expiry() {
    let wd = Workdir::new();
    insta::assert_snapshot!(transcript(&wd, "message-upload"), @r"
    ── 2026-05-12 Tuesday ──
    18:29:21  Eva Nováková  Hello, is my order on its way?
    18:30:58  John Doe      Yes, it left our warehouse today.
    18:31:10  Eva Nováková  📎 photo.png (image, image/png, 120.6 KiB) https://files.smartsupp.com/uploads/photo.png (link
                            works until 2026-06-12 18:31:10 +00:00)
    18:35:00  · the agent closed the chat
    ");
    insta::assert_snapshot!(transcript(&wd, "message-attachment-direct"), @r"
    ── 2026-05-12 Tuesday ──
    18:29:21  Eva Nováková  Hello, is my order on its way?
    18:30:58  John Doe      Yes, it left our warehouse today.
    18:31:40  John Doe      Here is your invoice.
                            📎 invoice-4711.pdf (file) https://example.com/invoice-4711.pdf
    18:35:00  · the agent closed the chat
    ");
    // HTML links the file; markdown and JSON carry it too.
    let run = wd.run(&["show", "--utc", "-f", "html", "message-upload.ndjson"]);
    assert!(run.stdout.contains(
        "📎 photo.png (image, image/png, 120.6 KiB) <a href=\"https://files.smartsupp.com/uploads/photo.png\" \
         rel=\"noopener noreferrer nofollow\">https://files.smartsupp.com/uploads/photo.png</a> \
         (link works until 2026-06-12 18:31:10 +00:00)"
    ), "{}", run.stdout);
    let run = wd.run(&[
        "show",
        "--utc",
        "-f",
        "markdown",
        "message-attachment-direct.ndjson",
    ]);
    assert!(
        run.stdout
            .contains("invoice-4711.pdf (file) https://example.com/invoice-4711.pdf"),
        "{}",
        run.stdout
    );
    let json = shown(&wd, "message-upload");
    assert_eq!(
        json["messages"][2]["attachments"],
        json!([{"type": "image", "url": "https://files.smartsupp.com/uploads/photo.png",
                "fileName": "photo.png", "fileType": "image/png", "size": 123456,
                "expireAt": 1_781_289_070_000_i64}])
    );
    // export --rows messages: the attachments column, compact JSON.
    let rows = message_rows(&wd, "message-attachment-direct");
    let files: Value = serde_json::from_str(rows[2]["attachments"].as_str().unwrap()).unwrap();
    assert_eq!(
        files,
        json!([{"type": "file", "url": "https://example.com/invoice-4711.pdf", "fileName": "invoice-4711.pdf"}])
    );
    assert_eq!(rows[0]["attachments"], Value::Null);
}

#[test]
fn an_attachment_link_is_linked_only_for_http() {
    let wd = Workdir::new();
    wd.write(
        "files.ndjson",
        fixture("message-attachment-direct").replace(
            "https://example.com/invoice-4711.pdf",
            "javascript:alert(1)",
        ),
    );
    let run = wd.run(&["show", "-f", "html", "files.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("📎 invoice-4711.pdf (file) javascript:alert(1)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("href=\"javascript"));
}

/// An internal note is shown as one, exported with its own type, and never a reply: not in
/// the counts, the first or mean response, nor the agents who wrote.
#[test]
fn a_note_is_no_reply() {
    let wd = Workdir::new();
    insta::assert_snapshot!(transcript(&wd, "message-note"), @r"
    ── 2026-05-12 Tuesday ──
    18:29:21  Eva Nováková   Hello, is my order on its way?
    18:30:58  John Doe       Yes, it left our warehouse today.
    18:31:30  Jana Nováková  (internal note) Regular customer, offer free shipping
    18:35:00  · the agent closed the chat
    ");
    let row = conversation(&wd, "message-note");
    assert_eq!(row["messages_counted"], 2);
    assert_eq!(row["words_counted"], 13);
    assert_eq!(row["agents"], "John Doe");
    assert_eq!(row["first_response"], 96);
    assert_eq!(row["avg_response"], 97);
    let rows = message_rows(&wd, "message-note");
    assert_eq!(rows[2]["type"], "note");
    assert_eq!(rows[2]["sender_kind"], "note");
    assert_eq!(rows[2]["content"], "Regular customer, offer free shipping");
    let run = wd.run(&[
        "stats",
        "--by",
        "agent",
        "-f",
        "ndjson",
        "message-note.ndjson",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let groups = ndjson(&run.stdout);
    assert!(
        groups.iter().all(|g| g.to_string().find("Jana").is_none()),
        "{}",
        run.stdout
    );
}

#[test]
fn event_messages_read_in_words() {
    let wd = Workdir::new();
    insta::assert_snapshot!(transcript(&wd, "message-events"), @r"
    ── 2026-05-12 Tuesday ──
    18:29:21  Eva Nováková   Hello, is my order on its way?
    18:30:58  John Doe       Yes, it left our warehouse today.
    18:32:00  · Jana Nováková joined the chat
    18:32:01  · the chat was assigned to Jana Nováková by John Doe
    18:32:02  · John Doe was unassigned from the chat by Jana Nováková
    18:32:03  · John Doe left the chat
    18:33:00  Jana Nováková  Jana here, all done.
    18:33:30  · Jana Nováková closed the chat
    ");
    insta::assert_snapshot!(transcript(&wd, "message-close-by-visitor"), @r"
    ── 2026-05-12 Tuesday ──
    18:29:21  Eva Nováková  Hello, is my order on its way?
    18:30:58  John Doe      Yes, it left our warehouse today.
    18:34:30  · the visitor closed the chat
    ");
    let rows = message_rows(&wd, "message-events");
    let events: Vec<&str> = rows.iter().filter_map(|r| r["event"].as_str()).collect();
    assert_eq!(
        events,
        [
            "agent.join",
            "agent.assign",
            "agent.unassign",
            "agent.leave",
            "close.agentClose"
        ]
    );
    // The close event message closes the conversation (and no second close line is added).
    let row = conversation(&wd, "message-close-by-visitor");
    assert_eq!(row["end_at"], "2026-05-12T18:34:30.000+00:00");
    let row = conversation(&wd, "message-events");
    assert_eq!(row["agents"], "John Doe; Jana Nováková");
    assert_eq!(row["messages_counted"], 3);
}

#[test]
fn a_rate_form_is_a_rating_and_a_page_visit_is_no_message() {
    let wd = Workdir::new();
    let row = conversation(&wd, "message-rate-form");
    assert_eq!(
        (&row["rating"], &row["rating_desc"]),
        (&json!(5), &json!("Great help"))
    );
    assert_eq!(row["messages_counted"], 2);
    assert!(transcript(&wd, "message-rate-form")
        .contains("18:34:00  · the visitor rated the chat 5/5 “Great help”\n"));

    assert!(transcript(&wd, "message-page-visit")
        .contains("18:33:00  · Eva Nováková visited https://shop.example.com/checkout\n"));
    let row = conversation(&wd, "message-page-visit");
    assert_eq!(row["messages_counted"], 2);
    assert_eq!(row["words_counted"], 13);

    assert!(transcript(&wd, "message-bot").contains("18:29:22  trigger: Welcome bot\n"));
    assert_eq!(conversation(&wd, "message-bot")["is_triggered"], true);
}

/// A used field of a shape still unknown: a warning with its path and place, the field read
/// as absent, the event still read; --strict fails on it.
#[test]
fn an_unknown_shape_is_a_warning_and_the_event_is_read() {
    let wd = Workdir::new();
    let events = fixture("message-note");
    let mut lines: Vec<String> = events.lines().map(str::to_owned).collect();
    lines[1] = lines[1]
        .replacen("\"tags\":[]", "\"tags\":42", 1)
        .replacen("\"is_offline\":false", "\"is_offline\":\"no\"", 1)
        .replacen("\"location_code\":\"CZ\"", "\"location_code\":[\"CZ\"]", 1);
    wd.write("odd.ndjson", lines.join("\n"));
    let run = wd.run(&["validate", "odd.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r#"
    odd.ndjson:2:216: warning: data.conversation.is_offline: expected boolean or null, found string "no" (left out)
    odd.ndjson:2:324: warning: data.conversation.tags: expected an array of strings or a list object {"type": "list", "data": […]}, or null, found number 42 (left out)
    odd.ndjson:2:530: warning: data.conversation.location_code: expected string or null, found array (left out)
    "#);
    for line in run.stdout.lines() {
        // The column is where the value starts.
        let column: usize = line.split(':').nth(2).unwrap().parse().unwrap();
        let value = &lines[1][column - 1..];
        assert!(
            value.starts_with("\"no\"") || value.starts_with("42") || value.starts_with("[\"CZ\"]"),
            "{line}: {}",
            &value[..10]
        );
    }
    let run = wd.run(&["validate", "--strict", "odd.ndjson"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.matches(": error: ").count(), 3);
    // The rest of the event is read: the conversation is whole.
    let row = conversation(&wd, "message-note");
    let run = wd.run(&["export", "--utc", "-f", "ndjson", "odd.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let odd = &ndjson(&run.stdout)[0];
    assert_eq!(odd["messages_counted"], row["messages_counted"]);
    assert_eq!(
        odd["visitor_country_code"], "CZ",
        "later copies still say CZ"
    );
}

/// The published examples' delivery event carries a small copy of the agent's message (id and
/// times only). It used to replace the full message when its `updated_at` was later: the reply
/// became an empty line by "unknown", the conversation had no agent and was missed.
#[test]
fn a_partial_copy_never_erases_the_fuller_one() {
    let wd = Workdir::new();
    let lines: Vec<String> = fixture("../webhooks/closed-and-rated")
        .lines()
        .map(|line| {
            line.replace(
                r#""delivered_at":"2026-03-10T09:00:45.400Z","created_at":"2026-03-10T09:00:44.900Z"}"#,
                r#""delivered_at":"2026-03-10T09:00:45.400Z","created_at":"2026-03-10T09:00:44.900Z","updated_at":"2026-03-10T09:00:45.400Z","delivery_status":"delivered"}"#,
            )
        })
        .collect();
    assert!(lines
        .iter()
        .any(|l| l.contains("\"delivery_status\":\"delivered\"}")));
    let orders: [Vec<String>; 3] = [
        lines.clone(),
        lines.iter().rev().cloned().collect(),
        lines
            .iter()
            .skip(6)
            .chain(lines.iter().take(6))
            .cloned()
            .collect(),
    ];
    for (n, order) in orders.iter().enumerate() {
        wd.write("events.ndjson", order.join("\n"));
        let run = wd.run(&["export", "--utc", "-f", "ndjson", "events.ndjson"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let rows = ndjson(&run.stdout);
        let row = &rows[0];
        assert_eq!(row["status"], "completed", "order {n}");
        assert_eq!(row["agents"], "John Doe", "order {n}");
        assert_eq!(row["first_response"], 44, "order {n}");
        let run = wd.run(&[
            "export",
            "--utc",
            "--rows",
            "messages",
            "-f",
            "ndjson",
            "events.ndjson",
        ]);
        let reply = ndjson(&run.stdout)
            .into_iter()
            .find(|m| m["sent_at"] == "2026-03-10T09:00:44.900+00:00")
            .unwrap();
        assert_eq!(reply["sender_kind"], "agent", "order {n}");
        assert_eq!(reply["name"], "John Doe", "order {n}");
        assert_eq!(
            reply["content"], "Hi Eva, yes: it left our warehouse today.",
            "order {n}"
        );
    }
}

/// What the REST API returns when it is not an event stays neither kind of document.
#[test]
fn rest_answers_that_are_no_events_are_neither() {
    let wd = Workdir::new();
    wd.write(
        "rest.ndjson",
        [
            r#"{"code":"invalid_parameters","message":"Invalid parameters"}"#,
            r#"{"id":"vi-w5VXkpGrF","name":"Eva","location":{"ip":"89.235.0.55","code":"cz","country":"Czechia","city":"Brno"}}"#,
            r#"{"type":"list","data":[],"total":0}"#,
        ]
        .join("\n"),
    );
    let run = wd.run(&["validate", "rest.ndjson"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout, @r"
    rest.ndjson:1: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`
    rest.ndjson:2: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`
    rest.ndjson:3: error: neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`
    ");
}

/// --redact reaches the nested location too.
#[test]
fn the_nested_location_is_redacted() {
    let wd = Workdir::new();
    wd.write("location.ndjson", fixture("location-nested"));
    let run = wd.run(&[
        "export",
        "--redact",
        "--rows",
        "events",
        "-f",
        "ndjson",
        "location.ndjson",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("89.235.0.55"), "{}", run.stdout);
    assert!(!run.stdout.contains("Brno"), "{}", run.stdout);
    let run = wd.run(&["export", "--redact", "-f", "ndjson", "location.ndjson"]);
    let row = &ndjson(&run.stdout)[0];
    assert!(row["visitor_city"].as_str().unwrap().starts_with("city-"));
    assert_eq!(row["visitor_country_code"], "CZ");
}
