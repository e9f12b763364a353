//! `sshook show`: conversations as readable transcripts — text, markdown, HTML or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::output::{resolve_format, OutputArgs};
use crate::cli::select::{OrderArgs, SelectArgs};
use crate::cli::values::ShowFormatArg;
use crate::cli::{self, GlobalArgs, InputArgs};
use crate::output::Output;
use crate::render::table::Width;
use crate::render::transcript::{self, TranscriptFormat};
use crate::select::{self, Flow, Keep};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook show 55039 dumps/                  # a bare id first: conversation 55039
  sshook show cnv_8Jk2LqX9 webhooks/        # a webhook conversation's id, the same way
  sshook show --id 55039 --id 55040 dumps/
  sshook show --visitor dusan --first dumps/
  sshook show --grep refund --since 2026-03-01 --until 2026-03-08 --tz Europe/Prague dumps/
  sshook show --format html 55039 dumps/ > chat.html
  sshook show --format json --status missed dumps/ | jq .visitor.email

A first argument that is not an existing path and looks like a conversation id (letters,
digits, - and _, with at least one digit: 55039, cnv_8Jk2LqX9) is the conversation's id.
Several matches are printed one after another with a separator (JSON: one object per line;
HTML: one page); --first prints only the first. No match: a message and exit status 1.";

/// Show conversations as readable transcripts.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    // Boxed: the selection flags are large, and `Command` holds every command's Args.
    #[command(flatten)]
    pub select: Box<SelectArgs>,

    #[command(flatten)]
    pub order: OrderArgs,

    /// text (aligned, coloured on a terminal), markdown, html (one self-contained page) or
    /// json (the normalised conversation, one object per line). Default: text, or what the
    /// -o file's extension names (.txt, .md, .html, .json).
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        help_heading = "Output"
    )]
    pub format: Option<ShowFormatArg>,

    /// Show only the first matching conversation (the same as --limit 1).
    #[arg(long, help_heading = "Output", conflicts_with = "limit")]
    pub first: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let format = TranscriptFormat::from(resolve_format(
        args.format,
        &args.output,
        ShowFormatArg::Text,
    )?);
    let mut inputs = args.input.inputs;
    let mut order = args.order.clone();
    if args.first {
        order.limit = Some(1);
    }
    let mut selection = order.apply(args.select.selection(global)?);
    let mut ids = args.select.id.clone();
    if let Some(id) = inputs.first().and_then(|first| bare_id(first)) {
        inputs.remove(0);
        selection.filter.ids.push(id.clone());
        ids.push(id);
    }
    let Some((sources, mut diagnostics)) = cli::open_inputs(&inputs, None, global)? else {
        return Ok(Outcome::BadInput);
    };

    let color =
        format == TranscriptFormat::Text && args.output.to_stdout() && global.color().stdout();
    let zone = &selection.zone;
    let width = Width::for_output(args.output.to_stdout()).columns();
    let mut out = Output::open(args.output.file())?;
    let mut shown: u64 = 0;
    // The ids asked for and not shown yet; with copies kept, another may still come.
    let mut wanted = ids.clone();
    let keep = selection.keep;
    let summary = select::stream(
        &sources,
        &selection,
        &mut diagnostics,
        |doc| {
            let rendered = match format {
                TranscriptFormat::Text => {
                    (String::new(), transcript::text(doc, zone, color, width))
                }
                TranscriptFormat::Markdown => (String::new(), transcript::markdown(doc, zone)),
                TranscriptFormat::Html => (
                    transcript::html_title(doc, zone),
                    transcript::html_article(doc, zone),
                ),
                TranscriptFormat::Json => (String::new(), transcript::json_line(doc, zone)),
            };
            (doc.payload.conversation_id().into_owned(), rendered)
        },
        |(id, (title, rendered))| {
            let before = match (format, shown) {
                (TranscriptFormat::Html, 0) => transcript::html_page_start(&title),
                (_, 0) | (TranscriptFormat::Html | TranscriptFormat::Json, _) => String::new(),
                (TranscriptFormat::Text, _) => transcript::TEXT_SEPARATOR.to_owned(),
                (TranscriptFormat::Markdown, _) => transcript::MARKDOWN_SEPARATOR.to_owned(),
            };
            out.write_all(before.as_bytes())?;
            out.write_all(rendered.as_bytes())?;
            shown += 1;
            // The answer is complete: stop reading (a stdin that never ends included). With
            // --keep last or all, another copy may still come.
            wanted.retain(|w| *w != id);
            let found_all = !ids.is_empty() && wanted.is_empty() && keep == Keep::First;
            Ok(if found_all {
                Flow::Stop
            } else {
                Flow::Continue
            })
        },
    )?;
    if format == TranscriptFormat::Html && shown > 0 {
        out.write_all(transcript::HTML_PAGE_END.as_bytes())?;
    }
    out.finish()?;
    summary.report_duplicates(global.quiet);
    if shown == 0 {
        eprintln!("show: {} (read {})", no_match(&ids), summary.read());
        return Ok(Outcome::BadInput);
    }
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// A first argument that names no file and looks like a conversation id is one: a POST-hook
/// channel id (digits) or a webhook conversation id (`cnv_8Jk2LqX9`, `coXU9u5VscuzW`:
/// letters, digits, `-` and `_`, with at least one digit — so that a mistyped folder name such
/// as `dumps` is still reported as a missing input).
fn bare_id(first: &str) -> Option<String> {
    let id_like = (1..=128).contains(&first.len())
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && first.bytes().any(|b| b.is_ascii_digit())
        && !first.starts_with('-');
    if !id_like || std::fs::symlink_metadata(Path::new(first)).is_ok() {
        return None;
    }
    Some(first.to_owned())
}

fn no_match(ids: &[String]) -> String {
    match ids {
        [] => String::from("no conversation matches the selection"),
        [id] => format!("no conversation {id} matches the selection"),
        _ => format!(
            "none of the conversations {} matches the selection",
            ids.join(", ")
        ),
    }
}
