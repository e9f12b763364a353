//! The durable store behind `sshook serve`: every body lands on disk byte for byte, complete or
//! not at all, before it is acknowledged.
//!
//! Layout under the dump folder:
//!
//! ```text
//! DUMPS/2015/03/27/1427470439703-55039.json     a payload (UTC date and start of beginAt, channel id)
//! DUMPS/2015/03/27/1427470439703-55039.1.json   the same conversation sent again with other bytes
//! DUMPS/rejected/20260301T120000.123Z-0.json    a body that is not a payload, as received
//! DUMPS/rejected/20260301T120000.123Z-0.reason.txt   why
//! ```
//!
//! A file appears under its final name only once complete and synced: it is written to a hidden
//! `.tmp-*` file in the same folder, `fsync`ed, then hard-linked to its name — `link` never
//! replaces an existing file, so it is also the atomic "create if absent" that keeps two
//! concurrent identical requests from storing two copies — and the folder is `fsync`ed. Readers
//! skip hidden files and `rejected/`, so a crash at any point leaves nothing half-written in
//! their view (at most a stale `.tmp-*` file, safe to delete).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context, Result};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Folder (under the dump folder) that keeps bodies that are not payloads.
pub const REJECTED_DIR: &str = "rejected";
/// Folder for payloads whose `beginAt` has no calendar date (beyond year 9999).
const UNDATED_DIR: &str = "undated";
/// Different bodies for one conversation get suffixes `.1` … up to this.
const MAX_COPIES: u32 = 10_000;

/// A dump folder that payloads are stored into.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    temp_counter: AtomicU64,
    rejected_counter: AtomicU64,
}

/// Where a body went, relative to the dump folder (with `/` separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub file: String,
    /// An identical copy was already there: nothing was written.
    pub duplicate: bool,
}

