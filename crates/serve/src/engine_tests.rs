//! What a held call keeps in memory: its record only when the rule pack reads it, before and
//! after a restart (the record is always on disk).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use revertwatch_decode::Limits;
use revertwatch_pack::{load_default, load_str, Pack};
use serde_json::{json, Value};

use super::{Engine, EngineConfig, Mode, Piece};
use crate::metrics::{Metrics, Source};
use crate::store::Store;

fn engine(dir: &Path, pack: Pack) -> Engine {
    let cfg = EngineConfig {
        pack,
        tuning: Default::default(),
        window: Duration::from_secs(6 * 3600),
        lateness: Duration::from_secs(3600),
        keep_closed: Duration::from_secs(7 * 86400),
        max_calls: 1000,
        limits: Limits::default(),
    };
    let store = Store::open(dir).expect("store opens");
    Engine::open(cfg, store, Arc::new(Metrics::default())).expect("engine opens")
}

fn cloudtrail(name: &str, id: &str, time: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/ops", "accountId": "111122223333"},
        "eventTime": time,
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-0abc123def4567890"}]}},
        "responseElements": null,
        "eventID": id,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
}

fn feed(engine: &mut Engine) {
    let pieces = [
        cloudtrail("StopInstances", "ev-stop", "2026-03-05T10:00:00Z"),
        cloudtrail("StartInstances", "ev-start", "2026-03-05T10:05:00Z"),
    ]
    .into_iter()
    .map(|r| Piece {
        origin: "test".into(),
        bytes: serde_json::to_vec(&r).unwrap(),
        scope: String::new(),
        source: Source::Hec,
    })
    .collect();
    let report = engine.apply(pieces, Mode::Live).expect("batch applies");
    assert_eq!(report.calls, 2);
}

fn records_held(engine: &Engine) -> Vec<bool> {
    let calls = engine
        .parts
        .values()
        .flat_map(|p| p.detector.held_calls().map(|(_, c)| c));
    calls.map(|c| !c.record.is_null()).collect()
}

#[test]
fn held_calls_leave_their_record_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = engine(dir.path(), load_default());
    feed(&mut first);
    let incidents = first.incidents_jsonl(true);
    assert!(!incidents.is_empty());
    assert_eq!(records_held(&first), [false, false]);
    let stored = first.store.load().unwrap().records;
    assert_eq!(stored.len(), 2);
    assert!(stored
        .iter()
        .all(|(_, bytes)| String::from_utf8_lossy(bytes).contains("i-0abc123def4567890")));
    drop(first);

    let second = engine(dir.path(), load_default());
    assert_eq!(records_held(&second), [false, false]);
    assert_eq!(second.incidents_jsonl(true), incidents);
}

/// The two operations, with their instance found only through the whole record.
const RECORD_PACK: &str = r#"
compute_kinds = ["instance", "vm"]

[[operation]]
provider = "aws"
name = "StopInstances"
signal = "ephemeral_reset"
chain = "stop"
description = "Stops instances."
subject = "instance"
resources.instance = { kind = "instance", path = "record.requestParameters.instancesSet.items[].instanceId" }

[[operation]]
provider = "aws"
name = "StartInstances"
signal = "ephemeral_reset"
chain = "start"
description = "Starts instances."
subject = "instance"
resources.instance = { kind = "instance", path = "record.requestParameters.instancesSet.items[].instanceId" }
"#;

#[test]
fn a_pack_reading_records_keeps_them_across_a_restart() {
    let pack = || load_str(RECORD_PACK, Path::new("record-pack.toml")).unwrap();
    assert!(pack().reads_records());
    let dir = tempfile::tempdir().unwrap();
    let mut first = engine(dir.path(), pack());
    feed(&mut first);
    let incidents = first.incidents_jsonl(true);
    let text = String::from_utf8_lossy(&incidents).to_string();
    assert!(text.contains("i-0abc123def4567890"), "{text}");
    assert_eq!(records_held(&first), [true, true]);
    drop(first);

    let second = engine(dir.path(), pack());
    assert_eq!(records_held(&second), [true, true]);
    assert_eq!(second.incidents_jsonl(true), incidents);
}
