//! `sshook serve`: receive the POST hook and store every payload durably, where the reading
//! commands find it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::values::parse_positive_duration;
use crate::cli::GlobalArgs;
use crate::serve::http::{self, Settings};
use crate::serve::limits::InFlight;
use crate::serve::store::{Limits, Store};
use crate::Outcome;

const EXAMPLES: &str = "\
Stores each payload as DIR/YYYY/MM/DD/<beginAt>-<channelId>.json (the UTC date of beginAt),
byte for byte as received, synced to disk before it answers 200. The same conversation sent
again with the same bytes is stored once; with other bytes it is kept too, as
<beginAt>-<channelId>.1.json (.2, …, up to --max-copies): nothing is ever overwritten. A
hidden .<beginAt>-<channelId>.<hash> link beside each copy finds re-sends at once. A body that
is not one valid payload is kept under DIR/rejected/ with a .reason.txt beside it (up to
--rejected-max), and answered 400 with the problem (line and column, or the JSON path).
validate, list, show, export and stats read DIR and skip rejected/ and hidden files.

Webhook events (a body with an X-Smartsupp-Hmac header, or whose object has an \"event\" key)
need --webhook-secret: the header must be the hex HMAC-SHA256 of the raw body under it. They
are stored byte for byte as DIR/YYYY/MM/DD/<time>-<event>-<sha256 prefix>.json (the UTC date
of their timestamp); a re-delivery is answered 200 \"duplicate\" and stored once.

Answers: 200 stored or duplicate, 400 not a payload (or an event with a bad envelope, or both
Content-Length and Transfer-Encoding), 401 missing or wrong token, 403 webhook event unsigned,
wrongly signed or without --webhook-secret, 404 other paths, 405 other methods, 408 body too
slow, 409 more than --max-copies different bodies of one conversation, 413 body over
--max-body (after gzip decoding), 415 a Content-Encoding other than gzip, 500 the disk failed,
503 (with Retry-After) below --min-free or too many bodies in flight — nothing kept but a
200's body: send again. GET /healthz answers 200, or 503 while the store is not writable or
below --min-free.

One line per request on stderr: time, method, path (never the token), status, channel id,
bytes, milliseconds. SIGINT or SIGTERM stops accepting and finishes the requests in flight.
Start-up removes the temporary files a crash left: run one server per folder.

Examples:
  sshook serve --dir dumps                                   # http://127.0.0.1:8080/
  SSHOOK_TOKEN=s3cret sshook serve --listen 0.0.0.0:8080 --dir dumps
        # then point Smartsupp at https://your.host/s3cret (behind a TLS proxy)
  SSHOOK_WEBHOOK_SECRET=... sshook serve --dir dumps         # webhooks at POST /
  sshook validate dumps && sshook stats dumps";

/// Receive the POST hook and webhook events, and store every body durably.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Address and port to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// The dump folder payloads are stored in (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// Accept POST-hook bodies only at POST /<SECRET> or POST /?token=<SECRET>; others get 401.
    /// Prefer the environment variable, which other users cannot see in the process list.
    #[arg(
        long,
        env = "SSHOOK_TOKEN",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub token: Option<String>,

    /// The shared secret of Smartsupp's webhooks: events must carry X-Smartsupp-Hmac, the hex
    /// HMAC-SHA256 of the body under it (else 403). Without it, events are refused (403).
    #[arg(
        long,
        env = "SSHOOK_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub webhook_secret: Option<String>,

    /// Largest body accepted, after gzip decoding (bytes, or with a unit: 512KiB, 10MiB, 1MB).
    #[arg(long, default_value = "10MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body: u64,

    /// Time allowed for a request's body (30s, 500ms, 2m).
    #[arg(long, default_value = "30s", value_parser = parse_positive_duration, value_name = "TIME")]
    pub timeout: Duration,

    /// Time allowed for a request's head, from the connection's start or its previous answer
    /// (so also how long an idle keep-alive connection stays open).
    #[arg(long, default_value = "10s", value_parser = parse_positive_duration, value_name = "TIME")]
    pub header_timeout: Duration,

    /// Connections open at once. When all are open, the one that has waited longest without
    /// sending an authorised request is closed for the new one; connections busy with an
    /// authorised request are never closed, and new ones wait in the queue for them.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub max_connections: u32,

    /// Body bytes held in memory by all requests together; a body waits up to 5 s (at most half
    /// of --timeout) for room,
    /// then gets 503. A body takes its Content-Length, or --max-body without one or if gzip.
    #[arg(long, default_value = "256MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_inflight: u64,

    /// Bytes kept under rejected/ (each file counted as at least 4 KiB); past it, invalid
    /// bodies are answered 400 and not kept.
    #[arg(long, default_value = "1GiB", value_parser = parse_size, value_name = "SIZE")]
    pub rejected_max: u64,

    /// Files kept under rejected/ (a body and its reason are two).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub rejected_max_files: u64,

    /// Free space kept on the dump folder's disk: below it (counting the body), valid bodies
    /// get 503 with Retry-After and /healthz 503. 0 turns the floor off.
    #[arg(long, default_value = "1GiB", value_parser = parse_size_or_zero, value_name = "SIZE")]
    pub min_free: u64,

    /// Different bodies kept for one conversation (the first and its numbered copies); past
    /// it, 409 and not kept.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub max_copies: u32,
}

