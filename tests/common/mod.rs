//! A small harness in the spirit of xsv's `Workdir`: a temp folder, files written into it, the
//! real binary run inside it, and its stdout, stderr and exit status read back.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const OFFICIAL: &str = include_str!("../../sample-data/official-example.json");

pub struct Workdir {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` (folders created as needed).
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Workdir {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(path, contents).expect("write fixture");
        self
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).expect("read output")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_command(args))
    }

    /// A plain `std::process::Command` for tests that drive the pipes themselves.
    pub fn std_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("sshook"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .env("TZ", "UTC")
            .env_remove("NO_COLOR")
            .env("COLUMNS", "120");
        cmd
    }

    /// Runs sshook with `args` and an empty stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    /// Runs sshook so that file permissions apply to it. Root reads and writes whatever the
    /// permissions say, and CI runs as root: there the folder is handed to the unprivileged
    /// user `nobody` and sshook runs as `nobody` (`setpriv`, from a copy of the binary any user
    /// can run), so that a "permission denied" test cannot pass in silence. As any other user
    /// this is [`Workdir::run`].
    #[cfg(target_os = "linux")]
    pub fn run_unprivileged(&self, args: &[&str]) -> Run {
        if !is_root() {
            return self.run(args);
        }
        const NOBODY: u32 = 65534;
        let bin_dir = tempfile::tempdir().expect("temp dir");
        let bin = bin_dir.path().join("sshook");
        fs::copy(assert_cmd::cargo::cargo_bin!("sshook"), &bin).expect("copy sshook");
        for path in [bin_dir.path(), bin.as_path()] {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        chown_tree(self.root(), NOBODY);
        let output = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(args)
            .current_dir(self.root())
            .env("TZ", "UTC")
            .env_remove("NO_COLOR")
            .env("COLUMNS", "120")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run sshook as nobody with setpriv (util-linux)");
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        let output = self
            .command(args)
            .write_stdin(stdin.into())
            .output()
            .expect("run sshook");
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }
}

/// Whether the tests run as root (the owner of a file they create is root).
#[cfg(unix)]
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().expect("temp file");
    probe.as_file().metadata().expect("metadata").uid() == 0
}

/// Gives `path` and everything under it to `uid` (group too), links not followed.
#[cfg(target_os = "linux")]
fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).expect("chown");
    if fs::symlink_metadata(path).expect("metadata").is_dir() {
        for entry in fs::read_dir(path).expect("read dir") {
            chown_tree(&entry.expect("entry").path(), uid);
        }
    }
}

/// A minimal valid payload with the given channel id, for tests that need many.
pub fn payload(id: i64, begin_ms: i64) -> String {
    format!(
        r#"{{"accountId":208,"beginAt":{begin_ms},"endAt":{end},"channel":{{"id":{id},"isChat":true,"isMissed":false,"isTriggered":false,"isOffline":false,"isCompleted":true,"isDropped":false,"duration":60,"avgResponse":5,"firstResponse":5,"messagesCount":2,"wordsCount":4,"rating":null,"ratingDesc":null}},"visitor":{{"id":1,"name":"Eva","countryCode":"CZ"}},"paths":[],"messages":[{{"type":"visitor","name":"Eva","from":"visitor:k1","content":"hi there","sentAt":{begin_ms},"triggeredBy":null}},{{"type":"agent","name":"John Doe","from":"agent:3","content":"hello you","sentAt":{m2},"triggeredBy":null}}]}}"#,
        end = begin_ms + 60_000,
        m2 = begin_ms + 5_000
    )
}

/// The official example with one piece of text replaced.
pub fn official_with(from: &str, to: &str) -> String {
    assert!(
        OFFICIAL.contains(from),
        "{from} not in the official example"
    );
    OFFICIAL.replacen(from, to, 1)
}

/// `base` with proptest's failing cases saved next to the test file, `tests/export.rs` in
/// `tests/export.proptest-regressions`: where they were while each test file was its own crate.
/// proptest's default looks up from the test file for a folder holding a `lib.rs` or `main.rs`
/// and, now that `tests/main.rs` is the crate root, would read and write
/// `proptest-regressions/export.txt` beside `tests/` instead, missing the saved cases.
pub fn regressions_beside_file(
    base: proptest::test_runner::Config,
) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..base
    }
}
