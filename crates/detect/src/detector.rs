//! Detection over calls that arrive over time, holding only the calls that can still change
//! an incident. `hunt` (an archive read in time order) and `serve` (one detector per
//! partition) are both thin users of [`Detector`].
//!
//! The detector runs the batch detector ([`crate::detect`]) over the calls it holds, so there
//! is one detection, not a second one that could drift. Once input has reached a time `now`,
//! every incident whose last call is before the [`Horizon`]'s cutoff is final: it is settled
//! (handed to the caller with its event rows) and its calls are let go, together with every
//! other call that old that no open incident holds.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use revertwatch_normalize::{annotate, merge_group, phase_group, ApiCall};
use revertwatch_pack::{Pack, Provider};
use sha2::{Digest, Sha256};

use crate::held::{Group, Held, Taken};
use crate::provenance::{fact_key, group_key, is_provenance, Provenance};
use crate::routine::{Changes, History, ResetSeen, ROUTINE_LOOKBACK};
use crate::{detect_built, Detection, Horizon, Incident};

/// Below this many held calls a settling would free too little to pay for its detection pass.
const MIN_HELD: usize = 1024;

/// What an incident was about: a later detection that finds only events of closed incidents
/// on that target has found a piece of one (a call shared with an incident still open stays
/// held), not a new incident.
type Target = (Provider, String, String);

/// What a [`Detector`] did, for the summary, `/metrics` and the benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectorStats {
    /// Settlings that closed incidents or let calls go.
    pub closings: usize,
    /// The most calls (phases) held at once.
    pub peak_held: usize,
    /// Calls older than a watermark already passed: incidents around them may be split.
    pub late: usize,
    /// Calls let go unfinished by [`Detector::evict_oldest`] or [`Detector::release`].
    pub evicted: usize,
    /// Calls whose event key was already held.
    pub duplicates: usize,
    /// Calls whose event id was held with other content: kept apart, as two events.
    pub conflicting_ids: usize,
    /// Resources whose origin the provenance store holds.
    pub provenance: usize,
    /// Resources whose origin was dropped past the provenance cap (`--max-provenance`).
    pub provenance_dropped: usize,
}

/// What one [`Detector::settle`] closed and let go.
#[derive(Debug, Default)]
pub struct Settled {
    /// The incidents that became final, with their event rows. Their ids never change.
    pub detection: Detection,
    /// The event keys of every call let go.
    pub released: Vec<String>,
    /// Of those, the calls that made provenance and stay in the detector's store, by the key
    /// the store knows them under ([`crate::fact_key`] of any phase): a caller that keeps state
    /// (`serve`) keeps their records for [`Detector::remember_provenance`] after a restart.
    pub provenance: BTreeMap<String, Vec<String>>,
}

/// Incremental detection: feed calls with [`Detector::ingest`], read what is open with
/// [`Detector::open`], and close what can no longer change with [`Detector::settle`].
pub struct Detector {
    pack: Pack,
    horizon: Horizon,
    held: Held,
    closed: BTreeMap<Target, BTreeMap<String, BTreeSet<String>>>,
    closed_ids: HashMap<String, Target>,
    watermark: Option<DateTime<Utc>>,
    /// The detection of the calls held now (invalidated by any change to them), with the
    /// groups each incident's calls came from.
    cached: Option<(Detection, Vec<BTreeSet<Group>>)>,
    held_after_settling: usize,
    settle_from: Option<usize>,
    stats: DetectorStats,
    /// Every reset seen that an incident still to be judged may count as a habit.
    history: History,
    /// Where resources came from, kept after their calls are let go.
    provenance: Provenance,
    /// Held operations whose call the store keeps, by the store's key for it.
    provenance_groups: HashMap<Group, String>,
}

impl Detector {
    /// A detector for `pack` that holds calls as long as `horizon` says they matter.
    pub fn new(pack: Pack, horizon: Horizon) -> Detector {
        Detector {
            pack,
            horizon,
            held: Held::default(),
            closed: BTreeMap::new(),
            closed_ids: HashMap::new(),
            watermark: None,
            cached: None,
            held_after_settling: 0,
            settle_from: None,
            stats: DetectorStats::default(),
            history: History::default(),
            provenance: Provenance::default(),
            provenance_groups: HashMap::new(),
        }
    }

