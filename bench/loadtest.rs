//! Load test for `sshook serve` (see `docs/serve.md#load-crash-and-hostile-tests` and `bench/serve-crash.sh`).
//!
//! ```text
//! sshook serve --listen 127.0.0.1:8080 --dir /tmp/dumps --token s3cret --max-body 1MiB &
//! cargo run --release --example loadtest -- --url http://127.0.0.1:8080 --token s3cret \
//!     --max-body 1MiB --clients 64 --requests 10000 --verify-dir /tmp/dumps
//! ```
//!
//! `--clients` threads share `--requests` requests over keep-alive connections: new
//! conversations, re-sent duplicates (same bytes), the same conversation with other bytes,
//! invalid bodies, wrong tokens, bodies over `--max-body` and health checks, in a fixed mix
//! drawn from `--seed`. Each answer is checked against the status it must have. A connection
//! error is retried for up to `--retry-for` (so a server killed and restarted midway is
//! waited for, as Smartsupp would retry). Figures go to stdout: requests/s and p50/p99
//! latency. With `--verify-dir`, every acknowledged payload (200) and rejected body (400) is
//! then read back from disk and compared byte for byte, and every payload file on disk must
//! have been acknowledged. Exit status 0 only if everything matched. Loopback only.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Load test for `sshook serve` on loopback")]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080 (loopback addresses only).
    #[arg(long)]
    url: String,
    /// The server's --token, if it has one.
    #[arg(long)]
    token: Option<String>,
    #[arg(long, default_value_t = 64)]
    clients: usize,
    #[arg(long, default_value_t = 10_000)]
    requests: usize,
    /// The server's --max-body, in bytes or with KiB/MiB (oversize bodies are one byte more).
    #[arg(long, default_value = "10MiB")]
    max_body: String,
    /// Keep retrying a request after a connection error for this many seconds.
    #[arg(long, default_value_t = 0.0)]
    retry_for: f64,
    /// After the run, check the stored files in this dump folder.
    #[arg(long)]
    verify_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// What one request is, and so what it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A new conversation: 200 stored.
    New {
        conversation: usize,
    },
    /// The same bytes as an earlier new conversation: 200 (stored or duplicate).
    Resend {
        conversation: usize,
    },
    /// An earlier conversation with other bytes: 200, a numbered copy.
    Variant {
        conversation: usize,
        variant: usize,
    },
    Invalid {
        n: usize,
    },
    WrongToken,
    Oversize {
        expect_continue: bool,
    },
    Health,
}

impl Kind {
    fn expected(self, token: bool) -> u16 {
        match self {
            Kind::New { .. } | Kind::Resend { .. } | Kind::Variant { .. } | Kind::Health => 200,
            Kind::Invalid { .. } => 400,
            Kind::WrongToken if token => 401,
            Kind::WrongToken => 404,
            Kind::Oversize { .. } => 413,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::New { .. } => "new",
            Kind::Resend { .. } => "resent duplicate",
            Kind::Variant { .. } => "same chat, other bytes",
            Kind::Invalid { .. } => "invalid",
            Kind::WrongToken => "wrong token/path",
            Kind::Oversize { .. } => "oversize",
            Kind::Health => "healthz",
        }
    }
}

/// splitmix64: a deterministic mix from the seed, no crate needed.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn plan(requests: usize, seed: u64) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(requests);
    let mut conversations = 0;
    for i in 0..requests {
        let r = mix(seed ^ (i as u64).wrapping_mul(0x1000_0000_01B3));
        let pick = r % 100;
        let earlier = (r >> 8) as usize % conversations.max(1);
        let kind = match pick {
            0..=61 => None,
            62..=75 if conversations > 0 => Some(Kind::Resend {
                conversation: earlier,
            }),
            76..=81 if conversations > 0 => Some(Kind::Variant {
                conversation: earlier,
                variant: i,
            }),
            82..=91 => Some(Kind::Invalid { n: i }),
            92..=95 => Some(Kind::WrongToken),
            96..=97 => Some(Kind::Oversize {
                expect_continue: r & (1 << 40) != 0,
            }),
            98..=99 => Some(Kind::Health),
            _ => None,
        };
        kinds.push(kind.unwrap_or_else(|| {
            conversations += 1;
            Kind::New {
                conversation: conversations - 1,
            }
        }));
    }
    kinds
}

