//! `--follow PATH`: keep reading a growing NDJSON file (like `tail -F`: a file truncated or
//! replaced is read again from its start) or a dumps folder (files that appear, as `serve`
//! writes them, are read once each). The followed input goes through the one reading path,
//! so selection, dedupe (each conversation once) and streaming output work as for any input.
//!
//! A folder is watched with the system's file notifications (inotify on Linux, through the
//! `notify` crate): waiting costs nothing however large the archive, and a file is read as
//! soon as it is complete — renamed into place, as `serve` stores, or closed after writing.
//! With `--poll` (network file systems, whose changes on other machines send no notification)
//! or when notifications cannot be had, the folder is walked every [`FOLDER_POLL`] instead.

use std::collections::HashSet;
use std::fs::{self, File};
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::discover::{discover, in_walk, walked_file, Discovery, NoInput, Source, SourceKind};

/// How often a followed file is checked for growth.
const FILE_POLL: Duration = Duration::from_millis(100);
/// How often a followed folder is walked for new files, with `--poll`.
const FOLDER_POLL: Duration = Duration::from_millis(500);
/// How long a watched folder waits for a notification before it looks whether to stop.
const STOP_CHECK: Duration = Duration::from_millis(200);
/// A folder that appears is walked when it is heard of, and again this much later: a file
/// stored in it before its own watch was added sends no notification.
const NEW_FOLDER_AGAIN: Duration = Duration::from_secs(1);
/// Whether the notifications tell when a file written is closed (inotify's
/// `IN_CLOSE_WRITE`). Where they do, a file created is read once closed, never half written;
/// elsewhere, once created.
const CLOSE_NOTIFIED: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// `--follow`: what is followed, and how a folder is.
#[derive(Debug, Clone)]
pub struct Follow {
    pub path: PathBuf,
    /// Walk a followed folder every [`FOLDER_POLL`] instead of waiting for notifications.
    pub poll: bool,
    /// Say nothing when notifications cannot be had and polling takes over.
    pub quiet: bool,
    /// How long, in event time, a closed webhook conversation is held after its last event
    /// (`--settle`): see [`Assembler::live`](crate::model::webhook::assembler::Assembler::live).
    pub settle_ms: i64,
}

impl Follow {
    /// `--follow -`: standard input, followed as it comes (webhook conversations written as
    /// they settle) until it closes.
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// The sources of `inputs` and, with `follow`, the followed path after them: for a folder,
/// the files it holds now and then a source that waits for new ones.
pub fn discover_following(inputs: &[String], follow: Option<Follow>) -> Result<Discovery, NoInput> {
    let Some(follow) = follow else {
        return super::discover::discover_streaming(inputs);
    };
    // Standard input is read only when named: the followed path is the input.
    let mut found = if inputs.is_empty() {
        Discovery::default()
    } else {
        discover(inputs)?
    };
    // `-`: standard input, read as a stream that never ends either (it ends when it closes).
    let name: Arc<str> = match follow.is_stdin() {
        true => Arc::from(super::discover::STDIN),
        false => Arc::from(follow.path.to_string_lossy().as_ref()),
    };
    if follow.path.is_dir() {
        let now = discover(&[name.to_string()])?;
        found.sources.extend(now.sources);
        found.findings.extend(now.findings);
    }
    found.sources.push(Source {
        name,
        kind: SourceKind::Follow(follow),
        size: None,
    });
    Ok(found)
}

/// Follows a folder: hands each file not seen before (not in `known`, the sources read
/// already) to `read`, as it appears, until `stop` is set or `read` returns false.
pub fn folder(
    follow: &Follow,
    known: &[Source],
    stop: &AtomicBool,
    read: &mut dyn FnMut(&Source) -> bool,
) {
    let mut files = Files {
        root: &follow.path,
        seen: known
            .iter()
            .filter_map(|source| match &source.kind {
                SourceKind::File(path) => Some(hash(path)),
                _ => None,
            })
            .collect(),
        read,
    };
    if !follow.poll {
        match watch(&mut files, stop) {
            Ok(()) => return,
            Err(err) if !follow.quiet => eprintln!(
                "sshook: cannot watch {} for new files ({err}): walking it every {} ms instead",
                follow.path.display(),
                FOLDER_POLL.as_millis()
            ),
            Err(_) => {}
        }
    }
    poll(&mut files, stop);
}

/// The files of a followed folder, and which were read.
struct Files<'f> {
    root: &'f Path,
    /// Hashes of the paths, not the paths: 8 bytes a file.
    seen: HashSet<u64, rustc_hash::FxBuildHasher>,
    read: &'f mut dyn FnMut(&Source) -> bool,
}

