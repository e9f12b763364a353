//! Writing a file's new text, and putting it in the old one's place safely: a temporary file
//! in the same folder, fsynced, checked against the original's size and mtime when it was
//! read, renamed over it, and the folder fsynced.
//!
//! The new text is written one of two ways:
//!
//! - **after** the decision pass ([`rewrite_after`]): the file is read again as a stream and
//!   all but the cut bytes copied (events, whose fate is known once every file is read;
//!   small files);
//! - **while** it is read ([`Early`]), for a big file of POST-hook payloads (whether a payload
//!   goes is known as soon as it is read): from the first piece that loses a document on, the
//!   kept bytes of each piece go to the temporary file as the piece is decided, and the text
//!   before that piece, which is the original's, is copied in at the end. The disk then works
//!   while the file is still being read, and the file is read once.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use anyhow::{anyhow, bail, Context, Result};
use tempfile::NamedTempFile;

use super::cut::{self, CopyError};
use super::gzip::{self, Deflater};
use super::scan::{self, Scanned, Stamp, Target};
use crate::model::finding::describe_io;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
/// How much of the text is read or written at a time.
const BLOCK: usize = 1 << 20;
/// After this much more of a new file is written, the disk is asked to start on it.
const SYNC_EVERY: u64 = 32 << 20;

/// How long to wait between writing the new file and renaming it, for the crash test
/// (`SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS`, at most 10 s).
fn test_pause() {
    if let Some(ms) = std::env::var("SSHOOK_TEST_PAUSE_BEFORE_RENAME_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(10_000)));
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The file must be the one that was read: same size, same mtime.
fn check_unchanged(target: &Target, stamp: Stamp) -> Result<()> {
    let meta = fs::symlink_metadata(&target.path).map_err(|e| anyhow!("{}", describe_io(&e)))?;
    if meta.file_type().is_symlink() {
        bail!("it became a symbolic link while sshook was reading it");
    }
    if Stamp::of(&meta) != stamp {
        bail!("it changed while sshook was reading it (size or modification time); run again");
    }
    Ok(())
}

fn sync_folder(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| anyhow!("cannot sync the folder: {}", describe_io(&e)))
}

/// Deletes a file left without documents (and a rejected body's reason with it).
pub fn delete_file(target: &Target, stamp: Stamp) -> Result<()> {
    check_unchanged(target, stamp)?;
    fs::remove_file(&target.path).map_err(|e| anyhow!("{}", describe_io(&e)))?;
    if target.rejected {
        // serve keeps why a body was rejected next to it: `X.json` and `X.reason.txt`.
        let reason = target.path.with_extension("reason.txt");
        if reason.is_file() {
            let _ = fs::remove_file(reason);
        }
    }
    sync_folder(folder_of(&target.path))
}

/// A new, hidden temporary file beside `path`.
fn temp_beside(path: &Path) -> Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".sshook-rewrite-")
        .suffix(".tmp")
        .tempfile_in(folder_of(path))
        .map_err(|e| anyhow!("cannot write in its folder: {}", describe_io(&e)))
}

/// Puts the new text, complete in `temp`, in the file's place.
fn replace(target: &Target, stamp: Stamp, temp: NamedTempFile) -> Result<()> {
    let file = temp.as_file();
    if let Ok(meta) = fs::metadata(&target.path) {
        let _ = file.set_permissions(meta.permissions());
    }
    file.sync_all().context("cannot sync the new file")?;
    test_pause();
    check_unchanged(target, stamp)?;
    temp.persist(&target.path)
        .map_err(|e| anyhow!("cannot replace it: {}", describe_io(&e.error)))?;
    sync_folder(folder_of(&target.path))
}

