//! `sshook prune`: remove conversations that began before a date (a retention policy), with
//! the safety of `erase` (see [`crate::privacy`]).

use anyhow::Result;

use crate::cli::privacy::RewriteArgs;
use crate::cli::GlobalArgs;
use crate::model::payload::Payload;
use crate::model::time::DisplayZone;
use crate::model::webhook::Event;
use crate::privacy::rewrite::{self, Rule};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook prune dumps/ --before 2024-03-01 --dry-run
  sshook prune dumps/ --before 2024-03-01 --tz Europe/Prague >> retention.log
  sshook prune dumps/ --before 730d          # keep two years, from cron

A conversation began at its POST-hook beginAt; one assembled from webhook events at its
assembled begin (the earliest created_at, else its first message or event). A contact event
of no conversation goes when its own time is before the date. Files are rewritten as by
`sshook erase`: atomically, every other document's bytes kept, a file left empty deleted.";

/// Remove conversations that began before a date (retention).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub rewrite: RewriteArgs,

    /// Remove conversations that began before this time (exclusive), in the display zone:
    /// 2026-03-01, 2026-03-01T14:00, 2026-03-01T14:00:00Z, or a span back from now like 365d.
    #[arg(long, value_name = "DATE", required = true)]
    pub before: String,

    /// The display zone for --before (IANA, e.g. Europe/Prague). Default: the system's zone.
    #[arg(long, value_name = "ZONE", conflicts_with = "utc")]
    pub tz: Option<String>,

    /// Use UTC as the display zone.
    #[arg(long)]
    pub utc: bool,
}

struct Before(i64);

impl Rule for Before {
    fn conversation(&self, p: &Payload) -> bool {
        p.begin_at < self.0
    }

    fn loose_event(&self, e: &Event) -> bool {
        e.timestamp < self.0
    }

    /// serve names a rejected body by the time it was received: `20260301T120000.123Z-0.json`.
    fn rejected_body(&self, name: &str, _text: &[u8]) -> bool {
        received_at(name).is_some_and(|t| t < self.0)
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let zone = DisplayZone::resolve(args.tz.as_deref(), args.utc)?;
    let before = zone.parse_instant(&args.before, jiff::Timestamp::now())?;
    let mut diagnostics = global.diagnostics();
    rewrite::run(
        "prune",
        &args.rewrite.dumps,
        args.rewrite.dry_run,
        &Before(before),
        &mut diagnostics,
        global.memory(),
    )?;
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// The receiving time in a name `serve` gave a rejected body, in epoch milliseconds.
fn received_at(name: &str) -> Option<i64> {
    let stamp = name.split('-').next()?;
    let time = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%S%.fZ", stamp).ok()?;
    Some(
        time.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rejected_names_carry_their_time() {
        assert_eq!(
            super::received_at("20260301T120000.123Z-0.json"),
            Some(1_772_366_400_123)
        );
        assert_eq!(super::received_at("chats.json"), None);
    }
}
