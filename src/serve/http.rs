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
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::{HeaderMap, Request, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;

use super::accept::{judge, keep};
use super::body;
use super::framing::{HeadWatch, Watched};
use super::limits::{Connection, Connections, InFlight};
use super::reply::{
    answer, closing, error, log_line, loggable_method, loggable_path, refused, retry_after,
    with_note, Note, RETRY_DISK,
};
use super::store::Store;
use super::webhook::{self, SIGNATURE_HEADER};

/// Everything the server needs to know, fixed at start.
#[derive(Debug)]
pub struct Settings {
    pub store: Store,
    pub token: Option<String>,
    /// The shared secret of Smartsupp's webhooks; without it, events are refused (403).
    pub webhook_secret: Option<String>,
    pub max_body: u64,
    /// For reading a request's body.
    pub timeout: Duration,
    /// For a request's head, from the accept or the previous answer on the connection.
    pub header_timeout: Duration,
    /// Connections open at once (see [`super::limits`]).
    pub max_connections: usize,
    /// Body bytes held in memory at once.
    pub in_flight: InFlight,
    /// Bodies parsed at once (one per core).
    pub judging: tokio::sync::Semaphore,
    /// One line per request on stderr.
    pub log: bool,
}

/// Largest read buffer of one connection (request heads must fit in it).
const READ_BUFFER: usize = 64 << 10;
/// Serves until `shutdown` completes, then stops accepting and lets the requests in flight
/// finish (waiting at most twice the timeout for them).
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let settings = Arc::new(settings);
    let router = router(Arc::clone(&settings));
    let connections = Connections::new(settings.max_connections);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A place first: when all are taken, the longest-waiting connection is closed.
        let place = tokio::select! {
            place = connections.admit() => Arc::new(place),
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
        let watch = HeadWatch::new();
        let stream = Watched::new(stream, Arc::clone(&watch));
        let service = logged(
            router.clone(),
            Arc::clone(&settings),
            Arc::clone(&place),
            watch,
        );
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(settings.header_timeout)
            .max_buf_size(READ_BUFFER)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let evicted = Arc::clone(&place.evicted);
            // A client that vanishes mid-request is its own problem, logged by the handler.
            tokio::select! {
                _ = connection => {}
                () = evicted.notified() => {}
            }
            drop(place);
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
        router = router
            .route("/{token}", post(receive))
            .route("/{token}/", post(receive));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(settings)
}

/// Wraps the router for one connection: refuses ambiguous framing, times each request, writes
/// its log line, and puts the connection back among the waiting ones once answered.
fn logged(
    router: Router,
    settings: Arc<Settings>,
    place: Arc<Connection>,
    watch: Arc<HeadWatch>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future: Send,
> + Clone {
    let inner = TowerToHyperService::new(router);
    service_fn(move |mut request: Request<Incoming>| {
        let started = Instant::now();
        let method = loggable_method(request.method());
        let path = loggable_path(request.uri().path(), settings.token.is_some());
        let log = settings.log;
        let place = Arc::clone(&place);
        let watch = Arc::clone(&watch);
        let smuggling = watch.both_lengths()
            || (request.headers().contains_key(CONTENT_LENGTH)
                && request.headers().contains_key(TRANSFER_ENCODING));
        request.extensions_mut().insert(Arc::clone(&place));
        let response = (!smuggling).then(|| hyper::service::Service::call(&inner, request));
        async move {
            let response = match response {
                Some(response) => response.await?,
                // Behind a proxy that reads the other header, this is request smuggling.
                None => closing(error(
                    StatusCode::BAD_REQUEST,
                    "both Content-Length and Transfer-Encoding: send one",
                    Note::default(),
                )),
            };
            place.waiting();
            watch.next_head();
            if log {
                let note = response
                    .extensions()
                    .get::<Note>()
                    .cloned()
                    .unwrap_or_default();
                log_line(method, &path, response.status(), &note, started.elapsed());
            }
            Ok(response)
        }
    })
}

/// 200 while the store is writable and above `--min-free`, else 503 (looked at once a second).
async fn healthz(State(settings): State<Arc<Settings>>) -> Response {
    let worker = Arc::clone(&settings);
    let health = tokio::task::spawn_blocking(move || worker.store.health()).await;
    match health {
        Ok(Ok(())) => with_note(StatusCode::OK, json!({"status": "ok"}), Note::default()),
        Ok(Err(why)) => retry_after(
            with_note(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable", "error": why.short}),
                Note {
                    detail: Some(format!("error=\"{}\"", why.detail)),
                    ..Note::default()
                },
            ),
            RETRY_DISK,
        ),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the health check failed",
            Note::default(),
        ),
    }
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

/// Whether the request carries the token (or none is required): `POST /<token>`,
/// `POST /<token>/` or `POST /?token=<token>`.
fn has_token(settings: &Settings, uri: &Uri) -> bool {
    let Some(expected) = &settings.token else {
        return true;
    };
    let path = uri.path().strip_prefix('/').unwrap_or_default();
    let segment = path.strip_suffix('/').unwrap_or(path);
    let given = if segment.is_empty() {
        Query::<TokenQuery>::try_from_uri(uri)
            .ok()
            .and_then(|Query(q)| q.token)
    } else {
        Some(segment.to_string())
    };
    given.is_some_and(|given| same_secret(given.as_bytes(), expected.as_bytes()))
}

/// `POST /` or `POST /<token>`: check who sends, read the body, judge it, store it, answer.
///
/// Who may send a body: a POST-hook sender with the token (any sender when there is no
/// `--token`), or a webhook sender with an `X-Smartsupp-Hmac` header (checked once the body is
/// read). Everyone else is answered before the body is read, and their connection stays
/// among those that may be closed to make room.
async fn receive(
    State(settings): State<Arc<Settings>>,
    Extension(place): Extension<Arc<Connection>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .map(|value| value.as_bytes().to_vec());
    if signature.is_some() && settings.webhook_secret.is_none() {
        return secret_not_configured();
    }
    if signature.is_none() && !has_token(&settings, &uri) {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token",
            Note::default(),
        );
    }
    place.busy();
    let mut signer = match (&signature, &settings.webhook_secret) {
        (Some(_), Some(secret)) => Some(webhook::signer(secret)),
        _ => None,
    };
    let limits = body::Limits {
        max_body: settings.max_body,
        timeout: settings.timeout,
        in_flight: &settings.in_flight,
    };
    let received = match body::read(body, &headers, &limits, signer.as_mut()).await {
        Ok(received) => received,
        Err(refusal) => return refused(refusal, settings.max_body),
    };
    let bytes = received.wire_bytes;
    let event = signature.is_some() || webhook::looks_like_event(&received.body);
    if event {
        if settings.webhook_secret.is_none() {
            return secret_not_configured();
        }
        let signed = match (signer, &signature) {
            (Some(signer), Some(signature)) => webhook::signature_matches(signer, signature),
            _ => false,
        };
        if !signed {
            return error(
                StatusCode::FORBIDDEN,
                "webhook event with a missing or wrong X-Smartsupp-Hmac signature: not stored",
                Note {
                    bytes,
                    ..Note::default()
                },
            );
        }
    }
    // Parsing holds a body's parsed form beside it: at most one per core at once, so that
    // memory stays within --max-inflight and a constant. Storing (fsyncs) runs unbounded.
    let Ok(judging) = settings.judging.acquire().await else {
        return failed(bytes);
    };
    let body::Received { body, room, .. } = received;
    let judged = tokio::task::spawn_blocking(move || judge(body, event)).await;
    drop(judging);
    let Ok((judged, body)) = judged else {
        return failed(bytes);
    };
    let worker = Arc::clone(&settings);
    let accepted = tokio::task::spawn_blocking(move || {
        let accepted = keep(&worker.store, &body, judged);
        drop((body, room));
        accepted
    })
    .await;
    match accepted {
        Ok(accepted) => answer(accepted, bytes),
        Err(_) => failed(bytes),
    }
}

fn failed(bytes: u64) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the store failed; the body was not kept, send it again",
        Note {
            bytes,
            ..Note::default()
        },
    )
}

fn secret_not_configured() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "webhook events are not accepted: the server has no --webhook-secret \
         (SSHOOK_WEBHOOK_SECRET) to check their X-Smartsupp-Hmac signature; not stored",
        Note::default(),
    )
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
}
