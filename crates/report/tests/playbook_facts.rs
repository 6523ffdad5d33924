//! The values an incident gives the playbooks' placeholders, read from the typed incident and
//! the pack (moved here from the pack's own tests with the code they test).

use revertwatch_detect::Incident;
use revertwatch_pack::load_default;
use revertwatch_report::playbook::from_incident;
use serde_json::{json, Value};

/// An incident with the fields `partial` gives, and neutral values for the rest, so that each
/// case below names only what it is about.
fn incident_with(partial: Value) -> Incident {
    let mut full = json!({
        "incident_id": "", "provider": "aws", "account": "", "region": "", "target": "",
        "target_kind": "instance", "first_seen": "2026-03-01T00:00:00Z",
        "last_seen": "2026-03-01T00:00:00Z", "actors": [], "source_ips": [], "chains": [],
        "operations": [], "is_snapshot_restore": 0, "is_ephemeral_reset": 0,
        "suspicion_score": 0, "severity": "none", "event_ids": [], "suppressed_by": null,
        "downgraded_by": null, "tuning_notes": [], "failed_attempts": 0, "evidence": []
    });
    for (k, v) in partial.as_object().unwrap() {
        full[k] = v.clone();
    }
    for e in full["evidence"].as_array_mut().unwrap() {
        let mut call = json!({
            "time": "2026-03-01T00:00:00Z", "actor": "", "actor_type": "", "invoked_by": null,
            "session_issuer": null, "source_ip": "", "user_agent": "", "operation": "",
            "outcome": "success", "error": null, "signal": "link", "chain": null,
            "resources": [], "event_ids": [], "tags": [], "origin": ""
        });
        for (k, v) in e.as_object().unwrap() {
            call[k] = v.clone();
        }
        *e = call;
    }
    serde_json::from_value(full).unwrap()
}

#[test]
fn facts_come_from_the_incident_and_the_pack() {
    let pack = load_default();
    let incident = incident_with(json!({
        "incident_id": "rw-0123456789abcdef",
        "provider": "aws",
        "account": "111122223333",
        "region": "us-east-1",
        "target": "i-0a1b2c3d4e5f60718",
        "first_seen": "2026-03-01T00:10:00Z",
        "last_seen": "2026-03-01T00:18:00Z",
        "actors": ["arn:aws:sts::111122223333:assumed-role/ci-deployer/session-7"],
        "chains": ["stop-start", "volume-from-snapshot-attached"],
        "evidence": [
            {"operation": "StopInstances", "signal": "ephemeral_reset",
             "resources": [{"kind": "instance", "id": "i-0a1b2c3d4e5f60718"}]},
            {"operation": "CreateVolume", "signal": "snapshot_restore",
             "resources": [{"kind": "volume", "id": "vol-0new"}, {"kind": "snapshot", "id": "snap-0old"}]},
            {"operation": "DetachVolume", "signal": "link",
             "resources": [{"kind": "instance", "id": "i-0a1b2c3d4e5f60718"}, {"kind": "volume", "id": "vol-0evidence"}]},
            {"operation": "AttachVolume", "signal": "link",
             "resources": [{"kind": "instance", "id": "i-0a1b2c3d4e5f60718"}, {"kind": "volume", "id": "vol-0new"}]}
        ]
    }));
    let f = from_incident(&incident, &pack);
    assert_eq!(f.get("snapshot"), Some("snap-0old"));
    assert_eq!(f.get("restored"), Some("vol-0new"));
    assert_eq!(f.get("replaced"), Some("vol-0evidence"));
    assert_eq!(f.get("actor_role"), Some("ci-deployer"));
    assert_eq!(f.get("actor_name"), Some("session-7"));
    assert_eq!(f.get("actor_user"), None);
    assert_eq!(f.get("window_start"), Some("2026-02-28T23:10:00Z"));
    assert_eq!(f.get("window_end"), Some("2026-03-01T01:18:00Z"));

    let gcp = incident_with(json!({
        "provider": "gcp",
        "target": "projects/acme-prod/zones/europe-west1-b/instances/ledger-vm-1a2b",
        "actors": ["mallory@example.com"],
        "evidence": [
            {"operation": "v1.compute.disks.insert", "signal": "snapshot_restore",
             "resources": [{"kind": "disk", "id": "projects/acme-prod/zones/europe-west1-b/disks/ledger-vm-1a2b-boot-restored"},
                           {"kind": "snapshot", "id": "projects/acme-prod/global/snapshots/ledger-snap"}]}
        ]
    }));
    let f = from_incident(&gcp, &pack);
    assert_eq!(f.get("zone"), Some("europe-west1-b"));
    assert_eq!(f.get("target_name"), Some("ledger-vm-1a2b"));
    assert_eq!(f.get("snapshot_name"), Some("ledger-snap"));
    assert_eq!(f.get("restored_name"), Some("ledger-vm-1a2b-boot-restored"));
    assert_eq!(f.get("actor_name"), None);

    let azure = incident_with(json!({
        "provider": "azure",
        "target": "/subscriptions/0b1f/resourcegroups/rg-ledger-prod/providers/microsoft.compute/virtualmachines/vm-ledger-1a2b",
    }));
    let f = from_incident(&azure, &pack);
    assert_eq!(f.get("resource_group"), Some("rg-ledger-prod"));
    assert_eq!(f.get("target_name"), Some("vm-ledger-1a2b"));
}