fn hash(path: &Path) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(path)
}

impl Files<'_> {
    /// Reads the files of a walk of `dir` (the root or a folder below it) not read yet, in
    /// the walk's order. False when reading stops.
    fn walk(&mut self, dir: &Path) -> bool {
        if dir != self.root && !in_walk(self.root, dir) {
            return true;
        }
        let Ok(found) = discover(&[dir.to_string_lossy().into_owned()]) else {
            return true;
        };
        for source in &found.sources {
            if let SourceKind::File(path) = &source.kind {
                if self.seen.insert(hash(path)) && !(self.read)(source) {
                    return false;
                }
            }
        }
        true
    }

    /// Reads `path`, a file a notification named, if a walk would and it was not read yet.
    /// False when reading stops.
    fn file(&mut self, path: &Path) -> bool {
        if self.seen.contains(&hash(path)) || !in_walk(self.root, path) {
            return true;
        }
        self.seen.insert(hash(path));
        (self.read)(&walked_file(path))
    }
}

/// Walks the folder every [`FOLDER_POLL`] for files not read yet, until `stop`.
fn poll(files: &mut Files, stop: &AtomicBool) {
    let root = files.root.to_path_buf();
    while wait(FOLDER_POLL, stop) && files.walk(&root) {}
}

/// Waits for the system's notifications about the folder and reads each file that appears,
/// once it is complete, until `stop` (`Ok`). An error when the folder cannot be watched, or
/// stops being watched whole (a limit on watches reached): polling takes over.
fn watch(files: &mut Files, stop: &AtomicBool) -> notify::Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })?;
    // Notifications name absolute paths (canonical ones, on some systems): they are named
    // back below the root as given, as a walk names them.
    let absolute = std::path::absolute(files.root).map_err(notify::Error::io)?;
    let canonical = fs::canonicalize(files.root).map_err(notify::Error::io)?;
    watcher.watch(&absolute, RecursiveMode::Recursive)?;
    let named = |path: &Path| -> Option<PathBuf> {
        let below = (path.strip_prefix(&absolute))
            .or_else(|_| path.strip_prefix(&canonical))
            .ok()?;
        Some(files.root.join(below))
    };
    // The files stored since the folder was first walked, before the watch began.
    let root = files.root.to_path_buf();
    if !files.walk(&root) {
        return Ok(());
    }
    let mut again: Vec<(Instant, PathBuf)> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let going = match rx.recv_timeout(STOP_CHECK) {
            Ok(Ok(event)) => heard(files, event, &named, &mut again),
            Ok(Err(err)) if matches!(err.kind, notify::ErrorKind::MaxFilesWatch) => {
                return Err(err);
            }
            // A path gone before it could be looked at, and the like: nothing to read.
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => true,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(notify::Error::generic("the notifications stopped"));
            }
        };
        let now = Instant::now();
        while let Some(at) = again.iter().position(|(when, _)| *when <= now) {
            let (_, dir) = again.swap_remove(at);
            if !going || !files.walk(&dir) {
                return Ok(());
            }
        }
        if !going {
            return Ok(());
        }
    }
    Ok(())
}

/// Acts on one notification: reads the file it names once complete, walks a folder that
/// appeared (and schedules it `again`), or everything when notifications were lost. False
/// when reading stops.
fn heard(
    files: &mut Files,
    event: notify::Event,
    named: &dyn Fn(&Path) -> Option<PathBuf>,
    again: &mut Vec<(Instant, PathBuf)>,
) -> bool {
    if event.need_rescan() {
        let root = files.root.to_path_buf();
        return files.walk(&root);
    }
    let complete = match event.kind {
        // Renamed into place (as serve stores), or closed after writing.
        EventKind::Modify(ModifyKind::Name(
            RenameMode::To | RenameMode::Both | RenameMode::Any,
        ))
        | EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Create(CreateKind::Folder) => true,
        EventKind::Create(_) => !CLOSE_NOTIFIED,
        _ => false,
    };
    // A rename names where from, then where to.
    let Some(path) = event
        .paths
        .last()
        .filter(|_| complete)
        .and_then(|p| named(p))
    else {
        return true;
    };
    if path.is_dir() {
        again.push((Instant::now() + NEW_FOLDER_AGAIN, path.clone()));
        return files.walk(&path);
    }
    files.file(&path)
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
