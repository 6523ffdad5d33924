//! Resources, subjects and lineage edges of a call, read through the rule pack.

use std::collections::BTreeSet;

use revertwatch_pack::{strings, Pack, Provider, Root, Signal};
use serde_json::Value;

use crate::call::{ApiCall, Edge, ResourceRef};
use crate::provider::canonical_of;

/// Fills `resources`, `subjects` and `edges` from the pack's entries for the call's
/// operation, and gives Azure operations the pack's casing. A call the pack does not know is
/// left as it is.
pub fn annotate(call: &mut ApiCall, pack: &Pack) {
    let entries: Vec<_> = pack.entries_for(call.provider, &call.operation).collect();
    let Some(first) = entries.first() else {
        return;
    };
    if call.provider == Provider::Azure {
        call.operation = first.name.clone();
    }
    let mut resources = BTreeSet::new();
    let mut subjects = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for entry in entries {
        // A link's conditions say when its resources and edges apply at all (a snapshot
        // copied from a disk, not from a snapshot); a signal's say only when it scores.
        if entry.signal == Signal::Link && !entry.holds(call) {
            continue;
        }
        let ids = |role: &str| -> Vec<ResourceRef> {
            let Some(spec) = entry.resources.get(role) else {
                return Vec::new();
            };
            let mut found: Vec<ResourceRef> = strings(&spec.paths, call)
                .into_iter()
                .map(|id| ResourceRef {
                    kind: spec.kind.clone(),
                    id: canonical_of(call.provider, &spec.kind, &id, &call.account),
                })
                .collect();
            found.sort();
            found.dedup();
            found
        };
        for role in entry.resources.keys() {
            resources.extend(ids(role));
        }
        subjects.extend(ids(&entry.subject));
        for spec in &entry.edges {
            if !spec.holds(call) {
                continue;
            }
            let to = ids(&spec.to);
            let from_region = strings(&spec.from_region, call)
                .into_iter()
                .find(|r| !r.is_empty() && *r != call.region);
            for from in ids(&spec.from) {
                for to in &to {
                    if &from != to {
                        edges.insert(Edge {
                            from: from.clone(),
                            to: to.clone(),
                            relation: spec.relation.clone(),
                            from_region: from_region.clone(),
                        });
                    }
                }
            }
        }
    }
    call.resources = resources.into_iter().collect();
    call.subjects = subjects.into_iter().collect();
    call.edges = edges.into_iter().collect();
    // Keep only what the pack's conditions will still read: bodies are most of a call's
    // memory, and a hunt holds every candidate call until detection.
    let mut request_paths = Vec::new();
    let mut response_paths = Vec::new();
    for entry in pack.entries_for(call.provider, &call.operation) {
        for path in entry.condition_paths() {
            match path.root {
                Root::Request => request_paths.push(path.keys.as_slice()),
                Root::Response => response_paths.push(path.keys.as_slice()),
                _ => {}
            }
        }
    }
    call.request = prune(&call.request, &request_paths);
    call.response = prune(&call.response, &response_paths);
    call.annotated = true;
}

/// The parts of `value` that lie on one of `paths` (keys matched without case, arrays walked).
fn prune(value: &Value, paths: &[&[String]]) -> Value {
    if paths.is_empty() {
        return Value::Null;
    }
    if paths.iter().any(|p| p.is_empty()) {
        return value.clone();
    }
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| prune(v, paths)).collect()),
        Value::Object(map) => {
            let mut kept = serde_json::Map::new();
            for (key, v) in map {
                let tails: Vec<&[String]> = paths
                    .iter()
                    .filter(|p| p[0].eq_ignore_ascii_case(key))
                    .map(|p| &p[1..])
                    .collect();
                if !tails.is_empty() {
                    kept.insert(key.clone(), prune(v, &tails));
                }
            }
            Value::Object(kept)
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pruning_keeps_exactly_the_paths_and_their_arrays() {
        let v = json!({"blockDeviceMapping":{"items":[{"ebs":{"snapshotId":"snap-1","volumeSize":"8"},"deviceName":"/dev/xvda"}]},"userData":"<big>","SnapshotId":"s"});
        let a = vec![
            "blockDeviceMapping".to_string(),
            "items".into(),
            "ebs".into(),
            "snapshotId".into(),
        ];
        let b = vec!["snapshotid".to_string()];
        let kept = prune(&v, &[a.as_slice(), b.as_slice()]);
        assert_eq!(
            kept,
            json!({"blockDeviceMapping":{"items":[{"ebs":{"snapshotId":"snap-1"}}]},"SnapshotId":"s"})
        );
        assert_eq!(prune(&v, &[]), Value::Null);
    }
}
