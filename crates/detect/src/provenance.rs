//! Where resources came from: a volume or disk from a snapshot, image or restore point, an
//! image from a snapshot, a snapshot from a volume, a copy from its source. The
//! [`crate::Detector`] lets a call go once no open incident can need it; the calls that made
//! provenance stay here, so that a restore made weeks before the swap that brings it onto a
//! machine still joins that machine's incident.
//!
//! Facts are keyed by the resource they produced and bounded by the number of resources: past
//! the cap the oldest resources are dropped, counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{phase_group, ApiCall, Outcome};
use revertwatch_pack::{Pack, MAX_LINEAGE_HOPS, TAKEN_OF};

use crate::graph::{node, Node};

/// The default cap on resources with a recorded origin (`--max-provenance`).
pub const DEFAULT_MAX_PROVENANCE: usize = 1_000_000;

/// The provenance facts a detector has seen: the producing calls (annotated and pruned, as
/// detection holds them), by event key, and the resources each produced.
pub struct Provenance {
    calls: HashMap<String, Arc<ApiCall>>,
    /// Product → the keys of the calls that made it (a volume restored twice under one id).
    by_product: HashMap<Node, BTreeSet<String>>,
    /// Product → when it was first made, and the reverse, for dropping the oldest.
    made: HashMap<Node, DateTime<Utc>>,
    by_age: BTreeSet<(DateTime<Utc>, Node)>,
    /// The resources a key still stands as a producer of (a call is kept while it has one).
    products_of: HashMap<String, BTreeSet<Node>>,
    /// Keys by their call's time, for a horizon on facts.
    by_time: BTreeSet<(DateTime<Utc>, String)>,
    max: usize,
    dropped: usize,
}

impl Default for Provenance {
    fn default() -> Provenance {
        Provenance::new(DEFAULT_MAX_PROVENANCE)
    }
}

/// The key an operation's provenance is kept under: the phase group of any of its phases
/// ([`revertwatch_normalize::phase_group`]), so that an operation seen in part and then whole
/// is one fact.
pub fn fact_key(phase: &ApiCall) -> String {
    group_key(&phase_group(phase))
}

