//! Report: incidents and event rows out, in the formats of DESIGN.md's output contract.
//!
//! Invariant: every string that came from a log is attacker-controlled. It is neutralised for
//! the medium it is written to: control and bidi characters are made visible on a terminal,
//! CSV cells that a spreadsheet would run as a formula are defused, and JSON is serialised by
//! serde_json, which escapes what JSON requires.

mod csv_out;
mod html;
mod jsonl;
mod ocsf;
pub mod sigma;
mod table;

/// Terminal and CSV-formula neutralisation; a crate of its own so that `serve` need not pull
/// in the report writers to escape one line of stderr.
pub use revertwatch_escape as escape;

use std::io::{self, Write};

use revertwatch_detect::{EventRow, Incident};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Jsonl,
    Csv,
    /// OCSF Detection Finding (class 2004), one object per line.
    Ocsf,
    /// One self-contained HTML report.
    Html,
}

/// Writes incidents (newest first, as given). `colour` marks severities in tables with ANSI
/// colour; other formats ignore it.
pub fn write_incidents(
    out: &mut dyn Write,
    incidents: &[Incident],
    format: Format,
    colour: bool,
) -> io::Result<()> {
    match format {
        Format::Table => table::incidents(out, incidents, colour),
        Format::Jsonl => jsonl::write_all(out, incidents),
        Format::Csv => csv_out::incidents(out, incidents),
        Format::Ocsf => ocsf::write(out, incidents),
        Format::Html => html::write(out, incidents),
    }
}

/// Writes per-event rows (newest first, as given).
pub fn write_events(out: &mut dyn Write, rows: &[EventRow], format: Format) -> io::Result<()> {
    match format {
        Format::Table => table::events(out, rows),
        Format::Jsonl => jsonl::write_all(out, rows),
        Format::Csv => csv_out::events(out, rows),
        Format::Ocsf | Format::Html => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the ocsf and html formats describe incidents; use them with --view incidents",
        )),
    }
}
