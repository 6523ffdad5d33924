use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::error::PackError;
use crate::path::{FieldPath, Root};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
/// A cloud whose audit logs revertwatch reads.
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Amazon Web Services (CloudTrail).
    Aws,
    /// Microsoft Azure (Activity Log).
    Azure,
    /// Google Cloud (Cloud Audit Logs).
    Gcp,
}

impl Provider {
    /// The name the output contract and the pack use (`aws`, `azure`, `gcp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one successful call says about a revert, on its own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// It only connects resources (an attach, a launch from an image): no score alone.
    Link,
    /// It deletes what a revert replaced (the old root volume or disk): on an incident that
    /// restores, it raises the incident to escalate; alone, it is a link.
    EvidenceDestroyed,
    /// A stop/start, deallocate or reimage: ephemeral storage is gone.
    EphemeralReset,
    /// Something was created from a snapshot, image or backup that can replace a system's state.
    SnapshotRestore,
}

/// What a successful call says beside its signal: a call may carry both (a root volume
/// replaced in place whose old volume is deleted restores and destroys the evidence).
impl Signal {
    /// Whether this signal scores in the seed's formula (`is_snapshot_restore +
    /// is_ephemeral_reset`); a link and `evidence_destroyed` do not.
    pub fn scores(self) -> bool {
        matches!(self, Signal::EphemeralReset | Signal::SnapshotRestore)
    }
}

impl Signal {
    /// The name the output contract and the pack use (`snapshot_restore`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Link => "link",
            Signal::EvidenceDestroyed => "evidence_destroyed",
            Signal::EphemeralReset => "ephemeral_reset",
            Signal::SnapshotRestore => "snapshot_restore",
        }
    }
}

/// What a successful call does to the life of the machine it names: `detect` pairs a machine's
/// going down with its coming back, and tells a new machine from one that ran before.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// It stops the machine (stop, deallocate, power off): the machine is down until a start.
    Stop,
    /// It starts a stopped machine.
    Start,
    /// It creates the machine (a launch, an insert, a VM create).
    Launch,
    /// It deletes the machine; a machine created again under the same name is the same one.
    Delete,
}

impl Lifecycle {
    /// The name the pack uses (`stop`, `start`, `launch`, `delete`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Stop => "stop",
            Lifecycle::Start => "start",
            Lifecycle::Launch => "launch",
            Lifecycle::Delete => "delete",
        }
    }
}

/// A test on a call's fields. All of an entry's conditions must hold for its signal to count.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Some path has a non-empty value.
    Present(Vec<FieldPath>),
    /// A value at some path equals one of these, ignoring ASCII case.
    AnyOf(Vec<FieldPath>, Vec<String>),
    /// A value at some path contains one of these, ignoring ASCII case.
    ContainsAny(Vec<FieldPath>, Vec<String>),
}

/// A named resource role in an entry: where its ids are found and what kind it is.
#[derive(Debug, Clone)]
pub struct ResourceSpec {
    /// The resource kind its ids have (`volume`, `snapshot`, `instance`...).
    pub kind: String,
    /// Where the ids are: every value at any of these paths.
    pub paths: Vec<FieldPath>,
}

/// A lineage edge an entry gives: the ids of role `from` went into those of role `to`.
#[derive(Debug, Clone)]
pub struct EdgeSpec {
    /// The role the edge starts at.
    pub from: String,
    /// The role the edge ends at.
    pub to: String,
    /// How `from` went into `to` (`attached`, `detached`, `launched`).
    pub relation: String,
    /// Conditions on the call's fields, all of which must hold for the edge to be drawn (an
    /// Azure Backup restore reaches the VM only when it restores to the original location).
    pub when: Vec<Condition>,
    /// Where the `from` resource lives when not in the call's region (a cross-region copy's
    /// source, `request.sourceRegion`): a resource key crosses regions only through this.
    pub from_region: Vec<FieldPath>,
}