/// Writes the file's text without the removed documents to a temporary file beside it,
/// reading it again, and puts it in the file's place.
pub fn rewrite_after(target: &Target, scanned: &Scanned, events_removed: &[bool]) -> Result<()> {
    check_unchanged(target, scanned.stamp)?;
    let text = scan::open_text(&target.path).map_err(|e| anyhow!("{}", describe_io(&e)))?;
    let temp = temp_beside(&target.path)?;
    let file = temp.as_file().try_clone()?;
    let cuts = cut::cuts(&scanned.log, events_removed, scanned.len);
    let mut reader = text.reader;
    let head: &[u8] = if text.bom { &BOM } else { &[] };
    let copied = if text.gzip {
        let mut file = file;
        file.write_all(&gzip::header(gzip::LEVEL))?;
        let mut deflater = Deflater::start(file, gzip::LEVEL);
        deflater.write_all(head)?;
        let copied = cut::copy_without(&mut reader, &mut deflater, cuts, BLOCK);
        let (crc, size, mut file) = deflater.finish()?;
        file.write_all(&gzip::end(gzip::LEVEL, &crc, size)?)?;
        copied
    } else {
        let mut out = Synced::new(file);
        out.write_all(head)?;
        let copied = cut::copy_without(&mut reader, &mut out, cuts, BLOCK);
        out.finish()?;
        copied
    };
    let copied = match copied {
        Ok(n) => n,
        Err(CopyError::Read(err)) => bail!("{}", describe_io(&err)),
        Err(CopyError::Write(err)) => return Err(err.into()),
    };
    if copied != scanned.len {
        bail!("it changed while sshook was reading it (size or modification time); run again");
    }
    replace(target, scanned.stamp, temp)
}

