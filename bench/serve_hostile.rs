//! Hostile clients against a running `sshook serve`, on loopback only (see `bench/serve-hostile.sh`).
//!
//! ```text
//! serve_hostile stall --url http://127.0.0.1:8080 --token s3cret --idle 500 --slow 500 \
//!     --clients 32 --requests 3200 --verify-dir /tmp/dumps
//! serve_hostile flood --url http://127.0.0.1:8080 --token s3cret --requests 3000 --size 1MiB
//! serve_hostile memory --url http://127.0.0.1:8080 --token s3cret --pid PID --clients 256 --size 10MiB
//! serve_hostile events --url http://127.0.0.1:8080 --secret k --requests 500 --verify-dir /tmp/dumps
//! ```
//!
//! - `stall`: `--idle` connections that send nothing and `--slow` ones that send a request head
//!   one byte at a time, none with the token, each reopened as soon as the server closes it;
//!   meanwhile `--clients` threads post `--requests` valid payloads (new connections, with the
//!   token) and one thread asks `/healthz` every 50 ms. Prints p50/p99/max of both; with
//!   `--verify-dir`, checks every acknowledged payload on disk byte for byte.
//! - `flood`: `--requests` invalid bodies of `--size` bytes; prints how many were kept.
//! - `memory`: `--clients` bodies of `--size` bytes at once (one shared buffer on this side),
//!   sampling the server's resident memory (`--pid`) every 20 ms; prints the peak, and the
//!   resident memory 2 s after the burst.
//! - `events`: `--requests` signed webhook events, each delivered twice, plus forged and unsigned
//!   ones; checks the answers, and with `--verify-dir` that each event is stored once, byte for
//!   byte, and nothing else is.
//!
//! - `fill`: up to `--requests` different valid payloads of `--size` bytes, one after the other,
//!   until the server answers 503 (a full disk); checks each 503 has `Retry-After`, then prints
//!   what `/healthz` says, and with `--verify-dir` checks every acknowledged payload byte for byte.
//!
//! - `copies`: `--requests` differing re-sends of one conversation, one after the other, then
//!   each again (duplicates); prints the mean time of the first and the last 50 of each.
//!
//! Every loop is bounded in count and by `--max-seconds`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use hmac::{Hmac, Mac};

#[derive(Debug, Parser)]
#[command(about = "Hostile clients against `sshook serve`, on loopback")]
struct Args {
    /// stall, flood, memory or events.
    mode: String,
    /// The server, e.g. http://127.0.0.1:8080 (loopback addresses only).
    #[arg(long)]
    url: String,
    #[arg(long)]
    token: Option<String>,
    /// The server's --webhook-secret (events mode).
    #[arg(long)]
    secret: Option<String>,
    #[arg(long, default_value_t = 500)]
    idle: usize,
    #[arg(long, default_value_t = 500)]
    slow: usize,
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 3200)]
    requests: usize,
    /// Body size for flood and memory (bytes, KiB, MiB).
    #[arg(long, default_value = "1MiB")]
    size: String,
    /// The server's process id (memory mode).
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long)]
    verify_dir: Option<PathBuf>,
    /// Upper bound on the run, whatever is left to send.
    #[arg(long, default_value_t = 120)]
    max_seconds: u64,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("serve_hostile: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let args = Args::parse();
    let address = loopback_address(&args.url)?;
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);
    match args.mode.as_str() {
        "stall" => stall(&args, address, deadline),
        "flood" => flood(&args, address, deadline),
        "memory" => memory(&args, address, deadline),
        "events" => events(&args, address, deadline),
        "fill" => fill(&args, address, deadline),
        "copies" => copies(&args, address, deadline),
        other => bail!("unknown mode {other:?}: stall, flood, memory, events, fill or copies"),
    }
}

fn loopback_address(url: &str) -> Result<SocketAddr> {
    let rest = url
        .strip_prefix("http://")
        .context("--url must start with http://")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let address: SocketAddr = host.parse().context("--url must be http://IP:PORT")?;
    if !address.ip().is_loopback() {
        bail!("loopback addresses only, not {}", address.ip());
    }
    Ok(address)
}

