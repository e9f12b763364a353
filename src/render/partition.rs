//! `--partition-by`: rows spread over a Hive-style tree of files, `OUT/month=2025-03/
//! part-00000.parquet`, that DuckDB, Spark and Trino read as one table with a partition
//! column.
//!
//! Every row of a conversation goes to the folder of its conversation (a message row to the
//! folder of its chat's `beginAt`), so conversations and messages partition alike. A run
//! rewrites each folder it writes whole: its `part-NNNNN` files are replaced, atomically one
//! by one, once the whole export has succeeded, and parts left over from an earlier run of
//! that folder are removed; folders the run does not write are left alone.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::model::time::DisplayZone;
use crate::output::{Closed, Output};
use crate::render::rows::Record;

/// Hive's name for the folder of rows whose key is missing; engines read it as null.
pub const DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// Files kept open at once. Rows arriving out of order for more folders than this close the
/// least recently used file and start the folder's next part.
const OPEN_FILES: usize = 128;
/// Bytes the open files may buffer together (parquet row groups) before the largest is
/// written out early.
const MEMORY_BUDGET: usize = 64 << 20;

/// `--partition-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionBy {
    /// `month=2025-03`, by the conversation's start in the display zone.
    Month,
    /// `day=2025-03-29`, by the conversation's start in the display zone.
    Day,
    /// `account=208`, by accountId.
    Account,
}

impl PartitionBy {
    /// The folder of a payload's rows, e.g. `month=2025-03`.
    pub fn folder(self, zone: &DisplayZone, record: Record) -> String {
        let (time, account) = match record {
            Record::Conversation(doc) => (
                doc.payload.begin_at,
                doc.payload.account_id.map(|id| id.to_string()),
            ),
            Record::Event(doc) => (
                doc.event.timestamp,
                doc.event.account_id.as_deref().map(str::to_owned),
            ),
        };
        let key = match self {
            PartitionBy::Month | PartitionBy::Day => zone.zoned(time).map(|z| {
                let format = if self == PartitionBy::Month {
                    "%Y-%m"
                } else {
                    "%Y-%m-%d"
                };
                z.strftime(format).to_string()
            }),
            PartitionBy::Account => account,
        };
        let name = match self {
            PartitionBy::Month => "month",
            PartitionBy::Day => "day",
            PartitionBy::Account => "account",
        };
        format!("{name}={}", key.as_deref().unwrap_or(DEFAULT_PARTITION))
    }
}

/// A file being written in one folder of the tree.
pub trait Part: Sized {
    /// Ends the file (footer, closing bracket) and closes it; it is moved into place later.
    fn close(self) -> Result<Closed>;
    /// Bytes it holds in memory.
    fn buffered(&self) -> usize {
        0
    }
    /// Writes out what it holds in memory.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The files of a partitioned export, opened as rows arrive.
pub struct Tree<P: Part> {
    root: PathBuf,
    extension: &'static str,
    open: HashMap<String, Open<P>>,
    /// Parts started per folder.
    parts: HashMap<String, u32>,
    closed: Vec<Closed>,
    buffered: usize,
    clock: u64,
}

struct Open<P> {
    part: P,
    buffered: usize,
    used: u64,
}

/// What a finished tree holds.
#[derive(Debug, Default)]
pub struct Written {
    pub folders: usize,
    pub files: usize,
}

impl<P: Part> Tree<P> {
    /// A tree under `root` (created if missing) of files named `part-NNNNN.<extension>`.
    pub fn new(root: &Path, extension: &'static str) -> Result<Tree<P>> {
        if root.is_file() {
            bail!(
                "{} is a file; --partition-by writes a folder of files (-o DIR)",
                root.display()
            );
        }
        fs::create_dir_all(root).with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Tree {
            root: root.to_path_buf(),
            extension,
            open: HashMap::new(),
            parts: HashMap::new(),
            closed: Vec::new(),
            buffered: 0,
            clock: 0,
        })
    }

    /// Writes to the open file of `folder` with `write`, first starting one with `start` if
    /// there is none.
    pub fn write(
        &mut self,
        folder: &str,
        start: impl FnOnce(Output) -> Result<P>,
        write: impl FnOnce(&mut P) -> Result<()>,
    ) -> Result<()> {
        self.clock += 1;
        if !self.open.contains_key(folder) {
            if self.open.len() >= OPEN_FILES {
                self.close_least_recent()?;
            }
            let part = self.parts.entry(folder.to_owned()).or_insert(0);
            let dir = self.root.join(folder);
            fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let path = dir.join(part_name(*part, self.extension));
            *part += 1;
            let open = Open {
                part: start(Output::open(Some(&path))?)?,
                buffered: 0,
                used: 0,
            };
            self.open.insert(folder.to_owned(), open);
        }
        let Some(open) = self.open.get_mut(folder) else {
            bail!("the file of {folder} is not open");
        };
        open.used = self.clock;
        write(&mut open.part)?;
        let now = open.part.buffered();
        self.buffered = self.buffered - open.buffered + now;
        open.buffered = now;
        if self.buffered > MEMORY_BUDGET {
            self.flush_largest()?;
        }
        Ok(())
    }

