//! The [`Assembler`]: webhook events in, conversations out (by the rules of [`super::assemble`]),
//! in a bounded amount of memory however many conversations a stream holds.
//!
//! A conversation is complete only at the end of input (its events come in any order), so
//! folding each conversation as its events arrive holds every conversation until the end:
//! about 5 KB each, 900 MiB for 200 000. Instead the assembler works like the grace hash
//! aggregation of DuckDB or Spark:
//!
//! 1. **Partition.** Each event's [`Facts`] are encoded (on the thread that parsed it, see
//!    [`Pending`]) and appended, with the event's arrival number and place, to the buffer of
//!    one of [`PARTITIONS`] partitions chosen by a hash of the conversation id: all the events
//!    of a conversation land in one partition, in arrival order.
//! 2. **Spill.** When the buffers together pass their share of the budget (`--memory`), each
//!    is appended to its partition's temporary file and emptied. The files are unnamed
//!    (`tempfile::tempfile_in`: unlinked on creation, in TMPDIR), so nothing is left behind
//!    however the process ends, Ctrl-C included.
//! 3. **Assemble.** At the end of input each partition (on the thread pool, two at a time on
//!    two cores) reads back its file and then its buffer, in arrival order, and folds them
//!    into assemblies exactly as one fold of the whole stream would: the conversations of
//!    one partition depend on nothing outside it except the contacts (below). When anything
//!    was spilled, the assemblies are written back, encoded, in place of the partition's
//!    events, so that only one partition's assemblies per thread are in memory at once.
//! 4. **Merge.** Each partition's assemblies are in the order of their first event; a k-way
//!    merge by the first event's arrival number gives the conversations in the order the
//!    whole stream first named them, as before.
//!
//! What is global and kept exact on the reading thread: the contacts (contact facts by
//! contact id, `>=` version wins, in arrival order, from first copies only: a set of the
//! fingerprints of the few events that carry contact facts), the events of no conversation
//! (counted with their own set of fingerprints), and the arrival numbers. A re-delivered
//! event has the same text, so the same conversation id and partition: re-deliveries are
//! dropped within the partition, with a set of that partition's fingerprints. (Only a 64-bit
//! fingerprint collision between events of two different conversations would be judged
//! differently than by one set for the whole stream — and was a wrong drop there.)
//!
//! While nothing was spilled, nothing touches the disk, and the result is the same whatever
//! the budget: the tests compare a 1 KiB budget (every event spilled) with the default.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::assemble::{payload_json, Assembly, ContactFacts, EventCounts, Facts, Keys, Place};
use super::codec::{Codec, Corrupt};
use crate::model::finding::Origin;

/// Partitions of the conversations. 64: each holds 1/64 of the stream's assemblies at the
/// end (14 MiB of 900), and the open temporary files stay far below any limit.
pub const PARTITIONS: usize = 64;

/// The default of `--memory`.
pub const DEFAULT_MEMORY: u64 = 256 << 20;

/// The share of the budget the buffered facts may take before they are spilled; the rest
/// is for the reading pipeline (chunks in flight), the assemblies of the partitions being
/// folded at the end, and the allocator's slack.
const BUFFER_SHARE: u64 = 4;

