//! `sshook serve`: receive the POST hook and store every payload durably, where the reading
//! commands find it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::GlobalArgs;
use crate::serve::http::{self, Settings};
use crate::serve::store::Store;
use crate::Outcome;

const EXAMPLES: &str = "\
Stores each payload as DIR/YYYY/MM/DD/<beginAt>-<channelId>.json (the UTC date of beginAt),
byte for byte as received, synced to disk before it answers 200. The same conversation sent
again with the same bytes is stored once; with other bytes it is kept too, as
<beginAt>-<channelId>.1.json (.2, …): nothing is ever overwritten. A body that is not one
valid payload is kept under DIR/rejected/ with a .reason.txt beside it, and answered 400 with
the problem (line and column, or the JSON path). validate, list, show, export and stats read
DIR and skip rejected/ and the hidden .tmp-* files of writes in progress.

Answers: 200 stored or duplicate, 400 not a payload, 401 missing or wrong token, 404 other
paths, 405 other methods, 408 body too slow, 413 body over --max-body, 500 the disk failed
(nothing kept: send again). GET /healthz answers 200.

One line per request on stderr: time, method, path (never the token), status, channel id,
bytes, milliseconds. SIGINT or SIGTERM stops accepting and finishes the requests in flight.

Examples:
  sshook serve --dir dumps                                   # http://127.0.0.1:8080/
  SSHOOK_TOKEN=s3cret sshook serve --listen 0.0.0.0:8080 --dir dumps
        # then point Smartsupp at https://your.host/s3cret (behind a TLS proxy)
  sshook validate dumps && sshook stats dumps";

/// Receive the POST hook and store every payload durably.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Address and port to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// The dump folder payloads are stored in (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// Accept only POST /<SECRET> or POST /?token=<SECRET>; others get 401. Prefer the
    /// environment variable, which other users cannot see in the process list.
    #[arg(
        long,
        env = "SSHOOK_TOKEN",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub token: Option<String>,

    /// Largest body accepted (bytes, or with a unit: 512KiB, 10MiB, 1MB).
    #[arg(long, default_value = "10MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body: u64,

    /// Time allowed for a request's headers, and again for its body (30s, 500ms, 2m).
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "TIME")]
    pub timeout: Duration,

    /// Connections served at once; more wait in the queue until one closes.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000), value_name = "N")]
    pub max_connections: u32,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    if args.token.as_deref() == Some("") {
        anyhow::bail!("--token is empty");
    }
    let settings = Settings {
        store: Store::open(&args.dir)?,
        token: args.token,
        max_body: args.max_body,
        timeout: args.timeout,
        max_connections: args.max_connections as usize,
        log: !global.quiet,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
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
        http::serve(settings, listener, stop_signal()).await
    })?;
    Ok(Outcome::Ok)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
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

/// `30s`, `500ms`, `2m`: a positive duration, in jiff's friendly format.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let span: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write e.g. 30s, 500ms or 2m"))?;
    match Duration::try_from(span) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err("the duration must be more than 0".into()),
    }
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

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
