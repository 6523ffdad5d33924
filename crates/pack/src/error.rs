use std::path::PathBuf;

/// A rule pack that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: operation `{operation}`: {message}")]
    Invalid {
        file: PathBuf,
        line: usize,
        operation: String,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}
