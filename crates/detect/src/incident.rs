//! Incidents: the signals that reach one instance or VM within a window.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{format_time, ApiCall, Outcome, ResourceRef};
use revertwatch_pack::{Pack, Provider, Signal};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::anchor::targets;
use crate::downtime::{effect, Downtime, Effect, Uptime};
use crate::graph::{Graph, Node};
use crate::machine::{is_new, OnMachine};
use crate::restored::{restored, RestoredFrom, RevertAge};
use crate::routine::Routine;
use crate::signal::Classified;
use crate::Horizon;

/// How far an incident should go: its suspicion score, unless tuning lowered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Only failed attempts: shown with `--show-failed`.
    None,
    /// A routine reset (the same identity, the same machine, the same hour, on earlier days)
    /// with no restore: counted, in JSON with its evidence, hidden from tables unless asked.
    Info,
    /// Score 1: one kind of signal reached the target.
    Review,
    /// Score 2: a restore and a reset reached one target.
    Escalate,
}

impl Severity {
    /// The seed's reading of a score: 0 none, 1 review, 2 or more escalate.
    pub fn from_score(score: u8) -> Severity {
        match score {
            0 => Severity::None,
            1 => Severity::Review,
            _ => Severity::Escalate,
        }
    }

    /// The name the output contract uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Info => "info",
            Severity::Review => "review",
            Severity::Escalate => "escalate",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Severity, UnknownSeverity> {
        [
            Severity::None,
            Severity::Info,
            Severity::Review,
            Severity::Escalate,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

/// A string that names no [`Severity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSeverity(pub String);

impl std::fmt::Display for UnknownSeverity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a severity (none, info, review, escalate)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSeverity {}

/// One call in an incident, as the analyst reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// When the call was made (RFC 3339 UTC).
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub time: DateTime<Utc>,
    /// Who made it: ARN, UPN, object id or e-mail.
    pub actor: String,
    /// The provider's identity type (IAMUser, AssumedRole, ServicePrincipal...).
    pub actor_type: String,
    /// The service that made the call on the actor's behalf (CloudTrail `invokedBy`).
    pub invoked_by: Option<String>,
    /// The role whose session made the call (never the caller-chosen session name).
    pub session_issuer: Option<String>,
    /// The address the call came from.
    pub source_ip: String,
    /// The caller's user agent: caller-chosen, evidence only.
    pub user_agent: String,
    /// The operation as the provider names it.
    pub operation: String,
    /// How the call ended.
    pub outcome: Outcome,
    /// The provider's error code or message, for failed calls.
    pub error: Option<String>,
    /// What the pack says the call means.
    pub signal: Signal,
    /// What the call did, as shown in the incident's chains.
    pub chain: Option<String>,
    /// Every resource the call named.
    pub resources: Vec<ResourceRef>,
    /// The provider event ids of every phase of the call.
    pub event_ids: Vec<String>,
    /// Tags the call set or carried (key, value).
    pub tags: Vec<(String, String)>,
    /// Input and line of the call's first event.
    pub origin: String,
}

/// A revert incident, with the fields of DESIGN.md's output contract first. It reads back
/// from its own JSON (`serve` keeps closed incidents that way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Stable id: a hash of provider, target and first call time.
    pub incident_id: String,
    /// The cloud.
    pub provider: Provider,
    /// Account, subscription or project of the first call that names one.
    pub account: String,
    /// Region (or location, zone) of that call.
    pub region: String,
    /// The instance or VM the signals reach, or the resource a lone signal produced.
    pub target: String,
    /// The kind of `target` (instance, vm, snapshot...).
    pub target_kind: String,
    /// The time of the incident's first call.
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub first_seen: DateTime<Utc>,
    /// The time of its last call.
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub last_seen: DateTime<Utc>,
    /// Every identity that made its calls, in order of first appearance.
    pub actors: Vec<String>,
    /// Every address its calls came from.
    pub source_ips: Vec<String>,
    /// What happened, as chain labels (`stop-start`, `volume-from-snapshot-attached`...).
    pub chains: Vec<String>,
    /// Every operation among its calls.
    pub operations: Vec<String>,
    /// 1 when a successful call restored from a snapshot, image or backup.
    pub is_snapshot_restore: u8,
    /// 1 when a successful call reset the machine (stop/start, reimage).
    pub is_ephemeral_reset: u8,
    /// The seed's score: `is_snapshot_restore + is_ephemeral_reset`.
    pub suspicion_score: u8,
    /// The score as a severity, raised to escalate when evidence was destroyed, after tuning.
    pub severity: Severity,
    /// What deleted the volume or disk the revert replaced (the chains of those calls:
    /// `root-volume-deleted`, `volume-deleted`...), when the incident restores and one did.
    #[serde(default)]
    pub evidence_destroyed: Option<String>,
    /// Each snapshot, image or restore point it restores from: what it was taken of, and when.
    #[serde(default)]
    pub restored_from: Vec<RestoredFrom>,
    /// How far back the machine went; null when the incident restores nothing.
    #[serde(default)]
    pub revert_age: Option<RevertAge>,
    /// Every provider event id of its calls.
    pub event_ids: Vec<String>,
    /// The tuning rule that suppressed it, if any.
    pub suppressed_by: Option<String>,
    /// The tuning rule that lowered its severity, if any.
    pub downgraded_by: Option<String>,
    /// Why a tuning rule that matched part of the incident did not apply.
    pub tuning_notes: Vec<String>,
    /// How many of its signal calls failed.
    pub failed_attempts: usize,
    /// Its calls, oldest first.
    pub evidence: Vec<Evidence>,
    /// Whether the machine was launched in the incident by the identity that restored onto
    /// it: a new machine is a review at most.
    #[serde(default)]
    pub new_machine: bool,
    /// How long the machine was down, when the incident stops it.
    #[serde(default)]
    pub downtime: Option<Downtime>,
    /// Why a reset is routine (severity `info`): the earlier resets that make it a habit.
    #[serde(default)]
    pub routine: Option<Routine>,
}

/// A call on a target: its index, and the relation through which it reached the target.
pub(crate) type Member = (usize, Option<String>);

/// A member and the anchor time its cluster is placed at.
type Anchored = (DateTime<Utc>, Member);

/// An incident and the calls it was made of (indices into the calls detected over, in the
/// order of its evidence): kept beside the incident, never in it.
pub(crate) struct Built {
    pub incident: Incident,
    pub members: Vec<usize>,
}

pub(crate) fn build(
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    pack: &Pack,
    window: Duration,
    provenance: Duration,
    recalled_from: usize,
) -> Vec<Built> {
    let graph = Graph::new(calls, pack);
    let reach = Horizon::new(pack, window, Duration::ZERO).reach();
    // target -> (anchor time, call index, relation of the hop that reached the target)
    let mut by_target: BTreeMap<(Node, String), Vec<Anchored>> = BTreeMap::new();
    for (i, (call, class)) in calls.iter().zip(classified).enumerate() {
        if class.is_none() {
            continue;
        }
        for (target, kind, via, at) in targets(call, &graph, window, pack.lineage_hops(), reach) {
            // A call recalled from the provenance store was settled with every incident of its
            // own; it only joins the machines the calls held now bring it to.
            if i >= recalled_from && !graph.is_compute(&target) {
                continue;
            }
            by_target
                .entry((target, kind))
                .or_default()
                .push((at, (i, via)));
        }
    }
    let mut incidents = Vec::new();
    let by_time = |a: &Member, b: &Member| {
        (calls[a.0].time, &calls[a.0].event_id).cmp(&(calls[b.0].time, &calls[b.0].event_id))
    };
    for ((target, kind), mut members) in by_target {
        // Clustered by anchor time: the window bounds the calls on the machine, and a restore
        // reached through provenance sits where its swap or attach brought it. While the
        // machine is down, its stop waits for its start (downtime.rs).
        members.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| by_time(&a.1, &b.1)));
        let mut cluster: Vec<Anchored> = Vec::new();
        let close = |cluster: &mut Vec<Anchored>| {
            let found = close(&target, &kind, cluster, calls, classified, &graph, pack);
            cluster.clear();
            found
        };
        let mut uptime = Uptime::default();
        for (at, m) in members {
            if cluster
                .last()
                .is_some_and(|last| !uptime.joins(at - last.0, window, provenance))
            {
                incidents.extend(close(&mut cluster));
                uptime = Uptime::default();
            }
            uptime.step(at, down_or_up(&m, calls, classified));
            cluster.push((at, m));
        }
        incidents.extend(close(&mut cluster));
    }
    incidents.sort_by(|a, b| {
        let (a, b) = (&a.incident, &b.incident);
        (b.first_seen, &a.incident_id).cmp(&(a.first_seen, &b.incident_id))
    });
    incidents
}