/// An event made ready for the assembler on the thread that parsed it: the encoding is the
/// costly part, and is done there, not on the one thread that feeds the assembler.
pub enum Pending {
    /// An event of no conversation: it is only counted (and its contact facts kept).
    Loose(Box<Facts<'static>>),
    /// An event of a conversation, encoded for its partition: its bytes in the buffer it was
    /// made in.
    Conversation {
        partition: usize,
        fingerprint: u64,
        contact: Option<ContactFacts>,
        facts: std::ops::Range<usize>,
    },
}

impl Pending {
    /// `facts`, encoded at the end of `buffer`. One buffer serves many events (a chunk's):
    /// a buffer per event, made on a parsing thread and freed on the thread that feeds the
    /// assembler, took the parsing thread's allocator lock at every event, and the two
    /// threads waited on each other (a million futex calls for 1.6 million events).
    pub fn new(facts: Facts<'_>, buffer: &mut Vec<u8>) -> Pending {
        let Some(id) = &facts.conversation_id else {
            return Pending::Loose(Box::new(facts.into_static()));
        };
        let partition = partition_of(id);
        let start = buffer.len();
        facts.put(buffer);
        Pending::Conversation {
            partition,
            fingerprint: facts.fingerprint,
            contact: facts.contact,
            facts: start..buffer.len(),
        }
    }
}

/// The partition of a conversation id: the top bits of a mixed hash.
fn partition_of(id: &str) -> usize {
    use std::hash::BuildHasher;
    let hash = FxBuildHasher
        .hash_one(id)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (hash >> 58) as usize % PARTITIONS
}

/// One partition's events: buffered, and those spilled before.
#[derive(Default)]
struct Partition {
    /// Records: `u32` length, then arrival number, place, fingerprint and encoded facts.
    buffer: Vec<u8>,
    spill: Option<File>,
}

/// Folds events into conversations (see the module's documentation).
pub struct Assembler {
    partitions: Vec<Partition>,
    /// Bytes in all the partitions' buffers, and how many they may hold.
    held: usize,
    limit: usize,
    /// Whether any partition was spilled: every partition's assemblies then go to disk too.
    spilled: bool,
    /// Events added: the last one's arrival number.
    added: u64,
    /// Files events were read from, by number; the last one found, for the next event.
    files: Vec<Arc<str>>,
    file_numbers: HashMap<Arc<str>, u32>,
    contacts: HashMap<String, ContactFacts>,
    /// Fingerprints of the events that carried contact facts, and of those of no conversation.
    contact_seen: HashSet<u64, FxBuildHasher>,
    loose_seen: HashSet<u64, FxBuildHasher>,
    /// The counts of the events of no conversation (the partitions count the others).
    loose_counts: EventCounts,
    temp_dir: PathBuf,
    /// Assembling a stream that never ends (`--follow`): see [`Assembler::live`].
    live: Option<Box<Live>>,
}

/// The state of a live assembly: the conversations not written yet, folded as their events
/// come, and the ids of those written.
#[derive(Default)]
struct Live {
    open: HashMap<String, Assembly, FxBuildHasher>,
    keys: Keys,
    firsts: Firsts,
    written: HashSet<String, FxBuildHasher>,
    /// The latest event time seen: the stream's clock.
    watermark: i64,
    /// How long a closed conversation is held after its last event.
    settle: i64,
    /// Events of conversations already written, since last asked ([`Assembler::late`]).
    late: Vec<(Origin, String)>,
}

impl Default for Assembler {
    fn default() -> Assembler {
        Assembler::new()
    }
}

/// One assembled conversation: where its first event was, and its POST-hook-shaped JSON.
#[derive(Debug)]
pub struct Assembled {
    pub origin: Origin,
    pub json: String,
}

impl Assembler {
    /// An assembler with the default budget.
    pub fn new() -> Assembler {
        Assembler::with_memory(DEFAULT_MEMORY)
    }

    /// An assembler that spills to TMPDIR beyond about `memory` bytes.
    pub fn with_memory(memory: u64) -> Assembler {
        Assembler {
            partitions: (0..PARTITIONS).map(|_| Partition::default()).collect(),
            held: 0,
            limit: usize::try_from(memory / BUFFER_SHARE).unwrap_or(usize::MAX),
            spilled: false,
            added: 0,
            files: Vec::new(),
            file_numbers: HashMap::new(),
            contacts: HashMap::new(),
            contact_seen: HashSet::default(),
            loose_seen: HashSet::default(),
            loose_counts: EventCounts::default(),
            temp_dir: std::env::temp_dir(),
            live: None,
        }
    }

