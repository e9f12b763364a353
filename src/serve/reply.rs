//! What `sshook serve` answers and logs: every answer tells the truth about what was kept, and
//! no log line or answer ever shows the token.

use std::time::Duration;

use axum::http::header::{CONNECTION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

use super::accept::Accepted;
use super::body::Refusal;
use super::store::{KeptRejected, NotStored};

/// Retry-After of a 503 when no room for a body was free in time.
pub const RETRY_BUSY: &str = "5";
/// Retry-After of a 503 when the disk is below its floor or not writable.
pub const RETRY_DISK: &str = "60";

/// What the log line says about a request, left by the handler in the response.
#[derive(Debug, Clone, Default)]
pub struct Note {
    pub channel: Option<i64>,
    pub bytes: u64,
    pub detail: Option<String>,
}

/// The method as logged: the standard ones by name, any other as `OTHER`.
pub fn loggable_method(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("OTHER")
}

/// The path as logged: never the token, whatever the path. With `--token`, only `/` and
/// `/healthz` are logged as sent; a one-segment path (with or without a trailing slash) shows
/// as `/<token>` and every other path as `/<other>`. The query is never logged.
pub fn loggable_path(path: &str, token: bool) -> String {
    if !token {
        return path.chars().take(200).collect();
    }
    if path == "/" || path == "/healthz" {
        return path.into();
    }
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if !inner.is_empty() && !inner.contains('/') && path.starts_with('/') {
        "/<token>".into()
    } else {
        "/<other>".into()
    }
}

pub fn log_line(method: &str, path: &str, status: StatusCode, note: &Note, took: Duration) {
    let time = Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ");
    let channel = note
        .channel
        .map_or_else(|| "-".to_string(), |id| id.to_string());
    let ms = took.as_secs_f64() * 1000.0;
    let mut line = format!(
        "{time} {method} {path} {} channel={channel} bytes={} ms={ms:.1}",
        status.as_u16(),
        note.bytes
    );
    if let Some(detail) = &note.detail {
        line.push_str(&format!(" {detail}"));
    }
    eprintln!("{line}");
}

/// The answer, telling the truth about what was kept.
pub fn answer(accepted: Accepted, bytes: u64) -> Response {
    match accepted {
        Accepted::Stored {
            stored,
            channel,
            event,
            findings,
        } => {
            let status = if stored.duplicate {
                "duplicate"
            } else {
                "stored"
            };
            let mut detail = format!("{status}={}", stored.file);
            let mut reply = json!({"status": status, "file": stored.file});
            if let Some(channel) = channel {
                reply["channel"] = channel.into();
            }
            if let Some(event) = event {
                detail = format!("event={} {detail}", event.replace(char::is_whitespace, "_"));
                reply["event"] = event.into();
            }
            // Stored as sent; what validate finds in it is said here and in the log.
            if let Some(first) = findings.first() {
                detail.push_str(&format!(
                    " findings={} finding=\"{}\"",
                    findings.len(),
                    first.to_string().replace('"', "'")
                ));
                reply["findings"] = findings.iter().map(|f| f.to_string()).collect();
            }
            let note = Note {
                channel,
                bytes,
                detail: Some(detail),
            };
            with_note(StatusCode::OK, reply, note)
        }
        Accepted::Rejected { finding, kept } => {
            let (file, detail, not_kept) = match kept {
                KeptRejected::Kept(file) => (Some(file.clone()), format!("rejected={file}"), None),
                KeptRejected::NotKept(why) => {
                    (None, format!("rejected=not-kept why=\"{why}\""), Some(why))
                }
            };
            let mut reply = json!({
                "status": "rejected",
                "error": finding.message,
                "line": finding.origin.line,
                "column": finding.origin.column,
                "path": finding.path,
                "finding": finding.to_string(),
                "kept": file.is_some(),
                "file": file,
            });
            if let Some(why) = not_kept {
                reply["not_kept"] = why.into();
            }
            let note = Note {
                channel: None,
                bytes,
                detail: Some(detail),
            };
            with_note(StatusCode::BAD_REQUEST, reply, note)
        }
        Accepted::NotStored(not_stored) => {
            let (status, message) = match &not_stored {
                NotStored::Full(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store is full (below its free-space floor); the body was not kept, \
                     send it again later",
                ),
                NotStored::TooManyCopies(why) => (StatusCode::CONFLICT, why.as_str()),
                NotStored::Failed(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cannot store the body; it was not kept, send it again",
                ),
            };
            let chain = match &not_stored {
                NotStored::Failed(err) => err
                    .chain()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(": "),
                other => other.to_string(),
            };
            let note = Note {
                channel: None,
                bytes,
                detail: Some(format!("error=\"{chain}\"")),
            };
            let response = error(status, message, note);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                retry_after(response, RETRY_DISK)
            } else {
                response
            }
        }
    }
}

/// The rest of the body is not read: the connection cannot be reused.
pub fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

pub fn retry_after(mut response: Response, seconds: &'static str) -> Response {
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static(seconds));
    response
}

pub fn refused(refusal: Refusal, max_body: u64) -> Response {
    let note = |received: u64, detail: Option<String>| Note {
        bytes: received,
        detail,
        ..Note::default()
    };
    match refusal {
        Refusal::TooLarge { received } => closing(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("body larger than --max-body ({max_body} bytes)"),
            note(received, None),
        )),
        Refusal::TimedOut { received } => closing(error(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not arrive in time",
            note(received, None),
        )),
        Refusal::Broken { received, why } => error(
            StatusCode::BAD_REQUEST,
            "the body could not be read",
            note(received, Some(format!("error=\"{why}\""))),
        ),
        Refusal::Busy => retry_after(
            closing(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many bodies in flight (--max-inflight); not kept, send it again later",
                note(0, None),
            )),
            RETRY_BUSY,
        ),
        Refusal::Encoding(coding) => closing(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported Content-Encoding: send identity or gzip",
            note(0, Some(format!("encoding={coding:?}"))),
        )),
        Refusal::BadGzip { received, why } => closing(error(
            StatusCode::BAD_REQUEST,
            "the gzip body does not decode",
            note(received, Some(format!("error=\"{why}\""))),
        )),
    }
}

pub fn error(status: StatusCode, message: &str, note: Note) -> Response {
    with_note(status, json!({"error": message}), note)
}

pub fn with_note(status: StatusCode, body: serde_json::Value, note: Note) -> Response {
    let text = format!("{body}\n");
    let mut response = (status, [(CONTENT_TYPE, "application/json")], text).into_response();
    response.extensions_mut().insert(note);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_paths_never_show_the_token() {
        assert_eq!(loggable_path("/s3cret", true), "/<token>");
        assert_eq!(loggable_path("/s3cret/", true), "/<token>");
        assert_eq!(loggable_path("//s3cret", true), "/<other>");
        assert_eq!(loggable_path("/x/../s3cret", true), "/<other>");
        assert_eq!(loggable_path("/s3cret/x", true), "/<other>");
        assert_eq!(loggable_path("/", true), "/");
        assert_eq!(loggable_path("/healthz", true), "/healthz");
        assert_eq!(loggable_path("/a/b", true), "/<other>");
        assert_eq!(loggable_path("", true), "/<other>");
        assert_eq!(loggable_path("/nope", false), "/nope");
    }
}
