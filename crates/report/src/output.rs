//! The one thing every output format does: write incidents, and, when it has a shape for
//! them, per-event rows. The cli holds a `Box<dyn Output>` and never asks which format it is.

use std::io::{self, Write};

use revertwatch_detect::{EventRow, Incident};

/// An output format. A new format is a new type implementing this, in a module of its own,
/// and a [`crate::Format`] that constructs it.
pub trait Output {
    /// Writes incidents, in the order given (the cli gives newest first).
    fn incidents(&self, out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()>;

    /// Writes per-event rows, in the order given. By default a format describes incidents
    /// only, and refuses rows.
    fn events(&self, out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
        let _ = (out, rows);
        Err(incidents_only())
    }
}

/// The refusal of a format that has no shape for event rows.
pub fn incidents_only() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "the ocsf and html formats describe incidents; use them with --view incidents",
    )
}
