//! What an incident restored from, and how far back it took the machine: read from the
//! provenance in the calls detected over (the snapshot a volume was made from, what that
//! snapshot was taken of and when).

use chrono::{DateTime, Utc};
use revertwatch_normalize::{format_time, parse_time, ApiCall, Outcome};
use revertwatch_pack::{strings, Pack, Signal, TAKEN_OF};
use serde::{Deserialize, Serialize};

use crate::graph::{node, Graph, Node};
use crate::signal::Classified;

/// A snapshot, image or restore point an incident restores from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredFrom {
    /// Its id, as the restoring call names it.
    pub id: String,
    /// Its kind (`snapshot`, `image`, `restore-point`, `machine-image`).
    pub kind: String,
    /// The volume, disk or instance it was taken of, when a call in the logs says.
    pub taken_of: Option<String>,
    /// When it was taken: the creation call's start time in its response, or the call's time.
    #[serde(default, with = "optional_time")]
    pub taken_at: Option<DateTime<Utc>>,
    /// Where `taken_at` comes from (`CreateSnapshot startTime`, `CreateSnapshot call`), or
    /// why it is unknown.
    pub taken_at_source: String,
}

/// How far back in time a revert took its machine: from when what it restored was taken to
/// when the restore was brought onto the machine. Never 0 for unknown: `seconds` is then null
/// and `unknown` says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertAge {
    /// Whole seconds, when known.
    pub seconds: Option<i64>,
    /// The same, for people (`53d 10h 33m`).
    pub human: Option<String>,
    /// Why it is unknown, when it is.
    pub unknown: Option<String>,
}

impl RevertAge {
    /// The age as one phrase: `53d 10h 33m` or `unknown (why)`.
    pub fn describe(&self) -> String {
        match (&self.human, &self.unknown) {
            (Some(h), _) => h.clone(),
            (None, Some(why)) => format!("unknown ({why})"),
            (None, None) => "unknown".into(),
        }
    }
}

impl RestoredFrom {
    /// One phrase: `snapshot snap-1 of vol-2, taken 2026-01-20T06:00:00Z`.
    pub fn describe(&self) -> String {
        let of = self
            .taken_of
            .as_ref()
            .map(|v| format!(" of {v}"))
            .unwrap_or_default();
        let when = match &self.taken_at {
            Some(t) => format!("taken {} ({})", format_time(t), self.taken_at_source),
            None => format!("taken at an unknown time ({})", self.taken_at_source),
        };
        format!("{} {}{of}, {when}", self.kind, self.id)
    }
}

/// What the restoring members of a cluster restored from, and the revert age at `anchor`.
pub(crate) fn restored(
    restores: &[usize],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    graph: &Graph,
    pack: &Pack,
    anchor: DateTime<Utc>,
) -> (Vec<RestoredFrom>, Option<RevertAge>) {
    let mut found: Vec<RestoredFrom> = Vec::new();
    let mut any = false;
    for &i in restores {
        let call = &calls[i];
        let counts = classified[i]
            .as_ref()
            .is_some_and(|c| c.counts && c.has(Signal::SnapshotRestore));
        if !counts {
            continue;
        }
        any = true;
        for e in call.edges.iter().filter(|e| e.relation != TAKEN_OF) {
            if pack.is_compute(&e.from.kind) || is_storage(&e.from.kind) {
                continue;
            }
            let source = node(call, &e.from, e.from_region.as_deref());
            if found.iter().any(|r| r.id == e.from.id) {
                continue;
            }
            found.push(taken(&source, &e.from.kind, calls, graph, pack));
        }
    }
    if !any {
        return (Vec::new(), None);
    }
    found.sort_by(|a, b| (&a.kind, &a.id).cmp(&(&b.kind, &b.id)));
    (found.clone(), Some(age(&found, anchor)))
}

/// Volumes and disks carry a restore onto a machine; they are not what it restored from.
fn is_storage(kind: &str) -> bool {
    kind == "volume" || kind == "disk"
}