/// A payload without warnings (counts, flags and times agree), one per conversation.
fn payload(conversation: usize, variant: Option<usize>) -> String {
    let id = 5_000_000 + conversation as i64;
    // 2026-01-01 plus a spread over 120 days.
    let begin = 1_767_225_600_000 + (conversation as i64 % 120) * 86_400_000 + id % 86_400 * 1000;
    let note = match variant {
        Some(v) => format!("\"resent with changes ({v})\""),
        None => "null".into(),
    };
    format!(
        r#"{{"accountId":208,"beginAt":{begin},"endAt":{end},"channel":{{"id":{id},"isChat":true,"isMissed":false,"isTriggered":false,"isOffline":false,"isCompleted":true,"isDropped":false,"duration":60,"avgResponse":5,"firstResponse":5,"messagesCount":2,"wordsCount":4,"rating":5,"ratingDesc":{note}}},"visitor":{{"id":{id},"name":"Eva","countryCode":"CZ"}},"paths":[{{"url":"https://example.com/","title":"Home"}}],"messages":[{{"type":"visitor","name":"Eva","from":"visitor:k{id}","content":"hi there","sentAt":{begin},"triggeredBy":null}},{{"type":"agent","name":"John Doe","from":"agent:3","content":"hello you","sentAt":{m2},"triggeredBy":null}}]}}"#,
        end = begin + 60_000,
        m2 = begin + 5_000,
    )
}

fn invalid(n: usize) -> String {
    match n % 3 {
        0 => format!("{{\"beginAt\": {n},,\n}}"),
        // No `beginAt`: not a payload. (A wrong field, `"rating":"5"`, is stored with its
        // findings: the body is the sender's.)
        1 => payload(n, None).replacen("\"beginAt\"", "\"begin\"", 1),
        _ => format!("[{}]", payload(n, None)),
    }
}

/// The body a request sends (`None`: no body, e.g. a GET or a wait for 100 Continue).
fn body(kind: Kind) -> Option<Vec<u8>> {
    match kind {
        Kind::New { conversation } | Kind::Resend { conversation } => {
            Some(payload(conversation, None).into_bytes())
        }
        Kind::Variant {
            conversation,
            variant,
        } => Some(payload(conversation, Some(variant)).into_bytes()),
        Kind::Invalid { n } => Some(invalid(n).into_bytes()),
        Kind::WrongToken => Some(payload(0, None).into_bytes()),
        // Sent from one shared buffer of `--max-body` + 1 bytes, or not at all.
        Kind::Oversize { .. } | Kind::Health => None,
    }
}

fn request_head(kind: Kind, token: Option<&str>, length: usize, max_body: u64) -> String {
    let path = match (kind, token) {
        (Kind::Health, _) => "/healthz".to_string(),
        (Kind::WrongToken, Some(t)) => format!("/?token={t}x"),
        (Kind::WrongToken, None) => "/nope".to_string(),
        (_, Some(t)) => format!("/{t}"),
        (_, None) => "/".to_string(),
    };
    match kind {
        Kind::Health => format!("GET {path} HTTP/1.1\r\nHost: loadtest\r\n\r\n"),
        Kind::Oversize {
            expect_continue: true,
        } => format!(
            "POST {path} HTTP/1.1\r\nHost: loadtest\r\nContent-Length: {}\r\n\
             Expect: 100-continue\r\n\r\n",
            max_body * 4
        ),
        _ => format!(
            "POST {path} HTTP/1.1\r\nHost: loadtest\r\nContent-Type: application/json\r\n\
             Content-Length: {length}\r\n\r\n"
        ),
    }
}

struct Answer {
    status: u16,
    body: String,
    close: bool,
}

/// Reads one HTTP/1.1 response with a Content-Length body.
fn read_answer(reader: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let mut line = String::new();
    let mut status = None;
    let mut length = 0usize;
    let mut close = false;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let text = line.trim_end();
        if text.is_empty() {
            break;
        }
        if status.is_none() {
            status = text.split(' ').nth(1).and_then(|s| s.parse().ok());
            continue;
        }
        let lower = text.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        } else if lower == "connection: close" {
            close = true;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Answer {
        status: status.unwrap_or(0),
        body: String::from_utf8_lossy(&body).into_owned(),
        close,
    })
}

