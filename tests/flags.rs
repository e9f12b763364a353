//! Flags no other file tests: `list --columns`, `stats --wide`, `export --wide`, `--color`
//! (with and without `NO_COLOR`, on a pipe and on a terminal), and `prune --dry-run`'s report.
//! Expected values are computed here from the payloads the tests write.

use std::collections::BTreeMap;

use crate::common::{agents_of, official_with, status, varied, write_ndjson, Workdir, OFFICIAL};
use unicode_width::UnicodeWidthStr;

fn ok(run: &crate::common::Run) {
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// ---- list --columns ----

#[test]
fn list_columns_are_the_ones_named_in_their_order() {
    let wd = Workdir::new();
    let payloads = varied(12);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let run = wd.run(&[
        "list",
        "chats.ndjson",
        "-f",
        "csv",
        "--columns",
        "rating,conversation_id,status,messages_counted",
    ]);
    ok(&run);
    let mut expected = vec![String::from(
        "rating,conversation_id,status,messages_counted",
    )];
    for p in &payloads {
        let rating = p["channel"]["rating"].as_i64().map(|r| r.to_string());
        expected.push(format!(
            "{},{},{},{}",
            rating.unwrap_or_default(),
            p["channel"]["id"],
            status(p),
            p["messages"].as_array().unwrap().len()
        ));
    }
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected);

    // NDJSON: the keys, in that order, and nothing else.
    let run = wd.run(&[
        "list",
        "chats.ndjson",
        "-f",
        "ndjson",
        "--columns",
        "status,conversation_id",
    ]);
    ok(&run);
    for (line, p) in run.stdout.lines().zip(&payloads) {
        assert_eq!(
            line,
            format!(
                "{{\"status\":\"{}\",\"conversation_id\":\"{}\"}}",
                status(p),
                p["channel"]["id"]
            )
        );
    }
    assert_eq!(run.stdout.lines().count(), payloads.len());

    // Any export column, not only list's ten.
    let run = wd.run(&[
        "list",
        "chats.ndjson",
        "-f",
        "csv",
        "--columns",
        "channel_id,visitor_country_code,is_chat",
    ]);
    ok(&run);
    let second = &payloads[1];
    assert_eq!(
        run.stdout.lines().nth(2).unwrap(),
        format!(
            "{},{},{}",
            second["channel"]["id"],
            second["visitor"]["countryCode"].as_str().unwrap(),
            second["channel"]["isChat"]
        )
    );

    // An unknown column is a usage error, before any output.
    let run = wd.run(&["list", "chats.ndjson", "--columns", "rating,nope"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("unknown column \"nope\""),
        "{}",
        run.stderr
    );
}

#[test]
fn list_columns_hide_from_the_last_named_in_a_narrow_table() {
    let wd = Workdir::new();
    wd.write("official.json", OFFICIAL);
    // status 9 + 2 + conversation_id 12 (never cut: its header word, "conversation") = 23;
    // rating (6) no longer fits in 24.
    let table = wd
        .command(&[
            "list",
            "official.json",
            "-f",
            "table",
            "--columns",
            "status,conversation_id,rating",
        ])
        .env("COLUMNS", "24")
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    let rule = lines.iter().position(|l| l.starts_with('─')).unwrap();
    assert!(lines[rule - 1].starts_with("status"), "{table}");
    assert_eq!(lines[rule + 1].trim_end(), "completed  55039", "{table}");
    assert_eq!(
        lines[rule + 2..].join(" "),
        "1 column hidden: rating — `--wide` shows all"
    );
}

// ---- --wide ----

/// The data lines of a table (after the rule under the header, before any footer), split
/// into cells at runs of two or more spaces.
fn cells(table: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = table.lines().collect();
    let rule = lines.iter().position(|l| l.starts_with('─')).unwrap();
    lines[rule + 1..]
        .iter()
        .take_while(|l| !l.is_empty() && !l.contains(" hidden:") && !l.contains("more figure"))
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

fn at_width(wd: &Workdir, width: usize, args: &[&str]) -> String {
    let output = wd
        .command(args)
        .env("COLUMNS", width.to_string())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn stats_wide_shows_every_column_however_wide() {
    let wd = Workdir::new();
    let payloads = varied(30);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let args = [
        "stats",
        "chats.ndjson",
        "-f",
        "table",
        "--by",
        "agent",
        "-q",
    ];
    let fitted = at_width(&wd, 60, &args);
    assert!(fitted.lines().all(|l| l.width() <= 60), "{fitted}");
    assert!(fitted.contains("columns hidden: "), "{fitted}");

    let wide = at_width(&wd, 60, &[&args[..], &["--wide"]].concat());
    assert!(!wide.contains("hidden"), "{wide}");
    let header = wide.lines().next().unwrap();
    for title in [
        "agent",
        "conversations",
        "bar",
        "messages",
        "first response median (s)",
        "first response p90 (s)",
        "rating mean (1–5)",
    ] {
        assert!(header.contains(title), "{title} not in {header}");
    }
    assert!(wide.lines().any(|l| l.width() > 60));
    // The rows hold the figures counted from the payloads: conversations and messages of
    // each agent, and the total.
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for p in &payloads {
        for (name, messages) in agents_of(p) {
            let entry = expected.entry(name).or_default();
            entry.0 += 1;
            entry.1 += messages;
        }
    }
    let messages = expected.values().map(|(_, m)| m).sum();
    expected.insert("total".into(), (payloads.len() as u64, messages));
    let shown: BTreeMap<String, (u64, u64)> = cells(&wide)
        .into_iter()
        .map(|row| {
            // agent, conversations, bar (absent on the total row), messages, …
            let numbers: Vec<u64> = row[1..].iter().filter_map(|c| c.parse().ok()).collect();
            (row[0].clone(), (numbers[0], numbers[1]))
        })
        .collect();
    assert_eq!(shown, expected);
}

#[test]
fn export_wide_shows_every_column_and_whole_texts() {
    let wd = Workdir::new();
    // Longer than a fitted table's 60-character cells: whole with --wide, as its help says.
    let long =
        "A question long enough that a fitted table has to cut it, and then some more words.";
    assert!(long.chars().count() > 60);
    wd.write(
        "official.json",
        official_with("\"Hello\"", &serde_json::to_string(long).unwrap()),
    );
    let csv = wd.run(&["export", "official.json", "-f", "csv"]);
    ok(&csv);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let values: Vec<String> = (reader.records().next().unwrap().unwrap().iter())
        .map(String::from)
        .collect();
    assert!(names.len() > 40, "{names:?}");

    let fitted = at_width(&wd, 60, &["export", "official.json", "-f", "table"]);
    assert!(fitted.contains("columns hidden: "), "{fitted}");
    assert!(!fitted.contains(long));

    let wide = at_width(
        &wd,
        60,
        &["export", "official.json", "-f", "table", "--wide"],
    );
    assert!(!wide.contains("hidden"), "{wide}");
    let lines: Vec<&str> = wide.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "one header line, the rule, one row:\n{wide}"
    );
    // Every column, headers on one line (underscores as spaces), in the export's order.
    let rule: Vec<&str> = lines[1].split("  ").filter(|s| !s.is_empty()).collect();
    assert_eq!(rule.len(), names.len());
    let mut rest = lines[0];
    for name in &names {
        let title = name.replace('_', " ");
        let at = rest
            .find(&title)
            .unwrap_or_else(|| panic!("{title} not in order in {}", lines[0]));
        rest = &rest[at + title.len()..];
    }
    // Whole texts: every text value of the row is there, uncut, the long one too.
    assert!(lines[2].contains(long), "{}", lines[2]);
    let mut whole = 0;
    for (name, value) in names.iter().zip(&values) {
        let text = [
            "visitor_name",
            "visitor_email",
            "visitor_note",
            "visitor_city",
            "visitor_country",
            "visitor_referer",
            "agents",
            "triggers",
            "first_url",
            "first_visitor_message",
        ]
        .contains(&name.as_str());
        if text && !value.is_empty() {
            assert!(
                lines[2].contains(value.as_str()),
                "{name}: {value} in {}",
                lines[2]
            );
            whole += 1;
        }
    }
    assert!(whole >= 6, "{whole}");
    assert!(lines[2].contains(long));
    assert!(lines[2].width() > 300);
}

// ---- --color ----

/// `text` without its ANSI escape sequences (`ESC [ … letter`).
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            assert_eq!(chars.next(), Some('['), "{text:?}");
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn trimmed(text: &str) -> Vec<&str> {
    text.lines().map(str::trim_end).collect()
}

/// Runs `args` with `--color choice` (none: the default) and `NO_COLOR` as given; (stdout,
/// stderr).
fn coloured(
    wd: &Workdir,
    args: &[&str],
    choice: Option<&str>,
    no_color: Option<&str>,
) -> (String, String) {
    let mut all = args.to_vec();
    if let Some(choice) = choice {
        all.extend(["--color", choice]);
    }
    let mut command = wd.command(&all);
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let output = command.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// On a pipe: `always` colours (whatever `NO_COLOR` says: the flag asks explicitly), `never`
/// and `auto` (the default) do not; colour adds escape codes and changes nothing else. The
/// same for the findings on stderr.
#[test]
fn color_always_never_and_auto_on_a_pipe() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL)
        .write("bad.json", "{\"beginAt\": 1,");
    let show = ["show", "good.json", "--utc"];
    let table = ["list", "good.json", "-f", "table", "--utc"];
    let findings = ["list", "good.json", "bad.json", "-f", "csv"];
    let (uncoloured_show, _) = coloured(&wd, &show, Some("never"), None);
    let (uncoloured_table, _) = coloured(&wd, &table, Some("never"), None);
    let (_, uncoloured_findings) = coloured(&wd, &findings, Some("never"), None);
    assert!(uncoloured_show.starts_with("Conversation 55039\n"));
    assert!(uncoloured_table.contains("completed"));
    assert!(
        uncoloured_findings.starts_with("bad.json:1:14: error: syntax error"),
        "{uncoloured_findings}"
    );
    for no_color in [None, Some("1"), Some("")] {
        for choice in [None, Some("auto"), Some("never"), Some("always")] {
            let colour = choice == Some("always");
            let what = format!("--color {choice:?}, NO_COLOR {no_color:?}");
            let (out, _) = coloured(&wd, &show, choice, no_color);
            assert_eq!(out.contains('\u{1b}'), colour, "show, {what}: {out:?}");
            assert_eq!(plain(&out), uncoloured_show, "show, {what}");
            let (out, _) = coloured(&wd, &table, choice, no_color);
            assert_eq!(out.contains('\u{1b}'), colour, "list, {what}: {out:?}");
            // (A coloured header keeps the padding of its last cell: compared line by line
            // without trailing spaces.)
            assert_eq!(
                trimmed(&plain(&out)),
                trimmed(&uncoloured_table),
                "list, {what}"
            );
            let (_, err) = coloured(&wd, &findings, choice, no_color);
            assert_eq!(err.contains('\u{1b}'), colour, "stderr, {what}: {err:?}");
            assert_eq!(plain(&err), uncoloured_findings, "stderr, {what}");
            if colour {
                assert!(out.contains("\u{1b}[32mcompleted\u{1b}[0m"), "{out:?}");
                assert!(err.starts_with("\u{1b}[1mbad.json:1:14\u{1b}[0m: \u{1b}[1;31merror"));
            }
        }
    }
    // Data formats never carry colour, even when asked.
    let (csv, _) = coloured(
        &wd,
        &["list", "good.json", "-f", "csv"],
        Some("always"),
        None,
    );
    assert!(!csv.contains('\u{1b}') && csv.contains("55039"), "{csv}");
    // A word other than the three is a usage error.
    let run = wd.run(&["show", "good.json", "--color", "sometimes"]);
    assert_eq!(run.code, 2);
}

/// On a terminal (a pseudo-terminal as stdout), `auto` colours unless `NO_COLOR` is set to
/// something (an empty `NO_COLOR` counts as unset, as no-color.org says); `never` and
/// `always` do as they say.
#[cfg(target_os = "linux")]
#[test]
fn color_auto_on_a_terminal_follows_no_color() {
    let wd = Workdir::new();
    wd.write("good.json", OFFICIAL);
    let args = ["show", "good.json", "--utc"];
    for (choice, no_color, colour) in [
        (None, None, true),
        (Some("auto"), None, true),
        (None, Some("1"), false),
        (Some("auto"), Some("yes"), false),
        (None, Some(""), true),
        (Some("never"), None, false),
        (Some("always"), Some("1"), true),
    ] {
        let mut all = args.to_vec();
        if let Some(choice) = choice {
            all.extend(["--color", choice]);
        }
        let out = terminal::stdout_of(&wd, &all, no_color);
        let what = format!("--color {choice:?}, NO_COLOR {no_color:?}");
        assert_eq!(out.contains('\u{1b}'), colour, "{what}: {out:?}");
        // The terminal turns \n into \r\n; the text is the same.
        let text = plain(&out).replace("\r\n", "\n");
        assert!(text.starts_with("Conversation 55039\n"), "{what}: {text:?}");
        if colour {
            assert!(
                out.starts_with("\u{1b}[1mConversation 55039\u{1b}[0m"),
                "{out:?}"
            );
        }
    }
}

#[cfg(target_os = "linux")]
mod terminal {
    //! A child process whose stdout is a pseudo-terminal (posix_openpt), read from its master
    //! side until the child closes it.

    use std::ffi::CStr;
    use std::fs::File;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;

    use crate::common::Workdir;

    /// A new pseudo-terminal: (master, slave).
    fn open() -> (File, OwnedFd) {
        // SAFETY: plain libc calls on descriptors this function owns; every result is checked
        // before use, and each descriptor gets exactly one owner.
        unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
            assert!(master >= 0, "posix_openpt");
            let master = File::from_raw_fd(master);
            use std::os::fd::AsRawFd;
            assert_eq!(libc::grantpt(master.as_raw_fd()), 0, "grantpt");
            assert_eq!(libc::unlockpt(master.as_raw_fd()), 0, "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            assert_eq!(
                libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()),
                0,
                "ptsname_r"
            );
            let slave = libc::open(
                CStr::from_ptr(name.as_ptr()).as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY,
            );
            assert!(slave >= 0, "open the terminal's slave side");
            (master, OwnedFd::from_raw_fd(slave))
        }
    }

    /// sshook's stdout with `args`, written to a terminal; `NO_COLOR` as given.
    pub fn stdout_of(wd: &Workdir, args: &[&str], no_color: Option<&str>) -> String {
        let (mut master, slave) = open();
        let mut command = wd.std_command(args);
        command
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .stdout(Stdio::from(slave));
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let mut child = command.spawn().expect("start sshook");
        // The parent's copy of the slave side goes with the command: once the child exits,
        // reading the master side ends (EIO on Linux).
        drop(command);
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        let status = child.wait().expect("wait");
        assert!(status.success(), "{args:?}: {status}");
        String::from_utf8(out).expect("utf-8")
    }
}

