//! The file-system steps of the store: durable temporary files, syncs, free space, and the
//! clean-up of what a crash left behind.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

/// Prefix of the hidden temporary files writes go through.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Writes `body` to a new hidden temporary file in `dir` and syncs it.
pub fn write_temp(dir: &Path, counter: &AtomicU64, body: &[u8]) -> Result<PathBuf> {
    let (mut path, mut file);
    let mut attempts = 0;
    loop {
        // A crashed run may have left this name behind (a restart can get the same pid).
        let n = counter.fetch_add(1, Ordering::Relaxed);
        path = dir.join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
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
        remove_quietly(&path);
        return Err(err).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(path)
}

/// Removes a file whose loss harms nobody (a temporary file, a half-made pair).
pub fn remove_quietly(path: &Path) {
    let _ = fs::remove_file(path);
}

pub use crate::output::sync_dir;

/// Whether the file at `path` holds exactly `body`; `None` when there is no such file. Read in
/// small pieces: a large stored body is not held in memory again.
pub fn same_bytes(path: &Path, body: &[u8]) -> Result<Option<bool>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() != body.len() as u64 {
        return Ok(Some(false));
    }
    let mut piece = vec![0u8; (64 << 10).min(body.len().max(1))];
    let mut rest = body;
    while !rest.is_empty() {
        let n = piece.len().min(rest.len());
        file.read_exact(&mut piece[..n])
            .with_context(|| format!("cannot read {}", path.display()))?;
        if piece[..n] != rest[..n] {
            return Ok(Some(false));
        }
        rest = &rest[n..];
    }
    Ok(Some(true))
}

/// Bytes that unprivileged writers may still use on the file system holding `path`.
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    let stat = rustix::fs::statvfs(path)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Whether an error (anywhere in its chain) is the disk or the quota being full.
pub fn out_of_space(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .and_then(io::Error::raw_os_error)
            .is_some_and(|code| code == libc::ENOSPC || code == libc::EDQUOT)
    })
}

/// Whether a file can be created, written and removed in `dir` now.
pub fn writable(dir: &Path, counter: &AtomicU64) -> Result<()> {
    let temp = write_temp(dir, counter, b"health")?;
    fs::remove_file(&temp).with_context(|| format!("cannot remove {}", temp.display()))
}

/// What start-up found left behind by an earlier run that stopped mid-write.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Leftovers {
    pub temp_files: u64,
    /// A rejected body's reason whose body never got its name.
    pub lone_reasons: u64,
}

/// Removes the hidden temporary files under `root` (at any depth) and, in `rejected`, the
/// reasons without their body. Run at start-up, before any request: one server per folder.
pub fn remove_leftovers(root: &Path, rejected: &Path) -> Result<Leftovers> {
    let mut found = Leftovers::default();
    let mut folders = vec![root.to_path_buf()];
    while let Some(dir) = folders.pop() {
        let entries =
            fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() && name.starts_with(TEMP_PREFIX) {
                fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                found.temp_files += 1;
            } else if dir == rejected {
                if let Some(stem) = name.strip_suffix(".reason.txt") {
                    if !dir.join(format!("{stem}.json")).exists() {
                        fs::remove_file(entry.path())
                            .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                        found.lone_reasons += 1;
                    }
                }
            }
        }
    }
    Ok(found)
}
