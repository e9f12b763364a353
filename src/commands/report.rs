//! `sshook report`: one self-contained HTML page of charts and tables for the selection —
//! the figures of `sshook stats`, drawn.

use std::io::Write;

use anyhow::Result;

use crate::cli::output::{resolve_format, OutputArgs};
use crate::cli::select::SelectArgs;
use crate::cli::values::ReportFormatArg;
use crate::cli::{self, GlobalArgs, InputArgs};
use crate::diagnostics::count;
use crate::output::Output;
use crate::render::{self, report::Context};
use crate::select::{self, Flow};
use crate::stats::overview::{Facts, OverviewTally};
use crate::Outcome;

const EXAMPLES: &str = "\
The page holds: headline figures (each defined on hover and in a footnote), conversations
per day / week / month (chosen by the span) stacked by status, the missed rate over the same
periods (a first or last period the selection covers only in part drawn lighter, and named in
a note with a lone period far from the rest), the distribution of first response times with median and p90, a weekday × hour
heatmap in the display zone, ratings, a table per agent, and the top countries, groups and
triggers. It is one file with no scripts and no network access: open it from disk or mail it.
Its figures are those of `sshook stats` for the same selection (`--format json`).

Examples:
  sshook report dumps/ -o report.html
  sshook report dumps/ --since 2026-03-01 --until 2026-04-01 --tz Europe/Prague -o march.html
  # every Monday at 07:00, last week's report by mail (crontab -e):
  0 7 * * 1  sshook report /srv/chats --since 7d -o /tmp/chats.html -q && mail -s 'Chats' -A /tmp/chats.html lead@example.com < /dev/null";

/// A self-contained HTML report with charts: volumes, missed rate, response times, busy
/// hours, ratings, agents, countries, groups, triggers.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    // Boxed: the selection flags are most of the size of every command's arguments.
    #[command(flatten)]
    pub select: Box<SelectArgs>,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    resolve_format(None, &args.output, ReportFormatArg::Html)?;
    let selection = args.select.selection(global)?;
    let Some((sources, mut diagnostics)) = cli::open_inputs(&args.input.inputs, None, global)?
    else {
        return Ok(Outcome::BadInput);
    };

    let zone = &selection.zone;
    let mut tally = OverviewTally::new(selection.range_days());
    let summary = select::stream(
        &sources,
        &selection,
        &mut diagnostics,
        |doc| Facts::new(&doc.payload, zone),
        |facts| {
            tally.add(facts);
            Ok(Flow::Continue)
        },
    )?;
    let overview = tally.finish();
    let zone_name = zone.tz.iana_name().unwrap_or("UTC");
    let page = render::report::page(&overview, &Context { zone: zone_name });

    let mut out = Output::open(args.output.file())?;
    out.write_all(page.as_bytes())?;
    out.finish()?;
    if !global.quiet {
        let place = match args.output.file() {
            Some(file) => file.display().to_string(),
            None => String::from("standard output"),
        };
        eprintln!(
            "report: {} read, {} in {place}",
            summary.read(),
            count(summary.selected, "conversation", "conversations")
        );
    }
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}
