//! `sshook completions SHELL`: shell completion scripts, generated from the clap definitions.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::Cli;
use crate::Outcome;

const EXAMPLES: &str = "\
Install:
  bash:  sshook completions bash > ~/.local/share/bash-completion/completions/sshook
  zsh:   sshook completions zsh > ~/.zfunc/_sshook   # with fpath+=~/.zfunc before compinit
  fish:  sshook completions fish > ~/.config/fish/completions/sshook.fish
  PowerShell: sshook completions powershell >> $PROFILE
  elvish: sshook completions elvish >> ~/.config/elvish/rc.elv";

/// Print a shell completion script to stdout.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<Outcome> {
    let mut command = Cli::command();
    // Into a buffer first: clap_complete panics when its writer fails, and a closed pipe
    // (`sshook completions bash | head`) must end quietly, as everywhere.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "sshook", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(Outcome::Ok)
}
