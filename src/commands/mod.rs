//! One file per subcommand, each a short `run` over the shared stages.

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

use crate::cli::{Cli, Command};
use crate::Outcome;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    crate::progress::enable(cli.global.quiet);
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
