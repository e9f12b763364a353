//! `sshook validate`: check payload files and report every error and warning, naming the file
//! and the place (line:column for syntax, the JSON path for values).

use anyhow::Result;

use crate::check;
use crate::cli::output::{resolve_format, OutputArgs};
use crate::cli::values::FindingsFormatArg;
use crate::cli::{GlobalArgs, InputArgs};
use crate::diagnostics::{count, write_finding, FindingFormat};
use crate::input::{self, Chunk};
use crate::model::document::Item;
use crate::model::finding::{Finding, Severity};
use crate::output::Output;
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook validate data.json
  sshook validate dumps/                 # every *.json, *.ndjson, *.jsonl (and .gz) below
  sshook validate 'dumps/2026-*/*.json'  # quoted globs work where the shell does not expand
  curl -s https://example.com/hook.json | sshook validate -
  sshook validate --strict --format json dumps/ | jq -r .message

Errors: syntax (with line and column), wrong types, missing required fields, numbers that do
not fit, duplicated keys (with the JSON path), text that is not UTF-8, nesting too deep,
bytes after the document (NUL padding: the document before it is still read), truncated gzip.
Warnings: beginAt after endAt, timestamps that look like seconds, negative or past 9999,
messages outside the conversation, unknown message types, ratings outside 1..5,
contradicting flags, a recorded duration that differs from endAt - beginAt; in webhook
events, a field of a shape sshook does not know (read as absent).
Notes (only with --pedantic): recorded messagesCount / wordsCount that differ from the
messages.";

/// Check payloads and webhook events: syntax, types, required fields and plausibility.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Treat warnings as errors (they then fail the run). Notes stay notes.
    #[arg(long)]
    pub strict: bool,

    /// Also show notes: recorded messagesCount / wordsCount that differ from what sshook
    /// counts. Smartsupp's counting rule is undocumented (the official example differs too),
    /// so these are hidden by default and never errors.
    #[arg(long)]
    pub pedantic: bool,

    /// How to print findings: text (file:line:col: severity: path: message) or json (one
    /// object per line). Default: text, or what the -o file's extension names.
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<FindingsFormatArg>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// What one chunk of input yielded.
#[derive(Default)]
struct Checked {
    findings: Vec<Finding>,
    payloads: u64,
    events: u64,
    unknown_events: u64,
    invalid_payloads: u64,
}

#[derive(Default)]
struct Totals {
    payloads: u64,
    events: u64,
    unknown_events: u64,
    valid: u64,
    errors: u64,
    warnings: u64,
    notes: u64,
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let format = FindingFormat::from(resolve_format(
        args.format,
        &args.output,
        FindingsFormatArg::Text,
    )?);
    let discovery = input::discover::discover_streaming(&args.input.inputs)?;
    let mut out = Output::open(args.output.file())?;
    let color = args.output.to_stdout() && global.color().stdout();
    let mut totals = Totals::default();
    let record = |finding: &Finding, out: &mut Output, totals: &mut Totals| {
        match finding.severity {
            Severity::Error => totals.errors += 1,
            Severity::Warning => totals.warnings += 1,
            Severity::Note => totals.notes += 1,
        }
        write_finding(out, finding, format, color)
    };
    for finding in &discovery.findings {
        record(
            &strictly(finding.clone(), args.strict),
            &mut out,
            &mut totals,
        )?;
    }
    let files = input::for_each_chunk(
        &discovery.sources,
        |chunk| check_chunk(chunk, args.strict, args.pedantic),
        |checked| {
            totals.payloads += checked.payloads;
            totals.events += checked.events;
            totals.unknown_events += checked.unknown_events;
            totals.valid += checked.payloads + checked.events - checked.invalid_payloads;
            for finding in &checked.findings {
                record(finding, &mut out, &mut totals)?;
            }
            Ok(input::Flow::Continue)
        },
    )?
    .files;
    out.finish()?;
    if !global.quiet {
        let notes = match totals.notes {
            0 => String::new(),
            n => format!(", {}", count(n, "note", "notes")),
        };
        let events = match (totals.events, totals.unknown_events) {
            (0, _) => String::new(),
            (n, 0) => format!(", {}", count(n, "webhook event", "webhook events")),
            (n, unknown) => format!(
                ", {} ({unknown} of unknown names, kept)",
                count(n, "webhook event", "webhook events")
            ),
        };
        eprintln!(
            "validate: {}, {}{events}: {} valid; {}, {}{notes}",
            count(files, "file", "files"),
            count(totals.payloads, "payload", "payloads"),
            totals.valid,
            count(totals.errors, "error", "errors"),
            count(totals.warnings, "warning", "warnings"),
        );
    }
    Ok(Outcome::from_bad(totals.errors > 0))
}

fn check_chunk(chunk: &Chunk, strict: bool, pedantic: bool) -> Checked {
    let mut checked = Checked::default();
    input::documents(chunk, &mut |item| match item {
        Item::Payload(doc) => {
            checked.payloads += 1;
            let mut warnings = check::warnings(&doc);
            warnings.retain(|f| pedantic || f.severity != Severity::Note);
            if strict && warnings.iter().any(|f| f.severity == Severity::Warning) {
                checked.invalid_payloads += 1;
            }
            checked
                .findings
                .extend(warnings.into_iter().map(|f| strictly(f, strict)));
        }
        Item::Event(doc) => {
            checked.events += 1;
            if !crate::model::webhook::event::is_known(&doc.event.event) {
                checked.unknown_events += 1;
            }
            let warnings = check::event_warnings(&doc);
            if strict && !warnings.is_empty() {
                checked.invalid_payloads += 1;
            }
            checked
                .findings
                .extend(warnings.into_iter().map(|f| strictly(f, strict)));
        }
        Item::Bad(finding) => checked.findings.push(finding),
    });
    checked
}

fn strictly(mut finding: Finding, strict: bool) -> Finding {
    if strict && finding.severity == Severity::Warning {
        finding.severity = Severity::Error;
    }
    finding
}
