//! Turning command-line inputs (files, folders, glob patterns, `-`) into a sorted list of
//! sources to read, and findings for the inputs that cannot be read.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dumps::{is_payload_file_name, is_skipped_dir_name, stored_order};
use crate::model::finding::{describe_io, Finding, Origin, Severity};

/// One thing to read: a file or standard input.
#[derive(Debug, Clone)]
pub struct Source {
    /// How diagnostics name it: the path as given or found, or `<stdin>`.
    pub name: Arc<str>,
    pub kind: SourceKind,
    /// The size of a regular file, as discovery or a folder walk saw it (a hint: the file may
    /// change). `None` for stdin and FIFOs, and for a file whose size could not be read: the
    /// reader looks again just before reading it (`input::file_size`).
    pub size: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum SourceKind {
    File(PathBuf),
    Stdin,
    /// `--follow`: a file read as it grows, or a folder whose new files are read.
    Follow(super::follow::Follow),
    /// A folder walked by the reader as it reads (see [`discover_streaming`]): its files are
    /// never all held in memory, and the first is read while the walk goes on.
    Folder(PathBuf),
}

/// What a folder walk finds, in order: a file to read, or a finding about an entry.
pub enum Walked {
    Source(Source),
    Finding(Finding),
}

/// The sources in reading order and the inputs that could not be turned into sources.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub findings: Vec<Finding>,
}

/// Expands the inputs, every folder walked now. No inputs means standard input when it is
/// not a terminal.
pub fn discover(inputs: &[String]) -> Result<Discovery, NoInput> {
    expand(inputs, false)
}

/// Expands the inputs like [`discover`], except that a folder that holds a document becomes
/// one [`SourceKind::Folder`] source, walked by the reader while it reads: memory stays flat
/// over a million files, and reading starts at once. Its entries' findings then come in the
/// walk's order, among the documents. With a progress bar (a terminal), folders are walked
/// now, for the bar's total.
pub fn discover_streaming(inputs: &[String]) -> Result<Discovery, NoInput> {
    expand(inputs, !crate::progress::enabled())
}

fn expand(inputs: &[String], streaming: bool) -> Result<Discovery, NoInput> {
    let mut found = Discovery::default();
    if inputs.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(NoInput);
        }
        found.sources.push(stdin());
        return Ok(found);
    }
    for input in inputs {
        if input == "-" {
            found.sources.push(stdin());
            continue;
        }
        let path = Path::new(input);
        if fs::symlink_metadata(path).is_ok() {
            let (sources, findings) = (found.sources.len(), found.findings.len());
            add_path(path, true, streaming, &mut found);
            let nothing = found.sources.len() == sources && found.findings.len() == findings;
            if nothing && path.is_dir() {
                // One rule: an input that yields no document is reported, and the run fails.
                found.findings.push(read_error(
                    input,
                    "no documents: the folder holds no *.json, *.ndjson or *.jsonl file \
                     (hidden, rejected/ and .sshookignore'd entries are skipped)",
                ));
            }
        } else if input.contains(['*', '?', '[']) {
            expand_glob(input, streaming, &mut found);
        } else {
            found
                .findings
                .push(read_error(input, "no such file or directory"));
        }
    }
    Ok(found)
}

/// Returned when there is nothing to read: no arguments and a terminal on stdin.
#[derive(Debug)]
pub struct NoInput;

impl std::fmt::Display for NoInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no input: name files, folders or glob patterns, or pipe payloads into `-`")
    }
}

impl std::error::Error for NoInput {}

/// The name standard input goes by in messages.
pub const STDIN: &str = "<stdin>";

fn stdin() -> Source {
    Source {
        name: Arc::from(STDIN),
        kind: SourceKind::Stdin,
        size: None,
    }
}

fn read_error(name: &str, message: impl Into<String>) -> Finding {
    Finding::error(Origin::file(&Arc::from(name)), message)
}

