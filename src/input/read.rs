//! Reading a source into chunks of text: gzip recognised by its magic bytes, a UTF-8 BOM
//! dropped, UTF-16 refused with a clear message, and big inputs cut at document boundaries
//! so that memory stays flat however large the file.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use super::discover::{describe_io, Source, SourceKind};
use crate::finding::{Finding, Origin};

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

impl Chunk {
    fn io_failed(file: &Arc<str>, err: &io::Error) -> Chunk {
        Chunk::failed(file, Finding::error(Origin::file(file), describe_io(err)))
    }

    fn failed(file: &Arc<str>, finding: Finding) -> Chunk {
        Chunk {
            file: Arc::clone(file),
            text: Vec::new(),
            first_line: 1,
            read_error: Some(finding),
            empty_source: false,
        }
    }
}

/// Reads `source` and hands its chunks, in order, to `emit`. Stops early when `emit` says so.
/// `bytes_read` counts the bytes taken from the file (before decompression), for progress.
pub fn read_source(
    source: &Source,
    bytes_read: &Arc<AtomicU64>,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let file = &source.name;
    let reader: Box<dyn Read> = match &source.kind {
        SourceKind::Stdin => Box::new(Counting {
            inner: io::stdin().lock(),
            count: Arc::clone(bytes_read),
        }),
        SourceKind::File(path) => match File::open(path) {
            Ok(f) => Box::new(Counting {
                inner: f,
                count: Arc::clone(bytes_read),
            }),
            Err(err) => {
                emit(Chunk::io_failed(file, &err));
                return;
            }
        },
    };
    read_stream(file, reader, emit);
}

/// Reads a small regular file whole, with the fewest system calls (the pool reads many of
/// these at once); gzip inside goes the streaming way, from memory.
pub fn read_small_file(
    source: &Source,
    bytes_read: &Arc<AtomicU64>,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let file = &source.name;
    let SourceKind::File(path) = &source.kind else {
        return read_source(source, bytes_read, emit);
    };
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(err) => {
            emit(Chunk::io_failed(file, &err));
            return;
        }
    };
    bytes_read.fetch_add(text.len() as u64, Ordering::Relaxed);
    if text.starts_with(&[0x1f, 0x8b]) {
        return read_stream(file, Box::new(io::Cursor::new(text)), emit);
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

/// Reads `reader` to its end in chunks cut at document starts, gunzipping when it is gzip.
fn read_stream(file: &Arc<str>, reader: Box<dyn Read>, emit: &mut dyn FnMut(Chunk) -> bool) {
    let mut reader = Decoded::new(reader);
    let mut chunker = Chunker::new(file, Vec::with_capacity(CHUNK_SIZE));
    loop {
        match fill(&mut reader, &mut chunker.buf, CHUNK_SIZE) {
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
                if let Some(chunk) = chunker.cut() {
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

/// Counts the bytes that pass through, for the progress bar.
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

/// A reader that transparently gunzips when the input starts with the gzip magic bytes.
struct Decoded {
    inner: Box<dyn Read>,
    gzip: bool,
}

impl Decoded {
    fn new(mut raw: Box<dyn Read>) -> Decoded {
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
            Decoded {
                inner: Box::new(MultiGzDecoder::new(chained)),
                gzip: true,
            }
        } else {
            Decoded {
                inner: chained,
                gzip: false,
            }
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

struct Chunker<'f> {
    file: &'f Arc<str>,
    buf: Vec<u8>,
    next_line: usize,
    at_start: bool,
    saw_text: bool,
}

impl<'f> Chunker<'f> {
    fn new(file: &'f Arc<str>, buf: Vec<u8>) -> Chunker<'f> {
        Chunker {
            file,
            buf,
            next_line: 1,
            at_start: true,
            saw_text: false,
        }
    }

    /// Drops a UTF-8 BOM; refuses UTF-16 and UTF-32, which serde_json would only call garbage.
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
        None
    }

    /// Cuts off the text up to the last line that starts a top-level document (`{` or `[` in
    /// column 1): inside a document such a line cannot occur, since JSON strings cannot hold a
    /// raw newline and pretty printers indent nested values. Returns `None` to read more.
    fn cut(&mut self) -> Option<Chunk> {
        if self.buf.len() < CHUNK_SIZE {
            return None;
        }
        let cut = find_last_document_start(&self.buf)?;
        let rest = self.buf.split_off(cut);
        let text = std::mem::replace(&mut self.buf, rest);
        Some(self.chunk(text, None))
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

/// The offset just after the last `\n` that is followed by `{` or `[`, if it is not 0.
fn find_last_document_start(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len().saturating_sub(1);
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
        if matches!(buf.get(nl + 1), Some(b'{' | b'[')) && nl + 1 > 0 {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_before_the_last_document_start() {
        let text = b"{\"a\":1}\n{\"b\":\n  {\"c\":2}}\n{\"d\"";
        assert_eq!(find_last_document_start(text), Some(25));
        assert_eq!(find_last_document_start(b"{\"a\":1}"), None);
        assert_eq!(find_last_document_start(b"[\n  {\"a\":1}\n]"), None);
    }
}
