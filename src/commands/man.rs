//! `sshook man`: the manual page (roff), generated from the clap definitions.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::Cli;
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook man | man -l -
  sshook man > /usr/local/share/man/man1/sshook.1";

/// Print the manual page (roff) to stdout: sshook and every subcommand.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {}

pub fn run(_args: Args) -> Result<Outcome> {
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    // One page for everything: each subcommand follows as its own section.
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let sub = sub.clone().bin_name(format!("sshook {}", sub.get_name()));
        let mut section = Vec::new();
        clap_mangen::Man::new(sub).render(&mut section)?;
        // Drop each sub-page's `.TH` header line: it belongs to the top page only.
        let text = String::from_utf8_lossy(&section);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with(".TH ")).collect();
        page.extend_from_slice(body.join("\n").as_bytes());
        page.push(b'\n');
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(Outcome::Ok)
}