/// One client: a connection kept alive between requests, reopened after errors.
struct Client {
    address: SocketAddr,
    connection: Option<(TcpStream, BufReader<TcpStream>)>,
}

impl Client {
    fn exchange(&mut self, head: &str, body: Option<&[u8]>) -> std::io::Result<Answer> {
        if self.connection.is_none() {
            let stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(5))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            let reader = BufReader::new(stream.try_clone()?);
            self.connection = Some((stream, reader));
        }
        let Some((stream, reader)) = self.connection.as_mut() else {
            return Err(std::io::ErrorKind::NotConnected.into());
        };
        let result = (|| {
            let mut request = head.as_bytes().to_vec();
            if let Some(body) = body.filter(|b| b.len() < 1 << 16) {
                request.extend_from_slice(body);
                stream.write_all(&request)?;
            } else {
                stream.write_all(&request)?;
                if let Some(body) = body {
                    // The server may answer 413 before it read all: the answer still counts.
                    let _ = stream.write_all(body);
                }
            }
            read_answer(reader)
        })();
        match &result {
            Ok(answer) if !answer.close => {}
            _ => self.connection = None,
        }
        result
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    by_label: BTreeMap<(&'static str, u16), usize>,
    wrong: Vec<String>,
    failed: usize,
    retried: usize,
    /// (request index, file named in the answer) for every 200 payload and 400 body.
    kept: Vec<(usize, String)>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("loadtest: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let args = Args::parse();
    let address = loopback_address(&args.url)?;
    let max_body = parse_size(&args.max_body)?;
    let kinds = Arc::new(plan(args.requests, args.seed));
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let retry_for = Duration::from_secs_f64(args.retry_for.max(0.0));
    let oversize = Arc::new(vec![b' '; max_body as usize + 1]);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.clients.max(1) {
            let (kinds, next, tally, oversize) = (&kinds, &next, &tally, &oversize);
            let token = args.token.as_deref();
            scope.spawn(move || {
                let mut client = Client {
                    address,
                    connection: None,
                };
                let mut mine = Tally::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&kind) = kinds.get(i) else { break };
                    let body = body(kind);
                    let body: Option<&[u8]> = match kind {
                        Kind::Oversize {
                            expect_continue: false,
                        } => Some(oversize.as_slice()),
                        _ => body.as_deref(),
                    };
                    let head = request_head(kind, token, body.map_or(0, |b| b.len()), max_body);
                    let first_try = Instant::now();
                    let mut attempts = 0;
                    let answer = loop {
                        attempts += 1;
                        let sent = Instant::now();
                        match client.exchange(&head, body) {
                            Ok(answer) => break Some((answer, sent.elapsed())),
                            // A reused connection the server closed: one quick retry.
                            Err(_) if attempts == 1 => continue,
                            Err(_) if first_try.elapsed() < retry_for => {
                                std::thread::sleep(Duration::from_millis(50));
                            }
                            Err(_) => break None,
                        }
                    };
                    if attempts > 2 {
                        mine.retried += 1;
                    }
                    let Some((answer, took)) = answer else {
                        mine.failed += 1;
                        continue;
                    };
                    mine.latencies.push(took);
                    *mine
                        .by_label
                        .entry((kind.label(), answer.status))
                        .or_default() += 1;
                    if answer.status != kind.expected(token.is_some()) {
                        mine.wrong.push(format!(
                            "request {i} ({}): {} {}",
                            kind.label(),
                            answer.status,
                            answer.body.trim()
                        ));
                    } else if matches!(answer.status, 200 | 400) && kind != Kind::Health {
                        let file = serde_json::from_str::<serde_json::Value>(&answer.body)
                            .ok()
                            .and_then(|v| v["file"].as_str().map(str::to_string));
                        match file {
                            Some(file) => mine.kept.push((i, file)),
                            None => mine
                                .wrong
                                .push(format!("request {i}: no file in {}", answer.body)),
                        }
                    }
                }
                let mut all = tally.lock().unwrap_or_else(|e| e.into_inner());
                all.latencies.extend(mine.latencies);
                for (k, v) in mine.by_label {
                    *all.by_label.entry(k).or_default() += v;
                }
                all.wrong.extend(mine.wrong);
                all.failed += mine.failed;
                all.retried += mine.retried;
                all.kept.extend(mine.kept);
            });
        }
    });
    let elapsed = started.elapsed();
    let mut tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    tally.latencies.sort();
    let answered = tally.latencies.len();
    let pick = |q: f64| -> f64 {
        if answered == 0 {
            return 0.0;
        }
        let at = ((answered as f64 * q).ceil() as usize).clamp(1, answered) - 1;
        tally.latencies[at].as_secs_f64() * 1000.0
    };
    println!(
        "loadtest: {} requests by {} clients in {:.2} s: {:.0} requests/s",
        args.requests,
        args.clients,
        elapsed.as_secs_f64(),
        answered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pick(0.50),
        pick(0.99),
        pick(1.0)
    );
    for ((label, status), n) in &tally.by_label {
        println!("  {status} {label}: {n}");
    }
    println!(
        "connection errors: {} requests retried, {} never answered",
        tally.retried, tally.failed
    );
    for wrong in tally.wrong.iter().take(10) {
        eprintln!("loadtest: unexpected answer: {wrong}");
    }
    let mut ok = tally.wrong.is_empty() && tally.failed == 0;
    if let Some(dir) = &args.verify_dir {
        ok &= verify(dir, &kinds, &tally.kept)?;
    }
    println!("loadtest: {}", if ok { "ok" } else { "FAILED" });
    Ok(ok)
}

