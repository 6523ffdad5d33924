//! The seed's per-event table, each row carrying the incident it belongs to.

use chrono::{DateTime, Utc};
use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::{Provider, Signal};
use serde::Serialize;

use crate::incident::Incident;
use crate::signal::Classified;

/// One signal event, in the seed's columns (snake case) plus where it belongs.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub time: DateTime<Utc>,
    pub provider: Provider,
    pub actor: String,
    pub source_ip: String,
    pub operation: String,
    pub target_resource: String,
    pub is_snapshot_restore: u8,
    pub is_ephemeral_reset: u8,
    pub suspicion_score: u8,
    pub event_id: String,
    pub account: String,
    pub region: String,
    pub outcome: &'static str,
    pub incident_id: Option<String>,
    pub suppressed_by: Option<String>,
}

/// A row per (signal call, incident): a stop of three instances is three rows, one per
/// incident, where the seed showed one row with target "unknown".
pub fn rows(
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    incidents: &[Incident],
) -> Vec<EventRow> {
    let mut out = Vec::new();
    for incident in incidents {
        for e in &incident.evidence {
            let call = &calls[e.call_index];
            let Some(class) = &classified[e.call_index] else {
                continue;
            };
            if class.signal == Signal::Link {
                continue;
            }
            let counted = call.outcome != Outcome::Failure;
            let restore = u8::from(counted && class.signal == Signal::SnapshotRestore);
            let reset = u8::from(counted && class.signal == Signal::EphemeralReset);
            out.push(EventRow {
                time: call.time,
                provider: call.provider,
                actor: call.actor.id.clone(),
                source_ip: call.source_ip.clone(),
                operation: call.operation.clone(),
                target_resource: incident.target.clone(),
                is_snapshot_restore: restore,
                is_ephemeral_reset: reset,
                suspicion_score: restore + reset,
                event_id: call.event_id.clone(),
                account: call.account.clone(),
                region: call.region.clone(),
                outcome: call.outcome.as_str(),
                incident_id: Some(incident.incident_id.clone()),
                suppressed_by: incident.suppressed_by.clone(),
            });
        }
    }
    sort_newest_first(&mut out);
    out
}

/// The seed's `sort - _time`, with ties broken so that output is stable.
pub fn sort_newest_first(rows: &mut [EventRow]) {
    rows.sort_by(|a, b| {
        (b.time, &a.event_id, &a.target_resource).cmp(&(a.time, &b.event_id, &b.target_resource))
    });
}
