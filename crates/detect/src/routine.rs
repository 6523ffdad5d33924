//! Routine resets: an owner who stops a dev box every evening and starts it every morning is
//! not an attacker wiping ephemeral state. A reset is routine when the same identity made the
//! same reset on the same machine on enough earlier days, at about the same time of day.
//!
//! The rule, exactly (README and docs/HUNTING.md say it in words):
//! - for each call of an incident, take the identity the caller cannot choose
//!   ([`crate::machine::identity`]), the operation (its lifecycle, `stop`/`start`, else the
//!   operation's name), the machine and the time `t`;
//! - count the distinct UTC days on which that identity made that operation on that machine,
//!   successfully, at a time of day within ±90 minutes of `t`'s, in the 28 days before `t`, and
//!   before the incident's first call (never the incident's own calls);
//! - the incident is routine when it has no restore, every one of its calls is a successful
//!   reset of the machine, and each of them has at least 3 such days. It is then `info`.
//!
//! The evidence is every reset seen (the hunted archive, or `serve`'s state), kept as a
//! [`History`] bounded in time (28 days behind the oldest call still to be judged) and in size
//! (at most [`MAX_PER_KEY`] times per identity, machine and operation).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use revertwatch_normalize::ApiCall;
use revertwatch_pack::{Pack, Provider, Signal};
use serde::{Deserialize, Serialize};

use crate::incident::{Built, Severity};
use crate::machine::identity_of;
use crate::signal::Classified;

/// How far back the evidence for a reset reaches.
pub const ROUTINE_LOOKBACK: chrono::Duration = chrono::Duration::days(28);
/// How far from a reset's time of day an earlier one may be and still be the same habit.
pub const ROUTINE_TOLERANCE_MINUTES: i64 = 90;
/// On how many earlier days a reset must have been made to be routine.
pub const ROUTINE_MIN_DAYS: usize = 3;
/// The most times kept per identity, machine and operation (28 days of a reset every 80
/// minutes); past it the oldest go, which can only make a reset less routine.
pub const MAX_PER_KEY: usize = 512;

/// The evidence that made an incident routine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// The identity (or identities, comma-separated) whose habit it is: the session issuer
    /// role for an assumed role, never the session name.
    pub actor: String,
    /// The fewest earlier days on which any of the incident's resets was seen at its hour.
    pub times_seen: usize,
    /// The oldest earlier reset counted.
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub first_seen: DateTime<Utc>,
    /// Per operation, the times of day the earlier resets were made (`stop 18:02-18:40 UTC`).
    pub usual_hours: Vec<String>,
}

/// One successful reset of a machine by an identity: what [`History`] keeps, and what `serve`
/// persists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResetSeen {
    /// The cloud.
    pub provider: Provider,
    /// The machine.
    pub target: String,
    /// The identity the caller cannot choose.
    pub identity: String,
    /// The lifecycle (`stop`, `start`...) or, for other resets, the operation.
    pub operation: String,
    /// When.
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub time: DateTime<Utc>,
}

type Key = (Provider, String, String, String);

/// Every successful reset seen, by identity, machine and operation.
#[derive(Debug, Default)]
pub struct History {
    seen: BTreeMap<Key, BTreeSet<DateTime<Utc>>>,
    /// Whether changes are kept for [`History::drain`] (`serve` persists them).
    tracking: bool,
    changes: Changes,
}

/// What a [`History`] gained and lost since it was last drained.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Resets newly seen.
    pub added: Vec<ResetSeen>,
    /// Resets let go (aged out, or over the per-key cap).
    pub dropped: Vec<ResetSeen>,
}

fn operation_key(call: &ApiCall, class: &Classified) -> String {
    match class.lifecycle {
        Some(l) => l.as_str().to_string(),
        None => call.operation.clone(),
    }
}

impl History {
    /// Keeps what it gains and loses for [`History::drain`].
    pub fn tracking(mut self) -> History {
        self.tracking = true;
        self
    }

    /// Records every successful reset among `calls` on each machine it names.
    pub(crate) fn record(
        &mut self,
        calls: &[ApiCall],
        classified: &[Option<Classified>],
        pack: &Pack,
    ) {
        for (call, class) in calls.iter().zip(classified) {
            let Some(class) = class else { continue };
            if !class.counts || class.signal != Signal::EphemeralReset {
                continue;
            }
            for subject in call.subjects.iter().filter(|s| pack.is_compute(&s.kind)) {
                self.insert(ResetSeen {
                    provider: call.provider,
                    target: subject.id.clone(),
                    identity: identity_of(call),
                    operation: operation_key(call, class),
                    time: call.time,
                });
            }
        }
    }

    /// Adds one reset (from `serve`'s state, or a call); true when it was new.
    pub fn insert(&mut self, seen: ResetSeen) -> bool {
        let key = (
            seen.provider,
            seen.target.clone(),
            seen.identity.clone(),
            seen.operation.clone(),
        );
        let times = self.seen.entry(key).or_default();
        if !times.insert(seen.time) {
            return false;
        }
        let mut over = Vec::new();
        while times.len() > MAX_PER_KEY {
            if let Some(t) = times.pop_first() {
                over.push(t);
            }
        }
        if self.tracking {
            let dropped = over.iter().map(|t| ResetSeen {
                time: *t,
                ..seen.clone()
            });
            self.changes.dropped.extend(dropped);
            self.changes.added.push(seen);
        }
        true
    }

