//! The one streaming loop every reading command runs: read the sources on all cores, hand
//! each document to the selection, and sink the selected values in input order (or `--sort`
//! order). What a row is — a conversation (POST-hook payloads and conversations assembled
//! from webhook events) or a webhook event as stored — is the [`Rows`] the loop is given.

use anyhow::Result;
use rayon::prelude::*;

use super::keep::{Kept, Sighting};
use super::{Flow, Selection, Summary};
use crate::diagnostics::Diagnostics;
use crate::input::{self, Chunk, Source};
use crate::model::document::{Document, EventDoc, Item};
use crate::model::finding::{Finding, Origin};
use crate::model::webhook::{Assembled, Assembler, Facts, Pending};

/// Reads `sources`, keeps the first copy of every conversation, and calls `work` (on any
/// thread) for each selected conversation and `sink` (here, in input order — or in `--sort`
/// order) with its result. Bad inputs go to `diagnostics` and do not stop the run.
pub fn stream<R, W, S>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    work: W,
    sink: S,
) -> Result<Summary>
where
    R: Send,
    W: Fn(&Document) -> R + Sync,
    S: FnMut(R) -> Result<Flow>,
{
    run(sources, selection, diagnostics, Conversations(work), sink)
}

/// Reads `sources` for `--rows events`: every webhook event as stored, in input order, within
/// the time range (`--since`/`--until` on the event's own time) and `--id` (its conversation);
/// a re-delivered identical event is a copy like a re-sent payload, kept by `--keep`.
/// POST-hook payloads are read (and checked) but give no rows.
pub fn stream_events<R, W, S>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    work: W,
    sink: S,
) -> Result<Summary>
where
    R: Send,
    W: Fn(&EventDoc) -> R + Sync,
    S: FnMut(R) -> Result<Flow>,
{
    run(sources, selection, diagnostics, Events(work), sink)
}

/// What one document gave, on the worker that parsed it.
enum Entry<R> {
    /// A copy of a row: a POST-hook payload, or with `--rows events` an event.
    Row(Sighting<R>),
    Bad(Finding),
    /// A webhook event's facts, made ready for the assembler.
    Event(Pending, Origin),
    /// The buffer the chunk's events were encoded in (see [`Pending::new`]); first, when the
    /// chunk has events.
    Facts(Vec<u8>),
    /// Payloads that give no row (skipped unparsed because they cannot match, or read as
    /// documents when the rows are events).
    Skipped(u64),
}

/// What a row is: the part of the loop that differs between conversations and events.
trait Rows<R>: Sync {
    /// The rows are events (counted as events, and their copies as re-deliveries).
    const EVENTS: bool;

    /// The entries of one chunk (on a worker thread).
    fn entries(&self, chunk: &Chunk, selection: &Selection, entries: &mut Vec<Entry<R>>);

    /// A row made at the end of input from a conversation assembled from its events; `None`
    /// when such conversations give no row.
    fn assembled(&self, doc: &Document, selection: &Selection) -> Option<Sighting<R>>;
}

struct Conversations<W>(W);

impl<R, W: Fn(&Document) -> R + Sync> Rows<R> for Conversations<W> {
    const EVENTS: bool = false;

    fn entries(&self, chunk: &Chunk, selection: &Selection, entries: &mut Vec<Entry<R>>) {
        if let Some(skipped) = selection.filter.skippable(chunk) {
            entries.push(Entry::Skipped(skipped));
            return;
        }
        let mut facts_made = Vec::new();
        input::documents(chunk, &mut |item| {
            entries.push(match item {
                Item::Payload(doc) => Entry::Row(Sighting {
                    id: doc.payload.channel.id,
                    fingerprint: doc.fingerprint() as u32,
                    sort_key: selection.sort_key(&doc.payload),
                    value: selection
                        .filter
                        .matches(&doc.payload)
                        .then(|| selection.work(&doc, &self.0)),
                    origin: doc.origin,
                }),
                Item::Event(doc) => {
                    if facts_made.capacity() == 0 {
                        // The facts take about half the text they come from.
                        facts_made.reserve(chunk.text.len() / 2);
                    }
                    let facts = Facts::new(&doc.event, doc.fingerprint());
                    Entry::Event(Pending::new(facts, &mut facts_made), doc.origin)
                }
                Item::Bad(finding) => Entry::Bad(finding),
            })
        });
        if !facts_made.is_empty() {
            entries.insert(0, Entry::Facts(facts_made));
        }
    }

