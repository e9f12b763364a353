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
    memory: u64,
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
            .and_then(|c| c.fields.contact_id.clone());
        if let (Some(conversation), Some(contact)) = (&facts.conversation_id, contact) {
            if rule.contact(&contact) {
                gone.insert(conversation.clone());
            }
            contacts.push((conversation.clone(), contact));
        }
        assembler.add(facts, &origin)?;
    }
    let mut tally = Tally::default();
    for assembled in assembler.finish()? {
        let assembled = assembled?;
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
    // POST-hook conversations are counted by a 64-bit hash of their id: a prune of millions
    // holds 8 bytes for each, not a string.
    let mut payload_conversations: HashSet<u64> = HashSet::new();
    let mut event_conversations: HashSet<String> = HashSet::new();

    let mut report = Report::new(dry_run);
    for (target, scanned) in targets.into_iter().zip(scanned) {
        let mut scanned = match scanned {
            Ok(scanned) => scanned,
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
            diagnostics.report_all(&scanned.bad);
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
