//! `sshook stats`: figures for the whole selection and per day, week, month, hour, weekday,
//! agent, country, group or status — nested when `--by` is repeated.

use anyhow::{bail, Result};

use crate::cli::output::WideArgs;
use crate::cli::output::{resolve_format, OutputArgs};
use crate::cli::select::SelectArgs;
use crate::cli::values::{ByArg, StatsFormatArg};
use crate::cli::{self, GlobalArgs, InputArgs};
use crate::diagnostics::Diagnostics;
use crate::input::Source;
use crate::output::Output;
use crate::render::stats::{self as render, StatsFormat, TableStyle};
use crate::render::xlsx;
use crate::select::{self, Flow, Selection, Summary};
use crate::stats::{AgentFigures, Conversation, Dimension, Figures, Grouping, Report, Tally};
use crate::Outcome;

const MANUAL: &str = "\
Figures (names are the JSON keys and CSV headers):
  conversations, chats (isChat true), completed, incomplete, missed, offline, dropped, open
      conversations per status word (open: assembled from webhook events and not closed yet;
      else the first that holds of offline, missed, dropped, completed, else incomplete: they
      add up to conversations); triggered (isTriggered). Conversations assembled from webhook
      events count like POST-hook ones.
  missed_rate          missed / conversations, a fraction (0.25); null with no conversations.
  first_response_mean, _median, _p90, _max; avg_response_mean, _median
      seconds, from the recorded channel.firstResponse / channel.avgResponse of conversations
      with isChat true and a non-null value.
  duration_mean, duration_median
      seconds, channel.duration of every conversation that has one.
  messages_recorded, words_recorded
      sums of channel.messagesCount / channel.wordsCount where present.
  messages_counted, words_counted
      sums of what sshook counts: visitor and agent messages (trigger messages included,
      system events not) and their whitespace-separated words.
  rated, rating_mean, rating_1 … rating_5
      conversations with a rating, their mean rating, and how many gave each of 1 … 5
      (a rating outside 1..5 counts in rated and rating_mean only).

Exact: a median of an even count is the mean of the two middle values; p90 is the nearest
rank, the ⌈0.9·n⌉-th smallest value. A figure no value entered is null (empty in CSV), never
0; counts are 0. Means and medians are fractions at full precision (rounded only in tables).

--by agent: an agent takes part in a conversation when it sent a message there (type agent,
from agent:N; trigger messages are nobody's). The key is its display name (its `from`, as
agent:3, when the name is empty). Its figures replace the ones above:
  conversations        conversations it wrote in,
  messages             its own messages,
  first_response_mean, _median, _p90
      seconds as fractions, (sentAt of its first message after the conversation's first
      visitor message − sentAt of that visitor message) / 1000; none when it wrote nothing
      after that message.
  rating_mean          the mean rating of the rated conversations it wrote in.
Conversations without agent messages are in no agent group, but in the total, whose
conversations are the whole selection, messages every agent message, and first response
times those of every agent in every conversation.

Groups: day (YYYY-MM-DD), week (ISO, YYYY-Www), month (YYYY-MM), hour (0–23) and weekday
(Mon–Sun) of beginAt in the display zone (--tz, --utc, or the system's); country is
visitor.countryCode, group visitor.group or visitor.groupKey; a missing or empty value is an
empty key. Time groups come in time order, statuses as listed above, agents, countries and
groups by conversations (most first), then by name; empty keys last. A second --by nests
inside the first: one row per pair of keys that has conversations. Empty periods appear only
inside an explicit range: when --by day, week or month comes first and --since or --until is
given, every period of that range without a row gets one zero row (inner keys empty), so plots
have no holes (an open end of the range is the data's own first or last period); without a
range, only periods that have conversations are listed.

Output: csv, tsv and ndjson give one row per group, group columns first, then the total row
with empty group columns (always the last row). json gives {\"by\", \"groups\", \"total\"}.
xlsx (-o FILE.xlsx) is a workbook: days as dates, figures as numbers, rates as percentages,
a frozen header and an autofilter over the groups, the total after an empty row. The default
is a table on a terminal; otherwise the -o file's extension (.csv, .tsv, .ndjson, .json,
.xlsx, .txt for a table), else csv — the same rule as list.

Examples:
  sshook stats dumps/
  sshook stats dumps/ --tz Europe/Prague --by day --format csv > days.csv
  sshook stats dumps/ --by month --by agent
  sshook stats dumps/ --by day --by status -o days.xlsx
  sshook stats dumps/ --since 2026-03-01 --by status --format json | jq .total";

/// Figures per day, week, month, hour, weekday, agent, country, group or status.
#[derive(Debug, clap::Args)]
#[command(after_long_help = MANUAL)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Group by this; repeat to nest (--by month --by agent).
    #[arg(long, value_enum, value_name = "KEY")]
    pub by: Vec<ByArg>,

    /// Output format. Default: table on a terminal, else what the -o file's extension names,
    /// else csv.
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<StatsFormatArg>,

    /// Tables with an ASCII rule and bars.
    #[arg(long)]
    pub ascii: bool,

    /// Tables with every figure, not only the compact set (csv and json always have all).
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub wide: WideArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    // Boxed: the selection flags are most of the size of every command's arguments.
    #[command(flatten)]
    pub select: Box<SelectArgs>,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let by: Vec<Dimension> = args.by.iter().map(|&b| b.into()).collect();
    for (i, dimension) in by.iter().enumerate() {
        if by[..i].contains(dimension) {
            bail!("--by {} is given twice", dimension.name());
        }
    }
    let default = if args.output.to_terminal() {
        StatsFormatArg::Table
    } else {
        StatsFormatArg::Csv
    };
    let format = StatsFormat::from(resolve_format(args.format, &args.output, default)?);
    let selection = args.select.selection(global)?;
    let Some((sources, mut diagnostics)) = cli::open_inputs(&args.input.inputs, None, global)?
    else {
        return Ok(Outcome::BadInput);
    };

    let sources = &sources;
    let (report, summary) = if by.contains(&Dimension::Agent) {
        tally::<AgentFigures>(sources, &selection, &mut diagnostics, &by)?
    } else {
        tally::<Figures>(sources, &selection, &mut diagnostics, &by)?
    };

    let mut out = Output::open(args.output.file())?;
    let to_stdout = out.is_stdout();
    let style = TableStyle {
        ascii: args.ascii,
        all: args.all,
        width: args.wide.width(to_stdout),
        color: to_stdout && global.color().stdout(),
    };
    match format {
        StatsFormat::Xlsx => xlsx::write_report(&mut out, &report, &selection.zone)?,
        _ => render::write(&mut out, &report, format, style)?,
    }
    out.finish()?;
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// Reads the selection once, adding each conversation's facts to the groups.
fn tally<T: Tally>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    by: &[Dimension],
) -> Result<(Report, Summary)> {
    let mut grouping = Grouping::<T>::new(by.to_vec(), selection.range_days());
    let zone = &selection.zone;
    let summary = select::stream(
        sources,
        selection,
        diagnostics,
        |doc| Conversation::new(&doc.payload, by, zone, T::NEEDS_AGENTS),
        |conversation| {
            grouping.add(&conversation);
            Ok(Flow::Continue)
        },
    )?;
    Ok((grouping.finish(), summary))
}
