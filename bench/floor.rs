//! Speed floor for the sshook benchmarks (see `bench/README.md`).
//!
//! ```text
//! cargo run --release --example floor -- read  FILE_OR_DIR...
//! cargo run --release --example floor -- parse FILE_OR_DIR...
//! cargo run --release --example floor -- repeat NDJSON_FILE TIMES
//! ```
//!
//! * `read`: read the bytes of every input file (gzip is decompressed), nothing else.
//! * `parse`: additionally parse every JSON document with `serde_json` into
//!   `serde::de::IgnoredAny`, on all cores with rayon: big NDJSON files are split into
//!   ~2 MB newline-aligned chunks parsed in parallel; many files are processed in parallel.
//!   A file whose first non-blank byte is `[` counts each array element as a document.
//!
//! * `repeat`: write the NDJSON file to stdout TIMES times, each round's `channel.id`s moved
//!   by 10^9 so that every payload is a new conversation: a corpus of any size through a pipe
//!   (the 10-million-payload scale run), at the speed of a memory copy.
//!
//! Directories are walked recursively for `*.json`, `*.ndjson`, `*.jsonl` and `*.gz`.
//! Results (bytes, documents, seconds, MB/s) are printed on stderr; nothing on stdout.
//! This is a lower bound on what any tool has to do, not a product.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::de::IgnoredAny;

const CHUNK: usize = 2 * 1024 * 1024;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Read,
    Parse,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    files: u64,
    bytes: u64,
    docs: u64,
    errors: u64,
}

impl Tally {
    fn add(self, o: Tally) -> Tally {
        Tally {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            docs: self.docs + o.docs,
            errors: self.errors + o.errors,
        }
    }
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("repeat") {
        let (Some(file), Some(times)) = (args.next(), args.next()) else {
            bail!("usage: floor repeat NDJSON_FILE TIMES");
        };
        return repeat(Path::new(&file), times.parse().context("TIMES")?);
    }
    let mode = match first.as_deref() {
        Some("read") => Mode::Read,
        Some("parse") => Mode::Parse,
        _ => bail!("usage: floor read|parse FILE_OR_DIR..."),
    };
    let roots: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if roots.is_empty() {
        bail!("usage: floor read|parse FILE_OR_DIR...");
    }

    let start = Instant::now();
    let mut files = Vec::new();
    for root in &roots {
        collect(root, true, &mut files).with_context(|| format!("walking {}", root.display()))?;
    }
    files.sort();

    let total = files
        .par_iter()
        .map(|f| process(f, mode).with_context(|| format!("reading {}", f.display())))
        .try_reduce(Tally::default, |a, b| Ok(a.add(b)))?;

    let secs = start.elapsed().as_secs_f64();
    let mbs = total.bytes as f64 / 1e6 / secs.max(1e-9);
    let name = if mode == Mode::Read { "read" } else { "parse" };
    eprintln!(
        "floor {name}: files={} bytes={} documents={} errors={} seconds={secs:.3} MB/s={mbs:.1} threads={}",
        total.files,
        total.bytes,
        if mode == Mode::Parse { total.docs.to_string() } else { "-".into() },
        total.errors,
        rayon::current_num_threads(),
    );
    Ok(())
}

/// Writes `file` `times` times with the channel ids of round r moved by r * 10^9.
fn repeat(file: &Path, times: u64) -> Result<()> {
    use std::io::Write;
    let text = std::fs::read(file)?;
    const KEY: &[u8] = br#""channel":{"id":"#;
    let finder = memchr::memmem::Finder::new(KEY);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    for round in 0..times {
        let mut at = 0;
        for hit in finder.find_iter(&text) {
            let digits = hit + KEY.len();
            let end = digits
                + text[digits..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            let id: u64 = std::str::from_utf8(&text[digits..end])?.parse()?;
            out.write_all(&text[at..digits])?;
            write!(out, "{}", id + round * 1_000_000_000)?;
            at = end;
        }
        if out.write_all(&text[at..]).is_err() {
            return Ok(()); // the reader stopped
        }
    }
    out.flush().or(Ok(()))
}

/// Recursively collects input files. Explicitly named files are always taken.
fn collect(path: &Path, explicit: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), false, out)?;
        }
    } else if explicit
        || matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "ndjson" | "jsonl" | "gz")
        )
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn process(path: &Path, mode: Mode) -> Result<Tally> {
    let raw = std::fs::read(path)?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 6);
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let mut t = Tally {
        files: 1,
        bytes: bytes.len() as u64,
        ..Tally::default()
    };
    if mode == Mode::Read {
        return Ok(t);
    }

    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else { return Ok(t) };
    if bytes[first] == b'[' {
        // A JSON array of payloads: one document per element.
        match serde_json::from_slice::<Vec<IgnoredAny>>(&bytes) {
            Ok(v) => t.docs = v.len() as u64,
            Err(_) => t.errors = 1,
        }
        return Ok(t);
    }

    let ndjson = looks_like_ndjson(&bytes[first..]);
    if ndjson && bytes.len() > 2 * CHUNK {
        // NDJSON: newline-aligned chunks, parsed in parallel.
        let chunks = split_chunks(&bytes, CHUNK);
        let (docs, errors) = chunks
            .par_iter()
            .map(|c| parse_stream(c, true))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        t.docs = docs;
        t.errors = errors;
    } else {
        let (docs, errors) = parse_stream(&bytes, ndjson);
        t.docs = docs;
        t.errors = errors;
    }
    Ok(t)
}

/// True when the first line is a complete one-line object (compact NDJSON).
fn looks_like_ndjson(bytes: &[u8]) -> bool {
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = bytes[..end].trim_ascii();
    line.len() > 1 && line.first() == Some(&b'{') && line.last() == Some(&b'}')
}

fn split_chunks(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(bytes.len() / size + 1);
    let mut start = 0;
    while start < bytes.len() {
        let target = (start + size).min(bytes.len());
        let end = match memchr::memchr(b'\n', &bytes[target..]) {
            Some(i) => target + i + 1,
            None => bytes.len(),
        };
        out.push(&bytes[start..end]);
        start = end;
    }
    out
}

/// Parses a whitespace-separated stream of JSON documents. After a syntax error it
/// resumes at the next line when `by_line` (NDJSON: one bad line does not hide the rest),
/// and otherwise gives up on the file.
fn parse_stream(bytes: &[u8], by_line: bool) -> (u64, u64) {
    let (mut docs, mut errors) = (0u64, 0u64);
    let mut pos = 0;
    'outer: while pos < bytes.len() {
        let mut it = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<IgnoredAny>();
        while let Some(r) = it.next() {
            match r {
                Ok(_) => docs += 1,
                Err(_) => {
                    errors += 1;
                    if !by_line {
                        break 'outer;
                    }
                    let at = pos + it.byte_offset();
                    pos = match memchr::memchr(b'\n', &bytes[at.min(bytes.len())..]) {
                        Some(i) => at + i + 1,
                        None => bytes.len(),
                    };
                    continue 'outer;
                }
            }
        }
        break;
    }
    (docs, errors)
}