    /// An assembler for a stream that never ends (`--follow`), where the end of input, at
    /// which conversations are complete, never comes: each event is folded as it comes, and
    /// [`Assembler::settled`] hands out each conversation once it is closed and the stream's
    /// clock (the latest event time seen) is `settle` milliseconds (`--settle`) past its last
    /// event: a rating or a late message can follow a close. An event of a conversation
    /// already written is left out ([`Assembler::late`]). Memory holds the conversations not
    /// written yet, and the ids of those written.
    pub fn live(settle: i64) -> Assembler {
        Assembler {
            live: Some(Box::new(Live {
                settle: settle.max(0),
                ..Live::default()
            })),
            ..Assembler::new()
        }
    }

    /// How long a live assembly holds a closed conversation after its last event, in
    /// milliseconds of event time; 0 for an assembly that is not live.
    pub fn settle_ms(&self) -> i64 {
        self.live.as_deref().map_or(0, |live| live.settle)
    }

    /// The conversations of a live assembly that are settled (`all`: every one, at the end
    /// of input), in the order of their first event, removed from it; none for an assembly
    /// that is not live.
    pub fn settled(&mut self, all: bool) -> Vec<Assembled> {
        let Some(live) = self.live.as_deref_mut() else {
            return Vec::new();
        };
        let cutoff = live.watermark.saturating_sub(live.settle);
        let mut done: Vec<(u64, String)> = live
            .open
            .iter()
            .filter(|(_, a)| all || (a.is_closed() && a.last_event() <= cutoff))
            .map(|(id, a)| (a.first_seq, id.clone()))
            .collect();
        done.sort_unstable();
        done.into_iter()
            .filter_map(|(_, id)| {
                let assembly = live.open.remove(&id)?;
                live.written.insert(id);
                let place = assembly.origin;
                let origin = Origin {
                    file: Arc::clone(&self.files[place.file as usize]),
                    line: place.line,
                    column: place.column,
                };
                let json = payload_json(assembly, &self.contacts, &live.keys.names);
                Some(Assembled { origin, json })
            })
            .collect()
    }

    /// The events of a live assembly that came for conversations already written (where they
    /// were read, and the conversation id), since last asked.
    pub fn late(&mut self) -> Vec<(Origin, String)> {
        self.live
            .as_deref_mut()
            .map(|live| std::mem::take(&mut live.late))
            .unwrap_or_default()
    }

    /// Folds an encoded event into a live assembly at once.
    fn add_live(
        &mut self,
        fingerprint: u64,
        mut facts: &[u8],
        origin: &Origin,
    ) -> Result<(), Corrupt> {
        let place = self.place(origin);
        let seq = self.added;
        let Some(live) = self.live.as_deref_mut() else {
            return Err(Corrupt);
        };
        if !live.firsts.first(fingerprint, &mut facts)? {
            return Ok(());
        }
        let id = live.firsts.id();
        if live.written.contains(id) {
            live.late.push((origin.clone(), id.to_owned()));
            return Ok(());
        }
        live.watermark = live.watermark.max(live.firsts.facts.timestamp);
        let assembly = match live.open.get_mut(id) {
            Some(a) => a,
            None => live
                .open
                .entry(id.to_owned())
                .or_insert_with(|| Assembly::new(id.to_owned(), place, seq)),
        };
        assembly.add(&mut live.firsts.facts, &mut live.keys);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.added == 0
    }

    /// Adds an event's facts, read at `origin`. An error is a temporary file that cannot be
    /// written.
    pub fn add(&mut self, facts: Facts<'_>, origin: &Origin) -> io::Result<()> {
        let mut buffer = Vec::new();
        let pending = Pending::new(facts, &mut buffer);
        self.add_pending(pending, &buffer, origin)
    }

