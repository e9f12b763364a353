//! The top-level parser and one file per subcommand: each opens with its usage text and its
//! own `Args`, then a short `run` over the shared stages. The flag groups several commands
//! share, and their turning into settings, are [`crate::cli`]'s.

mod allocator;
pub mod completions;
pub mod erase;
pub mod export;
pub mod list;
pub mod man;
pub mod prune;
pub mod report;
pub mod serve;
pub mod show;
pub mod stats;
pub mod validate;

use clap::{Parser, Subcommand};

use crate::cli::GlobalArgs;
use crate::Outcome;

const ABOUT: &str = "Validate, read, list, export, summarise and receive Smartsupp chat data: \
POST-hook payloads and webhook events";

const LONG_ABOUT: &str = "\
Smartsupp sends chat data to a URL of your choice in two generations: the POST hook (one JSON
document per finished chat, missed chat or offline message) and webhooks (one signed JSON event
per change: a conversation opened, a message sent, a rating, a close). sshook reads both as you
stored them — one per file, dated folders of *.json, NDJSON, JSON arrays, gzip, both kinds
mixed, or standard input — assembles webhook events into conversations, and validates, lists,
shows, exports and summarises them, removes personal data, or receives both itself.

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

#[derive(Debug, Subcommand)]
pub enum Command {
    Validate(validate::Args),
    List(list::Args),
    Show(show::Args),
    Export(export::Args),
    Stats(stats::Args),
    Report(report::Args),
    Serve(serve::Args),
    Erase(erase::Args),
    Prune(prune::Args),
    Completions(completions::Args),
    Man(man::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    crate::progress::enable(cli.global.quiet);
    let reads = !matches!(
        cli.command,
        Command::Serve(_) | Command::Completions(_) | Command::Man(_)
    );
    if cli.global.jobs.is_some() && !reads {
        anyhow::bail!(
            "-j/--jobs sizes the threads of the commands that read files \
             (validate, list, show, export, stats, report, erase, prune)"
        );
    }
    if cli.global.memory.is_some() && !reads {
        anyhow::bail!(
            "--memory sizes the assembly of webhook events by the commands that read files \
             (validate, list, show, export, stats, report, erase, prune)"
        );
    }
    if reads {
        allocator::keep_freed_memory_for_reuse();
    }
    cli.global.configure_threads()?;
    match cli.command {
        Command::Validate(args) => validate::run(args, &cli.global),
        Command::List(args) => list::run(args, &cli.global),
        Command::Show(args) => show::run(args, &cli.global),
        Command::Export(args) => export::run(args, &cli.global),
        Command::Stats(args) => stats::run(args, &cli.global),
        Command::Report(args) => report::run(args, &cli.global),
        Command::Serve(args) => serve::run(args, &cli.global),
        Command::Erase(args) => erase::run(args, &cli.global),
        Command::Prune(args) => prune::run(args, &cli.global),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
