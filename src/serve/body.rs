//! Reading a request body: within `--timeout`, never more than `--max-body` bytes after
//! decoding, inside the room that `--max-inflight` leaves, and fed as it arrives to the webhook
//! signature check.

use std::io::Write;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, EXPECT};
use axum::http::HeaderMap;
use flate2::write::MultiGzDecoder;
use hmac::Mac;
use http_body_util::BodyExt;

use super::limits::{InFlight, Room};
use super::webhook::Signer;

/// A body read to its end, decoded, and the room it holds.
#[derive(Debug)]
pub struct Received {
    pub body: Vec<u8>,
    /// Keeps the body's bytes counted in `--max-inflight` until dropped.
    pub room: Room,
    /// Bytes as they came over the wire (before decoding).
    pub wire_bytes: u64,
}

/// Why a body was not read to its end.
#[derive(Debug)]
pub enum Refusal {
    /// Over `--max-body` (decoded).
    TooLarge {
        received: u64,
    },
    TimedOut {
        received: u64,
    },
    Broken {
        received: u64,
        why: String,
    },
    /// No room under `--max-inflight` in time.
    Busy,
    /// A `Content-Encoding` other than gzip or identity.
    Encoding(String),
    /// gzip that does not decode.
    BadGzip {
        received: u64,
        why: String,
    },
}

/// How a body is to be read.
pub struct Limits<'a> {
    pub max_body: u64,
    pub timeout: Duration,
    pub in_flight: &'a InFlight,
}

/// The body's coding: only gzip is decoded.
fn gzipped(headers: &HeaderMap) -> Result<bool, Refusal> {
    let mut gzip = false;
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("?");
        for coding in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match coding.to_ascii_lowercase().as_str() {
                "identity" => {}
                "gzip" | "x-gzip" if !gzip => gzip = true,
                _ => return Err(Refusal::Encoding(coding.chars().take(40).collect())),
            }
        }
    }
    Ok(gzip)
}

/// Output of the gzip decoder that refuses to grow past `max` bytes (a zip bomb stops there).
struct Bounded {
    bytes: Vec<u8>,
    max: u64,
    over: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() as u64 + buf.len() as u64 > self.max {
            self.over = true;
            return Err(std::io::Error::other("decoded body over the limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads the whole body. A body over the limit is refused at once when its declared length
/// says so and the client waits for `100 Continue`, or declares more than twice the limit.
/// Otherwise up to twice the limit is read and dropped before answering 413, so that a client
/// busy sending gets to read the answer (a server that closes with unread bytes resets the
/// connection).
///
/// Room under `--max-inflight` is taken before the first byte is read: the declared length, or
/// `--max-body` for a body without one or a gzip body (whose decoded size is unknown).
pub async fn read(
    mut body: Body,
    headers: &HeaderMap,
    limits: &Limits<'_>,
    mut signer: Option<&mut Signer>,
) -> Result<Received, Refusal> {
    let max_body = limits.max_body;
    let gzip = gzipped(headers)?;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expects_continue = headers
        .get(EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if let (Some(declared), false) = (declared, gzip) {
        if declared > max_body && (expects_continue || declared > max_body.saturating_mul(2)) {
            return Err(Refusal::TooLarge { received: 0 });
        }
    }
    // hyper knows the length of a body with Content-Length, and that a body with neither
    // header is empty; a chunked one is unknown.
    let exact = hyper::body::Body::size_hint(&body).exact();
    let need = match exact.or(declared) {
        Some(length) if !gzip => length.min(max_body),
        _ => max_body,
    };
    let mut room = Room::default();
    let wait_until =
        tokio::time::Instant::now() + limits.in_flight.patience.min(limits.timeout / 2);
    if !limits.in_flight.grow(&mut room, need, wait_until).await {
        return Err(Refusal::Busy);
    }
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let capacity = if gzip { 0 } else { need.min(1 << 24) };
    let mut kept: Vec<u8> = Vec::with_capacity(capacity as usize);
    let mut decoder = gzip.then(|| {
        MultiGzDecoder::new(Bounded {
            bytes: Vec::new(),
            max: max_body,
            over: false,
        })
    });
    let mut received: u64 = 0;
    let mut too_large = false;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(Refusal::TimedOut { received }),
            Ok(None) => break,
            Ok(Some(Err(err))) => {
                return Err(Refusal::Broken {
                    received,
                    why: err.to_string(),
                })
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        received += data.len() as u64;
        if let Some(signer) = signer.as_deref_mut() {
            signer.update(&data);
        }
        if let Some(decoder) = &mut decoder {
            if let Err(err) = decoder.write_all(&data) {
                if decoder.get_ref().over {
                    return Err(Refusal::TooLarge { received });
                }
                return Err(Refusal::BadGzip {
                    received,
                    why: err.to_string(),
                });
            }
            continue;
        }
        if received > max_body {
            too_large = true;
            kept = Vec::new();
            if received > max_body.saturating_mul(2) {
                break;
            }
        } else {
            kept.extend_from_slice(&data);
        }
    }
    if too_large {
        return Err(Refusal::TooLarge { received });
    }
    if let Some(mut decoder) = decoder {
        let finished = decoder.try_finish();
        if decoder.get_ref().over {
            return Err(Refusal::TooLarge { received });
        }
        match finished.and_then(|()| decoder.finish()) {
            Ok(out) => kept = out.bytes,
            Err(err) => {
                return Err(Refusal::BadGzip {
                    received,
                    why: err.to_string(),
                })
            }
        }
    }
    Ok(Received {
        body: kept,
        room,
        wire_bytes: received,
    })
}
