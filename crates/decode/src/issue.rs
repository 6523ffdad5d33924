use std::fmt;

/// Why a record, or the rest of a file, could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueKind {
    /// Nothing but whitespace, or nothing at all.
    #[error("empty file")]
    Empty,
    /// Not text: a NUL byte or invalid UTF-8 in the first 8 KiB.
    #[error("binary data, not a text log")]
    Binary,
    /// The gzip stream broke off; records before the break were framed.
    #[error("gzip stream is corrupt or truncated: {0}")]
    Gzip(String),
    /// The reader failed.
    #[error("read error: {0}")]
    Io(String),
    /// A record over [`crate::Limits::max_record_bytes`], skipped.
    #[error("record is larger than the {limit}-byte limit (raise it with --max-record-bytes)")]
    TooLarge {
        /// [`crate::Limits::max_record_bytes`].
        limit: usize,
    },
    /// A record nesting deeper than [`crate::Limits::max_depth`], skipped.
    #[error("record nests deeper than {limit} levels")]
    TooDeep {
        /// [`crate::Limits::max_depth`].
        limit: u32,
    },
    /// The input ends inside a record.
    #[error("input ends inside a record (truncated file?)")]
    Truncated,
    /// Bytes that are not the JSON the layout calls for.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// An element of a records array that is not an object (skipped; framing goes on).
    #[error("array element is not a JSON object")]
    NotObject,
}

impl IssueKind {
    /// Whether the issue stands for one record (or line, or element) not read, rather than
    /// for the input or the rest of it (empty, binary, a broken stream).
    pub fn is_record(&self) -> bool {
        matches!(
            self,
            IssueKind::TooLarge { .. }
                | IssueKind::TooDeep { .. }
                | IssueKind::Truncated
                | IssueKind::Syntax(_)
                | IssueKind::NotObject
        )
    }
}

/// A problem found at one place in one input. Offsets count decompressed bytes from the start
/// of the stream; lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Decompressed bytes before the problem.
    pub offset: u64,
    /// 1-based line of the problem.
    pub line: u64,
    /// What the problem is.
    pub kind: IssueKind,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, byte {}: {}", self.line, self.offset, self.kind)
    }
}