/// How long a body waits for room under `--max-inflight` before a 503.
const INFLIGHT_PATIENCE: Duration = Duration::from_secs(5);
/// File descriptors kept for the store and the listener beside the connections.
const SPARE_FILES: u64 = 64;

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    if args.token.as_deref() == Some("") {
        anyhow::bail!("--token is empty");
    }
    if args.webhook_secret.as_deref() == Some("") {
        anyhow::bail!("--webhook-secret is empty");
    }
    if args.max_inflight < args.max_body {
        anyhow::bail!(
            "--max-inflight ({} bytes) is smaller than --max-body ({} bytes): no body that large could be read",
            args.max_inflight,
            args.max_body
        );
    }
    super::allocator::return_large_frees_to_the_system();
    let max_connections = connections_allowed(u64::from(args.max_connections));
    let limits = Limits {
        min_free: args.min_free,
        rejected_max: args.rejected_max,
        rejected_max_files: args.rejected_max_files,
        max_copies: args.max_copies,
    };
    let store = Store::open(&args.dir, limits)?;
    let leftovers = store.leftovers;
    if leftovers.temp_files + leftovers.lone_reasons > 0 {
        eprintln!(
            "serve: removed {} temporary files and {} reasons without their body, left by an earlier run",
            leftovers.temp_files, leftovers.lone_reasons
        );
    }
    let settings = Settings {
        store,
        token: args.token,
        webhook_secret: args.webhook_secret,
        max_body: args.max_body,
        timeout: args.timeout,
        header_timeout: args.header_timeout,
        max_connections,
        in_flight: InFlight::new(args.max_inflight, INFLIGHT_PATIENCE),
        judging: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        ),
        log: !global.quiet,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let stop = stop_signal();
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener
            .local_addr()
            .context("cannot read the bound address")?;
        eprintln!(
            "serve: listening on http://{address}/, storing into {}",
            settings.store.root().display()
        );
        http::serve(settings, listener, stop).await
    })?;
    Ok(Outcome::Ok)
}

/// Raises the open-files limit to what the system allows, and keeps `wanted` connections
/// within it (saying so when it cannot).
fn connections_allowed(wanted: u64) -> usize {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            limit = raised;
        }
    }
    let files = limit.current.unwrap_or(u64::MAX);
    let allowed = wanted.min(files.saturating_sub(SPARE_FILES).max(1));
    if allowed < wanted {
        eprintln!(
            "serve: --max-connections {wanted} lowered to {allowed}: the open-files limit is {files}"
        );
    }
    usize::try_from(allowed).unwrap_or(usize::MAX)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed now, not when the future
/// is first polled: a signal that comes right after the "listening" line stops the server
/// gracefully instead of killing it. (Call inside the runtime.)
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
                match stream {
                    Some(mut stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// `10MiB`, `512KiB`, `1MB`, `1000`: a size in bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size: write e.g. 10MiB, 512KiB or 1000"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1_000,
        "kib" => 1 << 10,
        "mb" | "m" => 1_000_000,
        "mib" => 1 << 20,
        "gb" | "g" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown size unit {:?}: use KiB, MiB, GiB, KB, MB or GB",
                unit.trim()
            ))
        }
    };
    match number.checked_mul(factor) {
        Some(0) => Err("the size must be more than 0".into()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("{text:?} is too large")),
    }
}

/// A size, or 0.
fn parse_size_or_zero(text: &str) -> Result<u64, String> {
    if text
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        == "0"
    {
        return Ok(0);
    }
    parse_size(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1MB"), Ok(1_000_000));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10XB").is_err());
    }
}
