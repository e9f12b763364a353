//! Removing conversations from stored dumps, for `sshook erase` and `sshook prune`: the one
//! home of finding the documents to remove, cutting them out of their files and replacing
//! each file atomically.
//!
//! 1. **Plan**: every file under the inputs (the `rejected/` folder too; symlinks refused) is
//!    read whole (gzip by magic bytes), split with [`input::documents`], and each document's
//!    byte range found from its raw text. Webhook events are assembled into conversations by
//!    the shared [`Assembler`], so that an event belongs to whatever its conversation is.
//! 2. **Rewrite**: each affected file is read again (and must not have changed since), the
//!    removed documents' byte ranges are cut out — every other byte kept, array separators
//!    mended — and the result written to a temporary file in the same folder, fsynced, checked
//!    against the original's size and mtime, renamed over it, and the folder fsynced. A file
//!    left with no document is deleted instead. Files without a removed document are not
//!    opened for writing at all (same inode, same mtime).

use std::collections::HashSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use crate::diagnostics::{count, Diagnostics};
use crate::dumps::{is_payload_file_name, REJECTED_DIR};
use crate::input::{self, Chunk};
use crate::model::document::Item;
use crate::model::finding::describe_io;
use crate::model::finding::{Finding, Origin};
use crate::model::payload::Payload;
use crate::model::webhook::{Assembler, Event, Facts};

/// What to remove. Implemented by `erase` (a person) and `prune` (an age).
pub trait Rule: Sync {
    /// Whether a conversation goes: a POST-hook payload, or one assembled from events.
    fn conversation(&self, payload: &Payload) -> bool;
    /// Whether an event that belongs to no conversation (a contact event) goes.
    fn loose_event(&self, event: &Event) -> bool;
    /// Whether the conversations of this webhook contact go (and its contact events).
    fn contact(&self, _id: &str) -> bool {
        false
    }
    /// Whether an unreadable body in `rejected/` goes (it cannot be parsed to tell), from
    /// its file name (serve names it by the time received) and its bytes.
    fn rejected_body(&self, _name: &str, _text: &[u8]) -> bool {
        false
    }
}

/// One file found under the inputs.
#[derive(Debug, Clone)]
struct Target {
    path: PathBuf,
    name: Arc<str>,
    /// In serve's `rejected/` folder.
    rejected: bool,
}

/// A file's identity when it was planned; it must be the same when it is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// What a file holds, for the plan.
#[derive(Debug, Default)]
struct FilePlan {
    stamp: Option<Stamp>,
    /// Byte ranges (in the decompressed text) of documents and what they are.
    docs: Vec<Doc>,
    /// Documents that could not be read.
    bad: Vec<Finding>,
    /// Events, for the assembler (read in file order).
    events: Vec<(Facts, Origin)>,
    /// A rejected body that could not be read and that the rule removes.
    drop_whole: bool,
}

#[derive(Debug)]
struct Doc {
    start: usize,
    end: usize,
    array: bool,
    what: What,
}

#[derive(Debug, PartialEq, Eq)]
enum What {
    /// A POST-hook payload the rule removes (or keeps).
    Payload {
        remove: bool,
        /// Its conversation id, when removed (for the count of conversations).
        conversation: Option<String>,
    },
    /// A webhook event of this conversation, or of none.
    Event {
        conversation: Option<String>,
        /// The contact of a contact event.
        contact: Option<String>,
        loose_remove: bool,
    },
}

/// A file's text as stored: the decompressed bytes, whether it was gzip, and a BOM.
struct Text {
    bytes: Vec<u8>,
    gzip: bool,
    bom: bool,
}

