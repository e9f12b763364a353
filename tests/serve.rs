//! `sshook serve` over real sockets: the binary is started on an ephemeral loopback port and
//! spoken to in plain HTTP/1.1 over `TcpStream`; every status code, what lands on disk, what
//! the reading commands then see, the log, and the graceful stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::common::{official_with, payload, Workdir, OFFICIAL};

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
        Server::start_with_env(wd, args, &[])
    }

    /// [`Server::start`] with these environment variables (and no other `SSHOOK_TOKEN` or
    /// `SSHOOK_WEBHOOK_SECRET` than these).
    fn start_with_env(wd: &Workdir, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("sshook"))
            .current_dir(wd.root())
            .args(["serve", "--listen", "127.0.0.1:0", "--dir", "dumps"])
            .args(args)
            .env_remove("SSHOOK_TOKEN")
            .env_remove("SSHOOK_WEBHOOK_SECRET")
            .envs(env.iter().copied())
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
            if path.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue; // the markers beside stored copies, as the reading commands skip them
            }
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
        "validate: 3 files, 3 payloads: 3 valid; 0 errors, 0 warnings\n"
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

    let envelope = server.post("/", official_with("\"beginAt\"", "\"begin\""));
    assert_eq!(envelope.status, 400);
    assert_eq!(
        envelope.json()["error"],
        "neither a POST-hook payload nor a webhook event: no `beginAt`, no `event`"
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
        run.stderr.starts_with("validate: 1 file, 1 payload:"),
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
        .contains(": error: neither a POST-hook payload nor a webhook event"));
}

/// A body with the token is the sender's data: JSON with its envelope is stored as sent and
/// answered 200 whatever its fields hold; the findings go to the answer and the log, and the
/// reading commands report them. (It used to be answered 400, which makes Smartsupp send it
/// again and again.)
#[test]
fn an_authentic_payload_with_wrong_fields_is_stored_with_its_findings() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--token", "s3cret"]);
    let rating = official_with("\"rating\": 5", "\"rating\": \"5\"");
    let reply = server.post("/s3cret", &rating);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(answer["status"], "stored");
    assert_eq!(answer["file"], "2015/03/27/1427470439703-55039.json");
    assert_eq!(
        answer["findings"],
        serde_json::json!([
            "body:18:15: error: channel.rating: expected integer or null, found string \"5\""
        ])
    );
    // Where beginAt or channel.id does not read, the body is named by its digest.
    let begin = official_with("\"beginAt\": 1427470439703", "\"beginAt\": \"yesterday\"");
    let reply = server.post("/s3cret", &begin);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let undated = reply.json()["file"].as_str().unwrap().to_string();
    assert!(
        undated.starts_with("undated/payload-") && undated.ends_with(".json"),
        "{undated}"
    );
    assert_eq!(server.post("/s3cret", &begin).json()["status"], "duplicate");
    let (code, log) = server.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(
            " 200 channel=55039 bytes=2420 ms="
        ) && log.contains(
            " stored=2015/03/27/1427470439703-55039.json findings=1 finding=\"body:18:15: error: \
             channel.rating: expected integer or null, found string '5'\""
        ),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(wd.path("dumps").join(&undated)).unwrap(),
        begin
    );
    assert!(stored_files(&wd)
        .iter()
        .all(|f| !f.starts_with("rejected/")));
    // The reading commands report what is wrong, at its place in the stored file.
    let run = wd.run(&["validate", "--quiet", "dumps"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(
        "1427470439703-55039.json:18:15: error: channel.rating: expected integer or null"
    ));
    assert!(run
        .stdout
        .contains(".json:3:14: error: beginAt: expected integer, found string \"yesterday\""));
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
    let server = Server::start(&wd, &["--timeout", "300ms", "--header-timeout", "300ms"]);
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

// ---- Issue 15: hostile clients, bounded disk and memory, no secret in logs ----

/// `request` with `Connection: close` and these extra header lines, then `body`.
fn post_with(server: &Server, path: &str, headers: &str, body: &[u8]) -> Reply {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    server.send(&request)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn gzip_bodies_are_stored_decoded_and_bombs_get_413() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-body", "64KiB"]);
    let stored = post_with(
        &server,
        "/",
        "Content-Encoding: gzip\r\n",
        &gzip(OFFICIAL.as_bytes()),
    );
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(
        std::fs::read(
            wd.path("dumps")
                .join(stored.json()["file"].as_str().unwrap())
        )
        .unwrap(),
        OFFICIAL.as_bytes()
    );
    // 100 MiB of spaces in about 100 KiB: refused once 64 KiB are decoded.
    let bomb = gzip(&vec![b' '; 100 << 20]);
    assert!(bomb.len() < 128 << 10, "{}", bomb.len());
    let refused = post_with(&server, "/", "Content-Encoding: gzip\r\n", &bomb);
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert_eq!(
        refused.json()["error"],
        "body larger than --max-body (65536 bytes)"
    );
    let broken = post_with(
        &server,
        "/",
        "Content-Encoding: gzip\r\n",
        b"not gzip at all",
    );
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["error"], "the gzip body does not decode");
    let other = post_with(&server, "/", "Content-Encoding: br\r\n", b"{}");
    assert_eq!(other.status, 415);
    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(stored_files(&wd), ["2015/03/27/1427470439703-55039.json"]);
}

