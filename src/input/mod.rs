//! The one reading path every command shares: discover sources, read them in chunks on a
//! reader thread, parse chunks on all cores, and hand the results back in input order.
//!
//! Memory is bounded: the reader runs at most [`QUEUE_CHUNKS`] chunks ahead, and a wave of
//! chunks is parsed together, so a corpus of any size is read in a window of a few megabytes.

pub mod discover;
mod fast;
#[cfg(test)]
pub(crate) mod fast_reference;
pub mod follow;
pub mod read;
pub mod split;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use crate::progress::Progress;

pub use discover::{discover, Discovery, NoInput, Source, SourceKind};
pub use read::Chunk;
pub use split::documents;

/// The payload that is the whole of `text`, read as the reader reads one: by the fast path
/// when it can, else by serde_json; with what is known of its fingerprint and whether it
/// holds all that `--redact` reads (`Document::covered`).
pub fn payload_of(
    text: &str,
) -> serde_json::Result<(
    Box<crate::model::payload::Payload<'_>>,
    crate::model::document::Fingerprint,
    bool,
)> {
    match fast::payload(text) {
        Some((payload, len, print, covered)) if len == text.len() => Ok((payload, print, covered)),
        _ => serde_json::from_str(text).map(|p| {
            (
                Box::new(p),
                crate::model::document::Fingerprint::Unknown,
                false,
            )
        }),
    }
}

/// Whether the pool has one thread (`-j 1`, or one core). Then the stages that run alongside
/// it elsewhere (a reader, the pool, a compressor) take turns instead, so that a run uses one
/// core: the one place that says so.
pub fn one_thread() -> bool {
    rayon::current_num_threads() == 1
}

/// With `one_thread`, the channel by which a consumer tells its producer to go on after each
/// item it took, so that the two take turns; no channel otherwise.
pub fn turns(one_thread: bool) -> (Option<mpsc::Sender<()>>, Option<mpsc::Receiver<()>>) {
    match one_thread {
        true => {
            let (tx, rx) = mpsc::channel();
            (Some(tx), Some(rx))
        }
        false => (None, None),
    }
}

/// How many chunks the reader may read ahead of the parsers.
const QUEUE_CHUNKS: usize = 4;
/// How many batches may be parsed, or parsed and waiting for their turn, at once.
const IN_FLIGHT: usize = 6;
/// A batch of chunks handed to one task ends at this many bytes or chunks.
const BATCH_BYTES: usize = 512 << 10;
const BATCH_CHUNKS: usize = 128;

/// Whether a sink wants more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Enough: reading stops (`--limit` reached, `show` found its conversation).
    Stop,
}

/// How a reading ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// Files (and other sources) read.
    pub files: u64,
    /// `Stop` when the sink said enough before the end of input.
    pub flow: Flow,
}

/// Reads every source, in order. `work` runs on the rayon pool, once per chunk, and turns it
/// into a result; `sink` receives the results in input order, on this thread, while the next
/// chunks are being parsed. The sink says [`Flow::Stop`] when it wants no more; a `sink`
/// error (a closed pipe, a failed write) stops the reading too and is returned.
///
/// Three stages run at once: a reader thread (bytes → chunks), a dispatcher that hands each
/// chunk to the pool as soon as one of `IN_FLIGHT` slots is free, and this thread, which puts
/// the results back in order and sinks them. Memory is bounded by the queue and the slots.
///
/// With a pool of one thread (`-j 1`, or one core) the work is done in turn on this thread
/// instead: the reader reads the next chunk only when asked, once the last one is sunk, so
/// that the run uses one core (the pool's thread and a reader running alongside took 117 to
/// 154 % of a core).
pub fn for_each_chunk<R, W, S>(sources: &[Source], work: W, sink: S) -> anyhow::Result<Read>
where
    R: Send,
    W: Fn(&Chunk) -> R + Sync,
    S: FnMut(R) -> anyhow::Result<Flow>,
{
    for_each_chunk_on(sources, work, sink, one_thread())
}

