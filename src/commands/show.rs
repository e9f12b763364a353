//! `sshook show`: conversations as readable transcripts — text, markdown, HTML or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::{GlobalArgs, InputArgs};
use crate::input;
use crate::output::Output;
use crate::render::transcript::{self, TranscriptFormat};
use crate::report::Diagnostics;
use crate::select::{self, Flow, SelectArgs, Selection};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook show 55039 dumps/                  # a bare id first: conversation 55039
  sshook show --id 55039 --id 55040 dumps/
  sshook show --visitor dusan --first dumps/
  sshook show --grep refund --since 2026-03-01 --until 2026-03-08 --tz Europe/Prague dumps/
  sshook show --format html 55039 dumps/ > chat.html
  sshook show --format json --status missed dumps/ | jq .visitor.email

A first argument made of digits that is not an existing path is a conversation id.
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

    /// text (aligned, coloured on a terminal), markdown, html (one self-contained page) or
    /// json (the normalised conversation, one object per line).
    #[arg(long, value_enum, default_value_t = TranscriptFormat::Text, help_heading = "Output")]
    pub format: TranscriptFormat,

    /// Show only the first matching conversation.
    #[arg(long, help_heading = "Output")]
    pub first: bool,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let mut inputs = args.input.inputs;
    let mut selection = Selection::new(&args.select)?;
    let mut ids = args.select.id.clone();
    if let Some(id) = inputs.first().and_then(|first| bare_id(first)) {
        inputs.remove(0);
        selection.add_ids([id]);
        ids.push(id);
    }
    let discovery = input::discover(&inputs)?;
    let mut diagnostics = Diagnostics::new(global);
    diagnostics.report_all(&discovery.findings);

    let format = args.format;
    let color = format == TranscriptFormat::Text && global.color.stdout();
    let zone = &selection.zone;
    let mut out = Output::open(None)?;
    let mut shown: u64 = 0;
    // The ids asked for and not shown yet; with copies kept, another may still come.
    let mut wanted = ids.clone();
    let keep_duplicates = args.select.keep_duplicates;
    let summary = select::stream(
        &discovery.sources,
        &selection,
        &mut diagnostics,
        |doc| {
            let rendered = match format {
                TranscriptFormat::Text => transcript::text(doc, zone, color),
                TranscriptFormat::Markdown => transcript::markdown(doc, zone),
                TranscriptFormat::Html => transcript::html_article(doc, zone),
                TranscriptFormat::Json => transcript::json_line(doc, zone),
            };
            (doc.payload.channel.id, rendered)
        },
        |(id, rendered)| {
            let before = match (format, shown) {
                (TranscriptFormat::Html, 0) => transcript::html_page_start(),
                (_, 0) | (TranscriptFormat::Html | TranscriptFormat::Json, _) => String::new(),
                (TranscriptFormat::Text, _) => transcript::TEXT_SEPARATOR.to_owned(),
                (TranscriptFormat::Markdown, _) => transcript::MARKDOWN_SEPARATOR.to_owned(),
            };
            out.write_all(before.as_bytes())?;
            out.write_all(rendered.as_bytes())?;
            shown += 1;
            // The answer is complete: stop reading (a stdin that never ends included).
            wanted.retain(|&w| w != id);
            let found_all = !ids.is_empty() && wanted.is_empty() && !keep_duplicates;
            Ok(if args.first || found_all {
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
        let read = match summary.payloads {
            1 => String::from("1 payload"),
            n => format!("{n} payloads"),
        };
        eprintln!("show: {} (read {read})", no_match(&ids));
        return Ok(Outcome::BadInput);
    }
    Ok(Outcome::from_bad(diagnostics.any()))
}

/// A first argument of digits that names no file is a conversation id.
fn bare_id(first: &str) -> Option<i64> {
    let digits = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
    if !digits || std::fs::symlink_metadata(Path::new(first)).is_ok() {
        return None;
    }
    first.parse().ok()
}

fn no_match(ids: &[i64]) -> String {
    match ids {
        [] => String::from("no conversation matches the selection"),
        [id] => format!("no conversation {id} matches the selection"),
        _ => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(
                "none of the conversations {} matches the selection",
                ids.join(", ")
            )
        }
    }
}