// ---- prune --dry-run ----

/// A payload of conversation `id` that began at `ms`, on one line.
fn line(id: i64, ms: i64) -> String {
    crate::common::payload(id, ms)
}

/// Every file under the folder with its bytes and modification time.
fn snapshot(wd: &Workdir) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    fn walk(
        dir: &std::path::Path,
        root: &std::path::Path,
        out: &mut BTreeMap<String, (Vec<u8>, std::time::SystemTime)>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                out.insert(name, (std::fs::read(&path).unwrap(), modified));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(wd.root(), wd.root(), &mut out);
    out
}

/// `prune --dry-run` says, file by file, exactly what the real run then does, and changes
/// nothing: old conversations (before the date) are counted per file, a file of only old
/// ones would be deleted, a mixed one rewritten, a new one left; an old rejected body goes.
#[test]
fn prune_dry_run_lists_exactly_what_would_go_and_changes_nothing() {
    let wd = Workdir::new();
    // Before 2026-03-11 (UTC): January and March 2nd; after: March 20th.
    let (january, march_2, march_20) = (1_767_261_600_000, 1_772_445_600_000, 1_773_997_200_000);
    wd.write("old.json", line(1, january));
    wd.write(
        "mixed.ndjson",
        [line(2, january), line(3, march_20), line(4, march_2)].join("\n") + "\n",
    );
    wd.write("sub/new.json", line(5, march_20));
    wd.write(
        "events.ndjson",
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/webhooks/closed-and-rated.ndjson"
        ))
        .unwrap(),
    );
    wd.write("rejected/20260228T225959.000Z-0.json", "old garbage");
    wd.write("rejected/20260312T000000.000Z-1.json", "new garbage");
    // The events: 13 lines of one conversation, begun 2026-03-10 09:00 UTC.
    let events = wd.read("events.ndjson");
    assert_eq!(events.lines().count(), 13);
    assert!(events.contains("2026-03-10T09:00:00"), "{events}");
    let before = snapshot(&wd);

    let args = ["prune", ".", "--before", "2026-03-11", "--utc"];
    let dry = wd.run(&[&args[..], &["--dry-run"]].concat());
    ok(&dry);
    assert_eq!(dry.stderr, "");
    // A dry run says every line in the conditional.
    let expected = [
        "would delete  ./events.ndjson  (would remove 13 documents)",
        "would rewrite ./mixed.ndjson  (would remove 2 documents, keep 1 document)",
        "would delete  ./old.json  (would remove 1 document)",
        "would delete  ./rejected/20260228T225959.000Z-0.json  (a rejected body that cannot be read, holding what was asked for)",
        "prune: would remove 4 conversations (3 POST-hook payloads, 13 webhook events); would rewrite 1 file, would delete 3 files, would not change 2 other files; nothing was changed (dry run)",
    ];
    assert_eq!(dry.stdout.lines().collect::<Vec<_>>(), expected);
    assert_eq!(snapshot(&wd), before, "a dry run changes nothing");
    // -n is the same.
    assert_eq!(wd.run(&[&args[..], &["-n"]].concat()).stdout, dry.stdout);

    // The real run does what the dry run said, and says it in the past.
    let run = wd.run(&args);
    ok(&run);
    let done = [
        "deleted       ./events.ndjson  (13 documents removed)",
        "rewritten     ./mixed.ndjson  (2 documents removed, 1 document kept)",
        "deleted       ./old.json  (1 document removed)",
        "deleted       ./rejected/20260228T225959.000Z-0.json  (a rejected body that cannot be read, holding what was asked for)",
        "prune: 4 conversations removed (3 POST-hook payloads, 13 webhook events); 1 file rewritten, 3 files deleted, 2 other files not changed",
    ];
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), done);
    let after: Vec<String> = snapshot(&wd).into_keys().collect();
    assert_eq!(
        after,
        [
            "mixed.ndjson",
            "rejected/20260312T000000.000Z-1.json",
            "sub/new.json"
        ]
    );
    assert_eq!(wd.read("mixed.ndjson"), line(3, march_20) + "\n");
}
