use std::fmt;

use revertwatch_decode::IssueKind;

/// Why a record (or the rest of an input) was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    #[error("{0}")]
    Decode(IssueKind),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("JSON, but not a CloudTrail, Azure Activity or GCP audit record")]
    NotLog,
    #[error("cannot unwrap {envelope}: {why}")]
    Envelope { envelope: &'static str, why: String },
    #[error("record has no usable {0}")]
    Missing(&'static str),
}

/// One skipped record or input region, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub offset: u64,
    pub line: u64,
    pub reason: SkipReason,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, byte {}: {}",
            self.line, self.offset, self.reason
        )
    }
}
