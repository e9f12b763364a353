//! `sshook erase` and `sshook prune`: exactly the conversations asked for leave the dumps, in
//! every stored form; every other byte stays; untouched files keep inode and mtime; a crash
//! leaves each file old or new.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use crate::common::{payload, Workdir};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const T0: i64 = 1_772_442_847_000; // 2026-03-02T09:14:07Z

/// A payload of visitor `email`.
fn of(id: i64, email: &str) -> String {
    payload(id, T0 + id * 1000).replace(
        r#""name":"Eva","countryCode""#,
        &format!(r#""name":"Eva","email":"{email}","ipAddress":"10.0.0.{id}","countryCode""#),
    )
}

fn gz(text: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// (inode, mtime in ns, bytes) of every file under the work dir.
fn snapshot(wd: &Workdir) -> Vec<(String, u64, i64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![wd.root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(wd.root()).unwrap().display().to_string();
                let bytes = if meta.is_file() {
                    fs::read(&path).unwrap()
                } else {
                    Vec::new()
                };
                out.push((
                    name,
                    meta.ino(),
                    meta.mtime_nsec() + meta.mtime() * 1_000_000_000,
                    bytes,
                ));
            }
        }
    }
    out.sort();
    out
}

/// A corpus of every stored form; visitor x@example.com in some of each.
fn mixed(wd: &Workdir) {
    let (a, x, b) = (
        of(1, "a@example.com"),
        of(2, "X@Example.com"),
        of(3, "b@example.com"),
    );
    wd.write("one/only-x.json", format!("{x}\n"));
    wd.write("one/only-a.json", format!("{a}\n"));
    wd.write(
        "chats.ndjson",
        format!("{a}\n{x}\n{b}\n{}\n", of(4, "x@example.com")),
    );
    wd.write("array.json", format!("[\n  {a},\n  {x},\n  {b}\n]\n"));
    wd.write("last.json", format!("[{a}, {b}, {x}]"));
    wd.write("old.ndjson.gz", gz(&format!("{x}\n{b}\n")));
    wd.write("rejected/20260301T120000.000Z-0.json", &x);
    wd.write("rejected/20260301T120000.000Z-0.reason.txt", "why");
    wd.write(
        "rejected/20260301T120001.000Z-1.json",
        "{\"beginAt\": \"x@example.com\" broken",
    );
    wd.write("rejected/20260301T120002.000Z-2.json", "not json at all");
}

#[test]
fn erase_by_email_removes_exactly_that_visitor_in_every_form() {
    let wd = Workdir::new();
    mixed(&wd);
    let (a, b) = (of(1, "a@example.com"), of(3, "b@example.com"));
    let before = snapshot(&wd);
    let validate_before = wd.run(&["validate", "."]);

    let run = wd.run(&["erase", ".", "--email", "x@EXAMPLE.com"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("example.com"),
        "the report names no data: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 conversations removed (7 POST-hook payloads, 0 webhook events)"),
        "{}",
        run.stdout
    );

    assert!(!wd.path("one/only-x.json").exists());
    assert!(!wd.path("rejected/20260301T120000.000Z-0.json").exists());
    assert!(!wd
        .path("rejected/20260301T120000.000Z-0.reason.txt")
        .exists());
    assert!(
        !wd.path("rejected/20260301T120001.000Z-1.json").exists(),
        "unreadable body with the e-mail"
    );
    assert_eq!(wd.read("chats.ndjson"), format!("{a}\n{b}\n"));
    assert_eq!(wd.read("array.json"), format!("[\n  {a},\n  {b}\n]\n"));
    assert_eq!(wd.read("last.json"), format!("[{a}, {b}]"));
    assert_eq!(
        gunzip(&fs::read(wd.path("old.ndjson.gz")).unwrap()),
        format!("{b}\n")
    );

    // Untouched files: same inode, same mtime, same bytes.
    let after = snapshot(&wd);
    for name in ["one/only-a.json", "rejected/20260301T120002.000Z-2.json"] {
        let old = before.iter().find(|f| f.0 == name).unwrap();
        let new = after.iter().find(|f| f.0 == name).unwrap();
        assert_eq!(old, new, "{name}");
    }
    // No temporary file left; validate as clean as before.
    assert!(after.iter().all(|f| !f.0.contains(".sshook")), "{after:?}");
    let validate_after = wd.run(&["validate", "."]);
    assert_eq!(validate_after.code, validate_before.code);
    assert!(
        validate_after.stderr.contains("0 errors, 0 warnings"),
        "{}",
        validate_after.stderr
    );

    // Nothing of the visitor is left to find.
    let again = wd.run(&["erase", ".", "--email", "x@example.com"]);
    assert!(
        again.stdout.contains("0 conversations removed"),
        "{}",
        again.stdout
    );
    let listed = wd.run(&["list", ".", "-f", "csv"]);
    assert_eq!(listed.stdout.lines().count(), 1 + 2, "{}", listed.stdout);
}

