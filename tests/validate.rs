//! `sshook validate` over real files: every error a user can meet, the exit status, the
//! summary, and the good payloads around a bad one.

use crate::common::{official_with, payload, Workdir, OFFICIAL};

#[test]
fn official_example_has_no_error() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["validate", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "validate: 1 file, 1 payload: 1 valid; 0 errors, 0 warnings\n"
    );
    // The recorded counts differ from the counted ones (Smartsupp's rule is undocumented):
    // notes, shown only with --pedantic.
    let run = wd.run(&["validate", "--pedantic", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    data.json:1: note: channel.messagesCount: recorded 5 messages, counted 4 visitor and agent messages
    data.json:1: note: channel.wordsCount: recorded 11 words, counted 13
    ");
    assert_eq!(
        run.stderr,
        "validate: 1 file, 1 payload: 1 valid; 0 errors, 0 warnings, 2 notes\n"
    );
}

#[test]
fn strict_turns_warnings_into_errors_but_not_notes() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["validate", "--strict", "--pedantic", "data.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run
        .stdout
        .contains("data.json:1: note: channel.messagesCount"));
    wd.write("late.json", official_with("\"rating\": 5", "\"rating\": 7"));
    let run = wd.run(&["validate", "--strict", "late.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("late.json:1: error: channel.rating: rating 7 is outside 1..5"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("0 valid; 1 error, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn hostile_files_each_get_one_clear_message() {
    let wd = Workdir::new();
    wd.write("empty.json", "")
        .write("blank.json", "  \n\t\n")
        .write("null.json", "null")
        .write(
            "trailing-comma.json",
            official_with(
                "\"value\": \"1234\"\n      }\n    }",
                "\"value\": \"1234\"\n      }\n    },",
            ),
        )
        .write("truncated.json", &OFFICIAL[..700])
        .write(
            "nan.json",
            official_with("\"rating\": 5", "\"rating\": NaN"),
        )
        .write(
            "string-rating.json",
            official_with("\"rating\": 5", "\"rating\": \"5\""),
        )
        .write(
            "float-id.json",
            official_with("\"id\": 55039", "\"id\": 55039.5"),
        )
        .write(
            "huge-id.json",
            official_with("\"id\": 55039", "\"id\": 1180591620717411303424"),
        )
        .write(
            "duplicate-key.json",
            official_with("\"id\": 55039", "\"id\": 55039, \"id\": 55040"),
        )
        .write(
            "missing-sent-at.json",
            official_with("\"sentAt\": 1427470453772,", ""),
        )
        .write("deep.json", "[".repeat(100_000) + &"]".repeat(100_000))
        .write("utf16.json", {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(OFFICIAL.encode_utf16().flat_map(|u| u.to_le_bytes()));
            bytes
        })
        .write("latin1.json", {
            let mut bytes = official_with("Dusan Kmet", "Dusan XKmet").into_bytes();
            let at = bytes.iter().position(|b| *b == b'X').unwrap();
            bytes[at] = 0xE9;
            bytes
        })
        .write("after.json", format!("{OFFICIAL}\n}}"));
    let run = wd.run(&["validate", "--quiet", "."]);
    assert_eq!(run.code, 1);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    insta::assert_snapshot!(errors.join("\n"), @r#"
    ./after.json:110:1: error: unexpected bytes after the document near `}`
    ./blank.json: error: empty input: no JSON document
    ./deep.json:1:130: error: [0]: nesting too deep: more than 128 levels
    ./duplicate-key.json:6:24: error: channel.id: duplicate key
    ./empty.json: error: empty input: no JSON document
    ./float-id.json:6:11: error: channel.id: expected integer, found number 55039.5
    ./huge-id.json:6:11: error: channel.id: number 1180591620717411300000 does not fit in a 64-bit integer
    ./latin1.json:23:20: error: not UTF-8: invalid byte 0xE9 (sshook reads UTF-8 text)
    ./missing-sent-at.json:83:5: error: messages[3].sentAt: missing
    ./nan.json:18:15: error: syntax error: expected value near `"rating": NaN,`
    ./null.json:1: error: expected a payload object, found null
    ./string-rating.json:18:15: error: channel.rating: expected integer or null, found string "5"
    ./trailing-comma.json:48:3: error: syntax error: trailing comma near `},`
    ./truncated.json:31:73: error: syntax error: the document is cut off (EOF while parsing a string) near `Mac OS X 10_8_5) AppleWeb`
    ./utf16.json: error: the file is UTF-16, not UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)
    "#);
}

#[test]
fn one_bad_line_or_element_keeps_the_rest() {
    let wd = Workdir::new();
    let (a, b) = (payload(1, 1_700_000_000_000), payload(2, 1_700_000_100_000));
    wd.write(
        "chats.ndjson",
        format!("{a}\r\n{{\"beginAt\": oops}}\r\n{b}\r\n"),
    )
    .write(
        "array.json",
        format!("[\n{a},\n{{\"beginAt\":1,\"endAt\":2,\"channel\":{{}},\"messages\":[]}},\n{b}\n]"),
    );
    let run = wd.run(&["validate", "chats.ndjson", "array.json"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout, @r#"
    chats.ndjson:2:13: error: syntax error: expected value near `{"beginAt": oops}`
    array.json:3:34: error: [1].channel.id: missing
    "#);
    assert!(run
        .stderr
        .contains("2 files, 4 payloads: 4 valid; 2 errors, 0 warnings"));
}

#[test]
fn gzip_concatenated_and_stdin() {
    use std::io::Write;
    let wd = Workdir::new();
    let text = format!(
        "{}{}\n{}",
        payload(1, 1_700_000_000_000),
        OFFICIAL,
        payload(3, 1_700_000_000_000)
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    wd.write("dump.json.gz", &gz)
        .write("cut.ndjson.gz", &gz[..gz.len() / 2]);
    let run = wd.run(&["validate", "--quiet", "dump.json.gz"]);
    assert_eq!(run.code, 0);
    let run = wd.run_with_stdin(&["validate", "-"], text);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("1 file, 3 payloads: 3 valid"),
        "{}",
        run.stderr
    );
    let run = wd.run(&["validate", "cut.ndjson.gz"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("cut.ndjson.gz: error: truncated gzip stream"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_findings_are_one_object_per_line() {
    let wd = Workdir::new();
    wd.write(
        "bad.json",
        official_with("\"rating\": 5", "\"rating\": \"5\""),
    );
    let run = wd.run(&["validate", "--format", "json", "bad.json"]);
    assert_eq!(run.code, 1);
    let finding: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(finding["file"], "bad.json");
    assert_eq!(finding["line"], 18);
    assert_eq!(finding["column"], 15);
    assert_eq!(finding["path"], "channel.rating");
    assert_eq!(finding["severity"], "error");
}

#[test]
fn missing_inputs_and_usage_errors() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL);
    let run = wd.run(&["validate", "good.json", "nope.json", "no/*.json"]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .contains("nope.json: error: no such file or directory"));
    assert!(run
        .stdout
        .contains("no/*.json: error: no files match this pattern"));
    let run = wd.run(&["validate", "--format", "xml", "good.json"]);
    assert_eq!(run.code, 2);
}

#[test]
fn folder_walk_skips_rejected_and_temporary_files() {
    let wd = Workdir::new();
    wd.write("dumps/2026/03/01/1-1.json", payload(1, 1_700_000_000_000))
        .write("dumps/rejected/bad.json", "{")
        .write("dumps/2026/03/01/.tmp-2.json", "{")
        .write("dumps/notes.txt", "not json");
    let run = wd.run(&["validate", "dumps"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("1 file, 1 payload:"), "{}", run.stderr);
}

#[test]
fn sshookignore_keeps_a_folder_out_of_walks_but_not_out_of_reach() {
    let wd = Workdir::new();
    wd.write("data/ok.json", OFFICIAL)
        .write("data/broken/bad.json", "{")
        .write("data/.sshookignore", "# known-bad examples\nbroken/\n");
    assert_eq!(wd.run(&["validate", "data"]).code, 0);
    assert_eq!(wd.run(&["validate", "data/broken"]).code, 1);
}

#[test]
fn big_files_are_read_in_chunks_without_losing_a_document_or_a_line_number() {
    let wd = Workdir::new();
    // ~3 MB of pretty-printed concatenated payloads and ~3 MB of NDJSON, each with one bad
    // document near the end, so that several 1 MiB chunk boundaries fall inside documents.
    let pretty_one = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&payload(1, 1_700_000_000_000)).unwrap(),
    )
    .unwrap();
    let lines_per_doc = pretty_one.lines().count();
    let mut pretty = String::new();
    let mut ndjson = String::new();
    for i in 0..3000 {
        let p = payload(i, 1_700_000_000_000);
        if i == 2900 {
            pretty.push_str("{\"beginAt\": 1,\n  \"endAt\": ]\n}\n");
            ndjson.push_str("{\"beginAt\": 1, \"endAt\": ]}\n");
        }
        let doc: serde_json::Value = serde_json::from_str(&p).unwrap();
        pretty.push_str(&serde_json::to_string_pretty(&doc).unwrap());
        pretty.push('\n');
        ndjson.push_str(&p);
        ndjson.push('\n');
    }
    wd.write("pretty.json", &pretty)
        .write("lines.ndjson", &ndjson);
    let run = wd.run(&["validate", "pretty.json", "lines.ndjson"]);
    assert_eq!(run.code, 1);
    let bad_pretty_line = 2900 * lines_per_doc + 2;
    assert_eq!(
        run.stdout,
        format!(
            "pretty.json:{bad_pretty_line}:12: error: syntax error: expected value near `\"endAt\": ]`\n\
             lines.ndjson:2901:25: error: syntax error: expected value near `\"beginAt\": 1, \"endAt\": ]}}`\n"
        )
    );
    assert!(
        run.stderr.contains("2 files, 6000 payloads: 6000 valid"),
        "{}",
        run.stderr
    );
}

#[test]
fn findings_name_the_place_of_the_wrong_value() {
    let wd = Workdir::new();
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    wd.write(
        "from.json",
        official_with("\"from\": \"agent:3\"", "\"from\": [3]"),
    )
    .write(
        "deep-variables.json",
        official_with(
            "\"variables\": {",
            &format!("\"variables\": {{\"deep\": {deep},"),
        ),
    )
    .write(
        "deep-unknown.json",
        official_with(
            "\"accountId\": 208,",
            &format!("\"accountId\": 208, \"extra\": {deep},"),
        ),
    );
    // A line cut in half is reported on its own line, not on the next one it runs into.
    let (a, b) = (payload(1, 1_700_000_000_000), payload(2, 1_700_000_100_000));
    wd.write("cut.ndjson", format!("{a}\n{}\n{b}\n", &a[..a.len() / 2]));
    let run = wd.run(&[
        "validate",
        "from.json",
        "deep-variables.json",
        "deep-unknown.json",
        "cut.ndjson",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout, @r#"
    from.json:70:15: error: messages[1].from: expected string, number or null, found array
    deep-variables.json:34:152: error: nesting too deep: more than 128 levels
    deep-unknown.json:2:157: error: nesting too deep: more than 128 levels
    cut.ndjson:2:303: error: syntax error: the document is cut off (the line ends inside a string) near `ll,"ratingDesc":null},"v`
    "#);
    assert!(
        run.stderr
            .contains("4 files, 2 payloads: 2 valid; 4 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_binary_file_is_one_finding() {
    let wd = Workdir::new();
    let mut binary = Vec::new();
    for i in 0..2_000u32 {
        binary.extend_from_slice(b"\n{");
        binary.extend_from_slice(&i.to_le_bytes());
    }
    wd.write("image.json", binary);
    let run = wd.run(&["validate", "image.json"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout, @"image.json:2:2: error: binary data, not JSON text (byte 0x00)");
}
