//! The HTTP side of `sshook serve`: routes, the token, body limits and timeouts, the log line,
//! and the accept loop with its graceful stop.
//!
//! axum routes the requests; the connections are driven by hyper directly (as `axum::serve`
//! does) because only there can a header read timeout be set.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, EXPECT};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use jiff::Timestamp;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::intake::{self, Verdict};
use super::store::{Store, Stored};
use crate::finding::Finding;

/// Everything the server needs to know, fixed at start.
#[derive(Debug)]
pub struct Settings {
    pub store: Store,
    pub token: Option<String>,
    pub max_body: u64,
    /// For reading a request's headers, and again for reading its body.
    pub timeout: Duration,
    pub max_connections: usize,
    /// One line per request on stderr.
    pub log: bool,
}

/// What the log line says about a request, left by the handler in the response.
#[derive(Debug, Clone, Default)]
struct Note {
    channel: Option<i64>,
    bytes: u64,
    detail: Option<String>,
}

/// Serves until `shutdown` completes, then stops accepting and lets the requests in flight
/// finish (waiting at most twice the timeout for them).
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let settings = Arc::new(settings);
    let router = router(Arc::clone(&settings));
    let connections = Arc::new(Semaphore::new(settings.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // At most `max_connections` at a time; the others wait in the listen queue.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors and the like: wait for connections to close.
                    eprintln!("serve: cannot accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = logged(router.clone(), Arc::clone(&settings));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(settings.timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that vanishes mid-request is its own problem, logged by the handler.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let in_flight = graceful.count();
    if in_flight > 0 {
        eprintln!("serve: stopping, finishing {in_flight} open connections");
    }
    let grace = settings.timeout * 2;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!("serve: gave up waiting for connections after {grace:?}");
    }
    eprintln!("serve: stopped");
    Ok(())
}

fn router(settings: Arc<Settings>) -> Router {
    let mut router = Router::new()
        .route("/", post(receive))
        .route("/healthz", get(healthz));
    if settings.token.is_some() {
        router = router.route("/{token}", post(receive));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(settings)
}

/// Wraps the router for one connection: times each request and writes its log line.
fn logged(
    router: Router,
    settings: Arc<Settings>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future: Send,
> + Clone {
    let inner = TowerToHyperService::new(router);
    service_fn(move |request: Request<Incoming>| {
        let started = Instant::now();
        let method = request.method().clone();
        let path = loggable_path(request.uri().path(), settings.token.is_some());
        let log = settings.log;
        let response = hyper::service::Service::call(&inner, request);
        async move {
            let response = response.await?;
            if log {
                let note = response
                    .extensions()
                    .get::<Note>()
                    .cloned()
                    .unwrap_or_default();
                log_line(&method, &path, response.status(), &note, started.elapsed());
            }
            Ok(response)
        }
    })
}

/// The path as logged: never the token, which may be its only segment.
fn loggable_path(path: &str, token: bool) -> String {
    let single_segment = path.len() > 1 && !path[1..].contains('/');
    if token && single_segment && path != "/healthz" {
        "/<token>".into()
    } else {
        path.chars().take(200).collect()
    }
}

fn log_line(
    method: &axum::http::Method,
    path: &str,
    status: StatusCode,
    note: &Note,
    took: Duration,
) {
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

async fn healthz() -> Response {
    with_note(StatusCode::OK, json!({"status": "ok"}), Note::default())
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not found: POST payloads to /",
        Note::default(),
    )
}

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: POST payloads, GET /healthz",
        Note::default(),
    )
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// `POST /` or `POST /<token>`: judge the body, store it, answer.
async fn receive(
    State(settings): State<Arc<Settings>>,
    path_token: Option<Path<String>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(expected) = &settings.token {
        let given = match path_token {
            Some(Path(token)) => Some(token),
            None => Query::<TokenQuery>::try_from_uri(&uri)
                .ok()
                .and_then(|Query(q)| q.token),
        };
        if !given.is_some_and(|given| same_secret(given.as_bytes(), expected.as_bytes())) {
            return error(
                StatusCode::UNAUTHORIZED,
                "missing or wrong token",
                Note::default(),
            );
        }
    }
    let body = match read_body(body, &headers, settings.max_body, settings.timeout).await {
        Ok(body) => body,
        Err(refusal) => return refusal.into_response(settings.max_body),
    };
    let bytes = body.len() as u64;
    let worker = Arc::clone(&settings);
    let accepted = tokio::task::spawn_blocking(move || accept(&worker.store, &body)).await;
    match accepted {
        Ok(Ok(Accepted::Stored { stored, channel })) => {
            let status = if stored.duplicate {
                "duplicate"
            } else {
                "stored"
            };
            let note = Note {
                channel: Some(channel),
                bytes,
                detail: Some(format!("{status}={}", stored.file)),
            };
            with_note(
                StatusCode::OK,
                json!({"status": status, "file": stored.file, "channel": channel}),
                note,
            )
        }
        Ok(Ok(Accepted::Rejected { finding, file })) => {
            let note = Note {
                channel: None,
                bytes,
                detail: Some(format!("rejected={file}")),
            };
            with_note(
                StatusCode::BAD_REQUEST,
                json!({
                    "status": "rejected",
                    "error": finding.message,
                    "line": finding.origin.line,
                    "column": finding.origin.column,
                    "path": finding.path,
                    "finding": finding.to_string(),
                    "file": file,
                }),
                note,
            )
        }
        Ok(Err(err)) => {
            let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
            let note = Note {
                channel: None,
                bytes,
                detail: Some(format!("error=\"{}\"", chain.join(": "))),
            };
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot store the body; it was not kept, send it again",
                note,
            )
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the store failed; the body was not kept, send it again",
            Note {
                bytes,
                ..Note::default()
            },
        ),
    }
}

enum Accepted {
    Stored { stored: Stored, channel: i64 },
    Rejected { finding: Finding, file: String },
}

/// Judges and stores one body; blocking (parsing and file I/O).
fn accept(store: &Store, body: &[u8]) -> anyhow::Result<Accepted> {
    match intake::judge(body) {
        Verdict::Payload {
            begin_at,
            channel_id,
        } => Ok(Accepted::Stored {
            stored: store.store_payload(body, begin_at, channel_id)?,
            channel: channel_id,
        }),
        Verdict::Rejected(finding) => {
            let file = store.store_rejected(body, &finding.to_string())?;
            Ok(Accepted::Rejected { finding, file })
        }
    }
}

/// Why a body was not read to its end.
enum Refusal {
    TooLarge { received: u64 },
    TimedOut { received: u64 },
    Broken { received: u64, why: String },
}

/// The rest of the body is not read: the connection cannot be reused.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

impl Refusal {
    fn into_response(self, max_body: u64) -> Response {
        match self {
            Refusal::TooLarge { received } => closing(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("body larger than --max-body ({max_body} bytes)"),
                Note {
                    bytes: received,
                    ..Note::default()
                },
            )),
            Refusal::TimedOut { received } => closing(error(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time",
                Note {
                    bytes: received,
                    ..Note::default()
                },
            )),
            Refusal::Broken { received, why } => error(
                StatusCode::BAD_REQUEST,
                "the body could not be read",
                Note {
                    bytes: received,
                    detail: Some(format!("error=\"{why}\"")),
                    ..Note::default()
                },
            ),
        }
    }
}

