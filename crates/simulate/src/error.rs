//! The crate's error type.

use std::path::{Path, PathBuf};

/// Why a run failed. Options are checked before anything is written; an I/O error may leave
/// the files written so far in place.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The [`Options`](crate::Options) cannot be run (no day, no container enabled, an unsafe
    /// or repeated account name...); says which and why.
    #[error("invalid simulate options: {0}")]
    Options(String),
    /// Creating or writing a file or directory under the output directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl SimError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SimError {
        SimError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub(crate) type Result<T, E = SimError> = std::result::Result<T, E>;
