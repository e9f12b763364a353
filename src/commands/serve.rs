//! `sshook serve`: Receive the POST hook and store every payload durably.
//! (Being written; see its issue.)

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::Outcome;

/// Receive the POST hook and store every payload durably.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> Result<Outcome> {
    bail!("`sshook serve` is not written yet")
}
