use std::path::PathBuf;

/// A tuning file that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum TuningError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: rule `{rule}`: {message}")]
    Invalid {
        file: PathBuf,
        line: usize,
        rule: String,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}
