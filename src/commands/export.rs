//! `sshook export`: conversations, messages or whole payloads as CSV, TSV, NDJSON, JSON or a
//! table, streamed: rows are written as payloads are read.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::{GlobalArgs, InputArgs};
use crate::input;
use crate::output::Output;
use crate::render::encode::{Encoder, Format, Options, RowWriter};
use crate::render::rows::{column_list, Columns, RowKind};
use crate::render::table::Width;
use crate::report::Diagnostics;
use crate::select::{self, Flow, SelectArgs, Selection};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook export dumps/ -o chats.csv                     # one row per conversation
  sshook export dumps/ --rows messages -o messages.csv  # one row per message
  sshook export dumps/ --rows payloads -o all.ndjson.gz # merge every payload into one file
  sshook export dumps/ --columns channel_id,begin_at,rating,visitor_email --since 7d
  sshook export dumps/ --var userId --var chatPackage --format ndjson | jq .var_userId
  sshook export dumps/ --excel -o for-excel.csv         # BOM, CRLF, formula guard
  sshook export --list-columns --rows messages
  duckdb -c \"SELECT status, count(*) FROM read_csv_auto('chats.csv') GROUP BY 1\"

Times are RFC 3339 in UTC unless --tz or --utc says otherwise. Empty values are empty cells
(null in JSON). -o FILE is replaced only when the export succeeds; a .gz name compresses.
Bad inputs are reported on stderr, the good payloads are exported, and the exit status is 1.";

/// Export conversations, messages or payloads to CSV, TSV, NDJSON, JSON or tables.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// What a row is: a conversation, a message, or a whole payload as JSON.
    #[arg(long, value_enum, default_value_t = RowKind::Conversations, value_name = "KIND")]
    pub rows: RowKind,

    /// csv, tsv, ndjson, json or table. Default: csv; ndjson for --rows payloads.
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Write to FILE instead of standard output, atomically; FILE.gz is compressed.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The columns to write, in this order (see --list-columns); var_KEY names a variable.
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub columns: Vec<String>,

    /// Print the columns of --rows with what each holds, and exit.
    #[arg(long)]
    pub list_columns: bool,

    /// Add a column var_KEY with the visitor's custom variable KEY. Repeat for several.
    #[arg(long = "var", value_name = "KEY")]
    pub vars: Vec<String>,

    /// Field separator of csv and tsv: one character, or \t / tab.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Leave out the header row of csv and tsv.
    #[arg(long)]
    pub no_header: bool,

    /// For spreadsheets: a UTF-8 BOM, CRLF line ends, and --safe.
    #[arg(long)]
    pub excel: bool,

    /// Put a ' before text cells that start with =, +, -, @, a tab or CR, so a spreadsheet
    /// does not run them as formulas. Numbers stay numbers.
    #[arg(long)]
    pub safe: bool,

    #[command(flatten)]
    pub select: SelectArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    if args.list_columns {
        print!("{}", column_list(args.rows));
        return Ok(Outcome::Ok);
    }
    let columns = Columns::new(args.rows, &args.columns, &args.vars)?;
    let selection = Selection::new(&utc_unless_told(&args.select))?;
    let format = args.format.unwrap_or(match args.rows {
        RowKind::Payloads => Format::Ndjson,
        _ => Format::Csv,
    });
    let to_stdout = args.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    let options = Options {
        delimiter: args.delimiter,
        header: !args.no_header,
        excel: args.excel,
        safe: args.safe,
        table_width: Width::for_output(to_stdout),
        color: to_stdout && global.color.stdout(),
        ..Options::default()
    };
    let encoder = Encoder::new(columns, format, selection.zone.clone(), options)?;
    let discovery = input::discover(&args.input.inputs)?;
    let mut diagnostics = Diagnostics::new(global);
    diagnostics.report_all(&discovery.findings);

    let mut out = Output::open(args.output.as_deref())?;
    let mut writer = RowWriter::start(&encoder, &mut out)?;
    let summary = select::stream(
        &discovery.sources,
        &selection,
        &mut diagnostics,
        |doc| encoder.render(doc),
        |rendered| {
            writer.write(rendered?)?;
            Ok(Flow::Continue)
        },
    )?;
    let rows = writer.rows();
    writer.finish()?;
    out.finish()?;

    if !global.quiet {
        let what = match args.rows {
            RowKind::Conversations => "conversations",
            RowKind::Messages => "messages",
            RowKind::Payloads => "payloads",
        };
        eprintln!(
            "export: {} payloads read, {rows} {what} written",
            summary.payloads
        );
    }
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// Export writes UTC unless a zone is asked for: files should not depend on where they were
/// made.
fn utc_unless_told(select: &SelectArgs) -> SelectArgs {
    let mut select = select.clone();
    if select.tz.is_none() {
        select.utc = true;
    }
    select
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 => Ok(text.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character (or \\t), not {text:?}"
        )),
    }
}