/// [`for_each_chunk`], with the work done in turn on this thread (`one_thread`) or on the
/// pool.
fn for_each_chunk_on<R, W, S>(
    sources: &[Source],
    work: W,
    mut sink: S,
    one_thread: bool,
) -> anyhow::Result<Read>
where
    R: Send,
    W: Fn(&Chunk) -> R + Sync,
    S: FnMut(R) -> anyhow::Result<Flow>,
{
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Job>(QUEUE_CHUNKS);
    // One thread: the reader waits for a word from this thread after each job it hands on.
    let (go_tx, go_rx) = turns(one_thread);
    let (result_tx, result_rx) = mpsc::channel::<(u64, Vec<R>)>();
    let (slot_tx, slot_rx) = mpsc::sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = slot_tx.send(());
    }
    let bytes_read = Arc::new(AtomicU64::new(0));
    // Set when the sink is done, early or not: a reader waiting on a pipe gives up.
    let stop = Arc::new(AtomicBool::new(false));
    let files_done = AtomicU64::new(0);
    let mut progress = Progress::start(total_size(sources));
    let work = &work;
    std::thread::scope(|scope| {
        // Owned by this closure, so an early return drops them and stops the other stages.
        let (result_rx, slot_tx, go_tx) = (result_rx, slot_tx, go_tx);
        let (bytes, files, stop) = (&bytes_read, &files_done, &stop);
        scope.spawn(move || {
            let mut reader = Reader {
                chunk_tx,
                go: go_rx,
                small: Vec::new(),
                small_bytes: 0,
                sources,
                bytes,
                files,
                stop,
            };
            for source in sources {
                let going = match &source.kind {
                    SourceKind::Folder(dir) => reader.folder(dir, source),
                    _ => reader.source(source.clone()),
                };
                if !going {
                    return;
                }
            }
            reader.send_small();
        });
        if let Some(go_tx) = go_tx {
            // Owned here, so that an early return drops it and the reader stops.
            let chunk_rx = chunk_rx;
            let mut sunk = || -> anyhow::Result<Flow> {
                let mut results = Vec::new();
                for job in chunk_rx.iter() {
                    run_job(job, work, bytes, stop, files, &mut results);
                    for result in results.drain(..) {
                        if sink(result)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                    progress.update(
                        bytes_read.load(Ordering::Relaxed),
                        files_done.load(Ordering::Relaxed),
                    );
                    if go_tx.send(()).is_err() {
                        break; // the reader is done
                    }
                }
                Ok(Flow::Continue)
            };
            let result = sunk();
            stop.store(true, Ordering::Relaxed);
            return result;
        }
        scope.spawn(move || {
            rayon::in_place_scope(|pool| {
                let mut seq = 0u64;
                while let Ok(first) = chunk_rx.recv() {
                    if slot_rx.recv().is_err() {
                        break; // the sink stopped
                    }
                    // Small chunks (one-payload files) travel in batches: one task and one
                    // hand-off per batch, not per file.
                    let mut batch_bytes = first.bytes();
                    let mut batch = vec![first];
                    while batch_bytes < BATCH_BYTES && batch.len() < BATCH_CHUNKS {
                        match chunk_rx.try_recv() {
                            Ok(job) => {
                                batch_bytes += job.bytes();
                                batch.push(job);
                            }
                            Err(_) => break,
                        }
                    }
                    let result_tx = result_tx.clone();
                    let this = seq;
                    pool.spawn(move |_| {
                        let mut results = Vec::with_capacity(batch.len());
                        for job in batch {
                            run_job(job, work, bytes, stop, files, &mut results);
                        }
                        let _ = result_tx.send((this, results));
                    });
                    seq += 1;
                }
            });
        });
        let mut waiting: BTreeMap<u64, Vec<R>> = BTreeMap::new();
        let mut next = 0u64;
        let mut sunk = || -> anyhow::Result<Flow> {
            for (seq, results) in result_rx.iter() {
                waiting.insert(seq, results);
                while let Some(results) = waiting.remove(&next) {
                    for result in results {
                        if sink(result)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                    next += 1;
                    let _ = slot_tx.send(());
                }
                progress.update(
                    bytes_read.load(Ordering::Relaxed),
                    files_done.load(Ordering::Relaxed),
                );
            }
            Ok(Flow::Continue)
        };
        let result = sunk();
        stop.store(true, Ordering::Relaxed);
        result
    })
    .map(|flow| Read {
        files: files_done.load(Ordering::Relaxed),
        flow,
    })
}

/// Turns one job into its results: a chunk's, or each small file's, read here.
fn run_job<R>(
    job: Job,
    work: &(impl Fn(&Chunk) -> R + Sync),
    bytes: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
    files: &AtomicU64,
    results: &mut Vec<R>,
) {
    match job {
        Job::Chunk(chunk) => results.push(work(&chunk)),
        Job::Small(sources) => {
            for (source, _) in sources {
                read::read_small_file(&source, bytes, stop, &mut |chunk| {
                    results.push(work(&chunk));
                    true
                });
                files.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The reader thread's state: small files gathered for the next job, and what it reports to.
struct Reader<'s> {
    chunk_tx: mpsc::SyncSender<Job>,
    /// With one thread: the word to go on after each job handed on (see [`Reader::send`]).
    go: Option<mpsc::Receiver<()>>,
    /// Consecutive small files go out together: one job, one hand-off, many files.
    small: Vec<(Source, u64)>,
    small_bytes: u64,
    /// All the sources (a followed folder skips those read already).
    sources: &'s [Source],
    bytes: &'s Arc<AtomicU64>,
    files: &'s AtomicU64,
    stop: &'s Arc<AtomicBool>,
}

impl Reader<'_> {
    /// Reads one source: a small file joins the next job, anything else is read here in
    /// chunks. False when reading stops.
    fn source(&mut self, source: Source) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        let size = file_size(&source);
        if is_small(&source, size) {
            self.small_bytes += size.unwrap_or(0);
            self.small.push((source, size.unwrap_or(0)));
            if self.small.len() >= BATCH_CHUNKS || self.small_bytes >= BATCH_BYTES as u64 {
                return self.send_small();
            }
            return true;
        }
        if !self.send_small() {
            return false;
        }
        let (bytes, stop) = (self.bytes, self.stop);
        let mut open = true;
        let this = &*self;
        let mut read = |source: &Source, regular: bool| {
            read::read_source(source, regular, bytes, stop, &mut |chunk| {
                open = this.send(Job::Chunk(chunk));
                open
            });
            open
        };
        match &source.kind {
            SourceKind::Follow(followed) if followed.path.is_dir() => {
                // The files a followed folder gains were not looked at yet.
                let mut each = |found: &Source| read(found, file_size(found).is_some());
                follow::folder(followed, self.sources, stop, &mut each);
            }
            _ => {
                read(&source, size.is_some());
            }
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        open
    }

    /// Walks a folder source and reads its files as they are found; its entries' findings
    /// go out in their place.
    fn folder(&mut self, dir: &std::path::Path, source: &Source) -> bool {
        let meta = match std::fs::metadata(dir) {
            Ok(meta) => meta,
            Err(err) => {
                let finding = crate::model::finding::Finding::error(
                    crate::model::finding::Origin::file(&source.name),
                    crate::model::finding::describe_io(&err),
                );
                return self.finding(finding);
            }
        };
        discover::walk(
            dir,
            &source.name,
            &meta,
            &mut Vec::new(),
            &mut |walked| match walked {
                discover::Walked::Source(found) => self.source(found),
                discover::Walked::Finding(finding) => self.finding(finding),
            },
        )
    }

    /// A finding about an entry, in its place among the documents.
    fn finding(&mut self, finding: crate::model::finding::Finding) -> bool {
        let file = Arc::clone(&finding.origin.file);
        self.send_small() && self.send(Job::Chunk(Chunk::failed(&file, finding)))
    }

    /// Sends the small files gathered so far as one job; false when the receiver is gone.
    fn send_small(&mut self) -> bool {
        self.small_bytes = 0;
        if self.small.is_empty() {
            return true;
        }
        let small = std::mem::take(&mut self.small);
        self.send(Job::Small(small))
    }

    /// Hands `job` on and, with one thread, waits for the word to read on; false when the
    /// receiving end is gone.
    fn send(&self, job: Job) -> bool {
        self.chunk_tx.send(job).is_ok() && self.go.as_ref().is_none_or(|go| go.recv().is_ok())
    }
}

/// What the reader thread hands on: a chunk it read, or a small file for the pool to read.
enum Job {
    Chunk(Chunk),
    /// Small files (and their sizes), read whole by the pool thread that parses them.
    Small(Vec<(Source, u64)>),
}

impl Job {
    fn bytes(&self) -> usize {
        match self {
            Job::Chunk(chunk) => chunk.text.len(),
            Job::Small(sources) => sources.iter().map(|(_, size)| *size as usize).sum(),
        }
    }
}

/// Files read whole by a pool thread: regular, at most this big, and not gzip by name (a
/// small gzip file may hold a large text, which the reader thread streams in chunks).
const SMALL_FILE: u64 = 256 << 10;

fn is_small(source: &Source, size: Option<u64>) -> bool {
    size.is_some_and(|size| size <= SMALL_FILE) && !source.name.ends_with(".gz")
}

/// The size of a regular file; `None` for stdin, FIFOs and devices. Discovery and folder walks
/// give it (see `discover::walk`); a file whose size they could not read is looked at here.
fn file_size(source: &Source) -> Option<u64> {
    match (&source.kind, source.size) {
        (SourceKind::File(path), None) => std::fs::metadata(path)
            .ok()
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len()),
        (_, size) => size,
    }
}

/// The sum of the input files' sizes, when every source is a regular file.
fn total_size(sources: &[Source]) -> Option<u64> {
    sources
        .iter()
        .try_fold(0u64, |sum, source| Some(sum + source.size?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::Item;

    /// Files found in a folder walk are looked at only when their turn to be read comes: one
    /// removed meanwhile is reported by name, and the others are read, in order.
    #[test]
    fn a_walked_file_removed_before_its_turn_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let doc = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[]}"#;
        for name in ["a.json", "b.json", "c.json"] {
            std::fs::write(dir.path().join(name), doc).unwrap();
        }
        let found = discover(&[dir.path().display().to_string()]).unwrap();
        assert_eq!(found.sources.len(), 3);
        std::fs::remove_file(dir.path().join("b.json")).unwrap();
        let mut seen = Vec::new();
        for_each_chunk(
            &found.sources,
            |chunk| {
                let mut items = Vec::new();
                documents(chunk, &mut |item| {
                    items.push(match item {
                        Item::Payload(doc) => format!("payload {}", doc.origin),
                        Item::Event(doc) => format!("event {}", doc.origin),
                        Item::Bad(finding) => {
                            format!("bad {}: {}", finding.origin, finding.message)
                        }
                    })
                });
                items
            },
            |items| {
                seen.extend(items);
                Ok(Flow::Continue)
            },
        )
        .unwrap();
        let root = dir.path().display().to_string();
        let seen: Vec<String> = seen.iter().map(|s| s.replace(&root, "D")).collect();
        assert_eq!(
            seen,
            [
                "payload D/a.json:1",
                "bad D/b.json: no such file or directory",
                "payload D/c.json:1",
            ]
        );
    }

    /// With one thread, every chunk is worked on and sunk on the calling thread, in turn with
    /// the reading (the reader waits for the word after each chunk): the same results, in the
    /// same order, as on the pool, for big files in chunks, small files in batches and a folder.
    #[test]
    fn one_thread_works_and_sinks_on_the_calling_thread() {
        let dir = tempfile::tempdir().unwrap();
        let doc = |id: usize| {
            format!(r#"{{"beginAt":1,"endAt":2,"channel":{{"id":{id}}},"messages":[]}}"#) + "\n"
        };
        let big: String = (0..40_000).map(doc).collect();
        std::fs::write(dir.path().join("big.ndjson"), &big).unwrap();
        std::fs::create_dir(dir.path().join("small")).unwrap();
        for n in 0..300 {
            std::fs::write(dir.path().join(format!("small/{n:03}.json")), doc(n)).unwrap();
        }
        let found = discover(&[dir.path().display().to_string()]).unwrap();
        let caller = std::thread::current().id();
        let run = |one_thread: bool| {
            let mut seen = Vec::new();
            let mut threads = std::collections::HashSet::new();
            let read = for_each_chunk_on(
                &found.sources,
                |chunk| {
                    let mut ids = Vec::new();
                    documents(chunk, &mut |item| {
                        if let Item::Payload(doc) = item {
                            ids.push(doc.payload.channel.id);
                        }
                    });
                    (std::thread::current().id(), ids)
                },
                |(worker, ids)| {
                    threads.insert(worker);
                    threads.insert(std::thread::current().id());
                    seen.extend(ids);
                    Ok(Flow::Continue)
                },
                one_thread,
            )
            .unwrap();
            (read.files, seen, threads)
        };
        let (files, seen, threads) = run(true);
        assert_eq!(threads, std::collections::HashSet::from([caller]));
        let (pool_files, pool_seen, pool_threads) = run(false);
        assert!(!pool_threads.contains(&caller) || pool_threads.len() > 1);
        assert_eq!((files, seen.len()), (pool_files, 40_300));
        assert_eq!(seen, pool_seen);
    }
}
