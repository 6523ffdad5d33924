use std::fmt;

/// Why a record, or the rest of a file, could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueKind {
    #[error("empty file")]
    Empty,
    #[error("binary data, not a text log")]
    Binary,
    #[error("gzip stream is corrupt or truncated: {0}")]
    Gzip(String),
    #[error("read error: {0}")]
    Io(String),
    #[error("record is larger than the {limit}-byte limit (raise it with --max-record-bytes)")]
    TooLarge { limit: usize },
    #[error("record nests deeper than {limit} levels")]
    TooDeep { limit: u32 },
    #[error("input ends inside a record (truncated file?)")]
    Truncated,
    #[error("invalid JSON: {0}")]
    Syntax(String),
    #[error("array element is not a JSON object")]
    NotObject,
}

/// A problem found at one place in one input. Offsets count decompressed bytes from the start
/// of the stream; lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub offset: u64,
    pub line: u64,
    pub kind: IssueKind,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, byte {}: {}", self.line, self.offset, self.kind)
    }
}