/// A buffered writer to a new file that asks the disk to start writing it every
/// [`SYNC_EVERY`] bytes, from a thread of its own, so that the fsync before the rename finds
/// little left to do.
struct Synced {
    out: BufWriter<File>,
    written: u64,
    signalled: u64,
    tx: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Synced {
    fn new(file: File) -> Synced {
        let (tx, thread) = match file.try_clone() {
            Ok(clone) => {
                let (tx, rx) = mpsc::sync_channel::<()>(1);
                let thread = std::thread::spawn(move || {
                    while rx.recv().is_ok() {
                        // Only a head start: the fsync before the rename is the one checked.
                        let _ = clone.sync_data();
                    }
                });
                (Some(tx), Some(thread))
            }
            Err(_) => (None, None),
        };
        Synced {
            out: BufWriter::with_capacity(BLOCK, file),
            written: 0,
            signalled: 0,
            tx,
            thread,
        }
    }

    /// Flushes what is buffered and stops the background syncs; the file.
    fn finish(mut self) -> io::Result<File> {
        self.out.flush()?;
        self.stop();
        self.out.get_ref().try_clone()
    }

    fn stop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Synced {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Write for Synced {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.out.write(data)?;
        self.written += n as u64;
        if self.written - self.signalled >= SYNC_EVERY {
            self.signalled = self.written;
            if let Some(tx) = &self.tx {
                let _ = tx.try_send(());
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where the text of a file rewritten while it is read goes.
enum Sink {
    /// Plain text, written at its place in the new file.
    Plain(Synced),
    /// Compressed: into the new file after its gzip header when the first piece written is
    /// the first of the text; else into a second temporary file, joined after the compressed
    /// text before it at the end (`rest`).
    Gzip {
        deflater: Deflater<File>,
        rest: Option<NamedTempFile>,
    },
}

/// A file rewritten while it is read (see the module's documentation).
pub struct Early {
    temp: NamedTempFile,
    sink: Sink,
    /// Where in the text the part written begins.
    from: u64,
    bom: bool,
    /// The white space written last, held back: a document that ends the text without a
    /// newline goes with the white space before it.
    held: Vec<u8>,
    failed: Option<io::Error>,
}

impl Early {
    /// Starts the new text of `target` at the piece at `from`, the first that loses a
    /// document (the text before it is the original's).
    pub fn start(target: &Target, from: u64, gzip: bool, bom: bool) -> Result<Early> {
        let temp = temp_beside(&target.path)?;
        let mut file = temp.as_file().try_clone()?;
        let sink = if gzip && from == 0 {
            file.write_all(&gzip::header(gzip::LEVEL))?;
            let mut deflater = Deflater::start(file, gzip::LEVEL);
            if bom {
                deflater.write_all(&BOM)?;
            }
            Sink::Gzip {
                deflater,
                rest: None,
            }
        } else if gzip {
            let rest = temp_beside(&target.path)?;
            let deflater = Deflater::start(rest.as_file().try_clone()?, gzip::LEVEL);
            Sink::Gzip {
                deflater,
                rest: Some(rest),
            }
        } else {
            let at = from + if bom { 3 } else { 0 };
            file.seek(SeekFrom::Start(at))?;
            Sink::Plain(Synced::new(file))
        };
        Ok(Early {
            temp,
            sink,
            from,
            bom,
            held: Vec::new(),
            failed: None,
        })
    }

    /// Writes the piece `text`, which starts at `base` in the file's text, without the byte
    /// ranges `cuts` (in order; the first may begin before `base`: the white space before a
    /// last document that goes, held back).
    pub fn write(&mut self, text: &[u8], base: u64, cuts: &[(u64, u64)]) {
        if self.failed.is_some() {
            return;
        }
        let end = base + text.len() as u64;
        let mut at = base;
        let mut done = Ok(());
        for &(start, stop) in cuts {
            if start < at {
                self.held.clear();
            }
            if start > at && done.is_ok() {
                let keep = &text[(at - base) as usize..(start.min(end) - base) as usize];
                done = self.put(keep);
            }
            at = at.max(stop.min(end));
        }
        if done.is_ok() && at < end {
            done = self.put(&text[(at - base) as usize..]);
        }
        if let Err(err) = done {
            self.failed = Some(err);
        }
    }

    /// Writes `data`, holding back the white space at its end.
    fn put(&mut self, data: &[u8]) -> io::Result<()> {
        let out: &mut dyn Write = match &mut self.sink {
            Sink::Plain(out) => out,
            Sink::Gzip { deflater, .. } => deflater,
        };
        match data
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            None => self.held.extend_from_slice(data),
            Some(last) => {
                out.write_all(&self.held)?;
                self.held.clear();
                out.write_all(&data[..=last])?;
                self.held.extend_from_slice(&data[last + 1..]);
            }
        }
        Ok(())
    }

    /// Completes the new text once the whole file was read, and puts it in the file's place.
    pub fn finish(mut self, target: &Target, stamp: Stamp) -> Result<()> {
        if let Some(err) = self.failed.take() {
            return Err(err.into());
        }
        let held = std::mem::take(&mut self.held);
        let mut prefix = self.from;
        match self.sink {
            Sink::Plain(mut out) => {
                out.write_all(&held)?;
                let mut file = out.finish()?;
                if self.bom {
                    prefix += 3;
                }
                if prefix > 0 {
                    // The text before the first piece written, as it is (the BOM included).
                    file.seek(SeekFrom::Start(0))?;
                    let original =
                        File::open(&target.path).map_err(|e| anyhow!("{}", describe_io(&e)))?;
                    let copied = io::copy(&mut original.take(prefix), &mut file)?;
                    if copied != prefix {
                        bail!("it changed while sshook was reading it (size or modification time); run again");
                    }
                }
            }
            Sink::Gzip { mut deflater, rest } => {
                deflater.write_all(&held)?;
                let (rest_crc, rest_size, file) = deflater.finish()?;
                let (mut crc, mut size, mut file) = match rest {
                    None => (flate2::Crc::new(), 0, file),
                    Some(rest) => {
                        // The compressed text before the first piece written, then the rest.
                        let mut file = self.temp.as_file().try_clone()?;
                        file.write_all(&gzip::header(gzip::LEVEL))?;
                        let text = scan::open_text(&target.path)
                            .map_err(|e| anyhow!("{}", describe_io(&e)))?;
                        let mut deflater = Deflater::start(file, gzip::LEVEL);
                        if self.bom {
                            deflater.write_all(&BOM)?;
                        }
                        let copied = io::copy(&mut text.reader.take(prefix), &mut deflater)
                            .map_err(|e| anyhow!("{}", describe_io(&e)))?;
                        if copied != prefix {
                            bail!("it changed while sshook was reading it (size or modification time); run again");
                        }
                        let (crc, size, mut file) = deflater.finish()?;
                        let mut rest = rest.reopen()?;
                        io::copy(&mut rest, &mut file)?;
                        (crc, size, file)
                    }
                };
                crc.combine(&rest_crc);
                size += rest_size;
                file.write_all(&gzip::end(gzip::LEVEL, &crc, size)?)?;
            }
        }
        replace(target, stamp, self.temp)
    }
}
