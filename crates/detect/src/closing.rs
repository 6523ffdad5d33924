//! Detection over input read in time order, holding only the calls that can still change an
//! incident.
//!
//! [`crate::detect`] sees every call at once, so its state grows with the archive. An archive
//! read in time order lets most of that state go early: once no call still to come is older
//! than a watermark, an incident whose last call is more than two windows behind it is final.
//! A later call joins a cluster only within one window of its last call, and lineage reaches a
//! target through at most two hops of one window each, so nothing at or after the watermark
//! can touch a call before `watermark - 2 × window`. Such an incident is closed: kept as it
//! is, with its event rows, and its calls are let go, together with every other call that old
//! that no open incident holds.
//!
//! Closing re-runs the batch detector over the held calls (the same detection, not a second
//! one that could drift) and happens only when the held calls have grown by half since the
//! last closing, so its cost stays linear in the input.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{annotate, merge_group, phase_group, ApiCall};
use revertwatch_pack::{Pack, Provider};

use crate::events::sort_newest_first;
use crate::{detect, Detection, EventRow, Incident};

/// Below this many held calls a closing would free too little to pay for its detection pass.
const MIN_HELD: usize = 1024;

type Group = (Provider, String);

/// A call taken out for a detection: its group, and whether it was moved out of it (rather
/// than merged from copies of its phases).
type Taken = (Group, bool);

/// What a closed incident was about, and the events it held: a later detection that finds
/// only those events on that target has found a piece of it (a call shared with an incident
/// still open stays held), not a new incident.
type Target = (Provider, String, String);

/// Incremental detection for time-ordered input. Feed calls with [`Correlator::add`], say how
/// far the input has got with [`Correlator::advance`], and take the result from
/// [`Correlator::finish`]: the same incidents [`crate::detect`] finds over all the calls at
/// once, as long as no call arrives older than a watermark already given.
pub struct Correlator {
    pack: Pack,
    window: Duration,
    /// Phases of each operation, as read (merged at each detection).
    groups: BTreeMap<Group, Vec<ApiCall>>,
    held: usize,
    held_after_closing: usize,
    /// Set by [`Correlator::closing_from`]: close whenever this many calls are held.
    closing_from: Option<usize>,
    max_held: usize,
    closed: Vec<Incident>,
    closed_rows: Vec<EventRow>,
    closed_targets: BTreeMap<Target, BTreeSet<String>>,
    /// The watermark of the last closing: a call older than this arrived too late.
    closed_before: Option<DateTime<Utc>>,
    stats: ClosingStats,
}

/// What the correlator did, for the summary and the benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosingStats {
    /// Detection passes that closed incidents.
    pub closings: usize,
    /// The most calls (phases) held at once.
    pub peak_held: usize,
    /// Calls older than a watermark already given: incidents around them may be split.
    pub late: usize,
    /// Calls let go unfinished because more than [`Correlator::max_held`] were held.
    pub evicted: usize,
}

impl Correlator {
    pub fn new(pack: Pack, window: Duration) -> Correlator {
        Correlator {
            pack,
            window,
            groups: BTreeMap::new(),
            held: 0,
            held_after_closing: 0,
            closing_from: None,
            max_held: usize::MAX,
            closed: Vec::new(),
            closed_rows: Vec::new(),
            closed_targets: BTreeMap::new(),
            closed_before: None,
            stats: ClosingStats::default(),
        }
    }

    /// Closes at every [`Correlator::advance`] that finds at least `n` calls held, where the
    /// default waits for 1,024 and for half again what the last closing left (for tests).
    pub fn closing_from(mut self, n: usize) -> Correlator {
        self.closing_from = Some(n);
        self
    }

    /// Holds at most `n` calls: past it, incidents two windows behind the newest call are
    /// closed whatever the input order, and then the oldest calls are let go, counted in
    /// [`ClosingStats::evicted`]. A safety valve for input that is not in time order.
    pub fn max_held(mut self, n: usize) -> Correlator {
        self.max_held = n;
        self
    }

    pub fn add(&mut self, calls: impl IntoIterator<Item = ApiCall>) {
        for call in calls {
            if self.closed_before.is_some_and(|t| call.time < t) {
                self.stats.late += 1;
            }
            self.groups
                .entry(phase_group(&call))
                .or_default()
                .push(call);
            self.held += 1;
        }
        self.stats.peak_held = self.stats.peak_held.max(self.held);
        if self.held > self.max_held {
            self.evict();
        }
    }

    fn evict(&mut self) {
        let newest = self.groups.values().flatten().map(|c| c.time).max();
        if let Some(newest) = newest {
            self.close(newest);
        }
        if self.held <= self.max_held {
            return;
        }
        let mut by_age: Vec<(DateTime<Utc>, Group)> = self
            .groups
            .iter()
            .map(|(key, phases)| {
                let first = phases.iter().map(|p| p.time).min();
                (first.unwrap_or(DateTime::<Utc>::MIN_UTC), key.clone())
            })
            .collect();
        by_age.sort();
        for (_, key) in by_age {
            if self.held <= self.max_held {
                break;
            }
            if let Some(phases) = self.groups.remove(&key) {
                self.held -= phases.len();
                self.stats.evicted += phases.len();
            }
        }
    }

    /// Says that no call still to come is older than `watermark`; closes what that settles
    /// once enough calls are held for a closing to pay.
    pub fn advance(&mut self, watermark: DateTime<Utc>) {
        let due = match self.closing_from {
            Some(n) => n,
            None => MIN_HELD.max(self.held_after_closing + self.held_after_closing / 2),
        };
        if self.held < due {
            return;
        }
        self.close(watermark);
    }

