//! Reading a source into chunks of text: gzip recognised by its magic bytes, a UTF-8 BOM
//! dropped, UTF-16 refused with a clear message, and big inputs cut at document boundaries
//! so that memory stays flat however large the file.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use flate2::read::MultiGzDecoder;

use super::discover::{Source, SourceKind};
use crate::jsontext::Scanner;
use crate::model::finding::describe_io;
use crate::model::finding::{Finding, Origin};

/// Chunks are cut near this size; a single document larger than this grows its chunk.
pub const CHUNK_SIZE: usize = 1 << 20;

/// A piece of one source's text, starting at the beginning of a line.
#[derive(Debug)]
pub struct Chunk {
    pub file: Arc<str>,
    pub text: Vec<u8>,
    /// 1-based line number of `text[0]` in the (decompressed) source.
    pub first_line: usize,
    /// A problem met while reading, reported after the documents of this chunk.
    pub read_error: Option<Finding>,
    /// The whole source was empty or blank (reported as an error: no document).
    pub empty_source: bool,
}

/// Chunk buffers given back when their chunk is dropped, for the reader's next chunks: a
/// fresh megabyte costs a `malloc` outside the allocator's caches and a page fault for each
/// of its 256 pages as it is read into (10 k faults reading 436 MB). At most [`SPARE_MAX`]
/// are kept, so memory stays bounded by the chunks in flight.
static SPARE: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
const SPARE_MAX: usize = 8;

/// A buffer for a chunk: a spare one, emptied, or a new one with room for a chunk.
fn chunk_buffer() -> Vec<u8> {
    let spare = SPARE.lock().ok().and_then(|mut spare| spare.pop());
    spare.unwrap_or_else(|| Vec::with_capacity(CHUNK_SIZE))
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // Only buffers of about a chunk's size: not a huge document's, not a small file's.
        if (CHUNK_SIZE..=2 * CHUNK_SIZE).contains(&self.text.capacity()) {
            if let Ok(mut spare) = SPARE.lock() {
                if spare.len() < SPARE_MAX {
                    let mut text = std::mem::take(&mut self.text);
                    text.clear();
                    spare.push(text);
                }
            }
        }
    }
}

impl Chunk {
    /// The chunk's text, taken out of it (its buffer is then not reused).
    pub fn into_text(mut self) -> Vec<u8> {
        std::mem::take(&mut self.text)
    }

    fn io_failed(file: &Arc<str>, err: &io::Error) -> Chunk {
        Chunk::failed(file, Finding::error(Origin::file(file), describe_io(err)))
    }

    pub(crate) fn failed(file: &Arc<str>, finding: Finding) -> Chunk {
        Chunk {
            file: Arc::clone(file),
            text: Vec::new(),
            first_line: 1,
            read_error: Some(finding),
            empty_source: false,
        }
    }
}

/// Reads `source` and hands its chunks, in order, to `emit`. Stops early when `emit` says so,
/// or when `stop` is set (checked while waiting for a pipe or terminal).
/// `regular`: the source is a regular file (its size is known). `bytes_read` counts the bytes
/// taken from the file (before decompression), for progress.
///
/// A regular file is read in big pieces. Anything else (stdin, a FIFO) is live: it is read by
/// a helper thread, and whenever no more input is waiting, the complete documents read so far
/// are handed on at once, so that a pipeline sees each payload as it arrives.
pub fn read_source(
    source: &Source,
    regular: bool,
    bytes_read: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let file = &source.name;
    let raw: Box<dyn Read + Send> = match &source.kind {
        SourceKind::Stdin => Box::new(io::stdin()),
        SourceKind::Follow(follow) if follow.is_stdin() => Box::new(io::stdin()),
        SourceKind::Follow(follow) => {
            match super::follow::Tail::open(&follow.path, Arc::clone(stop)) {
                Ok(tail) => Box::new(tail),
                Err(err) => {
                    emit(Chunk::io_failed(file, &err));
                    return;
                }
            }
        }
        // A folder is walked by the reader (input::for_each_chunk): read here, it says so.
        SourceKind::File(path) | SourceKind::Folder(path) => match File::open(path) {
            Ok(f) => Box::new(f),
            Err(err) => {
                emit(Chunk::io_failed(file, &err));
                return;
            }
        },
    };
    if regular {
        read_stream(file, raw, None, Some(bytes_read), emit);
    } else {
        let live = Live::start(raw, Arc::clone(stop));
        let idle = Arc::clone(&live.idle);
        read_stream(file, Box::new(live), Some(&idle), Some(bytes_read), emit);
    }
}