#[test]
fn dry_run_lists_and_changes_nothing() {
    let wd = Workdir::new();
    mixed(&wd);
    let before = snapshot(&wd);
    let run = wd.run(&["erase", ".", "--email", "x@example.com", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("would rewrite chats.ndjson")
            || run.stdout.contains("would rewrite ./chats.ndjson"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("would delete"), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("; nothing was changed (dry run)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&wd), before);
}

/// The dry run names exactly the files the real run then rewrites and deletes, with the same
/// counts, in the conditional; the real run says the same in the past.
#[test]
fn a_dry_run_names_exactly_the_files_the_real_run_changes() {
    let wd = Workdir::new();
    mixed(&wd);
    let before = snapshot(&wd);
    let args = ["erase", ".", "--email", "x@example.com"];
    let dry = wd.run(&[&args[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let expected = [
        "would rewrite ./array.json  (would remove 1 document, keep 2 documents)",
        "would rewrite ./chats.ndjson  (would remove 2 documents, keep 2 documents)",
        "would rewrite ./last.json  (would remove 1 document, keep 2 documents)",
        "would rewrite ./old.ndjson.gz  (would remove 1 document, keep 1 document)",
        "would delete  ./one/only-x.json  (would remove 1 document)",
        "would delete  ./rejected/20260301T120000.000Z-0.json  (would remove 1 document)",
        "would delete  ./rejected/20260301T120001.000Z-1.json  (a rejected body that cannot be read, holding what was asked for)",
        "erase: would remove 2 conversations (7 POST-hook payloads, 0 webhook events); would rewrite 4 files, would delete 3 files, would not change 2 other files; nothing was changed (dry run)",
    ];
    assert_eq!(dry.stdout.lines().collect::<Vec<_>>(), expected);
    assert_eq!(snapshot(&wd), before, "a dry run changes nothing");

    let run = wd.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let done = [
        "rewritten     ./array.json  (1 document removed, 2 documents kept)",
        "rewritten     ./chats.ndjson  (2 documents removed, 2 documents kept)",
        "rewritten     ./last.json  (1 document removed, 2 documents kept)",
        "rewritten     ./old.ndjson.gz  (1 document removed, 1 document kept)",
        "deleted       ./one/only-x.json  (1 document removed)",
        "deleted       ./rejected/20260301T120000.000Z-0.json  (1 document removed)",
        "deleted       ./rejected/20260301T120001.000Z-1.json  (a rejected body that cannot be read, holding what was asked for)",
        "erase: 2 conversations removed (7 POST-hook payloads, 0 webhook events); 4 files rewritten, 3 files deleted, 2 other files not changed",
    ];
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), done);
    // The files the dry run named are exactly those now rewritten or gone (with a deleted
    // body, its reason file); every other file keeps its inode, time and bytes.
    let after = snapshot(&wd);
    let changed: Vec<String> = before
        .iter()
        .filter(|b| !after.contains(b))
        .map(|b| b.0.clone())
        .collect();
    let mut listed: Vec<String> = expected[..expected.len() - 1]
        .iter()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|f| f.trim_start_matches("./").to_string())
        .collect();
    listed.push("rejected/20260301T120000.000Z-0.reason.txt".to_string());
    listed.sort();
    assert_eq!(changed, listed, "{}", run.stdout);
}

#[test]
fn other_criteria_and_webhook_events() {
    let wd = Workdir::new();
    mixed(&wd);
    let events =
        fs::read_to_string(format!("{FIXTURES}/webhooks/closed-and-rated.ndjson")).unwrap();
    wd.write("events.ndjson", &events);
    wd.write(
        "rated.json",
        fs::read(format!("{FIXTURES}/webhooks/rated-alone.json")).unwrap(),
    );
    let run = wd.run(&["erase", ".", "--email", "eva@example.com"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("1 conversation removed"),
        "{}",
        run.stdout
    );
    assert!(!wd.path("events.ndjson").exists());
    assert!(!wd.path("rated.json").exists());
    let listed = wd.run(&["list", ".", "-f", "csv"]);
    assert!(!listed.stdout.contains("cnv_"), "{}", listed.stdout);

    let run = wd.run(&["erase", ".", "--ip", "10.0.0.3", "--conversation", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed = wd.run(&["list", ".", "-f", "csv", "--keep", "all"]);
    let mut ids: Vec<&str> = listed
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["2", "2", "2", "2", "2", "4"], "{}", listed.stdout);
    let run = wd.run(&["erase", ".", "--visitor-id", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Nothing is left: the one rule for an input without documents (no header, exit 1).
    let run = wd.run(&["list", ".", "-f", "csv"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
}

#[test]
fn refuses_stdin_and_symlinks_and_says_why() {
    let wd = Workdir::new();
    mixed(&wd);
    let run = wd.run(&["erase", "-", "--email", "x@example.com"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("standard input"), "{}", run.stderr);
    let run = wd.run(&["erase", "."]);
    assert_eq!(run.code, 2, "no criterion");

    std::os::unix::fs::symlink(wd.path("chats.ndjson"), wd.path("link.ndjson")).unwrap();
    let run = wd.run(&["erase", ".", "--email", "x@example.com"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("link.ndjson: error: not checked: a symbolic link"),
        "{}",
        run.stderr
    );
    assert!(
        !wd.read("chats.ndjson").contains("X@Example"),
        "the rest goes on"
    );
    assert!(fs::symlink_metadata(wd.path("link.ndjson"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(target_os = "linux")]
#[test]
fn unwritable_folder_is_named_and_the_file_kept() {
    let wd = Workdir::new();
    mixed(&wd);
    let dir = wd.path("one");
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    // As `nobody` when the tests run as root, who would write anyway.
    let run = wd.run_unprivileged(&["erase", ".", "--email", "x@example.com"]);
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("only-x.json: error: not changed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .ends_with("; 1 file could not be changed: the erasure is incomplete\n"),
        "{}",
        run.stdout
    );
    assert!(wd.path("one/only-x.json").exists());
}

/// A file whose gzip is broken after its header: unreadable, even to root.
const BROKEN_GZIP: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03corrupt data here";

#[test]
fn an_unreadable_file_is_named_not_checked_and_the_run_fails() {
    let wd = Workdir::new();
    let (a, x) = (of(1, "a@example.com"), of(2, "x@example.com"));
    wd.write("chats.ndjson", format!("{a}\n{x}\n"));
    wd.write("2024/broken.json.gz", BROKEN_GZIP);
    let before = snapshot(&wd);
    let not_checked =
        "not checked   ./2024/broken.json.gz  (unreadable gzip: corrupt deflate stream)";
    let stderr =
        "./2024/broken.json.gz: error: not checked: unreadable gzip: corrupt deflate stream\n";

    let erase = ["erase", ".", "--email", "x@example.com"];
    let dry = wd.run(&[&erase[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    assert_eq!(dry.stderr, stderr);
    assert_eq!(
        dry.stdout.lines().collect::<Vec<_>>(),
        [
            not_checked,
            "would rewrite ./chats.ndjson  (would remove 1 document, keep 1 document)",
            "erase: would remove 1 conversation (1 POST-hook payload, 0 webhook events); \
             would rewrite 1 file, would delete 0 files, would not change 0 other files; \
             1 file could not be checked: the erasure would be incomplete; nothing was changed (dry run)",
        ]
    );
    assert_eq!(snapshot(&wd), before);

    let run = wd.run(&erase);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, stderr);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            not_checked,
            "rewritten     ./chats.ndjson  (1 document removed, 1 document kept)",
            "erase: 1 conversation removed (1 POST-hook payload, 0 webhook events); \
             1 file rewritten, 0 files deleted, 0 other files not changed; \
             1 file could not be checked: the erasure is incomplete",
        ]
    );
    assert_eq!(wd.read("chats.ndjson"), format!("{a}\n"));
    assert_eq!(
        fs::read(wd.path("2024/broken.json.gz")).unwrap(),
        BROKEN_GZIP
    );

    // prune says the same, dry run or not.
    let prune = ["prune", ".", "--before", "2026-03-03", "--utc"];
    let dry = wd.run(&[&prune[..], &["-n"]].concat());
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    assert_eq!(dry.stderr, stderr);
    assert_eq!(
        dry.stdout.lines().collect::<Vec<_>>(),
        [
            not_checked,
            "would delete  ./chats.ndjson  (would remove 1 document)",
            "prune: would remove 1 conversation (1 POST-hook payload, 0 webhook events); \
             would rewrite 0 files, would delete 1 file, would not change 0 other files; \
             1 file could not be checked: the prune would be incomplete; nothing was changed (dry run)",
        ]
    );
    let run = wd.run(&prune);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, stderr);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            not_checked,
            "deleted       ./chats.ndjson  (1 document removed)",
            "prune: 1 conversation removed (1 POST-hook payload, 0 webhook events); \
             0 files rewritten, 1 file deleted, 0 other files not changed; \
             1 file could not be checked: the prune is incomplete",
        ]
    );
}

#[test]
fn a_document_that_cannot_be_read_is_kept_and_said_to_be_unchecked() {
    let wd = Workdir::new();
    let (a, x) = (of(1, "a@example.com"), of(2, "x@example.com"));
    let broken = "{\"beginAt\": \"x@example.com\" broken";
    wd.write("chats.ndjson", format!("{a}\n{x}\n{broken}\n"));
    let run = wd.run(&["erase", ".", "--email", "x@example.com", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("./chats.ndjson:3:29: error: syntax error"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "not checked   ./chats.ndjson  (1 document in it cannot be read)",
            "would rewrite ./chats.ndjson  (would remove 1 document, keep 1 document)",
            "erase: would remove 1 conversation (1 POST-hook payload, 0 webhook events); \
             would rewrite 1 file, would delete 0 files, would not change 0 other files; \
             1 document in 1 file could not be read: the erasure would be incomplete; \
             nothing was changed (dry run)",
        ]
    );
    let run = wd.run(&["erase", ".", "--email", "x@example.com"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().last().unwrap(),
        "erase: 1 conversation removed (1 POST-hook payload, 0 webhook events); \
         1 file rewritten, 0 files deleted, 0 other files not changed; \
         1 document in 1 file could not be read: the erasure is incomplete"
    );
    // The unreadable document stays, byte for byte.
    assert_eq!(wd.read("chats.ndjson"), format!("{a}\n{broken}\n"));
}

#[test]
fn a_named_file_that_is_missing_is_not_checked() {
    let wd = Workdir::new();
    wd.write("chats.ndjson", format!("{}\n", of(1, "a@example.com")));
    let run = wd.run(&["erase", "chats.ndjson", "gone.ndjson", "--ip", "10.0.0.9"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "gone.ndjson: error: not checked: no such file or directory\n"
    );
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "not checked   gone.ndjson  (no such file or directory)",
            "erase: 0 conversations removed (0 POST-hook payloads, 0 webhook events); \
             0 files rewritten, 0 files deleted, 1 other file not changed; \
             1 file could not be checked: the erasure is incomplete",
        ]
    );
}

#[cfg(target_os = "linux")]
#[test]
fn files_and_folders_without_permission_are_not_checked() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    let (a, x) = (of(1, "a@example.com"), of(2, "x@example.com"));
    wd.write("chats.ndjson", format!("{a}\n{x}\n"));
    wd.write("locked.json", &x);
    wd.write("sealed/x.json", &x);
    let lock = |path: &str, mode: u32| {
        fs::set_permissions(wd.path(path), fs::Permissions::from_mode(mode)).unwrap();
    };
    lock("locked.json", 0o000);
    lock("sealed", 0o000);
    // As `nobody` when the tests run as root, who would read anyway.
    let dry = wd.run_unprivileged(&["erase", ".", "--email", "x@example.com", "-n"]);
    let run = wd.run_unprivileged(&["erase", ".", "--email", "x@example.com"]);
    lock("locked.json", 0o644);
    lock("sealed", 0o755);
    for (run, dry) in [(&dry, true), (&run, false)] {
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            "./sealed: error: not checked: a folder: permission denied\n\
             ./locked.json: error: not checked: permission denied\n"
        );
        let lines: Vec<&str> = run.stdout.lines().collect();
        let (changed, summary) = if dry {
            (
                "would rewrite ./chats.ndjson  (would remove 1 document, keep 1 document)",
                "erase: would remove 1 conversation (1 POST-hook payload, 0 webhook events); \
                 would rewrite 1 file, would delete 0 files, would not change 0 other files; \
                 1 file and 1 folder could not be checked: the erasure would be incomplete; \
                 nothing was changed (dry run)",
            )
        } else {
            (
                "rewritten     ./chats.ndjson  (1 document removed, 1 document kept)",
                "erase: 1 conversation removed (1 POST-hook payload, 0 webhook events); \
                 1 file rewritten, 0 files deleted, 0 other files not changed; \
                 1 file and 1 folder could not be checked: the erasure is incomplete",
            )
        };
        assert_eq!(
            lines,
            [
                "not checked   ./sealed  (a folder: permission denied)",
                changed,
                "not checked   ./locked.json  (permission denied)",
                summary,
            ]
        );
    }
    assert_eq!(wd.read("locked.json"), x);
    assert_eq!(wd.read("sealed/x.json"), x);
}

/// Starts an erase that pauses between writing the new file and renaming it.
fn paused_erase(wd: &Workdir, pause_ms: u64) -> std::process::Child {
    wd.std_command(&["erase", ".", "--email", "x@example.com"])
        .env("SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS", pause_ms.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most 30 s) until the temporary file of a rewrite is in place.
fn wait_for_temp(wd: &Workdir) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let found = fs::read_dir(wd.root()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".sshook-rewrite-")
        });
        if found {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn sigkill_during_an_erase_leaves_the_old_file_or_the_new() {
    let wd = Workdir::new();
    let mut big = String::new();
    for id in 1..=4000 {
        big.push_str(&of(
            id,
            if id % 7 == 0 {
                "x@example.com"
            } else {
                "a@example.com"
            },
        ));
        big.push('\n');
    }
    wd.write("big.ndjson", &big);
    let mut child = paused_erase(&wd, 10_000);
    assert!(wait_for_temp(&wd), "the rewrite started");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(wd.read("big.ndjson"), big, "the old file, whole");
    // The leftover temporary file is hidden: reading and validating ignore it.
    let validate = wd.run(&["validate", "."]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(
        validate.stderr.contains("4000 payloads"),
        "{}",
        validate.stderr
    );

    // Killed at any other time the file is old or new, never a mix.
    let new: String = big
        .lines()
        .filter(|l| !l.contains("x@example.com"))
        .map(|l| format!("{l}\n"))
        .collect();
    for delay in [0, 5, 20, 60] {
        // Each round erases from the old file: a round after a completed erase would have
        // nothing to erase and could not fail.
        wd.write("big.ndjson", &big);
        let mut child = paused_erase(&wd, 0);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let now = wd.read("big.ndjson");
        assert!(
            now == big || now == new,
            "killed after {delay} ms: neither old nor new"
        );
    }
}

#[test]
fn a_file_changing_underneath_is_not_replaced() {
    let wd = Workdir::new();
    mixed(&wd);
    let child = paused_erase(&wd, 1500);
    assert!(wait_for_temp(&wd), "the rewrite started");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(wd.path("chats.ndjson"))
        .unwrap();
    file.write_all(format!("{}\n", of(9, "new@example.com")).as_bytes())
        .unwrap();
    drop(file);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("changed while sshook was reading it"),
        "{stderr}"
    );
    assert!(wd.read("chats.ndjson").contains("new@example.com"));
}

#[test]
fn prune_keeps_exactly_what_began_on_or_after_the_date() {
    let wd = Workdir::new();
    // 2026-03-01 00:00 in Prague is 2026-02-28T23:00Z.
    let at = |iso: &str| iso.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    let p = |id: i64, iso: &str| payload(id, at(iso));
    wd.write(
        "a.ndjson",
        format!(
            "{}\n{}\n{}\n",
            p(1, "2026-02-28T22:59:59.999Z"),
            p(2, "2026-02-28T23:00:00Z"),
            p(3, "2026-03-05T10:00:00Z")
        ),
    );
    wd.write("old/b.json", p(4, "2026-01-10T10:00:00Z"));
    wd.write("new/c.json.gz", gz(&p(5, "2026-03-10T10:00:00Z")));
    wd.write(
        "events.ndjson",
        fs::read(format!("{FIXTURES}/webhooks/closed-and-rated.ndjson")).unwrap(),
    );
    wd.write("rejected/20260228T225959.000Z-0.json", "old garbage");
    wd.write("rejected/20260228T230000.000Z-1.json", "new garbage");
    let before = snapshot(&wd);

    let dry = wd.run(&[
        "prune",
        ".",
        "--before",
        "2026-03-01",
        "--tz",
        "Europe/Prague",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(snapshot(&wd), before);

    let run = wd.run(&[
        "prune",
        ".",
        "--before",
        "2026-03-01",
        "--tz",
        "Europe/Prague",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("2 conversations removed"),
        "{}",
        run.stdout
    );
    let listed = wd.run(&["list", ".", "-f", "csv"]);
    let ids: Vec<&str> = listed
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["2", "3", "5", "cnv_8Jk2LqX9"], "{}", listed.stdout);
    assert!(!wd.path("old/b.json").exists());
    assert!(!wd.path("rejected/20260228T225959.000Z-0.json").exists());
    assert!(wd.path("rejected/20260228T230000.000Z-1.json").exists());
    let after = snapshot(&wd);
    let same =
        |name: &str| before.iter().find(|f| f.0 == name) == after.iter().find(|f| f.0 == name);
    assert!(same("new/c.json.gz") && same("events.ndjson"));

    // The webhook conversation began 2026-03-10: it goes with a later date, all its events.
    let run = wd.run(&["prune", ".", "--before", "2026-03-11", "--utc"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!wd.path("events.ndjson").exists(), "{}", run.stdout);
    // Nothing is left but rejected/: the one rule for an input without documents applies.
    let run = wd.run(&["validate", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no documents"), "{}", run.stdout);
}

#[test]
fn contact_events_go_with_their_contact() {
    let wd = Workdir::new();
    let events =
        fs::read_to_string(format!("{FIXTURES}/webhooks/closed-and-rated.ndjson")).unwrap();
    let contact = |id: &str| {
        format!(
            r#"{{"type":"event_callback","event":"contact.updated","timestamp":"2026-03-10T09:05:00Z","account_id":"881987","data":{{"contact":{{"id":"{id}","name":"N"}}}}}}"#
        )
    };
    // A contact event without the e-mail: it goes because its contact's conversation goes.
    wd.write(
        "events.ndjson",
        format!("{events}{}\n{}\n", contact("co_eva"), contact("co_other")),
    );
    let run = wd.run(&["erase", ".", "--email", "eva@example.com"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        wd.read("events.ndjson"),
        format!("{}\n", contact("co_other"))
    );
    // By the contact id alone.
    let run = wd.run(&["erase", ".", "--visitor-id", "co_other"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!wd.path("events.ndjson").exists(), "{}", run.stdout);
}

// At scale: files of many pieces (the reading cuts them near 1 MiB), rewritten while they are
// read (big files of payloads) or after, checked byte for byte against an expectation built
// here from the kept documents alone.

/// Runs sshook with the threshold for rewriting a file while it is read set to `early_from`
/// bytes (0: every file; `u64::MAX`: none).
fn run_early(wd: &Workdir, args: &[&str], early_from: u64) -> crate::common::Run {
    let out = wd
        .std_command(args)
        .env(
            "SSHOOK_TEST_REWRITE_WHILE_READING_FROM",
            early_from.to_string(),
        )
        .output()
        .unwrap();
    crate::common::Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

const BOTH_WAYS: [u64; 2] = [0, u64::MAX];

/// `n` payloads and whether each is of x@example.com: runs at the start, in the middle and at
/// the end, and every 7th.
fn many(n: i64) -> Vec<(String, bool)> {
    (1..=n)
        .map(|id| {
            let x = id % 7 == 0 || id <= 3 || id > n - 3 || (n / 2..n / 2 + 40).contains(&id);
            let email = if x { "x@example.com" } else { "a@example.com" };
            (of(id, email), x)
        })
        .collect()
}

fn kept(docs: &[(String, bool)]) -> Vec<&str> {
    docs.iter()
        .filter(|(_, x)| !x)
        .map(|(d, _)| d.as_str())
        .collect()
}

fn all(docs: &[(String, bool)]) -> Vec<&str> {
    docs.iter().map(|(d, _)| d.as_str()).collect()
}

/// The layouts of a dump and the text each gives to a list of documents.
type Layout = (&'static str, fn(&[&str]) -> String);

const LAYOUTS: [Layout; 5] = [
    ("lines.ndjson", |d| {
        d.iter().map(|l| format!("{l}\n")).collect()
    }),
    ("crlf-no-final-newline.ndjson", |d| d.join("\r\n")),
    ("bom.ndjson", |d| format!("\u{feff}{}\n", d.join("\n"))),
    ("pretty-array.json", |d| {
        format!("[\n  {}\n]\n", d.join(",\n  "))
    }),
    ("compact-array.json", |d| format!("[{}]", d.join(","))),
];

#[test]
fn big_dumps_lose_exactly_the_removed_documents_in_every_layout_both_ways() {
    let docs = many(5000);
    let removed = docs.iter().filter(|(_, x)| *x).count();
    assert!(removed > 700);
    for early_from in BOTH_WAYS {
        for (name, layout) in LAYOUTS {
            for gzip in [false, true] {
                let wd = Workdir::new();
                let text = layout(&all(&docs));
                assert!(text.len() > 3 << 20, "several pieces");
                let file = if gzip {
                    wd.write(&format!("{name}.gz"), gz(&text));
                    format!("{name}.gz")
                } else {
                    wd.write(name, &text);
                    name.to_string()
                };
                let run = run_early(&wd, &["erase", ".", "--email", "x@example.com"], early_from);
                assert_eq!(run.code, 0, "{name} {gzip} {early_from}: {}", run.stderr);
                assert!(
                    run.stdout.contains(&format!(
                        "({removed} documents removed, {} documents kept)",
                        docs.len() - removed
                    )),
                    "{name}: {}",
                    run.stdout
                );
                let bytes = fs::read(wd.path(&file)).unwrap();
                let got = if gzip {
                    // One gzip member: a reader of the first member only reads it all.
                    let mut out = String::new();
                    flate2::read::GzDecoder::new(&bytes[..])
                        .read_to_string(&mut out)
                        .unwrap();
                    out
                } else {
                    String::from_utf8(bytes).unwrap()
                };
                let want = layout(&kept(&docs));
                assert!(
                    got == want,
                    "{file}, rewritten {}: {} bytes, want {}",
                    if early_from == 0 {
                        "while read"
                    } else {
                        "after"
                    },
                    got.len(),
                    want.len()
                );
            }
        }
    }
}

#[test]
fn a_person_only_late_in_a_big_file_and_a_prune_of_most_of_it() {
    let n = 6000;
    let lines: Vec<String> = (1..=n)
        .map(|id| {
            of(
                id,
                if id > 4000 && id % 5 == 0 {
                    "late@example.com"
                } else {
                    "a@example.com"
                },
            )
        })
        .collect();
    let text = format!("{}\n", lines.join("\n"));
    for early_from in BOTH_WAYS {
        for gzip in [false, true] {
            let wd = Workdir::new();
            let name = if gzip { "d.ndjson.gz" } else { "d.ndjson" };
            if gzip {
                wd.write(name, gz(&text));
            } else {
                wd.write(name, &text);
            }
            let read = |wd: &Workdir| {
                let bytes = fs::read(wd.path(name)).unwrap();
                if gzip {
                    gunzip(&bytes)
                } else {
                    String::from_utf8(bytes).unwrap()
                }
            };
            let run = run_early(
                &wd,
                &["erase", ".", "--email", "late@example.com"],
                early_from,
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            let want: String = lines
                .iter()
                .filter(|l| !l.contains("late@example.com"))
                .map(|l| format!("{l}\n"))
                .collect();
            assert!(read(&wd) == want, "{name} {early_from}");

            // All but the last 10 began before this.
            let before = jiff::Timestamp::from_millisecond(T0 + (n - 10) * 1000)
                .unwrap()
                .to_string();
            let run = run_early(&wd, &["prune", ".", "--before", &before], early_from);
            assert_eq!(run.code, 0, "{}", run.stderr);
            let want: String = lines[(n - 11) as usize..]
                .iter()
                .filter(|l| !l.contains("late@example.com"))
                .map(|l| format!("{l}\n"))
                .collect();
            assert!(read(&wd) == want, "{name} {early_from}: {}", run.stdout);
        }
    }
}

#[test]
fn a_big_file_with_webhook_events_waits_for_their_conversations() {
    let events =
        fs::read_to_string(format!("{FIXTURES}/webhooks/closed-and-rated.ndjson")).unwrap();
    let docs = many(3000);
    let mut text = String::new();
    for (i, (doc, _)) in docs.iter().enumerate() {
        text.push_str(doc);
        text.push('\n');
        if i == 2000 {
            text.push_str(&events);
        }
    }
    for early_from in BOTH_WAYS {
        let wd = Workdir::new();
        wd.write("mixed.ndjson", &text);
        let run = run_early(
            &wd,
            &[
                "erase",
                ".",
                "--email",
                "x@example.com",
                "--email",
                "eva@example.com",
            ],
            early_from,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let want: String = kept(&docs).iter().map(|l| format!("{l}\n")).collect();
        assert!(
            wd.read("mixed.ndjson") == want,
            "{early_from}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_big_file_changing_while_it_is_rewritten_is_not_replaced() {
    let docs = many(4000);
    let text = layout_lines(&all(&docs));
    let wd = Workdir::new();
    wd.write("big.ndjson", &text);
    let child = wd
        .std_command(&["erase", ".", "--email", "x@example.com"])
        .env("SSHOOK_TEST_REWRITE_WHILE_READING_FROM", "0")
        .env("SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS", "1500")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_temp(&wd), "the rewrite started");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(wd.path("big.ndjson"))
        .unwrap();
    file.write_all(format!("{}\n", of(9, "new@example.com")).as_bytes())
        .unwrap();
    drop(file);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("changed while sshook was reading it"),
        "{stderr}"
    );
    assert!(wd
        .read("big.ndjson")
        .ends_with(&format!("{}\n", of(9, "new@example.com"))));
    assert_eq!(
        fs::read_dir(wd.root()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

fn layout_lines(docs: &[&str]) -> String {
    docs.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn sigkill_while_a_big_file_is_rewritten_as_it_is_read_leaves_it_old_or_new() {
    // 12 MB: rewritten while it is read without being told to.
    let docs = many(20_000);
    let big = layout_lines(&all(&docs));
    assert!(big.len() > 8 << 20);
    let new = layout_lines(&kept(&docs));
    let wd = Workdir::new();
    wd.write("big.ndjson", &big);
    let mut child = paused_erase(&wd, 10_000);
    assert!(wait_for_temp(&wd), "the rewrite started");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(wd.read("big.ndjson") == big, "the old file, whole");
    for delay in [0, 10, 50, 150, 400] {
        wd.write("big.ndjson", &big);
        let mut child = paused_erase(&wd, 0);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let now = wd.read("big.ndjson");
        assert!(
            now == big || now == new,
            "killed after {delay} ms: neither old nor new"
        );
    }
    let run = wd.run(&["erase", ".", "--email", "x@example.com"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(wd.read("big.ndjson") == new);
    // Leftover temporary files are hidden: reading ignores them.
    let validate = wd.run(&["validate", "."]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
}

/// The peak resident memory of a running child, in KiB, read from `/proc` until it ends
/// (VmHWM only grows: the last reading is the peak, but for the last few milliseconds).
#[cfg(target_os = "linux")]
fn peak_kib(child: &mut std::process::Child) -> u64 {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = fs::read_to_string(&status) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Before issue 30 the rewrite held about three times the file: 120 MiB here.
#[cfg(target_os = "linux")]
#[test]
fn memory_stays_flat_rewriting_a_40_mb_file() {
    let docs = many(60_000);
    let text = layout_lines(&all(&docs));
    assert!(text.len() > 36 << 20);
    for gzip in [false, true] {
        let wd = Workdir::new();
        let name = if gzip { "big.ndjson.gz" } else { "big.ndjson" };
        if gzip {
            wd.write(name, gz(&text));
        } else {
            wd.write(name, &text);
        }
        let mut child = wd
            .std_command(&["erase", ".", "--email", "x@example.com"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let peak = peak_kib(&mut child);
        assert!(child.wait().unwrap().success());
        assert!(peak < 64 << 10, "{name}: peak RSS {peak} KiB");
        let bytes = fs::read(wd.path(name)).unwrap();
        let got = if gzip {
            gunzip(&bytes)
        } else {
            String::from_utf8(bytes).unwrap()
        };
        assert!(got == layout_lines(&kept(&docs)), "{name}");
    }
}