impl Store {
    /// Opens (creating it if needed) the dump folder.
    pub fn open(root: &Path) -> Result<Store> {
        fs::create_dir_all(root)
            .with_context(|| format!("cannot create the dump folder {}", root.display()))?;
        let meta = fs::metadata(root)
            .with_context(|| format!("cannot read the dump folder {}", root.display()))?;
        if !meta.is_dir() {
            bail!("{} is not a folder", root.display());
        }
        Ok(Store {
            root: root.to_path_buf(),
            temp_counter: AtomicU64::new(0),
            rejected_counter: AtomicU64::new(0),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores a valid payload as `YYYY/MM/DD/<beginAt>-<channelId>[.n].json`, unless a
    /// byte-identical copy of it is already stored there. Never overwrites anything.
    pub fn store_payload(&self, body: &[u8], begin_at: i64, channel_id: i64) -> Result<Stored> {
        let folder = day_folder(begin_at);
        let dir = self.ensure_dir(&folder)?;
        let name = |copy: u32| match copy {
            0 => format!("{begin_at}-{channel_id}.json"),
            n => format!("{begin_at}-{channel_id}.{n}.json"),
        };
        let stored = |copy: u32, duplicate: bool| Stored {
            file: format!("{folder}/{}", name(copy)),
            duplicate,
        };
        // Most resends find their copy here, without writing anything.
        let mut copy = 0;
        while copy < MAX_COPIES {
            match same_bytes(&dir.join(name(copy)), body)? {
                Some(true) => {
                    // Its writer may not have synced the folder yet: we acknowledge it too.
                    sync_dir(&dir)?;
                    return Ok(stored(copy, true));
                }
                Some(false) => copy += 1,
                None => break,
            }
        }
        let temp = self.write_temp(&dir, body)?;
        let result = (|| {
            while copy < MAX_COPIES {
                let path = dir.join(name(copy));
                match fs::hard_link(&temp, &path) {
                    Ok(()) => return Ok(stored(copy, false)),
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                        // Someone stored this name since we looked: maybe these very bytes.
                        if same_bytes(&path, body)? == Some(true) {
                            return Ok(stored(copy, true));
                        }
                        copy += 1;
                    }
                    Err(err) => {
                        return Err(err).with_context(|| format!("cannot link {}", path.display()))
                    }
                }
            }
            bail!("more than {MAX_COPIES} different bodies for {}", name(0))
        })();
        remove_temp(&temp);
        let stored = result?;
        sync_dir(&dir)?;
        Ok(stored)
    }

    /// Keeps a body that is not a valid payload under `rejected/`, with the reason in a
    /// `.reason.txt` file beside it. Returns the body's path relative to the dump folder.
    pub fn store_rejected(&self, body: &[u8], reason: &str) -> Result<String> {
        let dir = self.ensure_dir(REJECTED_DIR)?;
        let now = Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let temp = self.write_temp(&dir, body)?;
        let result = (|| loop {
            let n = self.rejected_counter.fetch_add(1, Ordering::Relaxed);
            let stem = format!("{now}-{n}");
            let path = dir.join(format!("{stem}.json"));
            match fs::hard_link(&temp, &path) {
                Ok(()) => return Ok(stem),
                // Another process, or this one before a restart, used the name.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => {
                    return Err(err).with_context(|| format!("cannot link {}", path.display()))
                }
            }
        })();
        remove_temp(&temp);
        let stem = result?;
        // The reason is a courtesy to the reader: the body is what must not be lost.
        let reason_temp = self.write_temp(&dir, format!("{reason}\n").as_bytes())?;
        let reason_path = dir.join(format!("{stem}.reason.txt"));
        let linked = fs::hard_link(&reason_temp, &reason_path);
        remove_temp(&reason_temp);
        linked.with_context(|| format!("cannot link {}", reason_path.display()))?;
        sync_dir(&dir)?;
        Ok(format!("{REJECTED_DIR}/{stem}.json"))
    }

    /// Creates `folder` (relative, `/`-separated) and syncs each folder that got a new entry.
    fn ensure_dir(&self, folder: &str) -> Result<PathBuf> {
        let dir = self.root.join(folder);
        if dir.is_dir() {
            return Ok(dir);
        }
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // A new folder survives a crash only once its parent's entry for it is synced.
        let mut parent = dir.clone();
        for _ in folder.split('/') {
            if !parent.pop() {
                break;
            }
            sync_dir(&parent)?;
        }
        Ok(dir)
    }

    /// Writes `body` to a new hidden temporary file in `dir` and syncs it.
    fn write_temp(&self, dir: &Path, body: &[u8]) -> Result<PathBuf> {
        let (mut path, mut file);
        let mut attempts = 0;
        loop {
            // A crashed run may have left this name behind (a restart can get the same pid).
            let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
            path = dir.join(format!(".tmp-{}-{n}", std::process::id()));
            match File::options().write(true).create_new(true).open(&path) {
                Ok(opened) => {
                    file = opened;
                    break;
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempts < 1000 => {
                    attempts += 1;
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("cannot create {}", path.display()))
                }
            }
        }
        if let Err(err) = file.write_all(body).and_then(|()| file.sync_all()) {
            remove_temp(&path);
            return Err(err).with_context(|| format!("cannot write {}", path.display()));
        }
        Ok(path)
    }
}

/// `YYYY/MM/DD` of `beginAt` in UTC, or `undated` when it has no calendar date.
fn day_folder(begin_at: i64) -> String {
    match Timestamp::from_millisecond(begin_at) {
        Ok(ts) => ts.to_zoned(TimeZone::UTC).strftime("%Y/%m/%d").to_string(),
        Err(_) => UNDATED_DIR.to_string(),
    }
}

/// Whether the file at `path` holds exactly `body`; `None` when there is no such file.
fn same_bytes(path: &Path, body: &[u8]) -> Result<Option<bool>> {
    match fs::metadata(path) {
        Ok(meta) if meta.len() != body.len() as u64 => return Ok(Some(false)),
        Ok(_) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
    let stored = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(stored == body))
}

fn remove_temp(path: &Path) {
    // A leftover is hidden from every reader; failing to remove it is no reason to fail.
    let _ = fs::remove_file(path);
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_folders_are_utc_dates_of_begin_at() {
        assert_eq!(day_folder(1_427_470_439_703), "2015/03/27");
        assert_eq!(day_folder(-1), "1969/12/31");
        assert_eq!(day_folder(i64::MAX), "undated");
    }

    #[test]
    fn same_conversation_is_stored_once_per_distinct_body() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .store_payload(b"{\"a\":1}", 1_427_470_439_703, 7)
            .unwrap();
        assert_eq!(a.file, "2015/03/27/1427470439703-7.json");
        assert!(!a.duplicate);
        let again = store
            .store_payload(b"{\"a\":1}", 1_427_470_439_703, 7)
            .unwrap();
        assert_eq!(again.file, a.file);
        assert!(again.duplicate);
        let b = store
            .store_payload(b"{\"a\":2}", 1_427_470_439_703, 7)
            .unwrap();
        assert_eq!(b.file, "2015/03/27/1427470439703-7.1.json");
        let b_again = store
            .store_payload(b"{\"a\":2}", 1_427_470_439_703, 7)
            .unwrap();
        assert_eq!(
            (b_again.file.as_str(), b_again.duplicate),
            (b.file.as_str(), true)
        );
        let day = dir.path().join("2015/03/27");
        let mut names: Vec<String> = fs::read_dir(&day)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["1427470439703-7.1.json", "1427470439703-7.json"]);
        assert_eq!(
            fs::read(day.join("1427470439703-7.1.json")).unwrap(),
            b"{\"a\":2}"
        );
    }

    #[test]
    fn leftover_temporary_files_are_stepped_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let day = dir.path().join("2015/03/27");
        fs::create_dir_all(&day).unwrap();
        for n in 0..3 {
            fs::write(
                day.join(format!(".tmp-{}-{n}", std::process::id())),
                "partial",
            )
            .unwrap();
        }
        let stored = store.store_payload(b"{}", 1_427_470_439_703, 7).unwrap();
        assert_eq!(fs::read(dir.path().join(stored.file)).unwrap(), b"{}");
    }

    #[test]
    fn rejected_bodies_keep_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = store.store_rejected(b"{,", "syntax error").unwrap();
        let second = store.store_rejected(b"{,", "syntax error").unwrap();
        assert_ne!(first, second);
        assert_eq!(fs::read(dir.path().join(&first)).unwrap(), b"{,");
        let reason = first.replace(".json", ".reason.txt");
        assert_eq!(
            fs::read_to_string(dir.path().join(reason)).unwrap(),
            "syntax error\n"
        );
    }
}
