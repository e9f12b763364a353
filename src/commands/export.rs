//! `sshook export`: conversations, messages or whole payloads as CSV, TSV, NDJSON, JSON or a
//! table, streamed: rows are written as payloads are read.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::cli::follow::FollowArgs;
use crate::cli::output::{resolve_format, OutputArgs, WideArgs};
use crate::cli::select::{OrderArgs, SelectArgs};
use crate::cli::values::{CompressionArg, ExportFormatArg, PartitionArg, RowsArg};
use crate::cli::{self, GlobalArgs, InputArgs};
use crate::diagnostics::count;
use crate::model::time::DisplayZone;
use crate::output::{Closed, Output};
use crate::render::encode::{Encoder, Format, Options, Rendered, RowWriter};
#[cfg(feature = "parquet")]
use crate::render::parquet;
use crate::render::partition::{Part, PartitionBy, Tree};
use crate::render::rows::{column_list, reading_columns, Columns, Record, RowKind};
use crate::render::xlsx;
use crate::select::{self, Flow, Selection};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook export dumps/ -o chats.csv                     # one row per conversation
  sshook export dumps/ --rows messages -o messages.csv  # one row per message
  sshook export dumps/ --rows payloads -o all.ndjson.gz # merge every payload into one file
  sshook export dumps/ --columns channel_id,begin_at,rating,visitor_email --since 7d
  sshook export dumps/ --var userId --var chatPackage --format ndjson | jq .var_userId
  sshook export dumps/ --excel -o for-excel.csv         # BOM, CRLF, formula guard
  sshook export dumps/ --rows messages -o messages.xlsx # a workbook: typed cells, filters
  sshook export --list-columns --rows messages
  sshook export dumps/ -f parquet -o chats.parquet      # typed columns for warehouses
  sshook export dumps/ -f parquet --partition-by month -o out  # out/month=2025-03/*.parquet
  duckdb -c \"FROM read_parquet('out/**/*.parquet', hive_partitioning = true) LIMIT 5\"
  duckdb -c \"SELECT status, count(*) FROM read_csv_auto('chats.csv') GROUP BY 1\"