    /// Keeps the changes to the routine evidence for [`Detector::drain_routine`] (`serve`
    /// persists them, so that a restart keeps every habit).
    pub fn persist_routine(mut self) -> Detector {
        self.history = std::mem::take(&mut self.history).tracking();
        self
    }

    /// A reset seen before a restart (from `serve`'s state): evidence for routine resets.
    pub fn remember_reset(&mut self, seen: ResetSeen) {
        self.history.restore(seen);
        self.cached = None;
    }

    /// The resets gained and let go since the last call (with [`Detector::persist_routine`]).
    pub fn drain_routine(&mut self) -> Changes {
        self.history.drain()
    }

    /// How many resets are kept as routine evidence.
    pub fn routine_evidence(&self) -> usize {
        self.history.len()
    }

    /// Keeps the origin of at most `max` resources (the oldest are dropped past it, counted).
    pub fn max_provenance(mut self, max: usize) -> Detector {
        self.provenance = Provenance::new(max);
        self
    }

    /// The provenance facts kept: the calls that made them, by event key.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Records a provenance call read back from elsewhere (`serve`'s state after a restart);
    /// it joins detection only when a held call starts from what it made.
    /// `phases` are the events of one operation (one, for CloudTrail).
    pub fn remember_provenance(&mut self, phases: Vec<ApiCall>) {
        if phases.is_empty() {
            return;
        }
        let key = fact_key(&phases[0]);
        let mut call = merge_group(phases);
        if !call.annotated {
            annotate(&mut call, &self.pack);
        }
        if self.provenance.record(&key, &call, &self.pack) {
            self.cached = None;
        }
    }

    /// Forgets provenance facts made before `cutoff` (`serve`'s `--provenance-horizon`), and
    /// returns their keys.
    pub fn expire_provenance(&mut self, cutoff: DateTime<Utc>) -> Vec<String> {
        let keys = self.provenance.older_than(cutoff);
        for key in &keys {
            self.provenance.remove(key);
        }
        if !keys.is_empty() {
            self.cached = None;
        }
        keys
    }

    /// Makes [`Detector::due`] true whenever `n` calls are held (for tests, which want a
    /// settling at every step). By default it waits for 1,024 calls and for half again what
    /// the last settling left, so that its cost stays linear in the input.
    pub fn settle_from(mut self, n: usize) -> Detector {
        self.settle_from = Some(n);
        self
    }

    /// The pack and horizon this detector was made with.
    pub fn horizon(&self) -> Horizon {
        self.horizon
    }

    /// Holds `call` under its [`event_key`]. Returns false, and changes nothing, when a call
    /// with that key is already held.
    pub fn ingest(&mut self, key: String, call: ApiCall) -> bool {
        if self.held.contains(&key) {
            self.stats.duplicates += 1;
            return false;
        }
        if self.watermark.is_some_and(|t| call.time < t) {
            self.stats.late += 1;
        }
        if self.held.insert(phase_group(&call), key, call) {
            self.stats.conflicting_ids += 1;
        }
        self.stats.peak_held = self.stats.peak_held.max(self.held.len());
        self.cached = None;
        true
    }

    /// Whether a call with this event key is held.
    pub fn holds(&self, key: &str) -> bool {
        self.held.contains(key)
    }

