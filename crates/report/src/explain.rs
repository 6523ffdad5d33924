//! `hunt --explain INCIDENT`: one incident, its evidence timeline, and then its investigation
//! guide and response playbook, with each cloud command filled in with the incident's ids.
//!
//! Every string from a log is escaped for the terminal; in a command it is first quoted for the
//! shell, as one word (see [`crate::playbook`]).

use std::io::{self, Write};

use revertwatch_detect::{Evidence, Incident};
use revertwatch_normalize::format_time;
use revertwatch_pack::Provider;

use crate::escape::terminal;
use crate::playbook::{guide, FilledGuide, Step, Values};

/// Writes the explanation of the incident `wanted` names: its id, or a unique prefix of it.
/// An id that names none, or several, is an error that says which.
pub fn write(out: &mut dyn Write, wanted: &str, incidents: &[Incident]) -> io::Result<()> {
    let incident = find(wanted, incidents)?;
    header(out, incident)?;
    timeline(out, incident)?;
    // Values made safe for the terminal first, then quoted for the shell when filled in: a
    // control character in a log shows as an escape instead of acting on the screen.
    let guide = guide(incident, Values::Visible);
    playbook(out, incident.provider, &guide)
}

fn find<'a>(wanted: &str, incidents: &'a [Incident]) -> io::Result<&'a Incident> {
    let wanted = wanted.trim();
    if let Some(i) = incidents.iter().find(|i| i.incident_id == wanted) {
        return Ok(i);
    }
    let matches: Vec<&Incident> = if wanted.is_empty() {
        Vec::new()
    } else {
        incidents
            .iter()
            .filter(|i| i.incident_id.starts_with(wanted))
            .collect()
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(io::Error::other(format!(
            "no incident `{}` among the {} found (ids look like rw-0123456789abcdef)",
            terminal(wanted),
            incidents.len()
        ))),
        many => Err(io::Error::other(format!(
            "`{}` names {} incidents ({}); give more of the id",
            terminal(wanted),
            many.len(),
            many.iter()
                .take(5)
                .map(|i| i.incident_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn header(out: &mut dyn Write, i: &Incident) -> io::Result<()> {
    let why = match (i.is_snapshot_restore, i.is_ephemeral_reset) {
        (1, 1) => "snapshot restore + ephemeral reset",
        (1, _) => "snapshot restore",
        (_, 1) => "ephemeral reset",
        _ => "failed attempts only",
    };
    let qualifier = crate::machine_notes::qualifier(i).map_or(String::new(), |q| format!("; {q}"));
    writeln!(
        out,
        "Incident {}  {} (score {} of 2: {why}{qualifier})",
        terminal(&i.incident_id),
        i.severity.as_str().to_uppercase(),
        i.suspicion_score
    )?;
    if let Some(rule) = &i.suppressed_by {
        writeln!(out, "  suppressed by tuning rule `{}`", terminal(rule))?;
    }
    if let Some(rule) = &i.downgraded_by {
        writeln!(out, "  downgraded by tuning rule `{}`", terminal(rule))?;
    }
    writeln!(
        out,
        "  target      {} {}",
        terminal(&i.target_kind),
        terminal(&i.target)
    )?;
    let mut place = format!("{} account {}", i.provider, terminal(&i.account));
    if !i.region.is_empty() {
        place.push_str(&format!(", {}", terminal(&i.region)));
    }
    writeln!(out, "  where       {place}")?;
    writeln!(
        out,
        "  when        {} .. {}",
        format_time(&i.first_seen),
        format_time(&i.last_seen)
    )?;
    writeln!(out, "  chains      {}", list(&i.chains))?;
    writeln!(out, "  actors      {}", list(&i.actors))?;
    writeln!(out, "  source IPs  {}", list(&i.source_ips))?;
    writeln!(
        out,
        "  new machine {}",
        if i.new_machine { "yes" } else { "no" }
    )?;
    for (label, note) in crate::machine_notes::notes(i) {
        if label != "new machine" {
            writeln!(out, "  {label:<11} {}", terminal(&note))?;
        }
    }
    for note in &i.tuning_notes {
        writeln!(out, "  tuning      {}", terminal(note))?;
    }
    for (label, fact) in i.revert_facts() {
        writeln!(out, "  {label:<11} {}", terminal(&fact))?;
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "-".into();
    }
    items
        .iter()
        .map(|s| terminal(s).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn timeline(out: &mut dyn Write, i: &Incident) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Evidence, oldest first")?;
    let mut calls: Vec<&Evidence> = i.evidence.iter().collect();
    calls.sort_by_key(|c| c.time);
    for (n, c) in calls.iter().enumerate() {
        let chain = c
            .chain
            .as_deref()
            .map(|ch| format!(", chain {}", terminal(ch)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:>2}. {}  {}  [{}{chain}] {}",
            n + 1,
            format_time(&c.time),
            terminal(&c.operation),
            c.signal.as_str(),
            c.outcome
        )?;
        let mut who = format!("actor {}", terminal(&c.actor));
        if !c.source_ip.is_empty() {
            who.push_str(&format!(" from {}", terminal(&c.source_ip)));
        }
        if let Some(by) = &c.invoked_by {
            who.push_str(&format!(", invoked by {}", terminal(by)));
        }
        writeln!(out, "      {who}")?;
        if let Some(e) = &c.error {
            writeln!(out, "      error {}", terminal(e))?;
        }
        for r in &c.resources {
            writeln!(out, "      {} {}", terminal(&r.kind), terminal(&r.id))?;
        }
        writeln!(
            out,
            "      event {} ({})",
            terminal(&c.event_ids.join(", ")),
            terminal(&c.origin)
        )?;
    }
    Ok(())
}

fn playbook(out: &mut dyn Write, cloud: Provider, guide: &FilledGuide) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "What it means")?;
    for (chain, summary) in &guide.summaries {
        writeln!(out, "  {chain}: {summary}")?;
    }
    for chain in &guide.missing {
        writeln!(
            out,
            "  {}: no guide for this chain (it comes from a pack of your own)",
            terminal(chain)
        )?;
    }
    for (heading, steps) in [
        ("Investigate", &guide.investigate),
        ("Respond", &guide.respond),
    ] {
        if steps.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{heading}")?;
        for (n, s) in steps.iter().enumerate() {
            step(out, n + 1, s, cloud)?;
        }
    }
    if !guide.unfilled.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "The incident does not say {}: those are left as '<name>' to fill in.",
            guide.unfilled.join(", ")
        )?;
    }
    Ok(())
}

fn step(out: &mut dyn Write, n: usize, step: &Step, cloud: Provider) -> io::Result<()> {
    writeln!(out, "  {n}. {}", step.title)?;
    writeln!(out, "     {}", step.why)?;
    let Some(command) = &step.command else {
        return writeln!(out, "     (no {cloud} command)");
    };
    for line in command.lines() {
        writeln!(out, "       {line}")?;
    }
    Ok(())
}