Times are written as RFC 3339 in UTC unless --tz or --utc names a zone; --since, --until
and partition days are read in the display zone (the system's unless --tz/--utc), as in
every command, and a workbook's date-times are wall-clock times in it. Empty values are empty cells
(null in JSON). -o FILE is replaced only when the export succeeds; a .gz name compresses.
Bad inputs are reported on stderr, the good payloads are exported, and the exit status is 1.";

/// Export conversations, messages or payloads to CSV, TSV, NDJSON, JSON, tables or Parquet.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// What a row is: a conversation, a message, or a whole payload as JSON.
    #[arg(long, value_enum, default_value_t = RowsArg::Conversations, value_name = "KIND")]
    pub rows: RowsArg,

    /// csv, tsv, ndjson, json, table, parquet or xlsx. Default: what the -o file's extension
    /// names (.csv, .tsv, .ndjson/.jsonl, .json, .parquet, .xlsx, .txt for a table; each .gz
    /// but parquet and xlsx), else csv (ndjson for --rows payloads).
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormatArg>,

    /// With --partition-by, -o names the folder to write the partitions in.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Write a Hive-style folder tree, -o DIR/month=2025-03/part-00000.csv, by the start of
    /// the conversation in the display zone (messages go with their conversation) or by
    /// account. Each partition written is replaced whole; the others are left alone.
    #[arg(long, value_enum, value_name = "KEY")]
    pub partition_by: Option<PartitionArg>,

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

    /// The codec of Parquet's columns: zstd (smaller), snappy (for old readers) or none.
    #[arg(long, value_enum, value_name = "CODEC")]
    pub compression: Option<CompressionArg>,

    #[command(flatten)]
    pub wide: WideArgs,

    #[command(flatten)]
    pub select: SelectArgs,

    #[command(flatten)]
    pub order: OrderArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let kind = RowKind::from(args.rows);
    let partition_by = args.partition_by.map(PartitionBy::from);
    if args.list_columns {
        print!("{}", column_list(kind));
        return Ok(Outcome::Ok);
    }
    let selection = args.order.apply(args.select.selection(global)?);
    let default = match kind {
        RowKind::Payloads => ExportFormatArg::Ndjson,
        _ => ExportFormatArg::Csv,
    };
    let format = Format::from(if partition_by.is_some() {
        // -o names a folder; its name says nothing about the format.
        args.format.unwrap_or(default)
    } else {
        resolve_format(args.format, &args.output, default)?
    });
    // A table of conversations for people shows the columns a person reads (as `list`);
    // `--columns` names others, and `--wide` shows every column.
    let reading = format == Format::Table
        && kind == RowKind::Conversations
        && args.columns.is_empty()
        && !args.wide.wide;
    let (names, priority) = match reading {
        true => reading_columns(),
        false => (args.columns.clone(), Vec::new()),
    };
    let columns = Columns::new(kind, &names, &args.vars)?;
    let to_stdout = args.output.to_stdout();
    check_destination(&args, format, to_stdout)?;
    args.follow.check(
        to_stdout && format != Format::Parquet,
        args.order.sort.is_some(),
    )?;
    if args.compression.is_some() && format != Format::Parquet {
        bail!("--compression applies to parquet (name a csv or ndjson file .gz to compress it)");
    }
    let renderer = if format == Format::Parquet {
        Renderer::columns(columns, &args)?
    } else if format == Format::Xlsx {
        Renderer::sheet(kind, columns, &args, &selection)?
    } else {
        let options = Options {
            delimiter: args.delimiter,
            header: !args.no_header,
            excel: args.excel,
            safe: args.safe,
            table_width: args.wide.width(to_stdout),
            table_priority: priority,
            color: to_stdout && global.color().stdout(),
            ..Options::default()
        };
        Renderer::Rows(Encoder::new(
            columns,
            format,
            written_zone(&args.select, &selection),
            options,
        )?)
    };
    let follow = args.follow.follow();
    let Some((sources, mut diagnostics)) = cli::open_inputs(&args.input.inputs, follow, global)?
    else {
        return Ok(Outcome::BadInput);
    };

    let mut destination = match (partition_by, args.output.file()) {
        (Some(_), Some(root)) => Destination::Tree(Tree::new(root, extension(format))?),
        (_, output) => Destination::One(Writer::start(&renderer, Output::open(output)?)?),
    };
    let zone = &selection.zone;
    let mut rows = 0;
    let piece = |record: Record| -> Result<Piece> {
        Ok(Piece {
            folder: partition_by.map(|by| by.folder(zone, record)),
            body: renderer.render(record)?,
        })
    };
    let sink = |piece: Result<Piece>| {
        let piece = piece?;
        rows += piece.body.rows();
        match (&mut destination, piece.folder) {
            (Destination::Tree(tree), Some(folder)) => tree.write(
                &folder,
                |out| Writer::start(&renderer, out),
                |writer| writer.write(piece.body),
            )?,
            (Destination::One(writer), _) => writer.write(piece.body)?,
            (Destination::Tree(_), None) => bail!("a row without a partition"),
        }
        Ok(Flow::Continue)
    };
    let (sources, selection) = (&sources, &selection);
    let summary = if kind == RowKind::Events {
        select::stream_events(
            sources,
            selection,
            &mut diagnostics,
            |e| piece(e.into()),
            sink,
        )?
    } else {
        select::stream(
            sources,
            selection,
            &mut diagnostics,
            |doc| piece(doc.into()),
            sink,
        )?
    };
    let mut sheets = None;
    let written = match destination {
        Destination::One(Writer::Sheet(writer)) => {
            let (out, workbook) = writer.finish()?;
            out.close()?.persist()?;
            if let Some(note) = workbook.note() {
                eprintln!("sshook: {note}");
            }
            sheets = Some(workbook.sheets);
            None
        }
        Destination::One(writer) => {
            writer.close()?.persist()?;
            None
        }
        Destination::Tree(tree) => Some(tree.finish()?),
    };

    if !global.quiet {
        let what = match kind {
            RowKind::Conversations => ("conversation", "conversations"),
            RowKind::Messages => ("message", "messages"),
            RowKind::Payloads => ("payload", "payloads"),
            RowKind::Events => ("event", "events"),
        };
        let partitions = match written {
            None => match sheets {
                Some(n) if n > 1 => format!(" on {n} sheets"),
                _ => String::new(),
            },
            Some(w) => {
                let plural = if w.folders == 1 { "" } else { "s" };
                let files = match w.files == w.folders {
                    true => String::new(),
                    false => format!(" ({} files)", w.files),
                };
                format!(" in {} partition{plural}{files}", w.folders)
            }
        };
        eprintln!(
            "export: {} read, {} written{partitions}",
            summary.read(),
            count(rows, what.0, what.1)
        );
    }
    summary.report_duplicates(global.quiet);
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// Refuses combinations of format and destination that cannot work, before reading.
fn check_destination(args: &Args, format: Format, to_stdout: bool) -> Result<()> {
    if args.partition_by.is_some() {
        if to_stdout {
            bail!("--partition-by writes a folder of files: add -o DIR");
        }
        if matches!(format, Format::Table | Format::Xlsx) {
            bail!(
                "--partition-by writes csv, tsv, ndjson, json or parquet files, not tables or \
                 workbooks"
            );
        }
    }
    Ok(())
}

/// The name ending of partition files.
fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Tsv => "tsv",
        Format::Ndjson => "ndjson",
        Format::Json => "json",
        Format::Table => "txt",
        Format::Parquet => "parquet",
        Format::Xlsx => "xlsx",
    }
}

