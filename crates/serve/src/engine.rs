//! The live detection engine: the batch detector, run again over one partition's held calls
//! each time a batch touches it, with state mirrored in the store.
//!
//! Re-running the batch detector (rather than keeping an incremental copy of it) is what makes
//! `serve` give exactly the incidents `hunt` gives on the same records: there is one detection,
//! not two that could drift. It costs a pass over the partition's held calls per batch; calls
//! older than the horizon are evicted, so that pass stays small (see docs/ARCHITECTURE.md).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_decode::Limits;
use revertwatch_detect::{event_key, Horizon, Incident, ResetSeen, Severity};
use revertwatch_normalize::{ApiCall, Ingest, Selection};
use revertwatch_pack::Pack;
use revertwatch_tuning::{apply, Tuning};
use serde_json::{json, Value};

use crate::alerts::diff;
pub use crate::alerts::Mode;
use crate::error::ServeError;
use crate::metrics::{IncidentCounts, Metrics, Source};
use crate::partition::{Closed, Partition};
use crate::store::{self, Changes, Store};

/// One unit of input: an HEC event or raw body, or a JetStream message. Any container the
/// hunt reads is accepted, so a forwarder may send single records or whole files.
#[derive(Debug, Clone)]
pub struct Piece {
    pub origin: String,
    /// Shared, so that a batch's bytes outlive its reading (a batch that panics the engine is
    /// written to the dead-letter directory as it came).
    pub bytes: bytes::Bytes,
    /// Which partition family the piece belongs to: empty for a single instance, `p<N>` for
    /// JetStream partition N in a scaled-out deployment.
    pub scope: String,
    pub source: Source,
}

/// How the engine detects and how much state it holds. The same pack, tuning and window as a `hunt` give the same incidents on the same records.
pub struct EngineConfig {
    /// The rule pack: which calls are signals, how they chain, what lineage they create.
    pub pack: Pack,
    /// Rules that suppress or downgrade incidents; suppressed incidents do not alert.
    pub tuning: Tuning,
    /// The correlation window: a call joins an incident's calls on a target only within this of its last call (as `hunt --window`).
    pub window: Duration,
    /// How late a record may arrive and still find the calls it belongs with.
    pub lateness: Duration,
    /// How long an incident whose calls aged out stays listed (behind its partition's newest
    /// call).
    pub keep_closed: Duration,
    /// How long a provenance fact (the call that took a snapshot or restored a volume) is
    /// kept after it was made (behind its partition's newest call).
    pub provenance_horizon: Duration,
    /// Most calls held over all partitions; past it the oldest are evicted (and counted).
    pub max_calls: usize,
    /// Event times older than this behind the time a record is received are quarantined:
    /// counted and reported, never detected, never moving a partition's clock.
    pub max_event_age: Duration,
    /// Event times later than this ahead of the time a record is received are quarantined.
    pub max_clock_skew: Duration,
    /// What one record may cost to decode (as for `hunt`).
    pub limits: Limits,
    /// Test hook: the engine panics after holding the call with this event id, so that tests
    /// can show a panicking batch is isolated. `None` outside tests.
    #[doc(hidden)]
    pub panic_on_event: Option<String>,
}

/// What one batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    pub calls: usize,
    pub duplicates: usize,
    pub skipped: Vec<String>,
    pub alerts: usize,
}

pub struct Engine {
    cfg: EngineConfig,
    horizon: Horizon,
    ingest: Ingest,
    /// Whether a held call keeps its original record in memory: only when the rule pack reads
    /// `record.` paths. Otherwise the record is on disk (the store) and the call holds what
    /// detection reads, which is what keeps a held call at a few kB instead of the record's
    /// parse tree (measured in docs/RELIABILITY.md, Soak).
    hold_records: bool,
    parts: BTreeMap<String, Partition>,
    /// Partitions changed in memory since the last commit: what [`Engine::recover`] reloads
    /// when a batch fails half-way.
    dirty: BTreeSet<String>,
    store: Store,
    metrics: Arc<Metrics>,
}