/// Reads a small regular file whole, with the fewest system calls (the pool reads many of
/// these at once); gzip inside goes the streaming way, from memory.
pub fn read_small_file(
    source: &Source,
    bytes_read: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let file = &source.name;
    let SourceKind::File(path) = &source.kind else {
        return read_source(source, source.size.is_some(), bytes_read, stop, emit);
    };
    let text = match read_whole(path, source.size) {
        Ok(text) => text,
        Err(err) => {
            emit(Chunk::io_failed(file, &err));
            return;
        }
    };
    bytes_read.fetch_add(text.len() as u64, Ordering::Relaxed);
    if text.starts_with(&[0x1f, 0x8b]) {
        return read_stream(file, Box::new(io::Cursor::new(text)), None, None, emit);
    }
    let mut chunker = Chunker::new(file, text);
    if !chunker.buf.is_empty() {
        if let Some(finding) = chunker.check_start(false) {
            emit(Chunk::failed(file, finding));
            return;
        }
    }
    emit(chunker.finish(None));
}

/// The whole file: with its size known (from the walk), room for it is made at once and the
/// file is not asked for its size again (`std::fs::read` would, one system call a file).
fn read_whole(path: &std::path::Path, size: Option<u64>) -> io::Result<Vec<u8>> {
    let Some(size) = size else {
        return std::fs::read(path);
    };
    let mut file = File::open(path)?;
    // One byte more, so that the read that finds the end needs no room made first.
    let mut text = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // Through `take`, which reads into the room as it is: a `File`'s own `read_to_end` asks
    // for the size and the position first (two more system calls).
    file.by_ref().take(u64::MAX).read_to_end(&mut text)?;
    Ok(text)
}

/// Reads `reader` to its end in chunks cut between documents, gunzipping when it is gzip.
/// `idle`, for a live source, tells when no more input is waiting: the documents complete so
/// far are then handed on without waiting for a full chunk. `count` counts the bytes read
/// (before gunzipping), for the progress bar.
fn read_stream(
    file: &Arc<str>,
    reader: Box<dyn Read>,
    idle: Option<&AtomicBool>,
    count: Option<&Arc<AtomicU64>>,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let mut reader = Decoded::new(reader, count);
    let mut chunker = Chunker::new(file, chunk_buffer());
    loop {
        let read = match idle {
            None => reader.fill(&mut chunker.buf, CHUNK_SIZE),
            Some(_) => read_some(&mut reader, &mut chunker.buf),
        };
        match read {
            Ok(0) => {
                emit(chunker.finish(None));
                return;
            }
            Ok(_) => {
                if chunker.at_start {
                    if let Some(finding) = chunker.check_start(reader.gzip) {
                        emit(Chunk::failed(file, finding));
                        return;
                    }
                }
                let live = idle.is_some_and(|idle| idle.load(Ordering::Acquire));
                while let Some(chunk) = chunker.cut(live) {
                    if !emit(chunk) {
                        return;
                    }
                }
            }
            Err(err) => {
                let message = if reader.gzip {
                    match err.kind() {
                        io::ErrorKind::UnexpectedEof => "truncated gzip stream: the file ends \
                             before the compressed data does"
                            .to_string(),
                        _ => format!("corrupt gzip stream: {err}"),
                    }
                } else {
                    describe_io(&err)
                };
                let finding = Finding::error(Origin::file(file), message);
                emit(chunker.finish(Some(finding)));
                return;
            }
        }
    }
}

