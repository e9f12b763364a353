//! A small harness in the spirit of xsv's `Workdir`: a temp folder, files written into it, the
//! real binary run inside it, and its stdout, stderr and exit status read back.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

// ---- Varied payloads, for tests that count figures themselves ----

/// 2026-03-02T00:00:00Z.
pub const MARCH_2: i64 = 1_772_409_600_000;
pub const STATUSES: [&str; 5] = ["completed", "missed", "offline", "dropped", "incomplete"];
const AGENTS: [(&str, &str); 2] = [("agent:3", "John Doe"), ("agent:7", "Jana Nováková")];

/// `n` payloads over nine days of March 2026, their statuses, chat flags, response times,
/// durations, ratings, countries and agents varied by a fixed pseudo-random sequence: each
/// has exactly one status flag set (none for incomplete), and some have no first response,
/// duration or rating. Non-chats have first response times too (which no figure counts).
pub fn varied(n: i64) -> Vec<Value> {
    let mut state: u64 = 29;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    (1..=n)
        .map(|id| {
            let begin = MARCH_2 + next(9) as i64 * 86_400_000 + next(86_400) as i64 * 1000;
            let mut p: Value = serde_json::from_str(&payload(id, begin)).unwrap();
            let status = STATUSES[next(5) as usize];
            let c = &mut p["channel"];
            c["isCompleted"] = json!(status == "completed");
            c["isMissed"] = json!(status == "missed");
            c["isOffline"] = json!(status == "offline");
            c["isDropped"] = json!(status == "dropped");
            c["isChat"] = json!(!["missed", "offline"].contains(&status));
            c["firstResponse"] = match next(10) {
                0 => Value::Null,
                _ => json!(next(120)),
            };
            c["duration"] = match next(13) {
                0 => Value::Null,
                _ => json!(10 + next(600)),
            };
            c["rating"] = match next(3) {
                0 => Value::Null,
                _ => json!(1 + next(5)),
            };
            p["visitor"]["countryCode"] = json!(["CZ", "DE", "SK", "US"][next(4) as usize]);
            let visitor = p["messages"][0].clone();
            let mut messages = vec![visitor];
            let who: &[usize] = match next(4) {
                0 => &[],
                1 => &[0],
                2 => &[1],
                _ => &[0, 1, 1],
            };
            for (k, &agent) in who.iter().enumerate() {
                let mut m = p["messages"][1].clone();
                m["from"] = json!(AGENTS[agent].0);
                m["name"] = json!(AGENTS[agent].1);
                m["sentAt"] = json!(begin + 5_000 * (k as i64 + 1));
                messages.push(m);
            }
            p["messages"] = Value::Array(messages);
            p
        })
        .collect()
}

pub fn write_ndjson(wd: &Workdir, name: &str, payloads: &[Value]) {
    let lines: Vec<String> = payloads.iter().map(Value::to_string).collect();
    wd.write(name, lines.join("\n") + "\n");
}

/// The status a payload's flags say (the documented order: offline, missed, dropped,
/// completed, else incomplete).
pub fn status(p: &Value) -> &'static str {
    let flag = |name: &str| p["channel"][name] == true;
    if flag("isOffline") {
        "offline"
    } else if flag("isMissed") {
        "missed"
    } else if flag("isDropped") {
        "dropped"
    } else if flag("isCompleted") {
        "completed"
    } else {
        "incomplete"
    }
}

/// Agent display names and their message counts in one payload.
pub fn agents_of(p: &Value) -> BTreeMap<String, u64> {
    let mut agents = BTreeMap::new();
    for m in p["messages"].as_array().unwrap() {
        if m["type"] == "agent" {
            *agents
                .entry(m["name"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    agents
}