pub(crate) fn group_key((provider, group): &(revertwatch_pack::Provider, String)) -> String {
    // Hashed: the group is made of log fields (event and correlation ids, resource ids), and
    // `serve` keys its store with it between NUL separators, which a log field may hold.
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(group.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{provider}|{hex}")
}

/// Whether a successful call says where a resource came from: an edge between two resources
/// that are not machines, or what a snapshot was taken of.
pub fn is_provenance(call: &ApiCall, pack: &Pack) -> bool {
    call.outcome != Outcome::Failure
        && (deletes_a_reusable_name(call, pack)
            || call.edges.iter().any(|e| {
                e.relation == TAKEN_OF
                    || (!pack.is_compute(&e.from.kind) && !pack.is_compute(&e.to.kind))
            }))
}

/// A machine deleted where its name can be given again (GCP, Azure): a machine created later
/// under that name is the same machine, however much later, so the delete is kept with the
/// facts, its product the machine's name.
fn deletes_a_reusable_name(call: &ApiCall, pack: &Pack) -> bool {
    call.provider != revertwatch_pack::Provider::Aws
        && pack
            .entries_for(call.provider, &call.operation)
            .any(|e| e.lifecycle == Some(revertwatch_pack::Lifecycle::Delete))
}

impl Provenance {
    /// A store that keeps the origin of at most `max` resources.
    pub fn new(max: usize) -> Provenance {
        Provenance {
            calls: HashMap::new(),
            by_product: HashMap::new(),
            made: HashMap::new(),
            by_age: BTreeSet::new(),
            products_of: HashMap::new(),
            by_time: BTreeSet::new(),
            max: max.max(1),
            dropped: 0,
        }
    }

    /// How many resources have a recorded origin.
    pub fn resources(&self) -> usize {
        self.made.len()
    }

    /// How many resources were dropped past the cap.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Whether a call is kept under this key.
    pub fn contains(&self, key: &str) -> bool {
        self.calls.contains_key(key)
    }

    /// Every call kept, with its key.
    pub fn calls(&self) -> impl Iterator<Item = (&str, &ApiCall)> {
        self.calls.iter().map(|(k, c)| (k.as_str(), c.as_ref()))
    }

    /// Records the facts of a (merged, annotated) call under its operation's key
    /// ([`fact_key`]); the same operation recorded again changes nothing unless more of its
    /// phases have arrived since (an Azure or GCP operation seen in part, then whole).
    /// Returns whether the call was kept.
    pub fn record(&mut self, key: &str, call: &ApiCall, pack: &Pack) -> bool {
        if !is_provenance(call, pack) {
            return false;
        }
        if let Some(known) = self.calls.get(key) {
            if known.event_ids.len() >= call.event_ids.len() {
                return false;
            }
            self.remove(key);
        }
        let mut products = BTreeSet::new();
        if deletes_a_reusable_name(call, pack) {
            products.extend(call.subjects.iter().map(|r| node(call, r, None)));
        }
        for e in &call.edges {
            if e.relation == TAKEN_OF
                || (!pack.is_compute(&e.from.kind) && !pack.is_compute(&e.to.kind))
            {
                products.insert(node(call, &e.to, None));
            }
        }
        let mut kept = call.clone();
        // The whole record is most of a call's memory; detection reads only the pruned bodies
        // (a pack whose conditions read `record.` paths keeps it).
        if !pack.reads_records() && !call.event_id.is_empty() {
            kept.record = Arc::new(serde_json::Value::Null);
        }
        self.calls.insert(key.to_string(), Arc::new(kept));
        self.by_time.insert((call.time, key.to_string()));
        self.products_of.insert(key.to_string(), products.clone());
        for product in products {
            self.by_product
                .entry(product.clone())
                .or_default()
                .insert(key.to_string());
            if !self.made.contains_key(&product) {
                self.made.insert(product.clone(), call.time);
                self.by_age.insert((call.time, product));
            }
        }
        self.enforce_cap();
        true
    }

    /// Forgets a key (its facts expired, or were never wanted).
    pub fn remove(&mut self, key: &str) {
        let Some(call) = self.calls.remove(key) else {
            return;
        };
        self.by_time.remove(&(call.time, key.to_string()));
        for product in self.products_of.remove(key).unwrap_or_default() {
            let empty = self.by_product.get_mut(&product).is_some_and(|keys| {
                keys.remove(key);
                keys.is_empty()
            });
            if empty {
                self.by_product.remove(&product);
                if let Some(t) = self.made.remove(&product) {
                    self.by_age.remove(&(t, product));
                }
            }
        }
    }

    /// The keys of calls made before `cutoff` (for a horizon on facts, `serve`'s
    /// `--provenance-horizon`).
    pub fn older_than(&self, cutoff: DateTime<Utc>) -> Vec<String> {
        self.by_time
            .iter()
            .take_while(|(t, _)| *t < cutoff)
            .map(|(_, k)| k.clone())
            .collect()
    }

    fn enforce_cap(&mut self) {
        while self.made.len() > self.max {
            let Some((_, product)) = self.by_age.pop_first() else {
                break;
            };
            self.made.remove(&product);
            self.dropped += 1;
            for key in self.by_product.remove(&product).unwrap_or_default() {
                let left = self.products_of.get_mut(&key).map(|products| {
                    products.remove(&product);
                    products.len()
                });
                if left == Some(0) {
                    self.products_of.remove(&key);
                    if let Some(call) = self.calls.remove(&key) {
                        self.by_time.remove(&(call.time, key.clone()));
                    }
                }
            }
        }
    }

    /// The calls kept that made what `calls` (those being detected over) start from, walking
    /// back through their sources: a swap's volume, the snapshot it was made from, what that
    /// snapshot was taken of. Calls whose key is in `present` are not repeated.
    pub fn sources_of(&self, calls: &[ApiCall], present: &HashSet<String>) -> Vec<ApiCall> {
        let mut frontier: Vec<Node> = Vec::new();
        for call in calls.iter().filter(|c| c.outcome != Outcome::Failure) {
            for e in &call.edges {
                frontier.push(node(call, &e.from, e.from_region.as_deref()));
            }
            // A machine's own name: the delete before it was created again under that name.
            // Only a call that brings something onto its subject (a launch from an image) can
            // create a machine; a stop or start, most of what is held, looks nothing up.
            if !call.edges.is_empty() {
                frontier.extend(call.subjects.iter().map(|r| node(call, r, None)));
            }
        }
        let mut seen: BTreeSet<Node> = BTreeSet::new();
        let mut added: BTreeMap<String, ApiCall> = BTreeMap::new();
        // One more than the longest chain: the last step is what a snapshot was taken of.
        for _ in 0..=MAX_LINEAGE_HOPS {
            let mut next = Vec::new();
            for n in frontier {
                if !seen.insert(n.clone()) {
                    continue;
                }
                for key in self.by_product.get(&n).into_iter().flatten() {
                    if present.contains(key) || added.contains_key(key) {
                        continue;
                    }
                    let Some(call) = self.calls.get(key) else {
                        continue;
                    };
                    for e in &call.edges {
                        next.push(node(call, &e.from, e.from_region.as_deref()));
                    }
                    added.insert(key.clone(), call.as_ref().clone());
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        added.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::group_key;
    use revertwatch_pack::Provider;

    #[test]
    fn a_fact_key_holds_no_separator_whatever_the_log_wrote() {
        let hostile = (Provider::Azure, "corr\0other-fact\0id".to_string());
        let key = group_key(&hostile);
        assert!(!key.contains('\0'), "{key:?}");
        assert_ne!(key, group_key(&(Provider::Azure, "corr".to_string())));
    }
}