/// One read of a live source into `buf` (whatever is there, up to 64 KiB); bytes added.
fn read_some(reader: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<usize> {
    const PIECE: usize = 64 << 10;
    let start = buf.len();
    buf.resize(start + PIECE, 0);
    let result = loop {
        match reader.read(&mut buf[start..]) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    buf.truncate(start + *result.as_ref().unwrap_or(&0));
    result
}

/// How long a live source may be silent before what was read is handed on.
const IDLE_GRACE: std::time::Duration = std::time::Duration::from_millis(2);

/// A live source (stdin, a FIFO) read by a helper thread, so that waiting for input never
/// blocks the reader past a stop: `show --first` ends on a stdin that never does. The helper
/// is left blocked in its read when the reading stops; it ends with the process.
struct Live {
    blocks: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
    /// Set when everything received has been handed out and nothing more is waiting.
    idle: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    ended: bool,
}

impl Live {
    fn start(mut raw: Box<dyn Read + Send>, stop: Arc<AtomicBool>) -> Live {
        let (tx, blocks) = mpsc::sync_channel::<io::Result<Vec<u8>>>(16);
        std::thread::spawn(move || loop {
            let mut block = vec![0u8; 64 << 10];
            match raw.read(&mut block) {
                Ok(0) => return,
                Ok(n) => {
                    block.truncate(n);
                    if tx.send(Ok(block)).is_err() {
                        return;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    let _ = tx.send(Err(err));
                    return;
                }
            }
        });
        Live {
            blocks,
            current: Vec::new(),
            at: 0,
            idle: Arc::new(AtomicBool::new(false)),
            stop,
            ended: false,
        }
    }

    /// Waits for the next block; false at the end of the input or on a stop.
    fn next_block(&mut self) -> io::Result<bool> {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(false);
            }
            match self
                .blocks
                .recv_timeout(std::time::Duration::from_millis(20))
            {
                Ok(block) => {
                    self.current = block?;
                    self.at = 0;
                    return Ok(true);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(false),
            }
        }
    }
}

impl Read for Live {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended || buf.is_empty() {
            return Ok(0);
        }
        if self.at == self.current.len() && !self.next_block()? {
            self.ended = true;
            return Ok(0);
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        if self.at == self.current.len() {
            // Is more input coming? Then keep filling the chunk; if not, say so (a live cut).
            // A busy pipe refills within microseconds: the short grace keeps its chunks big,
            // and adds at most that to the time a trickled payload takes to come out.
            match self.blocks.recv_timeout(IDLE_GRACE) {
                Ok(block) => {
                    self.current = block?;
                    self.at = 0;
                    self.idle.store(false, Ordering::Release);
                }
                Err(_) => self.idle.store(true, Ordering::Release),
            }
        } else {
            self.idle.store(false, Ordering::Release);
        }
        Ok(n)
    }
}

/// Reads until `buf` holds at least `want` more bytes or the input ends; returns bytes added.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let start = buf.len();
    if buf.capacity() > start {
        // Room was made for this read (a small file's size, or a chunk's): use it as it is.
    } else {
        buf.reserve(want);
    }
    // `read_to_end` grows the buffer without zeroing it first.
    match reader.by_ref().take(want as u64).read_to_end(buf) {
        Ok(added) => Ok(added),
        // Hand over what was read; the error shows again on the next call.
        Err(_) if buf.len() > start => Ok(buf.len() - start),
        Err(err) => Err(err),
    }
}

/// Counts the bytes that pass through (the compressed side of gzip), for the progress bar.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A reader that transparently gunzips when the input starts with the gzip magic bytes, and
/// counts the bytes it reads.
struct Decoded {
    inner: Box<dyn Read>,
    gzip: bool,
    /// Counts what `inner` gives (plain text); for gzip the compressed side counts itself.
    count: Option<Arc<AtomicU64>>,
}

impl Decoded {
    fn new(mut raw: Box<dyn Read>, count: Option<&Arc<AtomicU64>>) -> Decoded {
        let mut magic = [0u8; 2];
        let mut got = 0;
        while got < 2 {
            match raw.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break, // the error shows again on the next read
            }
        }
        let head = io::Cursor::new(magic[..got].to_vec());
        let chained: Box<dyn Read> = Box::new(head.chain(raw));
        if got == 2 && magic == [0x1f, 0x8b] {
            let compressed: Box<dyn Read> = match count {
                Some(count) => Box::new(Counting {
                    inner: chained,
                    count: Arc::clone(count),
                }),
                None => chained,
            };
            Decoded {
                inner: Box::new(MultiGzDecoder::new(compressed)),
                gzip: true,
                count: None,
            }
        } else {
            Decoded {
                inner: chained,
                gzip: false,
                count: count.cloned(),
            }
        }
    }

    /// [`fill`] from the boxed reader itself: std's readers (a file, the chain before it)
    /// fill a buffer without zeroing it first, which a reader of ours cannot (`read_buf` is
    /// unstable); the zeroing was 3 % of an export's instructions.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let added = fill(&mut self.inner, buf, want)?;
        self.counted(added);
        Ok(added)
    }

    fn counted(&self, n: usize) {
        if let Some(count) = &self.count {
            count.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counted(n);
        Ok(n)
    }
}