fn read_text(path: &Path) -> std::io::Result<Text> {
    let mut raw = Vec::new();
    fs::File::open(path)?.read_to_end(&mut raw)?;
    let gzip = raw.starts_with(&[0x1f, 0x8b]);
    let mut bytes = if gzip {
        let mut out = Vec::new();
        MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if bom {
        bytes.drain(..3);
    }
    Ok(Text { bytes, gzip, bom })
}

/// The whole-file chunk of `text`, as the reader would make it.
fn chunk(name: &Arc<str>, bytes: Vec<u8>) -> Chunk {
    let empty_source = bytes.iter().all(u8::is_ascii_whitespace);
    Chunk {
        file: Arc::clone(name),
        text: bytes,
        first_line: 1,
        read_error: None,
        empty_source,
    }
}

/// Reads one file's documents: their ranges, what they are, and the events' facts.
fn plan_file(target: &Target, rule: &dyn Rule) -> std::io::Result<FilePlan> {
    let meta = fs::symlink_metadata(&target.path)?;
    let text = read_text(&target.path)?;
    let chunk = chunk(&target.name, text.bytes);
    let base = chunk.text.as_ptr() as usize;
    let mut plan = FilePlan {
        stamp: Some(Stamp::of(&meta)),
        ..FilePlan::default()
    };
    let range = |raw: &str| {
        let start = raw.as_ptr() as usize - base;
        (start, start + raw.len())
    };
    input::documents(&chunk, &mut |item| match item {
        Item::Payload(doc) => {
            let (start, end) = range(doc.raw);
            let remove = rule.conversation(&doc.payload);
            plan.docs.push(Doc {
                start,
                end,
                array: doc.index.is_some(),
                what: What::Payload {
                    remove,
                    conversation: remove.then(|| doc.payload.conversation_id().into_owned()),
                },
            });
        }
        Item::Event(doc) => {
            let (start, end) = range(doc.raw);
            let conversation = doc.event.conversation_id().map(str::to_owned);
            let loose_remove = conversation.is_none() && rule.loose_event(&doc.event);
            plan.events.push((
                Facts::new(&doc.event, crate::jsontext::fingerprint(doc.raw)),
                doc.origin.clone(),
            ));
            plan.docs.push(Doc {
                start,
                end,
                array: doc.index.is_some(),
                what: What::Event {
                    conversation,
                    contact: doc.event.data.contact.as_ref().map(|c| c.id.to_string()),
                    loose_remove,
                },
            });
        }
        Item::Bad(finding) => plan.bad.push(finding),
    });
    let file_name = target
        .path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if target.rejected && !plan.bad.is_empty() && rule.rejected_body(&file_name, &chunk.text) {
        plan.drop_whole = true;
    }
    Ok(plan)
}

/// The outcome, for the report.
#[derive(Debug, Default)]
pub struct Tally {
    pub payloads: u64,
    /// Distinct conversations removed: POST-hook ids and webhook conversation ids.
    pub conversations: u64,
    pub events: u64,
    pub rewritten: Vec<(Arc<str>, usize, usize)>,
    pub deleted: Vec<(Arc<str>, usize)>,
    pub failed: u64,
    pub untouched: u64,
}

/// Finds what `rule` removes under `dumps` and removes it (or, `dry_run`, says what it would
/// remove). The report goes to stdout; problems to `diagnostics`.
pub fn run(
    verb: &str,
    dumps: &[String],
    dry_run: bool,
    rule: &dyn Rule,
    diagnostics: &mut Diagnostics,
) -> Result<Tally> {
    if dumps.iter().any(|d| d == "-") {
        bail!(
            "{verb} rewrites files and cannot read standard input: name the dump files or folders"
        );
    }
    let mut targets = Vec::new();
    for dump in dumps {
        walk(Path::new(dump), true, false, &mut targets, diagnostics);
    }
    let plans: Vec<(Target, std::io::Result<FilePlan>)> = targets
        .into_par_iter()
        .map(|t| {
            let plan = plan_file(&t, rule);
            (t, plan)
        })
        .collect();

    // Events belong to their conversation: assemble them all, then ask the rule. A
    // conversation of a contact the rule names goes too, and the contact events of the
    // contacts whose conversations go.
    let mut assembler = Assembler::new();
    let mut gone: HashSet<String> = HashSet::new();
    let mut contacts: Vec<(String, String)> = Vec::new();
    for (facts, origin) in plans
        .iter()
        .filter_map(|(_, plan)| plan.as_ref().ok())
        .flat_map(|plan| &plan.events)
    {
        let contact = facts
            .conversation
            .as_ref()
            .and_then(|c| c.fields.contact_id.clone());
        if let (Some(conversation), Some(contact)) = (&facts.conversation_id, contact) {
            if rule.contact(&contact) {
                gone.insert(conversation.clone());
            }
            contacts.push((conversation.clone(), contact));
        }
        assembler.add(facts.clone(), origin);
    }
    let mut tally = Tally::default();
    for assembled in assembler.finish() {
        if let Ok(payload) = serde_json::from_str::<Payload>(&assembled.json) {
            if rule.conversation(&payload) {
                gone.insert(payload.conversation_id().into_owned());
            }
        }
    }
    let gone_contacts: HashSet<String> = contacts
        .into_iter()
        .filter(|(conversation, _)| gone.contains(conversation))
        .map(|(_, contact)| contact)
        .collect();
    let mut payload_conversations: HashSet<String> = HashSet::new();
    let mut event_conversations: HashSet<String> = HashSet::new();

    let mut report = Report::new(dry_run);
    for (target, plan) in plans {
        let plan = match plan {
            Ok(plan) => plan,
            Err(err) => {
                diagnostics.report(&Finding::error(
                    Origin::file(&target.name),
                    format!("cannot read: {}", describe_io(&err)),
                ));
                tally.failed += 1;
                continue;
            }
        };
        if !target.rejected {
            diagnostics.report_all(&plan.bad);
        }
        let removed: Vec<bool> = plan
            .docs
            .iter()
            .map(|d| match &d.what {
                What::Payload { remove, .. } => *remove,
                What::Event {
                    conversation: Some(c),
                    ..
                } => gone.contains(c),
                What::Event {
                    conversation: None,
                    contact,
                    loose_remove,
                } => *loose_remove || contact.as_ref().is_some_and(|c| gone_contacts.contains(c)),
            })
            .collect();
        let n_removed = removed.iter().filter(|r| **r).count();
        if n_removed == 0 && !plan.drop_whole {
            tally.untouched += 1;
            continue;
        }
        for (doc, removed) in plan.docs.iter().zip(&removed) {
            if *removed {
                match &doc.what {
                    What::Payload { conversation, .. } => {
                        tally.payloads += 1;
                        payload_conversations.extend(conversation.clone());
                    }
                    What::Event { conversation, .. } => {
                        tally.events += 1;
                        event_conversations.extend(conversation.clone());
                    }
                }
            }
        }
        let kept = plan.docs.len() - n_removed;
        let delete = plan.drop_whole || (kept == 0 && plan.bad.is_empty());
        let done = if dry_run {
            Ok(())
        } else if delete {
            delete_file(&target, plan.stamp)
        } else {
            rewrite_file(&target, &plan, &removed)
        };
        match done {
            Ok(()) if delete => {
                report.line("deleted", &target.name, n_removed, 0);
                tally.deleted.push((Arc::clone(&target.name), n_removed));
            }
            Ok(()) => {
                report.line("rewritten", &target.name, n_removed, kept);
                tally
                    .rewritten
                    .push((Arc::clone(&target.name), n_removed, kept));
            }
            Err(err) => {
                let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
                diagnostics.report(&Finding::error(
                    Origin::file(&target.name),
                    format!("not changed: {}", chain.join(": ")),
                ));
                tally.failed += 1;
            }
        }
    }
    tally.conversations = (payload_conversations.len() + event_conversations.len()) as u64;
    report.finish(verb, &tally);
    Ok(tally)
}

/// The report on stdout: one line per changed file, then the totals. It names files and
/// counts, never the data that was removed nor what it was looked up by.
struct Report {
    dry_run: bool,
    out: std::io::StdoutLock<'static>,
}

impl Report {
    fn new(dry_run: bool) -> Report {
        Report {
            dry_run,
            out: std::io::stdout().lock(),
        }
    }

    fn line(&mut self, action: &str, file: &str, removed: usize, kept: usize) {
        let action = match (self.dry_run, action) {
            (true, "deleted") => "would delete",
            (true, _) => "would rewrite",
            (false, a) => a,
        };
        let kept = match kept {
            0 => String::new(),
            n => format!(", {} kept", count(n as u64, "document", "documents")),
        };
        let what = match removed {
            0 => String::from("a rejected body that cannot be read, holding what was asked for"),
            n => format!("{} removed{kept}", count(n as u64, "document", "documents")),
        };
        let _ = writeln!(self.out, "{action:<13} {file}  ({what})");
    }

    fn finish(mut self, verb: &str, t: &Tally) {
        let would = if self.dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        };
        let _ = writeln!(
            self.out,
            "{verb}: {} removed ({}, {}); {} rewritten, {} deleted, {} not changed{would}{}",
            count(t.conversations, "conversation", "conversations"),
            count(t.payloads, "POST-hook payload", "POST-hook payloads"),
            count(t.events, "webhook event", "webhook events"),
            count(t.rewritten.len() as u64, "file", "files"),
            count(t.deleted.len() as u64, "file", "files"),
            count(t.untouched, "other file", "other files"),
            match t.failed {
                0 => String::new(),
                n => format!("; {} could not be changed", count(n, "file", "files")),
            }
        );
        let _ = self.out.flush();
    }
}

