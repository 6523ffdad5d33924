//! A Splunk-HEC-compatible receiver, so that anything that ships to Splunk can ship here
//! unchanged; and the operational endpoints (`/healthz`, `/readyz`, `/metrics`, `/incidents`).
//!
//! Replies are HEC's own: `{"text":"Success","code":0}`, 401 code 2 without a token, 401 code 3
//! for an Authorization header that is not `Splunk <token>`, 403 code 4 for an unknown token,
//! 400 codes 5, 6, 12 and 13 for bodies HEC could not read, 400 code 11 for a channel that is
//! not a GUID, 408 for a body slower than `--body-timeout`, 413 past the size caps, 415 for an
//! encoding other than gzip, 503 code 9 when the engine's queue is full or the in-flight budget
//! has no room (then with `Retry-After`). A request is answered 200 only after its records are
//! committed to the state store.

use std::collections::HashSet;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use crate::engine::{Mode, Piece};
use crate::hec_request::{self, Endpoint, Inflate, Parsed, Problem, RequestLimits};
use crate::inflight::{Budget, Held};
use crate::metrics::{Metrics, Source};
use crate::worker::Work;

pub struct Hec {
    pub tokens: HashSet<String>,
    pub tx: mpsc::Sender<Work>,
    pub metrics: Arc<Metrics>,
    /// Largest body accepted, as sent (compressed or not).
    pub max_body: usize,
    /// How long a request's body may take to arrive, whole.
    pub body_timeout: std::time::Duration,
    /// Bytes of bodies, as sent and inflated, all requests together, until their batch commits.
    pub budget: Budget,
    /// The token `/metrics` asks for (`Authorization: Bearer <token>`); `None`: open.
    pub metrics_token: Option<String>,
    /// Whether HEC input is on (off: only the operational endpoints are served).
    pub accept_events: bool,
}

/// How much of an oversized body is read (and dropped) before answering 413.
const DRAIN_RATIO: usize = 4;

/// How much a gzip body may grow when inflated, relative to `max_body`.
const INFLATE_RATIO: usize = 8;

/// How much a gzip body inflates between two takes from the budget.
const INFLATE_STEP: usize = 256 << 10;

/// What a 503 for want of budget asks the client to wait, in seconds.
const RETRY_AFTER: &str = "2";

pub fn router(hec: Arc<Hec>) -> Router {
    Router::new()
        .route("/services/collector", post(event))
        .route("/services/collector/event", post(event))
        .route("/services/collector/event/1.0", post(event))
        .route("/services/collector/raw", post(raw))
        .route("/services/collector/raw/1.0", post(raw))
        .route("/services/collector/health", get(health))
        .route("/services/collector/health/1.0", get(health))
        .route("/healthz", get(healthz))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/incidents", get(incidents))
        .with_state(hec)
}

fn reply(
    hec: &Hec,
    status: StatusCode,
    text: &str,
    code: i64,
    extra: Option<(&str, usize)>,
) -> Response {
    hec.metrics.hec_reply(status.as_u16());
    let mut body = json!({"text": text, "code": code});
    if let Some((k, v)) = extra {
        body[k] = json!(v);
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// HEC's reply for a [`Problem`].
fn refuse(hec: &Hec, p: &Problem) -> Box<Response> {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
    let text = if p == &Problem::TOO_LARGE {
        format!("Content too large (the limit is {} bytes)", hec.max_body)
    } else {
        p.text.to_string()
    };
    let extra = p.invalid_event.map(|n| ("invalid-event-number", n));
    Box::new(reply(hec, status, &text, p.code, extra))
}

/// 503 for want of budget: HEC's "busy", with when to try again.
fn busy(hec: &Hec) -> Box<Response> {
    let mut r = reply(
        hec,
        StatusCode::SERVICE_UNAVAILABLE,
        "Server is busy",
        9,
        None,
    );
    r.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from_static(RETRY_AFTER),
    );
    Box::new(r)
}

/// The caps of one request: the inflated cap never above the whole budget, so that a request
/// that fits its own caps can always get its bytes once others give theirs back.
fn limits(hec: &Hec) -> RequestLimits {
    RequestLimits {
        max_body: hec.max_body,
        max_inflated: hec
            .max_body
            .saturating_mul(INFLATE_RATIO)
            .min(hec.budget.bytes),
    }
}

/// Reads the body within the limits and the budget, inflating gzip.
async fn body_bytes(
    hec: &Hec,
    headers: &HeaderMap,
    body: Body,
    held: &mut Held<'_>,
) -> Result<Vec<u8>, Box<Response>> {
    let limits = limits(hec);
    let gzip = hec_request::is_gzip(headers).map_err(|p| refuse(hec, &p))?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.max_body) {
        // Read and drop what the client is sending (up to a bound), so that it gets the 413
        // rather than a reset connection; nothing of it is kept.
        let mut stream = body.into_data_stream();
        let mut seen = 0usize;
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len();
            if seen > limits.max_body.saturating_mul(DRAIN_RATIO) {
                break;
            }
        }
        return Err(refuse(hec, &Problem::TOO_LARGE));
    }
    let mut sent = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| refuse(hec, &Problem::INVALID_FORMAT))?;
        if sent.len() + chunk.len() > limits.max_body {
            return Err(refuse(hec, &Problem::TOO_LARGE));
        }
        held.grow(chunk.len()).await.map_err(|_| busy(hec))?;
        sent.extend_from_slice(&chunk);
    }
    if !gzip {
        return Ok(sent);
    }
    let mut inflate = Inflate::new(&sent[..], limits.max_inflated);
    loop {
        held.grow(INFLATE_STEP).await.map_err(|_| busy(hec))?;
        if inflate.step(INFLATE_STEP).map_err(|p| refuse(hec, &p))? {
            return Ok(inflate.finish());
        }
    }
}

