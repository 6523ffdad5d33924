//! The lineage graph: resources as nodes, the edges of successful calls between them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::{Pack, Provider};

/// A resource, by provider and canonical id (kinds differ between the calls that name it).
pub type Node = (Provider, String);

pub struct Graph {
    out: BTreeMap<Node, Vec<(Node, DateTime<Utc>, String)>>,
    /// Compute nodes and their kind (instance, vm).
    compute: BTreeMap<Node, String>,
}

impl Graph {
    pub fn new(calls: &[ApiCall], pack: &Pack) -> Graph {
        let mut out: BTreeMap<Node, Vec<(Node, DateTime<Utc>, String)>> = BTreeMap::new();
        let mut compute = BTreeMap::new();
        for call in calls {
            for r in &call.resources {
                if pack.is_compute(&r.kind) {
                    compute.insert((call.provider, r.id.clone()), r.kind.clone());
                }
            }
            if call.outcome == Outcome::Failure {
                continue;
            }
            for e in &call.edges {
                out.entry((call.provider, e.from.id.clone()))
                    .or_default()
                    .push((
                        (call.provider, e.to.id.clone()),
                        call.time,
                        e.relation.clone(),
                    ));
            }
        }
        for edges in out.values_mut() {
            edges.sort();
            edges.dedup();
        }
        Graph { out, compute }
    }

    pub fn is_compute(&self, node: &Node) -> bool {
        self.compute.contains_key(node)
    }

    pub fn kind(&self, node: &Node) -> Option<&str> {
        self.compute.get(node).map(String::as_str)
    }

    /// Compute nodes reachable from `start` at `time` in at most `hops` hops, each within
    /// `window` of the one before it, with the relation of the hop that reached each (None for
    /// `start` itself). The hop limit is the pack's ([`revertwatch_pack::Pack::lineage_hops`]):
    /// the time-ordered [`crate::Detector`] holds calls for exactly that many windows.
    pub fn reach(
        &self,
        start: &Node,
        time: DateTime<Utc>,
        window: Duration,
        hops: usize,
    ) -> Vec<(Node, Option<String>)> {
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        let mut found = BTreeMap::new();
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([(start.clone(), time, None::<String>, 0usize)]);
        while let Some((node, at, via, depth)) = queue.pop_front() {
            if !seen.insert(node.clone()) {
                continue;
            }
            if self.is_compute(&node) {
                found.entry(node.clone()).or_insert(via.clone());
                // An instance is where a revert lands; lineage does not run on through it.
                if &node != start {
                    continue;
                }
            }
            if depth == hops {
                continue;
            }
            for (next, when, relation) in self.out.get(&node).into_iter().flatten() {
                // Two times always subtract (their range is far inside a duration's).
                if (*when - at).abs() <= window {
                    queue.push_back((next.clone(), *when, Some(relation.clone()), depth + 1));
                }
            }
        }
        found.into_iter().collect()
    }
}