#[test]
fn content_length_with_transfer_encoding_is_400() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    let reply = server.send(
        b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\
          Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.json()["error"],
        "both Content-Length and Transfer-Encoding: send one"
    );
    assert!(reply.head.contains("connection: close"), "{}", reply.head);
    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert!(stored_files(&wd).is_empty());
}

#[test]
fn rejected_stops_growing_at_its_bound_and_says_so_once() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--rejected-max-files", "4"]);
    let mut kept = 0;
    for n in 0..6 {
        let reply = server.post("/", format!("{{\"beginAt\": {n},,}}"));
        assert_eq!(reply.status, 400);
        let answer = reply.json();
        if answer["kept"] == true {
            kept += 1;
            assert!(answer["file"].as_str().unwrap().starts_with("rejected/"));
        } else {
            assert!(answer["file"].is_null());
            assert!(answer["not_kept"]
                .as_str()
                .unwrap()
                .starts_with("rejected/ is full (4 files"));
        }
    }
    assert_eq!(kept, 2);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(stored_files(&wd).len(), 4, "two bodies and their reasons");
    assert_eq!(log.matches("serve: rejected/ is full").count(), 1, "{log}");
    assert_eq!(log.matches("rejected=not-kept").count(), 4, "{log}");
    // Counted again at start-up: still full.
    let server = Server::start(&wd, &["--rejected-max-files", "4"]);
    assert_eq!(server.post("/", "{").json()["kept"], false);
    server.stop();
    // Bounded by size too: each file counts as at least 4 KiB.
    let server = Server::start(&wd, &["--rejected-max", "24KiB"]);
    assert_eq!(server.post("/", "{").json()["kept"], true);
    assert_eq!(server.post("/", "{").json()["kept"], false);
    server.stop();
}

#[test]
fn the_token_never_appears_in_logs_or_answers_whatever_the_path() {
    let wd = Workdir::new();
    let token = "Tok3n-s3cret_x";
    let server = Server::start(&wd, &["--token", token]);
    let paths = [
        format!("/{token}/"),
        format!("//{token}"),
        format!("/x/../{token}"),
        format!("/?token={token}"),
        format!("/{token}?x=1"),
        format!("/{token}/extra"),
        format!("/a/{token}"),
        format!("/{token}{token}"),
        format!("/%2F{token}"),
        format!("/healthz?{token}"),
        format!("/{}", &token[..6]),
    ];
    let mut bodies = String::new();
    for path in &paths {
        for reply in [server.post(path, "{"), server.get(path)] {
            bodies.push_str(&reply.head);
            bodies.push_str(&reply.body);
        }
    }
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(!log.contains(token) && !log.contains(&token[..6]), "{log}");
    assert!(!bodies.contains(token), "{bodies}");
    assert!(log.contains(" POST /<token> 400 "), "{log}"); // `/TOKEN/` is the hook path too
    assert!(log.contains(" POST /<other> 404 "), "{log}");
}

