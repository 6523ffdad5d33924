//! A Splunk-HEC-compatible receiver, so that anything that ships to Splunk can ship here
//! unchanged; and the operational endpoints (`/healthz`, `/readyz`, `/metrics`, `/incidents`).
//!
//! Replies are HEC's own: `{"text":"Success","code":0}`, 401 code 2 without a token, 401 code 3
//! for an Authorization header that is not `Splunk <token>`, 403 code 4 for an unknown token,
//! 400 codes 5, 6, 12 and 13 for bodies HEC could not read, 503 code 9 when the engine's queue
//! is full. A request is answered 200 only after its records are committed to the state store.

use std::collections::HashSet;
use std::io::Read;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

use crate::engine::{Mode, Piece};
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
    /// Whether HEC input is on (off: only the operational endpoints are served).
    pub accept_events: bool,
}

/// How much of an oversized body is read (and dropped) before answering 413.
const DRAIN_RATIO: usize = 4;

/// How much a gzip body may grow when inflated, relative to `max_body`.
const INFLATE_RATIO: usize = 8;

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

/// HEC's token check: `Authorization: Splunk <token>`.
fn authorize(hec: &Hec, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Box::new(reply(
            hec,
            StatusCode::UNAUTHORIZED,
            "Token is required",
            2,
            None,
        )));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Splunk "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match token {
        None => Err(Box::new(reply(
            hec,
            StatusCode::UNAUTHORIZED,
            "Invalid authorization",
            3,
            None,
        ))),
        Some(t) if hec.tokens.contains(t) => Ok(()),
        Some(_) => Err(Box::new(reply(
            hec,
            StatusCode::FORBIDDEN,
            "Invalid token",
            4,
            None,
        ))),
    }
}

/// Reads the body within the limits, inflating gzip.
async fn body_bytes(hec: &Hec, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Box<Response>> {
    let too_large = || {
        reply(
            hec,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Content too large (the limit is {} bytes)", hec.max_body),
            6,
            None,
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > hec.max_body) {
        // Read and drop what the client is sending (up to a bound), so that it gets the 413
        // rather than a reset connection; nothing of it is kept.
        let mut stream = body.into_data_stream();
        let mut seen = 0usize;
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len();
            if seen > hec.max_body.saturating_mul(DRAIN_RATIO) {
                break;
            }
        }
        return Err(Box::new(too_large()));
    }
    let bytes = axum::body::to_bytes(body, hec.max_body)
        .await
        .map_err(|_| Box::new(too_large()))?;
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    if !gzip {
        return Ok(bytes.to_vec());
    }
    let limit = hec.max_body.saturating_mul(INFLATE_RATIO);
    let mut out = Vec::new();
    let read = flate2::read::MultiGzDecoder::new(&bytes[..])
        .take(limit as u64 + 1)
        .read_to_end(&mut out);
    match read {
        Err(_) => Err(Box::new(reply(
            hec,
            StatusCode::BAD_REQUEST,
            "Invalid data format",
            6,
            None,
        ))),
        Ok(n) if n > limit => Err(Box::new(too_large())),
        Ok(_) => Ok(out),
    }
}

/// The body of an input request that passed the token check and the limits.
async fn accepted(hec: &Hec, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Box<Response>> {
    authorize(hec, headers)?;
    if !hec.accept_events {
        let r = reply(hec, StatusCode::BAD_REQUEST, "Token disabled", 1, None);
        return Err(Box::new(r));
    }
    // A body trickled a byte at a time would hold its connection (and its share of the
    // connection cap) for as long as the client likes.
    match tokio::time::timeout(hec.body_timeout, body_bytes(hec, headers, body)).await {
        Ok(read) => read,
        Err(_) => Err(Box::new(reply(
            hec,
            StatusCode::REQUEST_TIMEOUT,
            "Request body timed out",
            6,
            None,
        ))),
    }
}

async fn event(State(hec): State<Arc<Hec>>, headers: HeaderMap, body: Body) -> Response {
    let body = match accepted(&hec, &headers, body).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let (pieces, problem) = split_events(&body);
    if pieces.is_empty() {
        let (text, code, n) = problem.unwrap_or(("No data", 5, None));
        return reply(
            &hec,
            StatusCode::BAD_REQUEST,
            text,
            code,
            n.map(|n| ("invalid-event-number", n)),
        );
    }
    // As Splunk does: the events before an unreadable one are taken, and the reply names it.
    let after = problem.map(|(text, code, n)| (text, code, n.unwrap_or(0)));
    submit(&hec, pieces, after).await
}

async fn raw(State(hec): State<Arc<Hec>>, headers: HeaderMap, body: Body) -> Response {
    let body = match accepted(&hec, &headers, body).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return reply(&hec, StatusCode::BAD_REQUEST, "No data", 5, None);
    }
    // A raw body may be a whole file (a CloudTrail S3 object, an Event Hub batch): the
    // decoder frames it as it frames files.
    let piece = Piece {
        origin: "hec:raw".into(),
        bytes: body.into(),
        scope: String::new(),
        source: Source::Hec,
    };
    submit(&hec, vec![piece], None).await
}

type Problem = (&'static str, i64, Option<usize>);

/// HEC's event endpoint body: JSON objects one after another, each with an `event` that is a
/// record (an object) or a string holding one.
fn split_events(body: &[u8]) -> (Vec<Piece>, Option<Problem>) {
    let mut pieces = Vec::new();
    let stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    for (n, item) in stream.enumerate() {
        let bad = |text, code| Some((text, code, Some(n)));
        let Ok(Value::Object(obj)) = item else {
            return (pieces, bad("Invalid data format", 6));
        };
        let bytes = match obj.get("event") {
            None => return (pieces, bad("Event field is required", 12)),
            Some(Value::Null) => return (pieces, bad("Event field cannot be blank", 13)),
            Some(Value::String(s)) if s.trim().is_empty() => {
                return (pieces, bad("Event field cannot be blank", 13))
            }
            Some(Value::String(s)) => s.clone().into_bytes().into(),
            Some(v) => serde_json::to_vec(v).unwrap_or_default().into(),
        };
        let kind = obj
            .get("sourcetype")
            .or_else(|| obj.get("source"))
            .and_then(Value::as_str)
            .unwrap_or("event");
        pieces.push(Piece {
            origin: format!("hec:{kind}#{n}"),
            bytes,
            scope: String::new(),
            source: Source::Hec,
        });
    }
    (pieces, None)
}

async fn submit(hec: &Hec, pieces: Vec<Piece>, after: Option<(&str, i64, usize)>) -> Response {
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
            Some((text, code, n)) => reply(
                hec,
                StatusCode::BAD_REQUEST,
                text,
                code,
                Some(("invalid-event-number", n)),
            ),
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

async fn metrics(State(hec): State<Arc<Hec>>) -> Response {
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
    if let Err(r) = authorize(&hec, &headers) {
        return *r;
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