/// Collects the files under `path`. Symlinks are refused: replacing one would replace the link
/// (or, followed, a file outside the dumps).
fn walk(
    path: &Path,
    named: bool,
    rejected: bool,
    out: &mut Vec<Target>,
    diagnostics: &mut Diagnostics,
) {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) => {
            diagnostics.report(&Finding::error(Origin::file(&name), describe_io(&err)));
            return;
        }
    };
    if meta.file_type().is_symlink() {
        diagnostics.report(&Finding::error(
            Origin::file(&name),
            "a symbolic link: not followed and not rewritten (name the file it points to)",
        ));
        return;
    }
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match fs::read_dir(path) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(err) => {
                diagnostics.report(&Finding::error(Origin::file(&name), describe_io(&err)));
                return;
            }
        };
        entries.sort();
        for entry in entries {
            let file_name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file_name.starts_with('.') {
                continue;
            }
            let is_dir = fs::symlink_metadata(&entry).is_ok_and(|m| m.is_dir());
            if is_dir {
                let rejected = rejected || file_name == REJECTED_DIR;
                walk(&entry, false, rejected, out, diagnostics);
            } else if is_payload_file_name(&file_name) {
                walk(&entry, false, rejected, out, diagnostics);
            }
        }
        return;
    }
    if meta.is_file() {
        let in_rejected = rejected
            || (named
                && path
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|p| p == REJECTED_DIR));
        out.push(Target {
            path: path.to_path_buf(),
            name,
            rejected: in_rejected,
        });
    }
}

