//! `sshook export`: Export conversations, messages or payloads to CSV, TSV, NDJSON, JSON or tables.
//! (Being written; see its issue.)

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::Outcome;

/// Export conversations, messages or payloads to CSV, TSV, NDJSON, JSON or tables.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> Result<Outcome> {
    bail!("`sshook export` is not written yet")
}