impl Engine {
    /// Opens the state and rebuilds every partition's incidents from the records it holds.
    pub fn open(
        cfg: EngineConfig,
        store: Store,
        metrics: Arc<Metrics>,
    ) -> Result<Engine, ServeError> {
        // Held records are stored as received, and read again after a restart; in memory a
        // call keeps its record only if the pack reads it (see `held`).
        let ingest = Ingest {
            selection: Selection::for_pack(&cfg.pack, true),
            limits: cfg.limits.clone(),
        };
        let mut engine = Engine {
            horizon: Horizon::new(&cfg.pack, cfg.window, cfg.lateness)
                .with_provenance(cfg.provenance_horizon),
            hold_records: cfg.pack.reads_records(),
            cfg,
            ingest,
            parts: BTreeMap::new(),
            dirty: BTreeSet::new(),
            store,
            metrics,
        };
        let loaded = engine.store.load(None)?;
        engine.install(loaded)?;
        engine.dirty.clear();
        engine.publish_gauges();
        Ok(engine)
    }

    /// Puts stored state into the partitions it names (absent or just cleared), and detects
    /// their open incidents.
    fn install(&mut self, loaded: store::Loaded) -> Result<(), ServeError> {
        let mut keys = BTreeSet::new();
        for (key, bytes) in loaded.records {
            let (part, event) = store::split_key(&key);
            let call = self.reread(&key, &bytes)?;
            self.part(part).detector.ingest(event.to_string(), call);
            keys.insert(part.to_string());
        }
        for (key, severity) in loaded.emitted {
            let (part, id) = store::split_key(&key);
            self.part(part).emitted.insert(id.to_string(), severity);
            keys.insert(part.to_string());
        }
        let mut facts: BTreeMap<(String, String), Vec<ApiCall>> = BTreeMap::new();
        for (key, bytes) in loaded.provenance {
            let (part, rest) = store::split_key(&key);
            let (fact, _event) = rest.split_once('\0').unwrap_or((rest, ""));
            let call = self.reread(&key, &bytes)?;
            facts
                .entry((part.to_string(), fact.to_string()))
                .or_default()
                .push(call);
        }
        for ((part, _), phases) in facts {
            self.part(&part).detector.remember_provenance(phases);
            keys.insert(part);
        }
        for (key, json) in loaded.closed {
            let (part, id) = store::split_key(&key);
            let incident: Incident = serde_json::from_slice(&json).map_err(|e| {
                ServeError::Corrupt(key.replace('\0', "/"), format!("a closed incident: {e}"))
            })?;
            keys.insert(part.to_string());
            let part = self.part(part);
            part.detector.remember(&incident);
            part.closed.insert(id.to_string(), Closed::of(&incident));
        }
        for (key, json) in loaded.routine {
            let (part, _) = store::split_key(&key);
            let seen: ResetSeen = serde_json::from_slice(&json).map_err(|e| {
                ServeError::Corrupt(key.replace('\0', "/"), format!("a reset seen: {e}"))
            })?;
            keys.insert(part.to_string());
            self.part(part).detector.remember_reset(seen);
        }
        for key in keys {
            let incidents = self.open_incidents(&key);
            self.parts.get_mut(&key).expect("present").incidents = incidents;
        }
        Ok(())
    }

    /// Puts the partitions a failed batch may have half-changed back as the store has them,
    /// so that the next batch meets the state the last commit left.
    pub fn recover(&mut self) -> Result<(), ServeError> {
        let dirty = std::mem::take(&mut self.dirty);
        for key in &dirty {
            self.parts.remove(key);
        }
        let loaded = self.store.load(Some(&dirty))?;
        self.install(loaded)?;
        self.dirty.clear();
        self.publish_gauges();
        Ok(())
    }

    fn part(&mut self, key: &str) -> &mut Partition {
        let (pack, horizon) = (&self.cfg.pack, self.horizon);
        if !self.dirty.contains(key) {
            self.dirty.insert(key.to_string());
        }
        self.parts
            .entry(key.to_string())
            .or_insert_with(|| Partition::new(pack, horizon))
    }

    /// A stored record, read again through the same ingest path it first took.
    fn reread(&self, key: &str, bytes: &[u8]) -> Result<ApiCall, ServeError> {
        let corrupt = |why: &str| ServeError::Corrupt(key.replace('\0', "/"), why.to_string());
        let stored: Value = serde_json::from_slice(bytes).map_err(|e| corrupt(&e.to_string()))?;
        let origin = stored["origin"].as_str().unwrap_or("state").to_string();
        let record = serde_json::to_vec(&stored["record"]).map_err(|e| corrupt(&e.to_string()))?;
        let report = self.ingest.read_reader(&origin, Cursor::new(record));
        let call = report
            .calls
            .into_iter()
            .next()
            .ok_or_else(|| corrupt("it no longer reads as a call the rule pack knows"))?;
        Ok(held(call, self.hold_records))
    }

