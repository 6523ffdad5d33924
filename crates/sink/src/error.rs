//! What can go wrong on the way to a HEC, each with what to do about it.

use std::fmt;
use std::path::PathBuf;

use crate::reply::Reply;

/// A failure to deliver incidents. Each message ends with what to do next. Failures during
/// sending carry `sent`: the incidents already delivered in earlier batches (HEC has no
/// transactions, so those are in Splunk).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("the HEC URL `{url}` is not usable: {reason}; give the collector's base URL, e.g. https://splunk.example.com:8088")]
    Url { url: String, reason: String },

    #[error("the HEC token {reason}; put the token alone on the first line of the token file, or in $REVERTWATCH_HEC_TOKEN")]
    Token { reason: &'static str },

    #[error("the HEC batch size must be at least 1 (--hec-batch)")]
    Batch,

    #[error("cannot use the CA file `{}`: {reason}; --hec-ca takes a PEM file with the certificate of the CA that signed the HEC's certificate", path.display())]
    CaFile { path: PathBuf, reason: String },

    #[error("TLS with the HEC at {url} failed: {reason}{sent}; check that the HEC serves HTTPS on that port, and if its certificate comes from a private CA, pass that CA's certificate with --hec-ca FILE (certificates are always verified)")]
    Tls {
        url: String,
        reason: String,
        sent: Sent,
    },

    #[error(
        "cannot reach the HEC at {url}: {reason}{sent}; check the host name and port in --hec-url"
    )]
    Unreachable {
        url: String,
        reason: String,
        sent: Sent,
    },

    #[error("the HEC refused the token ({reply}){sent}; check the token (--hec-token-file or $REVERTWATCH_HEC_TOKEN): it must be an enabled HEC token of this Splunk")]
    Auth { reply: Reply, sent: Sent },

    #[error("the HEC rejected a batch ({reply}){sent}; {hint}")]
    Rejected {
        reply: Reply,
        hint: &'static str,
        sent: Sent,
    },

    #[error("gave up after {attempts} attempts to send a batch (last: {last}){sent}; check that the HEC is up and reachable from here, then run again")]
    GaveUp {
        attempts: u32,
        last: String,
        sent: Sent,
    },

    #[error(
        "cannot encode an incident as JSON: {0}; this is a bug in revertwatch, please report it"
    )]
    Encode(#[from] std::io::Error),
}

/// How many incidents reached the HEC before a failure; prints nothing when none did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub incidents: usize,
    pub batches: usize,
}

impl fmt::Display for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.incidents == 0 {
            return Ok(());
        }
        write!(
            f,
            ", after {} incidents had been sent in {} batch{}",
            self.incidents,
            self.batches,
            if self.batches == 1 { "" } else { "es" }
        )
    }
}

impl SinkError {
    /// Incidents delivered before this failure (0 for failures before sending began).
    pub fn sent(&self) -> Sent {
        match self {
            SinkError::Tls { sent, .. }
            | SinkError::Unreachable { sent, .. }
            | SinkError::Auth { sent, .. }
            | SinkError::Rejected { sent, .. }
            | SinkError::GaveUp { sent, .. } => *sent,
            _ => Sent::default(),
        }
    }

    pub(crate) fn with_sent(mut self, done: Sent) -> SinkError {
        match &mut self {
            SinkError::Tls { sent, .. }
            | SinkError::Unreachable { sent, .. }
            | SinkError::Auth { sent, .. }
            | SinkError::Rejected { sent, .. }
            | SinkError::GaveUp { sent, .. } => *sent = done,
            _ => {}
        }
        self
    }
}
