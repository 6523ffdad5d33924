//! What can go wrong on the way to a sink, each with what to do about it.

use std::fmt;
use std::path::PathBuf;

/// A failure to deliver. Each message ends with what to do next. HEC failures during sending
/// carry `sent`: the items already delivered in earlier batches (HEC has no transactions, so
/// those are in Splunk). Messages never hold a HEC token, and a webhook appears only as its
/// origin (`https://host:port`), since its path or query may be its secret.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The HEC URL cannot be a collector.
    #[error("the HEC URL `{url}` is not usable: {reason}; give the collector's base URL, e.g. https://splunk.example.com:8088")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The HEC token is missing or cannot go in a header.
    #[error("the HEC token {reason}; put the token alone on the first line of the token file, or in $REVERTWATCH_HEC_TOKEN")]
    Token {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A batch size of zero.
    #[error("the HEC batch size must be at least 1 (--hec-batch)")]
    Batch,

    /// An extra CA file that cannot be trusted.
    #[error("cannot use the CA file `{}`: {reason}; {flag} takes a PEM file with the certificate of the CA that signed the {peer}'s certificate", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why it is unusable.
        reason: String,
        /// The flag that gives it (`--hec-ca`, `--webhook-ca`).
        flag: &'static str,
        /// Whose certificate it should vouch for (`HEC`, `webhook`).
        peer: &'static str,
    },

    /// The TLS handshake with the HEC failed.
    #[error("TLS with the HEC at {url} failed: {reason}{sent}; check that the HEC serves HTTPS on that port, and if its certificate comes from a private CA, pass that CA's certificate with --hec-ca FILE (certificates are always verified)")]
    Tls {
        /// The event endpoint.
        url: String,
        /// The handshake's error.
        reason: String,
        /// What was delivered before.
        sent: Sent,
    },

    /// The HEC's host is unknown.
    #[error(
        "cannot reach the HEC at {url}: {reason}{sent}; check the host name and port in --hec-url"
    )]
    Unreachable {
        /// The event endpoint.
        url: String,
        /// Why not.
        reason: String,
        /// What was delivered before.
        sent: Sent,
    },

    /// The HEC refused the token.
    #[error("the HEC refused the token ({reply}){sent}; check the token (--hec-token-file or $REVERTWATCH_HEC_TOKEN): it must be an enabled HEC token of this Splunk")]
    Auth {
        /// The HEC's answer.
        reply: Reply,
        /// What was delivered before.
        sent: Sent,
    },

    /// The HEC refused a batch, and trying again cannot help.
    #[error("the HEC rejected a batch ({reply}){sent}; {hint}")]
    Rejected {
        /// The HEC's answer.
        reply: Reply,
        /// What might help.
        hint: &'static str,
        /// What was delivered before.
        sent: Sent,
    },

    /// The HEC stayed busy or down through every retry.
    #[error("gave up after {attempts} attempts to send a batch (last: {last}){sent}; check that the HEC is up and reachable from here, then run again")]
    GaveUp {
        /// Attempts made, the first included.
        attempts: u32,
        /// The last answer.
        last: String,
        /// What was delivered before.
        sent: Sent,
    },

    /// Serialising failed, which cannot happen with well-formed incidents.
    #[error(
        "cannot encode an incident as JSON: {0}; this is a bug in revertwatch, please report it"
    )]
    Encode(#[from] std::io::Error),

    /// The alerts file cannot be read or written.
    #[error("cannot write alerts to `{}`: {source}; check that the directory exists and that revertwatch may write the file", path.display())]
    File {
        /// The alerts file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// Publishing on a NATS subject failed.
    #[error("cannot publish alerts on NATS subject `{subject}`: {reason}; they are published again once NATS answers")]
    Nats {
        /// The alert subject.
        subject: String,
        /// The client's error.
        reason: String,
    },

    /// The webhook URL cannot be posted to. The URL is not quoted: it may be a secret.
    #[error("the webhook URL is not usable: {reason}; give an https:// URL (or http:// for a local receiver)")]
    WebhookUrl {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The webhook did not take an alert.
    #[error("webhook {origin}: {reason}")]
    Webhook {
        /// `scheme://host:port` of the webhook.
        origin: String,
        /// What happened and what to do.
        reason: String,
    },
}

/// How many items reached the HEC before a failure; prints nothing when none did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Items (incidents or alerts) the HEC accepted.
    pub incidents: usize,
    /// Requests the HEC accepted.
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
    /// Items delivered before this failure (0 for failures before sending began, and for sinks
    /// that deliver all or nothing).
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

/// A HEC's answer to one request, as far as it could be read. It is defined here, beside the
/// errors that carry it, so that this file needs nothing from `hec`; reading it from a body
/// (`Reply::parse`) stays in `hec::reply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status; 0 when no answer came (the connection failed).
    pub status: u16,
    /// HEC's `code` (0 success, 2 token required, 4 invalid token, 9 busy, ...), when the body
    /// was HEC's JSON.
    pub code: Option<i64>,
    /// HEC's `text`, or the start of a body that was not HEC's JSON. Control and bidi
    /// characters are escaped: the body comes from the network and ends up on a terminal.
    pub text: String,
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, ", HEC code {code}")?;
        }
        if !self.text.is_empty() {
            write!(f, ": {}", self.text)?;
        }
        Ok(())
    }
}