    /// Adds an event made ready by [`Pending::new`] in `made_in`.
    pub fn add_pending(
        &mut self,
        pending: Pending,
        made_in: &[u8],
        origin: &Origin,
    ) -> io::Result<()> {
        self.added += 1;
        let (fingerprint, contact) = match pending {
            Pending::Loose(facts) => {
                let facts = *facts;
                if self.loose_seen.insert(facts.fingerprint) {
                    count(&mut self.loose_counts, &facts.name);
                } else {
                    self.loose_counts.redelivered += 1;
                }
                (facts.fingerprint, facts.contact)
            }
            Pending::Conversation {
                partition: _,
                fingerprint,
                contact,
                facts,
            } if self.live.is_some() => {
                let facts = made_in.get(facts).ok_or(Corrupt)?;
                self.add_live(fingerprint, facts, origin)?;
                (fingerprint, contact)
            }
            Pending::Conversation {
                partition,
                fingerprint,
                contact,
                facts,
            } => {
                let place = self.place(origin);
                let buffer = &mut self.partitions[partition].buffer;
                let start = buffer.len();
                buffer.extend_from_slice(&[0; 4]);
                self.added.put(buffer);
                place.put(buffer);
                fingerprint.put(buffer);
                let facts = made_in.get(facts).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, "an event's facts are missing")
                })?;
                buffer.extend_from_slice(facts);
                let length = u32::try_from(buffer.len() - start - 4).map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "an event too large")
                })?;
                buffer[start..start + 4].copy_from_slice(&length.to_le_bytes());
                self.held += buffer.len() - start;
                if self.held > self.limit {
                    self.spill()?;
                }
                (fingerprint, contact)
            }
        };
        // Contacts as one fold of the whole stream takes them: from first copies, in arrival
        // order, a later or equal version winning.
        if let Some(contact) = contact {
            if self.contact_seen.insert(fingerprint) {
                let newer = self
                    .contacts
                    .get(&contact.id)
                    .is_none_or(|held| contact.version >= held.version);
                if newer {
                    self.contacts.insert(contact.id.clone(), contact);
                }
            }
        }
        Ok(())
    }

    /// `origin`, its file by number.
    fn place(&mut self, origin: &Origin) -> Place {
        let file = match self.files.last() {
            Some(last) if Arc::ptr_eq(last, &origin.file) => self.files.len() as u32 - 1,
            _ => match self.file_numbers.get(&origin.file) {
                Some(&n) => n,
                None => {
                    let n = self.files.len() as u32;
                    self.files.push(Arc::clone(&origin.file));
                    self.file_numbers.insert(Arc::clone(&origin.file), n);
                    n
                }
            },
        };
        Place {
            file,
            line: origin.line,
            column: origin.column,
        }
    }

    /// Appends every buffer to its partition's temporary file.
    fn spill(&mut self) -> io::Result<()> {
        let fair = self.limit / PARTITIONS;
        for partition in &mut self.partitions {
            if partition.buffer.is_empty() {
                continue;
            }
            let file = match &mut partition.spill {
                Some(file) => file,
                None => partition.spill.insert(temp_file(&self.temp_dir)?),
            };
            file.write_all(&partition.buffer)
                .map_err(|err| temp_error(&self.temp_dir, err))?;
            partition.buffer.clear();
            // An uneven spell leaves no partition holding much more than its share.
            if partition.buffer.capacity() > 2 * fair.max(4096) {
                partition.buffer.shrink_to(fair);
            }
        }
        self.held = 0;
        self.spilled = true;
        Ok(())
    }

    /// Assembles every conversation (see the module's documentation); drain the result for
    /// them in the order of their first event.
    pub fn finish(self) -> io::Result<Finished> {
        let Assembler {
            partitions,
            spilled,
            files,
            contacts,
            loose_counts,
            temp_dir,
            live,
            ..
        } = self;
        let done: Vec<io::Result<Done>> = partitions
            .into_par_iter()
            .map(|p| p.assemble(spilled, &temp_dir))
            .collect();
        let mut counts = loose_counts;
        // A live assembly (`--follow`) counted its events as it folded them.
        if let Some(live) = live {
            add_counts(&mut counts, live.firsts.counts);
        }
        let mut heads = Vec::with_capacity(PARTITIONS);
        let mut keys = Vec::with_capacity(PARTITIONS);
        let mut queue = BinaryHeap::with_capacity(PARTITIONS);
        for (n, done) in done.into_iter().enumerate() {
            let mut done = done?;
            add_counts(&mut counts, std::mem::take(&mut done.counts));
            keys.push(done.keys);
            let head = done.output.next_assembly()?;
            if let Some(a) = &head {
                queue.push(std::cmp::Reverse((a.first_seq(), n)));
            }
            heads.push((head, done.output));
        }
        Ok(Finished {
            counts,
            merge: Merge { heads, queue },
            writer: Writer {
                contacts,
                files,
                keys,
            },
        })
    }
}

