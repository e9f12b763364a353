//! The command line's shared layer: the flag groups several commands take (global flags,
//! inputs, output, selection, personal data, `--follow`), the words their values take, and
//! their turning into the plain settings the library works with (a [`Selection`], a
//! [`Redactor`], an output format, a [`Diagnostics`]). No module outside this folder,
//! `commands/` and `main.rs` knows clap. Each command's own flags live in its file
//! under `src/commands/`, with the top-level parser.
//!
//! [`Selection`]: crate::select::Selection
//! [`Redactor`]: crate::privacy::redact::Redactor

use clap::Args;

pub mod follow;
pub mod output;
pub mod privacy;
pub mod select;
pub mod values;

use crate::diagnostics::Diagnostics;
use crate::input::Source;
use crate::output::ColorChoice;
use values::ColorArg;

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// When to use colours: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Print no summaries and no progress on stderr (findings and errors still show).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// List every differing re-sent copy on stderr (by default one summary line counts them).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Parse and render on at most N threads (the commands that read: validate, list, show,
    /// export, stats, report, erase, prune). Default: the RAYON_NUM_THREADS environment
    /// variable, else one per core; -j wins over RAYON_NUM_THREADS. One reader thread and the
    /// writing thread come on top, mostly waiting.
    #[arg(short = 'j', long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Memory for assembling webhook events into conversations (the commands that read),
    /// e.g. 64M, 1G, 512K or plain bytes; default 256M. Beyond it the events are spilled to
    /// temporary files in TMPDIR (removed on exit) and the output is the same.
    #[arg(long, global = true, value_name = "SIZE", value_parser = values::parse_size)]
    pub memory: Option<u64>,
}

/// The inputs every reading command takes.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files, folders (walked for *.json, *.ndjson, *.jsonl and their .gz forms), quoted glob
    /// patterns, or - for standard input. With none, standard input is read when it is piped.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
}

impl GlobalArgs {
    /// The `--color` choice.
    pub fn color(&self) -> ColorChoice {
        self.color.into()
    }

    /// Sizes the pool that parses and renders, once, before anything runs on it: `-j N`
    /// threads, else what rayon reads from RAYON_NUM_THREADS or the number of cores.
    pub fn configure_threads(&self) -> anyhow::Result<()> {
        let Some(jobs) = self.jobs else {
            return Ok(());
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build_global()
            .map_err(|err| anyhow::anyhow!("cannot start {jobs} threads: {err}"))
    }

    /// The `--memory` budget in bytes.
    pub fn memory(&self) -> u64 {
        self.memory.unwrap_or(crate::model::webhook::DEFAULT_MEMORY)
    }

    /// Where a command reports bad inputs, coloured and quiet as these flags say.
    pub fn diagnostics(&self) -> Diagnostics {
        Diagnostics::new(self.color().stderr(), self.quiet)
    }
}

/// Discovers `inputs` (and, with `--follow`, the followed path after them) and reports on
/// stderr what cannot be read. `None` when nothing at all can be read (every path missing,
/// every folder empty): the command then writes nothing — no table header, no all-zero
/// figures — and fails.
pub fn open_inputs(
    inputs: &[String],
    follow: Option<crate::input::follow::Follow>,
    global: &GlobalArgs,
) -> anyhow::Result<Option<(Vec<Source>, Diagnostics)>> {
    let follow = follow.map(|follow| crate::input::follow::Follow {
        quiet: global.quiet,
        ..follow
    });
    let discovery = crate::input::follow::discover_following(inputs, follow)?;
    let mut diagnostics = global.diagnostics();
    diagnostics.report_all(&discovery.findings);
    if discovery.sources.is_empty() {
        return Ok(None);
    }
    Ok(Some((discovery.sources, diagnostics)))
}
