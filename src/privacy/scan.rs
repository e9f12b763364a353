//! The decision pass of `erase` and `prune`, the same for a dry run and a real one: every file
//! read once, as a stream of pieces cut between top-level documents, the pieces parsed on all
//! cores, and what each file holds kept in a few bytes per document that may go.
//!
//! A file's text (gzip recognised by its magic bytes, a UTF-8 byte order mark set aside) is
//! read in pieces of about [`PIECE`] bytes that end just after a newline between two
//! documents — the boundary the shared reader uses (`input::read`): a line that starts with
//! `{` or `[` after a line that ends with `}` or `]`. A piece is parsed with
//! [`input::documents`], as the whole text was before; a document larger than a piece (or a
//! whole JSON array, which has no such boundary inside) makes its piece as large as itself.
//!
//! Memory is a window of pieces, plus, per file, a few bytes for each removed payload
//! ([`Log`]), and what the webhook events are (an event goes with its conversation, which is
//! known once every file is read).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;

use super::cut::{self, Log};
use super::ordered;
use super::rewrite::Rule;
use super::write::Early;
use crate::input::read::last_boundary;
use crate::input::{self, Chunk};
use crate::model::document::Item;
use crate::model::finding::{Finding, Origin};
use crate::model::webhook::Facts;

/// Pieces are cut near this size.
const PIECE: usize = 1 << 20;
/// Pieces read ahead of the parsers.
const QUEUE: usize = 4;
/// Pieces being parsed, or parsed and waiting for their turn, at most.
const IN_FLIGHT: usize = 6;

/// One file found under the inputs.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub name: Arc<str>,
    /// In serve's `rejected/` folder.
    pub rejected: bool,
}

/// A file's identity when it was read; it must be the same when it is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A webhook event of a file: what decides whether it goes.
#[derive(Debug)]
pub struct EventInfo {
    pub conversation: Option<String>,
    /// The contact of a contact event.
    pub contact: Option<String>,
    /// An event of no conversation that the rule removes by itself.
    pub loose_remove: bool,
}

