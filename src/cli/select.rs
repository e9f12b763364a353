//! The selection flags (`--since`, `--status`, `--keep`, `--sort`, `--limit`…) and their
//! turning into a [`Selection`].

use anyhow::{bail, Result};
use clap::Args;

use super::privacy::RedactArgs;
use super::values::{KeepArg, SortArg, StatusArg};
use super::GlobalArgs;
use crate::model::time::DisplayZone;
use crate::select::{Filter, Keep, RatingRange, Selection};

/// The selection flags, flattened into every command that reads conversations.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Selection")]
pub struct SelectArgs {
    /// Show, parse and group times in this IANA zone (e.g. Europe/Prague). Default: the
    /// system's zone (TZ is honoured).
    #[arg(long, value_name = "ZONE", conflicts_with = "utc")]
    pub tz: Option<String>,

    /// Use UTC as the display zone.
    #[arg(long)]
    pub utc: bool,

    /// Only conversations that began at or after this time (inclusive): 2026-03-01,
    /// 2026-03-01T14:00, 2026-03-01T14:00:00Z, or a span back from now like 7d, 12h.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only conversations that began before this time (exclusive); same forms as --since.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Only conversations with this status: open (assembled from webhook events, not closed
    /// yet), offline, missed, dropped, completed, incomplete, or the tag triggered. Repeat to
    /// allow several.
    #[arg(long, value_enum, value_name = "WORD")]
    pub status: Vec<StatusArg>,

    /// Only conversations rated N, or in a range like 4-5.
    #[arg(long, value_name = "N|A-B", value_parser = parse_rating_range)]
    pub rating: Option<RatingRange>,

    /// Only conversations with a rating.
    #[arg(long, conflicts_with = "unrated")]
    pub rated: bool,

    /// Only conversations without a rating.
    #[arg(long)]
    pub unrated: bool,

    /// Only conversations in which this agent wrote (display name, case-insensitive, or the
    /// agent id as in agent:3). Repeat to allow several.
    #[arg(long, value_name = "NAME")]
    pub agent: Vec<String>,

    /// Only visitors from this country code (e.g. CZ). Repeat to allow several.
    #[arg(long, value_name = "CODE")]
    pub country: Vec<String>,

    /// Only visitors whose name or email contains this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub visitor: Option<String>,

    /// Only conversations with a message containing this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,

    /// Only this conversation: a POST-hook channel.id, or a webhook conversation id. Repeat
    /// for several.
    #[arg(long, value_name = "ID")]
    pub id: Vec<String>,

    /// Only this Smartsupp account. Repeat for several.
    #[arg(long, value_name = "ID")]
    pub account: Vec<i64>,

    /// Which copy of a re-sent conversation (same channel.id) to keep: first (the first read,
    /// in input order; numbered copies `X.1.json`, `X.2.json` that serve stores are read after
    /// `X.json`, in the order received), last (the last read: the conversation as last sent;
    /// holds the selection until the end of input), or all.
    #[arg(long, value_enum, value_name = "WHICH", default_value_t = KeepArg::First)]
    pub keep: KeepArg,

    /// The same as --keep all.
    #[arg(long, hide = true, conflicts_with = "keep")]
    pub keep_duplicates: bool,

    /// `--redact` and its companions.
    #[command(flatten)]
    pub redact: RedactArgs,
}

/// Order and count of the conversations written: for the commands whose output has an
/// order (list, show, export); stats and report do not offer them.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Selection")]
pub struct OrderArgs {
    /// Sort the selected conversations (default: input order, which streams).
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<SortArg>,

    /// Reverse the --sort order.
    #[arg(long, requires = "sort")]
    pub reverse: bool,

    /// Write at most N conversations (the first N selected, after --sort), and stop reading
    /// as soon as they are written when nothing is sorted.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u64>,
}

impl SelectArgs {
    /// The selection these flags ask for (without order and limit: see [`OrderArgs::apply`]).
    pub fn selection(&self, global: &GlobalArgs) -> Result<Selection> {
        let zone = self.zone()?;
        let now = jiff::Timestamp::now();
        let instant = |text: &Option<String>| {
            text.as_deref()
                .map(|t| zone.parse_instant(t, now))
                .transpose()
        };
        let (since, until) = (instant(&self.since)?, instant(&self.until)?);
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                bail!("--since must come before --until");
            }
        }
        let lower = |v: &Option<String>| v.as_ref().map(|s| s.to_lowercase());
        let filter = Filter {
            since,
            until,
            statuses: self.status.iter().map(|&w| w.into()).collect(),
            rating: self.rating,
            rated: match (self.rated, self.unrated) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            agents: self.agent.iter().map(|a| a.to_lowercase()).collect(),
            countries: self.country.iter().map(|c| c.to_lowercase()).collect(),
            visitor: lower(&self.visitor),
            grep: lower(&self.grep),
            ids: self.id.clone(),
            accounts: self.account.clone(),
        };
        Ok(Selection {
            zone,
            filter,
            keep: if self.keep_duplicates {
                Keep::All
            } else {
                self.keep.into()
            },
            verbose: global.verbose,
            sort: None,
            reverse: false,
            limit: None,
            redactor: self.redact.redactor()?,
            memory: global.memory(),
        })
    }

    /// The display zone: `--tz`, `--utc`, or the system's.
    pub fn zone(&self) -> Result<DisplayZone> {
        DisplayZone::resolve(self.tz.as_deref(), self.utc)
    }

    /// Whether the user named a zone (`--tz` or `--utc`) rather than leaving the system's.
    pub fn names_a_zone(&self) -> bool {
        self.tz.is_some() || self.utc
    }
}

impl OrderArgs {
    /// `selection`, ordered and cut as `--sort`, `--reverse` and `--limit` say.
    pub fn apply(&self, mut selection: Selection) -> Selection {
        selection.sort = self.sort.map(Into::into);
        selection.reverse = self.reverse;
        selection.limit = self.limit;
        selection
    }
}

fn parse_rating_range(text: &str) -> Result<RatingRange, String> {
    let (low, high) = match text.split_once(['-', ':']) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => match text.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (text.trim(), text.trim()),
        },
    };
    let number = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("expected a rating like 5 or 4-5, not {text:?}"))
    };
    let (low, high) = (number(low)?, number(high)?);
    if low > high {
        return Err(format!("empty rating range {text:?}"));
    }
    Ok(RatingRange { low, high })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_ranges() {
        assert_eq!(
            parse_rating_range("4-5"),
            Ok(RatingRange { low: 4, high: 5 })
        );
        assert_eq!(parse_rating_range("3"), Ok(RatingRange { low: 3, high: 3 }));
        assert!(parse_rating_range("5-4").is_err());
        assert!(parse_rating_range("good").is_err());
    }
}
