//! `-o` files survive a crash and get the permissions any new file gets: written to a
//! temporary file, synced, renamed, and the folder synced after the rename; created with the
//! user's umask.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::{Workdir, OFFICIAL};

/// Runs sshook under `sh` with `umask` set first.
fn with_umask(wd: &Workdir, umask: &str, args: &str) -> std::process::Output {
    let sshook = assert_cmd::cargo::cargo_bin("sshook");
    Command::new("sh")
        .current_dir(wd.root())
        .env("TZ", "UTC")
        .arg("-c")
        .arg(format!(
            "umask {umask} && exec '{}' {args}",
            sshook.display()
        ))
        .output()
        .unwrap()
}

fn mode(wd: &Workdir, name: &str) -> u32 {
    std::fs::metadata(wd.path(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// tempfile creates its files 0600, and a new -o file used to be set to 0644 whatever the
/// umask: the umask decides, as for any file the user creates.
#[test]
fn a_new_file_gets_the_users_umask_and_a_replaced_one_keeps_its_mode() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for (umask, want) in [
        ("022", 0o644),
        ("027", 0o640),
        ("077", 0o600),
        ("002", 0o664),
    ] {
        let name = format!("out-{umask}.csv");
        let out = with_umask(&wd, umask, &format!("export -q -o {name} data.json"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(mode(&wd, &name), want, "umask {umask}");
    }
    std::fs::set_permissions(
        wd.path("out-022.csv"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = with_umask(&wd, "022", "export -q -o out-022.csv data.json");
    assert!(out.status.success());
    assert_eq!(mode(&wd, "out-022.csv"), 0o600);
    // Partitioned output too.
    let out = with_umask(
        &wd,
        "027",
        "export -q -f csv --partition-by day -o tree data.json",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&wd, "tree/day=2015-03-27/part-00000.csv"), 0o640);
}

/// The system calls of a run, where strace is installed: the folder is synced after the
/// rename (a crash right after the command would otherwise lose the new name).
fn traced(wd: &Workdir, args: &[&str]) -> Option<String> {
    let probe = Command::new("strace").arg("-V").output().ok()?;
    if !probe.status.success() {
        return None;
    }
    let out = Command::new("strace")
        .current_dir(wd.root())
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=fsync,rename,renameat,renameat2,openat,open",
        ])
        .arg(assert_cmd::cargo::cargo_bin("sshook"))
        .args(args)
        .output()
        .ok()?;
    // strace may not be allowed to trace (containers without ptrace).
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success() && log.contains("fsync(")).then_some(log)
}

/// The lines of `log` from the rename of the file to `name` on.
fn after_rename<'l>(log: &'l str, name: &str) -> Vec<&'l str> {
    let lines: Vec<&str> = log.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(&format!("\"{name}\"")))
        .unwrap_or_else(|| panic!("no rename to {name}:\n{log}"));
    lines[at..].to_vec()
}

/// The file descriptor `openat` returned for `path`, on one of `lines`.
fn opened<'l>(lines: &[&'l str], path: &str) -> Option<&'l str> {
    lines.iter().find_map(|l| {
        (l.contains("open") && l.contains(&format!("\"{path}\"")))
            .then(|| l.rsplit("= ").next().unwrap_or("").trim())
    })
}

#[test]
fn the_folder_is_synced_after_the_rename() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    std::fs::create_dir(wd.path("out")).unwrap();
    let Some(log) = traced(&wd, &["export", "-q", "-o", "out/data.csv", "data.json"]) else {
        eprintln!("strace cannot trace here: skipped");
        return;
    };
    let after = after_rename(&log, "out/data.csv");
    let fd = opened(&after, "out").unwrap_or_else(|| panic!("out not opened:\n{log}"));
    assert!(
        after.iter().any(|l| l.contains(&format!("fsync({fd})"))),
        "{log}"
    );

    let Some(log) = traced(
        &wd,
        &[
            "export",
            "-q",
            "-f",
            "csv",
            "--partition-by",
            "day",
            "-o",
            "tree",
            "data.json",
        ],
    ) else {
        return;
    };
    let after = after_rename(&log, "tree/day=2015-03-27/part-00000.csv");
    for folder in ["tree/day=2015-03-27", "tree", "."] {
        let fd = opened(&after, folder).unwrap_or_else(|| panic!("{folder} not opened:\n{log}"));
        assert!(
            after.iter().any(|l| l.contains(&format!("fsync({fd})"))),
            "{folder}: {log}"
        );
    }
}

/// A target that is not a file — a FIFO here, `/dev/null` or `/dev/stdout` in use — is
/// written into, never replaced: renaming the temporary file over it replaced it (as root,
/// `-o /dev/null` turned the system's `/dev/null` into a regular file). Also through a
/// symbolic link, which stays a link.
#[test]
fn an_output_that_is_not_a_file_is_written_into_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let fifo = wd.path("rows.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    std::os::unix::fs::symlink(&fifo, wd.path("link.csv")).unwrap();
    let expected = wd.run(&["export", "data.json", "-f", "csv"]).stdout;
    assert!(expected.lines().count() == 2, "{expected}");
    for target in ["rows.fifo", "link.csv"] {
        // Held open for writing too (Linux opens a FIFO read-write without waiting), so
        // that neither the reader's open nor sshook's waits for the other, and the reader
        // sees the end only once this is dropped after sshook has ended: a run that writes
        // elsewhere gives an empty read, not a hang.
        let holder = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo)
            .unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                std::fs::File::open(fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        let run = wd.run(&["export", "data.json", "-f", "csv", "-o", target]);
        drop(holder);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(reader.join().unwrap(), expected, "-o {target}");
        let meta = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(meta.file_type().is_fifo(), "-o {target}: still a FIFO");
        let link = std::fs::symlink_metadata(wd.path("link.csv")).unwrap();
        assert!(link.file_type().is_symlink(), "-o {target}: still a link");
    }
    // No temporary file was left beside them.
    let names: Vec<String> = std::fs::read_dir(wd.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sshook-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
