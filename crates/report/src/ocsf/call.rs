//! One evidence call, twice: as a `related_event` (the audit-log event the finding rests on,
//! typed as the API Activity it was) and as an `evidences` entry (who, from where, which API).

use revertwatch_detect::Evidence;
use revertwatch_normalize::format_time;
use revertwatch_pack::Provider;
use serde_json::{json, Value};

use super::actor::{actor, Source};
use super::vocabulary::{
    self, OBSERVABLE_RESOURCE_UID, OBSERVABLE_USER_AGENT, OBSERVABLE_USER_UID,
};
use super::{clip, text};

/// `finding_info.related_events[]`: `uid` is the call's (first) event id, the one a SIEM holds
/// for the raw record; a call whose record had none is named by where it was read.
pub fn related_event(provider: Provider, e: &Evidence) -> Value {
    let (type_uid, type_name) = vocabulary::api_activity_type(e.signal);
    let (log, vendor) = vocabulary::audit_log(provider);
    let ms = e.time.timestamp_millis();
    json!({
        "uid": text(e.event_ids.iter().find(|id| !id.is_empty()).unwrap_or(&e.origin)),
        "type_uid": type_uid,
        "type_name": type_name,
        "title": text(&e.operation),
        "desc": text(&describe(e)),
        "first_seen_time": ms,
        "last_seen_time": ms,
        "product": { "name": log, "vendor_name": vendor },
        "observables": observables(e, ""),
        // A tag's value may be empty; the key is what the tuning rules match.
        "tags": e.tags.iter()
            .map(|(k, v)| json!({ "name": clip(k), "value": clip(v) }))
            .collect::<Vec<_>>(),
    })
}

/// `evidences[]`: the caller, its address, the API and the user agent, and in `data` what OCSF
/// has no attribute for (outcome, signal, chain, resources, all event ids, origin).
pub fn evidence(provider: Provider, e: &Evidence) -> Value {
    let data = json!({
        "time": format_time(&e.time),
        "event_ids": e.event_ids.iter().map(|s| text(s)).collect::<Vec<_>>(),
        "outcome": e.outcome,
        "error": e.error.as_deref().map(text),
        "signal": e.signal.as_str(),
        "chain": e.chain.as_deref().map(text),
        "resources": e.resources.iter()
            .map(|r| json!({ "kind": text(&r.kind), "id": text(&r.id) }))
            .collect::<Vec<_>>(),
        "tags": e.tags.iter()
            .map(|(k, v)| json!({ "key": clip(k), "value": clip(v) }))
            .collect::<Vec<_>>(),
        "origin": text(&e.origin),
    });
    json!({
        "actor": actor(e),
        "src_endpoint": Source::of(&e.source_ip).map(|s| s.endpoint()),
        "api": {
            "operation": text(&e.operation),
            "service": service(provider, &e.operation).map(|name| json!({ "name": name })),
        },
        "http_request": { "user_agent": text(&e.user_agent) },
        "data": data,
    })
}

/// Pivot values of one call, each named by its attribute path under `prefix` (`""` inside a
/// related event, which is itself an API Activity; `"evidences."` at the finding's top level).
pub fn observables(e: &Evidence, prefix: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if !e.actor.is_empty() {
        out.push(observable(
            prefix,
            "actor.user.uid",
            OBSERVABLE_USER_UID,
            &e.actor,
        ));
    }
    if let Some(source) = Source::of(&e.source_ip) {
        if let Some((path, type_id, value)) = source.observable() {
            out.push(observable(prefix, path, type_id, value));
        }
    }
    if !e.user_agent.is_empty() {
        out.push(observable(
            prefix,
            "http_request.user_agent",
            OBSERVABLE_USER_AGENT,
            &e.user_agent,
        ));
    }
    if prefix.is_empty() {
        for r in &e.resources {
            out.push(observable(
                "",
                "resources.uid",
                OBSERVABLE_RESOURCE_UID,
                &r.id,
            ));
        }
    }
    out
}

pub fn observable(prefix: &str, path: &str, type_id: u32, value: &str) -> Value {
    json!({ "name": format!("{prefix}{path}"), "type_id": type_id, "value": text(value) })
}

/// The API's service where the operation's own name says it: an Azure resource provider
/// (`Microsoft.Compute/disks/write`) or a GCP API (`v1.compute.disks.insert` is
/// `compute.googleapis.com`). CloudTrail's event names do not, and the evidence does not keep
/// `eventSource`, so AWS calls carry none rather than a guess.
fn service(provider: Provider, operation: &str) -> Option<String> {
    match provider {
        Provider::Azure => operation
            .split_once('/')
            .map(|(namespace, _)| namespace.to_string())
            .filter(|ns| ns.contains('.')),
        Provider::Gcp => {
            let mut parts = operation.split('.');
            let _version = parts.next()?;
            let api = parts.next()?;
            parts.next()?;
            Some(format!("{api}.googleapis.com"))
        }
        Provider::Aws => None,
    }
}

/// One line for the analyst: what, how it ended, by whom, from where, and what it meant.
fn describe(e: &Evidence) -> String {
    let mut s = format!("{} {}", e.operation, e.outcome);
    if let Some(err) = &e.error {
        s.push_str(&format!(" ({err})"));
    }
    if !e.actor.is_empty() {
        s.push_str(&format!(" by {}", e.actor));
    }
    if !e.source_ip.is_empty() {
        s.push_str(&format!(" from {}", e.source_ip));
    }
    s.push_str(&format!("; signal {}", e.signal.as_str()));
    if let Some(chain) = &e.chain {
        s.push_str(&format!(", chain {chain}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_come_from_the_operation_name_only() {
        assert_eq!(
            service(Provider::Azure, "Microsoft.Compute/disks/write").as_deref(),
            Some("Microsoft.Compute")
        );
        assert_eq!(
            service(Provider::Gcp, "v1.compute.disks.insert").as_deref(),
            Some("compute.googleapis.com")
        );
        assert_eq!(service(Provider::Aws, "CreateVolume"), None);
        assert_eq!(service(Provider::Gcp, "odd"), None);
    }
}
