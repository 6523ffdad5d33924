//! Alerts: what changed since the last alert of each incident, and the alert itself.

use std::collections::BTreeSet;

use chrono::Utc;
use revertwatch_detect::{Incident, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::partition::Partition;
use crate::store::{self, Changes};

/// Whether a batch may alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    /// Rebuilding a partition taken over from another instance: its incidents were already
    /// alerted there, so they are recorded as alerted, not alerted again.
    Replay,
}

/// Compares new incidents with what was alerted; writes alerts and emitted state to `changes`.
pub(crate) fn diff(
    part_key: &str,
    part: &mut Partition,
    incidents: &[Incident],
    mode: Mode,
    changes: &mut Changes,
) -> usize {
    let current: BTreeSet<&str> = incidents.iter().map(|i| i.incident_id.as_str()).collect();
    // Incidents that no longer exist under their id: a late, earlier call moved their start.
    let gone: Vec<(String, BTreeSet<String>)> = part
        .incidents
        .iter()
        .filter(|i| !current.contains(i.incident_id.as_str()))
        .filter(|i| part.emitted.contains_key(&i.incident_id))
        .map(|i| (i.incident_id.clone(), i.event_ids.iter().cloned().collect()))
        .collect();
    let mut alerts = 0;
    for incident in incidents {
        // A routine reset (info) is not alerted: it is held, listed and counted, and it alerts
        // as `opened` if a restore or an unusual call later makes it more (docs/SERVE.md).
        let Some(level) = level(incident.severity) else {
            continue;
        };
        if incident.suppressed_by.is_some() {
            continue;
        }
        let before = part.emitted.get(&incident.incident_id).copied();
        let kind = match before {
            None => "opened",
            Some(b) if level > b => "escalated",
            Some(_) => continue,
        };
        part.emitted.insert(incident.incident_id.clone(), level);
        changes
            .put_emitted
            .push((store::key(part_key, &incident.incident_id), level));
        if mode == Mode::Replay {
            continue;
        }
        let supersedes: Vec<&str> = gone
            .iter()
            .filter(|(_, ids)| incident.event_ids.iter().any(|e| ids.contains(e)))
            .map(|(id, _)| id.as_str())
            .collect();
        changes.alerts.push(alert(incident, kind, &supersedes));
        alerts += 1;
    }
    let stale: Vec<String> = part
        .emitted
        .keys()
        .filter(|id| !current.contains(id.as_str()))
        .cloned()
        .collect();
    for id in stale {
        part.emitted.remove(&id);
        changes.drop_emitted.push(store::key(part_key, &id));
    }
    alerts
}

/// The level an alerted severity is stored at (1 review, 2 escalate, as state files have
/// always held them); none for what is not alerted.
fn level(severity: Severity) -> Option<u8> {
    match severity {
        Severity::Review => Some(1),
        Severity::Escalate => Some(2),
        Severity::None | Severity::Info => None,
    }
}

/// An alert: the incident as `hunt --format jsonl` prints it, with what happened to it.
fn alert(incident: &Incident, kind: &str, supersedes: &[&str]) -> Vec<u8> {
    let mut value = serde_json::to_value(incident).unwrap_or(Value::Null);
    let id = alert_id(&incident.incident_id, incident.severity);
    if let Value::Object(map) = &mut value {
        map.insert("alert".into(), json!(kind));
        map.insert("alert_id".into(), json!(id));
        map.insert(
            "alerted_at".into(),
            json!(revertwatch_normalize::format_time(&Utc::now())),
        );
        map.insert("supersedes".into(), json!(supersedes));
    }
    revertwatch_escape::json::to_vec(&value).unwrap_or_default()
}

/// The same incident in the same state always has the same alert id: sinks dedupe on it.
/// It is 24 lower-case hex digits (the first 12 bytes of a SHA-256 of the id and severity).
pub fn alert_id(incident_id: &str, severity: Severity) -> String {
    let digest = Sha256::digest(format!("{incident_id}:{}", severity.as_str()));
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}