/// What one file holds, for the decisions and the rewrite.
#[derive(Debug)]
pub struct Scanned {
    pub stamp: Stamp,
    /// The length of the text (decompressed, without a byte order mark).
    pub len: u64,
    /// Documents read (payloads and events).
    pub docs: u64,
    /// The removed payloads and every event, in text order.
    pub log: Log,
    /// The events of `log`, in order.
    pub events: Vec<EventInfo>,
    /// The events' facts, for the assembler.
    pub facts: Vec<(Facts<'static>, Origin)>,
    /// Documents that could not be read.
    pub bad: Vec<Finding>,
    pub payloads_removed: u64,
    /// The conversations of the removed payloads (hashes of their ids).
    pub conversations: Vec<u64>,
    /// A rejected body that could not be read and that the rule removes.
    pub drop_whole: bool,
    /// The file was rewritten while it was read (see [`Early`]), or that failed.
    pub written: Option<anyhow::Result<()>>,
}

/// A text opened for reading: gunzipped when it is gzip, its byte order mark read past.
pub struct Text {
    pub reader: Box<dyn Read + Send>,
    pub gzip: bool,
    pub bom: bool,
}

/// Opens the text of `path`.
pub fn open_text(path: &Path) -> io::Result<Text> {
    let mut file = fs::File::open(path)?;
    let magic = read_up_to(&mut file, 2)?;
    let gzip = magic == [0x1f, 0x8b];
    let raw = io::Cursor::new(magic).chain(file);
    let mut reader: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let head = read_up_to(&mut reader, 3)?;
    let bom = head == [0xEF, 0xBB, 0xBF];
    if !bom {
        reader = Box::new(io::Cursor::new(head).chain(reader));
    }
    Ok(Text { reader, gzip, bom })
}

/// Reads `n` bytes, or fewer at the end of the input.
fn read_up_to(reader: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(n);
    reader.take(n as u64).read_to_end(&mut out)?;
    Ok(out)
}

/// What the reading thread hands on.
enum Piece {
    Text {
        target: usize,
        stamp: Stamp,
        chunk: Chunk,
        /// Where `chunk` starts in the file's text.
        base: u64,
        /// The file's text ends with this piece.
        last: bool,
        /// The file is gzip; its text starts with a byte order mark.
        gzip: bool,
        bom: bool,
    },
    Failed {
        target: usize,
        err: io::Error,
    },
}

/// What one piece holds.
#[derive(Default)]
struct Found {
    docs: u64,
    /// Documents that may go, with offsets in the piece: whether the white space before one
    /// reaches the start of the piece, and what an event is.
    spots: Vec<(cut::Spot, bool, Option<EventInfo>)>,
    facts: Vec<(Facts<'static>, Origin)>,
    bad: Vec<Finding>,
    payloads_removed: u64,
    conversations: Vec<u64>,
    drop_whole: bool,
    /// The offset just after the last byte that is not white space.
    last_text: Option<u64>,
    /// A finding points past the end of the piece: a broken document may have run into the
    /// text after it (whose first bytes its message would quote).
    straddles: bool,
}

/// A file being read: what was found so far, and where the white space at the end of the
/// pieces read so far begins.
struct Open {
    scanned: Scanned,
    last_text: u64,
}

/// Reads every target and finds what `rule` removes; one result per target, in order.
/// `rewrite`: not a dry run; big files of POST-hook payloads are then rewritten as they are
/// read (see [`Early`]).
pub fn scan(targets: &[Target], rule: &dyn Rule, rewrite: bool) -> Vec<io::Result<Scanned>> {
    let (piece_tx, piece_rx) = mpsc::sync_channel::<Piece>(QUEUE);
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut merge = Merge {
        targets,
        rule,
        spare: &spare,
        open: targets.iter().map(|_| None).collect(),
        done: targets.iter().map(|_| None).collect(),
        carry: None,
        early: None,
        early_from: rewrite.then(early_from),
        twice: named_twice(targets),
    };
    // With one thread (`-j 1`) the reader reads the next piece only once the last one is
    // merged: a word after each.
    let (go_tx, go_rx) = crate::input::turns(crate::input::one_thread());
    std::thread::scope(|scope| {
        let spare = &spare;
        // Owned by this closure: dropped when the merging ends, so a waiting reader stops.
        let go_tx = go_tx;
        scope.spawn(move || {
            for (index, target) in targets.iter().enumerate() {
                let going = read_target(index, target, spare, &mut |piece| {
                    piece_tx.send(piece).is_ok()
                        && go_rx.as_ref().is_none_or(|go| go.recv().is_ok())
                });
                if !going {
                    return;
                }
            }
        });
        let work = |piece: Piece| {
            let found = match &piece {
                Piece::Text {
                    target,
                    chunk,
                    last,
                    ..
                } => Some(read_piece(chunk, *last, &targets[*target], rule)),
                Piece::Failed { .. } => None,
            };
            (piece, found)
        };
        ordered::in_order(&piece_rx, IN_FLIGHT, &work, &mut |(piece, found)| {
            merge.piece(piece, found);
            if let Some(go) = &go_tx {
                let _ = go.send(());
            }
            true
        });
        drop(go_tx);
    });
    merge
        .done
        .into_iter()
        .map(|d| d.unwrap_or_else(|| Err(io::Error::other("not read"))))
        .collect()
}

/// A piece whose last document may not end where the piece does, parsed again with the next.
const MAX_CARRY: usize = 16 << 20;

/// Puts what the pieces hold together, file by file, in order.
struct Merge<'a> {
    targets: &'a [Target],
    rule: &'a dyn Rule,
    spare: &'a Mutex<Vec<Vec<u8>>>,
    open: Vec<Option<Open>>,
    done: Vec<Option<io::Result<Scanned>>>,
    /// A piece held back to be parsed again with the next one: its target, stamp, text and
    /// where it starts.
    carry: Option<(usize, Stamp, Chunk, u64)>,
    /// The file being read, when it may be rewritten as it is read.
    early: Option<(usize, EarlyState)>,
    /// The size from which a file may be rewritten as it is read; `None` in a dry run.
    early_from: Option<u64>,
    /// Files named more than once: each reading must see the file as it was.
    twice: HashSet<PathBuf>,
}

/// Where the rewriting of a file as it is read stands.
enum EarlyState {
    /// No document removed yet.
    Waiting,
    Writing(Early),
    /// Starting failed: the file is left as it was, and this is why.
    Failed(anyhow::Error),
    /// Not for this file (it holds webhook events, or it is small): rewritten after reading.
    Off,
}

/// Files at least this big (as stored) are rewritten as they are read; smaller ones are
/// cheap to read again. `SSHOOK_TEST_REWRITE_WHILE_READING_FROM` sets it for the tests.
const EARLY_FROM: u64 = 8 << 20;

fn early_from() -> u64 {
    std::env::var("SSHOOK_TEST_REWRITE_WHILE_READING_FROM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(EARLY_FROM)
}

fn named_twice(targets: &[Target]) -> HashSet<PathBuf> {
    let mut seen = HashSet::new();
    targets
        .iter()
        .filter(|t| !seen.insert(t.path.clone()))
        .map(|t| t.path.clone())
        .collect()
}

impl Merge<'_> {
    fn piece(&mut self, piece: Piece, found: Option<Found>) {
        let (target, stamp, mut chunk, mut base, last, gzip, bom) = match piece {
            Piece::Failed { target, err } => {
                self.carry = None;
                self.early = None;
                self.open[target] = None;
                self.done[target] = Some(Err(err));
                return;
            }
            Piece::Text {
                target,
                stamp,
                chunk,
                base,
                last,
                gzip,
                bom,
            } => (target, stamp, chunk, base, last, gzip, bom),
        };
        let mut found = found.unwrap_or_default();
        if let Some((_, _, held, held_base)) = self.carry.take() {
            // A broken document ran to the end of the piece before: as one text, the two read
            // exactly as the whole file would.
            let first_line = held.first_line;
            let mut text = held.into_text();
            text.extend_from_slice(&chunk.text);
            recycle(self.spare, chunk);
            chunk = Chunk {
                file: Arc::clone(&self.targets[target].name),
                text,
                first_line,
                read_error: None,
                empty_source: false,
            };
            base = held_base;
            found = read_piece(&chunk, last, &self.targets[target], self.rule);
        }
        if found.straddles && !last && chunk.text.len() < MAX_CARRY {
            self.carry = Some((target, stamp, chunk, base));
            return;
        }
        let len = chunk.text.len() as u64;
        let has_events = found.spots.iter().any(|(_, _, event)| event.is_some());
        let slot = self.open[target].get_or_insert_with(|| Open::new(stamp));
        let removed = slot.add(found, base);
        if self.early.as_ref().map(|(t, _)| *t) != Some(target) {
            let t = &self.targets[target];
            let eligible = self.early_from.is_some_and(|from| stamp.len >= from)
                && !t.rejected
                && !self.twice.contains(&t.path);
            let state = if eligible {
                EarlyState::Waiting
            } else {
                EarlyState::Off
            };
            self.early = Some((target, state));
        }
        if let Some((_, state)) = &mut self.early {
            let t = &self.targets[target];
            let text = &chunk.text;
            early_piece(
                state,
                t,
                (text, base, base + len),
                &removed,
                has_events,
                gzip,
                bom,
            );
        }
        if last {
            if let Some(mut finished) = self.open[target].take() {
                finished.scanned.len = base + len;
                let scanned = &mut finished.scanned;
                let state = self.early.take().map(|(_, state)| state);
                // A file left with no document is deleted, not rewritten.
                let deleted = scanned.docs == scanned.payloads_removed && scanned.bad.is_empty();
                scanned.written = match state {
                    Some(EarlyState::Writing(early)) if !deleted => {
                        Some(early.finish(&self.targets[target], stamp))
                    }
                    Some(EarlyState::Failed(err)) if !deleted => Some(Err(err)),
                    _ => None,
                };
                self.done[target] = Some(Ok(finished.scanned));
            }
        }
        recycle(self.spare, chunk);
    }
}

/// Rewrites the piece `text` (from `base` to `end` in the file's text) of a file rewritten as
/// it is read, once one of its documents went; `removed`: the piece's removed payloads.
fn early_piece(
    state: &mut EarlyState,
    target: &Target,
    (text, base, end): (&[u8], u64, u64),
    removed: &[cut::Spot],
    has_events: bool,
    gzip: bool,
    bom: bool,
) {
    if has_events {
        // Whether an event goes is known once every file is read: rewritten after.
        *state = EarlyState::Off;
        return;
    }
    if matches!(state, EarlyState::Waiting) && !removed.is_empty() {
        let cuts = cut::cuts_of(removed, end);
        // The white space before a last document that goes may begin in the piece before.
        let from = cuts.first().map_or(base, |&(start, _)| start.min(base));
        *state = match Early::start(target, from, gzip, bom) {
            Ok(early) => EarlyState::Writing(early),
            Err(err) => EarlyState::Failed(err),
        };
    }
    if let EarlyState::Writing(early) = state {
        early.write(text, base, &cut::cuts_of(removed, end));
    }
}

impl Open {
    fn new(stamp: Stamp) -> Open {
        Open {
            scanned: Scanned {
                stamp,
                len: 0,
                docs: 0,
                log: Log::default(),
                events: Vec::new(),
                facts: Vec::new(),
                bad: Vec::new(),
                payloads_removed: 0,
                conversations: Vec::new(),
                drop_whole: false,
                written: None,
            },
            last_text: 0,
        }
    }