/// Reads the whole body, never holding more than `max_body` bytes of it, within `timeout`.
///
/// A body over the limit is refused at once when its declared length says so and the client
/// waits for `100 Continue`, or declares more than twice the limit. Otherwise up to twice
/// the limit is read and dropped before answering 413, so that a client busy sending gets to
/// read the answer (a server that closes with unread bytes resets the connection).
async fn read_body(
    mut body: Body,
    headers: &HeaderMap,
    max_body: u64,
    timeout: Duration,
) -> Result<Vec<u8>, Refusal> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expects_continue = headers
        .get(EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if let Some(declared) = declared {
        if declared > max_body && (expects_continue || declared > max_body.saturating_mul(2)) {
            return Err(Refusal::TooLarge { received: 0 });
        }
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let capacity = declared.unwrap_or(0).min(max_body).min(1 << 20);
    let mut kept: Vec<u8> = Vec::with_capacity(capacity as usize);
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
    Ok(kept)
}

/// Compares a given secret with the expected one in time that depends only on the expected
/// one's length, so that response times do not tell how much of a guess was right. (A few
/// lines, rather than a crate for it.)
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = given.len() ^ expected.len();
    for (i, want) in expected.iter().enumerate() {
        let got = given.get(i).copied().unwrap_or(!want);
        difference |= usize::from(std::hint::black_box(got ^ want));
    }
    std::hint::black_box(difference) == 0
}

fn error(status: StatusCode, message: &str, note: Note) -> Response {
    with_note(status, json!({"error": message}), note)
}

fn with_note(status: StatusCode, body: serde_json::Value, note: Note) -> Response {
    let text = format!("{body}\n");
    let mut response = (status, [(CONTENT_TYPE, "application/json")], text).into_response();
    response.extensions_mut().insert(note);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cre", b"s3cret"));
        assert!(!same_secret(b"s3cret!", b"s3cret"));
        assert!(!same_secret(b"s3creT", b"s3cret"));
        assert!(!same_secret(b"", b"s3cret"));
    }

    #[test]
    fn logged_paths_never_show_the_token() {
        assert_eq!(loggable_path("/s3cret", true), "/<token>");
        assert_eq!(loggable_path("/", true), "/");
        assert_eq!(loggable_path("/healthz", true), "/healthz");
        assert_eq!(loggable_path("/a/b", true), "/a/b");
        assert_eq!(loggable_path("/nope", false), "/nope");
    }
}
