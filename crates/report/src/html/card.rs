//! One incident as a card: what it is and why it scored, its lineage graph, its timeline, and
//! its investigation guide and response playbook.

use std::io::{self, Write};

use revertwatch_detect::{Evidence, Incident, Severity};
use revertwatch_pack::Signal;

use super::lineage;
use super::markup::{shorten, tail, write_time, Breakable, Esc};

/// The badge an incident wears: its severity, or `suppressed` when a tuning rule hid it.
pub fn badge(incident: &Incident) -> (&'static str, &'static str) {
    if incident.suppressed_by.is_some() {
        return ("suppressed", "SUPPRESSED");
    }
    match incident.severity {
        Severity::Escalate => ("escalate", "ESCALATE"),
        Severity::Review => ("review", "REVIEW"),
        Severity::Info => ("info", "INFO (ROUTINE)"),
        Severity::None => ("failed", "FAILED ONLY"),
    }
}

/// Why the incident scored what it did, in the analyst's words.
pub fn why(incident: &Incident) -> &'static str {
    match (incident.is_snapshot_restore, incident.is_ephemeral_reset) {
        (1, 1) => "snapshot restore + ephemeral reset",
        (1, _) => "snapshot restore",
        (_, 1) => "ephemeral reset",
        _ => "failed attempts only",
    }
}

/// [`why`], with what lowered the severity below the score's (`routine`, `new machine`).
fn why_qualified(incident: &Incident) -> String {
    match crate::machine_notes::qualifier(incident) {
        Some(q) => format!("{}; {q}", why(incident)),
        None => why(incident).to_string(),
    }
}

/// Writes the card. `anchor` is the element id the overview links to; it is made by the report,
/// never taken from a log.
pub fn write(out: &mut dyn Write, incident: &Incident, anchor: &str) -> io::Result<()> {
    let (class, text) = badge(incident);
    writeln!(out, "<article class=\"card sev-{class}\" id=\"{anchor}\">")?;
    writeln!(
        out,
        "<header class=\"card-head\"><span class=\"badge {class}\">{text}</span>\
<h3 class=\"incident-id\">{}</h3><span class=\"score\">score {} of 2 · {}</span>",
        Esc(&incident.incident_id),
        incident.suspicion_score,
        Esc(&why_qualified(incident)),
    )?;
    if let Some(rule) = &incident.suppressed_by {
        write!(
            out,
            "<span class=\"tuned\">suppressed by <b>{}</b> (was {})</span>",
            Esc(rule),
            incident.severity.as_str()
        )?;
    }
    if let Some(rule) = &incident.downgraded_by {
        write!(
            out,
            "<span class=\"tuned\">downgraded by <b>{}</b></span>",
            Esc(rule)
        )?;
    }
    writeln!(out, "</header>")?;
    write!(
        out,
        "<p class=\"target\"><span class=\"kind\">{}</span> <code>{}</code>\
<span class=\"where\">{} · {}",
        Esc(&incident.target_kind),
        Breakable(&incident.target),
        Esc(incident.provider.as_str()),
        Esc(&incident.account),
    )?;
    if !incident.region.is_empty() {
        write!(out, " · {}", Esc(&incident.region))?;
    }
    writeln!(out, "</span></p>")?;
    write_facts(out, incident)?;
    let machine = crate::machine_notes::notes(incident);
    if !machine.is_empty() {
        writeln!(out, "<ul class=\"notes machine\">")?;
        for (label, note) in &machine {
            writeln!(out, "<li><b>{label}</b>: {}</li>", Esc(note))?;
        }
        writeln!(out, "</ul>")?;
    }
    if !incident.tuning_notes.is_empty() {
        writeln!(out, "<ul class=\"notes\">")?;
        for note in &incident.tuning_notes {
            writeln!(out, "<li>{}</li>", Esc(note))?;
        }
        writeln!(out, "</ul>")?;
    }
    let mut calls: Vec<&Evidence> = incident.evidence.iter().collect();
    calls.sort_by_key(|c| c.time);
    writeln!(out, "<h4>Lineage</h4><div class=\"graph\">")?;
    lineage::write_svg(out, incident, &calls)?;
    writeln!(out, "</div><h4>Timeline</h4>")?;
    write_timeline(out, &calls)?;
    super::playbook::write(out, incident)?;
    writeln!(out, "</article>")
}

fn write_facts(out: &mut dyn Write, incident: &Incident) -> io::Result<()> {
    writeln!(out, "<dl class=\"facts\">")?;
    write!(out, "<div><dt>Chains</dt><dd>")?;
    if incident.chains.is_empty() {
        write!(out, "<span class=\"muted\">none</span>")?;
    }
    for chain in &incident.chains {
        write!(out, "<span class=\"chip\">{}</span> ", Esc(chain))?;
    }
    writeln!(out, "</dd></div>")?;
    let span = incident.last_seen - incident.first_seen;
    write!(out, "<div><dt>First seen (UTC)</dt><dd>")?;
    write_time(out, &incident.first_seen)?;
    write!(out, "</dd></div><div><dt>Last seen (UTC)</dt><dd>")?;
    write_time(out, &incident.last_seen)?;
    writeln!(
        out,
        " <span class=\"muted\">(+{} min)</span></dd></div>",
        span.num_minutes()
    )?;
    write_list(out, "Actors", &incident.actors)?;
    write_list(out, "Source IPs", &incident.source_ips)?;
    writeln!(
        out,
        "<div><dt>Calls</dt><dd>{} ({} failed)</dd></div>",
        incident.evidence.len(),
        incident.failed_attempts
    )?;
    writeln!(out, "</dl>")
}

