//! The one HTTP transport of every HTTP sink (Splunk HEC, webhook): a kept-alive agent per
//! sink, verified TLS with optional extra roots, no redirects, a timeout per request, and a
//! reading of transport failures as "for good" or "may pass".

mod tls;

use std::path::Path;
use std::time::Duration;

use ureq::tls::TlsConfig;
use ureq::Agent;

/// Answers larger than this are not a sink's acknowledgement; reading stops there.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// An agent with the transport policy. Redirects are never followed: a redirect would carry
/// the credentials (HEC token, a webhook's secret URL) to wherever it points.
pub(crate) struct HttpClient {
    agent: Agent,
}

/// A server's answer, whatever its status.
pub(crate) struct HttpReply {
    pub status: u16,
    /// The raw `Retry-After` header.
    pub retry_after: Option<String>,
    /// The start of the body (at most 64 KiB).
    pub body: Vec<u8>,
}

/// A request that got no answer.
pub(crate) enum HttpFailure {
    /// The TLS handshake failed (certificate, protocol): trying again cannot help.
    Tls(String),
    HostNotFound,
    BadUri(String),
    /// Refused, reset, timed out, cut off: the server may be restarting or overloaded.
    Transient(String),
}

impl HttpClient {
    /// `ca_file` adds trust to Mozilla's roots, never replaces it; the error says why the file
    /// is unusable.
    pub(crate) fn new(ca_file: Option<&Path>, timeout: Duration) -> Result<HttpClient, String> {
        let mut tls = TlsConfig::builder();
        if let Some(path) = ca_file {
            tls = tls.root_certs(tls::roots_with(path)?);
        }
        let agent: Agent = Agent::config_builder()
            // Read 4xx/5xx bodies ourselves: servers explain themselves in them.
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("revertwatch/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(HttpClient { agent })
    }

    /// POSTs `body` as it is (already compressed if the caller compresses) with `headers`.
    pub(crate) fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpReply, HttpFailure> {
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        match request.send(body) {
            Ok(mut response) => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                // A body cut short still has a status worth judging.
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_REPLY_BYTES)
                    .read_to_vec()
                    .unwrap_or_default();
                Ok(HttpReply {
                    status: response.status().as_u16(),
                    retry_after,
                    body,
                })
            }
            Err(e) => Err(failure(e)),
        }
    }
}

fn failure(e: ureq::Error) -> HttpFailure {
    if let Some(reason) = tls::tls_failure(&e) {
        return HttpFailure::Tls(reason);
    }
    match e {
        ureq::Error::HostNotFound => HttpFailure::HostNotFound,
        ureq::Error::BadUri(reason) => HttpFailure::BadUri(reason),
        other => HttpFailure::Transient(other.to_string()),
    }
}

/// `Retry-After` in seconds. The HTTP-date form is rare from a collector or its proxies and is
/// ignored (our own backoff applies then).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
