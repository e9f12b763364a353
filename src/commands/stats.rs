//! `sshook stats`: Figures per day, week, month, hour, weekday, agent, country, group or status.
//! (Being written; see its issue.)

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::Outcome;

/// Figures per day, week, month, hour, weekday, agent, country, group or status.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> Result<Outcome> {
    bail!("`sshook stats` is not written yet")
}
