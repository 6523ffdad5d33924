//! The engine's own thread. Detection and the store's fsync are blocking work; inputs hand
//! batches over a bounded queue and wait for the commit before they acknowledge. A full
//! queue is the back-pressure signal: HEC answers 503, JetStream stops fetching.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use revertwatch_sink::{Alert, Fanout};
use tokio::sync::{mpsc, oneshot};

use crate::engine::{BatchReport, Engine, Mode, Piece};
use crate::error::ServeError;
use crate::metrics::Metrics;

pub enum Work {
    Batch {
        pieces: Vec<Piece>,
        mode: Mode,
        reply: oneshot::Sender<Result<BatchReport, ServeError>>,
    },
    /// Forget a partition family before it is rebuilt from its stream.
    Clear {
        scope: String,
        reply: oneshot::Sender<Result<(), ServeError>>,
    },
    /// The incidents held, as JSON Lines.
    Incidents {
        show_failed: bool,
        reply: oneshot::Sender<Vec<u8>>,
    },
}

/// How often undelivered alerts are retried when no batch comes.
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// Runs the engine until every sender is dropped, then delivers what is left and returns.
pub fn run(
    mut engine: Engine,
    mut sinks: Fanout,
    mut rx: mpsc::Receiver<Work>,
    metrics: Arc<Metrics>,
    quiet: bool,
    runtime: tokio::runtime::Handle,
) {
    deliver(&engine, &mut sinks, &metrics);
    loop {
        // Wait for work, waking now and then to retry undelivered alerts.
        let next = runtime.block_on(async { tokio::time::timeout(RETRY_EVERY, rx.recv()).await });
        let work = match next {
            Ok(Some(w)) => w,
            Ok(None) => break,
            Err(_) => {
                deliver(&engine, &mut sinks, &metrics);
                continue;
            }
        };
        match work {
            Work::Batch {
                pieces,
                mode,
                reply,
            } => {
                let result = engine.apply(pieces, mode);
                let alerts = matches!(&result, Ok(r) if r.alerts > 0);
                if let Ok(r) = &result {
                    if !quiet {
                        for skip in r.skipped.iter().take(10) {
                            eprintln!("revertwatch: skipped {}", crate::escape(skip));
                        }
                    }
                }
                if let Err(e) = &result {
                    eprintln!("revertwatch: error: {e}");
                }
                let _ = reply.send(result);
                if alerts {
                    deliver(&engine, &mut sinks, &metrics);
                }
            }
            Work::Clear { scope, reply } => {
                let _ = reply.send(engine.clear(&scope));
            }
            Work::Incidents { show_failed, reply } => {
                let _ = reply.send(engine.incidents_jsonl(show_failed));
            }
        }
    }
    deliver(&engine, &mut sinks, &metrics);
}

/// Sends the outbox to every sink and drops what all of them have. Runs on the engine thread,
/// after the commit that queued the alerts, so an alert is never sent before it is on disk.
fn deliver(engine: &Engine, sinks: &mut Fanout, metrics: &Metrics) {
    let outbox = match engine.outbox() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("revertwatch: error: {e}");
            return;
        }
    };
    if outbox.is_empty() {
        return;
    }
    if sinks.is_empty() {
        // Nowhere to send them: they stay in the outbox (and in /metrics as pending).
        return;
    }
    let alerts: Vec<Alert<'_>> = outbox.iter().map(|(_, a)| Alert::parse(a)).collect();
    match sinks.send(&alerts) {
        Ok(()) => {
            let seqs: Vec<u64> = outbox.iter().map(|(s, _)| *s).collect();
            for a in &alerts {
                let kind = serde_json::from_slice::<serde_json::Value>(a.json)
                    .ok()
                    .and_then(|v| v["alert"].as_str().map(str::to_string));
                match kind.as_deref() {
                    Some("escalated") => metrics.alerts_escalated.fetch_add(1, Relaxed),
                    _ => metrics.alerts_opened.fetch_add(1, Relaxed),
                };
            }
            if let Err(e) = engine.delivered(&seqs) {
                eprintln!("revertwatch: error: {e}");
            }
        }
        Err(failures) => {
            metrics.alert_failures.fetch_add(1, Relaxed);
            for failure in failures {
                eprintln!(
                    "revertwatch: warning: {failure}; the alerts stay queued and are retried"
                );
            }
        }
    }
}
