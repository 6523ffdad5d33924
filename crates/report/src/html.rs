//! The HTML incident report (being built).

use std::io::{self, Write};

use revertwatch_detect::Incident;

pub fn write(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    writeln!(out, "<!doctype html><title>revertwatch</title><p>{} incidents</p>", incidents.len())
}