    /// Reads, dedupes, detects and commits one batch. Alerts go to the outbox in the same
    /// transaction; [`Engine::outbox`] hands them to the sinks.
    /// A batch that fails (an error or a panic) may leave partitions half-changed in memory:
    /// [`Engine::recover`] puts them back.
    pub fn apply(&mut self, pieces: &[Piece], mode: Mode) -> Result<BatchReport, ServeError> {
        let mut report = BatchReport::default();
        let mut changes = Changes::default();
        let mut touched = BTreeSet::new();
        for piece in pieces {
            self.read_piece(piece, &mut report, &mut changes, &mut touched);
        }
        for part_key in &touched {
            let incidents = self.open_incidents(part_key);
            let part = self
                .parts
                .get_mut(part_key)
                .expect("touched partitions exist");
            let alerts = diff(part_key, part, &incidents, mode, &mut changes);
            report.alerts += alerts;
            part.incidents = incidents;
            self.expire(part_key, &mut changes);
            self.persist_routine(part_key, &mut changes);
        }
        self.cap(&mut changes);
        if !changes.is_empty() {
            self.store.write(changes)?;
        }
        self.dirty.clear();
        self.publish_gauges();
        Ok(report)
    }

    /// Reads one piece into the partitions its calls belong to, and stores each new record.
    fn read_piece(
        &mut self,
        piece: &Piece,
        report: &mut BatchReport,
        changes: &mut Changes,
        touched: &mut BTreeSet<String>,
    ) {
        let metrics = Arc::clone(&self.metrics);
        let counters = metrics.source(piece.source);
        counters.events.fetch_add(1, relaxed());
        let read = self
            .ingest
            .read_reader(&piece.origin, Cursor::new(piece.bytes.clone()));
        counters.records.fetch_add(read.records, relaxed());
        counters
            .skipped
            .fetch_add(read.skips.len() as u64, relaxed());
        report
            .skipped
            .extend(read.skips.iter().map(|s| format!("{}: {s}", piece.origin)));
        let hold_records = self.hold_records;
        let accepted = self.accepted_times(Utc::now());
        for call in read.calls {
            if !accepted.contains(&call.time) {
                // One record dated 2099 would move its account's clock and close every open
                // incident there; one dated in year -262143 would overflow time arithmetic.
                counters.skipped.fetch_add(1, relaxed());
                report.skipped.push(format!(
                    "{}: event {} at {}: quarantined, outside the accepted event times (--max-event-age {}, --max-clock-skew {} around the time received)",
                    piece.origin,
                    call.event_id,
                    revertwatch_normalize::format_time(&call.time),
                    humantime::format_duration(self.cfg.max_event_age),
                    humantime::format_duration(self.cfg.max_clock_skew),
                ));
                self.metrics.quarantined.fetch_add(1, relaxed());
                continue;
            }
            let part_key = format!("{}/{}/{}", piece.scope, call.provider, call.account);
            let key = event_key(&call);
            let poisoned = self.cfg.panic_on_event.as_deref() == Some(call.event_id.as_str());
            let part = self.part(&part_key);
            // A forwarder's resend is the common duplicate: check before serialising the record.
            if part.detector.holds(&key) {
                report.duplicates += 1;
                self.metrics.duplicates.fetch_add(1, relaxed());
                continue;
            }
            let stored = stored(&call);
            let late_before = part.detector.stats().late;
            part.detector.ingest(key.clone(), held(call, hold_records));
            if poisoned {
                panic!("test hook: panic_on_event {key}");
            }
            if part.detector.stats().late > late_before {
                self.metrics.late.fetch_add(1, relaxed());
            }
            changes
                .put_records
                .push((store::key(&part_key, &key), stored));
            report.calls += 1;
            touched.insert(part_key);
        }
    }

    /// The event times a record received at `now` may carry.
    fn accepted_times(&self, now: DateTime<Utc>) -> std::ops::RangeInclusive<DateTime<Utc>> {
        let span = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        let oldest = now
            .checked_sub_signed(span(self.cfg.max_event_age))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let newest = now
            .checked_add_signed(span(self.cfg.max_clock_skew))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        oldest..=newest
    }

