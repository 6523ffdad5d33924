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

mod deliver;
mod engine;
mod error;
mod hec;
mod jetstream;
mod lease;
mod metrics;
mod store;
mod worker;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

pub use deliver::{JsonlSink, NatsSink, Sinks, WebhookSink};
pub use engine::{alert_id, EngineConfig};
pub use error::ServeError;
pub use jetstream::JetStreamInput;
pub use lease::Partitioning;

pub struct NatsInput {
    pub input: JetStreamInput,
    /// Scale-out: read only this instance's share of the stream's partitions.
    pub partitioning: Option<Partitioning>,
}

pub struct ServeConfig {
    pub engine: EngineConfig,
    pub state_dir: PathBuf,
    pub listen: SocketAddr,
    /// HEC tokens; empty turns the HEC input off.
    pub hec_tokens: HashSet<String>,
    pub max_body: usize,
    /// Batches waiting for the engine before HEC answers 503.
    pub queue: usize,
    pub nats_url: Option<String>,
    pub nats_input: Option<NatsInput>,
    pub alerts_jsonl: Option<PathBuf>,
    pub alerts_subject: Option<String>,
    pub webhook: Option<String>,
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
    runtime.block_on(serve(cfg, handle))
}

async fn serve(cfg: ServeConfig, handle: tokio::runtime::Handle) -> Result<(), ServeError> {
    let metrics = Arc::new(metrics::Metrics {
        heap_bytes: cfg.heap_bytes,
        ..Default::default()
    });
    let store = store::Store::open(&cfg.state_dir)?;
    let engine = engine::Engine::open(cfg.engine, store, metrics.clone())?;

    let client = match &cfg.nats_url {
        Some(url) => Some(
            async_nats::ConnectOptions::new()
                .name("revertwatch")
                .retry_on_initial_connect()
                // Several servers of a cluster, comma-separated, as NATS tools take them.
                .connect(
                    url.split(',')
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .collect::<Vec<_>>(),
                )
                .await
                .map_err(|e| ServeError::nats(&format!("connect to {url}"), e))?,
        ),
        None => None,
    };
    let mut sinks = Sinks::default();
    if let Some(path) = &cfg.alerts_jsonl {
        sinks.jsonl = Some(JsonlSink::open(path.clone())?);
    }
    if let (Some(subject), Some(client)) = (&cfg.alerts_subject, &client) {
        sinks.nats = Some(NatsSink {
            client: client.clone(),
            subject: subject.clone(),
            runtime: handle.clone(),
        });
    }
    if let Some(url) = &cfg.webhook {
        sinks.webhook = Some(WebhookSink::new(url.clone()));
    }

    let (tx, rx) = mpsc::channel(cfg.queue.max(1));
    let engine_thread = {
        let metrics = metrics.clone();
        let quiet = cfg.quiet;
        let handle = handle.clone();
        std::thread::Builder::new()
            .name("revertwatch-engine".into())
            .spawn(move || worker::run(engine, sinks, rx, metrics, quiet, handle))
            .map_err(|e| ServeError::Config(format!("cannot start the engine thread: {e}")))?
    };

    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: cfg.listen.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: cfg.listen.to_string(),
        source,
    })?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let hec = Arc::new(hec::Hec {
        accept_events: !cfg.hec_tokens.is_empty(),
        tokens: cfg.hec_tokens,
        tx: tx.clone(),
        metrics: metrics.clone(),
        max_body: cfg.max_body,
    });
    let http = {
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            axum::serve(listener, hec::router(hec))
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
        })
    };
    if !cfg.quiet {
        eprintln!("revertwatch: listening on http://{bound} (HEC at /services/collector, /metrics, /healthz, /readyz)");
    }

    let nats_task = match (cfg.nats_input, &client) {
        (Some(nats), Some(client)) => {
            let js = async_nats::jetstream::new(client.clone());
            // A wrong stream name is a setup error: say so now, not in a retry loop.
            js.get_stream(&nats.input.stream)
                .await
                .map_err(|e| ServeError::nats(&format!("stream `{}`", nats.input.stream), e))?;
            let client = client.clone();
            let stop = stop_rx.clone();
            let tx = tx.clone();
            let metrics = metrics.clone();
            Some(tokio::spawn(async move {
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
        _ => None,
    };
    drop(tx);
    metrics.ready.store(true, Relaxed);

    wait_for_signal().await;
    if !cfg.quiet {
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
    Ok(())
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

/// Terminal-safe text for stderr: log content is attacker-controlled.
pub(crate) fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    revertwatch_escape::terminal(s)
}
