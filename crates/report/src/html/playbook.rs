//! The investigation guide and response playbook on each card: what the incident's chains
//! mean, what to look at next and what to do, each with its command for the incident's cloud,
//! filled in with the incident's ids (quoted for the shell, then escaped for HTML).

use std::io::{self, Write};

use revertwatch_detect::Incident;

use super::markup::Esc;
use crate::playbook::{guide, Step, Values};

/// Writes the collapsed guide section of a card (nothing when the incident has no chain).
pub fn write(out: &mut dyn Write, incident: &Incident) -> io::Result<()> {
    let guide = guide(incident, Values::Visible);
    if guide.summaries.is_empty() && guide.missing.is_empty() {
        return Ok(());
    }
    let steps = guide.investigate.len() + guide.respond.len();
    writeln!(
        out,
        "<details class=\"playbook\"><summary><h4>Investigate and respond</h4>\
<span class=\"muted\">{steps} steps, with {} commands filled in for this incident</span></summary>",
        Esc(incident.provider.as_str())
    )?;
    writeln!(out, "<div class=\"meaning\">")?;
    for (chain, summary) in &guide.summaries {
        writeln!(
            out,
            "<p><span class=\"chip\">{}</span> {}</p>",
            Esc(chain),
            Esc(summary)
        )?;
    }
    for chain in &guide.missing {
        writeln!(
            out,
            "<p><span class=\"chip\">{}</span> <span class=\"muted\">no guide for this chain</span></p>",
            Esc(chain)
        )?;
    }
    writeln!(out, "</div>")?;
    for (heading, steps) in [
        ("Investigate", &guide.investigate),
        ("Respond", &guide.respond),
    ] {
        if steps.is_empty() {
            continue;
        }
        writeln!(out, "<h5>{heading}</h5><ol class=\"steps\">")?;
        for step in steps {
            write_step(out, step)?;
        }
        writeln!(out, "</ol>")?;
    }
    if !guide.unfilled.is_empty() {
        writeln!(
            out,
            "<p class=\"muted\">The incident does not say {}: those are left as \
<code>'&lt;name&gt;'</code> to fill in.</p>",
            Esc(&guide.unfilled.join(", "))
        )?;
    }
    writeln!(out, "</details>")
}

fn write_step(out: &mut dyn Write, step: &Step) -> io::Result<()> {
    write!(
        out,
        "<li><b>{}</b><div class=\"why\">{}</div>",
        Esc(step.title),
        Esc(step.why)
    )?;
    if let Some(command) = &step.command {
        write!(out, "<pre class=\"cmd\"><code>")?;
        for (n, line) in command.lines().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", Esc(line))?;
        }
        write!(out, "</code></pre>")?;
    }
    writeln!(out, "</li>")
}
