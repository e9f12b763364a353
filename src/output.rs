//! Where data goes: standard output, or a file written atomically (a temporary file in the
//! same folder, renamed over the target only when the command succeeds; `.gz` compresses).
//! A target that is not a file — a device such as `/dev/null`, a FIFO, a socket — is written
//! as it is: a rename would replace it (run as root, `-o /dev/null` turned the system's
//! `/dev/null` into a file). Also: the colour decision, and recognising a closed pipe.

use std::fs;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use tempfile::NamedTempFile;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to stdout.
    pub fn stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => no_color_unset() && io::stdout().is_terminal(),
        }
    }

    /// Whether to colour what goes to stderr.
    pub fn stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => no_color_unset() && io::stderr().is_terminal(),
        }
    }
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The destination of a command's data.
pub struct Output {
    sink: Sink,
    /// For a file: the temporary file, renamed to `path` in [`Output::finish`]. Dropped
    /// without `finish`, it is deleted and the target is left untouched.
    temp: Option<(NamedTempFile, PathBuf)>,
    /// The data goes to standard output.
    stdout: bool,
}

enum Sink {
    Stdout(Live),
    File(BufWriter<fs::File>),
    Gzip(GzEncoder<BufWriter<fs::File>>),
}

impl Output {
    /// `None` or `-` is standard output; anything else an atomic file.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output {
                sink: Sink::Stdout(Live::stdout()),
                temp: None,
                stdout: true,
            });
        };
        let cannot = || format!("cannot write {}", path.display());
        let gz = path.extension().is_some_and(|e| e == "gz");
        if is_special(path) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|err| anyhow::anyhow!("{}", crate::model::finding::describe_io(&err)))
                .with_context(cannot)?;
            let buffered = BufWriter::with_capacity(1 << 16, file);
            return Ok(Output {
                sink: match gz {
                    true => Sink::Gzip(GzEncoder::new(buffered, flate2::Compression::default())),
                    false => Sink::File(buffered),
                },
                temp: None,
                stdout: false,
            });
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".sshook-").suffix(".tmp");
        // As any new file: 0666 less the user's umask (tempfile's own default is 0600).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(dir)
            // tempfile's message names its temporary file; the user named `path`.
            .map_err(|err| anyhow::anyhow!("{}", crate::model::finding::describe_io(&err)))
            .with_context(cannot)?;
        let file = temp.as_file().try_clone().with_context(cannot)?;
        let buffered = BufWriter::with_capacity(1 << 16, file);
        let sink = if gz {
            Sink::Gzip(GzEncoder::new(buffered, flate2::Compression::default()))
        } else {
            Sink::File(buffered)
        };
        Ok(Output {
            sink,
            temp: Some((temp, path.to_path_buf())),
            stdout: false,
        })
    }

    pub fn is_stdout(&self) -> bool {
        self.stdout
    }

    /// Flushes everything and, for a file, moves it into place (fsynced first).
    pub fn finish(self) -> Result<()> {
        self.close()?.persist()
    }

    /// Flushes everything and, for a file, syncs and closes it without moving it into place
    /// yet: a command writing many files moves them all only once every one is complete.
    pub fn close(self) -> Result<Closed> {
        match self.sink {
            Sink::Stdout(w) => w.with(|w| w.flush())?,
            Sink::File(mut w) => w.flush()?,
            Sink::Gzip(gz) => gz.finish()?.flush()?,
        }
        let Some((temp, path)) = self.temp else {
            return Ok(Closed { temp: None });
        };
        temp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Closed {
            temp: Some((temp.into_temp_path(), path)),
        })
    }
}

/// Standard output, buffered, and flushed by a helper thread soon after each write: rows
/// reach a pipeline within a few milliseconds of being written (`tail -f | sshook export -`),
/// while bulk output still goes out in 64 KiB writes.
struct Live {
    out: Arc<Mutex<BufWriter<io::Stdout>>>,
    dirty: Arc<AtomicBool>,
}

/// How long written data may wait in the buffer.
const FLUSH_EVERY: Duration = Duration::from_millis(20);

impl Live {
    fn stdout() -> Live {
        let out = Arc::new(Mutex::new(BufWriter::with_capacity(1 << 16, io::stdout())));
        let dirty = Arc::new(AtomicBool::new(false));
        let (weak, flag) = (Arc::downgrade(&out), Arc::clone(&dirty));
        // Ends when the output is dropped; a failed flush shows again on the next write.
        let _ = std::thread::Builder::new()
            .name("flush".into())
            .spawn(move || loop {
                std::thread::sleep(FLUSH_EVERY);
                let Some(out) = weak.upgrade() else { return };
                if flag.swap(false, Ordering::AcqRel) {
                    if let Ok(mut out) = out.lock() {
                        let _ = out.flush();
                    }
                }
            });
        Live { out, dirty }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut BufWriter<io::Stdout>) -> io::Result<T>,
    ) -> io::Result<T> {
        let mut out = self
            .out
            .lock()
            .map_err(|_| io::Error::other("standard output is unusable"))?;
        let result = f(&mut out);
        self.dirty
            .store(!out.buffer().is_empty(), Ordering::Release);
        result
    }
}

/// A complete output file not yet in place (see [`Output::close`]); dropped without
/// [`Closed::persist`], it is deleted and the target is left untouched. Holds no open file.
pub struct Closed {
    temp: Option<(tempfile::TempPath, PathBuf)>,
}

impl Closed {
    /// Moves the file over its target, and syncs the folder: once this returns, the file
    /// survives a crash.
    pub fn persist(self) -> Result<()> {
        if let Some(folder) = self.rename()? {
            sync_dir(&folder)?;
        }
        Ok(())
    }

    /// Moves the file over its target without syncing the folder (a command writing many
    /// files syncs each folder once, [`sync_dir`]); the target's folder.
    pub fn rename(self) -> Result<Option<PathBuf>> {
        let Some((temp, path)) = self.temp else {
            return Ok(None);
        };
        let cannot = || format!("cannot write {}", path.display());
        // Keep the permissions of a file being replaced; a new one has the umask's.
        let permissions = fs::metadata(&path).map(|m| m.permissions()).ok();
        temp.persist(&path).with_context(cannot)?;
        if let Some(permissions) = permissions {
            let _ = fs::set_permissions(&path, permissions);
        }
        let folder = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Some(folder))
    }
}

/// Whether `path` names something that exists and is neither a file nor a folder (following
/// symbolic links): a device, a FIFO or a socket, which is written in place, never replaced.
pub fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Makes a folder's entries (a file renamed or created in it) durable: `fsync` of the folder.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.with(|w| w.write(buf)),
            Sink::File(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.with(|w| w.write_all(buf)),
            Sink::File(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.with(|w| w.flush()),
            Sink::File(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// True when `err` (or its cause) is a closed pipe: `sshook … | head` ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
