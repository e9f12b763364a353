//! `sshook list`: one row per conversation, a table for people or CSV / TSV / NDJSON for
//! programs.

use anyhow::Result;

use crate::cli::{GlobalArgs, InputArgs};
use crate::input;
use crate::output::Output;
use crate::render::encode::{Encoder, Format, Options, RowWriter};
use crate::render::rows::{Columns, RowKind};
use crate::render::table::WideArgs;
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

/// The columns of `list`, named as in `sshook export --list-columns`, each with its priority
/// in a table too narrow for all of them (0 the most important; the highest hide first).
const COLUMNS: [(&str, u16); 10] = [
    ("channel_id", 0),
    ("begin_at", 1),
    ("duration", 6),
    ("status", 2),
    ("visitor_name", 3),
    ("visitor_country_code", 9),
    ("agents", 5),
    ("messages_counted", 7),
    ("rating", 8),
    ("first_visitor_message", 4),
];

/// List conversations, one row each.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// table (fitted to the terminal), csv, tsv or ndjson; the column names are the header
    /// and the NDJSON keys.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table, value_name = "FORMAT")]
    pub format: Format,

    /// Show at most N conversations.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub wide: WideArgs,

    #[command(flatten)]
    pub select: SelectArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let selection = Selection::new(&args.select)?;
    let names: Vec<String> = COLUMNS.iter().map(|(c, _)| c.to_string()).collect();
    let columns = Columns::new(RowKind::Conversations, &names, &[])?;
    let options = Options {
        table_width: args.wide.width(true),
        table_priority: COLUMNS.iter().map(|(_, p)| *p).collect(),
        color: global.color.stdout(),
        ..Options::default()
    };
    let encoder = Encoder::new(columns, args.format, selection.zone.clone(), options)?;
    let discovery = input::discover(&args.input.inputs)?;
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
