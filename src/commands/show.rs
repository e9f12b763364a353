//! `sshook show`: Show conversations as readable transcripts.
//! (Being written; see its issue.)

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::Outcome;

/// Show conversations as readable transcripts.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> Result<Outcome> {
    bail!("`sshook show` is not written yet")
}
