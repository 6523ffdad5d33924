//! JSON Lines: each incident or row as serde serialises it, one a line. The incident's JSON is
//! the output contract; serde_json escapes what JSON requires in log strings.

use std::io::{self, Write};

use revertwatch_detect::{EventRow, Incident};
use serde::Serialize;

use crate::output::Output;

/// One JSON object a line, incidents and event rows alike.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

impl Output for Jsonl {
    fn incidents(&self, out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
        write_all(out, incidents)
    }

    fn events(&self, out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
        write_all(out, rows)
    }
}

fn write_all<T: Serialize>(out: &mut dyn Write, items: &[T]) -> io::Result<()> {
    for item in items {
        crate::escape::json::to_writer(&mut *out, item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
