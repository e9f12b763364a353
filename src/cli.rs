//! The command line: subcommands and the argument groups they share, defined once.

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::output::ColorChoice;

const ABOUT: &str =
    "Validate, read, list, export, summarise and receive Smartsupp POST-hook chat payloads";

const LONG_ABOUT: &str = "\
Smartsupp posts every finished chat, missed chat and offline message as one JSON document to a
URL of your choice. sshook reads those payloads as you stored them — one per file, dated folders
of *.json, NDJSON, JSON arrays, gzip, or standard input — and validates, lists, shows, exports and
summarises them, or receives the hook itself.

Exit status: 0 all inputs were good, 1 some inputs were bad (the rest was still processed),
2 usage or fatal error.";

#[derive(Debug, Parser)]
#[command(name = "sshook", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// When to use colours: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print no summaries and no progress on stderr (findings and errors still show).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// List every differing re-sent copy on stderr (by default one summary line counts them).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Validate(commands::validate::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Export(commands::export::Args),
    Stats(commands::stats::Args),
    Report(commands::report::Args),
    Serve(commands::serve::Args),
    Erase(commands::erase::Args),
    Prune(commands::prune::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
}

/// The inputs every reading command takes.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files, folders (walked for *.json, *.ndjson, *.jsonl and their .gz forms), quoted glob
    /// patterns, or - for standard input. With none, standard input is read when it is piped.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
}
