//! The formats a user can name, and the [`Output`] each one is.

use crate::csv_out::Csv;
use crate::html::Html;
use crate::jsonl::Jsonl;
use crate::ocsf::Ocsf;
use crate::output::Output;
use crate::table::Table;

/// A format as the user chose it (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text tables for a terminal.
    Table,
    /// One JSON object a line, in the shape of the output contract.
    Jsonl,
    /// Comma-separated values, one row per incident or event.
    Csv,
    /// OCSF Detection Finding (class 2004), one object per line.
    Ocsf,
    /// One self-contained HTML report.
    Html,
}

impl Format {
    /// The writer for this format. `colour` marks severities in tables with ANSI colour;
    /// other formats have no use for it.
    pub fn output(self, colour: bool) -> Box<dyn Output> {
        match self {
            Format::Table => Box::new(Table { colour }),
            Format::Jsonl => Box::new(Jsonl),
            Format::Csv => Box::new(Csv),
            Format::Ocsf => Box::new(Ocsf),
            Format::Html => Box::new(Html),
        }
    }
}
