//! `sshook list`: List conversations, one row each.
//! (Being written; see its issue.)

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::Outcome;

/// List conversations, one row each.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> Result<Outcome> {
    bail!("`sshook list` is not written yet")
}
