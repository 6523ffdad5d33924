//! One logical call from the events of one operation.

use std::collections::BTreeMap;

use revertwatch_pack::Provider;
use serde_json::Value;

use crate::call::ApiCall;

/// Merges Azure Start/Accept/Success events (same correlationId, operation and resource) and
/// GCP first/last entries (same operation.id), and drops CloudTrail's duplicate deliveries
/// (same eventID and the same content: records that share an id and differ are kept apart,
/// see [`crate::content_digest`]). The result is sorted by time and does not depend on input
/// order.
pub fn merge_phases(calls: Vec<ApiCall>) -> Vec<ApiCall> {
    let mut groups: BTreeMap<(Provider, String), Vec<ApiCall>> = BTreeMap::new();
    for call in calls {
        groups
            .entry((call.provider, group_key(&call)))
            .or_default()
            .push(call);
    }
    let mut merged: Vec<ApiCall> = groups.into_values().map(merge_group).collect();
    merged.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    merged
}

/// Logical calls from calls as read: phases merged ([`merge_phases`]), then annotated with
/// `pack` where they were not annotated as read. Sorted by time.
pub fn logical_calls(calls: Vec<ApiCall>, pack: &revertwatch_pack::Pack) -> Vec<ApiCall> {
    let mut calls = merge_phases(calls);
    for call in calls.iter_mut().filter(|c| !c.annotated) {
        crate::lineage::annotate(call, pack);
    }
    calls
}

/// What the phases of one operation share: the key [`merge_phases`] groups them by.
pub fn phase_group(call: &ApiCall) -> (Provider, String) {
    (call.provider, group_key(call))
}

fn group_key(call: &ApiCall) -> String {
    match (&call.correlation, call.provider) {
        (Some(c), Provider::Azure) => format!(
            "{c}|{}|{}",
            call.operation.to_ascii_lowercase(),
            call.resource.as_str().unwrap_or("")
        ),
        (Some(c), Provider::Gcp) => format!("{c}|{}", strip_version(&call.operation)),
        _ => format!("id|{}|{}", call.event_id, crate::content_digest(call)),
    }
}

fn strip_version(method: &str) -> &str {
    method.split_once('.').map_or(method, |(_, rest)| rest)
}

/// One logical call from every phase of one operation (one [`phase_group`]), in any order.
pub fn merge_group(mut phases: Vec<ApiCall>) -> ApiCall {
    phases.sort_by(|a, b| (a.phase, a.time, &a.event_id).cmp(&(b.phase, b.time, &b.event_id)));
    let last = phases.last().expect("groups are never empty").clone();
    // Duplicate deliveries of one record were annotated alike; phases of one operation were
    // not annotated yet (their bodies are only whole together).
    let annotated = phases.iter().all(|p| p.annotated);
    let mut call = phases[0].clone();
    call.time = phases.iter().map(|p| p.time).min().unwrap();
    call.outcome = last.outcome;
    call.error = last.error.clone();
    call.phase = last.phase;
    call.request = first_set(phases.iter().map(|p| &p.request));
    call.response = first_set(phases.iter().rev().map(|p| &p.response));
    if call.actor.id.is_empty() {
        if let Some(p) = phases.iter().find(|p| !p.actor.id.is_empty()) {
            call.actor = p.actor.clone();
        }
    }
    if call.source_ip.is_empty() {
        call.source_ip = phases
            .iter()
            .map(|p| p.source_ip.clone())
            .find(|s| !s.is_empty())
            .unwrap_or_default();
    }
    if call.user_agent.is_empty() {
        call.user_agent = phases
            .iter()
            .map(|p| p.user_agent.clone())
            .find(|s| !s.is_empty())
            .unwrap_or_default();
    }
    call.annotated = annotated;
    call.event_ids = Vec::new();
    for p in &phases {
        for id in &p.event_ids {
            if !call.event_ids.contains(id) {
                call.event_ids.push(id.clone());
            }
        }
        for tag in &p.tags {
            if !call.tags.contains(tag) {
                call.tags.push(tag.clone());
            }
        }
    }
    call
}

fn first_set<'a>(mut bodies: impl Iterator<Item = &'a Value>) -> Value {
    bodies
        .find(|b| !b.is_null())
        .cloned()
        .unwrap_or(Value::Null)
}
