//! `hunt --explain INCIDENT`: one incident, with its investigation guide and response playbook.

use std::io::{self, Write};

use clap::Args;
use revertwatch_detect::Incident;
use revertwatch_normalize::ApiCall;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Explain one incident (its id, or a unique prefix of it): the evidence, and what to
    /// look at and do next.
    #[arg(long, value_name = "INCIDENT")]
    pub explain: Option<String>,
}

/// Writes the explanation of the incident `wanted` names. Not built yet.
pub fn write(
    _out: &mut dyn Write,
    _wanted: &str,
    _incidents: &[Incident],
    _calls: &[ApiCall],
) -> io::Result<()> {
    Err(io::Error::other("--explain is not built yet"))
}
