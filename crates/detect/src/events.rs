//! The seed's per-event table, each row carrying the incident it belongs to.

use chrono::{DateTime, Utc};
use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::{Provider, Signal};
use serde::{Deserialize, Serialize};

use crate::incident::Built;
use crate::signal::Classified;

/// One signal event, in the seed's columns (snake case) plus where it belongs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    /// When the call was made.
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub time: DateTime<Utc>,
    /// The cloud.
    pub provider: Provider,
    /// Who made the call.
    pub actor: String,
    /// Where it came from.
    pub source_ip: String,
    /// The operation, as the provider names it.
    pub operation: String,
    /// The incident's target.
    pub target_resource: String,
    /// 1 for a successful restore.
    pub is_snapshot_restore: u8,
    /// 1 for a successful reset.
    pub is_ephemeral_reset: u8,
    /// The sum of the two.
    pub suspicion_score: u8,
    /// The provider's event id.
    pub event_id: String,
    /// Account, subscription or project.
    pub account: String,
    /// Region or location.
    pub region: String,
    /// How the call ended.
    pub outcome: Outcome,
    /// The incident the row belongs to.
    pub incident_id: Option<String>,
    /// The tuning rule that suppressed that incident, if any.
    pub suppressed_by: Option<String>,
}

/// A row per (signal call, incident): a stop of three instances is three rows, one per
/// incident, where the seed showed one row with target "unknown".
pub(crate) fn rows(
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    incidents: &[Built],
) -> Vec<EventRow> {
    let mut out = Vec::new();
    for Built { incident, members } in incidents {
        for &i in members {
            let call = &calls[i];
            let Some(class) = &classified[i] else {
                continue;
            };
            if !class.scores() {
                continue;
            }
            let counted = call.outcome != Outcome::Failure;
            let restore = u8::from(counted && class.has(Signal::SnapshotRestore));
            let reset = u8::from(counted && class.has(Signal::EphemeralReset));
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
                outcome: call.outcome,
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
