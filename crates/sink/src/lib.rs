//! Sinks: incidents out of revertwatch into other systems. Today one: a Splunk HTTP Event
//! Collector (HEC).
//!
//! Each incident becomes one HEC event (`sourcetype` `revertwatch:incident`, `time` its
//! `last_seen`) whose `event` is the incident exactly as `--format jsonl` writes it. Events go
//! in batches, one POST each to `{url}/services/collector/event`.
//!
//! Invariants: TLS certificates are always verified (a `ca_file` adds trust, nothing removes
//! it); the token is sent only in the `Authorization` header, never in a URL, and redirects are
//! not followed, so it cannot travel elsewhere; a batch is retried only on answers that say
//! "later" (503 back-pressure, 429, 5xx, a dropped connection), never on a refused token or
//! refused data. A retried batch may be indexed twice if the HEC took it but its answer was
//! lost; `incident_id` identifies duplicates.

mod backoff;
mod error;
mod event;
mod reply;
mod transport;

use std::path::PathBuf;
use std::time::Duration;

use revertwatch_detect::Incident;

pub use error::{Sent, SinkError};
pub use event::{batch_body, HOST, SOURCE, SOURCETYPE};
pub use reply::Reply;
pub use transport::EVENT_PATH;

use reply::Verdict;
use transport::Transport;

/// Where and how to send. [`HecConfig::new`] fills in sensible defaults.
#[derive(Clone)]
pub struct HecConfig {
    /// The collector's base URL (`https://splunk.example.com:8088`); a URL ending in
    /// `/services/collector` or `/services/collector/event` means the same.
    pub url: String,
    pub token: String,
    /// Splunk index; `None` leaves it to the token's default index.
    pub index: Option<String>,
    /// Incidents per request (at least 1).
    pub batch: usize,
    /// A PEM file of CA certificates to trust besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// For one request, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Retries per batch after the first attempt.
    pub max_retries: u32,
    /// First backoff; it doubles with each retry (with jitter, capped at 30 s).
    pub backoff_base: Duration,
    /// Send bodies gzip-compressed (`Content-Encoding: gzip`). Splunk HEC accepts it; off by
    /// default, as in other HEC clients, because not every HEC-compatible collector does.
    pub gzip: bool,
}

impl HecConfig {
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
            .field("gzip", &self.gzip)
            .finish()
    }
}

/// What a successful send did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Incidents the HEC accepted.
    pub sent: usize,
    /// Requests that the HEC accepted.
    pub batches: usize,
    /// Attempts that had to be made again (over all batches).
    pub retries: u32,
}

/// Sends `incidents` in order, `cfg.batch` per request: [`HecSink::new`] then
/// [`HecSink::send`].
pub fn send_incidents(cfg: &HecConfig, incidents: &[Incident]) -> Result<SendReport, SinkError> {
    HecSink::new(cfg.clone())?.send(incidents)
}

/// A checked HEC configuration with its HTTP agent, ready to send. Making one checks all that
/// can be checked without a request (URL, token shape, batch size, the CA file), so a caller
/// can fail fast before long work.
pub struct HecSink {
    cfg: HecConfig,
    transport: Transport,
}

impl HecSink {
    pub fn new(cfg: HecConfig) -> Result<HecSink, SinkError> {
        if cfg.batch == 0 {
            return Err(SinkError::Batch);
        }
        let transport = Transport::new(&cfg)?;
        Ok(HecSink { cfg, transport })
    }

    /// `{base}/services/collector/event`, where the events go.
    pub fn endpoint(&self) -> &str {
        self.transport.endpoint()
    }

    /// Sends `incidents` in order, `batch` per request. Stops at the first batch that fails
    /// for good; the error says how many incidents were already sent. Sending no incidents
    /// makes no request (and so does not check the token).
    pub fn send(&self, incidents: &[Incident]) -> Result<SendReport, SinkError> {
        let cfg = &self.cfg;
        let transport = &self.transport;
        let mut report = SendReport::default();
        for chunk in incidents.chunks(cfg.batch) {
            let done = Sent {
                incidents: report.sent,
                batches: report.batches,
            };
            let body = batch_body(chunk, cfg.index.as_deref())?;
            let mut retry = 0;
            loop {
                match transport.post(&body).map_err(|e| e.with_sent(done))? {
                    Verdict::Accepted => break,
                    Verdict::Retry { after, .. } if retry < cfg.max_retries => {
                        std::thread::sleep(backoff::delay(cfg.backoff_base, retry, after));
                        retry += 1;
                        report.retries += 1;
                    }
                    Verdict::Retry { reply, .. } => {
                        return Err(SinkError::GaveUp {
                            attempts: retry + 1,
                            last: if reply.status == 0 {
                                format!("{} from {}", reply.text, transport.endpoint())
                            } else {
                                reply.to_string()
                            },
                            sent: done,
                        })
                    }
                    Verdict::Auth(reply) => return Err(SinkError::Auth { reply, sent: done }),
                    Verdict::Rejected { reply, hint } => {
                        return Err(SinkError::Rejected {
                            reply,
                            hint,
                            sent: done,
                        })
                    }
                }
            }
            report.sent += chunk.len();
            report.batches += 1;
        }
        Ok(report)
    }
}