    /// Forgets a partition family (handed to this instance: it is rebuilt from the stream).
    pub fn clear(&mut self, scope: &str) -> Result<(), ServeError> {
        let prefix = format!("{scope}/");
        let keys: Vec<String> = self
            .parts
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        let changes = Changes {
            clear_prefixes: keys.clone(),
            ..Changes::default()
        };
        for k in keys {
            self.parts.remove(&k);
            self.dirty.remove(&k);
        }
        self.store.write(changes)?;
        self.publish_gauges();
        Ok(())
    }

    /// Every incident held, open and closed, newest first, as `hunt --format jsonl` prints
    /// them (JSON Lines).
    pub fn incidents_jsonl(&self, show_failed: bool) -> Vec<u8> {
        let mut all: Vec<(DateTime<Utc>, &str, Vec<u8>)> = Vec::new();
        let shown = |severity: Severity| show_failed || severity > Severity::None;
        for part in self.parts.values() {
            for i in part.incidents.iter().filter(|i| shown(i.severity)) {
                all.push((
                    i.first_seen,
                    &i.incident_id,
                    serde_json::to_vec(i).unwrap_or_default(),
                ));
            }
            for (id, c) in part.closed.iter().filter(|(_, c)| shown(c.severity)) {
                all.push((c.first_seen, id, c.json.clone()));
            }
        }
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut out = Vec::new();
        for (_, _, json) in all {
            out.extend_from_slice(&json);
            out.push(b'\n');
        }
        out
    }

    /// The alerts committed and not yet delivered, with their sequence numbers.
    pub fn outbox(&self) -> Result<Vec<(u64, Vec<u8>)>, ServeError> {
        self.store.outbox()
    }

    /// Removes delivered alerts from the outbox.
    pub fn delivered(&self, seqs: &[u64]) -> Result<(), ServeError> {
        self.store.delivered(seqs)?;
        self.publish_gauges();
        Ok(())
    }

    /// The partition's open incidents, tuned.
    fn open_incidents(&mut self, part_key: &str) -> Vec<Incident> {
        let part = self.parts.get_mut(part_key).expect("partitions exist");
        let mut incidents = part.detector.open().incidents.clone();
        apply(&mut incidents, &self.cfg.tuning, Utc::now().date_naive());
        incidents
    }

    /// Settles the partition at its newest call: incidents that can no longer change are
    /// closed (their final form kept, their calls let go), as `hunt` settles them. An
    /// incident is closed whole, so its id never changes because part of it aged out.
    fn expire(&mut self, part_key: &str, changes: &mut Changes) {
        let part = self
            .parts
            .get_mut(part_key)
            .expect("touched partitions exist");
        let Some(newest) = part.detector.newest() else {
            return;
        };
        let settled = part.detector.settle(newest);
        for key in &settled.released {
            changes.drop_records.push(store::key(part_key, key));
        }
        for (fact, keys) in &settled.provenance {
            for key in keys {
                let held = store::key(part_key, key);
                changes.keep_provenance.push((held, fact.clone()));
            }
        }
        let horizon = chrono::Duration::from_std(self.cfg.provenance_horizon)
            .unwrap_or(chrono::Duration::MAX);
        if let Some(cutoff) = newest.checked_sub_signed(horizon) {
            for fact in part.detector.expire_provenance(cutoff) {
                changes.drop_provenance.push(store::key(part_key, &fact));
            }
        }
        let mut closing = settled.detection.incidents;
        apply(&mut closing, &self.cfg.tuning, Utc::now().date_naive());
        let ids: BTreeSet<&str> = closing.iter().map(|i| i.incident_id.as_str()).collect();
        part.incidents
            .retain(|i| !ids.contains(i.incident_id.as_str()));
        for incident in &closing {
            let key = store::key(part_key, &incident.incident_id);
            let closed = Closed::of(incident);
            changes.put_closed.push((key.clone(), closed.json.clone()));
            part.emitted.remove(&incident.incident_id);
            changes.drop_emitted.push(key);
            part.closed.insert(incident.incident_id.clone(), closed);
        }
        let keep_closed =
            chrono::Duration::from_std(self.cfg.keep_closed).unwrap_or(chrono::Duration::MAX);
        let Some(forget_before) = newest.checked_sub_signed(keep_closed) else {
            return;
        };
        let forgotten: Vec<String> = part
            .closed
            .iter()
            .filter(|(_, c)| c.last_seen < forget_before)
            .map(|(k, _)| k.clone())
            .collect();
        for k in forgotten {
            part.closed.remove(&k);
            part.detector.forget(&k);
            changes.drop_closed.push(store::key(part_key, &k));
        }
    }