    pub fn stats(&self) -> ClosingStats {
        self.stats
    }

    /// Every incident and event row, closed and open, ordered as [`crate::detect`] orders
    /// them.
    pub fn finish(mut self) -> (Detection, ClosingStats) {
        let (calls, _) = self.take_merged();
        let mut detection = detect(&calls, &self.pack, self.window);
        let remnants = self.remnants(&detection.incidents);
        detection
            .incidents
            .retain(|i| !remnants.contains(&i.incident_id));
        detection.events.retain(|r| {
            r.incident_id
                .as_ref()
                .is_none_or(|id| !remnants.contains(id))
        });
        detection.incidents.append(&mut self.closed);
        detection.events.append(&mut self.closed_rows);
        detection
            .incidents
            .sort_by(|a, b| (b.first_seen, &a.incident_id).cmp(&(a.first_seen, &b.incident_id)));
        sort_newest_first(&mut detection.events);
        (detection, self.stats)
    }

    fn close(&mut self, watermark: DateTime<Utc>) {
        let gap = self
            .window
            .checked_mul(2)
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .unwrap_or(chrono::Duration::MAX);
        let Some(cutoff) = watermark.checked_sub_signed(gap) else {
            return;
        };
        let (calls, taken) = self.take_merged();
        let detection = detect(&calls, &self.pack, self.window);
        let remnants = self.remnants(&detection.incidents);
        let mut closing_groups: BTreeSet<&Group> = BTreeSet::new();
        let mut open_groups: BTreeSet<&Group> = BTreeSet::new();
        let mut closing_ids: BTreeSet<String> = BTreeSet::new();
        let mut closing = Vec::new();
        for incident in detection.incidents {
            if remnants.contains(&incident.incident_id) {
                continue;
            }
            let groups = incident.evidence.iter().map(|e| &taken[e.call_index].0);
            if incident.last_seen < cutoff {
                closing_groups.extend(groups);
                closing_ids.insert(incident.incident_id.clone());
                closing.push(incident);
            } else {
                open_groups.extend(groups);
            }
        }
        // A merged call's time is its first phase's: an operation outside every incident goes
        // only once its last phase is past the cutoff too.
        let ended: BTreeMap<&Group, DateTime<Utc>> = calls
            .iter()
            .zip(&taken)
            .map(|(call, (key, moved))| {
                let last = match moved {
                    true => call.time,
                    false => self.groups[key]
                        .iter()
                        .map(|p| p.time)
                        .max()
                        .unwrap_or(call.time),
                };
                (key, last)
            })
            .collect();
        let gone: BTreeSet<Group> = ended
            .iter()
            .filter(|(key, end)| {
                !open_groups.contains(*key) && (closing_groups.contains(*key) || **end < cutoff)
            })
            .map(|(key, _)| (*key).clone())
            .collect();
        drop((closing_groups, open_groups, ended));
        for key in &gone {
            self.groups.remove(key);
        }
        self.put_back(calls, taken, &gone);
        self.held = self.groups.values().map(Vec::len).sum();
        self.closed_rows
            .extend(detection.events.into_iter().filter(|r| {
                r.incident_id
                    .as_ref()
                    .is_some_and(|id| closing_ids.contains(id))
            }));
        for incident in closing {
            self.closed_targets
                .entry((
                    incident.provider,
                    incident.target.clone(),
                    incident.target_kind.clone(),
                ))
                .or_default()
                .extend(incident.event_ids.iter().cloned());
            self.closed.push(incident);
        }
        self.closed_before = Some(self.closed_before.map_or(watermark, |t| t.max(watermark)));
        self.held_after_closing = self.held;
        self.stats.closings += 1;
    }

    /// The held calls merged and annotated, in the order [`revertwatch_normalize::merge_phases`]
    /// gives, each with the group it came from. A group of one annotated phase (every
    /// CloudTrail call) is moved out rather than copied, and [`Correlator::put_back`] returns
    /// it: copying every held call at each closing cost more than the detection.
    fn take_merged(&mut self) -> (Vec<ApiCall>, Vec<Taken>) {
        let mut merged: Vec<(ApiCall, Taken)> = self
            .groups
            .iter_mut()
            .map(|(key, phases)| {
                if phases.len() == 1 && phases[0].annotated {
                    let call = phases.pop().expect("one phase");
                    return (call, (key.clone(), true));
                }
                let mut call = merge_group(phases.clone());
                if !call.annotated {
                    annotate(&mut call, &self.pack);
                }
                (call, (key.clone(), false))
            })
            .collect();
        merged.sort_by(|(a, _), (b, _)| {
            a.time
                .cmp(&b.time)
                .then_with(|| a.event_id.cmp(&b.event_id))
        });
        merged.into_iter().unzip()
    }

    /// Returns the calls [`Correlator::take_merged`] moved out, except those of groups gone.
    fn put_back(&mut self, calls: Vec<ApiCall>, taken: Vec<Taken>, gone: &BTreeSet<Group>) {
        for (call, (key, moved)) in calls.into_iter().zip(taken) {
            if moved && !gone.contains(&key) {
                self.groups.entry(key).or_default().push(call);
            }
        }
    }

    /// Incidents made only of events of a closed incident on the same target.
    fn remnants(&self, incidents: &[Incident]) -> BTreeSet<String> {
        incidents
            .iter()
            .filter(|i| {
                self.closed_targets
                    .get(&(i.provider, i.target.clone(), i.target_kind.clone()))
                    .is_some_and(|ids| i.event_ids.iter().all(|e| ids.contains(e)))
            })
            .map(|i| i.incident_id.clone())
            .collect()
    }
}
