//! Alert sinks: a JSON Lines file, a NATS subject, a webhook.
//!
//! Alerts leave the outbox only when every sink has them, so a sink that is down gets them
//! later; a sink that already had one (a retry after a partial failure, or a crash between
//! delivery and the outbox commit) recognises it by `alert_id` and does not repeat it.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::ServeError;

pub struct JsonlSink {
    path: PathBuf,
    file: File,
    seen: HashSet<String>,
}

impl JsonlSink {
    /// Opens for append, and learns which alerts the file already has.
    pub fn open(path: PathBuf) -> Result<JsonlSink, ServeError> {
        let fail = |e: std::io::Error| ServeError::Sink {
            sink: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut seen = HashSet::new();
        if let Ok(existing) = File::open(&path) {
            for line in BufReader::new(existing).lines() {
                let line = line.map_err(fail)?;
                if let Some(id) = alert_id_of(line.as_bytes()) {
                    seen.insert(id);
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        Ok(JsonlSink { path, file, seen })
    }

    fn deliver(&mut self, alerts: &[&[u8]]) -> Result<(), ServeError> {
        let fail = |e: std::io::Error| ServeError::Sink {
            sink: self.path.display().to_string(),
            reason: e.to_string(),
        };
        let mut buf = Vec::new();
        let mut ids = Vec::new();
        for alert in alerts {
            let id = alert_id_of(alert).unwrap_or_default();
            if self.seen.contains(&id) || ids.contains(&id) {
                continue;
            }
            buf.extend_from_slice(alert);
            buf.push(b'\n');
            ids.push(id);
        }
        if buf.is_empty() {
            return Ok(());
        }
        self.file.write_all(&buf).map_err(fail)?;
        self.file.sync_data().map_err(fail)?;
        self.seen.extend(ids);
        Ok(())
    }
}

/// Publishes each alert with `Nats-Msg-Id: <alert_id>`: a JetStream stream on the subject
/// drops a repeat inside its duplicate window.
pub struct NatsSink {
    pub client: async_nats::Client,
    pub subject: String,
    pub runtime: tokio::runtime::Handle,
}

impl NatsSink {
    fn deliver(&self, alerts: &[&[u8]]) -> Result<(), ServeError> {
        let fail = |e: String| ServeError::Sink {
            sink: format!("nats subject {}", self.subject),
            reason: e,
        };
        self.runtime.block_on(async {
            for alert in alerts {
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(
                    "Nats-Msg-Id",
                    alert_id_of(alert).unwrap_or_default().as_str(),
                );
                self.client
                    .publish_with_headers(self.subject.clone(), headers, alert.to_vec().into())
                    .await
                    .map_err(|e| fail(e.to_string()))?;
            }
            self.client.flush().await.map_err(|e| fail(e.to_string()))
        })
    }
}

/// POSTs each alert as JSON with an `Idempotency-Key` of its alert id.
pub struct WebhookSink {
    pub url: String,
    agent: ureq::Agent,
}

impl WebhookSink {
    pub fn new(url: String) -> WebhookSink {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        WebhookSink { url, agent }
    }

    fn deliver(&self, alerts: &[&[u8]]) -> Result<(), ServeError> {
        for alert in alerts {
            let reply = self
                .agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header(
                    "Idempotency-Key",
                    alert_id_of(alert).unwrap_or_default().as_str(),
                )
                .send(*alert)
                .map_err(|e| ServeError::Sink {
                    sink: self.url.clone(),
                    reason: e.to_string(),
                })?;
            if !reply.status().is_success() {
                return Err(ServeError::Sink {
                    sink: self.url.clone(),
                    reason: format!("HTTP {}", reply.status()),
                });
            }
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct Sinks {
    pub jsonl: Option<JsonlSink>,
    pub nats: Option<NatsSink>,
    pub webhook: Option<WebhookSink>,
}

impl Sinks {
    pub fn is_empty(&self) -> bool {
        self.jsonl.is_none() && self.nats.is_none() && self.webhook.is_none()
    }

    /// Delivers to every sink; an error means some sink may lack some of them.
    pub fn deliver(&mut self, alerts: &[&[u8]]) -> Result<(), ServeError> {
        if let Some(s) = &mut self.jsonl {
            s.deliver(alerts)?;
        }
        if let Some(s) = &self.nats {
            s.deliver(alerts)?;
        }
        if let Some(s) = &self.webhook {
            s.deliver(alerts)?;
        }
        Ok(())
    }
}

fn alert_id_of(alert: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(alert).ok()?;
    Some(v.get("alert_id")?.as_str()?.to_string())
}
