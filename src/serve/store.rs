//! The durable store behind `sshook serve`: every body lands on disk byte for byte, complete or
//! not at all, before it is acknowledged.
//!
//! The layout of the dump folder (dated folders, numbered copies, markers, `rejected/`) is
//! [`crate::dumps`]'s.
//!
//! A file appears under its final name only once complete and synced: it is written to a hidden
//! `.tmp-*` file in the same folder, `fsync`ed, then hard-linked to its name — `link` never
//! replaces an existing file, so it is also the atomic "create if absent" that keeps two
//! concurrent identical requests from storing two copies — and the folder is `fsync`ed. Readers
//! skip hidden files and `rejected/`, so a crash at any point leaves nothing half-written in
//! their view (at most a stale `.tmp-*` file, safe to delete).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use jiff::Timestamp;

use super::disk::{self, remove_quietly, same_bytes, sync_dir, write_temp, Leftovers};
use super::rejected::RejectedBudget;
use crate::dumps::{day_folder, payload_file, payload_marker, payload_stem, REJECTED_DIR};

/// Stores of one conversation are serialised on one of this many locks (by name).
const LOCKS: usize = 64;
/// How long `/healthz` reuses its last look at the disk.
const HEALTH_FOR: Duration = Duration::from_secs(1);

/// The limits a store keeps to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Below this many free bytes (after the body), valid bodies get 503.
    pub min_free: u64,
    /// `rejected/` holds at most this many bytes (each file at least a 4 KiB block) ...
    pub rejected_max: u64,
    /// ... and this many files.
    pub rejected_max_files: u64,
    /// Different bodies kept for one conversation (the first and its numbered copies).
    pub max_copies: u32,
}

/// A dump folder that payloads are stored into. One server per folder: start-up removes the
/// temporary files it finds.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    limits: Limits,
    temp_counter: AtomicU64,
    rejected_counter: AtomicU64,
    rejected: RejectedBudget,
    locks: Vec<Mutex<()>>,
    health: Mutex<Option<(Instant, Result<(), Unhealthy>)>>,
    /// What start-up cleaned.
    pub leftovers: Leftovers,
}

/// Where a body went, relative to the dump folder (with `/` separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub file: String,
    /// An identical copy was already there: nothing was written.
    pub duplicate: bool,
}

/// Why a valid body was not stored.
#[derive(Debug, thiserror::Error)]
pub enum NotStored {
    /// Below `--min-free`, or the disk said it is full: try again later (503).
    #[error("{0}")]
    Full(String),
    /// `--max-copies` different bodies of this conversation are kept already (409).
    #[error("{0}")]
    TooManyCopies(String),
    /// The disk failed (500).
    #[error(transparent)]
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for NotStored {
    fn from(err: anyhow::Error) -> NotStored {
        if disk::out_of_space(&err) {
            NotStored::Full(format!("{:#}", err))
        } else {
            NotStored::Failed(err)
        }
    }
}

/// Why `/healthz` answers 503: a short reason for the answer, the details for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhealthy {
    pub short: &'static str,
    pub detail: String,
}

/// Whether a rejected body was kept, and where or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptRejected {
    Kept(String),
    NotKept(String),
}

