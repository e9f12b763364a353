//! The sshook binary: parse arguments, run the command, map the result to an exit status
//! (0 ok, 1 some inputs were bad, 2 usage or fatal error). Nothing else lives here.

use std::process::ExitCode;

use clap::Parser;
use sshook::commands::Cli;
use sshook::output::is_broken_pipe;
use sshook::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match sshook::commands::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::BadInput) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, with the cause chain: "sshook: cannot write out.csv: permission denied".
            let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
            eprintln!("sshook: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}