/// The text of a file without the removed documents: their bytes cut out, every other byte
/// kept; in an array, the separator next to a removed element goes with it.
fn cut(text: &[u8], docs: &[Doc], removed: &[bool]) -> Vec<u8> {
    let mut out = text.to_vec();
    // From the end, so that earlier offsets stay valid.
    for (doc, _) in docs.iter().zip(removed).rev().filter(|(_, r)| **r) {
        let (start, end) = if doc.array {
            array_cut(&out, doc.start, doc.end)
        } else {
            line_cut(&out, doc.start, doc.end)
        };
        out.drain(start..end);
    }
    out
}

/// A top-level document: its bytes, and the rest of its line when only blanks follow it.
fn line_cut(text: &[u8], start: usize, end: usize) -> (usize, usize) {
    let mut after = end;
    while after < text.len() && matches!(text[after], b' ' | b'\t' | b'\r') {
        after += 1;
    }
    if after < text.len() && text[after] == b'\n' {
        return (start, after + 1);
    }
    if after == text.len() {
        // The last document: take the blanks before it too, back to the end of the last line.
        let mut before = start;
        while before > 0 && matches!(text[before - 1], b' ' | b'\t' | b'\r' | b'\n') {
            before -= 1;
        }
        return (before, after);
    }
    (start, end)
}

/// An array element: with the comma after it (and the blanks up to the next element), or,
/// for the last element, with the comma before it; alone when it is the only one.
fn array_cut(text: &[u8], start: usize, end: usize) -> (usize, usize) {
    let mut after = end;
    while after < text.len() && text[after].is_ascii_whitespace() {
        after += 1;
    }
    if text.get(after) == Some(&b',') {
        after += 1;
        while after < text.len() && text[after].is_ascii_whitespace() {
            after += 1;
        }
        return (start, after);
    }
    let mut before = start;
    while before > 0 && text[before - 1].is_ascii_whitespace() {
        before -= 1;
    }
    if before > 0 && text[before - 1] == b',' {
        return (before - 1, end);
    }
    (start, end)
}

