//! Report: incidents and event rows out, in the formats of DESIGN.md's output contract, and the
//! explanation of one incident with its filled-in playbook.
//!
//! Main types:
//! - [`Output`], the trait every format implements: [`Table`], [`Jsonl`], [`Csv`], [`Ocsf`]
//!   and [`Html`], each in a module of its own; [`Format`] is the user's choice, and
//!   [`Format::output`] gives its writer;
//! - [`playbook::FilledGuide`], an incident's investigation guide and response playbook with
//!   its commands filled in, which the HTML report, OCSF and [`explain`] render;
//! - [`escape`], which makes a log's strings inert for a terminal or a spreadsheet;
//! - [`sigma`], the rule pack exported as Sigma rules.
//!
//! Invariant: every string that came from a log is attacker-controlled. It is neutralised for
//! the medium it is written to: control and bidi characters are made visible on a terminal,
//! CSV cells that a spreadsheet would run as a formula are defused, and JSON carries those
//! same characters as `\uXXXX` escapes ([`escape::json`]), which read back unchanged.
//!
//! ```
//! use revertwatch_report::{Format, Output};
//!
//! let csv = Format::Csv.output(false);
//! let mut out = Vec::new();
//! csv.events(&mut out, &[])?;
//! assert!(out.starts_with(b"time,provider,actor,"));
//!
//! // OCSF findings describe incidents; event rows have no shape there.
//! let refused = Format::Ocsf.output(false).events(&mut Vec::new(), &[]);
//! assert_eq!(refused.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]

mod csv_out;
pub mod explain;
mod format;
mod html;
mod jsonl;
mod machine_notes;
mod ocsf;
mod output;
pub mod playbook;
pub mod sigma;
mod table;

/// Terminal and CSV-formula neutralisation; a crate of its own so that `serve` need not pull
/// in the report writers to escape one line of stderr.
pub use revertwatch_escape as escape;

pub use csv_out::Csv;
pub use format::Format;
pub use html::Html;
pub use jsonl::Jsonl;
pub use ocsf::Ocsf;
pub use output::{incidents_only, Output};
pub use table::Table;
