//! The HTTP side: one agent per run (connections are kept alive between batches), verified
//! TLS with optional extra roots, and one POST per batch.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use crate::backoff;
use crate::error::{Sent, SinkError};
use crate::reply::{judge, Reply, Verdict};
use crate::HecConfig;

/// Where HEC takes JSON events, below the collector's base URL.
pub const EVENT_PATH: &str = "/services/collector/event";
/// Answers larger than this are not HEC's; reading stops there.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

pub(crate) struct Transport {
    agent: Agent,
    endpoint: String,
    authorization: String,
    /// HEC's request channel: needed when the token has indexer acknowledgement on, ignored
    /// otherwise. One per run.
    channel: String,
    gzip: bool,
}

impl Transport {
    pub(crate) fn new(cfg: &HecConfig) -> Result<Transport, SinkError> {
        let endpoint = endpoint(&cfg.url)?;
        check_token(&cfg.token)?;
        let mut tls = TlsConfig::builder();
        if let Some(path) = &cfg.ca_file {
            tls = tls.root_certs(roots_with(path)?);
        }
        let agent: Agent = Agent::config_builder()
            // Read 4xx/5xx bodies ourselves: HEC explains itself in them.
            .http_status_as_error(false)
            // A redirect would carry the token to wherever it points.
            .max_redirects(0)
            .timeout_global(Some(cfg.timeout))
            .user_agent(concat!("revertwatch/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Transport {
            agent,
            endpoint,
            authorization: format!("Splunk {}", cfg.token),
            channel: backoff::channel_id(),
            gzip: cfg.gzip,
        })
    }

    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Posts one batch body (uncompressed; gzipped here if configured). A transport failure
    /// that may pass (refused, reset, timed out) is a `Retry`; one that cannot (TLS, DNS) an
    /// error.
    pub(crate) fn post(&self, body: &[u8]) -> Result<Verdict, SinkError> {
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .header("X-Splunk-Request-Channel", &self.channel);
        let compressed;
        let payload = if self.gzip {
            compressed = gzip(body)?;
            request = request.header("Content-Encoding", "gzip");
            &compressed[..]
        } else {
            body
        };
        match request.send(payload) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                // A body cut short still has a status worth judging.
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_REPLY_BYTES)
                    .read_to_vec()
                    .unwrap_or_default();
                Ok(judge(status, retry_after.as_deref(), &bytes))
            }
            Err(e) => self.transport_failure(e),
        }
    }

    fn transport_failure(&self, e: ureq::Error) -> Result<Verdict, SinkError> {
        let url = self.endpoint.clone();
        if let Some(reason) = tls_failure(&e) {
            return Err(SinkError::Tls {
                url,
                reason,
                sent: Sent::default(),
            });
        }
        match e {
            ureq::Error::HostNotFound => Err(SinkError::Unreachable {
                url,
                reason: "host not found".into(),
                sent: Sent::default(),
            }),
            ureq::Error::BadUri(reason) => Err(SinkError::Url { url, reason }),
            // Refused, reset, timed out, cut off: the HEC may be restarting or overloaded.
            other => Ok(Verdict::Retry {
                reply: Reply {
                    status: 0,
                    code: None,
                    text: other.to_string(),
                },
                after: None,
            }),
        }
    }
}

/// `{base}/services/collector/event`. The user may give the base, or paste the collector or
/// event URL from Splunk's docs; all three mean the same endpoint.
fn endpoint(url: &str) -> Result<String, SinkError> {
    let bad = |reason: &str| SinkError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let uri: ureq::http::Uri = url.trim().parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") | Some("http") => {}
        _ => {
            return Err(bad(
                "it must start with https:// (or http:// for a local collector)",
            ))
        }
    }
    let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "it holds credentials; the token goes in --hec-token-file or $REVERTWATCH_HEC_TOKEN",
        ));
    }
    if uri.query().is_some() {
        return Err(bad("it has a query string"));
    }
    let mut path = uri.path().trim_end_matches('/');
    for suffix in [EVENT_PATH, "/services/collector"] {
        if let Some(base) = path.strip_suffix(suffix) {
            path = base;
            break;
        }
    }
    Ok(format!(
        "{}://{}{}{}",
        uri.scheme_str().unwrap_or("https").to_ascii_lowercase(),
        authority,
        path,
        EVENT_PATH
    ))
}

/// A token goes into a header: it must be one visible word.
fn check_token(token: &str) -> Result<(), SinkError> {
    if token.is_empty() {
        return Err(SinkError::Token { reason: "is empty" });
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SinkError::Token {
            reason: "holds spaces, control or non-ASCII characters",
        });
    }
    Ok(())
}

/// Mozilla's roots plus every certificate in the PEM file at `path`. Each certificate is
/// parsed now, so that a wrong file fails here with its name rather than later as a vague
/// handshake failure.
fn roots_with(path: &Path) -> Result<RootCerts, SinkError> {
    let bad = |reason: String| SinkError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        // Keys and other blocks are not trust; a bundle may still carry them.
        let PemItem::Certificate(cert) = item.map_err(|e| bad(format!("not PEM ({e})")))? else {
            continue;
        };
        let mut check = rustls::RootCertStore::empty();
        check.add(CertificateDer::from(cert.der())).map_err(|e| {
            let why = match e {
                rustls::Error::InvalidCertificate(inner) => format!("{inner:?}"),
                other => other.to_string(),
            };
            bad(format!(
                "certificate {} in it is not a usable X.509 certificate ({why})",
                extra.len() + 1
            ))
        })?;
        extra.push(cert);
    }
    if extra.is_empty() {
        return Err(bad("it holds no PEM CERTIFICATE block".into()));
    }
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()))
        .collect();
    roots.extend(extra);
    Ok(RootCerts::Specific(Arc::new(roots)))
}

/// The reason, when `e` is a TLS failure (rustls reports handshake errors wrapped in I/O).
fn tls_failure(e: &ureq::Error) -> Option<String> {
    match e {
        ureq::Error::Tls(reason) => Some(reason.to_string()),
        ureq::Error::Rustls(inner) => Some(inner.to_string()),
        ureq::Error::Pem(inner) => Some(inner.to_string()),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|inner| inner.to_string()),
        _ => None,
    }
}

fn gzip(body: &[u8]) -> Result<Vec<u8>, SinkError> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_accepts_base_collector_and_event_urls() {
        for url in [
            "https://splunk.example.com:8088",
            "https://splunk.example.com:8088/",
            "https://splunk.example.com:8088/services/collector",
            "HTTPS://splunk.example.com:8088/services/collector/event/",
        ] {
            assert_eq!(
                endpoint(url).unwrap(),
                "https://splunk.example.com:8088/services/collector/event",
                "{url}"
            );
        }
        assert_eq!(
            endpoint("https://proxy.example.com/splunk").unwrap(),
            "https://proxy.example.com/splunk/services/collector/event"
        );
    }

    #[test]
    fn endpoint_refuses_what_cannot_be_a_hec() {
        for url in [
            "splunk.example.com:8088",
            "ftp://splunk.example.com",
            "https://user:pw@splunk.example.com:8088",
            "https://splunk.example.com:8088?token=x",
            "not a url",
        ] {
            assert!(matches!(endpoint(url), Err(SinkError::Url { .. })), "{url}");
        }
    }

    #[test]
    fn tokens_must_be_one_visible_word() {
        assert!(check_token("11111111-2222-3333-4444-555555555555").is_ok());
        assert!(check_token("").is_err());
        assert!(check_token("abc\r\nX-Evil: 1").is_err());
    }
}
