//! Alerts published on a NATS subject (behind the `nats` feature: async-nats and tokio).

use crate::{Alert, Delivery, Sink, SinkError};

/// Publishes each alert with `Nats-Msg-Id: <alert_id>`: a JetStream stream on the subject
/// drops a repeat inside its duplicate window. The client is async; [`Sink::send`] blocks on
/// `runtime`, so it must be called from a thread that is not one of the runtime's workers.
pub struct NatsSink {
    client: async_nats::Client,
    subject: String,
    name: String,
    runtime: tokio::runtime::Handle,
}

impl NatsSink {
    /// A sink on `subject` through `client` (whose connection `serve` shares with its input).
    pub fn new(
        client: async_nats::Client,
        subject: String,
        runtime: tokio::runtime::Handle,
    ) -> NatsSink {
        NatsSink {
            name: format!("nats subject {subject}"),
            client,
            subject,
            runtime,
        }
    }
}

impl Sink for NatsSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Publishes every alert, then flushes: success means the server has them all.
    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError> {
        let fail = |e: String| SinkError::Nats {
            subject: self.subject.clone(),
            reason: e,
        };
        self.runtime.block_on(async {
            for alert in batch {
                let mut headers = async_nats::HeaderMap::new();
                headers.insert("Nats-Msg-Id", alert.id.as_str());
                self.client
                    .publish_with_headers(self.subject.clone(), headers, alert.json.to_vec().into())
                    .await
                    .map_err(|e| fail(e.to_string()))?;
            }
            self.client.flush().await.map_err(|e| fail(e.to_string()))
        })?;
        Ok(Delivery {
            sent: batch.len(),
            batches: batch.len(),
            retries: 0,
        })
    }
}
