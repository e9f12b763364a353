//! The flags of personal data: `--redact` and its companions (every reading command), and the
//! dumps and `--dry-run` that `erase` and `prune` share.

use crate::privacy::redact::{self, Redactor};

/// The redaction flags, flattened into the selection flags of every reading command.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Personal data")]
pub struct RedactArgs {
    /// Replace personal data (visitor names, e-mails, phones, IP addresses, cities, card
    /// numbers, IBANs — in every field and message) by pseudonyms; see --redact-help.
    #[arg(long)]
    pub redact: bool,

    /// Key for the pseudonyms, so that they are the same across runs (keyed HMAC-SHA256).
    /// Without it a random key is used: pseudonyms are stable within one run only.
    #[arg(
        long,
        value_name = "KEY",
        env = "SSHOOK_REDACT_KEY",
        hide_env_values = true
    )]
    pub redact_key: Option<String>,

    /// With --redact, replace agent names too (kept by default).
    #[arg(long)]
    pub redact_agents: bool,

    /// List the fields and patterns --redact replaces, and exit.
    #[arg(long)]
    pub redact_help: bool,
}

impl RedactArgs {
    /// The redactor these flags ask for, or `None` without `--redact`. `--redact-help` prints
    /// the list and ends the process (like `--help`).
    pub fn redactor(&self) -> anyhow::Result<Option<Redactor>> {
        if self.redact_help {
            print!("{}", redact::HELP);
            std::process::exit(0);
        }
        if !self.redact {
            if self.redact_agents {
                anyhow::bail!("--redact-agents needs --redact");
            }
            return Ok(None);
        }
        Ok(Some(match self.redact_key.as_deref() {
            Some("") => anyhow::bail!("--redact-key must not be empty"),
            Some(key) => Redactor::new(key.as_bytes(), self.redact_agents),
            None => Redactor::with_random_key(self.redact_agents),
        }))
    }
}

/// Flags shared by `erase` and `prune`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RewriteArgs {
    /// The dumps: files and folders (walked for *.json, *.ndjson, *.jsonl and .gz, serve's
    /// rejected/ folder included). Standard input is refused: there is no file to rewrite.
    #[arg(value_name = "DUMP", required = true)]
    pub dumps: Vec<String>,

    /// List what would be removed, and change nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
}