/// Every acknowledged body is on disk byte for byte; every payload file was acknowledged.
fn verify(dir: &Path, kinds: &[Kind], kept: &[(usize, String)]) -> Result<bool> {
    let mut ok = true;
    let mut acknowledged = HashSet::new();
    let mut rejected = 0;
    for (i, file) in kept {
        let want = body(kinds[*i]).unwrap_or_default();
        match std::fs::read(dir.join(file)) {
            Ok(have) if have == want => {}
            Ok(_) => {
                eprintln!("verify: {file} differs from what request {i} sent");
                ok = false;
            }
            Err(err) => {
                eprintln!("verify: {file} (request {i}): {err}");
                ok = false;
            }
        }
        if file.starts_with("rejected/") {
            rejected += 1;
        } else {
            acknowledged.insert(file.clone());
        }
    }
    let mut on_disk = Vec::new();
    payload_files(dir, dir, &mut on_disk)?;
    let unacknowledged: Vec<&String> = on_disk
        .iter()
        .filter(|f| !acknowledged.contains(*f))
        .collect();
    for file in unacknowledged.iter().take(10) {
        eprintln!("verify: {file} is on disk but was never acknowledged");
    }
    ok &= unacknowledged.is_empty();
    println!(
        "verify: {} acknowledged payload files and {rejected} rejected bodies byte-identical \
         on disk; {} payload files on disk, {} not acknowledged",
        acknowledged.len(),
        on_disk.len(),
        unacknowledged.len()
    );
    Ok(ok)
}

/// Payload files as the reading commands see them: `*.json`, not hidden, not in `rejected/`.
fn payload_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "rejected" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            payload_files(root, &path, out)?;
        } else if name.ends_with(".json") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn loopback_address(url: &str) -> Result<SocketAddr> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("--url must start with http://");
    };
    let host_port = rest.split('/').next().unwrap_or(rest);
    let address = host_port
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host_port}"))?
        .next()
        .with_context(|| format!("no address for {host_port}"))?;
    if !address.ip().is_loopback() {
        bail!("{address} is not a loopback address: this tool only loads local servers");
    }
    Ok(address)
}

fn parse_size(text: &str) -> Result<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().context("--max-body: not a size")?;
    let factor = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "kb" => 1_000,
        "mb" => 1_000_000,
        other => bail!("--max-body: unknown unit {other:?}"),
    };
    Ok(number * factor)
}
