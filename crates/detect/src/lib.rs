//! Detect: from normalized calls to revert incidents.
//!
//! Invariants:
//! - detection never sees raw bytes or files, only [`ApiCall`]s;
//! - the result depends on the set of calls, never on their order or on how they were split
//!   across inputs: every step sorts or works on sets, and incident ids hash what the incident
//!   is, not when it was read;
//! - a failed call is evidence and never raises a score.

mod closing;
mod events;
mod graph;
mod incident;
pub mod seed_spl;
mod signal;

use std::time::Duration;

use revertwatch_normalize::ApiCall;
use revertwatch_pack::Pack;

pub use closing::{ClosingStats, Correlator};
pub use events::EventRow;
pub use incident::{Evidence, Incident, Severity};
pub use signal::{classify, Classified};

/// The default correlation window. A revert is one operator's work: stop, restore, attach
/// and start happen within minutes to a few hours. Six hours holds a slow restore of a large
/// volume and keeps an overnight scheduler's stop (evening) and start (morning) apart.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(6 * 3600);

/// Incidents and per-event rows for a set of merged calls.
#[derive(Debug, Default)]
pub struct Detection {
    pub incidents: Vec<Incident>,
    pub events: Vec<EventRow>,
}

/// Runs the default-pack detection over merged, annotated calls.
pub fn detect(calls: &[ApiCall], pack: &Pack, window: Duration) -> Detection {
    let classified: Vec<Option<Classified>> = calls.iter().map(|c| classify(c, pack)).collect();
    let incidents = incident::build(calls, &classified, pack, window);
    let events = events::rows(calls, &classified, &incidents);
    Detection { incidents, events }
}
