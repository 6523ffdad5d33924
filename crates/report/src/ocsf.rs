//! OCSF Detection Finding output (being built).

use std::io::{self, Write};

use revertwatch_detect::Incident;

pub fn write(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    crate::jsonl::write_all(out, incidents)
}