/// The incident of one cluster: its members in time order, once each, and what it restored
/// from, at the time the restore reached the machine.
fn close(
    target: &Node,
    kind: &str,
    cluster: &[Anchored],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    graph: &Graph,
    pack: &Pack,
) -> Option<Built> {
    let mut members: Vec<Member> = cluster.iter().map(|(_, m)| m.clone()).collect();
    members.sort_by(|a, b| {
        (calls[a.0].time, &calls[a.0].event_id).cmp(&(calls[b.0].time, &calls[b.0].event_id))
    });
    members.dedup_by(|a, b| a.0 == b.0);
    let mut built = assemble(target, kind, &members, calls, classified, graph)?;
    let is_restore = |i: usize| {
        classified[i]
            .as_ref()
            .is_some_and(|c| c.has(Signal::SnapshotRestore))
    };
    let anchor = cluster
        .iter()
        .filter(|(_, m)| is_restore(m.0))
        .map(|(at, _)| *at)
        .max()
        .unwrap_or(built.incident.last_seen);
    let restores: Vec<usize> = members
        .iter()
        .map(|m| m.0)
        .filter(|&i| is_restore(i))
        .collect();
    let (from, age) = restored(&restores, calls, classified, graph, pack, anchor);
    built.incident.restored_from = from;
    built.incident.revert_age = age;
    Some(built)
}

