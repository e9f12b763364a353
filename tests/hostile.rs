//! Hostile inputs at the file-system level: symlink loops, directories named like payload
//! files, FIFOs, binary files, huge strings, unreadable files. Each gets one clear message
//! naming it, no panic, and the rest of the batch still comes through.

use crate::common::{Workdir, OFFICIAL};

#[cfg(unix)]
#[test]
fn file_system_oddities_are_named_and_skipped() {
    use std::os::unix::fs::symlink;
    let wd = Workdir::new();
    wd.write("dumps/a/good.json", OFFICIAL)
        .write("dumps/binary.json", [0u8, 159, 146, 150, 0xff, 0, 1, 2])
        .write("dumps/z/sub.json/inner.json", OFFICIAL);
    symlink(wd.path("dumps"), wd.path("dumps/a/loop")).unwrap();
    symlink(
        wd.path("dumps/nowhere.json"),
        wd.path("dumps/dangling.json"),
    )
    .unwrap();
    let fifo = wd.path("dumps/pipe.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let run = wd.run(&["validate", "--quiet", "dumps"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.contains("messagesCount") && !l.contains("wordsCount"))
        .collect();
    // In the walk's order: a folder is walked while it is read.
    insta::assert_snapshot!(errors.join("\n"), @r"
    dumps/a/loop: warning: symbolic link loop, not followed
    dumps/binary.json:1:1: error: binary data, not JSON text (byte 0x00)
    dumps/dangling.json: error: no such file or directory
    dumps/pipe.json: warning: not a regular file, skipped
    ");
    // The two good payloads (one inside a folder named sub.json) were still read.
    let run = wd.run(&["validate", "dumps"]);
    assert!(run.stderr.contains("3 files, 2 payloads"), "{}", run.stderr);
}

#[test]
fn a_30_mb_string_is_read() {
    let wd = Workdir::new();
    let big = "x".repeat(30 << 20);
    wd.write(
        "big.json",
        OFFICIAL.replace("\"Hello\"", &format!("\"{big}\"")),
    );
    let run = wd.run(&["validate", "--quiet", "big.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// A file sshook may not read is named, and the others are read. Run as `nobody` when the
/// tests run as root, so that the permission applies (see `Workdir::run_unprivileged`).
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_reported_and_the_others_read() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    wd.write("secret.json", OFFICIAL)
        .write("good.json", OFFICIAL);
    let path = wd.path("secret.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = wd.run_unprivileged(&["validate", "secret.json", "good.json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout, "secret.json: error: permission denied\n",
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("validate: 2 files, 1 payload: 1 valid; 1 error"),
        "{}",
        run.stderr
    );
}

/// `--id` skips chunks that cannot hold the conversation without parsing them; a chunk that
/// carries a finding (an empty file, a dangling link in a walked folder) must still report it.
#[cfg(unix)]
#[test]
fn findings_are_reported_when_an_id_skips_documents() {
    let wd = Workdir::new();
    wd.write("dumps/a.json", OFFICIAL)
        .write("dumps/empty.json", "");
    std::os::unix::fs::symlink(wd.path("dumps/gone.json"), wd.path("dumps/b.json")).unwrap();
    let run = wd.run(&["export", "--id", "999999999", "dumps"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("dumps/b.json: error: no such file or directory"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("dumps/empty.json: error: empty input"),
        "{}",
        run.stderr
    );
}
