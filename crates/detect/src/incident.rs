//! Incidents: the signals that reach one instance or VM within a window.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_normalize::{format_time, ApiCall, ResourceRef};
use revertwatch_pack::{Pack, Provider, Signal};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::graph::{Graph, Node};
use crate::signal::Classified;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Only failed attempts: shown with `--show-failed`.
    None,
    Review,
    Escalate,
}

impl Severity {
    pub fn from_score(score: u8) -> Severity {
        match score {
            0 => Severity::None,
            1 => Severity::Review,
            _ => Severity::Escalate,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Review => "review",
            Severity::Escalate => "escalate",
        }
    }
}

/// One call in an incident, as the analyst reads it.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub time: DateTime<Utc>,
    pub actor: String,
    pub actor_type: String,
    pub invoked_by: Option<String>,
    pub session_issuer: Option<String>,
    pub source_ip: String,
    pub user_agent: String,
    pub operation: String,
    pub outcome: &'static str,
    pub error: Option<String>,
    pub signal: Signal,
    pub chain: Option<String>,
    pub resources: Vec<ResourceRef>,
    pub event_ids: Vec<String>,
    pub tags: Vec<(String, String)>,
    /// Input and line of the call's first event.
    pub origin: String,
    #[serde(skip)]
    pub call_index: usize,
}

/// A revert incident, with the fields of DESIGN.md's output contract first.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub incident_id: String,
    pub provider: Provider,
    pub account: String,
    pub region: String,
    pub target: String,
    pub target_kind: String,
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub first_seen: DateTime<Utc>,
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub last_seen: DateTime<Utc>,
    pub actors: Vec<String>,
    pub source_ips: Vec<String>,
    pub chains: Vec<String>,
    pub operations: Vec<String>,
    pub is_snapshot_restore: u8,
    pub is_ephemeral_reset: u8,
    pub suspicion_score: u8,
    pub severity: Severity,
    pub event_ids: Vec<String>,
    pub suppressed_by: Option<String>,
    pub downgraded_by: Option<String>,
    /// Why a tuning rule that matched part of the incident did not apply.
    pub tuning_notes: Vec<String>,
    pub failed_attempts: usize,
    pub evidence: Vec<Evidence>,
}

/// A call on a target: its index, and the relation through which it reached the target.
type Member = (usize, Option<String>);

pub fn build(
    calls: &[ApiCall],
    classified: &[Option<Classified>],
    pack: &Pack,
    window: Duration,
) -> Vec<Incident> {
    let graph = Graph::new(calls, pack);
    // target -> (call index, relation of the hop that reached the target)
    let mut by_target: BTreeMap<(Node, String), Vec<Member>> = BTreeMap::new();
    for (i, (call, class)) in calls.iter().zip(classified).enumerate() {
        if class.is_none() {
            continue;
        }
        for (target, kind, via) in targets(call, &graph, window) {
            by_target.entry((target, kind)).or_default().push((i, via));
        }
    }
    let gap = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    let mut incidents = Vec::new();
    for ((target, kind), mut members) in by_target {
        members.sort_by(|a, b| {
            (calls[a.0].time, &calls[a.0].event_id).cmp(&(calls[b.0].time, &calls[b.0].event_id))
        });
        members.dedup_by(|a, b| a.0 == b.0);
        let mut cluster: Vec<Member> = Vec::new();
        for m in members {
            if let Some(last) = cluster.last() {
                if calls[m.0].time - calls[last.0].time > gap {
                    incidents.extend(assemble(&target, &kind, &cluster, calls, classified));
                    cluster.clear();
                }
            }
            cluster.push(m);
        }
        incidents.extend(assemble(&target, &kind, &cluster, calls, classified));
    }
    incidents.sort_by(|a, b| (b.first_seen, &a.incident_id).cmp(&(a.first_seen, &b.incident_id)));
    incidents
}

