//! `hunt --explain INCIDENT`: the option, and the call into the report that writes the
//! explanation (`revertwatch_report::explain`).

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

/// Writes the explanation of the incident `wanted` names: its id, or a unique prefix of it.
pub fn write(
    out: &mut dyn Write,
    wanted: &str,
    incidents: &[Incident],
    _calls: &[ApiCall],
) -> io::Result<()> {
    revertwatch_report::explain::write(out, wanted, incidents)
}
