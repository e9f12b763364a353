//! What a run read and kept, and the lines on stderr that say so.

use super::Keep;
use crate::diagnostics::count;
use crate::model::webhook::EventCounts;

/// What a whole run read and kept, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// POST-hook payloads read (every copy).
    pub payloads: u64,
    /// Webhook events read, and the conversations assembled from them.
    pub events: EventCounts,
    pub conversations_assembled: u64,
    pub selected: u64,
    /// Copies dropped by `--keep`: re-sent payloads or, with `--rows events`, re-delivered
    /// identical events.
    pub dropped: u64,
    /// Of those, copies whose content differed from the kept one.
    pub differing: u64,
    /// The rows are webhook events (`--rows events`), not conversations.
    pub event_rows: bool,
    pub keep: Keep,
    pub verbose: bool,
}

impl Summary {
    /// What was read, for messages such as "no conversation 5 matches (read 27 payloads)".
    pub fn read(&self) -> String {
        let payloads = count(self.payloads, "payload", "payloads");
        match self.events.events {
            0 => payloads,
            n => format!(
                "{payloads} and {}",
                count(n, "webhook event", "webhook events")
            ),
        }
    }

    /// The dedupe line on stderr, when there were duplicates: one line, however many
    /// (`--verbose` lists the differing copies as they are met).
    pub fn report_duplicates(&self, quiet: bool) {
        if quiet || self.dropped == 0 {
            return;
        }
        if self.event_rows {
            eprintln!(
                "sshook: {} dropped (identical events; the {} copy read is kept)",
                count(self.dropped, "re-delivered event", "re-delivered events"),
                self.keep.as_str()
            );
            return;
        }
        let differing = match self.differing {
            0 => String::new(),
            n if self.verbose => format!("; {n} differed from the kept copy"),
            n => format!("; {n} differed from the kept copy (--verbose lists them)"),
        };
        eprintln!(
            "sshook: {} dropped (same channel.id; the {} copy read is kept){differing}",
            count(self.dropped, "re-sent copy", "re-sent copies"),
            self.keep.as_str(),
        );
    }
}
