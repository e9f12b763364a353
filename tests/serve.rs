//! `sshook serve` over real sockets: the binary is started on an ephemeral loopback port and
//! spoken to in plain HTTP/1.1 over `TcpStream`; every status code, what lands on disk, what
//! the reading commands then see, the log, and the graceful stop.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::{official_with, payload, Workdir, OFFICIAL};

/// A running `sshook serve` and everything it wrote on stderr so far.
struct Server {
    child: Child,
    address: String,
    log: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Server {
    /// Starts `sshook serve --listen 127.0.0.1:0 --dir dumps` in `wd` with `args` added.
    fn start(wd: &Workdir, args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("sshook"))
            .current_dir(wd.root())
            .args(["serve", "--listen", "127.0.0.1:0", "--dir", "dumps"])
            .args(args)
            .env_remove("SSHOOK_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tell, listening) = mpsc::channel();
        let reader = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let line = line.unwrap();
                    if let Some(rest) = line.strip_prefix("serve: listening on http://") {
                        let address = rest.split('/').next().unwrap().to_string();
                        let _ = tell.send(address);
                    }
                    log.lock().unwrap().push_str(&format!("{line}\n"));
                }
            })
        };
        let address = listening
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        Server {
            child,
            address,
            log,
            reader: Some(reader),
        }
    }

    /// Sends `request` as is (it should say `Connection: close`) and reads the whole answer.
    fn send(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        // The server may answer (413) before it read everything: a failed write is fine.
        let _ = stream.write_all(request);
        read_reply(&mut stream)
    }

    fn post(&self, path: &str, body: impl AsRef<[u8]>) -> Reply {
        let body = body.as_ref();
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.send(&request)
    }

    fn get(&self, path: &str) -> Reply {
        self.send(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit: (exit code, all of stderr).
    fn stop(mut self) -> (i32, String) {
        terminate(&self.child);
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        (status.code().unwrap_or(-1), self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head}"));
    Reply {
        status,
        head: head.to_lowercase(),
        body: body.to_string(),
    }
}

/// Every file below `dumps/`, relative, sorted.
fn stored_files(wd: &Workdir) -> Vec<String> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    let root = wd.path("dumps");
    if root.exists() {
        walk(&root, &root, &mut out);
    }
    out.sort();
    out
}

#[test]
fn payloads_are_stored_byte_for_byte_once_per_distinct_body() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);

    let first = server.post("/", OFFICIAL);
    assert_eq!(first.status, 200, "{}", first.body);
    let answer = first.json();
    assert_eq!(answer["status"], "stored");
    assert_eq!(answer["file"], "2015/03/27/1427470439703-55039.json");
    assert_eq!(answer["channel"], 55039);
    assert_eq!(
        std::fs::read(wd.path("dumps/2015/03/27/1427470439703-55039.json")).unwrap(),
        OFFICIAL.as_bytes()
    );

    // Smartsupp retries: the same bytes again are acknowledged and stored once.
    let again = server.post("/", OFFICIAL);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["status"], "duplicate");
    assert_eq!(again.json()["file"], answer["file"]);

    // The same conversation with other bytes is kept beside it, never over it.
    let rated = official_with("\"rating\": 5", "\"rating\": 4");
    let other = server.post("/", &rated);
    assert_eq!(other.status, 200);
    assert_eq!(other.json()["status"], "stored");
    assert_eq!(
        other.json()["file"],
        "2015/03/27/1427470439703-55039.1.json"
    );
    assert_eq!(server.post("/", &rated).json()["status"], "duplicate");
    assert_eq!(server.post("/", OFFICIAL).json()["status"], "duplicate");

    let another = payload(7, 1_772_323_200_000); // 2026-03-01T00:00:00Z
    assert_eq!(
        server.post("/", &another).json()["file"],
        "2026/03/01/1772323200000-7.json"
    );

    let (code, log) = server.stop();
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        stored_files(&wd),
        [
            "2015/03/27/1427470439703-55039.1.json",
            "2015/03/27/1427470439703-55039.json",
            "2026/03/01/1772323200000-7.json",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(wd.path("dumps/2015/03/27/1427470439703-55039.1.json")).unwrap(),
        rated
    );
    // What serve stored is exactly what the reading commands read.
    let run = wd.run(&["validate", "dumps"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "validate: 3 files, 3 payloads: 3 valid; 0 errors, 4 warnings\n"
    );
}