#[test]
fn start_up_removes_what_a_crash_left_behind() {
    let wd = Workdir::new();
    wd.write("dumps/2015/03/27/.tmp-4242-0", "half a payload");
    wd.write("dumps/rejected/.tmp-4242-1", "half a body");
    wd.write(
        "dumps/rejected/20260301T120000.123Z-0.reason.txt",
        "its body never came",
    );
    wd.write("dumps/rejected/20260301T120000.123Z-1.reason.txt", "kept");
    wd.write("dumps/rejected/20260301T120000.123Z-1.json", "{");
    let server = Server::start(&wd, &[]);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(
        log.contains("serve: removed 2 temporary files and 1 reasons without their body"),
        "{log}"
    );
    assert!(!wd.path("dumps/2015/03/27/.tmp-4242-0").exists());
    assert!(!wd.path("dumps/rejected/.tmp-4242-1").exists());
    assert_eq!(
        stored_files(&wd),
        [
            "rejected/20260301T120000.123Z-1.json",
            "rejected/20260301T120000.123Z-1.reason.txt"
        ]
    );
}

#[test]
fn below_the_free_space_floor_valid_bodies_get_503_and_health_too() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--min-free", "1000000GiB"]);
    let reply = server.post("/", OFFICIAL);
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.head.contains("retry-after: 60"), "{}", reply.head);
    assert_eq!(
        reply.json()["error"],
        "the store is full (below its free-space floor); the body was not kept, send it again later"
    );
    let invalid = server.post("/", "{");
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.json()["kept"], false);
    let health = server.get("/healthz");
    assert_eq!(health.status, 503);
    assert!(health.head.contains("retry-after: 60"));
    assert_eq!(health.json()["error"], "free space below --min-free");
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(stored_files(&wd).is_empty(), "{:?}", stored_files(&wd));
    assert!(log.contains("below --min-free"), "{log}");
}

#[test]
fn health_is_503_while_the_store_is_not_writable() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    assert_eq!(server.get("/healthz").status, 200);
    // The dump folder replaced by a file: nothing can be created in it (works as root too,
    // where a read-only mode would not stop writes).
    std::fs::remove_dir_all(wd.path("dumps")).unwrap();
    wd.write("dumps", "not a folder");
    std::thread::sleep(Duration::from_millis(1100)); // the health is looked at once a second
    let health = server.get("/healthz");
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["error"], "the dump folder is not writable");
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn differing_resends_past_max_copies_get_409_and_are_not_kept() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--max-copies", "2"]);
    assert_eq!(server.post("/", OFFICIAL).json()["status"], "stored");
    let second = official_with("\"rating\": 5", "\"rating\": 4");
    assert_eq!(server.post("/", &second).json()["status"], "stored");
    let third = server.post("/", official_with("\"rating\": 5", "\"rating\": 3"));
    assert_eq!(third.status, 409);
    assert!(third.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("2 different bodies of this conversation are kept already (--max-copies)"));
    // Re-sends of what is kept are still acknowledged.
    assert_eq!(server.post("/", OFFICIAL).json()["status"], "duplicate");
    assert_eq!(server.post("/", &second).json()["status"], "duplicate");
    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        stored_files(&wd),
        [
            "2015/03/27/1427470439703-55039.1.json",
            "2015/03/27/1427470439703-55039.json"
        ]
    );
}

