//! `sshook show`: transcripts of the official example in every format, finding conversations
//! by id (bare or `--id`), several matches, `--first`, no match, and hostile text.

use crate::common::{official_with, payload, Workdir, OFFICIAL};
use serde_json::Value;

#[test]
fn text_transcript_of_the_official_example() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["show", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!(run.stdout, @r#"
    Conversation 55039
      Start      2015-03-27 15:33:59 +00:00 (UTC)
      End        2015-03-27 15:34:36 +00:00
      Duration   36s
      Status     completed, triggered
      Rating     5/5
      Account    208
      Visitor    Dusan Kmet
      Location   Czech Republic, Brno (CZ)
      Platform   MacIntel
      Note       VIP customer
      Variables  Chat ID: 208
                 Chat Package: pro
                 User ID: 1234
      Pages      POST Hook · Smartsupp
                 API · Smartsupp
      Source     data.json:1

    ── 2015-03-27 Friday ──
    15:33:59  Dusan Kmet        Hello
    15:34:06  · John Doe joined the chat
    15:34:09  trigger: Test Trigger
                                This is triggered message
    15:34:13  John Doe          Hi, how can i help you ?
    15:34:33  Dusan Kmet        tanks.
    15:34:36  · the visitor closed the chat
    "#);
}

#[test]
fn times_are_in_the_display_zone() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["show", "--tz", "Europe/Prague", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[1],
        "  Start      2015-03-27 16:33:59 +01:00 (Europe/Prague)"
    );
    assert_eq!(lines[2], "  End        2015-03-27 16:34:36 +01:00");
    assert!(run.stdout.contains("16:33:59  Dusan Kmet        Hello\n"));
    // TZ is the default zone.
    let output = wd
        .command(&["show", "data.json"])
        .env("TZ", "Asia/Tokyo")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("  Start      2015-03-28 00:33:59 +09:00 (Asia/Tokyo)\n"));
    assert!(stdout.contains("── 2015-03-28 Saturday ──\n00:33:59  Dusan Kmet"));
}

