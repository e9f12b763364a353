//! The one reading path every command shares: discover sources, read them in chunks on a
//! reader thread, parse chunks on all cores, and hand the results back in input order.
//!
//! Memory is bounded: the reader runs at most [`QUEUE_CHUNKS`] chunks ahead, and a wave of
//! chunks is parsed together, so a corpus of any size is read in a window of a few megabytes.

pub mod discover;
pub mod read;
pub mod split;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use rayon::prelude::*;

use crate::progress::Progress;

pub use discover::{discover, is_payload_file_name, Discovery, NoInput, Source};
pub use read::Chunk;
pub use split::{documents, Document, Item};

/// How many chunks the reader may read ahead of the parsers.
const QUEUE_CHUNKS: usize = 8;
/// A wave is parsed in parallel; it ends at this many bytes or chunks.
const WAVE_BYTES: usize = 8 << 20;
const WAVE_CHUNKS: usize = 256;

/// Reads every source of `discovery`, in order. `work` runs on any thread, once per chunk, and
/// turns it into a result; `sink` receives the results in input order, on this thread. A
/// `sink` error stops the reading (a closed pipe, a failed write) and is returned.
pub fn for_each_chunk<R, W, S>(sources: &[Source], work: W, mut sink: S) -> anyhow::Result<()>
where
    R: Send,
    W: Fn(&Chunk) -> R + Sync,
    S: FnMut(R) -> anyhow::Result<()>,
{
    let (sender, receiver) = mpsc::sync_channel::<Chunk>(QUEUE_CHUNKS);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let files_done = AtomicU64::new(0);
    let mut progress = Progress::start(total_size(sources));
    std::thread::scope(|scope| {
        // Owned by this closure, so an early return drops it and unblocks the reader.
        let receiver = receiver;
        let (bytes, files) = (&bytes_read, &files_done);
        scope.spawn(move || {
            for source in sources {
                let mut open = true;
                read::read_source(source, bytes, &mut |chunk| {
                    open = sender.send(chunk).is_ok();
                    open
                });
                files.fetch_add(1, Ordering::Relaxed);
                if !open {
                    return;
                }
            }
        });
        let mut wave: Vec<Chunk> = Vec::new();
        while let Ok(first) = receiver.recv() {
            let mut bytes = first.text.len();
            wave.push(first);
            while bytes < WAVE_BYTES && wave.len() < WAVE_CHUNKS {
                match receiver.try_recv() {
                    Ok(chunk) => {
                        bytes += chunk.text.len();
                        wave.push(chunk);
                    }
                    Err(_) => break,
                }
            }
            let results: Vec<R> = if wave.len() == 1 {
                vec![work(&wave[0])]
            } else {
                wave.par_iter().map(&work).collect()
            };
            wave.clear();
            progress.update(
                bytes_read.load(Ordering::Relaxed),
                files_done.load(Ordering::Relaxed),
            );
            for result in results {
                // Dropping the receiver on error stops the reader thread at its next send.
                sink(result)?;
            }
        }
        Ok(())
    })
}

/// The sum of the input files' sizes, when every source is a regular file.
fn total_size(sources: &[Source]) -> Option<u64> {
    sources
        .iter()
        .try_fold(0u64, |sum, source| match &source.kind {
            discover::SourceKind::File(path) => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| sum + m.len()),
            discover::SourceKind::Stdin => None,
        })
}
