//! Decode: bytes in, record frames out.
//!
//! This crate knows containers (gzip, the JSON shapes that clouds and tools write logs in) and
//! nothing about detection. Records cross the seam as borrowed byte slices with their position;
//! nothing is parsed here beyond what framing needs, so that the prefilter can drop most records
//! before any JSON parser sees them.
//!
//! Invariants:
//! - memory is bounded by the largest record (capped by [`Limits::max_record_bytes`]) plus one
//!   read chunk, whatever the file size;
//! - a problem in one record is reported as an [`Issue`] with its offset and line, and framing
//!   carries on with the next record whenever the container allows it;
//! - nothing here recurses on input nesting, so hostile depth cannot overflow the stack.
//!
//! The main types: [`decode`] frames a reader's records and hands each to a callback as a
//! [`Frame`] (bytes, offset, line); [`Decoded`] says what the input was ([`Layout`]) and what
//! could not be read ([`Issue`]); [`Limits`] bounds what one record may cost; [`open_path`] and
//! [`open_reader`] undo gzip.
//!
//! ```
//! use revertwatch_decode::{decode, Layout, Limits};
//!
//! let input = b"{\"eventName\":\"StopInstances\"}\n{\"eventName\":\"StartInstances\"}\n";
//! let mut lines = Vec::new();
//! let decoded = decode(&input[..], &Limits::default(), None, &mut |frame| {
//!     lines.push(frame.line)
//! });
//! assert_eq!(decoded.layout, Layout::Lines);
//! assert_eq!(lines, [1, 2]);
//! assert!(decoded.issues.is_empty());
//! ```

#![deny(missing_docs)]

mod framer;
mod issue;
mod scan;
mod source;
mod window;

pub use framer::{decode, decode_lines, Decoded, Frame, Interest, Layout, Limits};
pub use issue::{Issue, IssueKind};
pub use source::{open_path, open_reader, Compression};
