//! Selection, shared by list, show, export, stats and report: which conversations pass the
//! flags ([`filter`]), the one streaming loop that reads and applies them ([`stream`]), which
//! copies go on and in what order ([`keep`]), and what the run read ([`summary`]).
//!
//! The settings come from the command line (`src/cli/`) as a [`Selection`]; nothing here
//! knows the flags' spelling.

pub mod filter;
mod keep;
mod seen;
mod stream;
mod summary;

pub use crate::input::Flow;
pub use filter::{Filter, RatingRange, StatusWord};
pub use keep::{Keep, SortKey};
pub use stream::{stream, stream_events};
pub use summary::Summary;

use crate::model::document::Document;
use crate::model::payload::Payload;
use crate::model::time::DisplayZone;
use crate::privacy::redact::Redactor;

/// The resolved selection of a run.
#[derive(Debug, Clone)]
pub struct Selection {
    pub zone: DisplayZone,
    pub filter: Filter,
    pub keep: Keep,
    /// List each differing re-sent copy on stderr, not only their number.
    pub verbose: bool,
    pub sort: Option<SortKey>,
    pub reverse: bool,
    /// At most this many selected conversations reach the sink.
    pub limit: Option<u64>,
    /// `--redact`: applied to every selected document before `work` sees it.
    pub redactor: Option<Redactor>,
    /// `--memory`: bytes the assembly of webhook events may hold before it spills to
    /// temporary files.
    pub memory: u64,
}

impl Selection {
    /// A selection that keeps everything, shown in `zone`.
    pub fn all(zone: DisplayZone) -> Selection {
        Selection {
            zone,
            filter: Filter::default(),
            keep: Keep::First,
            verbose: false,
            sort: None,
            reverse: false,
            limit: None,
            redactor: None,
            memory: crate::model::webhook::DEFAULT_MEMORY,
        }
    }

    /// Runs `work` on `doc` as the commands see it: redacted with `--redact`. The one place
    /// redaction is applied (report and every reading command go through here).
    pub fn work<R>(&self, doc: &Document, work: &dyn Fn(&Document) -> R) -> R {
        match &self.redactor {
            Some(redactor) => redactor.document(doc, work),
            None => work(doc),
        }
    }

    /// The explicit `--since`/`--until` range as local days in the display zone (the first
    /// day, and the last day the range touches), or `None` when neither was given.
    pub fn range_days(&self) -> Option<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)> {
        let (since, until) = (self.filter.since, self.filter.until);
        if since.is_none() && until.is_none() {
            return None;
        }
        let day = |ms: i64| self.zone.zoned(ms).map(|z| z.date());
        Some((since.and_then(day), until.and_then(|u| day(u - 1))))
    }

    fn sort_key(&self, p: &Payload) -> Option<i64> {
        match self.sort? {
            SortKey::Begin => Some(p.begin_at),
            SortKey::Id => p.channel.id,
            SortKey::Duration => p.channel.duration,
            SortKey::Rating => p.channel.rating,
        }
    }
}
