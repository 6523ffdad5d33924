//! The lineage graph: resources as nodes, the edges of successful calls between them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{ApiCall, Outcome, ResourceRef};
use revertwatch_pack::{Pack, Provider, TAKEN_OF};

/// A resource, by provider, scope and canonical id (kinds differ between the calls that name
/// it). See [`node`].
pub type Node = (Provider, String, String);

/// Kinds whose AWS ids are shared across accounts (a snapshot or AMI shared to another
/// account keeps its id there): keyed by region, not account. An AWS Backup recovery point of
/// EC2 or EBS is an AMI or a snapshot under its own id (the restore job names it by ARN, the
/// service's launch by id), so it is keyed as one.
const SHAREABLE: [&str; 3] = ["snapshot", "image", "recovery-point"];

/// The key of a resource a call names. Machines, volumes and disks are keyed by provider,
/// account, region and id; AWS ids say neither, so the call's account and region scope them,
/// and an instance id seen in two accounts is two machines. Snapshots and images cross
/// accounts when shared, so they are keyed by region only; `region` overrides the call's for
/// the source of a cross-region copy. Azure and GCP canonical ids already carry their
/// subscription or project (and zone or resource group), so they need no scope.
pub fn node(call: &ApiCall, r: &ResourceRef, region: Option<&str>) -> Node {
    let scope = match call.provider {
        Provider::Aws => {
            let region = region.unwrap_or(&call.region);
            if SHAREABLE.contains(&r.kind.as_str()) {
                region.to_string()
            } else {
                format!("{}/{region}", call.account)
            }
        }
        Provider::Azure | Provider::Gcp => String::new(),
    };
    (call.provider, scope, r.id.clone())
}

pub struct Graph {
    out: BTreeMap<Node, Vec<(Node, DateTime<Utc>, String)>>,
    /// Edges by where they end, with the index of the call that made each: what a resource
    /// was made, copied or taken from.
    into: BTreeMap<Node, Vec<Inbound>>,
    /// Compute nodes and their kind (instance, vm).
    compute: BTreeMap<Node, String>,
}

impl Graph {
    pub fn new(calls: &[ApiCall], pack: &Pack) -> Graph {
        let mut out: BTreeMap<Node, Vec<(Node, DateTime<Utc>, String)>> = BTreeMap::new();
        let mut compute = BTreeMap::new();
        let mut into: BTreeMap<Node, Vec<Inbound>> = BTreeMap::new();
        for (index, call) in calls.iter().enumerate() {
            for r in &call.resources {
                if pack.is_compute(&r.kind) {
                    compute.insert(node(call, r, None), r.kind.clone());
                }
            }
            if call.outcome == Outcome::Failure {
                continue;
            }
            for e in &call.edges {
                let from = node(call, &e.from, e.from_region.as_deref());
                let to = node(call, &e.to, None);
                if !pack.is_compute(&e.to.kind) {
                    into.entry(to.clone()).or_default().push(Inbound {
                        from: from.clone(),
                        from_kind: e.from.kind.clone(),
                        relation: e.relation.clone(),
                        call: index,
                    });
                }
                out.entry(from)
                    .or_default()
                    .push((to, call.time, e.relation.clone()));
            }
        }
        for edges in out.values_mut() {
            edges.sort();
            edges.dedup();
        }
        for edges in into.values_mut() {
            edges.sort_by_key(|e| e.call);
        }
        Graph { out, into, compute }
    }

    /// The edges that end at `node` (a resource, not a machine), in call order.
    pub fn inbound(&self, node: &Node) -> &[Inbound] {
        self.into.get(node).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn is_compute(&self, node: &Node) -> bool {
        self.compute.contains_key(node)
    }

    pub fn kind(&self, node: &Node) -> Option<&str> {
        self.compute.get(node).map(String::as_str)
    }

    /// Compute nodes reachable from `start` (a call's subject, at the call's `time`) in at most
    /// `hops` hops, each with the relation of the hop that reached it (None for `start`
    /// itself) and its *anchor* time: when the hop that brought the product onto the machine
    /// (an attach, a launch, a root replaced, an OS disk swapped) was made. The hop limit is
    /// the pack's ([`revertwatch_pack::Pack::lineage_hops`]).
    ///
    /// Hops between resources that are not machines (provenance: a volume made from a
    /// snapshot, a copy of a snapshot) have no time limit, and neither has the anchor: a
    /// restore joins the machine's incident however long before the swap it was made. Each hop
    /// must come after the one before it, less one `window` of skew (a deletion may follow the
    /// detach it reaches through by up to a window). Lineage is never walked through what a
    /// snapshot was taken of ([`TAKEN_OF`]): a restore brings back that point in time.
    pub fn reach(
        &self,
        start: &Node,
        time: DateTime<Utc>,
        window: Duration,
        hops: usize,
    ) -> Vec<Reached> {
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::new();
        if self.is_compute(start) {
            found.insert((start.clone(), None, time));
        }
        let mut queue = VecDeque::from([(start.clone(), time, 0usize)]);
        while let Some((node, at, depth)) = queue.pop_front() {
            if !seen.insert(node.clone()) || depth == hops {
                continue;
            }
            let earliest = at
                .checked_sub_signed(window)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            for (next, when, relation) in self.out.get(&node).into_iter().flatten() {
                if relation == TAKEN_OF || *when < earliest {
                    continue;
                }
                if self.is_compute(next) {
                    // An instance is where a revert lands; lineage does not run on through it.
                    found.insert((next.clone(), Some(relation.clone()), *when));
                } else {
                    queue.push_back((next.clone(), *when, depth + 1));
                }
            }
        }
        found.into_iter().collect()
    }
}

/// An edge into a resource: where it came from and the call that said so.
pub struct Inbound {
    pub from: Node,
    pub from_kind: String,
    pub relation: String,
    /// Index of the call among those the graph was made of.
    pub call: usize,
}

/// A compute node a call reaches: the node, the relation of the hop into it, and the anchor
/// time (when that hop was made; the call's own time for its own subject).
pub type Reached = (Node, Option<String>, DateTime<Utc>);