/// What the members of a cluster add up to: the signals that count, their chains, the
/// evidence in member order and the failed attempts.
#[derive(Default)]
struct Scored {
    restore: u8,
    reset: u8,
    /// The chains of the calls that destroyed evidence.
    destroyed: Vec<String>,
    chains: Vec<String>,
    evidence: Vec<Evidence>,
    failed: usize,
}

fn score(
    members: &[Member],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    muted: &[usize],
) -> Scored {
    let mut scored = Scored::default();
    // What the incident's restores made: deleting one of those (a restore test cleaning up its
    // volume) destroyed nothing the revert replaced.
    let restored: Vec<&str> = members
        .iter()
        .filter(|(i, _)| {
            classified[*i]
                .as_ref()
                .is_some_and(|c| c.counts && c.has(Signal::SnapshotRestore))
        })
        .flat_map(|(i, _)| calls[*i].subjects.iter().map(|s| s.id.as_str()))
        .collect();
    for (i, via) in members {
        let call = &calls[*i];
        let class = classified[*i].as_ref().expect("members are classified");
        if muted.contains(i) {
            // Evidence of the machine's end, not a reset of it (see `lone_deletes`).
            let mut e = evidence(call, class, None);
            e.signal = Signal::Link;
            scored.evidence.push(e);
            continue;
        }
        let chain = chain_label(class, via.as_deref());
        if class.counts {
            if class.has(Signal::SnapshotRestore) {
                scored.restore = 1;
            }
            if class.has(Signal::EphemeralReset) {
                scored.reset = 1;
            }
            let own_product = !class.has(Signal::SnapshotRestore)
                && !call.subjects.is_empty()
                && call
                    .subjects
                    .iter()
                    .all(|s| restored.contains(&s.id.as_str()));
            if let Some(c) = class.destroyed_chain.as_ref().filter(|_| !own_product) {
                scored.destroyed.push(c.clone());
            }
            if let Some(c) = chain.as_ref().filter(|_| class.scores()) {
                scored.chains.push(c.clone());
            }
            scored.chains.extend(class.more_chains.iter().cloned());
        } else if class.scores() {
            scored.failed += 1;
        }
        scored.evidence.push(evidence(call, class, chain));
    }
    compose_chains(&mut scored.chains);
    scored
}