/// Where `source` came from: back through copies and images made from it, to the call that
/// says what it was taken of.
fn taken(source: &Node, kind: &str, calls: &[ApiCall], graph: &Graph, pack: &Pack) -> RestoredFrom {
    let mut restored = RestoredFrom {
        id: source.2.clone(),
        kind: kind.to_string(),
        taken_of: None,
        taken_at: None,
        taken_at_source: format!("no call in the logs says when {} was taken", source.2),
    };
    let mut at = source.clone();
    // Each step goes one edge back; a chain of copies is short, a cycle is cut here.
    for _ in 0..=revertwatch_pack::MAX_LINEAGE_HOPS {
        let inbound = graph.inbound(&at);
        let successful = |c: usize| calls[c].outcome != Outcome::Failure;
        if let Some(t) = inbound
            .iter()
            .find(|e| e.relation == TAKEN_OF && successful(e.call))
        {
            let call = &calls[t.call];
            restored.taken_of = Some(t.from.2.clone());
            let (when, how) = creation_time(call, pack);
            restored.taken_at = Some(when);
            restored.taken_at_source = how;
            return restored;
        }
        // A copy, or an image made from a snapshot: the state is the source's.
        match inbound.iter().find(|e| {
            !is_storage(&e.from_kind) && !pack.is_compute(&e.from_kind) && successful(e.call)
        }) {
            Some(e) => at = e.from.clone(),
            None => break,
        }
    }
    restored
}

/// When the call's snapshot was taken: the start time its response gives (the pack's
/// `taken_at`), else the call's own time.
fn creation_time(call: &ApiCall, pack: &Pack) -> (DateTime<Utc>, String) {
    for entry in pack.entries_for(call.provider, &call.operation) {
        for text in strings(&entry.taken_at, call) {
            let value = serde_json::Value::String(text);
            if let Some(t) = parse_time(&value) {
                let field = entry.taken_at.first().map(|p| p.as_str()).unwrap_or("");
                let field = field.rsplit('.').next().unwrap_or(field);
                return (t, format!("{} {field}", call.operation));
            }
        }
    }
    (call.time, format!("{} call", call.operation))
}

fn age(found: &[RestoredFrom], anchor: DateTime<Utc>) -> RevertAge {
    let unknown = |why: String| RevertAge {
        seconds: None,
        human: None,
        unknown: Some(why),
    };
    if found.is_empty() {
        return unknown(
            "the restore names no snapshot or image (a backup recovery point or an import)".into(),
        );
    }
    // The machine went back to the oldest state it was given.
    let Some(oldest) = found.iter().filter_map(|r| r.taken_at).min() else {
        let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        return unknown(format!(
            "no call in the logs says when {} was taken",
            ids.join(", ")
        ));
    };
    let seconds = (anchor - oldest).num_seconds();
    if seconds <= 0 {
        return unknown(format!(
            "taken {} , not before the restore reached the machine ({}): clocks disagree",
            format_time(&oldest),
            format_time(&anchor)
        ));
    }
    RevertAge {
        seconds: Some(seconds),
        human: Some(human(seconds)),
        unknown: None,
    }
}

/// `53d 10h 33m`, `2h 5m`, `40s`.
fn human(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, m) => format!("{d}d {h}h {m}m"),
    }
}

mod optional_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&revertwatch_normalize::format_time(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(d)
    }
}

impl crate::Incident {
    /// What the revert went back to, as labelled phrases for every output: each thing it
    /// restored from, the revert age, and the evidence destroyed. Empty for an incident that
    /// restores nothing and destroyed nothing.
    pub fn revert_facts(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = self
            .restored_from
            .iter()
            .map(|r| ("restored from", r.describe()))
            .collect();
        if let Some(age) = &self.revert_age {
            out.push(("revert age", age.describe()));
        }
        if let Some(what) = &self.evidence_destroyed {
            out.push(("evidence destroyed", what.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_days_hours_and_minutes() {
        assert_eq!(human(40), "40s");
        assert_eq!(human(125 * 60), "2h 5m");
        assert_eq!(human(53 * 86_400 + 10 * 3600 + 33 * 60 + 5), "53d 10h 33m");
    }
}
