//! Serve: the hunt's detection on a live stream, with durable state.
//!
//! Inputs (a Splunk-HEC-compatible receiver, a JetStream durable consumer) hand batches to
//! one engine thread, which reads them through the same decode and normalize path as `hunt`,
//! runs the same detection over each touched partition (provider and account), commits the
//! records, the alerted states and the new alerts in one redb transaction, and only then lets
//! the input acknowledge. Alerts leave through an outbox, so a crash loses none and a restart
//! repeats none.
//!
//! Invariants:
//! - nothing is acknowledged (HTTP 200, JetStream ack) before its effect is on disk;
//! - an event already held (same provider event id) changes nothing;
//! - an incident alerts when it opens and when it escalates, once for each state.
//!
//! The main types: a [`ServeConfig`] holds everything [`run`] needs: the [`EngineConfig`]
//! (rule pack, tuning, window, bounds on held state), the state directory, the HEC listener,
//! the JetStream input ([`NatsInput`]: a [`JetStreamInput`], scaled out by [`Partitioning`])
//! and the alert sinks. [`alert_id`] is the id every alert carries, which sinks dedupe on;
//! [`ServeError`] says why `serve` could not start or carry on.
//!
//! ```
//! use std::time::Duration;
//!
//! use revertwatch_decode::Limits;
//! use revertwatch_detect::Severity;
//! use revertwatch_serve::{alert_id, EngineConfig};
//!
//! let engine = EngineConfig {
//!     pack: revertwatch_pack::load_default(),
//!     tuning: revertwatch_tuning::Tuning::default(),
//!     window: Duration::from_secs(6 * 3600),
//!     lateness: Duration::from_secs(3600),
//!     keep_closed: Duration::from_secs(7 * 86400),
//!     provenance_horizon: Duration::from_secs(400 * 86400),
//!     max_calls: 1_000_000,
//!     max_event_age: Duration::from_secs(30 * 86400),
//!     max_clock_skew: Duration::from_secs(3600),
//!     limits: Limits::default(),
//!     panic_on_event: None,
//! };
//! assert!(engine.lateness < engine.window);
//!
//! // One id per incident and state: an escalation is a new alert, a repeat is not.
//! let review = alert_id("inc-1", Severity::Review);
//! assert_eq!(review, alert_id("inc-1", Severity::Review));
//! assert_ne!(review, alert_id("inc-1", Severity::Escalate));
//! assert_eq!(review.len(), 24);
//! ```

#![deny(missing_docs)]

mod alerts;
mod dead_letter;
mod engine;
mod error;
mod hec;
pub mod hec_request;
mod inflight;
mod jetstream;
mod lease;
mod listener;
mod metrics;
mod partition;
mod store;
mod tls;
mod worker;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use revertwatch_sink::{Fanout, HecConfig, JsonlFileSink, NatsSink, WebhookConfig, WebhookSink};
use tokio::sync::{mpsc, watch};

pub use alerts::alert_id;
pub use engine::EngineConfig;
pub use error::ServeError;
pub use jetstream::JetStreamInput;
pub use lease::Partitioning;
pub use listener::HttpLimits;
pub use tls::TlsFiles;

/// The JetStream input: what to read, and whether this instance reads only its share.
pub struct NatsInput {
    /// The stream, durable consumer and batch settings.
    pub input: JetStreamInput,
    /// Scale-out: read only this instance's share of the stream's partitions.
    pub partitioning: Option<Partitioning>,
}

/// Everything [`run`] needs. Settings are checked at start (the port bound, the store opened, each alert sink set up, the JetStream stream looked up), so a wrong one stops `run` before anything is read.
pub struct ServeConfig {
    /// Detection: the rule pack, tuning, window and the limits on held state.
    pub engine: EngineConfig,
    /// Directory of the durable state (`state.redb`), created if missing. One instance per directory: a restart with the same directory resumes where the last run committed.
    pub state_dir: PathBuf,
    /// Where a batch that panics the engine is written (one JSON Lines file per batch) before
    /// it is acknowledged; `None`: `<state_dir>/dead-letter`.
    pub dead_letter: Option<PathBuf>,
    /// Where the HTTP endpoints listen: HEC at `/services/collector`, `/metrics`, `/healthz`, `/readyz`. Port 0 picks a free port (printed unless `quiet`).
    pub listen: SocketAddr,
    /// The listener's limits: connections, header and body deadlines, the shutdown grace.
    pub http: HttpLimits,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// HEC tokens; empty turns the HEC input off.
    pub hec_tokens: HashSet<String>,
    /// Largest HEC request body accepted, in bytes as sent; a bigger one is answered 413. A gzip body may inflate to a fixed multiple of it, no more.
    pub max_body: usize,
    /// Bytes of HEC bodies, as sent and as inflated, held at once over all requests until their
    /// batch commits; a request that cannot get its share within a moment is answered 503 with
    /// `Retry-After`.
    pub max_inflight_bytes: usize,
    /// `/metrics` answers only `Authorization: Bearer <token>` when set.
    pub metrics_token: Option<String>,
    /// Batches waiting for the engine before HEC answers 503.
    pub queue: usize,
    /// NATS server URL(s), comma-separated. `None`: no NATS connection, so `nats_input` and `alerts_subject` are ignored.
    pub nats_url: Option<String>,
    /// Read records from JetStream too (needs `nats_url`); `None`: HEC only.
    pub nats_input: Option<NatsInput>,
    /// Append alerts, one JSON object a line, to this file.
    pub alerts_jsonl: Option<PathBuf>,
    /// Publish alerts on this NATS subject (needs `nats_url`).
    pub alerts_subject: Option<String>,
    /// Alerts to a Splunk HEC, through the same client as `hunt --hec-url`.
    pub alerts_hec: Option<HecConfig>,
    /// POST alerts to a webhook.
    pub webhook: Option<WebhookConfig>,
    /// Print neither the start and stop notes nor the records skipped; errors and warnings are still printed on stderr.
    pub quiet: bool,
    /// Bytes the process holds allocated, if the binary's allocator counts them; published as
    /// `revertwatch_heap_bytes` so that RSS can be read against it.
    pub heap_bytes: Option<fn() -> u64>,
}

