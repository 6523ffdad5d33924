//! Splunk's HTTP Event Collector: incidents (`hunt --hec-url`) and alerts (`serve
//! --alerts-hec-url`), in batches, one POST each to `{url}/services/collector/event`.
//!
//! Each item becomes one HEC event whose `event` is the incident exactly as `--format jsonl`
//! writes it (sourcetype `revertwatch:incident`), or the alert as `serve` writes it
//! (`revertwatch:alert`). The token travels only in the `Authorization` header. HEC cannot
//! drop a repeat by itself: a batch retried after its answer was lost may be indexed twice,
//! and `incident_id` / `alert_id` identify the copies.

mod endpoint;
mod event;
mod reply;

use std::path::PathBuf;
use std::time::Duration;

use revertwatch_detect::Incident;

use crate::backoff::{self, retrying, Attempt, RetryPolicy, MAX_RETRY_AFTER};
use crate::error::{Sent, SinkError};
use crate::http::{HttpClient, HttpFailure};
use crate::{Alert, Delivery, Sink};

pub use endpoint::EVENT_PATH;
pub use event::{
    alert_batch_body, batch_body, write_alert_envelope, write_envelope, ALERT_SOURCETYPE, HOST,
    SOURCE, SOURCETYPE,
};
use reply::{judge, Verdict};

/// Where and how to send. [`HecConfig::new`] fills in sensible defaults.
#[derive(Clone)]
pub struct HecConfig {
    /// The collector's base URL (`https://splunk.example.com:8088`); a URL ending in
    /// `/services/collector` or `/services/collector/event` means the same.
    pub url: String,
    /// The HEC token, sent as `Authorization: Splunk <token>`.
    pub token: String,
    /// Splunk index; `None` leaves it to the token's default index.
    pub index: Option<String>,
    /// Items per request (at least 1).
    pub batch: usize,
    /// A PEM file of CA certificates to trust besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// For one request, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Retries per batch after the first attempt.
    pub max_retries: u32,
    /// First backoff; it doubles with each retry (with jitter, capped at 30 s).
    pub backoff_base: Duration,
    /// The longest `Retry-After` honoured (60 s by default); a longer one is cut to this.
    pub max_retry_after: Duration,
    /// Send bodies gzip-compressed (`Content-Encoding: gzip`). Splunk HEC accepts it; off by
    /// default, as in other HEC clients, because not every HEC-compatible collector does.
    pub gzip: bool,
}

impl HecConfig {
    /// The defaults for `url` and `token`: batches of 100, 30 s per request, 5 retries from
    /// 500 ms, no gzip.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> HecConfig {
        HecConfig {
            url: url.into(),
            token: token.into(),
            index: None,
            batch: 100,
            ca_file: None,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            max_retry_after: MAX_RETRY_AFTER,
            gzip: false,
        }
    }
}

// The token stays out of debug output and logs.
impl std::fmt::Debug for HecConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HecConfig")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("index", &self.index)
            .field("batch", &self.batch)
            .field("ca_file", &self.ca_file)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff_base", &self.backoff_base)
            .field("max_retry_after", &self.max_retry_after)
            .field("gzip", &self.gzip)
            .finish()
    }
}

/// What a successful HEC send did (the HEC's name for [`Delivery`]).
pub type SendReport = Delivery;

/// Sends `incidents` in order, `cfg.batch` per request: [`HecSink::new`] then
/// [`HecSink::send_incidents`].
pub fn send_incidents(cfg: &HecConfig, incidents: &[Incident]) -> Result<SendReport, SinkError> {
    HecSink::new(cfg.clone())?.send_incidents(incidents)
}

/// A checked HEC configuration with its HTTP agent, ready to send. Making one checks all that
/// can be checked without a request (URL, token shape, batch size, the CA file), so a caller
/// can fail fast before long work.
pub struct HecSink {
    cfg: HecConfig,
    http: HttpClient,
    endpoint: String,
    name: String,
    authorization: String,
    /// HEC's request channel: needed when the token has indexer acknowledgement on, ignored
    /// otherwise. One per sink.
    channel: String,
}

impl HecSink {
    /// Checks `cfg` and builds the agent; no request is made.
    pub fn new(cfg: HecConfig) -> Result<HecSink, SinkError> {
        if cfg.batch == 0 {
            return Err(SinkError::Batch);
        }
        let endpoint = endpoint::endpoint(&cfg.url)?;
        endpoint::check_token(&cfg.token)?;
        let http = HttpClient::new(cfg.ca_file.as_deref(), cfg.timeout).map_err(|reason| {
            SinkError::CaFile {
                path: cfg.ca_file.clone().unwrap_or_default(),
                reason,
                flag: "--hec-ca",
                peer: "HEC",
            }
        })?;
        Ok(HecSink {
            name: format!("Splunk HEC {endpoint}"),
            endpoint,
            authorization: format!("Splunk {}", cfg.token),
            channel: backoff::channel_id(),
            http,
            cfg,
        })
    }