fn parse_size(text: &str) -> Result<usize> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let number: usize = digits
        .parse()
        .with_context(|| format!("bad size {text:?}"))?;
    Ok(match &text[digits.len()..] {
        "" => number,
        "KiB" => number << 10,
        "MiB" => number << 20,
        other => bail!("unknown unit {other:?}"),
    })
}

/// A valid payload for conversation `n` (its own channel id and day).
fn payload(n: usize) -> String {
    let id = 7_000_000 + n as i64;
    let begin = 1_767_225_600_000 + (n as i64 % 60) * 86_400_000 + id % 86_400 * 1000;
    format!(
        r#"{{"accountId":208,"beginAt":{begin},"endAt":{end},"channel":{{"id":{id},"isChat":true,"isMissed":false,"isTriggered":false,"isOffline":false,"isCompleted":true,"isDropped":false,"duration":60,"avgResponse":5,"firstResponse":5,"messagesCount":1,"wordsCount":2,"rating":5,"ratingDesc":null}},"visitor":{{"id":{id},"name":"Eva","countryCode":"CZ"}},"paths":[],"messages":[{{"type":"visitor","name":"Eva","from":"visitor:k{id}","content":"hi there","sentAt":{begin},"triggeredBy":null}}]}}"#,
        end = begin + 60_000
    )
}

/// Status and body of one answer on a fresh connection (`Connection: close`).
fn post(
    address: SocketAddr,
    path: &str,
    headers: &str,
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{headers}\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    let _ = stream.write_all(body);
    answer(&mut stream)
}

fn get(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
    )?;
    answer(&mut stream)
}

fn answer(stream: &mut TcpStream) -> std::io::Result<(u16, String)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

fn hook_path(token: Option<&str>) -> String {
    token.map_or_else(|| "/".to_string(), |t| format!("/{t}"))
}

fn percentiles(name: &str, mut millis: Vec<f64>) -> f64 {
    if millis.is_empty() {
        println!("{name}: none");
        return f64::INFINITY;
    }
    millis.sort_by(f64::total_cmp);
    let at = |p: f64| millis[((millis.len() - 1) as f64 * p).round() as usize];
    let p99 = at(0.99);
    println!(
        "{name}: {} answers, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        millis.len(),
        at(0.5),
        p99,
        millis[millis.len() - 1]
    );
    p99
}