    /// Writes what the partition's routine evidence gained and lost: habits survive a
    /// restart, though the calls they were seen in are let go.
    fn persist_routine(&mut self, part_key: &str, changes: &mut Changes) {
        let Some(part) = self.parts.get_mut(part_key) else {
            return;
        };
        let drained = part.detector.drain_routine();
        for seen in drained.dropped {
            changes.drop_routine.push(routine_key(part_key, &seen));
        }
        for seen in drained.added {
            let json = serde_json::to_vec(&seen).unwrap_or_default();
            changes
                .put_routine
                .push((routine_key(part_key, &seen), json));
        }
    }

    /// Keeps the state under `max_calls` by evicting the oldest calls anywhere.
    fn cap(&mut self, changes: &mut Changes) {
        let held: usize = self.parts.values().map(|p| p.detector.held()).sum();
        if held <= self.cfg.max_calls {
            return;
        }
        let mut all: Vec<(DateTime<Utc>, &str, &str)> = self
            .parts
            .iter()
            .flat_map(|(pk, p)| {
                p.detector
                    .held_calls()
                    .map(move |(k, c)| (c.time, pk.as_str(), k))
            })
            .collect();
        all.sort();
        let excess = held - self.cfg.max_calls;
        let mut doomed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (_, pk, k) in all.into_iter().take(excess) {
            doomed
                .entry(pk.to_string())
                .or_default()
                .push(k.to_string());
        }
        for (pk, keys) in doomed {
            self.dirty.insert(pk.clone());
            for k in &keys {
                changes.drop_records.push(store::key(&pk, k));
            }
            if let Some(part) = self.parts.get_mut(&pk) {
                part.detector.release(&keys);
            }
        }
        self.metrics.evicted.fetch_add(excess as u64, relaxed());
        eprintln!(
            "revertwatch: warning: incident state is over --max-state-calls ({}); evicted the {excess} oldest calls",
            self.cfg.max_calls
        );
    }

    fn publish_gauges(&self) {
        let mut counts = IncidentCounts::default();
        let mut calls = 0u64;
        for part in self.parts.values() {
            calls += part.detector.held() as u64;
            let closed = part.closed.values().map(|c| (c.suppressed, c.severity));
            let open = part
                .incidents
                .iter()
                .map(|i| (i.suppressed_by.is_some(), i.severity));
            for state in open.chain(closed) {
                match state {
                    (true, _) => counts.suppressed += 1,
                    (false, Severity::Escalate) => counts.escalate += 1,
                    (false, Severity::Review) => counts.review += 1,
                    (false, Severity::None) => counts.failed_only += 1,
                    (false, Severity::Info) => counts.info += 1,
                }
            }
        }
        *self.metrics.incidents.lock().expect("metrics lock") = counts;
        self.metrics.state_calls.store(calls, relaxed());
        self.metrics
            .state_bytes
            .store(self.store.file_bytes(), relaxed());
        if let Ok(n) = self.store.outbox_len() {
            self.metrics.alerts_pending.store(n, relaxed());
        }
    }
}

/// The call as held in memory, once its event key and stored bytes are taken from its record.
fn held(mut call: ApiCall, hold_records: bool) -> ApiCall {
    if !hold_records {
        call.record = Arc::new(Value::Null);
    }
    call
}

fn stored(call: &ApiCall) -> Vec<u8> {
    serde_json::to_vec(&json!({"origin": &*call.origin.source, "record": &*call.record}))
        .unwrap_or_default()
}

/// A reset's key in the store: a hash, as what it names is log-derived (and may hold `\0`).
fn routine_key(part_key: &str, seen: &ResetSeen) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(serde_json::to_vec(seen).unwrap_or_default());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    store::key(part_key, &hex)
}

fn relaxed() -> std::sync::atomic::Ordering {
    std::sync::atomic::Ordering::Relaxed
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