#[test]
fn connections_without_the_token_are_closed_to_make_room() {
    let wd = Workdir::new();
    // Heads that would otherwise be waited for an hour, and room for 8 connections only.
    let server = Server::start(
        &wd,
        &[
            "--token",
            "t0k",
            "--max-connections",
            "8",
            "--header-timeout",
            "1h",
        ],
    );
    let mut hostile = Vec::new();
    for n in 0..24 {
        let mut stream = TcpStream::connect(&server.address).unwrap();
        if n % 2 == 0 {
            stream.write_all(b"POST / HTTP/1.1\r\nHost: sl").unwrap();
        }
        hostile.push(stream);
    }
    // Each answered although every place was taken by a client without the token.
    assert_eq!(server.post("/t0k", OFFICIAL).status, 200);
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.post("/t0k", OFFICIAL).json()["status"], "duplicate");
    drop(hostile);
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn bodies_past_max_inflight_get_503() {
    let wd = Workdir::new();
    let server = Server::start(
        &wd,
        &[
            "--max-body",
            "4KiB",
            "--max-inflight",
            "4KiB",
            "--timeout",
            "4s",
        ],
    );
    // A body that takes all the room and arrives slowly.
    let mut holder = TcpStream::connect(&server.address).unwrap();
    holder
        .write_all(b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 4096\r\n\r\n{")
        .unwrap();
    assert_eq!(server.get("/healthz").status, 200); // the holder's head has been read
    let reply = server.post("/", OFFICIAL);
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.head.contains("retry-after: 5"));
    assert_eq!(
        reply.json()["error"],
        "too many bodies in flight (--max-inflight); not kept, send it again later"
    );
    drop(holder);
    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert!(stored_files(&wd).is_empty());
}

// ---- Issue 12 item 5: webhook events ----

const SECRET: &str = "whsec-test";

fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn event(n: usize) -> String {
    format!(
        "{{\"type\":\"event_callback\",\"event\":\"conversation.contact_replied\",\
         \"timestamp\":\"2020-08-08T07:53:{:02}.825Z\",\"account_id\":\"881987\",\
         \"data\":{{\"conversation\":{{\"id\":\"c{}\"}},\"message\":{{\"id\":\"m{n}\",\
         \"content\":\"hi {n}\"}}}}}}",
        n % 60,
        n / 3
    )
}

fn signed(server: &Server, body: &str) -> Reply {
    post_with(
        server,
        "/",
        &format!("X-Smartsupp-Hmac: {}\r\n", sign(SECRET, body.as_bytes())),
        body.as_bytes(),
    )
}

#[test]
fn signed_events_are_stored_once_byte_for_byte() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--webhook-secret", SECRET, "--token", "t0k"]);
    let mut files = Vec::new();
    for n in 0..200 {
        let body = event(n);
        let first = signed(&server, &body);
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.json()["status"], "stored");
        assert_eq!(first.json()["event"], "conversation.contact_replied");
        let again = signed(&server, &body);
        assert_eq!(again.status, 200);
        assert_eq!(again.json()["status"], "duplicate");
        assert_eq!(again.json()["file"], first.json()["file"]);
        files.push((n, first.json()["file"].as_str().unwrap().to_string()));
    }
    // Pretty-printed over several lines: the same event, other bytes, its own file.
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    let name = &files[1].1;
    assert!(
        name.starts_with("2020/08/08/20200808T075301.825Z-conversation.contact_replied-")
            && name.ends_with(".json"),
        "{name}"
    );
    for (n, file) in &files {
        assert_eq!(
            std::fs::read(wd.path("dumps").join(file)).unwrap(),
            event(*n).as_bytes()
        );
    }
    assert_eq!(stored_files(&wd).len(), 200);
    // The reading commands read what serve stored: 200 events of 67 conversations.
    let run = wd.run(&["validate", "dumps"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("200 webhook events: 200 valid; 0 errors"),
        "{}",
        run.stderr
    );
    let run = wd.run(&["list", "-f", "ndjson", "dumps"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 67);
    assert!(run
        .stdout
        .lines()
        .all(|l| l.contains("\"status\":\"open\"")));
    assert!(log.contains(" POST / 200 channel=- "), "{log}");
    assert!(log.contains(" event=conversation.contact_replied stored=2020/08/08/"));
    assert!(!log.contains(SECRET));
}

/// Every event of `tests/fixtures/shapes/` (the shapes of Smartsupp's own API), signed: stored
/// byte for byte and answered 200; unsigned: refused and not stored. A signed event of a shape
/// still unknown is Smartsupp's too: stored, its warning in the answer and the log. (A
/// conversation's `tags` as the REST list object used to be answered 400 and filed under
/// `rejected/`, so Smartsupp delivered it again and again.)
#[test]
fn signed_events_of_every_shape_are_stored_byte_for_byte() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--webhook-secret", SECRET]);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shapes");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    names.sort();
    let mut stored = Vec::new();
    for path in &names {
        for body in std::fs::read_to_string(path).unwrap().lines() {
            assert_eq!(server.post("/", body).status, 403, "{path:?}");
            let reply = signed(&server, body);
            assert_eq!(reply.status, 200, "{path:?}: {}", reply.body);
            assert_eq!(reply.json()["status"], "stored", "{path:?}: {}", reply.body);
            assert_eq!(reply.json()["findings"], serde_json::Value::Null);
            stored.push((
                reply.json()["file"].as_str().unwrap().to_string(),
                body.to_string(),
            ));
        }
    }
    let odd = r#"{"type":"event_callback","event":"conversation.opened","timestamp":"2026-05-12T18:29:00Z","account_id":"881987","data":{"conversation":{"id":"coOdd","tags":42,"channel":7}}}"#;
    assert_eq!(server.post("/", odd).status, 403);
    let reply = signed(&server, odd);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let column = odd.find(":42").unwrap() + 2;
    assert_eq!(
        reply.json()["findings"],
        serde_json::json!([format!(
            "body:1:{column}: warning: data.conversation.tags: expected an array of strings or \
             a list object {{\"type\": \"list\", \"data\": […]}}, or null, found number 42 \
             (left out)"
        )])
    );
    stored.push((
        reply.json()["file"].as_str().unwrap().to_string(),
        odd.to_string(),
    ));
    let (code, log) = server.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(&format!(
            " findings=1 finding=\"body:1:{column}: warning: data.conversation.tags"
        )),
        "{log}"
    );
    for (file, body) in &stored {
        assert_eq!(
            std::fs::read_to_string(wd.path("dumps").join(file)).unwrap(),
            *body,
            "{file}"
        );
    }
    assert_eq!(stored_files(&wd).len(), stored.len());
    // The reading commands read them as the fixtures read: every conversation whole.
    let run = wd.run(&["list", "-f", "ndjson", "dumps"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), names.len() + 1);
}

