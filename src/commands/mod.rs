//! One file per subcommand, each a short `run` over the shared stages.

pub mod validate;

use crate::cli::{Cli, Command};
use crate::Outcome;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Validate(args) => validate::run(args, &cli.global),
    }
}