#[test]
fn bodies_that_are_not_payloads_are_kept_and_answered_400() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let trailing_comma = official_with(
        "\"value\": \"1234\"\n      }\n    }",
        "\"value\": \"1234\"\n      }\n    },",
    );
    let syntax = server.post("/", &trailing_comma);
    assert_eq!(syntax.status, 400);
    let answer = syntax.json();
    assert_eq!(answer["status"], "rejected");
    assert_eq!(
        (answer["line"].clone(), answer["column"].clone()),
        (48.into(), 3.into())
    );
    assert_eq!(answer["error"], "syntax error: trailing comma near `},`");
    let kept = answer["file"].as_str().unwrap().to_string();
    assert!(
        kept.starts_with("rejected/") && kept.ends_with(".json"),
        "{kept}"
    );
    assert_eq!(
        std::fs::read_to_string(wd.path("dumps").join(&kept)).unwrap(),
        trailing_comma
    );
    let reason = wd.path("dumps").join(kept.replace(".json", ".reason.txt"));
    assert_eq!(
        std::fs::read_to_string(reason).unwrap(),
        "body:48:3: error: syntax error: trailing comma near `},`\n"
    );

    let value = server.post("/", official_with("\"rating\": 5", "\"rating\": \"5\""));
    assert_eq!(value.status, 400);
    assert_eq!(value.json()["path"], "channel.rating");
    assert_eq!(
        value.json()["error"],
        "expected integer or null, found string \"5\""
    );

    let array = server.post("/", format!("[{OFFICIAL}]"));
    assert_eq!(array.status, 400);
    assert_eq!(
        array.json()["error"],
        "expected one payload object, found an array: send one payload per request"
    );
    assert_eq!(
        server.post("/", "").json()["error"],
        "empty input: no JSON document"
    );
    assert_eq!(server.post("/", OFFICIAL).status, 200);

    let (code, log) = server.stop();
    assert_eq!(code, 0, "{log}");
    let files = stored_files(&wd);
    assert_eq!(
        files.iter().filter(|f| f.starts_with("rejected/")).count(),
        8
    );
    // The reading commands see the one payload and skip rejected/ ...
    let run = wd.run(&["validate", "dumps"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.starts_with("validate: 1 files, 1 payloads"),
        "{}",
        run.stderr
    );
    // ... which still reads, named on its own, with the findings the 400s gave.
    let run = wd.run(&["validate", "--quiet", "dumps/rejected"]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .contains(".json:48:3: error: syntax error: trailing comma near `},`"));
    assert!(run
        .stdout
        .contains(".json:18:15: error: channel.rating: expected integer or null"));
}

#[test]
fn the_token_is_required_and_never_logged() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--token", "s3cret"]);
    for path in ["/", "/wrong", "/?token=wrong", "/s3cre", "/s3cret2"] {
        let reply = server.post(path, OFFICIAL);
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.json()["error"], "missing or wrong token");
    }
    assert!(stored_files(&wd).is_empty());
    assert_eq!(server.post("/s3cret", OFFICIAL).json()["status"], "stored");
    assert_eq!(
        server.post("/?token=s3cret", OFFICIAL).json()["status"],
        "duplicate"
    );
    assert_eq!(server.get("/s3cret").status, 405);
    assert_eq!(server.get("/healthz").status, 200);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(!log.contains("s3cret"), "{log}");
    assert!(log.contains(" POST /<token> 401 "), "{log}");
    assert!(log.contains(" POST / 200 channel=55039 "), "{log}");
}

#[test]
fn other_paths_methods_and_health() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let health = server.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let missing = server.post("/hook/elsewhere", OFFICIAL);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"], "not found: POST payloads to /");
    assert_eq!(server.get("/nope").status, 404);
    let wrong_method = server.get("/");
    assert_eq!(wrong_method.status, 405);
    assert!(
        wrong_method.head.contains("\r\nallow: post"),
        "{}",
        wrong_method.head
    );
    assert_eq!(server.post("/healthz", "{}").status, 405);
    assert!(stored_files(&wd).is_empty());
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn bodies_over_the_limit_get_413_without_being_kept() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-body", "2KiB"]);
    assert!(OFFICIAL.len() > 2048 && OFFICIAL.len() < 4096);
    // Declared and sent: read and dropped, then refused.
    let declared = server.post("/", OFFICIAL);
    assert_eq!(declared.status, 413);
    assert_eq!(
        declared.json()["error"],
        "body larger than --max-body (2048 bytes)"
    );
    // Declared far over the limit by a client that waits for 100 Continue: refused at once.
    let waiting = server.send(
        b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 50000000\r\n\
          Expect: 100-continue\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(waiting.status, 413);
    assert!(!waiting.head.contains("100 continue"));
    // Streamed without a length: refused as soon as the limit is passed.
    let mut chunked = b"POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\
          Connection: close\r\n\r\n"
        .to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(format!("{:x}\r\n", 800).as_bytes());
        chunked.extend_from_slice(&[b' '; 800]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(server.send(&chunked).status, 413);
    // A small body still gets through.
    assert_eq!(server.post("/", "{").status, 400);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        stored_files(&wd).len(),
        2,
        "only the 400 body and its reason"
    );
    assert_eq!(log.matches(" 413 ").count(), 3, "{log}");
}

