//! `--follow`: keep reading a growing file or folder, for the commands that stream rows.

use std::path::PathBuf;

use crate::input::follow::Follow;

/// How long a closed webhook conversation of a follow waits by default (`--settle`).
pub const DEFAULT_SETTLE: &str = "15m";

/// `--follow`, shared by the commands that stream rows.
#[derive(Debug, Clone, clap::Args)]
pub struct FollowArgs {
    /// Keep reading PATH as it grows, until interrupted: an NDJSON file that is appended to
    /// (read again from the start when it is truncated or replaced, like tail -F), or a dumps
    /// folder (each new file once, as `sshook serve` writes them); `-` for standard input,
    /// until it closes. Each conversation is written once; webhook conversations as they
    /// settle rather than at the end. Read after the INPUTs, if any.
    #[arg(long, value_name = "PATH")]
    pub follow: Option<PathBuf>,

    /// With --follow DIR: walk the folder every half second for new files instead of waiting
    /// for the system's file notifications. For network file systems (NFS, SMB), where files
    /// that other machines write send none. Also used, with a note, when notifications cannot
    /// be had.
    #[arg(long, requires = "follow")]
    pub poll: bool,

    /// With --follow: how long, in event time, a closed webhook conversation waits after its
    /// last event before it is written (a rating or a late message can follow a close); an
    /// event that comes later is left out with a warning. 90s, 15m, 1h30m, 24h, or 0.
    #[arg(long, value_name = "TIME", default_value = DEFAULT_SETTLE, requires = "follow",
          value_parser = crate::cli::values::parse_duration)]
    pub settle: std::time::Duration,
}

impl FollowArgs {
    /// What to follow, if anything.
    pub fn follow(&self) -> Option<Follow> {
        Some(Follow {
            path: self.follow.clone()?,
            poll: self.poll,
            quiet: false,
            settle_ms: i64::try_from(self.settle.as_millis()).unwrap_or(i64::MAX),
        })
    }

    /// Refuses what cannot stream: output written at the end (a file, a table, Parquet) and a
    /// sort, which waits for the last row — with `--follow` there is no last row.
    pub fn check(&self, streams: bool, sorted: bool) -> anyhow::Result<()> {
        if self.follow.is_none() {
            return Ok(());
        }
        if !streams {
            anyhow::bail!(
                "--follow never ends: it writes csv, tsv, ndjson or json rows to standard output \
                 as they come (not a table, a file or parquet)"
            );
        }
        if sorted {
            anyhow::bail!("--follow writes rows in the order they come: leave out --sort");
        }
        Ok(())
    }
}
