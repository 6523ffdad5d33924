//! Alerts POSTed to a webhook, one request per alert, through the HEC's transport: verified
//! TLS with an optional extra CA, no redirects, and retries with backoff only when the server
//! says it may succeed later.

use std::path::PathBuf;
use std::time::Duration;

use crate::backoff::{retrying, Attempt, RetryPolicy};
use crate::http::{parse_retry_after, HttpClient, HttpFailure};
use crate::{Alert, Delivery, Sink, SinkError};

/// Where and how to POST. [`WebhookConfig::new`] fills in defaults for a sender that must not
/// stall (`serve` delivers from its engine thread): 10 s per request, 2 retries from 250 ms,
/// `Retry-After` honoured up to 5 s. What still fails stays queued and is sent again later.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The receiver's URL, query string included. It may hold a secret (many webhooks do), so
    /// messages and debug output show only its origin.
    pub url: String,
    /// A PEM file of CA certificates to trust besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// For one request, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Retries per alert after the first attempt.
    pub max_retries: u32,
    /// First backoff; it doubles with each retry (with jitter, capped at 30 s).
    pub backoff_base: Duration,
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
}

impl WebhookConfig {
    /// The defaults for `url`.
    pub fn new(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            ca_file: None,
            timeout: Duration::from_secs(10),
            max_retries: 2,
            backoff_base: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

// The URL's path and query may be the secret.
impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field(
                "url",
                &origin(&self.url).unwrap_or_else(|_| "<invalid>".into()),
            )
            .field("ca_file", &self.ca_file)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff_base", &self.backoff_base)
            .field("max_retry_after", &self.max_retry_after)
            .finish()
    }
}

/// POSTs each alert as JSON with `Idempotency-Key: <alert_id>`, so that a receiver can drop
/// a repeat.
pub struct WebhookSink {
    url: String,
    origin: String,
    name: String,
    http: HttpClient,
    policy: RetryPolicy,
}

impl WebhookSink {
    /// Checks the URL and the CA file; no request is made.
    pub fn new(cfg: WebhookConfig) -> Result<WebhookSink, SinkError> {
        let origin = origin(&cfg.url)?;
        let http = HttpClient::new(cfg.ca_file.as_deref(), cfg.timeout).map_err(|reason| {
            SinkError::CaFile {
                path: cfg.ca_file.clone().unwrap_or_default(),
                reason,
                flag: "--webhook-ca",
                peer: "webhook",
            }
        })?;
        Ok(WebhookSink {
            url: cfg.url.trim().to_string(),
            name: format!("webhook {origin}"),
            origin,
            http,
            policy: RetryPolicy {
                max_retries: cfg.max_retries,
                backoff_base: cfg.backoff_base,
                max_retry_after: cfg.max_retry_after,
            },
        })
    }

    fn fail(&self, reason: String) -> SinkError {
        SinkError::Webhook {
            origin: self.origin.clone(),
            reason,
        }
    }

    /// One POST of one alert: 2xx is done, 408/429/5xx and dropped connections are "later",
    /// anything else an error that retrying now cannot fix.
    fn attempt(&self, alert: &Alert<'_>) -> Result<Attempt, SinkError> {
        let headers = [
            ("Content-Type", "application/json"),
            ("Idempotency-Key", alert.id.as_str()),
        ];
        let reply = match self.http.post(&self.url, &headers, alert.json) {
            Ok(reply) => reply,
            Err(HttpFailure::Transient(text)) => {
                return Ok(Attempt::Later {
                    last: text,
                    after: None,
                })
            }
            Err(HttpFailure::Tls(reason)) => return Err(self.fail(format!(
                "TLS failed: {reason}; if its certificate comes from a private CA, pass that CA's certificate with --webhook-ca FILE (certificates are always verified)"
            ))),
            Err(HttpFailure::HostNotFound) => {
                return Err(self.fail("host not found; check the host in --webhook".into()))
            }
            Err(HttpFailure::BadUri(_)) => {
                return Err(self.fail("not a usable URL; check --webhook".into()))
            }
        };
        let status = reply.status;
        match status {
            200..=299 => Ok(Attempt::Done),
            408 | 429 | 500..=599 => Ok(Attempt::Later {
                last: format!("HTTP {status}"),
                after: reply.retry_after.as_deref().and_then(parse_retry_after),
            }),
            300..=399 => Err(self.fail(format!(
                "HTTP {status}, a redirect, which is not followed (the alert and the URL's secret would go along); give the final URL"
            ))),
            _ => Err(self.fail(format!("HTTP {status}"))),
        }
    }
}

impl Sink for WebhookSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Stops at the first alert that fails for good or through every retry; the ones before
    /// it were delivered, and the receiver drops them when they come again.
    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError> {
        let mut report = Delivery::default();
        for alert in batch {
            let outcome = retrying(&self.policy, &mut report.retries, || self.attempt(alert))?;
            if let Err(gave_up) = outcome {
                return Err(self.fail(format!(
                    "gave up after {} attempts (last: {})",
                    gave_up.attempts, gave_up.last
                )));
            }
            report.sent += 1;
            report.batches += 1;
        }
        Ok(report)
    }
}

/// `scheme://host[:port]` of a usable webhook URL: what messages may show of it.
fn origin(url: &str) -> Result<String, SinkError> {
    let bad = |reason| SinkError::WebhookUrl { reason };
    let uri: ureq::http::Uri = url.trim().parse().map_err(|_| bad("it is not a URL"))?;
    let scheme = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some(s @ ("https" | "http")) => s.to_string(),
        _ => return Err(bad("it must start with https:// or http://")),
    };
    let host = uri.host().ok_or_else(|| bad("it has no host"))?;
    Ok(match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_only_the_origin() {
        let secret = "https://hooks.example.com:8443/services/T000/B000/XXXXSECRET?token=abc";
        assert_eq!(origin(secret).unwrap(), "https://hooks.example.com:8443");
        let debug = format!("{:?}", WebhookConfig::new(secret));
        assert!(
            !debug.contains("SECRET") && !debug.contains("abc"),
            "{debug}"
        );
        let err = origin("ftp://user:SECRET@example.com/x").unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
