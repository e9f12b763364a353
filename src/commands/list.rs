//! `sshook list`: one row per conversation, a table for people or CSV / TSV / NDJSON for
//! programs.

use anyhow::Result;

use crate::cli::follow::FollowArgs;
use crate::cli::output::WideArgs;
use crate::cli::output::{resolve_format, OutputArgs, OutputFormat};
use crate::cli::select::{OrderArgs, SelectArgs};
use crate::cli::values::XLSX_GZ;
use crate::cli::{self, GlobalArgs, InputArgs};
use crate::output::Output;
use crate::render::encode::{Encoder, Format, Options, RowWriter};
use crate::render::rows::{reading_columns, Columns, RowKind};
use crate::render::xlsx;
use crate::select::{self, Flow, Selection};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook list dumps/
  sshook list dumps/ --since 2026-03-01 --status missed --sort begin --reverse --limit 20
  sshook list dumps/ --agent 'John Doe' --rated --tz Europe/Prague
  sshook list dumps/ --format csv > conversations.csv
  sshook list dumps/ --since 7d -o week.xlsx

Columns: conversation_id (channel.id, or a webhook conversation's id), begin_at (in the display zone), duration (seconds), status,
visitor_name, visitor_country_code, agents, messages_counted (visitor and agent messages,
trigger messages included), rating, first_visitor_message (cut short in the table only).
For every column, use `sshook export`.";

/// List conversations, one row each.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// table (fitted to the terminal), csv, tsv, ndjson, json or xlsx (an Excel workbook,
    /// needs -o); the column names are the header and the JSON keys. Default: a table on a
    /// terminal, else what the -o file's extension names, else csv.
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<ListFormat>,

    /// The columns to show, in this order (any of `sshook export --list-columns`).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub columns: Vec<String>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub wide: WideArgs,

    #[command(flatten)]
    pub select: SelectArgs,

    #[command(flatten)]
    pub order: OrderArgs,
}

/// `list --format`: the row formats of export that make sense for a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A table for people, fitted to the terminal.
    Table,
    Csv,
    Tsv,
    /// One JSON object per line.
    Ndjson,
    /// One JSON array.
    Json,
    /// An Excel workbook: typed cells, a frozen header, an autofilter; needs -o.
    Xlsx,
}

impl ListFormat {
    fn rows(self) -> Format {
        match self {
            ListFormat::Table => Format::Table,
            ListFormat::Csv => Format::Csv,
            ListFormat::Tsv => Format::Tsv,
            ListFormat::Ndjson => Format::Ndjson,
            ListFormat::Json => Format::Json,
            ListFormat::Xlsx => Format::Xlsx,
        }
    }
}

impl OutputFormat for ListFormat {
    const COMMAND: &'static str = "list";
    const EXTENSIONS: &'static [(&'static str, ListFormat)] = &[
        ("csv", ListFormat::Csv),
        ("tsv", ListFormat::Tsv),
        ("tab", ListFormat::Tsv),
        ("ndjson", ListFormat::Ndjson),
        ("jsonl", ListFormat::Ndjson),
        ("json", ListFormat::Json),
        ("txt", ListFormat::Table),
        ("xlsx", ListFormat::Xlsx),
    ];

    fn refuses_gzip(self) -> Option<&'static str> {
        (self == ListFormat::Xlsx).then_some(XLSX_GZ)
    }

    fn needs_a_file(self) -> Option<&'static str> {
        (self == ListFormat::Xlsx).then_some("add -o FILE.xlsx")
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let selection = args.order.apply(args.select.selection(global)?);
    let default = if args.output.to_terminal() {
        ListFormat::Table
    } else {
        ListFormat::Csv
    };
    let format = resolve_format(args.format, &args.output, default)?;
    args.follow.check(
        format != ListFormat::Table && args.output.to_stdout(),
        args.order.sort.is_some(),
    )?;
    // Chosen columns rank in the order given; the default ones by their priority.
    let (names, priority): (Vec<String>, Vec<u16>) = if args.columns.is_empty() {
        reading_columns()
    } else {
        (
            args.columns.clone(),
            (0..args.columns.len() as u16).collect(),
        )
    };
    let columns = Columns::new(RowKind::Conversations, &names, &[])?;
    if format == ListFormat::Xlsx {
        let renderer = xlsx::Renderer::new(RowKind::Conversations, columns, selection.zone.clone());
        return write_workbook(&args, global, &selection, &renderer);
    }
    let options = Options {
        table_width: args.wide.width(args.output.to_stdout()),
        table_priority: priority,
        color: args.output.to_stdout() && global.color().stdout(),
        ..Options::default()
    };
    let encoder = Encoder::new(columns, format.rows(), selection.zone.clone(), options)?;
    let follow = args.follow.follow();
    let Some((sources, mut diagnostics)) = cli::open_inputs(&args.input.inputs, follow, global)?
    else {
        return Ok(Outcome::BadInput);
    };

    let mut out = Output::open(args.output.file())?;
    let mut writer = RowWriter::start(&encoder, &mut out)?;
    let summary = select::stream(
        &sources,
        &selection,
        &mut diagnostics,
        |doc| encoder.render(doc.into()),
        |rendered| {
            writer.write(rendered?)?;
            Ok(Flow::Continue)
        },
    )?;
    writer.finish()?;
    out.finish()?;
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// `list -o FILE.xlsx`: the same rows as a workbook.
fn write_workbook(
    args: &Args,
    global: &GlobalArgs,
    selection: &Selection,
    renderer: &xlsx::Renderer,
) -> Result<Outcome> {
    let follow = args.follow.follow();
    let Some((sources, mut diagnostics)) = cli::open_inputs(&args.input.inputs, follow, global)?
    else {
        return Ok(Outcome::BadInput);
    };
    let out = Output::open(args.output.file())?;
    let mut writer = xlsx::XlsxWriter::start(renderer, out, &args.output.folder())?;
    let summary = select::stream(
        &sources,
        selection,
        &mut diagnostics,
        |doc| renderer.render(doc.into()),
        |fragment| {
            writer.write(&fragment?)?;
            Ok(Flow::Continue)
        },
    )?;
    let (out, written) = writer.finish()?;
    out.finish()?;
    if let Some(note) = written.note() {
        eprintln!("sshook: {note}");
    }
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}
