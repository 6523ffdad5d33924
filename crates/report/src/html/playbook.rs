//! The investigation guide and response playbook on each card: what the incident's chains
//! mean, what to look at next and what to do, each with its command for the incident's cloud,
//! filled in with the incident's ids (quoted for the shell, then escaped for HTML).

use std::io::{self, Write};
use std::sync::OnceLock;

use revertwatch_detect::Incident;
use revertwatch_pack::playbook::Action;
use revertwatch_pack::{default_playbooks, load_default, Facts, Pack};

use super::markup::Esc;
use crate::escape::terminal;

/// The default pack, for which calls detach a disk. The report is handed incidents only; the
/// pack's meaning of `detached` does not change with a user's extra entries.
fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(load_default)
}

/// Writes the collapsed guide section of a card (nothing when the incident has no chain).
pub fn write(out: &mut dyn Write, incident: &Incident) -> io::Result<()> {
    let guide = default_playbooks().guide(&incident.chains);
    if guide.summaries.is_empty() && guide.missing.is_empty() {
        return Ok(());
    }
    // Control characters in a value are made visible first (as `Esc` does for all log text),
    // so that the only line breaks left are the command's own.
    let facts = match serde_json::to_value(incident) {
        Ok(v) => Facts::from_incident(&v, pack()).map_values(|v| terminal(v).into_owned()),
        Err(_) => Facts::default(),
    };
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
    let mut unfilled: Vec<&str> = Vec::new();
    for (heading, actions) in [
        ("Investigate", &guide.investigate),
        ("Respond", &guide.respond),
    ] {
        if actions.is_empty() {
            continue;
        }
        writeln!(out, "<h5>{heading}</h5><ol class=\"steps\">")?;
        for action in actions.iter() {
            write_step(out, action, incident, &facts, &mut unfilled)?;
        }
        writeln!(out, "</ol>")?;
    }
    if !unfilled.is_empty() {
        writeln!(
            out,
            "<p class=\"muted\">The incident does not say {}: those are left as \
<code>'&lt;name&gt;'</code> to fill in.</p>",
            Esc(&unfilled.join(", "))
        )?;
    }
    writeln!(out, "</details>")
}

fn write_step(
    out: &mut dyn Write,
    action: &Action,
    incident: &Incident,
    facts: &Facts,
    unfilled: &mut Vec<&'static str>,
) -> io::Result<()> {
    write!(
        out,
        "<li><b>{}</b><div class=\"why\">{}</div>",
        Esc(&action.title),
        Esc(&action.why)
    )?;
    if let Some(template) = action.command(incident.provider) {
        let filled = facts.fill(template);
        for name in filled.missing {
            if !unfilled.contains(&name) {
                unfilled.push(name);
            }
        }
        write!(out, "<pre class=\"cmd\"><code>")?;
        for (n, line) in filled.text.lines().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", Esc(line))?;
        }
        write!(out, "</code></pre>")?;
    }
    writeln!(out, "</li>")
}
