//! The bound on `rejected/`: by size (`--rejected-max`, each file counted as at least one 4 KiB
//! block, as the disk does) and by number of files (`--rejected-max-files`). Past it, invalid
//! bodies are answered 400 and not kept, and the log says so once a minute.

use std::fs;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// The smallest charge of one file: a disk block.
const BLOCK: u64 = 4096;
/// Files one kept body takes: itself and its `.reason.txt`.
const FILES_PER_BODY: u64 = 2;
/// How often the log repeats that `rejected/` is full.
const FULL_LOG_EVERY: Duration = Duration::from_secs(60);

/// What `rejected/` may hold, and holds.
#[derive(Debug)]
pub struct RejectedBudget {
    max_bytes: u64,
    max_files: u64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    bytes: u64,
    files: u64,
    /// When the log last said `rejected/` is full, and bodies not kept since.
    last_full_log: Option<Instant>,
    not_kept_since_log: u64,
}

/// Room taken in `rejected/` for one body and its reason; give it back if they are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    bytes: u64,
}

fn charge_of(len: u64) -> u64 {
    len.div_ceil(BLOCK).max(1) * BLOCK
}

impl RejectedBudget {
    /// The budget, with what `dir` already holds counted.
    pub fn scan(dir: &Path, max_bytes: u64, max_files: u64) -> Result<RejectedBudget> {
        let mut state = State::default();
        match fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
                    let meta = entry
                        .metadata()
                        .with_context(|| format!("cannot read {}", entry.path().display()))?;
                    if meta.is_file() {
                        state.bytes += charge_of(meta.len());
                        state.files += 1;
                    }
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
        }
        Ok(RejectedBudget {
            max_bytes,
            max_files,
            state: Mutex::new(state),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes room for a body of `len` bytes and its reason, or says why there is none (and
    /// logs that, at most once a minute).
    pub fn take(&self, len: u64, reason_len: u64) -> Result<Charge, String> {
        let charge = Charge {
            bytes: charge_of(len) + charge_of(reason_len),
        };
        let mut state = self.state();
        if state.bytes + charge.bytes <= self.max_bytes
            && state.files + FILES_PER_BODY <= self.max_files
        {
            state.bytes += charge.bytes;
            state.files += FILES_PER_BODY;
            return Ok(charge);
        }
        let why = format!(
            "rejected/ is full ({} files, {} bytes; --rejected-max {} bytes, --rejected-max-files {})",
            state.files, state.bytes, self.max_bytes, self.max_files
        );
        state.not_kept_since_log += 1;
        let due = state
            .last_full_log
            .is_none_or(|last| last.elapsed() >= FULL_LOG_EVERY);
        if due {
            eprintln!(
                "serve: {why}: invalid bodies are answered 400 and not kept \
                 ({} not kept since the last such line; the next one in a minute at the earliest)",
                state.not_kept_since_log
            );
            state.last_full_log = Some(Instant::now());
            state.not_kept_since_log = 0;
        }
        Err(why)
    }

    /// Gives back a charge whose files were not kept.
    pub fn give_back(&self, charge: Charge) {
        let mut state = self.state();
        state.bytes = state.bytes.saturating_sub(charge.bytes);
        state.files = state.files.saturating_sub(FILES_PER_BODY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_by_size_and_count() {
        let dir = tempfile::tempdir().unwrap();
        let by_size = RejectedBudget::scan(dir.path(), 5 * BLOCK, 1000).unwrap();
        assert!(by_size.take(1, 10).is_ok()); // 2 blocks
        let big = by_size.take(BLOCK + 1, 10).unwrap(); // 3 blocks
        assert!(by_size.take(0, 10).is_err());
        by_size.give_back(big);
        assert!(by_size.take(0, 10).is_ok());
        let by_count = RejectedBudget::scan(dir.path(), u64::MAX / 2, 4).unwrap();
        assert!(by_count.take(0, 1).is_ok());
        assert!(by_count.take(0, 1).is_ok());
        assert!(by_count.take(0, 1).is_err());
    }

    #[test]
    fn what_is_there_counts() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.json"), vec![b' '; 5000]).unwrap();
        fs::write(dir.path().join("a.reason.txt"), "x").unwrap();
        let budget = RejectedBudget::scan(dir.path(), 4 * BLOCK, 100).unwrap();
        assert!(budget.take(1, 1).is_err());
        let budget = RejectedBudget::scan(dir.path(), 5 * BLOCK, 100).unwrap();
        assert!(budget.take(1, 1).is_ok());
    }
}