/// Adds the counts `more` to `counts`.
fn add_counts(counts: &mut EventCounts, more: EventCounts) {
    counts.events += more.events;
    counts.redelivered += more.redelivered;
    for (name, n) in more.unknown {
        *counts.unknown.entry(name).or_insert(0) += n;
    }
}

/// Counts a first copy of an event named `name`.
fn count(counts: &mut EventCounts, name: &str) {
    counts.events += 1;
    if !super::event::is_known(name) {
        *counts.unknown.entry(name.to_owned()).or_insert(0) += 1;
    }
}

/// An unnamed temporary file in `dir`: gone when closed, however the process ends.
fn temp_file(dir: &std::path::Path) -> io::Result<File> {
    tempfile::tempfile_in(dir).map_err(|err| temp_error(dir, err))
}

/// A temporary file that cannot be made or written, named for the user.
fn temp_error(dir: &std::path::Path, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!(
            "cannot write the temporary files that assemble webhook events beyond --memory \
             in {} (TMPDIR): {err}",
            dir.display()
        ),
    )
}

/// One partition, assembled.
struct Done {
    counts: EventCounts,
    keys: Vec<Box<str>>,
    output: Output,
}

/// A partition's assemblies in the order of their first event: in memory, or encoded in its
/// temporary file.
enum Output {
    Memory(std::vec::IntoIter<Assembly>),
    File(BufReader<File>),
}

impl Output {
    fn next_assembly(&mut self) -> io::Result<Option<Held>> {
        match self {
            Output::Memory(assemblies) => Ok(assemblies.next().map(Held::Decoded)),
            Output::File(reader) => {
                let mut record = Vec::new();
                if !read_record(reader, &mut record)? {
                    return Ok(None);
                }
                let first_seq = Assembly::first_seq_of(&record)?;
                Ok(Some(Held::Encoded(first_seq, record)))
            }
        }
    }
}

/// An assembly as the merge holds it: decoded (a partition kept in memory), or its record
/// in a temporary file with its first event's arrival number, decoded by the thread that
/// writes the conversation out ([`Writer::assembled`]). The merge runs on one thread and the
/// writing on all: decoding there spreads it over the pool, and an assembly's memory is
/// taken and given back by the same thread (glibc locks the arena of a block another thread
/// frees, which the two threads waited on). The decoded assembly stays inline, as it was
/// before there were two forms: a box would cost an allocation per conversation.
#[allow(clippy::large_enum_variant)]
enum Held {
    Decoded(Assembly),
    Encoded(u64, Vec<u8>),
}

impl Held {
    fn first_seq(&self) -> u64 {
        match self {
            Held::Decoded(a) => a.first_seq,
            Held::Encoded(first_seq, _) => *first_seq,
        }
    }

    fn assembly(self) -> io::Result<Assembly> {
        match self {
            Held::Decoded(a) => Ok(a),
            Held::Encoded(_, record) => Ok(Assembly::get(&mut &record[..])?),
        }
    }
}