    /// Adds a reset read back from where it was persisted: not a change to hand out again.
    pub fn restore(&mut self, seen: ResetSeen) {
        let tracking = std::mem::replace(&mut self.tracking, false);
        self.insert(seen);
        self.tracking = tracking;
    }

    /// Lets go of every reset before `before`: nothing still to be judged can count it.
    pub fn prune(&mut self, before: DateTime<Utc>) {
        let tracking = self.tracking;
        let dropped = &mut self.changes.dropped;
        self.seen
            .retain(|(provider, target, identity, operation), times| {
                let keep = times.split_off(&before);
                if tracking {
                    dropped.extend(times.iter().map(|t| ResetSeen {
                        provider: *provider,
                        target: target.clone(),
                        identity: identity.clone(),
                        operation: operation.clone(),
                        time: *t,
                    }));
                }
                *times = keep;
                !times.is_empty()
            });
    }

    /// How many resets are kept.
    pub fn len(&self) -> usize {
        self.seen.values().map(BTreeSet::len).sum()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// What was gained and lost since the last drain (empty unless tracking).
    pub fn drain(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// The earlier resets that make one of an incident's resets a habit: those of `key` in
    /// the lookback before `at`, before `first_seen`, within the tolerance of `at`'s time of
    /// day.
    fn habit(&self, key: &Key, at: DateTime<Utc>, first_seen: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let Some(times) = self.seen.get(key) else {
            return Vec::new();
        };
        // Checked: an event time is the log's to choose, and a stopped period can put `at`
        // more than the lookback after `first_seen` (an empty range, not a reversed one).
        let from = at
            .checked_sub_signed(ROUTINE_LOOKBACK)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let end = first_seen.min(at);
        if from >= end {
            return Vec::new();
        }
        times
            .range(from..end)
            .filter(|t| minutes_apart(**t, at) <= ROUTINE_TOLERANCE_MINUTES)
            .copied()
            .collect()
    }
}

fn minute_of_day(t: DateTime<Utc>) -> i64 {
    i64::from(t.hour() * 60 + t.minute())
}

/// `a`'s time of day minus `b`'s, round the clock, in -720..720 (00:10 is 20 after 23:50).
fn signed_minutes(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    let d = (minute_of_day(a) - minute_of_day(b)).rem_euclid(1440);
    if d > 720 {
        d - 1440
    } else {
        d
    }
}

/// Minutes between two times of day, round the clock (23:50 and 00:10 are 20 apart).
fn minutes_apart(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    signed_minutes(a, b).abs()
}

/// `HH:MM` of a minute of the day, any number of days either side.
fn clock(minute: i64) -> String {
    let m = minute.rem_euclid(1440);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Marks each incident that is a routine reset `info`, with its evidence.
pub(crate) fn judge(
    built: &mut [Built],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    history: &History,
) {
    for b in built.iter_mut() {
        if let Some(routine) = routine_of(b, calls, classified, history) {
            b.incident.severity = Severity::Info;
            b.incident.routine = Some(routine);
        }
    }
}

fn routine_of(
    b: &Built,
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    history: &History,
) -> Option<Routine> {
    let incident = &b.incident;
    // A restore is never routine, and a new machine's review is about its restore.
    if incident.is_snapshot_restore > 0
        || incident.is_ephemeral_reset == 0
        || incident.severity != Severity::Review
    {
        return None;
    }
    let mut actors: Vec<String> = Vec::new();
    let mut fewest = usize::MAX;
    let mut oldest: Option<DateTime<Utc>> = None;
    // Per operation: the time of day of its first call, and the earliest and latest earlier
    // reset as minutes from it.
    let mut hours: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for &i in &b.members {
        let (call, class) = (&calls[i], classified[i].as_ref()?);
        if !class.counts || class.signal != Signal::EphemeralReset {
            return None;
        }
        let identity = identity_of(call);
        let operation = operation_key(call, class);
        let key = (
            call.provider,
            incident.target.clone(),
            identity.clone(),
            operation.clone(),
        );
        let habit = history.habit(&key, call.time, incident.first_seen);
        let days: BTreeSet<NaiveDate> = habit.iter().map(DateTime::date_naive).collect();
        if days.len() < ROUTINE_MIN_DAYS {
            return None;
        }
        fewest = fewest.min(days.len());
        if let Some(f) = habit.first() {
            oldest = Some(oldest.map_or(*f, |o| o.min(*f)));
        }
        if !actors.contains(&identity) {
            actors.push(identity);
        }
        // As offsets from this call's time of day, so that a habit round midnight reads
        // 23:40-00:20 rather than the whole day.
        let here = minute_of_day(call.time);
        let span = hours.entry(operation).or_insert((here, i64::MAX, i64::MIN));
        for t in &habit {
            let off = signed_minutes(*t, call.time) + here - span.0;
            *span = (span.0, span.1.min(off), span.2.max(off));
        }
    }
    let first_seen = oldest?;
    Some(Routine {
        actor: actors.join(", "),
        times_seen: fewest,
        first_seen,
        usual_hours: hours
            .into_iter()
            .map(|(op, (base, from, to))| {
                format!("{op} {}-{} UTC", clock(base + from), clock(base + to))
            })
            .collect(),
    })
}
