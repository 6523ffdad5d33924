//! `--rules seed-spl`: the seed Splunk search's own rows, event by event, exactly as written.
//!
//! This module is the seed SPL transcribed, so its operation names live here and not in the
//! pack: they include two Azure operations that do not exist, and they leave out what the
//! default pack adds. Both regexes in the SPL are case-insensitive alternations of literals,
//! so they are evaluated as literal searches, which is the same test.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::Provider;
use serde_json::Value;

use crate::events::{sort_newest_first, EventRow};

/// `eventName=...` terms of the AWS half.
pub const AWS_EVENTS: [&str; 10] = [
    "ImportSnapshot",
    "RestoreSnapshotTier",
    "CreateRestoreImageTask",
    "CopySnapshot",
    "RegisterImage",
    "AttachVolume",
    "ModifyVolume",
    "StopInstances",
    "StartInstances",
    "RunInstances",
];

/// `operationName=...` terms of the Azure half (matched ignoring case, as Splunk does).
pub const AZURE_OPERATIONS: [&str; 5] = [
    "MICROSOFT.COMPUTE/DISKS/WRITE",
    "MICROSOFT.COMPUTE/RESTOREPOINTS/WRITE",
    "MICROSOFT.COMPUTE/RESTOREPOINTCOLLECTIONS/WRITE",
    "MICROSOFT.RECOVERYSERVICES/VAULTS/BACKUPFABRICS/PROTECTIONCONTAINERS/PROTECTEDITEMS/RECOVERY/ACTION",
    "MICROSOFT.COMPUTE/VIRTUALMACHINES/CAPTURE/ACTION",
];

/// `IsSnapshotRestore=if(match(eventName, "(?i)(snapshot|RestoreImage|...)"))`.
const AWS_RESTORE_PATTERN: [&str; 7] = [
    "snapshot",
    "RestoreImage",
    "RegisterImage",
    "ImportSnapshot",
    "CopySnapshot",
    "RestoreSnapshotTier",
    "CreateRestoreImageTask",
];

/// `IsSnapshotRestore=if(match(_raw, "(?i)(snapshot|restorePoint|diskRestorePoint|creationData|\"Copy\")"))`.
const AZURE_RESTORE_PATTERN: [&str; 5] = [
    "snapshot",
    "restorePoint",
    "diskRestorePoint",
    "creationData",
    "\"Copy\"",
];

/// Whether the seed search looks at this operation at all.
pub fn keeps(provider: Provider, operation: &str) -> bool {
    match provider {
        Provider::Aws => AWS_EVENTS.contains(&operation),
        Provider::Azure => AZURE_OPERATIONS
            .iter()
            .any(|o| o.eq_ignore_ascii_case(operation)),
        Provider::Gcp => false,
    }
}

/// The operations to prefilter for.
pub fn operations() -> Vec<(Provider, &'static str)> {
    let aws = AWS_EVENTS.iter().map(|o| (Provider::Aws, *o));
    aws.chain(AZURE_OPERATIONS.iter().map(|o| (Provider::Azure, *o)))
        .collect()
}

fn matcher(patterns: &[&str]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(patterns)
        .expect("literal patterns")
}

/// The seed's rows for phase-level calls (one per event, not merged), newest first.
pub fn rows(calls: &[ApiCall]) -> Vec<EventRow> {
    let aws_restore = matcher(&AWS_RESTORE_PATTERN);
    let azure_restore = matcher(&AZURE_RESTORE_PATTERN);
    let mut out = Vec::new();
    for call in calls {
        let record = &*call.record;
        let row = match call.provider {
            Provider::Aws => {
                if !keeps(Provider::Aws, &call.operation) || call.outcome == Outcome::Failure {
                    continue;
                }
                let restore = u8::from(aws_restore.is_match(&call.operation));
                let reset = u8::from(
                    call.operation == "StopInstances" || call.operation == "StartInstances",
                );
                let target = ["volumeId", "instanceId", "imageId"]
                    .iter()
                    .find_map(|k| nonempty(record.get("requestParameters").and_then(|r| r.get(*k))))
                    .unwrap_or_else(|| "unknown".to_string());
                EventRow {
                    actor: nonempty(record.get("userIdentity").and_then(|u| u.get("arn")))
                        .unwrap_or_default(),
                    source_ip: nonempty(record.get("sourceIPAddress")).unwrap_or_default(),
                    target_resource: target,
                    is_snapshot_restore: restore,
                    is_ephemeral_reset: reset,
                    suspicion_score: restore + reset,
                    ..base(call)
                }
            }
            Provider::Azure => {
                if !keeps(Provider::Azure, &call.operation) || !succeeded(record) {
                    continue;
                }
                let raw = serde_json::to_string(record).unwrap_or_default();
                let restore = u8::from(azure_restore.is_match(&raw));
                let actor = nonempty(record.get("caller")).unwrap_or_else(|| call.actor.id.clone());
                EventRow {
                    actor,
                    target_resource: ["resourceId", "resource_id"]
                        .iter()
                        .find_map(|k| nonempty(record.get(*k)))
                        .unwrap_or_default(),
                    is_snapshot_restore: restore,
                    is_ephemeral_reset: 0,
                    suspicion_score: restore,
                    ..base(call)
                }
            }
            Provider::Gcp => continue,
        };
        if row.suspicion_score > 0 {
            out.push(row);
        }
    }
    sort_newest_first(&mut out);
    out
}

fn base(call: &ApiCall) -> EventRow {
    EventRow {
        time: call.time,
        provider: call.provider,
        actor: call.actor.id.clone(),
        source_ip: call.source_ip.clone(),
        operation: call.operation.clone(),
        target_resource: String::new(),
        is_snapshot_restore: 0,
        is_ephemeral_reset: 0,
        suspicion_score: 0,
        event_id: call.event_id.clone(),
        account: call.account.clone(),
        region: call.region.clone(),
        outcome: call.outcome,
        incident_id: None,
        suppressed_by: None,
    }
}

/// `status.value="Succeeded"` (REST, SDK) or `resultType=Success` (Event Hub).
fn succeeded(record: &Value) -> bool {
    let status = record
        .get("status")
        .and_then(|s| s.get("value").or(Some(s)))
        .and_then(Value::as_str)
        .or_else(|| record.get("resultType").and_then(Value::as_str))
        .unwrap_or("");
    status.eq_ignore_ascii_case("succeeded") || status.eq_ignore_ascii_case("success")
}

fn nonempty(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
