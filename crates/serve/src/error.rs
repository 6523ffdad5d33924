use std::path::{Path, PathBuf};

/// Why `serve` could not start or carry on.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The state directory (the path) could not be created.
    #[error("cannot create the state directory `{0}`: {1}")]
    StateDir(PathBuf, #[source] std::io::Error),
    /// The redb store failed: opening it (already open elsewhere, not a redb file) or a
    /// transaction.
    #[error("state store `{path}`: {source}")]
    Store {
        /// The store's file.
        path: PathBuf,
        /// redb's error.
        #[source]
        source: Box<redb::Error>,
    },
    /// A record in the store (its key, then why) cannot be decoded: the store is damaged or
    /// was written by an incompatible version.
    #[error("stored record `{0}` cannot be read back: {1}")]
    Corrupt(String, String),
    /// The HTTP address could not be bound (in use, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: String,
        /// The bind error.
        #[source]
        source: std::io::Error,
    },
    /// The listener's TLS certificate or key (the file, then why) cannot be used.
    #[error("TLS: `{0}`: {1}")]
    Tls(PathBuf, String),
    /// A NATS or JetStream operation failed; the message says which (see [`ServeError::nats`]).
    #[error("NATS: {0}")]
    Nats(String),
    /// An alert sink that cannot be set up (its URL, CA file or file).
    #[error("alert sink: {0}")]
    Sink(#[from] revertwatch_sink::SinkError),
    /// A setting that cannot work, or the process cannot start its runtime or threads; the
    /// whole message.
    #[error("{0}")]
    Config(String),
    /// The engine thread is gone (it panicked or ended), so input cannot be committed.
    #[error("the detection engine stopped")]
    EngineGone,
}

impl ServeError {
    /// A [`ServeError::Store`] for the store at `path`.
    pub fn store(path: &Path, source: redb::Error) -> ServeError {
        ServeError::Store {
            path: path.to_path_buf(),
            source: Box::new(source),
        }
    }

    /// A [`ServeError::Nats`] reading `<what>: <e>`, `what` naming the operation or object.
    pub fn nats(what: &str, e: impl std::fmt::Display) -> ServeError {
        ServeError::Nats(format!("{what}: {e}"))
    }
}