/// Cuts a source's text into chunks, only between top-level documents.
///
/// The text is scanned as it arrives ([`Scanner`]: strings, escapes and depth), and a chunk
/// ends at a line that starts at depth 0: never inside a document, whatever its lines look
/// like (array elements at column 0, braces inside strings). A broken document would leave
/// the depth wrong for the rest of the input; when no cut is found, the open document is
/// parsed, and if it is broken the scan starts again where the splitter resumes after it.
struct Chunker<'f> {
    file: &'f Arc<str>,
    buf: Vec<u8>,
    next_line: usize,
    at_start: bool,
    saw_text: bool,
    scanner: Scanner,
    /// `buf[..scanned]` has been scanned.
    scanned: usize,
    /// The last line start at depth 0 (0 for the chunk's start).
    last_zero: usize,
    /// The last place to cut (> 0): a line start at depth 0 where a document starts, or the
    /// end of the text read when it ends a line at depth 0.
    cut_at: Option<usize>,
    /// The length of the open document when it was last found valid so far (see `recheck`).
    checked: usize,
}

impl<'f> Chunker<'f> {
    fn new(file: &'f Arc<str>, buf: Vec<u8>) -> Chunker<'f> {
        Chunker {
            file,
            buf,
            next_line: 1,
            at_start: true,
            saw_text: false,
            scanner: Scanner::default(),
            scanned: 0,
            last_zero: 0,
            cut_at: None,
            checked: 0,
        }
    }

    /// Drops a UTF-8 BOM; refuses UTF-16 and UTF-32, which serde_json would only call garbage,
    /// and binary files (a NUL byte near the start that does not follow complete
    /// documents), with one finding for the whole source.
    fn check_start(&mut self, gzip: bool) -> Option<Finding> {
        self.at_start = false;
        if self.buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.buf.drain(..3);
        }
        let b = &self.buf;
        let utf16 = b.starts_with(&[0xFF, 0xFE])
            || b.starts_with(&[0xFE, 0xFF])
            || (b.len() >= 4 && b[0] != 0 && b[1] == 0 && b[3] == 0)
            || (b.len() >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0);
        if utf16 {
            let what = if gzip { "decompressed text" } else { "file" };
            return Some(Finding::error(
                Origin::file(self.file),
                format!(
                    "the {what} is UTF-16, not UTF-8: convert it first \
                     (iconv -f UTF-16 -t UTF-8)"
                ),
            ));
        }
        // JSON text never holds a NUL byte; binary files nearly always do, early (the test
        // git and grep use). But NUL bytes after complete documents are padding (a crashed
        // writer, a preallocated file): the splitter reports them at their place, and the
        // documents before them are read.
        let head = &b[..b.len().min(8 << 10)];
        if let Some(at) = memchr::memchr(0, head) {
            if !complete_documents(&head[..at]) {
                let (line, column) = line_column(head, at);
                return Some(Finding::error(
                    Origin::at(self.file, line, Some(column)),
                    "binary data, not JSON text (byte 0x00)",
                ));
            }
        }
        None
    }

    /// Scans what was read since the last call, noting where a chunk may end.
    fn scan(&mut self) {
        let Chunker {
            buf,
            scanner,
            last_zero,
            cut_at,
            ..
        } = self;
        let text = &buf[..];
        scanner.scan(text, self.scanned, |at, depth| {
            if depth == 0 {
                *last_zero = at;
                if at == text.len() || matches!(text[at], b'{' | b'[') {
                    *cut_at = Some(at);
                }
            }
        });
        self.scanned = self.buf.len();
    }

    /// Cuts off the text up to the last place a chunk may end, once it is a chunk's size or,
    /// for a live source with no more input waiting (`live`), as soon as there is one.
    /// Returns `None` to read more.
    ///
    /// A full chunk first looks for the last place between two documents that needs no scan
    /// ([`find_last_boundary`]: NDJSON and concatenated documents); only when there is none
    /// (one big document, an array, broken text) or for a live cut is the text scanned.
    fn cut(&mut self, live: bool) -> Option<Chunk> {
        let full = self.buf.len() >= CHUNK_SIZE;
        if !full && !live {
            return None;
        }
        if full {
            if let Some(at) = find_last_boundary(&self.buf) {
                return Some(self.split(at));
            }
        }
        self.scan();
        let open = self.scanner.depth > 0 || self.scanner.in_string;
        if open && self.cut_at.is_none() {
            self.recheck();
        }
        let cut = self.cut_at.take().filter(|&at| at > 0)?;
        Some(self.split(cut))
    }

