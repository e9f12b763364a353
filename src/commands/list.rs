//! `sshook list`: one row per conversation, a table for people or CSV / TSV / NDJSON for
//! programs.

use anyhow::Result;

use crate::cli::{GlobalArgs, InputArgs};
use crate::input::follow::{self, FollowArgs};
use crate::output::Output;
use crate::render::encode::{Encoder, Format, Options, RowWriter};
use crate::render::rows::{Columns, RowKind};
use crate::render::table::Width;
use crate::report::Diagnostics;
use crate::select::{self, Flow, SelectArgs, Selection};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook list dumps/
  sshook list dumps/ --since 2026-03-01 --status missed --sort begin --reverse --limit 20
  sshook list dumps/ --agent 'John Doe' --rated --tz Europe/Prague
  sshook list dumps/ --format csv > conversations.csv

Columns: channel_id, begin_at (in the display zone), duration (seconds), status,
visitor_name, visitor_country_code, agents, messages_counted (visitor and agent messages,
trigger messages included), rating, first_visitor_message (cut short in the table only).
For every column, use `sshook export`.";

/// The columns of `list`, named as in `sshook export --list-columns`.
const COLUMNS: [&str; 10] = [
    "channel_id",
    "begin_at",
    "duration",
    "status",
    "visitor_name",
    "visitor_country_code",
    "agents",
    "messages_counted",
    "rating",
    "first_visitor_message",
];

/// List conversations, one row each.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// table (fitted to the terminal), csv, tsv or ndjson; the column names are the header
    /// and the NDJSON keys.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table, value_name = "FORMAT")]
    pub format: Format,

    /// Show at most N conversations.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub select: SelectArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    follow::check(&args.follow, args.format != Format::Table, &args.select)?;
    let selection = Selection::new(&args.select)?;
    let names: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let columns = Columns::new(RowKind::Conversations, &names, &[])?;
    let options = Options {
        table_width: Width::for_output(true),
        color: global.color.stdout(),
        ..Options::default()
    };
    let encoder = Encoder::new(columns, args.format, selection.zone.clone(), options)?;
    let discovery = follow::discover_following(&args.input.inputs, args.follow.follow.as_deref())?;
    let mut diagnostics = Diagnostics::new(global);
    diagnostics.report_all(&discovery.findings);

    let mut out = Output::open(None)?;
    let mut writer = RowWriter::start(&encoder, &mut out)?;
    let limit = args.limit.unwrap_or(u64::MAX);
    let summary = select::stream(
        &discovery.sources,
        &selection,
        &mut diagnostics,
        |doc| encoder.render(doc),
        |rendered| {
            if writer.rows() >= limit {
                return Ok(Flow::Stop);
            }
            writer.write(rendered?)?;
            Ok(if writer.rows() >= limit {
                Flow::Stop
            } else {
                Flow::Continue
            })
        },
    )?;
    writer.finish()?;
    out.finish()?;
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}
