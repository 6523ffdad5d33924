//! Resources, subjects and lineage edges of a call, read through the rule pack.

use std::collections::BTreeSet;

use revertwatch_pack::{strings, Pack, Provider};

use crate::call::{ApiCall, Edge, ResourceRef};
use crate::provider::canonical;

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
        let ids = |role: &str| -> Vec<ResourceRef> {
            let Some(spec) = entry.resources.get(role) else {
                return Vec::new();
            };
            let mut found: Vec<ResourceRef> = strings(&spec.paths, call)
                .into_iter()
                .map(|id| ResourceRef {
                    kind: spec.kind.clone(),
                    id: canonical(call.provider, &id, &call.account),
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
            let to = ids(&spec.to);
            for from in ids(&spec.from) {
                for to in &to {
                    if &from != to {
                        edges.insert(Edge {
                            from: from.clone(),
                            to: to.clone(),
                            relation: spec.relation.clone(),
                        });
                    }
                }
            }
        }
    }
    call.resources = resources.into_iter().collect();
    call.subjects = subjects.into_iter().collect();
    call.edges = edges.into_iter().collect();
}