    /// Hands on the text before `cut`, a place between documents (depth 0).
    fn split(&mut self, cut: usize) -> Chunk {
        let mut rest = chunk_buffer();
        rest.extend_from_slice(&self.buf[cut..]);
        self.buf.truncate(cut);
        let text = std::mem::replace(&mut self.buf, rest);
        if self.scanned >= cut {
            self.scanned -= cut;
            self.last_zero = self.last_zero.saturating_sub(cut);
            self.cut_at = self.cut_at.filter(|&at| at > cut).map(|at| at - cut);
        } else {
            // Not scanned that far: the scan starts again here, at depth 0.
            self.scanner = Scanner::default();
            self.scanned = 0;
            self.last_zero = 0;
            self.cut_at = None;
        }
        self.checked = 0;
        self.chunk(text, None)
    }

    /// The scan is inside a document that has not ended: parse it, to tell a big document
    /// (wait for more) from a broken one, which ends — as the splitter sees it — at the next
    /// line that starts a document. Parsed again only when it has doubled in size, so a huge
    /// document costs at most two parses.
    fn recheck(&mut self) {
        let from = self.last_zero;
        if self.buf.len() - from < 2 * self.checked {
            return;
        }
        let text = &self.buf[from..];
        let mut stream =
            serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
        loop {
            let start = stream.byte_offset();
            match stream.next() {
                None => {
                    // Every document here is complete: the scan was wrong about the depth.
                    self.restart(self.buf.len());
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) if err.is_eof() => {
                    self.checked = self.buf.len() - from;
                    return;
                }
                Some(Err(_)) => {
                    let resume = resume_after(&self.buf, from + start);
                    self.restart(resume);
                    return;
                }
            }
        }
    }

    /// Starts the scan afresh at `at`, a line start taken to be at depth 0.
    fn restart(&mut self, at: usize) {
        self.scanner = Scanner::default();
        self.scanned = at;
        self.last_zero = at;
        self.checked = 0;
        self.cut_at = (at < self.buf.len()).then_some(at);
        self.scan();
    }

    fn finish(&mut self, read_error: Option<Finding>) -> Chunk {
        let text = std::mem::take(&mut self.buf);
        let mut chunk = self.chunk(text, read_error);
        chunk.empty_source = !self.saw_text && chunk.read_error.is_none();
        chunk
    }

    fn chunk(&mut self, text: Vec<u8>, read_error: Option<Finding>) -> Chunk {
        self.saw_text |= text.iter().any(|b| !b.is_ascii_whitespace());
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &text).count();
        Chunk {
            file: Arc::clone(self.file),
            text,
            first_line,
            read_error,
            empty_source: false,
        }
    }
}

/// The offset just after the last newline that certainly lies between two documents, if it
/// is not 0: the line starts with `{` or `[` and the last byte before the newline (blanks
/// aside) is `}` or `]`. In valid JSON, a value never follows a closed object or array
/// without a comma inside a document, and a `}` at the end of a line cannot be inside a
/// string (strings hold no raw newline); broken text is cut where the splitter resumes
/// anyway. So no scan of the text is needed: NDJSON and concatenated documents cost a look
/// at the end of the buffer.
fn find_last_boundary(buf: &[u8]) -> Option<usize> {
    last_boundary(buf, 0)
}

/// The offset just after the last newline of `buf` at or after `from` that certainly lies
/// between two top-level documents: the next line starts with `{` or `[`, and the last byte
/// before the newline (blanks aside) is `}` or `]`: where the reader cuts its chunks
/// ([`find_last_boundary`] says why no scan of the text is needed), and `erase` and `prune`
/// cut their pieces.
pub fn last_boundary(buf: &[u8], from: usize) -> Option<usize> {
    let mut end = buf.len();
    while let Some(nl) = memchr::memrchr(b'\n', &buf[from.min(end)..end]).map(|n| n + from) {
        end = nl;
        if !matches!(buf.get(nl + 1), Some(b'{' | b'[')) {
            continue;
        }
        let before = buf[..nl]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if matches!(before, Some(b'}' | b']')) {
            return Some(nl + 1);
        }
    }
    None
}

