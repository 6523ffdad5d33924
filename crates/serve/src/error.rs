use std::path::{Path, PathBuf};

/// Why `serve` could not start or carry on.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot create the state directory `{0}`: {1}")]
    StateDir(PathBuf, #[source] std::io::Error),
    #[error("state store `{path}`: {source}")]
    Store {
        path: PathBuf,
        #[source]
        source: Box<redb::Error>,
    },
    #[error("stored record `{0}` cannot be read back: {1}")]
    Corrupt(String, String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("NATS: {0}")]
    Nats(String),
    /// An alert sink that cannot be set up (its URL, CA file or file).
    #[error("alert sink: {0}")]
    Sink(#[from] revertwatch_sink::SinkError),
    #[error("{0}")]
    Config(String),
    #[error("the detection engine stopped")]
    EngineGone,
}

impl ServeError {
    pub fn store(path: &Path, source: redb::Error) -> ServeError {
        ServeError::Store {
            path: path.to_path_buf(),
            source: Box::new(source),
        }
    }

    pub fn nats(what: &str, e: impl std::fmt::Display) -> ServeError {
        ServeError::Nats(format!("{what}: {e}"))
    }
}
