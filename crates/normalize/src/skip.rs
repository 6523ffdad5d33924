use std::fmt;

use revertwatch_decode::IssueKind;

/// Why a record (or the rest of an input) was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Decode could not frame it (see [`IssueKind`]): bad gzip, an oversized record, an I/O error.
    #[error("{0}")]
    Decode(IssueKind),
    /// The record's bytes are not valid JSON; the parser's message.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Valid JSON of an unknown shape.
    #[error("JSON, but not a CloudTrail, Azure Activity or GCP audit record")]
    NotLog,
    /// A wrapper (a SIEM or stream envelope) around the records could not be undone.
    #[error("cannot unwrap {envelope}: {why}")]
    Envelope {
        /// The envelope's name, as the message shows it.
        envelope: &'static str,
        /// What was wrong with it.
        why: String,
    },
    /// A field every call needs (its time or operation) is absent or not usable; the field's path.
    #[error("record has no usable {0}")]
    Missing(&'static str),
}

/// One skipped record or input region, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Byte offset in the decompressed input of the record, or of the problem for a decode issue; 0 for an input that could not be opened.
    pub offset: u64,
    /// 1-based line of the record (or problem); 0 for an input that could not be opened.
    pub line: u64,
    /// Why it was skipped.
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