/// The call's chain label, or the one its entry gives once its product reached the target
/// through the relation `via`.
fn chain_label(class: &Classified, via: Option<&str>) -> Option<String> {
    match (&class.chain, via) {
        (Some(base), Some(rel)) => Some(
            class
                .reached
                .iter()
                .find(|(r, _)| r == rel)
                .map(|(_, label)| label.clone())
                .unwrap_or_else(|| base.clone()),
        ),
        (chain, _) => chain.clone(),
    }
}

fn evidence(call: &ApiCall, class: &Classified, chain: Option<String>) -> Evidence {
    Evidence {
        time: call.time,
        actor: call.actor.id.clone(),
        actor_type: call.actor.kind.clone(),
        invoked_by: call.actor.invoked_by.clone(),
        session_issuer: call.actor.session_issuer.clone(),
        source_ip: call.source_ip.clone(),
        user_agent: call.user_agent.clone(),
        operation: call.operation.clone(),
        outcome: call.outcome,
        error: call.error.clone(),
        signal: class.signal,
        chain,
        resources: call.resources.clone(),
        event_ids: call.event_ids.clone(),
        tags: call.tags.clone(),
        origin: format!("{}:{}", call.origin.source, call.origin.line),
    }
}

fn assemble(
    target: &Node,
    kind: &str,
    members: &[Member],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    graph: &Graph,
) -> Option<Built> {
    let muted = lone_deletes(members, calls, classified);
    let has_signal = members.iter().any(|(i, _)| {
        !muted.contains(i) && classified[*i].as_ref().is_some_and(Classified::scores)
    });
    if !has_signal {
        return None;
    }
    let Scored {
        restore,
        reset,
        destroyed,
        mut chains,
        mut evidence,
        failed,
    } = score(members, calls, classified, &muted);
    let score = restore + reset;
    let (mut severity, evidence_destroyed) = destroyed_evidence(
        Severity::from_score(score),
        restore == 1 && graph.is_compute(target),
        destroyed,
        &mut chains,
        &mut evidence,
    );
    // A machine its restorer had just launched held nothing to go back from: whatever was
    // deleted on it, a review at most.
    let (downtime, new_machine) = machine_facts(members, calls, classified);
    if new_machine {
        severity = severity.min(Severity::Review);
    }
    let first = &calls[members[0].0];
    let first_seen = first.time;
    let last_seen = members.iter().map(|(i, _)| calls[*i].time).max()?;
    let signal_call = members
        .iter()
        .map(|(i, _)| &calls[*i])
        .find(|c| !c.account.is_empty())
        .unwrap_or(first);
    let incident = Incident {
        incident_id: incident_id(target, &first_seen),
        provider: target.0,
        account: signal_call.account.clone(),
        region: signal_call.region.clone(),
        target: target.2.clone(),
        target_kind: kind.to_string(),
        first_seen,
        last_seen,
        actors: present(evidence.iter().map(|e| &e.actor)),
        source_ips: present(evidence.iter().map(|e| &e.source_ip)),
        chains,
        operations: unique(evidence.iter().map(|e| e.operation.clone())),
        is_snapshot_restore: restore,
        is_ephemeral_reset: reset,
        suspicion_score: score,
        severity,
        evidence_destroyed,
        restored_from: Vec::new(),
        revert_age: None,
        event_ids: unique(evidence.iter().flat_map(|e| e.event_ids.clone())),
        suppressed_by: None,
        downgraded_by: None,
        tuning_notes: Vec::new(),
        failed_attempts: failed,
        evidence,
        new_machine,
        downtime,
        routine: None,
    };
    Some(Built {
        incident,
        members: members.iter().map(|(i, _)| *i).collect(),
    })
}