/// The events of an input request that passed the token check and the limits, with the
/// budget they hold until their batch is answered.
async fn accepted<'h>(
    hec: &'h Hec,
    endpoint: Endpoint,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Parsed, Held<'h>), Box<Response>> {
    hec_request::authorize(headers, &hec.tokens).map_err(|p| refuse(hec, &p))?;
    if !hec.accept_events {
        let r = reply(hec, StatusCode::BAD_REQUEST, "Token disabled", 1, None);
        return Err(Box::new(r));
    }
    hec_request::channel(headers).map_err(|p| refuse(hec, &p))?;
    let mut held = hec.budget.hold();
    // A body trickled a byte at a time would hold its connection (and its share of the
    // connection cap) for as long as the client likes.
    let read = tokio::time::timeout(hec.body_timeout, body_bytes(hec, headers, body, &mut held));
    let body = match read.await {
        Ok(read) => read?,
        Err(_) => {
            let r = reply(
                hec,
                StatusCode::REQUEST_TIMEOUT,
                "Request body timed out",
                6,
                None,
            );
            return Err(Box::new(r));
        }
    };
    let parsed = hec_request::events(endpoint, body).map_err(|p| refuse(hec, &p))?;
    Ok((parsed, held))
}

async fn event(State(hec): State<Arc<Hec>>, headers: HeaderMap, body: Body) -> Response {
    intake(&hec, Endpoint::Event, &headers, body).await
}

async fn raw(State(hec): State<Arc<Hec>>, headers: HeaderMap, body: Body) -> Response {
    intake(&hec, Endpoint::Raw, &headers, body).await
}

async fn intake(hec: &Hec, endpoint: Endpoint, headers: &HeaderMap, body: Body) -> Response {
    let (parsed, held) = match accepted(hec, endpoint, headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let pieces = parsed
        .events
        .into_iter()
        .map(|e| Piece {
            origin: e.origin,
            bytes: e.bytes,
            scope: String::new(),
            source: Source::Hec,
        })
        .collect();
    // As Splunk does: the events before an unreadable one are taken, and the reply names it.
    let answer = submit(hec, pieces, parsed.problem).await;
    drop(held);
    answer
}

async fn submit(hec: &Hec, pieces: Vec<Piece>, after: Option<Problem>) -> Response {
    let (tx, rx) = oneshot::channel();
    let work = Work::Batch {
        pieces,
        mode: Mode::Live,
        reply: tx,
    };
    if hec.tx.try_send(work).is_err() {
        return reply(
            hec,
            StatusCode::SERVICE_UNAVAILABLE,
            "Server is busy",
            9,
            None,
        );
    }
    match rx.await {
        Ok(Ok(_)) => match after {
            None => reply(hec, StatusCode::OK, "Success", 0, None),
            Some(p) => *refuse(hec, &p),
        },
        Ok(Err(_)) => reply(
            hec,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error",
            8,
            None,
        ),
        Err(_) => reply(
            hec,
            StatusCode::SERVICE_UNAVAILABLE,
            "Server is busy",
            9,
            None,
        ),
    }
}

async fn health(State(hec): State<Arc<Hec>>) -> Response {
    if !engine_up(&hec) {
        return reply(
            &hec,
            StatusCode::SERVICE_UNAVAILABLE,
            "HEC is unhealthy, the detection engine stopped",
            8,
            None,
        );
    }
    if hec.tx.capacity() == 0 {
        return reply(
            &hec,
            StatusCode::SERVICE_UNAVAILABLE,
            "HEC is unhealthy, queues are full",
            18,
            None,
        );
    }
    reply(&hec, StatusCode::OK, "HEC is healthy", 17, None)
}

/// Whether the engine can take batches: its thread ends (dropping the queue's receiver) only
/// when it cannot carry on.
fn engine_up(hec: &Hec) -> bool {
    !hec.tx.is_closed()
}

async fn healthz(State(hec): State<Arc<Hec>>) -> Response {
    if engine_up(&hec) {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the detection engine stopped\n",
        )
            .into_response()
    }
}

async fn ready(State(hec): State<Arc<Hec>>) -> Response {
    if !engine_up(&hec) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the detection engine stopped\n",
        )
            .into_response()
    } else if hec.metrics.ready.load(Relaxed) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting\n").into_response()
    }
}

/// Prometheus text. Behind `--metrics-token-file` when given: its counts tell whoever reads
/// them whether an attack was seen.
async fn metrics(State(hec): State<Arc<Hec>>, headers: HeaderMap) -> Response {
    if let Some(token) = &hec.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let fits = given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes()));
        if !fits {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "a metrics token is required\n",
            )
                .into_response();
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        hec.metrics.render(),
    )
        .into_response()
}

/// The incidents held, as `hunt --format jsonl` prints them. It needs a HEC token: it shows
/// who did what in the accounts.
async fn incidents(
    State(hec): State<Arc<Hec>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if let Err(p) = hec_request::authorize(&headers, &hec.tokens) {
        return *refuse(&hec, &p);
    }
    let show_failed = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "show_failed=1"));
    let (tx, rx) = oneshot::channel();
    if hec
        .tx
        .send(Work::Incidents {
            show_failed,
            reply: tx,
        })
        .await
        .is_err()
    {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping\n").into_response();
    }
    match rx.await {
        Ok(body) => ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "stopping\n").into_response(),
    }
}

/// Whether two tokens are equal, in a time that does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
