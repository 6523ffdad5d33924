//! Sinks: incidents and alerts out of revertwatch into other systems, behind one [`Sink`]
//! trait.
//!
//! - [`HecSink`] (`hec`): Splunk's HTTP Event Collector. `hunt --hec-url` sends incidents with
//!   [`HecSink::send_incidents`]; `serve --alerts-hec-url` sends alerts through the trait.
//! - [`WebhookSink`] (`webhook`): one POST per alert with `Idempotency-Key: <alert_id>`.
//! - [`JsonlFileSink`] (`jsonl_file`): alerts appended to a file, one per line, fsynced.
//! - `NatsSink` (`nats`, behind the `nats` feature): alerts published on a subject with
//!   `Nats-Msg-Id: <alert_id>`. The feature brings async-nats and tokio; `serve` turns it on,
//!   and nothing else needs them.
//! - [`Fanout`]: every sink of a `serve`, each sent only the alerts it lacks.
//!
//! Delivery is at least once: an alert ([`Alert`]) carries an `alert_id`, and a sink that may
//! see one twice (a retry after a partial failure, a crash between delivery and the outbox
//! commit) either drops the repeat itself (the file) or hands the id to a receiver that can
//! (NATS's duplicate window, the webhook's idempotency key, `| dedup alert_id` in Splunk).
//!
//! Invariants of the HTTP sinks, which share one transport: TLS certificates are always
//! verified (a CA file adds trust, nothing removes it); redirects are not followed, so a token
//! or a secret URL cannot travel elsewhere; a request is retried, with backoff, only on
//! answers that say "later" (503 back-pressure, 429, 408, 5xx, a dropped connection), never on
//! a refused token or refused data; tokens and webhook paths never appear in errors or debug
//! output.
//!
//! ```
//! use revertwatch_sink::{Alert, Fanout, JsonlFileSink};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("alerts.jsonl");
//! let mut sinks = Fanout::default();
//! sinks.push(Box::new(JsonlFileSink::open(path.clone()).unwrap()));
//!
//! let line = br#"{"alert":"opened","alert_id":"a1","incident_id":"rw-1"}"#;
//! let batch = [Alert::parse(line)];
//! assert_eq!(batch[0].id, "a1");
//! sinks.send(&batch).unwrap();
//! sinks.send(&batch).unwrap(); // a repeat: the file already has a1
//! assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
//! ```
#![deny(missing_docs)]

mod backoff;
mod error;
mod fanout;
mod hec;
mod http;
mod jsonl_file;
#[cfg(feature = "nats")]
mod nats;
mod webhook;

pub use error::{Reply, Sent, SinkError};
pub use fanout::{Fanout, SinkFailure};
pub use hec::{
    alert_batch_body, batch_body, send_incidents, write_alert_envelope, write_envelope, HecConfig,
    HecSink, SendReport, ALERT_SOURCETYPE, EVENT_PATH, HOST, SOURCE, SOURCETYPE,
};
pub use jsonl_file::JsonlFileSink;
#[cfg(feature = "nats")]
pub use nats::NatsSink;
pub use webhook::{WebhookConfig, WebhookSink};

/// Somewhere alerts go. `send` delivers every alert of the batch, in order, or fails; on
/// failure the caller keeps the batch and sends it again later, so a sink must tolerate
/// repeats (see the crate's notes on `alert_id`). Sending blocks: callers run it off any
/// async executor.
pub trait Sink {
    /// Names the sink in messages (a file path, a subject, an origin; never a secret).
    fn name(&self) -> &str;

    /// Delivers `batch`. An error may come after part of it was delivered; its
    /// [`SinkError::sent`] then counts the leading alerts that were.
    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError>;
}

/// One alert: a JSON object as `serve` commits it to its outbox, and its dedupe key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert<'a> {
    /// The alert's `alert_id`: the same incident in the same state always has the same one.
    /// Empty when the JSON has none.
    pub id: String,
    /// The alert, one JSON object without a trailing newline.
    pub json: &'a [u8],
}

impl<'a> Alert<'a> {
    /// Reads the `alert_id` of `json`. Bytes that are not a JSON object, or have no id, still
    /// make an alert (with an empty id): a damaged entry is delivered, not lost.
    pub fn parse(json: &'a [u8]) -> Alert<'a> {
        let id = serde_json::from_slice::<serde_json::Value>(json)
            .ok()
            .and_then(|v| Some(v.get("alert_id")?.as_str()?.to_string()))
            .unwrap_or_default();
        Alert { id, json }
    }
}

/// What a successful send did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Items the receiver accepted (a file: lines written, repeats not counted).
    pub sent: usize,
    /// Requests the receiver accepted (a file: writes).
    pub batches: usize,
    /// Attempts that had to be made again (over all requests).
    pub retries: u32,
}