/// Where a call lands: the instances its subjects reach, or else its subjects themselves.
fn targets(call: &ApiCall, graph: &Graph, window: Duration) -> Vec<(Node, String, Option<String>)> {
    let mut out = Vec::new();
    for subject in &call.subjects {
        let node = (call.provider, subject.id.clone());
        for (reached, via) in graph.reach(&node, call.time, window) {
            let kind = graph.kind(&reached).unwrap_or(&subject.kind).to_string();
            out.push((reached, kind, via));
        }
    }
    if out.is_empty() {
        match call.subjects.first() {
            Some(s) => out.push(((call.provider, s.id.clone()), s.kind.clone(), None)),
            // A call that names nothing it made (a failed create, an async import): key it by
            // its own event so that it is still shown.
            None => out.push((
                (
                    call.provider,
                    format!("{}:{}", call.operation, call.event_id),
                ),
                "call".into(),
                None,
            )),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn assemble(
    target: &Node,
    kind: &str,
    members: &[Member],
    calls: &[ApiCall],
    classified: &[Option<Classified>],
) -> Option<Incident> {
    let has_signal = members.iter().any(|(i, _)| {
        classified[*i]
            .as_ref()
            .is_some_and(|c| c.signal != Signal::Link)
    });
    if !has_signal {
        return None;
    }
    let mut restore = 0u8;
    let mut reset = 0u8;
    let mut chains: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    let mut failed = 0;
    for (i, via) in members {
        let call = &calls[*i];
        let class = classified[*i].as_ref().expect("members are classified");
        let chain = match (&class.chain, via) {
            (Some(base), Some(rel)) => Some(
                class
                    .reached
                    .iter()
                    .find(|(r, _)| r == rel)
                    .map(|(_, label)| label.clone())
                    .unwrap_or_else(|| base.clone()),
            ),
            (chain, _) => chain.clone(),
        };
        if class.counts {
            match class.signal {
                Signal::SnapshotRestore => restore = 1,
                Signal::EphemeralReset => reset = 1,
                Signal::Link => {}
            }
            if let Some(c) = &chain {
                chains.push(c.clone());
            }
        } else if class.signal != Signal::Link {
            failed += 1;
        }
        evidence.push(Evidence {
            time: call.time,
            actor: call.actor.id.clone(),
            actor_type: call.actor.kind.clone(),
            invoked_by: call.actor.invoked_by.clone(),
            session_issuer: call.actor.session_issuer.clone(),
            source_ip: call.source_ip.clone(),
            user_agent: call.user_agent.clone(),
            operation: call.operation.clone(),
            outcome: call.outcome.as_str(),
            error: call.error.clone(),
            signal: class.signal,
            chain,
            resources: call.resources.clone(),
            event_ids: call.event_ids.clone(),
            tags: call.tags.clone(),
            origin: format!("{}:{}", call.origin.source, call.origin.line),
            call_index: *i,
        });
    }
    compose_chains(&mut chains);
    let score = restore + reset;
    let first = &calls[members[0].0];
    let first_seen = first.time;
    let last_seen = members.iter().map(|(i, _)| calls[*i].time).max().unwrap();
    let signal_call = members
        .iter()
        .map(|(i, _)| &calls[*i])
        .find(|c| !c.account.is_empty())
        .unwrap_or(first);
    let mut incident = Incident {
        incident_id: incident_id(target, &first_seen),
        provider: target.0,
        account: signal_call.account.clone(),
        region: signal_call.region.clone(),
        target: target.1.clone(),
        target_kind: kind.to_string(),
        first_seen,
        last_seen,
        actors: unique(evidence.iter().map(|e| e.actor.clone())),
        source_ips: unique(evidence.iter().map(|e| e.source_ip.clone())),
        chains,
        operations: unique(evidence.iter().map(|e| e.operation.clone())),
        is_snapshot_restore: restore,
        is_ephemeral_reset: reset,
        suspicion_score: score,
        severity: Severity::from_score(score),
        event_ids: unique(evidence.iter().flat_map(|e| e.event_ids.clone())),
        suppressed_by: None,
        downgraded_by: None,
        tuning_notes: Vec::new(),
        failed_attempts: failed,
        evidence,
    };
    incident.actors.retain(|a| !a.is_empty());
    incident.source_ips.retain(|a| !a.is_empty());
    Some(incident)
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
    h.update(target.1.as_bytes());
    h.update([0]);
    h.update(format_time(first_seen));
    let d = h.finalize();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("rw-{hex}")
}
