use std::path::PathBuf;

/// A tuning file that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum TuningError {
    /// Not TOML, or not the shape a tuning file has (an unknown key, a value of the wrong type).
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the TOML reader said.
        message: String,
    },
    /// A rule that reads but cannot be used: no reason, no criterion, a bad glob, date or
    /// zone, or a name already taken.
    #[error("{file}:{line}: rule `{rule}`: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line where the rule starts.
        line: usize,
        /// The rule's name.
        rule: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
