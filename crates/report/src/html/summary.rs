//! The top of the report: counts by severity, what the incidents span, and an overview table
//! that links to each card.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use revertwatch_detect::{Incident, Severity};

use super::card;
use super::markup::{short_actor, shorten, tail, write_time, Breakable, Esc};

/// Accounts listed by name before the rest are only counted.
const ACCOUNTS_SHOWN: usize = 12;

pub fn write(
    out: &mut dyn Write,
    incidents: &[Incident],
    generated: DateTime<Utc>,
) -> io::Result<()> {
    writeln!(out, "<section class=\"summary\"><div class=\"tiles\">")?;
    write_tiles(out, incidents)?;
    writeln!(out, "</div><dl class=\"facts wide\">")?;
    write_providers(out, incidents)?;
    write_accounts(out, incidents)?;
    write_times(out, incidents, generated)?;
    writeln!(out, "</dl></section>")
}

/// The counts by severity. These leave suppressed incidents out: they have their own tile.
fn write_tiles(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    let live = || incidents.iter().filter(|i| i.suppressed_by.is_none());
    let count = |severity| live().filter(|i| i.severity == severity).count();
    let suppressed = incidents.len() - live().count();
    let downgraded = live().filter(|i| i.downgraded_by.is_some()).count();
    let failed_only = count(Severity::None);
    let routine = count(Severity::Info);

    tile(
        out,
        "escalate",
        count(Severity::Escalate),
        "escalate",
        "snapshot restore + ephemeral reset",
    )?;
    tile(
        out,
        "review",
        count(Severity::Review),
        "review",
        "one of the two",
    )?;
    tile(
        out,
        "suppressed",
        suppressed,
        "suppressed",
        "by a tuning rule",
    )?;
    tile(
        out,
        "downgraded",
        downgraded,
        "downgraded",
        "escalate → review by a rule",
    )?;
    if routine > 0 {
        tile(
            out,
            "info",
            routine,
            "info",
            "routine resets (--show-routine)",
        )?;
    }
    if failed_only > 0 {
        tile(
            out,
            "failed",
            failed_only,
            "failed only",
            "attempts that did not succeed",
        )?;
    }
    Ok(())
}

fn write_providers(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    let mut providers: BTreeMap<&str, usize> = BTreeMap::new();
    for i in incidents {
        *providers.entry(i.provider.as_str()).or_default() += 1;
    }
    write!(out, "<div><dt>Providers</dt><dd>")?;
    for (provider, n) in &providers {
        write!(
            out,
            "<span class=\"chip\">{} <b>{n}</b></span> ",
            Esc(provider)
        )?;
    }
    if providers.is_empty() {
        write!(out, "<span class=\"muted\">none</span>")?;
    }
    write!(out, "</dd></div>")
}

fn write_accounts(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    let mut accounts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in incidents {
        *accounts.entry(&i.account).or_default() += 1;
    }
    write!(out, "<div><dt>Accounts ({})</dt><dd>", accounts.len())?;
    for (account, n) in accounts.iter().take(ACCOUNTS_SHOWN) {
        write!(
            out,
            "<span class=\"chip\"><code>{}</code> <b>{n}</b></span> ",
            Esc(account)
        )?;
    }
    if accounts.len() > ACCOUNTS_SHOWN {
        write!(
            out,
            "<span class=\"muted\">and {} more</span>",
            accounts.len() - ACCOUNTS_SHOWN
        )?;
    }
    writeln!(out, "</dd></div>")
}

/// What the incidents span, and when the report was made.
fn write_times(
    out: &mut dyn Write,
    incidents: &[Incident],
    generated: DateTime<Utc>,
) -> io::Result<()> {
    let first = incidents.iter().map(|i| i.first_seen).min();
    let last = incidents.iter().map(|i| i.last_seen).max();
    write!(out, "<div><dt>Time span (UTC)</dt><dd>")?;
    match (first, last) {
        (Some(first), Some(last)) => {
            write_time(out, &first)?;
            write!(out, " → ")?;
            write_time(out, &last)?;
        }
        _ => write!(out, "<span class=\"muted\">no incidents</span>")?,
    }
    write!(out, "</dd></div><div><dt>Generated (UTC)</dt><dd>")?;
    write_time(out, &generated)?;
    write!(out, "</dd></div>")
}

fn tile(out: &mut dyn Write, class: &str, n: usize, label: &str, hint: &str) -> io::Result<()> {
    let zero = if n == 0 { " zero" } else { "" };
    writeln!(
        out,
        "<div class=\"tile {class}{zero}\"><span class=\"n\">{n}</span><span class=\"label\">{label}</span>\
<span class=\"hint\">{hint}</span></div>"
    )
}

/// One row per shown incident, in report order, each linking to its card by `anchor`.
pub fn write_overview(out: &mut dyn Write, shown: &[(&Incident, String)]) -> io::Result<()> {
    if shown.is_empty() {
        return writeln!(
            out,
            "<section class=\"empty\"><h2>No incidents</h2><p>No revert reached an instance, VM \
or restored resource in these logs.</p></section>"
        );
    }
    writeln!(
        out,
        "<section class=\"overview\"><h2>Overview</h2><div class=\"scroll\"><table><thead><tr>\
<th>Severity</th><th>Incident</th><th>Target</th>\
<th>First seen (UTC)</th><th>Chains</th><th>Actors</th></tr></thead><tbody>"
    )?;
    for (incident, anchor) in shown {
        let (class, text) = card::badge(incident);
        let actors: Vec<&str> = incident.actors.iter().map(|a| short_actor(a)).collect();
        writeln!(
            out,
            "<tr><td><span class=\"badge {class}\">{text}</span></td>\
<td><a href=\"#{anchor}\"><code>{}</code></a></td><td><span class=\"kind\">{}</span> <code title=\"{}\">{}</code>\
<div class=\"sub\">{} · <code title=\"{}\">{}</code></div></td><td>",
            Esc(&incident.incident_id),
            Esc(&incident.target_kind),
            Esc(&incident.target),
            Esc(&shorten(tail(&incident.target), 34)),
            Esc(incident.provider.as_str()),
            Esc(&incident.account),
            Esc(&shorten(&incident.account, 24)),
        )?;
        write_time(out, &incident.first_seen)?;
        write!(out, "</td><td class=\"wrap\">")?;
        for chain in &incident.chains {
            write!(out, "<span class=\"chip\">{}</span> ", Esc(chain))?;
        }
        writeln!(
            out,
            "</td><td class=\"wrap\">{}</td></tr>",
            Breakable(&shorten(&actors.join(", "), 36)),
        )?;
    }
    writeln!(out, "</tbody></table></div></section>")
}