impl EdgeSpec {
    /// Whether the call's fields meet every condition of the edge.
    pub fn holds(&self, call: &dyn CallFields) -> bool {
        self.when.iter().all(|c| c.holds(call))
    }
}

/// The relation of an edge that says what a snapshot or image was taken of (a volume or disk
/// into its snapshot). It is provenance, never lineage: a restore from the snapshot brings
/// back that point in time, not what was restored into the volume before it, so detection
/// does not walk it and it adds no hop to [`Pack::lineage_hops`].
pub const TAKEN_OF: &str = "snapshot_of";

/// One catalog entry: a provider operation and what it means.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The cloud whose logs name the operation.
    pub provider: Provider,
    /// The operation as the provider names it (GCP without its version prefix).
    pub name: String,
    /// What a successful call means on its own.
    pub signal: Signal,
    /// Conditions on the call's fields, all of which must hold for the signal to count.
    pub when: Vec<Condition>,
    /// Label of what the call did, for incident chains.
    pub chain: Option<String>,
    /// What a successful call does to the life of the machine it names, if anything.
    pub lifecycle: Option<Lifecycle>,
    /// Chain label once the call's product reaches an instance, by the relation of the last
    /// hop (`attached` → `volume-from-snapshot-attached`).
    pub reached: BTreeMap<String, String>,
    /// The role the call acts on or produces; its ids are the call's subjects.
    pub subject: String,
    /// The roles the call names, by role name.
    pub resources: BTreeMap<String, ResourceSpec>,
    /// The lineage edges between those roles.
    pub edges: Vec<EdgeSpec>,
    /// Where the response says when the subject (a snapshot) was taken, when it says
    /// (CreateSnapshot's `startTime`): kept through pruning for `restored_from`.
    pub taken_at: Vec<FieldPath>,
    /// What the operation does, for people.
    pub description: String,
    /// Source line of the entry in its pack file.
    pub line: usize,
}

impl Entry {
    /// Every path the entry's conditions (its own and its edges') read, and the paths detection
    /// reads after annotation (when a snapshot was taken, a copy's source region).
    pub fn condition_paths(&self) -> impl Iterator<Item = &FieldPath> {
        let edges = self.edges.iter().flat_map(|e| e.when.iter());
        let conditions = self.when.iter().chain(edges).flat_map(|c| match c {
            Condition::Present(p) | Condition::AnyOf(p, _) | Condition::ContainsAny(p, _) => {
                p.iter()
            }
        });
        conditions.chain(self.taken_at.iter())
    }

    /// Whether every condition holds for `call` (an entry without conditions always holds).
    pub fn holds(&self, call: &dyn CallFields) -> bool {
        self.when.iter().all(|c| c.holds(call))
    }
}

/// A loaded, checked rule pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Every operation entry, in file order.
    pub entries: Vec<Entry>,
    /// Resource kinds that are compute targets (instances, VMs): incidents are keyed by them.
    pub compute_kinds: Vec<String>,
    /// Where the pack came from, for messages.
    pub source: String,
    index: BTreeMap<(Provider, String), Vec<usize>>,
    /// The longest lineage chain its edges make (see [`crate::MAX_LINEAGE_HOPS`]).
    pub(crate) lineage_hops: usize,
}

impl Pack {
    pub(crate) fn new(entries: Vec<Entry>, compute_kinds: Vec<String>, source: String) -> Pack {
        let mut pack = Pack {
            entries,
            compute_kinds,
            source,
            index: BTreeMap::new(),
            lineage_hops: 0,
        };
        pack.reindex();
        pack
    }

    /// How many lineage hops detection follows from a call's subject to a compute target: the
    /// longest chain this pack's edges make, never more than [`crate::MAX_LINEAGE_HOPS`] (a
    /// longer pack is refused when it loads or extends another).
    pub fn lineage_hops(&self) -> usize {
        self.lineage_hops
    }