/// Runs until SIGTERM or SIGINT, then drains: no new input, every committed batch
/// acknowledged, every queued alert delivered (or kept in the outbox for the next start).
pub fn run(cfg: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Config(format!("cannot start the runtime: {e}")))?;
    let handle = runtime.handle().clone();
    runtime.block_on(serve(cfg, handle, wait_for_signal()))
}

/// Serves until `stop` resolves (or the engine stops), then drains.
async fn serve(
    cfg: ServeConfig,
    handle: tokio::runtime::Handle,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let metrics = Arc::new(metrics::Metrics {
        heap_bytes: cfg.heap_bytes,
        ..Default::default()
    });
    let store = store::Store::open(&cfg.state_dir)?;
    let dead_letter = dead_letter::DeadLetter::open(
        &cfg.dead_letter
            .clone()
            .unwrap_or_else(|| cfg.state_dir.join("dead-letter")),
    )?;
    let engine = engine::Engine::open(cfg.engine, store, metrics.clone())?;

    let client = match &cfg.nats_url {
        Some(url) => Some(connect(url).await?),
        None => None,
    };
    let sinks = sinks(
        AlertSinks {
            jsonl: cfg.alerts_jsonl.as_ref(),
            subject: cfg.alerts_subject.as_ref(),
            hec: cfg.alerts_hec.as_ref(),
            webhook: cfg.webhook.as_ref(),
        },
        client.as_ref(),
        &handle,
    )?;

    let (tx, rx) = mpsc::channel(cfg.queue.max(1));
    let (engine_done, engine_stopped) = tokio::sync::oneshot::channel::<()>();
    let engine_thread = {
        let outlets = worker::Outlets {
            sinks,
            dead_letter,
            metrics: metrics.clone(),
            quiet: cfg.quiet,
        };
        let handle = handle.clone();
        std::thread::Builder::new()
            .name("revertwatch-engine".into())
            .spawn(move || {
                // Dropped when the thread ends, by a return or a panic: `serve` then stops.
                let _done = engine_done;
                worker::run(engine, outlets, rx, handle)
            })
            .map_err(|e| ServeError::Config(format!("cannot start the engine thread: {e}")))?
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    let hec = Arc::new(hec::Hec {
        accept_events: !cfg.hec_tokens.is_empty(),
        tokens: cfg.hec_tokens,
        tx: tx.clone(),
        metrics: metrics.clone(),
        max_body: cfg.max_body,
        body_timeout: cfg.http.body_timeout,
        budget: inflight::Budget::new(
            cfg.max_inflight_bytes,
            std::time::Duration::from_secs(1),
            metrics.clone(),
        ),
        metrics_token: cfg.metrics_token.clone(),
    });
    let (bound, http) = listen(
        cfg.listen,
        cfg.tls.as_ref(),
        cfg.http.clone(),
        hec,
        stop_rx.clone(),
    )
    .await?;
    if !cfg.quiet {
        let scheme = if cfg.tls.is_some() { "https" } else { "http" };
        eprintln!("revertwatch: listening on {scheme}://{bound} (HEC at /services/collector, /metrics, /healthz, /readyz)");
    }

    let nats_task = match (cfg.nats_input, &client) {
        (Some(nats), Some(client)) => Some(
            spawn_nats_input(nats, client, stop_rx.clone(), tx.clone(), metrics.clone()).await?,
        ),
        _ => None,
    };
    drop(tx);
    metrics.ready.store(true, Relaxed);

    let engine_gone = tokio::select! {
        _ = stop => false,
        _ = engine_stopped => true,
    };
    if engine_gone {
        eprintln!("revertwatch: error: the detection engine stopped; serve stops too, so that a supervisor restarts it");
    } else if !cfg.quiet {
        eprintln!("revertwatch: stopping: draining input and delivering queued alerts");
    }
    let _ = stop_tx.send(true);
    if let Some(task) = nats_task {
        if let Err(e) = task.await {
            eprintln!("revertwatch: error: JetStream input: {e}");
        }
    }
    let _ = http.await;
    let _ = tokio::task::spawn_blocking(move || engine_thread.join()).await;
    if let Some(client) = client {
        let _ = client.flush().await;
    }
    if engine_gone {
        return Err(ServeError::EngineGone);
    }
    Ok(())
}

/// The sink settings of a [`ServeConfig`], borrowed after its engine settings moved out.
struct AlertSinks<'a> {
    jsonl: Option<&'a PathBuf>,
    subject: Option<&'a String>,
    hec: Option<&'a HecConfig>,
    webhook: Option<&'a WebhookConfig>,
}