/// Whether `text` is one or more complete JSON documents (and blanks).
fn complete_documents(text: &[u8]) -> bool {
    let mut read = 0;
    for value in serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>() {
        if value.is_err() {
            return false;
        }
        read += 1;
    }
    read > 0
}

/// The 1-based line and column of byte `at` of `text`.
fn line_column(text: &[u8], at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |nl| nl + 1);
    (line, at - line_start + 1)
}

/// Where reading resumes after a broken document starting at `pos`: the next line that
/// starts a document (`{` or `[` in column 1), or the end. The splitter resumes there too.
pub fn resume_after(text: &[u8], pos: usize) -> usize {
    let mut from = pos + 1;
    while let Some(nl) = memchr::memchr(b'\n', &text[from.min(text.len())..]) {
        let next = from + nl + 1;
        if matches!(text.get(next), Some(b'{' | b'[')) {
            return next;
        }
        from = next;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks `text` is cut into when read in pieces of `piece` bytes, with a small chunk
    /// size: their texts.
    fn cuts(text: &str) -> Vec<String> {
        let file: Arc<str> = Arc::from("t");
        let mut chunker = Chunker::new(&file, Vec::new());
        let mut out = Vec::new();
        for piece in text.as_bytes().chunks(3) {
            chunker.buf.extend_from_slice(piece);
            chunker.scan();
            while let Some(chunk) = chunker.cut(true) {
                out.push(String::from_utf8(chunk.into_text()).unwrap_or_default());
            }
        }
        out.push(String::from_utf8(chunker.finish(None).into_text()).unwrap_or_default());
        out
    }

    #[test]
    fn the_bytes_read_are_counted_before_gunzipping() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let text = "{\"a\":1}\n".repeat(20_000);
        let plain = dir.path().join("p.ndjson");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("p.ndjson.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
        for (path, regular) in [(&plain, true), (&plain, false), (&gz, true), (&gz, false)] {
            let source = Source {
                name: Arc::from("t"),
                kind: SourceKind::File(path.clone()),
                size: None,
            };
            let count = Arc::new(AtomicU64::new(0));
            let stop = Arc::new(AtomicBool::new(false));
            let mut texts = 0;
            read_source(&source, regular, &count, &stop, &mut |chunk| {
                texts += chunk.text.len();
                true
            });
            assert_eq!(texts, text.len(), "{path:?}");
            let on_disk = std::fs::metadata(path).unwrap().len();
            assert_eq!(count.load(Ordering::Relaxed), on_disk, "{path:?} {regular}");
        }
    }

    #[test]
    fn boundaries_without_a_scan() {
        assert_eq!(
            find_last_boundary(b"{\"a\":1}\n{\"b\":2}\n{\"c\""),
            Some(16)
        );
        assert_eq!(find_last_boundary(b"{\"a\":1}\r\n\n[1]\n"), Some(10));
        // Array elements at column 0, a pretty document: no boundary.
        assert_eq!(find_last_boundary(b"[\n{\"a\":1},\n{\"b\":2}\n]"), None);
        assert_eq!(find_last_boundary(b"{\n  \"a\": {\n  }\n}"), None);
        assert_eq!(find_last_boundary(b"{\"a\":\n{\"b\":1}}"), None);
    }

    #[test]
    fn never_cuts_inside_an_array_with_elements_at_column_0() {
        let text = "[\n{\n\"a\": \"}\\n{\"\n},\n{\n\"b\": 2\n}\n]\n{\"c\":3}\n";
        let chunks = cuts(text);
        assert_eq!(chunks.concat(), text);
        for chunk in &chunks {
            let trimmed = chunk.trim();
            assert!(
                trimmed.is_empty() || trimmed.ends_with(']') || trimmed.ends_with('}'),
                "{chunks:?}"
            );
            assert!(!chunk.starts_with("{\n\"b\""), "{chunks:?}");
        }
    }

    #[test]
    fn resynchronises_after_a_line_cut_in_half() {
        let text = "{\"a\":{\"b\":1\n{\"c\":2}\n{\"d\":3}\n";
        let chunks = cuts(text);
        assert_eq!(chunks.concat(), text);
        assert!(chunks.iter().any(|c| c == "{\"d\":3}\n"), "{chunks:?}");
    }
}