fn expand_glob(pattern: &str, streaming: bool, found: &mut Discovery) {
    let paths = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(err) => {
            found
                .findings
                .push(read_error(pattern, format!("bad glob pattern: {err}")));
            return;
        }
    };
    let mut matched = false;
    for entry in paths {
        matched = true;
        match entry {
            Ok(path) => add_path(&path, true, streaming, found),
            Err(err) => {
                let name = err.path().display().to_string();
                found
                    .findings
                    .push(read_error(&name, describe_io(err.error())));
            }
        }
    }
    if !matched {
        found
            .findings
            .push(read_error(pattern, "no files match this pattern"));
    }
}

/// Adds a file, or a folder: walked now, or (`streaming`) as one source walked while reading.
/// `named`: the user named this path.
fn add_path(path: &Path, named: bool, streaming: bool, found: &mut Discovery) {
    let name = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) => {
            found.findings.push(read_error(&name, describe_io(&err)));
            return;
        }
    };
    if !meta.is_dir() {
        add_file(path, name, &meta, named, found);
    } else if streaming && holds_a_document(path, &meta) {
        found.sources.push(Source {
            name: Arc::from(name),
            kind: SourceKind::Folder(path.to_path_buf()),
            size: None,
        });
    } else {
        walk(path, &name, &meta, &mut Vec::new(), &mut |walked| {
            match walked {
                Walked::Source(source) => found.sources.push(source),
                Walked::Finding(finding) => found.findings.push(finding),
            }
            true
        });
    }
}

/// Whether a walk of the folder finds a file to read (it stops at the first). A folder that
/// holds none is walked at discovery, which reports it (the no-document rule).
fn holds_a_document(dir: &Path, meta: &fs::Metadata) -> bool {
    let mut any = false;
    walk(dir, "", meta, &mut Vec::new(), &mut |walked| {
        any = matches!(walked, Walked::Source(_));
        !any
    });
    any
}

/// Adds a path that is not a folder, whose metadata is known.
fn add_file(path: &Path, name: String, meta: &fs::Metadata, named: bool, found: &mut Discovery) {
    if meta.is_file() || named {
        // A FIFO or device named on the command line is read like `cat` would.
        found.sources.push(Source {
            name: Arc::from(name),
            kind: SourceKind::File(path.to_path_buf()),
            size: meta.is_file().then_some(meta.len()),
        });
    } else {
        found.findings.push(Finding {
            severity: Severity::Warning,
            ..read_error(&name, "not a regular file, skipped")
        });
    }
}