/// What is computed for one payload, on any thread: its rows and the folder they go to.
struct Piece {
    folder: Option<String>,
    body: Body,
}

enum Body {
    Rows(Rendered),
    Sheet(xlsx::Fragment),
    #[cfg(feature = "parquet")]
    Columns(parquet::Fragment),
}

impl Body {
    fn rows(&self) -> u64 {
        match self {
            Body::Rows(rendered) => rendered.rows,
            Body::Sheet(fragment) => fragment.rows,
            #[cfg(feature = "parquet")]
            Body::Columns(fragment) => fragment.rows,
        }
    }
}

/// Turns payloads into text rows, parquet columns or the cells of a workbook.
// One per run: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Renderer {
    Rows(Encoder),
    /// A workbook's cells, and the folder its temporary files go to.
    Sheet(xlsx::Renderer, PathBuf),
    #[cfg(feature = "parquet")]
    Columns(parquet::Renderer),
}

impl Renderer {
    #[cfg(feature = "parquet")]
    fn columns(columns: Columns, args: &Args) -> Result<Renderer> {
        if matches!(columns, Columns::Payloads) {
            bail!("--rows payloads is written as ndjson or json, not as parquet columns");
        }
        if args.excel || args.safe || args.delimiter.is_some() {
            bail!("--excel, --safe and --delimiter apply to csv and tsv, not to parquet");
        }
        let codec = args.compression.map(Into::into).unwrap_or_default();
        Ok(Renderer::Columns(parquet::Renderer::new(columns, codec)))
    }

    #[cfg(not(feature = "parquet"))]
    fn columns(_: Columns, _: &Args) -> Result<Renderer> {
        bail!("this sshook was built without parquet (cargo feature `parquet`)");
    }

