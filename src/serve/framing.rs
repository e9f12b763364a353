//! Refusing a request head that has both `Content-Length` and `Transfer-Encoding` — the shape of
//! request smuggling behind a proxy that reads the other header.
//!
//! hyper follows RFC 9112 (the chunked coding wins, the connection closes after the answer) and
//! drops the `Content-Length` header before the request is seen, so the head is watched on its
//! way in: the connection's bytes are read through [`Watched`], which notes the header names of
//! each request head until its blank line. Bytes after that (the body) are not looked at until
//! the answer has gone, so a body that looks like headers is no head. (A client that pipelines
//! its next head behind a body is not watched for that head: hyper's rule still holds for it.)

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the current request head carried, shared by a connection's reader and its service.
#[derive(Debug, Default)]
pub struct HeadWatch {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Reading a body: not watching until [`HeadWatch::next_head`].
    in_body: bool,
    /// The start of the current line, lowercased (enough for the header names).
    line: Vec<u8>,
    line_len: usize,
    content_length: bool,
    transfer_encoding: bool,
}

const NAME_BYTES: usize = 20;

impl HeadWatch {
    pub fn new() -> Arc<HeadWatch> {
        Arc::new(HeadWatch::default())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the head just read had both framing headers.
    pub fn both_lengths(&self) -> bool {
        let state = self.state();
        state.content_length && state.transfer_encoding
    }

    /// The answer has gone: what comes next is a new head.
    pub fn next_head(&self) {
        *self.state() = State::default();
    }

    fn saw(&self, bytes: &[u8]) {
        let mut state = self.state();
        for &byte in bytes {
            if state.in_body {
                return;
            }
            match byte {
                b'\n' => {
                    if state.line_len == 0 {
                        state.in_body = true; // the blank line ends the head
                    } else {
                        let line = std::mem::take(&mut state.line);
                        state.content_length |= line.starts_with(b"content-length:");
                        state.transfer_encoding |= line.starts_with(b"transfer-encoding:");
                        state.line = line;
                        state.line.clear();
                        state.line_len = 0;
                    }
                }
                b'\r' => {}
                _ => {
                    if state.line.len() < NAME_BYTES {
                        state.line.push(byte.to_ascii_lowercase());
                    }
                    state.line_len += 1;
                }
            }
        }
    }
}

/// A connection's stream, read through a [`HeadWatch`].
#[derive(Debug)]
pub struct Watched<S> {
    inner: S,
    watch: Arc<HeadWatch>,
}

impl<S> Watched<S> {
    pub fn new(inner: S, watch: Arc<HeadWatch>) -> Watched<S> {
        Watched { inner, watch }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.watch.saw(&buf.filled()[before..]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_in_one_head_are_seen_and_bodies_are_not_heads() {
        let watch = HeadWatch::new();
        watch.saw(b"POST / HTTP/1.1\r\nContent-Len");
        watch.saw(b"gth: 4\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert!(watch.both_lengths());
        watch.next_head();
        watch.saw(b"POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\n");
        watch.saw(b"\r\ntransfer-encoding: chunked\r\n\r\n");
        assert!(!watch.both_lengths());
    }
}