#[test]
fn forged_unsigned_and_unconfigured_events_are_refused_and_not_stored() {
    let wd = Workdir::new();
    let body = event(1);
    let server = Server::start(&wd, &["--webhook-secret", SECRET]);
    let forged = post_with(
        &server,
        "/",
        &format!("X-Smartsupp-Hmac: {}\r\n", sign("guess", body.as_bytes())),
        body.as_bytes(),
    );
    assert_eq!(forged.status, 403);
    assert_eq!(
        forged.json()["error"],
        "webhook event with a missing or wrong X-Smartsupp-Hmac signature: not stored"
    );
    // The right signature over other bytes.
    let tampered = post_with(
        &server,
        "/",
        &format!("X-Smartsupp-Hmac: {}\r\n", sign(SECRET, body.as_bytes())),
        body.replace("hi 1", "hi 2").as_bytes(),
    );
    assert_eq!(tampered.status, 403);
    let unsigned = server.post("/", &body);
    assert_eq!(unsigned.status, 403);
    assert_eq!(unsigned.json()["error"], forged.json()["error"]);
    // A signed event without its envelope (an object `data`) is kept with the bad bodies ...
    let bad = r#"{"event":"conversation.opened","timestamp":"2020-08-08T07:53:18Z","data":[]}"#;
    let reply = signed(&server, bad);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["path"], "data");
    assert_eq!(reply.json()["kept"], true);
    // ... but one with its envelope is Smartsupp's, whatever its fields hold: stored, 200.
    let late = r#"{"event":"conversation.opened","timestamp":"last week","data":{}}"#;
    let reply = signed(&server, late);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.json()["file"]
        .as_str()
        .unwrap()
        .starts_with("undated/conversation.opened-"));
    assert!(reply.json()["findings"][0]
        .as_str()
        .unwrap()
        .starts_with("body:1:44: error: timestamp: expected an ISO 8601 time"));
    server.stop();
    assert_eq!(stored_files(&wd).len(), 3, "{:?}", stored_files(&wd));

    // Without --webhook-secret, events are refused with a reason, signed or not.
    let wd = Workdir::new();
    let server = Server::start(&wd, &[]);
    for reply in [server.post("/", &body), signed(&server, &body)] {
        assert_eq!(reply.status, 403);
        assert!(reply.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("webhook events are not accepted: the server has no --webhook-secret"));
    }
    // POST-hook payloads keep their rules.
    assert_eq!(server.post("/", OFFICIAL).status, 200);
    server.stop();
    assert_eq!(stored_files(&wd), ["2015/03/27/1427470439703-55039.json"]);
}

/// A SIGTERM right after the "listening" line used to kill the server (its handler was installed
/// only when first polled): it stops gracefully.
#[test]
fn sigterm_right_after_start_stops_gracefully() {
    for _ in 0..5 {
        let wd = Workdir::new();
        let server = Server::start(&wd, &[]);
        let (code, log) = server.stop();
        assert_eq!(code, 0, "{log}");
        assert!(log.ends_with("serve: stopped\n"), "{log}");
    }
}

