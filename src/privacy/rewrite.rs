//! Removing conversations from stored dumps, for `sshook erase` and `sshook prune`: the one
//! home of deciding which documents go, cutting them out of their files and replacing each
//! file atomically (`docs/privacy.md#safety-of-the-rewrite`). A file is streamed, never held
//! whole:
//!
//! 1. **Decide** (`scan.rs`, one pass for a dry run and a real one alike): every file under
//!    the inputs (the `rejected/` folder too; symlinks refused) is read once, in pieces cut
//!    between documents and parsed on all cores; the documents that may go are noted with
//!    their surroundings, a few bytes each. Webhook events are then assembled into
//!    conversations by the shared [`Assembler`], so that an event goes with whatever its
//!    conversation is.
//! 2. **Rewrite** (`write.rs`): the affected file's bytes, all but the removed documents'
//!    (`cut.rs`: every other byte kept, array separators mended), are copied straight into a
//!    temporary file in the same folder (recompressed on all cores when the file is gzip,
//!    `gzip.rs`), which is fsynced, checked against the original's size and mtime, renamed
//!    over it, and the folder fsynced. A big file of POST-hook payloads is written while the
//!    decision pass reads it; any other file is read again, as a stream (it must not have
//!    changed since). A file left with no document is deleted instead. Files without a
//!    removed document are not opened for writing at all (same inode, same mtime).

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Result};

use super::scan::{self, Target};
use super::write;
use crate::diagnostics::{count, Diagnostics};
use crate::dumps::{is_payload_file_name, REJECTED_DIR};
use crate::model::finding::describe_io;
use crate::model::finding::{Finding, Origin};
use crate::model::payload::Payload;
use crate::model::webhook::{Assembler, Event};

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

