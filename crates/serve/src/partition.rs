//! One partition's state in memory: its detector, what was alerted, and its closed incidents.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use revertwatch_detect::{Detector, Horizon, Incident, Severity};
use revertwatch_pack::Pack;

pub(crate) struct Partition {
    /// The calls held and what they add up to: the same detector `hunt` uses.
    pub detector: Detector,
    /// Incident id -> severity last alerted.
    pub emitted: BTreeMap<String, u8>,
    /// The open incidents, tuned, as last detected.
    pub incidents: Vec<Incident>,
    /// Incident id -> a closed incident: its last call is older than the horizon, so nothing
    /// can join it any more; its calls were let go, its final form is kept.
    pub closed: BTreeMap<String, Closed>,
}

impl Partition {
    pub fn new(pack: &Pack, horizon: Horizon) -> Partition {
        Partition {
            // Routine evidence outlives the calls it came from: the engine persists it.
            detector: Detector::new(pack.clone(), horizon).persist_routine(),
            emitted: BTreeMap::new(),
            incidents: Vec::new(),
            closed: BTreeMap::new(),
        }
    }
}

pub(crate) struct Closed {
    /// Whether tuning suppressed it, and its severity, for /metrics.
    pub suppressed: bool,
    pub severity: Severity,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub json: Vec<u8>,
}

impl Closed {
    pub fn of(incident: &Incident) -> Closed {
        Closed {
            suppressed: incident.suppressed_by.is_some(),
            severity: incident.severity,
            first_seen: incident.first_seen,
            last_seen: incident.last_seen,
            json: revertwatch_escape::json::to_vec(incident).unwrap_or_default(),
        }
    }
}