    pub(crate) fn reindex(&mut self) {
        self.index.clear();
        for (i, e) in self.entries.iter().enumerate() {
            self.index
                .entry((e.provider, lookup_key(e.provider, &e.name)))
                .or_default()
                .push(i);
        }
    }

    /// Adds a user's entries on top: an entry for an operation the pack already has replaces
    /// all of the pack's entries for it. Refused when the two together chain more lineage
    /// hops than detection follows.
    pub fn extend(&mut self, other: Pack) -> Result<(), PackError> {
        let other_source = other.source.clone();
        let replaced: Vec<(Provider, String)> = other.index.keys().cloned().collect();
        self.entries
            .retain(|e| !replaced.contains(&(e.provider, lookup_key(e.provider, &e.name))));
        self.entries.extend(other.entries);
        for k in other.compute_kinds {
            if !self.compute_kinds.contains(&k) {
                self.compute_kinds.push(k);
            }
        }
        self.source = format!("{} + {}", self.source, other.source);
        self.reindex();
        let source = std::mem::replace(&mut self.source, other_source);
        let checked = self.check_lineage();
        self.source = source;
        checked
    }

    /// The entries for an operation as written in a record.
    pub fn entries_for(&self, provider: Provider, operation: &str) -> impl Iterator<Item = &Entry> {
        self.index
            .get(&(provider, lookup_key(provider, operation)))
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }

    /// Whether some entry names `operation` on `provider` (in the provider's own naming).
    pub fn knows(&self, provider: Provider, operation: &str) -> bool {
        self.index
            .contains_key(&(provider, lookup_key(provider, operation)))
    }

    /// Whether any entry reads the whole original record (`record.` paths).
    pub fn reads_records(&self) -> bool {
        self.entries.iter().any(|e| {
            let conditions = e.condition_paths();
            let resources = e.resources.values().flat_map(|r| r.paths.iter());
            conditions.chain(resources).any(|p| p.root == Root::Record)
        })
    }

    /// Whether `kind` is a compute target (an instance or VM).
    pub fn is_compute(&self, kind: &str) -> bool {
        self.compute_kinds.iter().any(|k| k == kind)
    }
}

impl Condition {
    /// Whether the call's fields meet this condition.
    pub fn holds(&self, call: &dyn CallFields) -> bool {
        let (paths, values, contains) = match self {
            Condition::Present(paths) => return !strings(paths, call).is_empty(),
            Condition::AnyOf(p, v) => (p, v, false),
            Condition::ContainsAny(p, v) => (p, v, true),
        };
        strings(paths, call).iter().any(|found| {
            let found = found.to_ascii_lowercase();
            values.iter().any(|want| {
                let want = want.to_ascii_lowercase();
                if contains {
                    found.contains(&want)
                } else {
                    found == want
                }
            })
        })
    }
}

/// What a pack reads from a call: the value each path root stands for.
pub trait CallFields {
    /// The value `root` stands for in this call (`request`, `response`...), if it has one.
    fn field_root(&self, root: Root) -> Option<&Value>;
}

/// Every value at any of `paths` in `call`.
pub fn strings(paths: &[FieldPath], call: &dyn CallFields) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        if let Some(start) = call.field_root(p.root) {
            p.strings(start, &mut out);
        }
    }
    out
}

/// The form an operation name is looked up by.
pub(crate) fn lookup_key(provider: Provider, operation: &str) -> String {
    match provider {
        Provider::Aws => operation.to_string(),
        Provider::Azure => operation.to_ascii_lowercase(),
        Provider::Gcp => strip_gcp_version(operation).to_string(),
    }
}

/// `v1.compute.disks.insert` → `compute.disks.insert`.
fn strip_gcp_version(method: &str) -> &str {
    match method.split_once('.') {
        Some((first, rest)) if first == "beta" || first == "alpha" || is_version(first) => rest,
        _ => method,
    }
}

fn is_version(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'v' && b[1].is_ascii_digit()
}