/// The alert sinks, in the order they are sent to: the file first (local, cheapest), then
/// NATS, HEC and the webhook. Each is checked now, so that a wrong URL or CA file stops the
/// start rather than every delivery.
fn sinks(
    cfg: AlertSinks<'_>,
    client: Option<&async_nats::Client>,
    handle: &tokio::runtime::Handle,
) -> Result<Fanout, ServeError> {
    let mut sinks = Fanout::default();
    if let Some(path) = cfg.jsonl {
        sinks.push(Box::new(JsonlFileSink::open(path.clone())?));
    }
    if let (Some(subject), Some(client)) = (cfg.subject, client) {
        sinks.push(Box::new(NatsSink::new(
            client.clone(),
            subject.clone(),
            handle.clone(),
        )));
    }
    if let Some(hec) = cfg.hec {
        sinks.push(Box::new(revertwatch_sink::HecSink::new(hec.clone())?));
    }
    if let Some(webhook) = cfg.webhook {
        sinks.push(Box::new(WebhookSink::new(webhook.clone())?));
    }
    Ok(sinks)
}

/// Binds the HTTP port and serves HEC and the operational endpoints until `stop`.
async fn listen(
    addr: SocketAddr,
    tls: Option<&TlsFiles>,
    mut limits: HttpLimits,
    hec: Arc<hec::Hec>,
    stop: watch::Receiver<bool>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ServeError> {
    let fail = |source| ServeError::Listen {
        addr: addr.to_string(),
        source,
    };
    let tls = tls.map(tls::Tls::load).transpose()?;
    // Past the open-file limit, accept() fails and every client waits: keep the cap under it.
    if let Some(room) = listener::fd_room(64) {
        if limits.max_connections > room {
            eprintln!(
                "revertwatch: warning: --max-connections {} is over what the open-file limit (ulimit -n) leaves room for; using {room}",
                limits.max_connections
            );
            limits.max_connections = room;
        }
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(fail)?;
    let bound = listener.local_addr().map_err(fail)?;
    let metrics = hec.metrics.clone();
    let http = tokio::spawn(listener::serve(
        listener,
        hec::router(hec),
        limits,
        tls,
        stop,
        metrics,
    ));
    Ok((bound, http))
}

/// Connects to NATS; several servers of a cluster may be given comma-separated, as NATS tools
/// take them.
async fn connect(url: &str) -> Result<async_nats::Client, ServeError> {
    async_nats::ConnectOptions::new()
        .name("revertwatch")
        .retry_on_initial_connect()
        .connect(
            url.split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .collect::<Vec<_>>(),
        )
        .await
        .map_err(|e| ServeError::nats(&format!("connect to {url}"), e))
}

/// Checks the stream exists, then reads it (this instance's partitions, when scaled out) until
/// `stop`.
async fn spawn_nats_input(
    nats: NatsInput,
    client: &async_nats::Client,
    stop: watch::Receiver<bool>,
    tx: mpsc::Sender<worker::Work>,
    metrics: Arc<metrics::Metrics>,
) -> Result<tokio::task::JoinHandle<Result<(), ServeError>>, ServeError> {
    let js = async_nats::jetstream::new(client.clone());
    // A wrong stream name is a setup error: say so now, not in a retry loop.
    js.get_stream(&nats.input.stream)
        .await
        .map_err(|e| ServeError::nats(&format!("stream `{}`", nats.input.stream), e))?;
    let client = client.clone();
    Ok(tokio::spawn(async move {
        let result = match nats.partitioning {
            Some(plan) => {
                lease::Leases {
                    js,
                    client,
                    input: nats.input,
                    plan,
                    tx,
                    metrics,
                }
                .run(stop)
                .await
            }
            None => {
                let consumer = jetstream::Consumer {
                    js,
                    client,
                    durable: nats.input.durable.clone(),
                    filter: nats.input.filter.clone(),
                    input: nats.input,
                    scope: String::new(),
                    tx,
                    metrics,
                };
                consumer.run(stop).await
            }
        };
        if let Err(e) = &result {
            eprintln!("revertwatch: error: JetStream input stopped: {e}");
        }
        result
    }))
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;

/// Terminal-safe text for stderr: log content is attacker-controlled.
pub(crate) fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    revertwatch_escape::terminal(s)
}