/// How long to wait between writing the new file and renaming it, for the crash test
/// (`SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS`, at most 10 s).
fn test_pause() {
    if let Some(ms) = std::env::var("SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(10_000)));
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The file must be the one that was planned: same size, same mtime.
fn check_unchanged(target: &Target, stamp: Option<Stamp>) -> Result<()> {
    let meta =
        fs::symlink_metadata(&target.path).map_err(|e| anyhow::anyhow!("{}", describe_io(&e)))?;
    if meta.file_type().is_symlink() {
        bail!("it became a symbolic link while sshook was reading it");
    }
    if Some(Stamp::of(&meta)) != stamp {
        bail!("it changed while sshook was reading it (size or modification time); run again");
    }
    Ok(())
}

fn sync_folder(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| anyhow::anyhow!("cannot sync the folder: {}", describe_io(&e)))
}

fn delete_file(target: &Target, stamp: Option<Stamp>) -> Result<()> {
    check_unchanged(target, stamp)?;
    fs::remove_file(&target.path).map_err(|e| anyhow::anyhow!("{}", describe_io(&e)))?;
    if target.rejected {
        // serve keeps why a body was rejected next to it: `X.json` and `X.reason.txt`.
        let reason = target.path.with_extension("reason.txt");
        if reason.is_file() {
            let _ = fs::remove_file(reason);
        }
    }
    sync_folder(folder_of(&target.path))
}

fn rewrite_file(target: &Target, plan: &FilePlan, removed: &[bool]) -> Result<()> {
    let text = read_text(&target.path).map_err(|e| anyhow::anyhow!("{}", describe_io(&e)))?;
    check_unchanged(target, plan.stamp)?;
    // Read again: the ranges were found in this very text (checked by size and mtime).
    let new = cut(&text.bytes, &plan.docs, removed);
    let dir = folder_of(&target.path);
    let mut temp = tempfile::Builder::new()
        .prefix(".sshook-rewrite-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write in its folder: {}", describe_io(&e)))?;
    {
        let file = temp.as_file_mut();
        let mut body = Vec::with_capacity(new.len() + 3);
        if text.bom {
            body.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
        }
        body.extend_from_slice(&new);
        if text.gzip {
            let mut gz = flate2::write::GzEncoder::new(&mut *file, flate2::Compression::default());
            gz.write_all(&body)?;
            gz.finish()?;
        } else {
            file.write_all(&body)?;
        }
        if let Ok(meta) = fs::metadata(&target.path) {
            let _ = file.set_permissions(meta.permissions());
        }
        file.sync_all().context("cannot sync the new file")?;
    }
    test_pause();
    check_unchanged(target, plan.stamp)?;
    temp.persist(&target.path)
        .map_err(|e| anyhow::anyhow!("cannot replace it: {}", describe_io(&e.error)))?;
    sync_folder(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs_of(text: &str) -> Vec<Doc> {
        let name: Arc<str> = Arc::from("t");
        let chunk = chunk(&name, text.as_bytes().to_vec());
        let base = chunk.text.as_ptr() as usize;
        let mut docs = Vec::new();
        input::documents(&chunk, &mut |item| {
            if let Item::Payload(d) = item {
                let start = d.raw.as_ptr() as usize - base;
                docs.push(Doc {
                    start,
                    end: start + d.raw.len(),
                    array: d.index.is_some(),
                    what: What::Payload {
                        remove: false,
                        conversation: None,
                    },
                });
            }
        });
        docs
    }

    fn cut_str(text: &str, removed: &[bool]) -> String {
        let docs = docs_of(text);
        assert_eq!(docs.len(), removed.len());
        String::from_utf8(cut(text.as_bytes(), &docs, removed)).unwrap()
    }

    const A: &str = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[]}"#;
    const B: &str = r#"{"beginAt":2,"endAt":3,"channel":{"id":2},"messages":[]}"#;
    const C: &str = r#"{"beginAt":3,"endAt":4,"channel":{"id":3},"messages":[]}"#;

    #[test]
    fn arrays_lose_elements_and_their_separators() {
        let text = format!("[\n  {A},\n  {B},\n  {C}\n]\n");
        assert_eq!(
            cut_str(&text, &[false, true, false]),
            format!("[\n  {A},\n  {C}\n]\n")
        );
        assert_eq!(
            cut_str(&text, &[false, false, true]),
            format!("[\n  {A},\n  {B}\n]\n")
        );
        assert_eq!(
            cut_str(&text, &[true, false, false]),
            format!("[\n  {B},\n  {C}\n]\n")
        );
        assert_eq!(
            cut_str(&text, &[false, true, true]),
            format!("[\n  {A}\n]\n")
        );
        assert_eq!(
            cut_str(&text, &[true, true, false]),
            format!("[\n  {C}\n]\n")
        );
        assert_eq!(cut_str(&text, &[true, true, true]), "[\n  \n]\n");
    }

    #[test]
    fn ndjson_loses_lines() {
        let text = format!("{A}\n{B}\n{C}\n");
        assert_eq!(cut_str(&text, &[false, true, false]), format!("{A}\n{C}\n"));
        assert_eq!(cut_str(&text, &[false, false, true]), format!("{A}\n{B}\n"));
        assert_eq!(cut_str(&text, &[true, false, false]), format!("{B}\n{C}\n"));
        let no_newline = format!("{A}\n{B}");
        assert_eq!(cut_str(&no_newline, &[false, true]), A);
    }
}