    /// `{base}/services/collector/event`, where the events go.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends `incidents` in order, `batch` per request. Stops at the first batch that fails
    /// for good; the error says how many incidents were already sent. Sending no incidents
    /// makes no request (and so does not check the token).
    pub fn send_incidents(&self, incidents: &[Incident]) -> Result<SendReport, SinkError> {
        let index = self.cfg.index.as_deref();
        let bodies = incidents
            .chunks(self.cfg.batch)
            .map(|chunk| Ok((chunk.len(), batch_body(chunk, index)?)));
        self.send_bodies(bodies)
    }

    /// Posts each `(items, body)` in order, retrying a batch while the HEC says "later".
    fn send_bodies(
        &self,
        bodies: impl Iterator<Item = Result<(usize, Vec<u8>), SinkError>>,
    ) -> Result<SendReport, SinkError> {
        let policy = RetryPolicy {
            max_retries: self.cfg.max_retries,
            backoff_base: self.cfg.backoff_base,
            max_retry_after: self.cfg.max_retry_after,
        };
        let mut report = SendReport::default();
        for body in bodies {
            let (items, body) = body?;
            let done = Sent {
                incidents: report.sent,
                batches: report.batches,
            };
            let outcome = retrying(&policy, &mut report.retries, || self.attempt(&body))
                .map_err(|e| e.with_sent(done))?;
            if let Err(gave_up) = outcome {
                return Err(SinkError::GaveUp {
                    attempts: gave_up.attempts,
                    last: gave_up.last,
                    sent: done,
                });
            }
            report.sent += items;
            report.batches += 1;
        }
        Ok(report)
    }

    /// One POST of a batch body (gzipped here if configured), judged as HEC answers.
    fn attempt(&self, body: &[u8]) -> Result<Attempt, SinkError> {
        let compressed;
        let mut headers = vec![
            ("Authorization", self.authorization.as_str()),
            ("Content-Type", "application/json"),
            ("X-Splunk-Request-Channel", self.channel.as_str()),
        ];
        let payload = if self.cfg.gzip {
            compressed = gzip(body)?;
            headers.push(("Content-Encoding", "gzip"));
            &compressed[..]
        } else {
            body
        };
        let reply = match self.http.post(&self.endpoint, &headers, payload) {
            Ok(reply) => reply,
            Err(failure) => return self.transport_failure(failure),
        };
        match judge(reply.status, reply.retry_after.as_deref(), &reply.body) {
            Verdict::Accepted => Ok(Attempt::Done),
            Verdict::Retry { reply, after } => Ok(Attempt::Later {
                last: reply.to_string(),
                after,
            }),
            Verdict::Auth(reply) => Err(SinkError::Auth {
                reply,
                sent: Sent::default(),
            }),
            Verdict::Rejected { reply, hint } => Err(SinkError::Rejected {
                reply,
                hint,
                sent: Sent::default(),
            }),
        }
    }

    /// A transport failure that may pass (refused, reset, timed out) is worth another try;
    /// one that cannot (TLS, DNS) is an error.
    fn transport_failure(&self, failure: HttpFailure) -> Result<Attempt, SinkError> {
        let url = self.endpoint.clone();
        let sent = Sent::default();
        match failure {
            HttpFailure::Tls(reason) => Err(SinkError::Tls { url, reason, sent }),
            HttpFailure::HostNotFound => Err(SinkError::Unreachable {
                url,
                reason: "host not found".into(),
                sent,
            }),
            HttpFailure::BadUri(reason) => Err(SinkError::Url { url, reason }),
            HttpFailure::Transient(text) => Ok(Attempt::Later {
                last: format!("{text} from {url}"),
                after: None,
            }),
        }
    }
}

/// `serve`'s alerts: the same batches, retries and errors as incidents.
impl Sink for HecSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError> {
        let index = self.cfg.index.as_deref();
        let bodies = batch
            .chunks(self.cfg.batch)
            .map(|chunk| Ok((chunk.len(), alert_batch_body(chunk, index)?)));
        self.send_bodies(bodies)
    }
}

fn gzip(body: &[u8]) -> Result<Vec<u8>, SinkError> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body)?;
    Ok(encoder.finish()?)
}