    /// Closes every file, moves them all into place and removes parts of an earlier run in
    /// the folders written.
    pub fn finish(mut self) -> Result<Written> {
        for (_, open) in self.open.drain() {
            self.closed.push(open.part.close()?);
        }
        let files = self.closed.len();
        let mut folders = std::collections::BTreeSet::new();
        for closed in self.closed.drain(..) {
            folders.extend(closed.rename()?);
        }
        for (folder, parts) in &self.parts {
            self.remove_stale(folder, *parts)?;
        }
        // Every folder written, and those above them up to the root's own folder (which
        // may have been created too), once each: the tree survives a crash.
        for folder in self.parts.keys() {
            let mut dir = self.root.join(folder);
            loop {
                folders.insert(dir.clone());
                if dir == self.root || !dir.pop() || !dir.starts_with(&self.root) {
                    break;
                }
            }
        }
        folders.insert(match self.root.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        });
        // Deepest first: a folder's entries before the entry that names it.
        for folder in folders.iter().rev() {
            crate::output::sync_dir(folder)?;
        }
        Ok(Written {
            folders: self.parts.len(),
            files,
        })
    }

    fn close_least_recent(&mut self) -> Result<()> {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, open)| open.used)
            .map(|(folder, _)| folder.clone());
        if let Some(open) = oldest.and_then(|folder| self.open.remove(&folder)) {
            self.buffered -= open.buffered;
            self.closed.push(open.part.close()?);
        }
        Ok(())
    }

    fn flush_largest(&mut self) -> Result<()> {
        if let Some(open) = self.open.values_mut().max_by_key(|open| open.buffered) {
            open.part.flush()?;
            let now = open.part.buffered();
            self.buffered = self.buffered - open.buffered + now;
            open.buffered = now;
        }
        Ok(())
    }

    /// Removes `part-NNNNN.<extension>` files numbered `parts` or above: an earlier run wrote
    /// more parts to this folder than this one.
    fn remove_stale(&self, folder: &str, parts: u32) -> Result<()> {
        let dir = self.root.join(folder);
        let entries =
            fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let name = entry.file_name();
            let Some(number) = name.to_str().and_then(|n| part_number(n, self.extension)) else {
                continue;
            };
            if number >= parts {
                let path = entry.path();
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        Ok(())
    }
}

/// `part-00000.parquet`: numbered so that names sort in order and a re-run reuses them.
pub fn part_name(number: u32, extension: &str) -> String {
    format!("part-{number:05}.{extension}")
}

fn part_number(name: &str, extension: &str) -> Option<u32> {
    let digits = name
        .strip_prefix("part-")?
        .strip_suffix(extension)?
        .strip_suffix('.')?;
    if digits.len() < 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A part that claims to buffer 40 MiB per write and counts its flushes.
    struct Heavy {
        out: Output,
        buffered: usize,
        flushes: std::rc::Rc<std::cell::Cell<u32>>,
    }

    impl Part for Heavy {
        fn close(self) -> Result<Closed> {
            self.out.close()
        }
        fn buffered(&self) -> usize {
            self.buffered
        }
        fn flush(&mut self) -> Result<()> {
            self.flushes.set(self.flushes.get() + 1);
            self.buffered = 0;
            Ok(())
        }
    }

    #[test]
    fn the_largest_buffer_is_flushed_over_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let mut tree = Tree::new(dir.path(), "bin").unwrap();
        let flushes = std::rc::Rc::new(std::cell::Cell::new(0));
        let write = |folder: &str, tree: &mut Tree<Heavy>| {
            let start = |out| {
                Ok(Heavy {
                    out,
                    buffered: 0,
                    flushes: flushes.clone(),
                })
            };
            tree.write(folder, start, |part| {
                part.buffered += 40 << 20;
                Ok(())
            })
            .unwrap();
        };
        write("a=1", &mut tree);
        write("a=1", &mut tree); // 80 MiB in one part
        assert_eq!((flushes.get(), tree.buffered), (1, 0));
        write("a=1", &mut tree);
        write("a=2", &mut tree); // 40 + 40: the first written is flushed
        assert_eq!((flushes.get(), tree.buffered), (2, 40 << 20));
        let written = tree.finish().unwrap();
        assert_eq!((written.folders, written.files), (2, 2));
        assert!(dir.path().join("a=2/part-00000.bin").is_file());
    }

    #[test]
    fn part_names_round_trip() {
        assert_eq!(part_name(0, "parquet"), "part-00000.parquet");
        assert_eq!(part_number("part-00000.parquet", "parquet"), Some(0));
        assert_eq!(part_number("part-00012.csv", "csv"), Some(12));
        assert_eq!(part_number("part-123456.csv", "csv"), Some(123456));
        for other in [
            "part-00001.csv",
            "part-1.parquet",
            "part-0000x.parquet",
            "x.parquet",
        ] {
            assert_eq!(part_number(other, "parquet"), None, "{other}");
        }
    }
}