/// Reads the next `u32`-length-prefixed record into `record`; `false` at the end.
fn read_record(reader: &mut impl Read, record: &mut Vec<u8>) -> io::Result<bool> {
    let mut length = [0; 4];
    match reader.read_exact(&mut length) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(err) => return Err(err),
    }
    record.resize(u32::from_le_bytes(length) as usize, 0);
    reader.read_exact(record)?;
    Ok(true)
}

/// The fold of one partition's events, in arrival order.
#[derive(Default)]
struct Fold {
    /// Assemblies in the order of their first event, and their numbers by conversation id.
    assemblies: Vec<Assembly>,
    numbers: HashMap<String, usize, FxBuildHasher>,
    keys: Keys,
    firsts: Firsts,
}

/// What every fold of events keeps whatever holds its assemblies (a partition's numbered
/// list, a live stream's open conversations): the fingerprints of the events folded, their
/// counts, and the event being folded.
#[derive(Default)]
struct Firsts {
    seen: HashSet<u64, FxBuildHasher>,
    counts: EventCounts,
    /// The event being folded, decoded into the same value each time (its allocations kept).
    facts: Facts<'static>,
}

impl Firsts {
    /// Decodes and counts the event whose fingerprint is `fingerprint` and whose facts are
    /// `record` into `facts` (then [`Firsts::id`] is its conversation's); `false` for a
    /// re-delivery (only counted, not even decoded). An event of no conversation is an
    /// error: only those of a conversation are folded.
    fn first(&mut self, fingerprint: u64, record: &mut &[u8]) -> Result<bool, Corrupt> {
        if !self.seen.insert(fingerprint) {
            self.counts.redelivered += 1;
            return Ok(false);
        }
        self.facts.get_into(record)?;
        count(&mut self.counts, &self.facts.name);
        match self.facts.conversation_id {
            Some(_) => Ok(true),
            None => Err(Corrupt),
        }
    }

    /// The conversation id of the event [`Firsts::first`] decoded.
    fn id(&self) -> &str {
        self.facts.conversation_id.as_deref().unwrap_or_default()
    }
}

impl Fold {
    /// Folds one record: arrival number, place, fingerprint, facts (not even decoded when
    /// the fingerprint says the event is a re-delivery).
    fn add(&mut self, mut record: &[u8]) -> Result<(), Corrupt> {
        let seq = u64::get(&mut record)?;
        let place = Place::get(&mut record)?;
        let fingerprint = u64::get(&mut record)?;
        if !self.firsts.first(fingerprint, &mut record)? {
            return Ok(());
        }
        let id = self.firsts.id();
        let n = match self.numbers.get(id) {
            Some(&n) => n,
            None => {
                self.numbers.insert(id.to_string(), self.assemblies.len());
                self.assemblies
                    .push(Assembly::new(id.to_string(), place, seq));
                self.assemblies.len() - 1
            }
        };
        self.assemblies[n].add(&mut self.firsts.facts, &mut self.keys);
        Ok(())
    }
}

impl Partition {
    /// Folds the partition's events; its assemblies stay in memory, or with `to_disk` go to
    /// its temporary file in place of its events.
    fn assemble(self, to_disk: bool, temp_dir: &std::path::Path) -> io::Result<Done> {
        let Partition { buffer, spill } = self;
        let mut fold = Fold::default();
        let mut record = Vec::new();
        if let Some(mut file) = spill.as_ref() {
            file.seek(SeekFrom::Start(0))?;
            let mut reader = BufReader::with_capacity(1 << 16, file);
            while read_record(&mut reader, &mut record)? {
                fold.add(&record)?;
            }
        }
        let mut rest = &buffer[..];
        while read_record(&mut rest, &mut record)? {
            fold.add(&record)?;
        }
        drop(buffer);
        let Fold {
            assemblies,
            keys,
            firsts: Firsts { counts, .. },
            ..
        } = fold;
        let output = if to_disk {
            let mut file = match spill {
                Some(file) => file,
                None => temp_file(temp_dir)?,
            };
            write_assemblies(&mut file, assemblies).map_err(|err| temp_error(temp_dir, err))?;
            Output::File(BufReader::with_capacity(1 << 16, file))
        } else {
            Output::Memory(assemblies.into_iter())
        };
        Ok(Done {
            counts,
            keys: keys.names,
            output,
        })
    }
}