    fn assembled(&self, doc: &Document, selection: &Selection) -> Option<Sighting<R>> {
        Some(Sighting {
            id: None,
            fingerprint: 0,
            sort_key: selection.sort_key(&doc.payload),
            value: selection
                .filter
                .matches(&doc.payload)
                .then(|| selection.work(doc, &self.0)),
            origin: doc.origin.clone(),
        })
    }
}

struct Events<W>(W);

impl<R, W: Fn(&EventDoc) -> R + Sync> Rows<R> for Events<W> {
    const EVENTS: bool = true;

    fn entries(&self, chunk: &Chunk, selection: &Selection, entries: &mut Vec<Entry<R>>) {
        input::documents(chunk, &mut |item| {
            entries.push(match item {
                Item::Event(doc) => Entry::Row(Sighting {
                    id: Some(doc.fingerprint() as i64),
                    fingerprint: 0,
                    sort_key: None,
                    value: selection.filter.matches_event(&doc.event).then(|| {
                        match &selection.redactor {
                            Some(redactor) => redactor.event(&doc, &self.0),
                            None => (self.0)(&doc),
                        }
                    }),
                    origin: doc.origin,
                }),
                Item::Payload(_) => Entry::Skipped(1),
                Item::Bad(finding) => Entry::Bad(finding),
            })
        });
    }

    fn assembled(&self, _: &Document, _: &Selection) -> Option<Sighting<R>> {
        None
    }
}

/// Assembled conversations made at once on the pool at the end of input: enough to keep
/// every thread busy, few enough to hold.
const ASSEMBLED_BATCH: usize = 1024;