/// A gzip event is signed over the bytes as sent (compressed) and stored decoded.
#[test]
fn a_gzip_event_is_signed_as_sent_and_stored_decoded() {
    let wd = Workdir::new();
    let server = Server::start(&wd, &["--webhook-secret", SECRET]);
    let body = event(7);
    let wire = gzip(body.as_bytes());
    let headers =
        |signature: String| format!("Content-Encoding: gzip\r\nX-Smartsupp-Hmac: {signature}\r\n");
    let over_decoded = post_with(&server, "/", &headers(sign(SECRET, body.as_bytes())), &wire);
    assert_eq!(over_decoded.status, 403);
    let reply = post_with(&server, "/", &headers(sign(SECRET, &wire)), &wire);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let file = reply.json()["file"].as_str().unwrap().to_string();
    server.stop();
    assert_eq!(
        std::fs::read(wd.path("dumps").join(file)).unwrap(),
        body.as_bytes()
    );
}

// ---- The environment variables of serve ----

/// `SSHOOK_TOKEN` is `--token` (the way to keep it out of the process list): the same 401s,
/// the same stored body, never logged; `--token` on the command line wins over it.
#[test]
fn sshook_token_in_the_environment_is_the_token() {
    let wd = Workdir::new();
    let server = Server::start_with_env(&wd, &[], &[("SSHOOK_TOKEN", "envs3cret")]);
    for path in ["/", "/wrong", "/?token=wrong", "/envs3cre"] {
        let reply = server.post(path, OFFICIAL);
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.json()["error"], "missing or wrong token");
    }
    assert!(stored_files(&wd).is_empty());
    let stored = server.post("/envs3cret", OFFICIAL);
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.json()["status"], "stored");
    assert_eq!(
        server.post("/?token=envs3cret", OFFICIAL).json()["status"],
        "duplicate"
    );
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(!log.contains("envs3cret"), "{log}");
    assert!(log.contains(" POST /<token> 401 "), "{log}");
    assert_eq!(stored_files(&wd), ["2015/03/27/1427470439703-55039.json"]);

    let wd = Workdir::new();
    let server = Server::start_with_env(
        &wd,
        &["--token", "flagtoken"],
        &[("SSHOOK_TOKEN", "envtoken")],
    );
    assert_eq!(server.post("/envtoken", OFFICIAL).status, 401);
    assert_eq!(server.post("/flagtoken", OFFICIAL).status, 200);
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(
        !log.contains("envtoken") && !log.contains("flagtoken"),
        "{log}"
    );
}

/// `SSHOOK_WEBHOOK_SECRET` is `--webhook-secret`: events signed with it are stored, others
/// refused; without it (or the flag) events are refused.
#[test]
fn sshook_webhook_secret_in_the_environment_is_the_secret() {
    let wd = Workdir::new();
    let server = Server::start_with_env(&wd, &[], &[("SSHOOK_WEBHOOK_SECRET", SECRET)]);
    let body = event(4);
    let reply = signed(&server, &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["status"], "stored");
    let file = reply.json()["file"].as_str().unwrap().to_string();
    let other = event(5);
    let forged = post_with(
        &server,
        "/",
        &format!("X-Smartsupp-Hmac: {}\r\n", sign("guess", other.as_bytes())),
        other.as_bytes(),
    );
    assert_eq!(forged.status, 403);
    assert_eq!(server.post("/", &other).status, 403, "unsigned");
    let (code, log) = server.stop();
    assert_eq!(code, 0);
    assert!(!log.contains(SECRET), "{log}");
    assert_eq!(stored_files(&wd), std::slice::from_ref(&file));
    assert_eq!(
        std::fs::read(wd.path("dumps").join(&file)).unwrap(),
        body.as_bytes()
    );

    // Another secret in the environment: the same signed event is refused.
    let wd = Workdir::new();
    let server = Server::start_with_env(&wd, &[], &[("SSHOOK_WEBHOOK_SECRET", "another")]);
    assert_eq!(signed(&server, &body).status, 403);
    server.stop();
    assert!(stored_files(&wd).is_empty());
}

/// serve's help names the variables, never their values.
#[test]
fn serve_help_names_the_variables_not_their_values() {
    let wd = Workdir::new();
    let output = wd
        .command(&["serve", "--help"])
        .env("SSHOOK_TOKEN", "tok-in-env")
        .env("SSHOOK_WEBHOOK_SECRET", "sec-in-env")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("SSHOOK_TOKEN"), "{help}");
    assert!(help.contains("SSHOOK_WEBHOOK_SECRET"), "{help}");
    assert!(
        !help.contains("tok-in-env") && !help.contains("sec-in-env"),
        "{help}"
    );
}