fn write_list(out: &mut dyn Write, name: &str, items: &[String]) -> io::Result<()> {
    write!(out, "<div><dt>{name}</dt><dd>")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(out, "<br>")?;
        }
        write!(out, "<code>{}</code>", Breakable(item))?;
    }
    writeln!(out, "</dd></div>")
}

fn write_timeline(out: &mut dyn Write, calls: &[&Evidence]) -> io::Result<()> {
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"timeline\"><colgroup><col class=\"c-time\"><col class=\"c-actor\">\
<col class=\"c-type\"><col class=\"c-ip\"><col class=\"c-ua\"><col class=\"c-op\"><col class=\"c-outcome\">\
<col class=\"c-res\"></colgroup><thead><tr><th>Time (UTC)</th><th>Actor</th>\
<th>Actor type</th><th>Source IP</th><th>User agent</th><th>Operation</th><th>Outcome</th>\
<th>Resources</th></tr></thead><tbody>"
    )?;
    for call in calls {
        write_call(out, call)?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn write_call(out: &mut dyn Write, call: &Evidence) -> io::Result<()> {
    let failed = call.outcome == revertwatch_normalize::Outcome::Failure;
    write!(out, "<tr{}>", if failed { " class=\"failed\"" } else { "" })?;
    write_time_cell(out, call)?;
    write_actor_cells(out, call)?;
    write_operation_cell(out, call)?;
    write_outcome_cell(out, call, failed)?;
    write_resources_cell(out, call)?;
    writeln!(out, "</tr>")
}

/// The time, with the file the call came from under it; the full origin and event ids go in
/// the title, being too long for the column.
fn write_time_cell(out: &mut dyn Write, call: &Evidence) -> io::Result<()> {
    write!(out, "<td class=\"time\">")?;
    write_time(out, &call.time)?;
    write!(
        out,
        "<div class=\"sub\" title=\"{} · event {}\">{}</div></td>",
        Esc(&call.origin),
        Esc(&call.event_ids.join(", ")),
        Esc(&shorten(tail(&call.origin), 24)),
    )
}

/// Who made the call and from where: actor, actor type, source IP and user agent.
fn write_actor_cells(out: &mut dyn Write, call: &Evidence) -> io::Result<()> {
    write!(
        out,
        "<td class=\"actor\"><code>{}</code>",
        Breakable(&call.actor)
    )?;
    if let Some(by) = &call.invoked_by {
        write!(out, "<div class=\"sub\">invoked by {}</div>", Esc(by))?;
    }
    if let Some(issuer) = call.session_issuer.as_ref().filter(|i| **i != call.actor) {
        write!(out, "<div class=\"sub\">session of {}</div>", Esc(issuer))?;
    }
    write!(
        out,
        "</td><td>{}</td><td><code>{}</code></td><td class=\"ua\"><div class=\"clamp\" title=\"{}\">{}</div></td>",
        Esc(&call.actor_type),
        Esc(&call.source_ip),
        Esc(&call.user_agent),
        Esc(&call.user_agent),
    )
}

fn write_operation_cell(out: &mut dyn Write, call: &Evidence) -> io::Result<()> {
    let (signal_class, signal_text) = match call.signal {
        Signal::SnapshotRestore => ("restore", "snapshot restore"),
        Signal::EphemeralReset => ("reset", "ephemeral reset"),
        Signal::EvidenceDestroyed => ("destroyed", "evidence destroyed"),
        Signal::Link => ("link", "link"),
    };
    write!(
        out,
        "<td class=\"op\"><b>{}</b><div><span class=\"signal {signal_class}\">{signal_text}</span>",
        Breakable(&call.operation)
    )?;
    if let Some(chain) = &call.chain {
        write!(out, " <span class=\"chip\">{}</span>", Esc(chain))?;
    }
    write!(out, "</div></td>")
}

fn write_outcome_cell(out: &mut dyn Write, call: &Evidence, failed: bool) -> io::Result<()> {
    if failed {
        write!(
            out,
            "<td><span class=\"outcome failure\">\u{2717} failure</span>"
        )?;
    } else {
        write!(
            out,
            "<td><span class=\"outcome {0}\">{0}</span>",
            Esc(call.outcome.as_str())
        )?;
    }
    if let Some(error) = &call.error {
        write!(
            out,
            "<div class=\"sub clamp\" title=\"{}\">{}</div>",
            Esc(error),
            Breakable(error)
        )?;
    }
    write!(out, "</td>")
}

fn write_resources_cell(out: &mut dyn Write, call: &Evidence) -> io::Result<()> {
    write!(out, "<td class=\"res\">")?;
    for r in &call.resources {
        write!(
            out,
            "<div><span class=\"kind\">{}</span> <code title=\"{}\">{}</code></div>",
            Esc(&r.kind),
            Esc(&r.id),
            Esc(&shorten(tail(&r.id), 40)),
        )?;
    }
    for (key, value) in &call.tags {
        write!(
            out,
            "<div class=\"sub\">tag {}={}</div>",
            Esc(key),
            Esc(value)
        )?;
    }
    write!(out, "</td>")
}
