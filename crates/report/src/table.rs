//! Human-readable tables. Every log-derived string passes through [`terminal`].

use std::io::{self, Write};

use comfy_table::{presets, Table as Grid};
use revertwatch_detect::{EventRow, Incident};
use revertwatch_normalize::format_time;

use crate::escape::terminal;
use crate::output::Output;

/// The most characters of one log-derived field a table shows. Layout costs more than
/// linear time in a cell's length (a 7 MB user agent took half a minute), and no analyst reads
/// past this in a terminal; JSON Lines and CSV carry every field whole.
const MAX_CELL: usize = 512;

/// A log-derived string for a table: escaped for the terminal, and cut at [`MAX_CELL`]
/// characters with a note of how much was left out.
fn cell(s: &str) -> String {
    let shown = terminal(s);
    let total = shown.chars().count();
    if total <= MAX_CELL {
        return shown.into_owned();
    }
    let kept: String = shown.chars().take(MAX_CELL).collect();
    format!(
        "{kept}…(+{} characters; --format jsonl has it whole)",
        total - MAX_CELL
    )
}

/// Text for a terminal: each incident as a summary and a table of its calls, event rows as one
/// table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Table {
    /// Marks severities with ANSI colour.
    pub colour: bool,
}

impl Output for Table {
    fn incidents(&self, out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
        self::incidents(out, incidents, self.colour)
    }

    fn events(&self, out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
        self::events(out, rows)
    }
}

fn events(out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
    let mut t = Grid::new();
    t.load_preset(presets::ASCII_MARKDOWN);
    t.set_header([
        "time",
        "provider",
        "actor",
        "source_ip",
        "operation",
        "target_resource",
        "restore",
        "reset",
        "score",
        "outcome",
        "incident_id",
    ]);
    for r in rows {
        t.add_row([
            format_time(&r.time),
            r.provider.to_string(),
            cell(&r.actor),
            cell(&r.source_ip),
            cell(&r.operation),
            cell(&r.target_resource),
            r.is_snapshot_restore.to_string(),
            r.is_ephemeral_reset.to_string(),
            r.suspicion_score.to_string(),
            r.outcome.to_string(),
            r.incident_id.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    writeln!(out, "{t}")
}

fn severity_style(i: &Incident, colour: bool) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    if !colour {
        return Style::new();
    }
    match i.severity.as_str() {
        "escalate" => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        "review" => Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
        "info" => Style::new().fg_color(Some(AnsiColor::Blue.into())),
        _ => Style::new().dimmed(),
    }
}

fn incidents(out: &mut dyn Write, incidents: &[Incident], colour: bool) -> io::Result<()> {
    for (n, i) in incidents.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let why = match (i.is_snapshot_restore, i.is_ephemeral_reset) {
            (1, 1) => "snapshot restore + ephemeral reset",
            (1, 0) => "snapshot restore",
            (0, 1) => "ephemeral reset",
            _ => "failed attempts only",
        };
        let why = match crate::machine_notes::qualifier(i) {
            Some(q) => format!("{why}; {q}"),
            None => why.to_string(),
        };
        let style = severity_style(i, colour);
        writeln!(
            out,
            "{style}{}{style:#} {}  score {} ({})  {} {} {}",
            i.severity.as_str().to_uppercase(),
            i.incident_id,
            i.suspicion_score,
            why,
            i.provider,
            cell(&i.account),
            cell(&i.region),
        )?;
        writeln!(out, "  target:  {} {}", i.target_kind, cell(&i.target))?;
        writeln!(out, "  chains:  {}", cell(&i.chains.join(", ")))?;
        writeln!(
            out,
            "  window:  {} .. {}",
            format_time(&i.first_seen),
            format_time(&i.last_seen)
        )?;
        for (label, note) in crate::machine_notes::notes(i) {
            writeln!(out, "  {label}: {}", cell(&note))?;
        }
        if let Some(rule) = &i.suppressed_by {
            writeln!(out, "  suppressed by: {}", cell(rule))?;
        }
        if let Some(rule) = &i.downgraded_by {
            writeln!(out, "  downgraded by: {}", cell(rule))?;
        }
        for note in &i.tuning_notes {
            writeln!(out, "  tuning:  {}", cell(note))?;
        }
        for (label, text) in i.revert_facts() {
            writeln!(out, "  {label}: {}", cell(&text))?;
        }
        let mut t = Grid::new();
        t.load_preset(presets::NOTHING);
        t.set_header([
            "  time",
            "actor",
            "source_ip",
            "operation",
            "outcome",
            "resources",
        ]);
        for e in &i.evidence {
            let resources: Vec<String> = e
                .resources
                .iter()
                .map(|r| format!("{}:{}", r.kind, r.id))
                .collect();
            t.add_row([
                format!("  {}", format_time(&e.time)),
                cell(&e.actor),
                cell(&e.source_ip),
                cell(&e.operation),
                e.outcome.to_string(),
                cell(&resources.join(" ")),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}