/// A folder's identity, for telling a symbolic link loop: device and inode.
#[cfg(unix)]
fn identity(_dir: &Path, meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// A folder's identity, for telling a symbolic link loop: its canonical path, hashed.
#[cfg(not(unix))]
fn identity(dir: &Path, _meta: &fs::Metadata) -> (u64, u64) {
    use std::hash::BuildHasher;
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    (rustc_hash::FxBuildHasher.hash_one(canonical), 0)
}

/// Walks the folder `dir` (named `name`; `meta` its metadata) depth first: its entries in
/// stored order, each subfolder where its name sorts. Hands each file to read and each
/// finding to `emit`, in order; returns false as soon as `emit` does. Only one folder's
/// entries per level are held at a time. `ancestors`: the folders being walked above this
/// one, to tell a symbolic link loop.
///
/// A regular file costs one `statx` at the folder's handle, for its size; in a streaming walk
/// that is on the reader thread, just before the file is read, overlapped with the parsing
/// of the files before it. Symbolic links are followed (one `stat` each).
pub fn walk(
    dir: &Path,
    name: &str,
    meta: &fs::Metadata,
    ancestors: &mut Vec<(u64, u64)>,
    emit: &mut dyn FnMut(Walked) -> bool,
) -> bool {
    let me = identity(dir, meta);
    if ancestors.contains(&me) {
        return emit(Walked::Finding(Finding {
            severity: Severity::Warning,
            ..read_error(name, "symbolic link loop, not followed")
        }));
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return emit(Walked::Finding(read_error(name, describe_io(&err)))),
    };
    let ignored = ignore_patterns(dir);
    let mut children: Vec<(String, fs::DirEntry)> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            let name = entry.file_name();
            let name = name
                .into_string()
                .unwrap_or_else(|n| n.to_string_lossy().into());
            (name, entry)
        })
        .filter(|(name, _)| !ignored.iter().any(|p| p.matches(name)))
        .collect();
    // The key is made once per name, not once per comparison.
    children.sort_by_cached_key(|(name, _)| {
        let (stem, copy) = stored_order(name);
        (stem.into_owned(), copy)
    });
    ancestors.push(me);
    let mut going = true;
    for (child_name, entry) in children {
        let path = entry.path();
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        let payload_name = is_payload_file_name(&child_name);
        going = if regular && !payload_name {
            true
        } else if regular {
            // Its size, which the reader needs to choose how to read it, from the folder's own
            // handle (`statx` at the folder): a `stat` of the path would look up every folder
            // from the root again, the walk's main cost over many small files.
            let size = entry.metadata().ok().map(|meta| meta.len());
            emit(Walked::Source(Source {
                name: Arc::from(path_name(&path)),
                kind: SourceKind::File(path),
                size,
            }))
        } else {
            // A folder, a symbolic link (followed), or a file whose size is wanted now.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() && !is_skipped_dir_name(&child_name) => {
                    walk(&path, &path_name(&path), &meta, ancestors, emit)
                }
                Ok(meta) if payload_name && !meta.is_dir() => {
                    let mut one = Discovery::default();
                    add_file(&path, path_name(&path), &meta, false, &mut one);
                    let found = one.sources.into_iter().map(Walked::Source);
                    let said = one.findings.into_iter().map(Walked::Finding);
                    found.chain(said).all(&mut *emit)
                }
                Err(err) if payload_name => emit(Walked::Finding(read_error(
                    &path_name(&path),
                    describe_io(&err),
                ))),
                _ => true,
            }
        };
        if !going {
            break;
        }
    }
    ancestors.pop();
    going
}

/// Whether a walk of the folder `root` reaches `path`, a file or folder below it, as [`walk`]
/// would: no folder on the way (nor `path`, a folder) skipped or listed in its parent's
/// `.sshookignore`, and `path`, a file, a regular one (links followed) with a payload file
/// name that is not listed either. For `--follow`, which hears of paths one at a time.
pub fn in_walk(root: &Path, path: &Path) -> bool {
    let Ok(below) = path.strip_prefix(root) else {
        return false;
    };
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    let names: Vec<_> = below.components().collect();
    let mut dir = root.to_path_buf();
    for (at, name) in names.iter().enumerate() {
        let std::path::Component::Normal(os_name) = name else {
            return false;
        };
        let name = os_name.to_string_lossy();
        let last = at + 1 == names.len();
        let skipped = if last && !meta.is_dir() {
            !meta.is_file() || !is_payload_file_name(&name)
        } else {
            is_skipped_dir_name(&name)
        };
        if skipped || ignore_patterns(&dir).iter().any(|p| p.matches(&name)) {
            return false;
        }
        dir.push(os_name);
    }
    true
}

/// A file found by [`in_walk`], as a walk names it.
pub fn walked_file(path: &Path) -> Source {
    Source {
        name: Arc::from(path_name(path)),
        kind: SourceKind::File(path.to_path_buf()),
        size: None,
    }
}

/// How a path found in a walk is named: as it is when it is UTF-8 (the common case, without
/// the lossy conversion's scan), else lossily.
fn path_name(path: &Path) -> String {
    match path.to_str() {
        Some(name) => name.to_owned(),
        None => path.display().to_string(),
    }
}

/// Name patterns a folder's `.sshookignore` file lists (one glob per line, `#` comments), like
/// ripgrep's `.ignore`: a walk skips the entries they match; naming a path reads it anyway.
fn ignore_patterns(dir: &Path) -> Vec<glob::Pattern> {
    let Ok(text) = fs::read_to_string(dir.join(".sshookignore")) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| line.trim().trim_end_matches('/'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| glob::Pattern::new(line).ok())
        .collect()
}
