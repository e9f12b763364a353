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