    /// How many calls (phases) are held.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The time of the newest call held.
    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.held.newest()
    }

    /// Every held call with its event key.
    pub fn held_calls(&self) -> impl Iterator<Item = (&str, &ApiCall)> {
        self.held.calls()
    }

    /// What the detector has done so far.
    pub fn stats(&self) -> DetectorStats {
        DetectorStats {
            provenance: self.provenance.resources(),
            provenance_dropped: self.provenance.dropped(),
            ..self.stats
        }
    }

    /// Whether enough calls are held for a settling to pay for its detection pass.
    pub fn due(&self) -> bool {
        let due = self.settle_from.unwrap_or_else(|| {
            MIN_HELD.max(self.held_after_settling + self.held_after_settling / 2)
        });
        self.held.len() >= due
    }

    /// The incidents (and event rows) of the calls held, leaving out pieces of incidents
    /// already settled. Computed once per change to the held calls.
    pub fn open(&mut self) -> &Detection {
        if self.cached.is_none() {
            self.cached = Some(self.detect_held());
        }
        &self.cached.as_ref().expect("just computed").0
    }

    /// Says that input has reached `now`: settles every incident that ended before the
    /// horizon's cutoff and lets go of the calls nothing still open can need.
    pub fn settle(&mut self, now: DateTime<Utc>) -> Settled {
        let Some(cutoff) = self.horizon.cutoff(now) else {
            return Settled::default();
        };
        // A machine still down waits for its start up to the provenance horizon.
        let down_cutoff = self.horizon.down_cutoff(now).map(|t| t.min(cutoff));
        let (detection, groups) = match self.cached.take() {
            Some(cached) => cached,
            None => self.detect_held(),
        };
        let mut closing_groups: BTreeSet<Group> = BTreeSet::new();
        let mut open_groups: BTreeSet<Group> = BTreeSet::new();
        let mut settled = Detection::default();
        let mut closing_ids = BTreeSet::new();
        for (incident, groups) in detection.incidents.into_iter().zip(groups) {
            let still_down = incident.downtime.as_ref().is_some_and(|d| d.still_down);
            let last = if still_down {
                down_cutoff
            } else {
                Some(cutoff)
            };
            if last.is_some_and(|t| incident.last_seen < t) {
                closing_groups.extend(groups);
                closing_ids.insert(incident.incident_id.clone());
                settled.incidents.push(incident);
            } else {
                open_groups.extend(groups);
            }
        }
        settled.events = detection
            .events
            .into_iter()
            .filter(|r| {
                r.incident_id
                    .as_ref()
                    .is_some_and(|id| closing_ids.contains(id))
            })
            .collect();
        let released = self.held.release_groups(|group, ended| {
            !open_groups.contains(group) && (closing_groups.contains(group) || ended < cutoff)
        });
        let mut provenance: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, group) in &released {
            if let Some(stored) = self.provenance_groups.get(group) {
                if self.provenance.contains(stored) {
                    provenance
                        .entry(stored.clone())
                        .or_default()
                        .push(key.clone());
                }
            }
        }
        for (_, group) in &released {
            self.provenance_groups.remove(group);
        }
        let released: Vec<String> = released.into_iter().map(|(k, _)| k).collect();
        for incident in &settled.incidents {
            self.remember(incident);
        }
        if let Some(mark) = self.horizon.watermark(now) {
            self.watermark = Some(self.watermark.map_or(mark, |t| t.max(mark)));
        }
        self.prune_history();
        self.held_after_settling = self.held.len();
        self.stats.closings += 1;
        Settled {
            detection: settled,
            released,
            provenance,
        }
    }

    /// Settles at the newest call held, then lets go of the oldest operations until at most
    /// `keep` calls are held: a safety valve for input that is not in time order. Calls let
    /// go this way are counted in [`DetectorStats::evicted`].
    pub fn evict_oldest(&mut self, keep: usize) -> Settled {
        let mut settled = match self.newest() {
            Some(newest) => self.settle(newest),
            None => Settled::default(),
        };
        let before = self.held.len();
        settled.released.extend(self.held.release_oldest(keep));
        self.stats.evicted += before - self.held.len();
        self.cached = None;
        settled
    }

    /// Lets go of the calls held under these keys, counted as evicted (a cap kept by the
    /// caller across several detectors).
    pub fn release(&mut self, keys: &[String]) {
        let before = self.held.len();
        for key in keys {
            self.held.remove(key);
        }
        self.stats.evicted += before - self.held.len();
        self.cached = None;
    }

    /// Records an incident settled earlier (by this detector, or before a restart): a later
    /// detection made only of its events on its target is a piece of it, not a new incident.
    pub fn remember(&mut self, incident: &Incident) {
        let target = target_of(incident);
        self.closed.entry(target.clone()).or_default().insert(
            incident.incident_id.clone(),
            incident.event_ids.iter().cloned().collect(),
        );
        self.closed_ids.insert(incident.incident_id.clone(), target);
        self.cached = None;
    }

    /// Forgets a settled incident (it has aged out of what the caller keeps).
    pub fn forget(&mut self, incident_id: &str) {
        let Some(target) = self.closed_ids.remove(incident_id) else {
            return;
        };
        if let Some(ids) = self.closed.get_mut(&target) {
            ids.remove(incident_id);
            if ids.is_empty() {
                self.closed.remove(&target);
            }
        }
        self.cached = None;
    }

    /// What is still open, once input has ended.
    pub fn finish(mut self) -> (Detection, DetectorStats) {
        self.open();
        let (detection, _) = self.cached.take().expect("open computes it");
        let stats = self.stats();
        (detection, stats)
    }

    /// Runs the batch detector over the held calls (merged and annotated) and drops pieces of
    /// settled incidents.
    fn detect_held(&mut self) -> (Detection, Vec<BTreeSet<Group>>) {
        let (mut calls, taken) = self.take_merged();
        let held = calls.len();
        // Provenance outlives the calls: record it, then add what the held calls start from
        // (a swap's volume, made from a snapshot weeks ago) and the store still knows.
        let mut present = HashSet::new();
        for (call, taken) in calls.iter().zip(&taken) {
            if !is_provenance(call, &self.pack) {
                continue;
            }
            let key = group_key(&taken.group);
            self.provenance.record(&key, call, &self.pack);
            self.provenance_groups
                .insert(taken.group.clone(), key.clone());
            present.insert(key);
        }
        let sources = self.provenance.sources_of(&calls, &present);
        calls.extend(sources);
        let (mut detection, members) = detect_built(
            &calls,
            &self.pack,
            self.horizon.window(),
            self.horizon.provenance(),
            &mut self.history,
            held,
        );
        calls.truncate(held);
        let mut groups: Vec<BTreeSet<Group>> = members
            .into_iter()
            .map(|m| {
                m.into_iter()
                    .filter(|&i| i < held)
                    .map(|i| taken[i].group.clone())
                    .collect()
            })
            .collect();
        self.held.put_back(calls, taken);
        let remnant: Vec<bool> = detection
            .incidents
            .iter()
            .map(|i| self.is_remnant(i))
            .collect();
        if remnant.iter().any(|r| *r) {
            let gone: BTreeSet<String> = detection
                .incidents
                .iter()
                .zip(&remnant)
                .filter(|(_, r)| **r)
                .map(|(i, _)| i.incident_id.clone())
                .collect();
            let mut keep = remnant.iter().map(|r| !r);
            detection.incidents.retain(|_| keep.next().unwrap_or(true));
            let mut keep = remnant.iter().map(|r| !r);
            groups.retain(|_| keep.next().unwrap_or(true));
            detection
                .events
                .retain(|r| r.incident_id.as_ref().is_none_or(|id| !gone.contains(id)));
        }
        (detection, groups)
    }

    /// The held calls as logical calls (phases merged, annotated), in the order
    /// [`revertwatch_normalize::merge_phases`] gives, each with where it came from. A group of
    /// one annotated phase (every CloudTrail call) is moved out rather than copied, and
    /// [`Held::put_back`] returns it: copying every held call at each settling cost more than
    /// the detection.
    fn take_merged(&mut self) -> (Vec<ApiCall>, Vec<Taken>) {
        let pack = &self.pack;
        self.held.take_merged(|phases| {
            let mut call = merge_group(phases);
            if !call.annotated {
                annotate(&mut call, pack);
            }
            call
        })
    }

    /// Lets go of the resets no incident still to be judged can count: those more than the
    /// routine lookback before both the oldest call held and the watermark.
    fn prune_history(&mut self) {
        let oldest = self.held.calls().map(|(_, c)| c.time).min();
        let keep_from = match (oldest, self.watermark) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return,
            },
        };
        if let Some(before) = keep_from.checked_sub_signed(ROUTINE_LOOKBACK) {
            self.history.prune(before);
        }
    }

    fn is_remnant(&self, incident: &Incident) -> bool {
        self.closed.get(&target_of(incident)).is_some_and(|closed| {
            incident
                .event_ids
                .iter()
                .all(|e| closed.values().any(|ids| ids.contains(e)))
        })
    }
}

fn target_of(incident: &Incident) -> Target {
    (
        incident.provider,
        incident.target.clone(),
        incident.target_kind.clone(),
    )
}

/// The key under which a call is held and deduplicated: the provider's event id with a digest
/// of what the record says ([`revertwatch_normalize::content_digest`]), so that a resend is one
/// call and two records that only share an id are two; for a record that has no id, a hash of
/// the record (the same in any container), or else where it was read.
pub fn event_key(call: &ApiCall) -> String {
    if !call.event_id.is_empty() {
        return format!(
            "{}#{}",
            call.event_id,
            revertwatch_normalize::content_digest(call)
        );
    }
    if !call.record.is_null() {
        let bytes = serde_json::to_vec(&*call.record).unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        return digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    }
    // The offset, not the line: a minified array holds every record on line 1.
    format!("{}@{}", call.origin.source, call.origin.offset)
}