#[test]
fn messages_across_a_dst_change_show_local_times_and_the_new_date() {
    let wd = Workdir::new();
    // 2024-03-31T00:59:30Z is 01:59:30 CET; a minute later it is 03:00:30 CEST. And the next
    // message is the next local day.
    let mut p: Value = serde_json::from_str(&payload(1, 1_711_846_770_000)).unwrap();
    p["messages"][1]["sentAt"] = Value::from(1_711_846_830_000_i64);
    p["messages"].as_array_mut().unwrap().push(
        serde_json::json!({"type": "visitor", "from": "visitor:k1", "name": "Eva",
            "content": "still there?", "sentAt": 1_711_922_400_000_i64}),
    );
    wd.write("dst.json", p.to_string());
    let run = wd.run(&["show", "--tz", "Europe/Prague", "dst.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let messages = &run.stdout[run.stdout.find("──").unwrap()..];
    insta::assert_snapshot!(messages, @r"
    ── 2024-03-31 Sunday ──
    01:59:30  Eva       hi there
    03:00:30  John Doe  hello you

    ── 2024-04-01 Monday ──
    00:00:00  Eva       still there?
    ");
}

#[test]
fn markdown_transcript_of_the_official_example() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["show", "--format", "markdown", "55039", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    # Conversation 55039

    - **Start:** 2015-03-27 15:33:59 +00:00 (UTC)
    - **End:** 2015-03-27 15:34:36 +00:00
    - **Duration:** 36s
    - **Status:** completed, triggered
    - **Rating:** 5/5
    - **Account:** 208
    - **Visitor:** Dusan Kmet
    - **Location:** Czech Republic, Brno (CZ)
    - **Platform:** MacIntel
    - **Note:** VIP customer
    - **Variables:**
      - Chat ID: 208
      - Chat Package: pro
      - User ID: 1234
    - **Pages:**
      - POST Hook · Smartsupp
      - API · Smartsupp
    - **Source:** data.json:1

    ## 2015-03-27 Friday

    **15:33:59 Dusan Kmet:** Hello

    *15:34:06 · John Doe joined the chat*

    **15:34:09 trigger: Test Trigger:** This is triggered message

    **15:34:13 John Doe:** Hi, how can i help you ?

    **15:34:33 Dusan Kmet:** tanks.

    *15:34:36 · the visitor closed the chat*
    ");
}

#[test]
fn html_page_of_the_official_example() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["show", "--format", "html", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = &run.stdout;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    );
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    assert!(html.ends_with("</article>\n</body>\n</html>\n"));
    assert!(!html.contains("<script"));
    let body = &html[html.find("<body>\n").unwrap() + 7..];
    insta::assert_snapshot!(body, @r#"
    <article>
    <h1>Conversation 55039</h1>
    <dl>
    <dt>Start</dt><dd>2015-03-27 15:33:59 +00:00 (UTC)</dd>
    <dt>End</dt><dd>2015-03-27 15:34:36 +00:00</dd>
    <dt>Duration</dt><dd>36s</dd>
    <dt>Status</dt><dd>completed, triggered</dd>
    <dt>Rating</dt><dd>5/5</dd>
    <dt>Account</dt><dd>208</dd>
    <dt>Visitor</dt><dd>Dusan Kmet</dd>
    <dt>Location</dt><dd>Czech Republic, Brno (CZ)</dd>
    <dt>Platform</dt><dd>MacIntel</dd>
    <dt>Note</dt><dd>VIP customer</dd>
    <dt>Variables</dt><dd><p>Chat ID: 208</p><p>Chat Package: pro</p><p>User ID: 1234</p></dd>
    <dt>Pages</dt><dd><p>POST Hook · Smartsupp</p><p>API · Smartsupp</p></dd>
    <dt>Source</dt><dd>data.json:1</dd>
    </dl>
    <h2>2015-03-27 Friday</h2>
    <div class="m visitor"><time datetime="2015-03-27T15:33:59.703+00:00">15:33:59</time><span class="who">Dusan Kmet</span><span class="text">Hello</span></div>
    <div class="m system"><time datetime="2015-03-27T15:34:06.219+00:00">15:34:06</time><span>John Doe joined the chat</span></div>
    <div class="m trigger"><time datetime="2015-03-27T15:34:09.706+00:00">15:34:09</time><span class="who">trigger: Test Trigger</span><span class="text">This is triggered message</span></div>
    <div class="m agent"><time datetime="2015-03-27T15:34:13.772+00:00">15:34:13</time><span class="who">John Doe</span><span class="text">Hi, how can i help you ?</span></div>
    <div class="m visitor"><time datetime="2015-03-27T15:34:33.124+00:00">15:34:33</time><span class="who">Dusan Kmet</span><span class="text">tanks.</span></div>
    <div class="m system"><time datetime="2015-03-27T15:34:36.687+00:00">15:34:36</time><span>the visitor closed the chat</span></div>
    </article>
    </body>
    </html>
    "#);
}

#[test]
fn json_is_the_normalised_conversation() {
    let wd = Workdir::new();
    wd.write(
        "data.json",
        official_with(
            "\"accountId\": 208,",
            "\"accountId\": 208, \"site\": \"shop\",",
        ),
    );
    let run = wd.run(&[
        "show",
        "--format",
        "json",
        "--tz",
        "Europe/Prague",
        "data.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1);
    let c: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(c["id"], "55039");
    assert_eq!(c["account_id"], 208);
    assert_eq!(c["begin_at"], "2015-03-27T16:33:59.703+01:00");
    assert_eq!(c["end_at"], "2015-03-27T16:34:36.687+01:00");
    assert_eq!(c["duration"], 36);
    assert_eq!(c["status"], "completed");
    assert_eq!(c["tags"], serde_json::json!(["triggered"]));
    assert_eq!(c["rating"], 5);
    assert_eq!(c["rating_desc"], "");
    assert_eq!(c["recorded"]["messages_count"], 5);
    assert_eq!(c["recorded"]["words_count"], 11);
    let v = &c["visitor"];
    assert_eq!(v["id"], 27671);
    assert_eq!(v["name"], "Dusan Kmet");
    assert_eq!(v["city"], "Czech Republic");
    assert_eq!(v["country"], "Brno");
    assert_eq!(v["country_code"], "CZ");
    assert_eq!(v["note"], "VIP customer");
    assert_eq!(v["group"], Value::Null);
    assert_eq!(v["variables"]["chatPackage"]["label"], "Chat Package");
    assert_eq!(v["variables"]["chatId"]["value"], 208);
    assert_eq!(c["pages"][0]["title"], "POST Hook · Smartsupp");
    assert_eq!(c["pages"].as_array().unwrap().len(), 2);
    let m = c["messages"].as_array().unwrap();
    assert_eq!(m.len(), 6);
    let kinds: Vec<&str> = m
        .iter()
        .map(|m| m["sender_kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["visitor", "system", "trigger", "agent", "visitor", "system"]
    );
    assert_eq!(m[0]["index"], 0);
    assert_eq!(m[0]["sent_at"], "2015-03-27T16:33:59.703+01:00");
    assert_eq!(
        m[0]["sender_id"],
        "mxTiqn9adr2h39kmzAJ0FeaTGFJhmjio0R41491503012015"
    );
    assert_eq!(m[0]["text"], "Hello");
    assert_eq!(m[1]["event"], "agent.join");
    assert_eq!(m[1]["name"], "John Doe");
    assert_eq!(m[2]["trigger"], "Test Trigger");
    assert_eq!(m[2]["event"], Value::Null);
    assert_eq!(m[3]["sender_id"], "3");
    assert_eq!(m[5]["event"], "close.visitorClose");
    assert_eq!(c["source"], "data.json:1");
    assert_eq!(c["extra"], serde_json::json!({"site": "shop"}));
}

fn two_conversations(wd: &Workdir) {
    wd.write(
        "chats.ndjson",
        format!(
            "{}\n{}\n",
            payload(1, 1_700_000_000_000),
            payload(2, 1_700_000_100_000)
        ),
    );
}

#[test]
fn several_matches_are_separated_and_first_stops() {
    let wd = Workdir::new();
    two_conversations(&wd);
    let run = wd.run(&["show", "chats.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let separator = format!("\n{}\n\n", "═".repeat(72));
    let parts: Vec<&str> = run.stdout.split(&separator).collect();
    assert_eq!(parts.len(), 2);
    assert!(parts[0].starts_with("Conversation 1\n"));
    assert!(parts[1].starts_with("Conversation 2\n"));
    insta::assert_snapshot!(parts[1], @r"
    Conversation 2
      Start     2023-11-14 22:15:00 +00:00 (UTC)
      End       2023-11-14 22:16:00 +00:00
      Duration  1m
      Status    completed
      Rating    none
      Account   208
      Visitor   Eva
      Location  CZ
      Source    chats.ndjson:2

    ── 2023-11-14 Tuesday ──
    22:15:00  Eva       hi there
    22:15:05  John Doe  hello you
    ");

    let run = wd.run(&["show", "--first", "chats.ndjson"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("Conversation 1\n"));
    assert!(!run.stdout.contains("Conversation 2"));
    assert!(!run.stdout.contains('═'));

    let run = wd.run(&["show", "--format", "markdown", "chats.ndjson"]);
    assert_eq!(run.stdout.matches("\n---\n\n# Conversation").count(), 1);

    let run = wd.run(&["show", "--format", "json", "chats.ndjson"]);
    let ids: Vec<i64> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["channel_id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [1, 2]);

    let run = wd.run(&["show", "--format", "html", "chats.ndjson"]);
    assert_eq!(run.stdout.matches("<!DOCTYPE html>").count(), 1);
    assert_eq!(run.stdout.matches("<article>").count(), 2);
    assert_eq!(run.stdout.matches("</html>").count(), 1);
}

#[test]
fn bare_id_and_id_flag() {
    let wd = Workdir::new();
    two_conversations(&wd);
    for args in [
        &["show", "2", "chats.ndjson"][..],
        &["show", "--id", "2", "chats.ndjson"],
        &["show", "chats.ndjson", "--id", "2"],
    ] {
        let run = wd.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.starts_with("Conversation 2\n"), "{args:?}");
        assert!(!run.stdout.contains("Conversation 1"), "{args:?}");
    }
    // An all-digit first argument that is an existing path is read as a path.
    wd.write("2", payload(7, 1_700_000_000_000));
    let run = wd.run(&["show", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Conversation 7\n"));
}

/// A webhook conversation's id given first is the id, like a number: one transcript, not "no
/// such file" and every conversation after it. An id not found is an error, not a flood.
#[test]
fn a_webhook_id_given_first_is_the_id() {
    let wd = Workdir::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    wd.write("official-example.json", crate::common::OFFICIAL);
    let events = root.join("sample-data/webhooks");
    let run = wd.run(&[
        "show",
        "cnv_8Jk2LqX9",
        events.to_str().unwrap(),
        "official-example.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Conversation cnv_8Jk2LqX9\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("Conversation ").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("no such file"), "{}", run.stderr);

    let run = wd.run(&["show", "cnv_Missing1", events.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("no conversation cnv_Missing1 matches the selection"),
        "{}",
        run.stderr
    );
    // A word without a digit is still a path: a mistyped folder is reported as missing.
    let run = wd.run(&["show", "dumps", "official-example.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("dumps: error: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_match_is_a_message_and_exit_1() {
    let wd = Workdir::new();
    two_conversations(&wd);
    let run = wd.run(&["show", "55039", "chats.ndjson"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "show: no conversation 55039 matches the selection (read 2 payloads)\n"
    );
    let run = wd.run(&["show", "--grep", "nowhere", "chats.ndjson"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "show: no conversation matches the selection (read 2 payloads)\n"
    );
    let run = wd.run(&[
        "show",
        "--format",
        "html",
        "--id",
        "5",
        "--id",
        "6",
        "chats.ndjson",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "show: none of the conversations 5, 6 matches the selection (read 2 payloads)\n"
    );
}

#[test]
fn a_bad_input_is_reported_and_the_match_still_shown() {
    let wd = Workdir::new();
    two_conversations(&wd);
    wd.write("broken.json", "{\"beginAt\": oops}");
    let run = wd.run(&["show", "2", "broken.json", "chats.ndjson"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("Conversation 2\n"));
    assert_eq!(
        run.stderr,
        "broken.json:1:13: error: syntax error: expected value near `{\"beginAt\": oops}`\n"
    );
    let run = wd.run(&["show", "2", "missing.json"]);
    assert_eq!(run.code, 1);
    assert!(run
        .stderr
        .contains("missing.json: error: no such file or directory\n"));
}

/// A conversation whose names and messages hold terminal escapes, markup, line breaks,
/// Unicode and an unknown event.
fn hostile(wd: &Workdir) {
    let mut p: Value = serde_json::from_str(OFFICIAL).unwrap();
    p["visitor"]["name"] = Value::from("Eve\u{1b}[2J\u{202e}");
    let m = p["messages"].as_array_mut().unwrap();
    m[1]["content"] = Value::from("agent.transfer");
    m[3]["name"] = Value::from("陳大文 🙂");
    m[3]["content"] =
        Value::from("Dobrý den!\r\nSecond line <script>alert(\"x\")</script> & 'more'\n\u{7}bell");
    wd.write("hostile.json", p.to_string());
}

#[test]
fn control_characters_are_made_visible_and_lines_kept() {
    let wd = Workdir::new();
    hostile(&wd);
    let run = wd.run(&["show", "hostile.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'));
    assert!(!run.stdout.contains('\u{7}'));
    assert!(!run.stdout.contains('\r'));
    assert!(!run.stdout.contains('\u{202e}'));
    let messages = &run.stdout[run.stdout.find("──").unwrap()..];
    insta::assert_snapshot!(messages, @r#"
    ── 2015-03-27 Friday ──
    15:33:59  Eve\u{1b}[2J\u{202e}
                                Hello
    15:34:06  · system event agent.transfer (John Doe)
    15:34:09  trigger: Test Trigger
                                This is triggered message
    15:34:13  陳大文 🙂         Dobrý den!
                                Second line <script>alert("x")</script> & 'more'
                                \u{7}bell
    15:34:33  Dusan Kmet        tanks.
    15:34:36  · the visitor closed the chat
    "#);
    assert!(run.stdout.contains("  Visitor    Eve\\u{1b}[2J\\u{202e}\n"));

    // Colour on request: styles from sshook, never from the input.
    let run = wd.run(&["show", "--color", "always", "hostile.json"]);
    assert!(run.stdout.contains("\u{1b}[2m15:33:59\u{1b}[0m"));
    assert!(run.stdout.contains("\u{1b}[1;32m陳大文 🙂\u{1b}[0m"));
    assert!(!run.stdout.contains("\u{1b}[2J"));
}

#[test]
fn html_escapes_every_text() {
    let wd = Workdir::new();
    hostile(&wd);
    let run = wd.run(&["show", "--format", "html", "hostile.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = &run.stdout;
    assert!(!html.contains("<script"));
    assert!(!html.contains('\u{1b}'));
    assert!(html.contains(
        "<span class=\"who\">陳大文 🙂</span><span class=\"text\">Dobrý den!\nSecond line \
         &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;\n\\u{7}bell</span>"
    ));
    assert!(html.contains("<dt>Visitor</dt><dd>Eve\\u{1b}[2J\\u{202e}</dd>"));
    assert!(html.contains("<span>system event agent.transfer (John Doe)</span>"));
}

#[test]
fn markdown_escapes_markup() {
    let wd = Workdir::new();
    hostile(&wd);
    let run = wd.run(&["show", "--format", "markdown", "hostile.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(
        "**15:34:13 陳大文 🙂:** Dobrý den\\!\\\nSecond line \\<script\\>alert(\"x\")\\</script\\> \
         \\& 'more'\\\n\\\\u{7}bell\n"
    ));
    assert!(run
        .stdout
        .contains("*15:34:06 · system event agent.transfer (John Doe)*"));
}

#[test]
fn json_escapes_by_construction() {
    let wd = Workdir::new();
    hostile(&wd);
    let run = wd.run(&["show", "--format", "json", "hostile.json"]);
    assert!(!run.stdout.contains('\u{1b}'));
    let c: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(c["visitor"]["name"], "Eve\u{1b}[2J\u{202e}");
    assert_eq!(
        c["messages"][3]["text"],
        "Dobrý den!\r\nSecond line <script>alert(\"x\")</script> & 'more'\n\u{7}bell"
    );
    assert_eq!(c["messages"][1]["event"], "agent.transfer");
}

#[test]
fn html_links_web_addresses_only_and_titles_the_page_by_the_conversation() {
    let wd = Workdir::new();
    let text = "See https://shop.example.com/p?a=1&b=2. Not javascript:alert(1) nor \
                ftp://x.cz, and \"https://evil.cz/\"onmouseover=alert(1)\" <b>bold</b>";
    wd.write(
        "data.json",
        official_with("\"Hello\"", &serde_json::to_string(text).unwrap()),
    );
    let run = wd.run(&["show", "--format", "html", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("<title>Conversation 55039 · Dusan Kmet · 2015-03-27</title>"));
    assert!(run.stdout.contains(
        "See <a href=\"https://shop.example.com/p?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">\
         https://shop.example.com/p?a=1&amp;b=2</a>. Not javascript:alert(1) nor ftp://x.cz"
    ));
    assert!(run.stdout.contains("&lt;b&gt;bold&lt;/b&gt;"));
    assert!(!run.stdout.contains("<b>"));
    // The quote ends the link: no attribute can be smuggled in.
    assert!(run.stdout.contains("<a href=\"https://evil.cz/\" rel="));
    assert!(!run.stdout.contains("\"onmouseover"));
    assert_eq!(run.stdout.matches("<a href").count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains("@media print{"));
}

/// Names are never cut: piped, the speaker column fits the longest name; on a narrow terminal
/// a longer name takes a line of its own, whole, and its message goes under the text column.
#[test]
fn long_names_are_shown_whole_piped_and_at_60_and_100_columns() {
    let wd = Workdir::new();
    let long = "Maximiliane Alexandra von Württemberg-Hohenlohe";
    wd.write(
        "data.json",
        crate::common::official_with("Dusan Kmet", long),
    );
    // No width at all (a pipe, COLUMNS unset): one line per message, the column fits.
    let piped = wd
        .command(&["show", "data.json"])
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(
        piped.contains(&format!("15:33:59  {long}  Hello\n")),
        "{piped}"
    );
    assert!(piped.contains("trigger: Test Trigger"), "{piped}");
    for width in ["60", "100"] {
        let output = wd
            .command(&["show", "data.json"])
            .env("COLUMNS", width)
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(!text.contains('…'), "a name was cut at {width}:\n{text}");
        assert!(
            text.contains(&format!("15:33:59  {long}\n")),
            "at {width}:\n{text}"
        );
        assert!(
            text.contains("trigger: Test Trigger\n"),
            "at {width}:\n{text}"
        );
    }
}
