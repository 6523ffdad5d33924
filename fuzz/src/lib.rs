//! Shared pieces of the fuzz targets: the hunt pipeline as the CLI runs it, and record
//! templates that the structured target fills with fuzzer-chosen values.

pub mod hunt;
pub mod template;