/// Whether the incident destroyed what its revert replaced, and the severity that makes. Only
/// a machine that was restored has something a revert replaced: a lone restore's own volume
/// deleted is cleanup, and a deletion with no restore is a link.
fn destroyed_evidence(
    severity: Severity,
    restored_machine: bool,
    mut destroyed: Vec<String>,
    chains: &mut Vec<String>,
    evidence: &mut [Evidence],
) -> (Severity, Option<String>) {
    destroyed.sort();
    destroyed.dedup();
    if restored_machine && !destroyed.is_empty() {
        let said = destroyed.join(", ");
        chains.extend(destroyed);
        chains.sort();
        chains.dedup();
        return (Severity::Escalate, Some(said));
    }
    for e in evidence
        .iter_mut()
        .filter(|e| e.signal == Signal::EvidenceDestroyed)
    {
        e.signal = Signal::Link;
        e.chain = None;
    }
    (severity, None)
}

/// The deletes in a cluster after which the machine never came back under its name. A delete
/// is a reset when the machine is created again under its name (the same machine, from an
/// image or snapshot); a machine deleted for good was destroyed, not reverted, and a managed
/// group's every scale-in would otherwise be a review.
fn lone_deletes(
    members: &[Member],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
) -> Vec<usize> {
    // One pass from the newest: a name deleted thousands of times must not cost a square.
    let mut lone = Vec::new();
    let mut back = false;
    for m in members.iter().rev() {
        match down_or_up(m, calls, classified) {
            Some(Effect::Up) => back = true,
            Some(Effect::Deleted) if !back => lone.push(m.0),
            _ => {}
        }
    }
    lone
}

/// Whether a member takes its machine down, brings it back, or ends it: only a call that names
/// the machine itself, not one that reaches it through lineage.
fn down_or_up(m: &Member, calls: &[ApiCall], classified: &[Option<Classified>]) -> Option<Effect> {
    if m.1.is_some() {
        return None;
    }
    effect(calls[m.0].provider, classified[m.0].as_ref()?.lifecycle)
}

/// How long the machine was down over the cluster, and whether it was new (machine.rs).
fn machine_facts(
    members: &[Member],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
) -> (Option<Downtime>, bool) {
    let mut uptime = Uptime::default();
    let mut on_machine = Vec::with_capacity(members.len());
    for m in members {
        uptime.step(calls[m.0].time, down_or_up(m, calls, classified));
        on_machine.push(OnMachine {
            call: &calls[m.0],
            class: classified[m.0].as_ref().expect("members are classified"),
            direct: m.1.is_none(),
        });
    }
    (uptime.downtime(), is_new(&on_machine))
}

/// A stop and a start on one target read as one `stop-start` cycle.
fn compose_chains(chains: &mut Vec<String>) {
    chains.sort();
    chains.dedup();
    let has = |c: &Vec<String>, s: &str| c.iter().any(|x| x == s);
    if has(chains, "stop") && has(chains, "start") {
        chains.retain(|c| c != "stop" && c != "start");
        chains.push("stop-start".into());
        chains.sort();
    }
}

/// The non-empty ones, once each, in order of first appearance.
fn present<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    unique(items.filter(|s| !s.is_empty()).cloned())
}

fn unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Stable across runs and input order: what the incident is about, and when it began.
fn incident_id(target: &Node, first_seen: &DateTime<Utc>) -> String {
    let mut h = Sha256::new();
    h.update(target.0.as_str());
    h.update([0]);
    h.update(target.2.as_bytes());
    h.update([0]);
    h.update(format_time(first_seen));
    // An AWS id is scoped by account and region (`graph::node`): one instance id in two
    // accounts is two machines, and their incidents must not share an id. Azure and GCP ids
    // name their own scope, which is empty, so their incident ids are as they were.
    if !target.1.is_empty() {
        h.update([0]);
        h.update(target.1.as_bytes());
    }
    let d = h.finalize();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("rw-{hex}")
}