/// Writes `assemblies` over what `file` held, as records, and rewinds it to be read.
fn write_assemblies(file: &mut File, assemblies: Vec<Assembly>) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    let mut writer = BufWriter::with_capacity(1 << 16, &mut *file);
    let mut bytes = Vec::new();
    for a in assemblies {
        bytes.clear();
        a.put(&mut bytes);
        let length = u32::try_from(bytes.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a conversation too large"))?;
        writer.write_all(&length.to_le_bytes())?;
        writer.write_all(&bytes)?;
    }
    writer.flush()?;
    drop(writer);
    file.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// The assembled conversations, to be drained in the order of their first event: the
/// [`Merge`] hands them out (on one thread), the [`Writer`] writes each one (on any thread),
/// so that the next batch can be merged while the last one is written.
pub struct Finished {
    /// What the stream held: distinct events, re-deliveries, unknown names.
    pub counts: EventCounts,
    pub merge: Merge,
    pub writer: Writer,
}

/// Writes assembled conversations out: what every partition shares.
pub struct Writer {
    contacts: HashMap<String, ContactFacts>,
    files: Vec<Arc<str>>,
    /// Each partition's names of unused conversation fields.
    keys: Vec<Vec<Box<str>>>,
}

/// The k-way merge of the partitions' assemblies by their first event.
pub struct Merge {
    /// Each partition's next assembly and the rest.
    heads: Vec<(Option<Held>, Output)>,
    /// Partitions with an assembly left, by that assembly's first event.
    queue: BinaryHeap<std::cmp::Reverse<(u64, usize)>>,
}

/// A conversation ready to be written out by [`Writer::assembled`] (on any thread).
pub struct Conversation {
    partition: usize,
    assembly: Held,
}

impl Merge {
    /// The next conversation by its first event.
    pub fn next_conversation(&mut self) -> io::Result<Option<Conversation>> {
        let Some(std::cmp::Reverse((_, partition))) = self.queue.pop() else {
            return Ok(None);
        };
        let (head, output) = &mut self.heads[partition];
        let next = output.next_assembly()?;
        if let Some(a) = &next {
            self.queue
                .push(std::cmp::Reverse((a.first_seq(), partition)));
        }
        let assembly = std::mem::replace(head, next).ok_or(Corrupt)?;
        Ok(Some(Conversation {
            partition,
            assembly,
        }))
    }

    /// Up to `n` next conversations, in order.
    pub fn next_batch(&mut self, n: usize) -> io::Result<Vec<Conversation>> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n {
            match self.next_conversation()? {
                Some(c) => batch.push(c),
                None => break,
            }
        }
        Ok(batch)
    }
}

impl Writer {
    /// The conversation as POST-hook-shaped JSON; an error when its record in a temporary
    /// file does not decode.
    pub fn assembled(&self, c: Conversation) -> io::Result<Assembled> {
        let assembly = c.assembly.assembly()?;
        let place = assembly.origin;
        let origin = Origin {
            file: Arc::clone(&self.files[place.file as usize]),
            line: place.line,
            column: place.column,
        };
        let json = payload_json(assembly, &self.contacts, &self.keys[c.partition]);
        Ok(Assembled { origin, json })
    }
}

impl Iterator for Finished {
    type Item = io::Result<Assembled>;

    fn next(&mut self) -> Option<io::Result<Assembled>> {
        self.merge
            .next_conversation()
            .transpose()
            .map(|c| c.and_then(|c| self.writer.assembled(c)))
    }
}