impl Store {
    /// Opens (creating it if needed) the dump folder, removes what a crash left behind, and
    /// counts what `rejected/` holds.
    pub fn open(root: &Path, limits: Limits) -> Result<Store> {
        fs::create_dir_all(root)
            .with_context(|| format!("cannot create the dump folder {}", root.display()))?;
        let meta = fs::metadata(root)
            .with_context(|| format!("cannot read the dump folder {}", root.display()))?;
        if !meta.is_dir() {
            bail!("{} is not a folder", root.display());
        }
        let rejected_dir = root.join(REJECTED_DIR);
        let leftovers = disk::remove_leftovers(root, &rejected_dir)?;
        let rejected = RejectedBudget::scan(
            &rejected_dir,
            limits.rejected_max,
            limits.rejected_max_files,
        )?;
        Ok(Store {
            root: root.to_path_buf(),
            limits,
            temp_counter: AtomicU64::new(0),
            rejected_counter: AtomicU64::new(0),
            rejected,
            locks: (0..LOCKS).map(|_| Mutex::new(())).collect(),
            health: Mutex::new(None),
            leftovers,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a valid body of `len` bytes may be written: 503 below the free-space floor.
    fn check_floor(&self, len: u64) -> Result<(), NotStored> {
        let free = disk::free_bytes(&self.root)
            .with_context(|| format!("cannot read the free space of {}", self.root.display()))?;
        if free < self.limits.min_free.saturating_add(len) {
            return Err(NotStored::Full(format!(
                "{free} bytes free, below --min-free ({} bytes)",
                self.limits.min_free
            )));
        }
        Ok(())
    }

    /// `Ok` when the store is writable and above the free-space floor; else why not. Looked at
    /// once a second at most.
    pub fn health(&self) -> Result<(), Unhealthy> {
        let mut cached = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((at, verdict)) = &*cached {
            if at.elapsed() < HEALTH_FOR {
                return verdict.clone();
            }
        }
        let verdict = disk::writable(&self.root, &self.temp_counter)
            .map_err(|err| Unhealthy {
                short: "the dump folder is not writable",
                detail: format!("{err:#}"),
            })
            .and_then(|()| {
                self.check_floor(0).map_err(|err| Unhealthy {
                    short: "free space below --min-free",
                    detail: err.to_string(),
                })
            });
        *cached = Some((Instant::now(), verdict.clone()));
        verdict
    }

    fn lock(&self, name: &str) -> std::sync::MutexGuard<'_, ()> {
        let hash = name
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        self.locks[hash % LOCKS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a valid payload as `YYYY/MM/DD/<beginAt>-<channelId>[.n].json`, unless a
    /// byte-identical copy of it is already stored there. Never overwrites anything.
    ///
    /// Each stored body gets a hidden marker beside it, `.<beginAt>-<channelId>.<16 hex of its
    /// SHA-256>`, a symbolic link to its file: a re-send finds its copy with one look-up, and a
    /// differing re-send finds the next number by a binary search over names — no earlier copy
    /// is read, whatever their number.
    pub fn store_payload(
        &self,
        body: &[u8],
        begin_at: i64,
        channel_id: i64,
    ) -> Result<Stored, NotStored> {
        let folder = day_folder(begin_at);
        let stem = payload_stem(begin_at, channel_id);
        let name = |copy: u32| payload_file(&stem, copy);
        let dir = self.root.join(&folder);
        let stored = |file: &str, duplicate: bool| Stored {
            file: format!("{folder}/{file}"),
            duplicate,
        };
        let marker = dir.join(payload_marker(&stem, body));
        let _one_at_a_time = self.lock(&stem);
        if let Ok(target) = fs::read_link(&marker) {
            let target = target.to_string_lossy().into_owned();
            if same_bytes(&dir.join(&target), body)? == Some(true) {
                // Its writer may not have synced the folder yet: we acknowledge it too.
                sync_dir(&dir)?;
                return Ok(stored(&target, true));
            }
            // Its file was removed or replaced by hand: the marker no longer tells.
            remove_quietly(&marker);
        }
        let count = count_copies(&dir, &name);
        if count > 0 {
            // A crash between a copy and its marker: the last copy may be these very bytes.
            let last = name(count - 1);
            if same_bytes(&dir.join(&last), body)? == Some(true) {
                let _ = std::os::unix::fs::symlink(&last, &marker);
                sync_dir(&dir)?;
                return Ok(stored(&last, true));
            }
        }
        if count >= self.limits.max_copies {
            return Err(NotStored::TooManyCopies(format!(
                "{} different bodies of this conversation are kept already (--max-copies); \
                 this one was not kept",
                self.limits.max_copies
            )));
        }
        self.check_floor(body.len() as u64)?;
        let dir = self.ensure_dir(&folder)?;
        let temp = write_temp(&dir, &self.temp_counter, body)?;
        let linked = (|| {
            let mut copy = count;
            while copy < self.limits.max_copies {
                let path = dir.join(name(copy));
                match fs::hard_link(&temp, &path) {
                    Ok(()) => return Ok(Some(name(copy))),
                    // Put there by hand, or by an older server: the next number.
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => copy += 1,
                    Err(err) => {
                        return Err(err).with_context(|| format!("cannot link {}", path.display()))
                    }
                }
            }
            Ok(None)
        })();
        remove_quietly(&temp);
        let Some(file) = linked? else {
            return Err(NotStored::TooManyCopies(format!(
                "{} different bodies of this conversation are kept already (--max-copies); \
                 this one was not kept",
                self.limits.max_copies
            )));
        };
        // Without its marker, a later re-send is still found as the last copy (above).
        let _ = std::os::unix::fs::symlink(&file, &marker);
        sync_dir(&dir)?;
        Ok(stored(&file, false))
    }

    /// Stores a webhook event as `folder/name` (see [`crate::dumps::event_file`]) unless
    /// that name exists, holding the same bytes: a re-delivery.
    pub fn store_event(&self, body: &[u8], folder: &str, name: &str) -> Result<Stored, NotStored> {
        let stored = |duplicate: bool| Stored {
            file: format!("{folder}/{name}"),
            duplicate,
        };
        let path = self.root.join(folder).join(name);
        let differs = || {
            NotStored::Failed(anyhow::anyhow!(
                "{} holds other bytes with the same SHA-256 prefix",
                path.display()
            ))
        };
        match same_bytes(&path, body)? {
            Some(true) => {
                sync_dir(&self.root.join(folder))?;
                return Ok(stored(true));
            }
            Some(false) => return Err(differs()),
            None => {}
        }
        self.check_floor(body.len() as u64)?;
        let dir = self.ensure_dir(folder)?;
        let temp = write_temp(&dir, &self.temp_counter, body)?;
        let linked = fs::hard_link(&temp, &path);
        remove_quietly(&temp);
        match linked {
            Ok(()) => {}
            // The same event, delivered twice at once.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                if same_bytes(&path, body)? != Some(true) {
                    return Err(differs());
                }
            }
            Err(err) => {
                return Err(anyhow::Error::new(err)
                    .context(format!("cannot link {}", path.display()))
                    .into())
            }
        }
        sync_dir(&dir)?;
        Ok(stored(false))
    }

    /// Keeps a body that is not valid under `rejected/`, with the reason in a `.reason.txt`
    /// file beside it — both or neither: the reason gets its name first, the body second, and
    /// a reason left alone by a crash is removed at start-up. Not kept past `--rejected-max`,
    /// below `--min-free`, or when the disk fails; the answer says which.
    pub fn store_rejected(&self, body: &[u8], reason: &str) -> KeptRejected {
        let reason = format!("{reason}\n");
        let charge = match self.rejected.take(body.len() as u64, reason.len() as u64) {
            Ok(charge) => charge,
            Err(why) => return KeptRejected::NotKept(why),
        };
        let kept = self
            .check_floor((body.len() + reason.len()) as u64)
            .map_err(|err| err.to_string())
            .and_then(|()| {
                self.write_rejected(body, reason.as_bytes())
                    .map_err(|err| format!("{err:#}"))
            });
        match kept {
            Ok(file) => KeptRejected::Kept(file),
            Err(why) => {
                self.rejected.give_back(charge);
                KeptRejected::NotKept(why)
            }
        }
    }

    fn write_rejected(&self, body: &[u8], reason: &[u8]) -> Result<String> {
        let dir = self.ensure_dir(REJECTED_DIR)?;
        let now = Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let body_temp = write_temp(&dir, &self.temp_counter, body)?;
        let reason_temp = match write_temp(&dir, &self.temp_counter, reason) {
            Ok(temp) => temp,
            Err(err) => {
                remove_quietly(&body_temp);
                return Err(err);
            }
        };
        let result = (|| loop {
            let n = self.rejected_counter.fetch_add(1, Ordering::Relaxed);
            let stem = format!("{now}-{n}");
            let reason_path = dir.join(format!("{stem}.reason.txt"));
            match fs::hard_link(&reason_temp, &reason_path) {
                Ok(()) => {}
                // Another process, or this one before a restart, used the name.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("cannot link {}", reason_path.display()))
                }
            }
            let path = dir.join(format!("{stem}.json"));
            if let Err(err) = fs::hard_link(&body_temp, &path) {
                remove_quietly(&reason_path);
                if err.kind() == io::ErrorKind::AlreadyExists {
                    continue;
                }
                return Err(err).with_context(|| format!("cannot link {}", path.display()));
            }
            return Ok(stem);
        })();
        remove_quietly(&body_temp);
        remove_quietly(&reason_temp);
        let stem = result?;
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
}

/// How many copies `name(0)`, `name(1)`, … exist, by a binary search over their names (copies
/// are numbered without gaps; a gap made by hand is filled by the next copy).
fn count_copies(dir: &Path, name: &dyn Fn(u32) -> String) -> u32 {
    let exists = |n: u32| fs::symlink_metadata(dir.join(name(n))).is_ok();
    if !exists(0) {
        return 0;
    }
    // exists(low), !exists(high)
    let (mut low, mut high) = (0u32, 1u32);
    while exists(high) {
        low = high;
        match high.checked_mul(2) {
            Some(next) => high = next,
            None => return u32::MAX,
        }
    }
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if exists(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        min_free: 0,
        rejected_max: 1 << 30,
        rejected_max_files: 1000,
        max_copies: 3,
    };

    #[test]
    fn same_conversation_is_stored_once_per_distinct_body() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), LIMITS).unwrap();
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
            .filter(|name| !name.starts_with('.'))
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
        let store = Store::open(dir.path(), LIMITS).unwrap();
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
        let store = Store::open(dir.path(), LIMITS).unwrap();
        let kept = |reply| match reply {
            KeptRejected::Kept(file) => file,
            other => panic!("{other:?}"),
        };
        let first = kept(store.store_rejected(b"{,", "syntax error"));
        let second = kept(store.store_rejected(b"{,", "syntax error"));
        assert_ne!(first, second);
        assert_eq!(fs::read(dir.path().join(&first)).unwrap(), b"{,");
        let reason = first.replace(".json", ".reason.txt");
        assert_eq!(
            fs::read_to_string(dir.path().join(reason)).unwrap(),
            "syntax error\n"
        );
    }

    #[test]
    fn copies_are_found_without_reading_them_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), LIMITS).unwrap();
        for n in 0..3u8 {
            let stored = store.store_payload(&[b'0' + n], 5, 7).unwrap();
            assert!(!stored.duplicate);
        }
        // The first body again: found by its marker.
        let again = store.store_payload(b"0", 5, 7).unwrap();
        assert_eq!(
            (again.file.as_str(), again.duplicate),
            ("1970/01/01/5-7.json", true)
        );
        match store.store_payload(b"9", 5, 7) {
            Err(NotStored::TooManyCopies(why)) => assert!(why.contains("--max-copies")),
            other => panic!("{other:?}"),
        }
        // A copy stored without its marker (a crash between the two) is still found.
        fs::remove_file(
            dir.path()
                .join(format!("1970/01/01/{}", payload_marker("5-7", b"2"))),
        )
        .unwrap();
        assert!(store.store_payload(b"2", 5, 7).unwrap().duplicate);
    }

    #[test]
    fn copies_are_counted_by_binary_search() {
        let dir = tempfile::tempdir().unwrap();
        let name = |n: u32| format!("{n}");
        for n in 0..=12 {
            assert_eq!(count_copies(dir.path(), &name), n);
            fs::write(dir.path().join(name(n)), "").unwrap();
        }
    }

    #[test]
    fn start_up_removes_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("2015/03/27")).unwrap();
        fs::create_dir_all(dir.path().join("rejected")).unwrap();
        fs::write(dir.path().join("2015/03/27/.tmp-1-1"), "x").unwrap();
        fs::write(dir.path().join("rejected/.tmp-1-2"), "x").unwrap();
        fs::write(dir.path().join("rejected/a.reason.txt"), "x").unwrap();
        fs::write(dir.path().join("rejected/b.reason.txt"), "x").unwrap();
        fs::write(dir.path().join("rejected/b.json"), "x").unwrap();
        let store = Store::open(dir.path(), LIMITS).unwrap();
        assert_eq!(
            store.leftovers,
            Leftovers {
                temp_files: 2,
                lone_reasons: 1
            }
        );
        assert!(!dir.path().join("rejected/a.reason.txt").exists());
        assert!(dir.path().join("rejected/b.reason.txt").exists());
    }
}
