//! CSV, one row per incident or event. Lists are joined with `;`, and every cell a
//! spreadsheet would run as a formula is defused ([`csv_cell`]).

use std::io::{self, Write};

use revertwatch_detect::{EventRow, Incident, RevertAge};
use revertwatch_normalize::format_time;

use crate::escape::csv_cell;
use crate::output::Output;

/// Comma-separated values with a header row.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

impl Output for Csv {
    fn incidents(&self, out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
        self::incidents(out, incidents)
    }

    fn events(&self, out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
        self::events(out, rows)
    }
}

const INCIDENT_COLUMNS: [&str; 25] = [
    "incident_id",
    "provider",
    "account",
    "region",
    "target",
    "first_seen",
    "last_seen",
    "severity",
    "suspicion_score",
    "is_snapshot_restore",
    "is_ephemeral_reset",
    "chains",
    "operations",
    "actors",
    "source_ips",
    "event_ids",
    "suppressed_by",
    "new_machine",
    "downtime_seconds",
    "routine_actor",
    "restored_from",
    "revert_age_seconds",
    "revert_age",
    "revert_age_unknown",
    "evidence_destroyed",
];

const EVENT_COLUMNS: [&str; 14] = [
    "time",
    "provider",
    "actor",
    "source_ip",
    "operation",
    "target_resource",
    "is_snapshot_restore",
    "is_ephemeral_reset",
    "suspicion_score",
    "event_id",
    "account",
    "region",
    "outcome",
    "incident_id",
];

fn write_rows(
    out: &mut dyn Write,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header)?;
    for row in rows {
        w.write_record(
            row.iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .iter()
                .map(|c| c.as_ref()),
        )?;
    }
    w.flush()
}

fn incidents(out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
    write_rows(
        out,
        &INCIDENT_COLUMNS,
        incidents.iter().map(|i| {
            vec![
                i.incident_id.clone(),
                i.provider.to_string(),
                i.account.clone(),
                i.region.clone(),
                i.target.clone(),
                format_time(&i.first_seen),
                format_time(&i.last_seen),
                i.severity.as_str().to_string(),
                i.suspicion_score.to_string(),
                i.is_snapshot_restore.to_string(),
                i.is_ephemeral_reset.to_string(),
                i.chains.join(";"),
                i.operations.join(";"),
                i.actors.join(";"),
                i.source_ips.join(";"),
                i.event_ids.join(";"),
                i.suppressed_by.clone().unwrap_or_default(),
                i.new_machine.to_string(),
                i.downtime
                    .as_ref()
                    .map(|d| d.seconds.to_string())
                    .unwrap_or_default(),
                i.routine
                    .as_ref()
                    .map(|r| r.actor.clone())
                    .unwrap_or_default(),
                i.restored_from
                    .iter()
                    .map(|r| r.describe())
                    .collect::<Vec<_>>()
                    .join(";"),
                age(i, |a| a.seconds.map(|s| s.to_string())),
                age(i, |a| a.human.clone()),
                age(i, |a| a.unknown.clone()),
                i.evidence_destroyed.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// One field of the revert age, empty when the incident restores nothing.
fn age(i: &Incident, field: impl Fn(&RevertAge) -> Option<String>) -> String {
    i.revert_age.as_ref().and_then(field).unwrap_or_default()
}

fn events(out: &mut dyn Write, rows: &[EventRow]) -> io::Result<()> {
    write_rows(
        out,
        &EVENT_COLUMNS,
        rows.iter().map(|r| {
            vec![
                format_time(&r.time),
                r.provider.to_string(),
                r.actor.clone(),
                r.source_ip.clone(),
                r.operation.clone(),
                r.target_resource.clone(),
                r.is_snapshot_restore.to_string(),
                r.is_ephemeral_reset.to_string(),
                r.suspicion_score.to_string(),
                r.event_id.clone(),
                r.account.clone(),
                r.region.clone(),
                r.outcome.to_string(),
                r.incident_id.clone().unwrap_or_default(),
            ]
        }),
    )
}