#[test]
fn a_stalled_body_times_out_with_408() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--timeout", "300ms"]);
    let reply = server.send(
        b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"beg",
    );
    assert_eq!(reply.status, 408);
    assert_eq!(reply.json()["error"], "the body did not arrive in time");
    // Headers that never end: the connection is closed without an answer.
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.write_all(b"POST / HTTP/1.1\r\nHost: te").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty() || !rest.starts_with(b"HTTP/1.1 2"));
    assert!(stored_files(&wd).is_empty());
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn a_failing_disk_is_500_and_nothing_is_claimed() {
    let wd = Workdir::new();
    // A file where the year's folder must go.
    wd.write("dumps/2015", "in the way");
    let server = Server::start(&wd, &[]);
    let reply = server.post("/", OFFICIAL);
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.json()["error"],
        "cannot store the body; it was not kept, send it again"
    );
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(log.contains(" POST / 500 channel=- bytes=2418 "), "{log}");
    assert!(log.contains("cannot create dumps/2015/03/27"), "{log}");
}

#[test]
fn sigterm_finishes_the_requests_in_flight() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let body = OFFICIAL.as_bytes();
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..100]).unwrap();
    // Wait until the server holds the request (the log says nothing yet: ask for health).
    assert_eq!(server.get("/healthz").status, 200);
    terminate(&server.child);
    let mut waited = 0;
    while !server.log().contains("serve: stopping") {
        assert!(waited < 600, "no stopping message: {}", server.log());
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    // No new connections once stopping.
    assert!(TcpStream::connect(&server.address).is_err());
    stream.write_all(&body[100..]).unwrap();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(log.ends_with("serve: stopped\n"), "{log}");
    assert_eq!(stored_files(&wd), ["2015/03/27/1427470439703-55039.json"]);
}

#[test]
fn one_log_line_per_request() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    server.post("/", OFFICIAL);
    server.post("/", "nope");
    server.get("/healthz");
    let (_, log) = server.stop();
    let lines: Vec<&str> = log.lines().filter(|l| !l.starts_with("serve: ")).collect();
    assert_eq!(lines.len(), 3, "{log}");
    let fields: Vec<Vec<&str>> = lines.iter().map(|l| l.split(' ').collect()).collect();
    for f in &fields {
        assert!(
            f[0].parse::<jiff::Timestamp>().is_ok() && f[0].ends_with('Z'),
            "{f:?}"
        );
        assert!(
            f[6].strip_prefix("ms=").unwrap().parse::<f64>().is_ok(),
            "{f:?}"
        );
    }
    assert_eq!(
        fields[0][1..6],
        ["POST", "/", "200", "channel=55039", "bytes=2418"]
    );
    assert_eq!(fields[0][7], "stored=2015/03/27/1427470439703-55039.json");
    assert_eq!(
        fields[1][1..6],
        ["POST", "/", "400", "channel=-", "bytes=4"]
    );
    assert!(fields[1][7].starts_with("rejected=rejected/"));
    assert_eq!(
        fields[2][1..6],
        ["GET", "/healthz", "200", "channel=-", "bytes=0"]
    );
}

#[test]
fn concurrent_resends_store_one_copy_per_distinct_body() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let rated = official_with("\"rating\": 5", "\"rating\": 4");
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|i| {
                let (server, rated) = (&server, &rated);
                scope.spawn(move || match i % 2 {
                    0 => server.post("/", OFFICIAL),
                    _ => server.post("/", rated),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(replies.iter().all(|r| r.status == 200));
    let stored = replies
        .iter()
        .filter(|r| r.json()["status"] == "stored")
        .count();
    assert_eq!(stored, 2);
    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        stored_files(&wd),
        [
            "2015/03/27/1427470439703-55039.1.json",
            "2015/03/27/1427470439703-55039.json",
        ]
    );
}
