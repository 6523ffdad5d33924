use std::path::PathBuf;

/// A rule pack that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The file is not valid TOML, or not in the pack's shape.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The pack file, as given.
        file: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, in TOML's words.
        message: String,
    },
    /// An operation entry that cannot be evaluated.
    #[error("{file}:{line}: operation `{operation}`: {message}")]
    Invalid {
        /// The pack file, as given.
        file: PathBuf,
        /// 1-based line of the entry.
        line: usize,
        /// The entry's operation name.
        operation: String,
        /// What is wrong with it.
        message: String,
    },
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The pack file, as given.
        file: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
}