    /// Adds what the piece at `base` holds; the removed payloads' spots.
    fn add(&mut self, found: Found, base: u64) -> Vec<cut::Spot> {
        let s = &mut self.scanned;
        let mut removed = Vec::new();
        for (spot, reaches_start, event) in found.spots {
            let mut spot = spot.shifted(base);
            if reaches_start {
                spot = spot.with_before(self.last_text);
            }
            s.log.push(spot, event.is_some());
            match event {
                Some(event) => s.events.push(event),
                None => removed.push(spot),
            }
        }
        s.docs += found.docs;
        s.facts.extend(found.facts);
        s.bad.extend(found.bad);
        s.payloads_removed += found.payloads_removed;
        s.conversations.extend(found.conversations);
        s.drop_whole |= found.drop_whole;
        if let Some(last_text) = found.last_text {
            self.last_text = base + last_text;
        }
        removed
    }
}

/// Gives a piece's buffer back to the reading thread.
fn recycle(spare: &Mutex<Vec<Vec<u8>>>, chunk: Chunk) {
    let mut text = chunk.into_text();
    if text.capacity() <= 2 * PIECE {
        if let Ok(mut spare) = spare.lock() {
            if spare.len() < QUEUE + IN_FLIGHT {
                text.clear();
                spare.push(text);
            }
        }
    }
}

fn buffer(spare: &Mutex<Vec<Vec<u8>>>) -> Vec<u8> {
    spare
        .lock()
        .ok()
        .and_then(|mut spare| spare.pop())
        .unwrap_or_else(|| Vec::with_capacity(PIECE + (64 << 10)))
}

/// Reads one target into pieces and hands them to `send`; false when nobody listens anymore.
fn read_target(
    index: usize,
    target: &Target,
    spare: &Mutex<Vec<Vec<u8>>>,
    send: &mut dyn FnMut(Piece) -> bool,
) -> bool {
    let failed = |err| Piece::Failed { target: index, err };
    let stamp = match fs::symlink_metadata(&target.path) {
        Ok(meta) => Stamp::of(&meta),
        Err(err) => return send(failed(err)),
    };
    let (mut text, gzip, bom) = match open_text(&target.path) {
        Ok(text) => (text.reader, text.gzip, text.bom),
        Err(err) => return send(failed(err)),
    };
    let mut buf = buffer(spare);
    let mut base = 0u64;
    let mut line = 1usize;
    // `buf[..searched]` holds no boundary.
    let mut searched = 0;
    loop {
        // A rejected body is read whole: whether it goes may depend on all of its bytes.
        let want = if target.rejected {
            usize::MAX
        } else {
            PIECE.saturating_sub(buf.len()).max(64 << 10)
        };
        let read = (&mut text).take(want as u64).read_to_end(&mut buf);
        let ended = match read {
            Ok(n) => n < want,
            Err(err) => return send(failed(err)),
        };
        let cut = if ended {
            None
        } else {
            let found = last_boundary(&buf, searched);
            searched = buf.len().saturating_sub(1);
            found
        };
        if !ended && cut.is_none() {
            continue;
        }
        let at = cut.unwrap_or(buf.len());
        let mut rest = Vec::new();
        if at < buf.len() {
            rest = buffer(spare);
            rest.extend_from_slice(&buf[at..]);
            buf.truncate(at);
        }
        let text_len = buf.len();
        let newlines = memchr::memchr_iter(b'\n', &buf).count();
        let empty_source = ended && base == 0 && buf.iter().all(u8::is_ascii_whitespace);
        let chunk = Chunk {
            file: Arc::clone(&target.name),
            text: std::mem::replace(&mut buf, rest),
            first_line: line,
            read_error: None,
            empty_source,
        };
        let piece = Piece::Text {
            target: index,
            stamp,
            chunk,
            base,
            last: ended,
            gzip,
            bom,
        };
        if !send(piece) {
            return false;
        }
        if ended {
            return true;
        }
        base += text_len as u64;
        line += newlines;
        searched = 0;
    }
}

/// The hash a removed conversation is counted by.
fn conversation_hash(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// Parses one piece (`last`: the text ends with it) and notes what may go.
fn read_piece(chunk: &Chunk, last: bool, target: &Target, rule: &dyn Rule) -> Found {
    let text = &chunk.text[..];
    let base = text.as_ptr() as usize;
    let mut found = Found::default();
    let spot = |raw: &str, element: bool| {
        let start = raw.as_ptr() as usize - base;
        cut::surroundings(text, start, start + raw.len(), element, last)
    };
    input::documents(chunk, &mut |item| match item {
        Item::Payload(doc) => {
            found.docs += 1;
            if rule.conversation(&doc.payload) {
                let (spot, reaches_start) = spot(doc.raw(), doc.index.is_some());
                found.spots.push((spot, reaches_start, None));
                found.payloads_removed += 1;
                found
                    .conversations
                    .push(conversation_hash(&doc.payload.conversation_id()));
            }
        }
        Item::Event(doc) => {
            found.docs += 1;
            let conversation = doc.event.conversation_id().map(str::to_owned);
            let loose_remove = conversation.is_none() && rule.loose_event(&doc.event);
            found.facts.push((
                Facts::new(&doc.event, doc.fingerprint()).into_static(),
                doc.origin.clone(),
            ));
            let info = EventInfo {
                conversation,
                contact: doc.event.data.contact.as_ref().map(|c| c.id.to_string()),
                loose_remove,
            };
            let (spot, reaches_start) = spot(doc.raw, doc.index.is_some());
            found.spots.push((spot, reaches_start, Some(info)));
        }
        Item::Bad(finding) => found.bad.push(finding),
    });
    if !last && !found.bad.is_empty() {
        let next_line = chunk.first_line + memchr::memchr_iter(b'\n', text).count();
        found.straddles = found
            .bad
            .iter()
            .any(|f| f.origin.line.is_some_and(|line| line >= next_line));
    }
    found.last_text = text
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .map(|at| at as u64 + 1);
    if target.rejected && !found.bad.is_empty() {
        let file_name = target
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        found.drop_whole = rule.rejected_body(&file_name, text);
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::input::read::last_boundary;

    #[test]
    fn boundaries_between_documents_only() {
        let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\"";
        assert_eq!(last_boundary(text, 0), Some(16));
        assert_eq!(last_boundary(text, 16), None);
        assert_eq!(last_boundary(text, 15), Some(16));
        assert_eq!(last_boundary(b"{\"a\":1}\r\n\n[1]\n", 0), Some(10));
        assert_eq!(last_boundary(b"[\n{\"a\":1},\n{\"b\":2}\n]", 0), None);
        assert_eq!(last_boundary(b"{\n  \"a\": {\n  }\n}", 0), None);
    }
}