/// Keeps `idle` silent and `slow` byte-by-byte connections open until `stop`, reopening each
/// one the server closes. Returns how many were opened in all.
fn hostile_connections(address: SocketAddr, idle: usize, slow: usize, stop: &AtomicBool) -> usize {
    let open = |opened: &mut usize| -> Option<TcpStream> {
        let stream = TcpStream::connect(address).ok()?;
        stream.set_nonblocking(true).ok()?;
        *opened += 1;
        Some(stream)
    };
    let mut opened = 0;
    let mut idles: Vec<Option<TcpStream>> = (0..idle).map(|_| open(&mut opened)).collect();
    let head = b"POST / HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
    let mut slows: Vec<(Option<TcpStream>, usize)> =
        (0..slow).map(|_| (open(&mut opened), 0)).collect();
    let mut probe = [0u8; 256];
    while !stop.load(Ordering::Relaxed) {
        for conn in &mut idles {
            let closed = match conn {
                Some(stream) => stream.read(&mut probe).is_ok(),
                None => true,
            };
            if closed {
                *conn = open(&mut opened);
            }
        }
        for (conn, sent) in &mut slows {
            let byte = if *sent < head.len() {
                head[*sent]
            } else {
                b'a'
            };
            let failed = match conn {
                Some(stream) => stream.write(&[byte]).is_err() || stream.read(&mut probe).is_ok(),
                None => true,
            };
            if failed {
                *conn = open(&mut opened);
                *sent = 0;
            } else {
                *sent += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    opened
}

fn stall(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let posts = Mutex::new(Vec::new());
    let health = Mutex::new(Vec::new());
    let acknowledged = Mutex::new(Vec::new());
    let failures = AtomicUsize::new(0);
    let health_failures = AtomicUsize::new(0);
    let path = hook_path(args.token.as_deref());
    let opened = std::thread::scope(|scope| {
        let hostile = scope.spawn(|| hostile_connections(address, args.idle, args.slow, &stop));
        // Let the hostile connections take their places first.
        std::thread::sleep(Duration::from_secs(2));
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let started = Instant::now();
                match get(address, "/healthz") {
                    Ok((200, _)) => health
                        .lock()
                        .unwrap()
                        .push(started.elapsed().as_secs_f64() * 1000.0),
                    _ => {
                        health_failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let clients: Vec<_> = (0..args.clients)
            .map(|_| {
                scope.spawn(|| loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= args.requests || Instant::now() >= deadline {
                        break;
                    }
                    let body = payload(n);
                    let started = Instant::now();
                    match post(address, &path, "", body.as_bytes()) {
                        Ok((200, reply)) => {
                            posts
                                .lock()
                                .unwrap()
                                .push(started.elapsed().as_secs_f64() * 1000.0);
                            let file = serde_json::from_str::<serde_json::Value>(&reply)
                                .ok()
                                .and_then(|v| v["file"].as_str().map(String::from));
                            acknowledged.lock().unwrap().push((n, file));
                        }
                        other => {
                            eprintln!("valid post {n}: {other:?}");
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for client in clients {
            let _ = client.join();
        }
        stop.store(true, Ordering::Relaxed);
        hostile.join().unwrap_or(0)
    });
    println!(
        "stall: {} idle + {} byte-by-byte connections without the token ({opened} opened in all)",
        args.idle, args.slow
    );
    let p99 = percentiles("valid posts", posts.into_inner().unwrap());
    let health_p99 = percentiles("healthz", health.into_inner().unwrap());
    let failures = failures.into_inner();
    let health_failures = health_failures.into_inner();
    println!("failed valid posts: {failures}, failed /healthz: {health_failures}");
    let mut ok = failures == 0 && health_failures == 0 && p99 < 1000.0 && health_p99 < 1000.0;
    if let Some(dir) = &args.verify_dir {
        ok &= verify_payloads(dir, &acknowledged.into_inner().unwrap())?;
    }
    Ok(ok)
}

fn verify_payloads(dir: &Path, acknowledged: &[(usize, Option<String>)]) -> Result<bool> {
    let mut bad = 0;
    for (n, file) in acknowledged {
        let same = file
            .as_ref()
            .and_then(|f| std::fs::read(dir.join(f)).ok())
            .is_some_and(|bytes| bytes == payload(*n).as_bytes());
        if !same {
            bad += 1;
        }
    }
    println!(
        "verify: {} acknowledged payloads, {bad} missing or different on disk",
        acknowledged.len()
    );
    Ok(bad == 0)
}

fn flood(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let size = parse_size(&args.size)?;
    let mut body = vec![b' '; size.max(2)];
    body[0] = b'{';
    let next = AtomicUsize::new(0);
    let (kept, not_kept, other) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let path = hook_path(args.token.as_deref());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.clients {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < args.requests
                    && Instant::now() < deadline
                {
                    match post(address, &path, "", &body) {
                        Ok((400, reply)) if reply.contains("\"kept\":true") => {
                            kept.fetch_add(1, Ordering::Relaxed)
                        }
                        Ok((400, _)) => not_kept.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            });
        }
    });
    println!(
        "flood: {} invalid bodies of {size} bytes in {:.1} s: {} kept, {} answered 400 not kept, {} other answers",
        args.requests,
        started.elapsed().as_secs_f64(),
        kept.into_inner(),
        not_kept.into_inner(),
        other.load(Ordering::Relaxed)
    );
    Ok(other.into_inner() == 0)
}

/// Resident and peak resident memory of `pid`, in MiB.
fn memory_of(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn memory(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let pid = args.pid.context("memory needs --pid of the server")?;
    let size = parse_size(&args.size)?;
    // One valid payload padded with spaces to `size`: stored, then the same bytes: duplicates.
    let base = payload(0);
    let mut body = base.into_bytes();
    body.resize(size.max(body.len()), b' ');
    let body = Arc::new(body);
    let before = memory_of(pid).context("cannot read the server's memory")?;
    let stop = AtomicBool::new(false);
    let peak = Mutex::new(before.0);
    let statuses = Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let path = hook_path(args.token.as_deref());
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Some((rss, _)) = memory_of(pid) {
                    let mut peak = peak.lock().unwrap();
                    *peak = peak.max(rss);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let clients: Vec<_> = (0..args.clients)
            .map(|_| {
                let body = Arc::clone(&body);
                let (path, statuses) = (&path, &statuses);
                scope.spawn(move || {
                    let status = post(address, path, "", &body).map_or(0, |(s, _)| s);
                    *statuses.lock().unwrap().entry(status).or_default() += 1;
                })
            })
            .collect();
        for client in clients {
            let _ = client.join();
        }
        stop.store(true, Ordering::Relaxed);
    });
    let took = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(2));
    let after = memory_of(pid).context("cannot read the server's memory")?;
    println!(
        "memory: {} bodies of {size} bytes at once in {took:.1} s: answers {:?}",
        args.clients,
        statuses.into_inner().unwrap()
    );
    println!(
        "memory: RSS before {:.0} MiB, sampled peak {:.0} MiB, VmHWM {:.0} MiB, 2 s after {:.0} MiB",
        before.0,
        peak.into_inner().unwrap(),
        after.1,
        after.0
    );
    Ok(true)
}

/// Payload `n` padded with spaces to `size` bytes.
fn padded(n: usize, size: usize) -> Vec<u8> {
    let mut body = payload(n).into_bytes();
    body.resize(size.max(body.len()), b' ');
    body
}

fn fill(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let size = parse_size(&args.size)?;
    let path = hook_path(args.token.as_deref());
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut acknowledged = Vec::new();
    let mut no_retry_after = 0;
    let mut first_503 = None;
    for n in 0..args.requests {
        if Instant::now() >= deadline {
            break;
        }
        let body = padded(n, size);
        let mut stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        let _ = stream.write_all(&body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).to_string();
        let status: u16 = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        *statuses.entry(status).or_default() += 1;
        match status {
            200 => {
                let file = text
                    .split_once("\r\n\r\n")
                    .and_then(|(_, b)| serde_json::from_str::<serde_json::Value>(b).ok())
                    .and_then(|v| v["file"].as_str().map(String::from));
                acknowledged.push((n, file));
            }
            503 => {
                first_503.get_or_insert(n);
                if !text.to_ascii_lowercase().contains("\r\nretry-after: ") {
                    no_retry_after += 1;
                }
                // A few more, then stop: the disk stays full.
                if statuses[&503] >= 20 {
                    break;
                }
            }
            _ => {}
        }
    }
    let health = get(address, "/healthz").map_or(0, |(s, _)| s);
    println!(
        "fill: payloads of {size} bytes: answers {statuses:?}; first 503 at payload {first_503:?}; \
         503 without Retry-After: {no_retry_after}; /healthz then: {health}"
    );
    // /healthz is 503 below the floor; above it, with less room than one more body, still 200.
    let mut ok = no_retry_after == 0 && first_503.is_some();
    if let Some(dir) = &args.verify_dir {
        let mut bad = 0;
        for (n, file) in &acknowledged {
            let same = file
                .as_ref()
                .and_then(|f| std::fs::read(dir.join(f)).ok())
                .is_some_and(|b| b == padded(*n, size));
            bad += usize::from(!same);
        }
        let mut on_disk = 0;
        count_json(dir, &mut on_disk)?;
        println!(
            "verify: {} acknowledged, {bad} missing or different; {on_disk} payload files on disk",
            acknowledged.len()
        );
        ok &= bad == 0 && on_disk == acknowledged.len();
    }
    Ok(ok)
}

fn copies(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let path = hook_path(args.token.as_deref());
    // The same conversation, each time with another rating text.
    let variant = |v: usize| {
        payload(0).replacen(
            "\"ratingDesc\":null",
            &format!("\"ratingDesc\":\"copy {v}\""),
            1,
        )
    };
    let mut wrong = 0;
    let mut timed = |expect: &str| -> Result<Vec<f64>> {
        let mut millis = Vec::new();
        for v in 0..args.requests {
            if Instant::now() >= deadline {
                break;
            }
            let started = Instant::now();
            let (status, reply) = post(address, &path, "", variant(v).as_bytes())?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            if status != 200 || !reply.contains(expect) {
                wrong += 1;
            }
        }
        Ok(millis)
    };
    let stored = timed("\"stored\"")?;
    let again = timed("\"duplicate\"")?;
    let mean = |m: &[f64]| m.iter().sum::<f64>() / m.len().max(1) as f64;
    let ends = |m: &[f64]| {
        let k = m.len().min(50);
        (mean(&m[..k]), mean(&m[m.len() - k..]))
    };
    let (first, last) = ends(&stored);
    let (first_dup, last_dup) = ends(&again);
    println!(
        "copies: {} differing bodies of one conversation: first 50 stored in {first:.2} ms each, \
         last 50 in {last:.2} ms; sent again: first 50 {first_dup:.2} ms, last 50 {last_dup:.2} ms; \
         {wrong} wrong answers",
        stored.len()
    );
    Ok(wrong == 0)
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Webhook event `n`: a message in conversation `n / 4`, at its own time.
fn event(n: usize) -> String {
    let second = n % 60;
    let minute = n / 60 % 60;
    format!(
        r#"{{"type":"event_callback","event":"conversation.contact_replied","timestamp":"2026-02-0{day}T10:{minute:02}:{second:02}.{ms:03}Z","account_id":"881987","app_id":"bench","data":{{"conversation":{{"id":"c{conv}","status":"open"}},"message":{{"id":"m{n}","conversation_id":"c{conv}","sub_type":"contact","content":{{"type":"text","text":"hello {n}"}},"created_at":"2026-02-01T10:00:00Z"}}}}}}"#,
        day = 1 + n % 5,
        ms = n % 1000,
        conv = n / 4
    )
}

fn events(args: &Args, address: SocketAddr, deadline: Instant) -> Result<bool> {
    let secret = args.secret.as_deref().context("events needs --secret")?;
    let mut wrong = Vec::new();
    let mut files = Vec::new();
    for n in 0..args.requests {
        if Instant::now() >= deadline {
            break;
        }
        let body = event(n);
        let signed = format!("X-Smartsupp-Hmac: {}\r\n", sign(secret, body.as_bytes()));
        let first = post(address, "/", &signed, body.as_bytes())?;
        let again = post(address, "/", &signed, body.as_bytes())?;
        let file = serde_json::from_str::<serde_json::Value>(&first.1)
            .ok()
            .and_then(|v| v["file"].as_str().map(String::from));
        if first.0 != 200 || again.0 != 200 || !again.1.contains("\"duplicate\"") {
            wrong.push(format!("event {n}: {first:?} then {again:?}"));
        }
        files.push((n, file));
        if n % 10 == 0 {
            let forged = format!("X-Smartsupp-Hmac: {}\r\n", sign("guess", body.as_bytes()));
            let forged_body = body.replace("hello", "HELLO");
            for (headers, text) in [
                (signed.as_str(), forged_body.as_str()),
                (&forged, &body),
                ("", &body),
            ] {
                let reply = post(address, "/", headers, text.as_bytes())?;
                // Unsigned at `/` of a server with --token: 401 before the body is read.
                let refused = reply.0 == 403 || (headers.is_empty() && reply.0 == 401);
                if !refused {
                    wrong.push(format!("event {n}: forged or unsigned answered {reply:?}"));
                }
            }
        }
    }
    for line in wrong.iter().take(10) {
        eprintln!("{line}");
    }
    println!(
        "events: {} signed events each delivered twice, forged and unsigned ones every tenth: {} wrong answers",
        files.len(),
        wrong.len()
    );
    let mut ok = wrong.is_empty();
    if let Some(dir) = &args.verify_dir {
        let mut bad = 0;
        for (n, file) in &files {
            let same = file
                .as_ref()
                .and_then(|f| std::fs::read(dir.join(f)).ok())
                .is_some_and(|b| b == event(*n).as_bytes());
            bad += usize::from(!same);
        }
        let mut on_disk = 0;
        count_json(dir, &mut on_disk)?;
        println!(
            "verify: {} events acknowledged, {bad} missing or different; {on_disk} .json files on disk",
            files.len()
        );
        ok &= bad == 0 && on_disk == files.len();
    }
    Ok(ok)
}

fn count_json(dir: &Path, count: &mut usize) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "rejected" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            count_json(&entry.path(), count)?;
        } else if name.ends_with(".json") {
            *count += 1;
        }
    }
    Ok(())
}