thread_local! {
    /// How many entries the thread's last chunk gave: room made for the next chunk's at once
    /// (chunks are alike in size), not grown from empty by doubling with a copy each time.
    static ENTRIES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn run<R, K, S>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    rows: K,
    mut sink: S,
) -> Result<Summary>
where
    R: Send,
    K: Rows<R>,
    S: FnMut(R) -> Result<Flow>,
{
    let mut summary = Summary {
        keep: selection.keep,
        verbose: selection.verbose,
        event_rows: K::EVENTS,
        ..Summary::default()
    };
    let mut kept = Kept::new(selection);
    // A followed source never ends: its webhook conversations are written as they settle.
    let settle = sources.iter().find_map(|s| match &s.kind {
        input::SourceKind::Follow(follow) => Some(follow.settle_ms),
        _ => None,
    });
    let mut assembler = if let Some(settle) = settle.filter(|_| !K::EVENTS) {
        Assembler::live(settle)
    } else {
        Assembler::with_memory(selection.memory)
    };
    // An assembled conversation as a row (on any thread).
    let made = |assembled: Assembled| -> Result<Option<Sighting<R>>, Finding> {
        let json = assembled.json;
        let (payload, print, covered) = crate::input::payload_of(&json).map_err(|err| {
            let text = format!("cannot assemble the conversation from its events: {err}");
            Finding::error(assembled.origin.clone(), text)
        })?;
        let doc = Document {
            origin: assembled.origin,
            index: None,
            text: crate::model::document::Text::read(&json),
            print,
            payload,
            covered,
        };
        Ok(rows.assembled(&doc, selection))
    };
    let read = input::for_each_chunk(
        sources,
        |chunk| {
            // At most 4096 (about 700 KiB): a chunk of tiny documents does not make every later
            // chunk (a live source's: one payload) reserve as much.
            let mut entries = Vec::with_capacity(ENTRIES.get().min(4096));
            rows.entries(chunk, selection, &mut entries);
            ENTRIES.set(entries.len());
            entries
        },
        |entries| {
            let mut facts_made = Vec::new();
            for entry in entries {
                let copy = match entry {
                    Entry::Bad(finding) => {
                        diagnostics.report(&finding);
                        continue;
                    }
                    Entry::Skipped(documents) => {
                        summary.payloads += documents;
                        continue;
                    }
                    Entry::Facts(made) => {
                        facts_made = made;
                        continue;
                    }
                    Entry::Event(facts, origin) => {
                        assembler.add_pending(facts, &facts_made, &origin)?;
                        continue;
                    }
                    Entry::Row(copy) => copy,
                };
                if K::EVENTS {
                    summary.events.events += 1;
                } else {
                    summary.payloads += 1;
                }
                if kept.offer(copy, &mut summary, diagnostics, &mut sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            // A live assembly's conversations that settled with this chunk.
            if written_live(
                &mut assembler,
                false,
                &made,
                &mut kept,
                &mut summary,
                diagnostics,
                &mut sink,
            )? == Flow::Stop
            {
                return Ok(Flow::Stop);
            }
            Ok(Flow::Continue)
        },
    )?;
    if read.flow != Flow::Stop
        && written_live(
            &mut assembler,
            true,
            &made,
            &mut kept,
            &mut summary,
            diagnostics,
            &mut sink,
        )? == Flow::Stop
    {
        return Ok(summary);
    }
    if read.flow == Flow::Stop {
        return Ok(summary);
    }
    if !assembler.is_empty() {
        // Conversations assembled from webhook events are complete only at the end of input.
        let finished = assembler.finish()?;
        summary.events = finished.counts.clone();
        let (mut merge, writer) = (finished.merge, &finished.writer);
        // In batches, in order: each conversation's JSON, its parse and the command's work on
        // the pool (they cost more than the assembly), while the next batch is merged; then
        // offered in order here.
        let make = |conversation| writer.assembled(conversation).map(&made);
        let mut batch = merge.next_batch(ASSEMBLED_BATCH)?;
        while !batch.is_empty() {
            let (made, next): (Vec<_>, _) = rayon::join(
                || batch.into_par_iter().map(&make).collect(),
                || merge.next_batch(ASSEMBLED_BATCH),
            );
            batch = next?;
            for made in made {
                summary.conversations_assembled += 1;
                let copy = match made? {
                    Ok(Some(copy)) => copy,
                    Ok(None) => continue,
                    Err(finding) => {
                        diagnostics.report(&finding);
                        continue;
                    }
                };
                if kept.offer(copy, &mut summary, diagnostics, &mut sink)? == Flow::Stop {
                    return Ok(summary);
                }
            }
        }
    }
    kept.finish(&mut summary, &mut sink)?;
    Ok(summary)
}

/// A length of time in milliseconds as words: `15 minutes`, `1 hour 30 minutes`.
fn length(ms: i64) -> String {
    use jiff::fmt::friendly::{Designator, Spacing, SpanPrinter};
    SpanPrinter::new()
        .designator(Designator::Verbose)
        .spacing(Spacing::BetweenUnitsAndDesignators)
        .duration_to_string(&jiff::SignedDuration::from_millis(ms))
}

/// Offers the conversations of a live assembly that settled (`all`: every one left, at the end
/// of input), and warns of the events that came for conversations already written.
#[allow(clippy::too_many_arguments)]
fn written_live<R, S>(
    assembler: &mut Assembler,
    all: bool,
    made: &(dyn Fn(Assembled) -> Result<Option<Sighting<R>>, Finding> + Sync),
    kept: &mut Kept<R>,
    summary: &mut Summary,
    diagnostics: &mut Diagnostics,
    sink: &mut S,
) -> Result<Flow>
where
    S: FnMut(R) -> Result<Flow>,
{
    for (origin, id) in assembler.late() {
        diagnostics.warn(&Finding::warning(
            origin,
            None,
            format!(
                "an event of conversation {id}, already written (closed, and the stream {} \
                 past its last event), is left out",
                length(assembler.settle_ms())
            ),
        ));
    }
    for assembled in assembler.settled(all) {
        summary.conversations_assembled += 1;
        let copy = match made(assembled) {
            Ok(Some(copy)) => copy,
            Ok(None) => continue,
            Err(finding) => {
                diagnostics.report(&finding);
                continue;
            }
        };
        if kept.offer(copy, summary, diagnostics, sink)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}
