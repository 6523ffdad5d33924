//! The engine's own thread. Detection and the store's fsync are blocking work; inputs hand
//! batches over a bounded queue and wait for the commit before they acknowledge. A full
//! queue is the back-pressure signal: HEC answers 503, JetStream stops fetching.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use revertwatch_sink::{Alert, Fanout};
use tokio::sync::{mpsc, oneshot};

use crate::dead_letter::{panic_message, DeadLetter};
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

/// What the engine thread holds besides the engine.
pub struct Outlets {
    pub sinks: Fanout,
    pub dead_letter: DeadLetter,
    pub metrics: Arc<Metrics>,
    pub quiet: bool,
}

/// Runs the engine until every sender is dropped, then delivers what is left and returns.
/// Returns early, dropping `rx` (which /healthz reads as the engine gone), only when a failed
/// batch leaves state it cannot put back.
pub fn run(
    mut engine: Engine,
    mut out: Outlets,
    mut rx: mpsc::Receiver<Work>,
    runtime: tokio::runtime::Handle,
) {
    let metrics = out.metrics.clone();
    deliver(&engine, &mut out.sinks, &metrics);
    loop {
        // Wait for work, waking now and then to retry undelivered alerts.
        let next = runtime.block_on(async { tokio::time::timeout(RETRY_EVERY, rx.recv()).await });
        let work = match next {
            Ok(Some(w)) => w,
            Ok(None) => break,
            Err(_) => {
                deliver(&engine, &mut out.sinks, &metrics);
                continue;
            }
        };
        match work {
            Work::Batch {
                pieces,
                mode,
                reply,
            } => {
                let Some(result) = batch(&mut engine, &mut out, &pieces, mode) else {
                    let _ = reply.send(Err(ServeError::EngineGone));
                    return;
                };
                let alerts = matches!(&result, Ok(r) if r.alerts > 0);
                let _ = reply.send(result);
                if alerts {
                    deliver(&engine, &mut out.sinks, &metrics);
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
    deliver(&engine, &mut out.sinks, &metrics);
}

/// Applies one batch. A panic is caught: the batch goes to the dead-letter directory and is
/// answered as done (it would panic again on every retry), and the partitions it may have
/// half-changed are put back from the store. `None`: state could not be put back, and the
/// engine must stop rather than detect on it.
fn batch(
    engine: &mut Engine,
    out: &mut Outlets,
    pieces: &[Piece],
    mode: Mode,
) -> Option<Result<BatchReport, ServeError>> {
    let received = chrono::Utc::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| engine.apply(pieces, mode)));
    let result = match result {
        Ok(Ok(r)) => {
            if !out.quiet {
                for skip in r.skipped.iter().take(10) {
                    eprintln!("revertwatch: skipped {}", crate::escape(skip));
                }
            }
            return Some(Ok(r));
        }
        Ok(Err(e)) => {
            eprintln!("revertwatch: error: {e}");
            Err(e)
        }
        Err(panic) => {
            let why = panic_message(panic.as_ref());
            dead_letter(out, pieces, &why, received)
        }
    };
    if let Err(e) = engine.recover() {
        eprintln!("revertwatch: error: the engine cannot carry on after a failed batch: {e}");
        return None;
    }
    Some(result)
}

/// Writes a batch that panicked the engine aside; it counts as done once it is on disk.
fn dead_letter(
    out: &mut Outlets,
    pieces: &[Piece],
    why: &str,
    received: chrono::DateTime<chrono::Utc>,
) -> Result<BatchReport, ServeError> {
    let path = out.dead_letter.write(pieces, why, received).inspect_err(|e| {
        eprintln!("revertwatch: error: a batch panicked the engine ({}) and {e}; it is refused, so its sender retries", crate::escape(why));
    })?;
    out.metrics.dead_letter_batches.fetch_add(1, Relaxed);
    out.metrics
        .dead_letter_records
        .fetch_add(pieces.len() as u64, Relaxed);
    eprintln!(
        "revertwatch: error: a batch of {} events panicked the engine ({}); it is written to {} and acknowledged, and the engine carries on",
        pieces.len(),
        crate::escape(why),
        path.display()
    );
    Ok(BatchReport::default())
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