    /// A workbook of the rows, in the display zone (a date-time in Excel has no zone: it is
    /// the wall-clock time a person there reads).
    fn sheet(
        kind: RowKind,
        columns: Columns,
        args: &Args,
        selection: &Selection,
    ) -> Result<Renderer> {
        if matches!(columns, Columns::Payloads) {
            bail!("--rows payloads is written as ndjson or json, not as a workbook");
        }
        if args.excel || args.safe || args.delimiter.is_some() || args.no_header {
            bail!(
                "--excel, --safe, --delimiter and --no-header apply to csv and tsv; a workbook \
                 has its header, and its texts are never formulas"
            );
        }
        let renderer = xlsx::Renderer::new(kind, columns, selection.zone.clone());
        Ok(Renderer::Sheet(renderer, args.output.folder()))
    }

    fn render(&self, record: Record) -> Result<Body> {
        Ok(match self {
            Renderer::Rows(encoder) => Body::Rows(encoder.render(record)?),
            Renderer::Sheet(renderer, _) => Body::Sheet(renderer.render(record)?),
            #[cfg(feature = "parquet")]
            Renderer::Columns(renderer) => Body::Columns(renderer.render(record)?),
        })
    }
}

/// One output file being written.
// At most 128 at once (partition::OPEN_FILES), each holding far more on the heap.
#[allow(clippy::large_enum_variant)]
enum Writer<'r> {
    Rows(RowWriter<'r, Output>),
    Sheet(xlsx::XlsxWriter),
    #[cfg(feature = "parquet")]
    Columns(parquet::ParquetWriter),
}

/// One file, or a tree of partitions.
#[allow(clippy::large_enum_variant)] // one per run
enum Destination<'r> {
    One(Writer<'r>),
    Tree(Tree<Writer<'r>>),
}

impl<'r> Writer<'r> {
    fn start(renderer: &'r Renderer, out: Output) -> Result<Writer<'r>> {
        Ok(match renderer {
            Renderer::Rows(encoder) => Writer::Rows(RowWriter::start(encoder, out)?),
            Renderer::Sheet(renderer, folder) => {
                Writer::Sheet(xlsx::XlsxWriter::start(renderer, out, folder)?)
            }
            #[cfg(feature = "parquet")]
            Renderer::Columns(renderer) => {
                Writer::Columns(parquet::ParquetWriter::start(renderer, out)?)
            }
        })
    }

    fn write(&mut self, body: Body) -> Result<()> {
        match (self, body) {
            (Writer::Rows(writer), Body::Rows(rendered)) => writer.write(rendered),
            (Writer::Sheet(writer), Body::Sheet(fragment)) => writer.write(&fragment),
            #[cfg(feature = "parquet")]
            (Writer::Columns(writer), Body::Columns(fragment)) => writer.write(&fragment),
            _ => bail!("rows rendered for another format"),
        }
    }
}

impl Part for Writer<'_> {
    fn close(self) -> Result<Closed> {
        match self {
            Writer::Rows(writer) => writer.finish()?.close(),
            Writer::Sheet(writer) => writer.finish()?.0.close(),
            #[cfg(feature = "parquet")]
            Writer::Columns(writer) => writer.finish()?.close(),
        }
    }

    fn buffered(&self) -> usize {
        match self {
            Writer::Rows(_) | Writer::Sheet(_) => 0,
            #[cfg(feature = "parquet")]
            Writer::Columns(writer) => writer.buffered(),
        }
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Writer::Rows(_) | Writer::Sheet(_) => Ok(()),
            #[cfg(feature = "parquet")]
            Writer::Columns(writer) => writer.flush(),
        }
    }
}

/// The zone export *writes* instants in: UTC unless --tz or --utc names one, so that files do
/// not depend on where they were made. Selection (--since, --until) and partition days are in
/// the display zone, as in every command.
fn written_zone(select: &SelectArgs, selection: &Selection) -> DisplayZone {
    if select.names_a_zone() {
        selection.zone.clone()
    } else {
        DisplayZone::utc()
    }
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
