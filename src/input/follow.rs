//! `--follow PATH`: keep reading a growing NDJSON file (like `tail -F`: a file truncated or
//! replaced is read again from its start) or a dumps folder (files that appear, as `serve`
//! writes them, are read once each). The followed input goes through the one reading path,
//! so selection, dedupe (each conversation once) and streaming output work as for any input.

use std::collections::HashSet;
use std::fs::{self, File};
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::discover::{discover, Discovery, NoInput, Source, SourceKind};

/// How often a followed file is checked for growth.
const FILE_POLL: Duration = Duration::from_millis(100);
/// How often a followed folder is walked for new files.
const FOLDER_POLL: Duration = Duration::from_millis(500);

/// The sources of `inputs` and, with `follow`, the followed path after them: for a folder,
/// the files it holds now and then a source that waits for new ones.
pub fn discover_following(inputs: &[String], follow: Option<&Path>) -> Result<Discovery, NoInput> {
    let Some(path) = follow else {
        return super::discover::discover_streaming(inputs);
    };
    // Standard input is read only when named: the followed path is the input.
    let mut found = if inputs.is_empty() {
        Discovery::default()
    } else {
        discover(inputs)?
    };
    let name: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
    if path.is_dir() {
        let now = discover(&[name.to_string()])?;
        found.sources.extend(now.sources);
        found.findings.extend(now.findings);
    }
    found.sources.push(Source {
        name,
        kind: SourceKind::Follow(path.to_path_buf()),
        size: None,
    });
    Ok(found)
}

/// Follows a folder: walks it every [`FOLDER_POLL`] and hands each file not seen before (not
/// in `known`, the sources read already) to `read`, in the walk's order, until `stop` is set
/// or `read` returns false.
pub fn folder(
    dir: &Path,
    known: &[Source],
    stop: &AtomicBool,
    read: &mut dyn FnMut(&Source) -> bool,
) {
    // Hashes of the paths, not the paths: 8 bytes a file.
    let hash = |path: &Path| rustc_hash::FxBuildHasher.hash_one(path);
    let mut seen: HashSet<u64, rustc_hash::FxBuildHasher> = known
        .iter()
        .filter_map(|source| match &source.kind {
            SourceKind::File(path) => Some(hash(path)),
            _ => None,
        })
        .collect();
    let inputs = [dir.to_string_lossy().into_owned()];
    loop {
        if !wait(FOLDER_POLL, stop) {
            return;
        }
        let Ok(found) = discover(&inputs) else { return };
        for source in &found.sources {
            if let SourceKind::File(path) = &source.kind {
                if seen.insert(hash(path)) && !read(source) {
                    return;
                }
            }
        }
    }
}

/// Sleeps `time` in short steps; false as soon as `stop` is set.
fn wait(time: Duration, stop: &AtomicBool) -> bool {
    let step = Duration::from_millis(20);
    let mut waited = Duration::ZERO;
    while waited < time {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(step);
        waited += step;
    }
    !stop.load(Ordering::Relaxed)
}

/// A growing file read like `tail -F`: at its end, waits for more; truncated or replaced,
/// starts again from the beginning. Ends only on `stop`.
pub struct Tail {
    path: PathBuf,
    file: Option<File>,
    at: u64,
    identity: Option<(u64, u64)>,
    stop: Arc<AtomicBool>,
}

impl Tail {
    pub fn open(path: &Path, stop: Arc<AtomicBool>) -> io::Result<Tail> {
        let file = File::open(path)?;
        let identity = identity(&file.metadata()?);
        Ok(Tail {
            path: path.to_path_buf(),
            file: Some(file),
            at: 0,
            identity,
            stop,
        })
    }

    /// Reopens the file when the name now points to another file, or it got shorter.
    fn check_replaced(&mut self) {
        let Ok(meta) = fs::metadata(&self.path) else {
            return; // gone for now (being rotated): keep waiting
        };
        if identity(&meta) != self.identity || meta.len() < self.at {
            if let Ok(file) = File::open(&self.path) {
                self.identity = file.metadata().ok().and_then(|m| identity(&m));
                self.file = Some(file);
                self.at = 0;
            }
        }
    }
}

impl Read for Tail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(file) = &mut self.file {
                let n = file.read(buf)?;
                if n > 0 {
                    self.at += n as u64;
                    return Ok(n);
                }
            }
            if !wait(FILE_POLL, &self.stop) {
                return Ok(0);
            }
            self.check_replaced();
        }
    }
}

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}
