//! Detect: from normalized calls to revert incidents.
//!
//! [`detect`] runs the default-pack detection over a set of merged, annotated calls: each call
//! is classified ([`classify`]), lineage edges join resources into a graph, and the signals
//! that reach one instance or VM within the window form an [`Incident`], scored with the seed's
//! formula. [`Detector`] runs that same detection over calls that arrive over time, holding
//! only what the [`Horizon`] says can still change an incident: `hunt` and `serve` both use it.
//!
//! Invariants:
//! - detection never sees raw bytes or files, only [`ApiCall`]s;
//! - the result depends on the set of calls, never on their order or on how they were split
//!   across inputs: every step sorts or works on sets, and incident ids hash what the incident
//!   is, not when it was read;
//! - a failed call is evidence and never raises a score;
//! - lineage is followed for at most the pack's [`Pack::lineage_hops`], the number the
//!   horizon holds calls for.
//!
//! ```
//! use revertwatch_detect::{detect, DEFAULT_WINDOW};
//! use revertwatch_pack::load_default;
//!
//! let detection = detect(&[], &load_default(), DEFAULT_WINDOW);
//! assert!(detection.incidents.is_empty());
//! ```

#![deny(missing_docs)]

mod anchor;
mod detector;
mod downtime;
mod events;
mod graph;
mod held;
mod horizon;
mod incident;
mod machine;
mod provenance;
mod restored;
pub mod routine;
pub mod seed_spl;
mod signal;

use std::time::Duration;

use revertwatch_normalize::ApiCall;
use revertwatch_pack::Pack;

pub use detector::{event_key, Detector, DetectorStats, Settled};
pub use downtime::{Downtime, StoppedPeriod, PROVENANCE_HORIZON};
pub use events::{sort_newest_first, EventRow};
pub use horizon::Horizon;
pub use incident::{Evidence, Incident, Severity, UnknownSeverity};
pub use machine::identity;
pub use provenance::{fact_key, is_provenance, Provenance, DEFAULT_MAX_PROVENANCE};
pub use restored::{RestoredFrom, RevertAge};
pub use routine::{History, ResetSeen, Routine};
pub use signal::{classify, Classified};

/// The default correlation window. A revert is one operator's work: stop, restore, attach
/// and start happen within minutes to a few hours. Six hours holds a slow restore of a large
/// volume and keeps an overnight scheduler's stop (evening) and start (morning) apart.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(6 * 3600);

/// Incidents and per-event rows for a set of merged calls.
#[derive(Debug, Default, Clone)]
pub struct Detection {
    /// Newest first, ties by id.
    pub incidents: Vec<Incident>,
    /// The seed's per-event rows, newest first.
    pub events: Vec<EventRow>,
}

impl Detection {
    /// Adds `other`'s incidents and rows; [`Detection::sort`] restores the order.
    pub fn append(&mut self, mut other: Detection) {
        self.incidents.append(&mut other.incidents);
        self.events.append(&mut other.events);
    }

    /// Puts incidents and rows in the order [`detect`] gives them.
    pub fn sort(&mut self) {
        self.incidents
            .sort_by(|a, b| (b.first_seen, &a.incident_id).cmp(&(a.first_seen, &b.incident_id)));
        sort_newest_first(&mut self.events);
    }
}

/// Runs the default-pack detection over merged, annotated calls
/// ([`revertwatch_normalize::logical_calls`] makes them). A stopped machine waits for its
/// start however long after; routine resets are judged on the resets among `calls`.
pub fn detect(calls: &[ApiCall], pack: &Pack, window: Duration) -> Detection {
    detect_built(
        calls,
        pack,
        window,
        Duration::MAX,
        &mut History::default(),
        calls.len(),
    )
    .0
}

/// [`detect`], with the indices of the calls each incident was made of: stopped machines wait
/// `provenance` for their start, and routine resets are judged on `history` (which gains the
/// resets among `calls`). Calls from index `recalled_from` on were recalled from the
/// provenance store: they only join machines.
fn detect_built(
    calls: &[ApiCall],
    pack: &Pack,
    window: Duration,
    provenance: Duration,
    history: &mut History,
    recalled_from: usize,
) -> (Detection, Vec<Vec<usize>>) {
    let classified: Vec<Option<Classified>> = calls.iter().map(|c| classify(c, pack)).collect();
    let mut built = incident::build(calls, &classified, pack, window, provenance, recalled_from);
    history.record(calls, &classified, pack);
    routine::judge(&mut built, calls, &classified, history);
    let events = events::rows(calls, &classified, &built);
    let (incidents, members) = built.into_iter().map(|b| (b.incident, b.members)).unzip();
    (Detection { incidents, events }, members)
}