/// The outcome, for the report.
#[derive(Debug, Default)]
pub struct Tally {
    pub payloads: u64,
    /// Distinct conversations removed: POST-hook ids and webhook conversation ids.
    pub conversations: u64,
    pub events: u64,
    pub rewritten: Vec<(Arc<str>, usize, usize)>,
    pub deleted: Vec<(Arc<str>, usize)>,
    /// Files that hold something to remove but could not be changed.
    pub failed: u64,
    /// Files and folders that could not be read, and why: what they hold is unknown.
    pub unchecked: Vec<(Arc<str>, String)>,
    /// Documents that could not be read (kept as they were, unchecked), and their files.
    pub unread: u64,
    pub unread_files: u64,
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
    memory: u64,
) -> Result<Tally> {
    if dumps.iter().any(|d| d == "-") {
        bail!(
            "{verb} rewrites files and cannot read standard input: name the dump files or folders"
        );
    }
    let mut targets = Vec::new();
    let mut unchecked = Vec::new();
    for dump in dumps {
        walk(Path::new(dump), true, false, &mut targets, &mut unchecked);
    }
    for (name, why) in &unchecked {
        not_checked(diagnostics, name, why);
    }
    let mut scanned = scan::scan(&targets, rule, !dry_run);

    // Events belong to their conversation: assemble them all, then ask the rule. A
    // conversation of a contact the rule names goes too, and the contact events of the
    // contacts whose conversations go.
    let mut assembler = Assembler::with_memory(memory);
    let mut gone: HashSet<String> = HashSet::new();
    let mut contacts: Vec<(String, String)> = Vec::new();
    for (facts, origin) in scanned
        .iter_mut()
        .filter_map(|s| s.as_mut().ok())
        .flat_map(|s| std::mem::take(&mut s.facts))
    {
        let contact = facts
            .conversation
            .as_ref()
            .and_then(|c| c.fields.contact_id.as_deref().map(str::to_owned));
        if let (Some(conversation), Some(contact)) = (&facts.conversation_id, contact) {
            if rule.contact(&contact) {
                gone.insert(conversation.to_string());
            }
            contacts.push((conversation.to_string(), contact));
        }
        assembler.add(facts, &origin)?;
    }
    let mut tally = Tally::default();
    for assembled in assembler.finish()? {
        let assembled = assembled?;
        if let Ok((payload, _, _)) = crate::input::payload_of(&assembled.json) {
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
    // POST-hook conversations are counted by a 64-bit hash of their id: a prune of millions
    // holds 8 bytes for each, not a string.
    let mut payload_conversations: HashSet<u64> = HashSet::new();
    let mut event_conversations: HashSet<String> = HashSet::new();

    let mut report = Report::new(dry_run);
    for (name, why) in &unchecked {
        report.not_checked(name, why);
    }
    tally.unchecked = unchecked;
    for (target, scanned) in targets.into_iter().zip(scanned) {
        let mut scanned = match scanned {
            Ok(scanned) => scanned,
            Err(err) => {
                let why = unreadable_text(&target.name, &err);
                not_checked(diagnostics, &target.name, &why);
                report.not_checked(&target.name, &why);
                tally.unchecked.push((Arc::clone(&target.name), why));
                continue;
            }
        };
        // A document that cannot be read is kept, unchecked (in rejected/ the rule looks at
        // its bytes instead).
        if !target.rejected {
            diagnostics.report_all(&scanned.bad);
            let unread = scanned.bad.iter().filter(|f| f.is_error()).count();
            if unread > 0 {
                report.unread(&target.name, unread);
                tally.unread += unread as u64;
                tally.unread_files += 1;
            }
        }
        let events_removed: Vec<bool> = scanned
            .events
            .iter()
            .map(|e| match (&e.conversation, &e.contact) {
                (Some(c), _) => gone.contains(c),
                (None, contact) => {
                    e.loose_remove || contact.as_ref().is_some_and(|c| gone_contacts.contains(c))
                }
            })
            .collect();
        let n_events = events_removed.iter().filter(|r| **r).count();
        let n_removed = scanned.payloads_removed as usize + n_events;
        if n_removed == 0 && !scanned.drop_whole {
            tally.untouched += 1;
            continue;
        }
        tally.payloads += scanned.payloads_removed;
        payload_conversations.extend(&scanned.conversations);
        tally.events += n_events as u64;
        for (event, _) in scanned
            .events
            .iter()
            .zip(&events_removed)
            .filter(|(_, removed)| **removed)
        {
            event_conversations.extend(event.conversation.clone());
        }
        let kept = scanned.docs as usize - n_removed;
        let delete = scanned.drop_whole || (kept == 0 && scanned.bad.is_empty());
        let done = if dry_run {
            Ok(())
        } else if delete {
            write::delete_file(&target, scanned.stamp)
        } else if let Some(written) = scanned.written.take() {
            written
        } else {
            write::rewrite_after(&target, &scanned, &events_removed)
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

/// Why a file or folder could not be read, for people.
fn unreadable(err: &std::io::Error) -> String {
    describe_io(err)
}

/// Why a file's text could not be read: its gzip is broken, or as [`unreadable`].
fn unreadable_text(name: &str, err: &std::io::Error) -> String {
    use std::io::ErrorKind::{InvalidData, InvalidInput, UnexpectedEof};
    let broken = matches!(err.kind(), InvalidData | InvalidInput | UnexpectedEof);
    if broken && name.ends_with(".gz") {
        format!("unreadable gzip: {}", describe_io(err))
    } else {
        describe_io(err)
    }
}

/// A file or folder whose contents were not looked at, on stderr (an error: the exit status
/// is 1).
fn not_checked(diagnostics: &mut Diagnostics, name: &Arc<str>, why: &str) {
    diagnostics.report(&Finding::error(
        Origin::file(name),
        format!("not checked: {why}"),
    ));
}

/// The report on stdout: one line per changed file and per file that could not be checked,
/// then the totals. It names files and counts, never the data that was removed nor what it
/// was looked up by. A dry run says every line in the conditional: nothing was done.
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
        let documents = |n: usize| count(n as u64, "document", "documents");
        let what = match (removed, kept, self.dry_run) {
            (0, _, _) => {
                String::from("a rejected body that cannot be read, holding what was asked for")
            }
            (n, 0, false) => format!("{} removed", documents(n)),
            (n, k, false) => format!("{} removed, {} kept", documents(n), documents(k)),
            (n, 0, true) => format!("would remove {}", documents(n)),
            (n, k, true) => format!("would remove {}, keep {}", documents(n), documents(k)),
        };
        let _ = writeln!(self.out, "{action:<13} {file}  ({what})");
    }

    /// Documents of a file that could not be read: whatever they hold is still there.
    fn unread(&mut self, file: &str, documents: usize) {
        let what = match documents {
            1 => String::from("1 document in it cannot be read"),
            n => format!("{n} documents in it cannot be read"),
        };
        let _ = writeln!(self.out, "{:<13} {file}  ({what})", "not checked");
    }

    /// A file or folder that could not be read: whatever it holds is still there.
    fn not_checked(&mut self, file: &str, why: &str) {
        let _ = writeln!(self.out, "{:<13} {file}  ({why})", "not checked");
    }

    fn finish(mut self, verb: &str, t: &Tally) {
        let files = |n: u64| count(n, "file", "files");
        let (conversations, payloads, events) = (
            count(t.conversations, "conversation", "conversations"),
            count(t.payloads, "POST-hook payload", "POST-hook payloads"),
            count(t.events, "webhook event", "webhook events"),
        );
        let (rewritten, deleted, untouched) = (
            files(t.rewritten.len() as u64),
            files(t.deleted.len() as u64),
            count(t.untouched, "other file", "other files"),
        );
        let mut line = if self.dry_run {
            format!(
                "{verb}: would remove {conversations} ({payloads}, {events}); would rewrite \
                 {rewritten}, would delete {deleted}, would not change {untouched}"
            )
        } else {
            format!(
                "{verb}: {conversations} removed ({payloads}, {events}); {rewritten} rewritten, \
                 {deleted} deleted, {untouched} not changed"
            )
        };
        let mut gaps = Vec::new();
        if !t.unchecked.is_empty() {
            gaps.push(format!(
                "{} could not be checked",
                unchecked_count(&t.unchecked)
            ));
        }
        if t.unread > 0 {
            gaps.push(format!(
                "{} in {} could not be read",
                count(t.unread, "document", "documents"),
                files(t.unread_files)
            ));
        }
        if t.failed > 0 {
            gaps.push(format!("{} could not be changed", files(t.failed)));
        }
        if !gaps.is_empty() {
            let noun = if verb == "erase" { "erasure" } else { verb };
            let be = if self.dry_run { "would be" } else { "is" };
            line.push_str(&format!(
                "; {}: the {noun} {be} incomplete",
                gaps.join(", ")
            ));
        }
        if self.dry_run {
            line.push_str("; nothing was changed (dry run)");
        }
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }
}

/// "2 files", "1 folder", "2 files and 1 folder": what could not be checked.
fn unchecked_count(unchecked: &[(Arc<str>, String)]) -> String {
    let folders = unchecked
        .iter()
        .filter(|(_, why)| why.starts_with(FOLDER))
        .count() as u64;
    let files = unchecked.len() as u64 - folders;
    match (files, folders) {
        (n, 0) => count(n, "file", "files"),
        (0, m) => count(m, "folder", "folders"),
        (n, m) => format!(
            "{} and {}",
            count(n, "file", "files"),
            count(m, "folder", "folders")
        ),
    }
}

/// How the reason for a folder that could not be read begins.
const FOLDER: &str = "a folder: ";

/// Collects the files under `path`; what cannot be read goes to `unchecked` with the reason.
/// Symlinks are refused: replacing one would replace the link (or, followed, a file outside
/// the dumps).
fn walk(
    path: &Path,
    named: bool,
    rejected: bool,
    out: &mut Vec<Target>,
    unchecked: &mut Vec<(Arc<str>, String)>,
) {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) => {
            unchecked.push((name, unreadable(&err)));
            return;
        }
    };
    if meta.file_type().is_symlink() {
        unchecked.push((
            name,
            String::from("a symbolic link: not followed (name the file it points to)"),
        ));
        return;
    }
    if meta.is_dir() {
        // Each entry with whether the folder listing says it is a folder (no second look).
        let mut entries: Vec<(PathBuf, bool)> = Vec::new();
        let listed = fs::read_dir(path).and_then(|list| {
            for entry in list {
                let entry = entry?;
                let dir = entry.file_type().is_ok_and(|t| t.is_dir());
                entries.push((entry.path(), dir));
            }
            Ok(())
        });
        if let Err(err) = listed {
            unchecked.push((name, format!("{FOLDER}{}", unreadable(&err))));
        }
        entries.sort();
        for (entry, listed_dir) in entries {
            let file_name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file_name.starts_with('.') {
                continue;
            }
            match fs::symlink_metadata(&entry) {
                Ok(meta) if meta.is_dir() => {
                    let rejected = rejected || file_name == REJECTED_DIR;
                    walk(&entry, false, rejected, out, unchecked);
                }
                Ok(_) if is_payload_file_name(&file_name) => {
                    walk(&entry, false, rejected, out, unchecked);
                }
                Ok(_) => {}
                // Listed, then gone or not to be looked at: a folder or a payload file is
                // not checked (the walk into it says why).
                Err(_) if listed_dir || is_payload_file_name(&file_name) => {
                    walk(&entry, false, rejected, out, unchecked);
                }
                Err(_) => {}
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
