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
        provenance_horizon: Duration::from_secs(400 * 86400),
        max_calls: 1000,
        // The fixtures are dated 2026: accept any age, so that the tests never expire.
        max_event_age: Duration::MAX,
        max_clock_skew: Duration::from_secs(3600),
        limits: Limits::default(),
        panic_on_event: None,
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
    let pieces: Vec<Piece> = [
        cloudtrail("StopInstances", "ev-stop", "2026-03-05T10:00:00Z"),
        cloudtrail("StartInstances", "ev-start", "2026-03-05T10:05:00Z"),
    ]
    .into_iter()
    .map(|r| Piece {
        origin: "test".into(),
        bytes: serde_json::to_vec(&r).unwrap().into(),
        scope: String::new(),
        source: Source::Hec,
    })
    .collect();
    let report = engine.apply(&pieces, Mode::Live).expect("batch applies");
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
    let stored = first.store.load(None).unwrap().records;
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

// ------------------------------------------------------------- escalate, supersede, expire

mod lifecycle {
    use revertwatch_testkit::cloudtrail::{attach, create_volume, cycle};

    use super::*;

    const I: &str = "i-0abc000000000d001";

    fn piece(record: String) -> Piece {
        Piece {
            origin: "test".into(),
            bytes: record.into_bytes().into(),
            scope: String::new(),
            source: Source::Hec,
        }
    }

    fn apply(engine: &mut Engine, records: Vec<String>) {
        let pieces: Vec<Piece> = records.into_iter().map(piece).collect();
        engine.apply(&pieces, Mode::Live).expect("batch applies");
    }

    /// Every alert in the outbox, as JSON, oldest first.
    fn alerts(engine: &Engine) -> Vec<Value> {
        let outbox = engine.outbox().unwrap();
        outbox
            .iter()
            .map(|(_, a)| serde_json::from_slice(a).unwrap())
            .collect()
    }

    fn listed(engine: &Engine) -> Vec<Value> {
        String::from_utf8(engine.incidents_jsonl(true))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn a_stop_opens_a_review_and_the_restore_escalates_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = engine(dir.path(), load_default());
        apply(
            &mut engine,
            vec![cycle("StopInstances", "2026-03-14T02:00:00Z", I)],
        );
        apply(
            &mut engine,
            vec![
                create_volume("2026-03-14T02:05:00Z", "snap-0aa1", "vol-0bb1"),
                attach("2026-03-14T02:10:00Z", "vol-0bb1", I),
                cycle("StartInstances", "2026-03-14T02:15:00Z", I),
            ],
        );
        let alerts = alerts(&engine);
        let kinds: Vec<(&str, &str)> = alerts
            .iter()
            .filter(|a| a["target"] == I)
            .map(|a| {
                (
                    a["alert"].as_str().unwrap(),
                    a["severity"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(kinds, [("opened", "review"), ("escalated", "escalate")]);
        assert_eq!(alerts[0]["incident_id"], alerts[1]["incident_id"]);
        assert_ne!(alerts[0]["alert_id"], alerts[1]["alert_id"]);
    }

    #[test]
    fn an_earlier_call_arriving_late_supersedes_the_incident_it_renames() {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = engine(dir.path(), load_default());
        apply(
            &mut engine,
            vec![cycle("StartInstances", "2026-03-14T02:15:00Z", I)],
        );
        apply(
            &mut engine,
            vec![cycle("StopInstances", "2026-03-14T02:00:00Z", I)],
        );
        let alerts = alerts(&engine);
        assert_eq!(alerts.len(), 2, "{alerts:#?}");
        let (first, second) = (&alerts[0], &alerts[1]);
        assert_ne!(first["incident_id"], second["incident_id"]);
        assert_eq!(second["alert"], "opened");
        assert_eq!(second["supersedes"], json!([first["incident_id"]]));
        assert_eq!(
            listed(&engine).len(),
            1,
            "the renamed incident is listed once"
        );
    }

    #[test]
    fn an_incident_past_the_horizon_closes_survives_a_restart_and_is_forgotten_later() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = engine(dir.path(), load_default());
        // Starts, not stops: a stopped machine's incident stays open until its start.
        apply(
            &mut first,
            vec![cycle("StartInstances", "2026-03-14T02:00:00Z", I)],
        );
        let other = "i-0abc000000000d002";
        // 30 hours later: the first start is behind the partition's newest call by more than
        // the horizon (four windows of 6 h: the default pack chains three lineage hops).
        apply(
            &mut first,
            vec![cycle("StartInstances", "2026-03-15T08:00:00Z", other)],
        );
        let stored = first.store.load(None).unwrap();
        assert_eq!(
            stored.records.len(),
            1,
            "the closed incident's call is let go"
        );
        assert_eq!(stored.closed.len(), 1);
        let before = listed(&first);
        assert_eq!(before.len(), 2);
        drop(first);

        let mut second = engine(dir.path(), load_default());
        assert_eq!(listed(&second), before);
        // The closed start's machine again, within the window of the closed incident's last
        // call as seen from nowhere: a new incident, not a reopening.
        apply(
            &mut second,
            vec![cycle("StopInstances", "2026-03-14T02:30:00Z", I)],
        );
        let on_first: Vec<Value> = listed(&second)
            .into_iter()
            .filter(|i| i["target"] == I)
            .collect();
        assert_eq!(on_first.len(), 2, "{on_first:#?}");
        // Eight days on, past --keep-closed (7 days), the closed incident is forgotten.
        apply(
            &mut second,
            vec![cycle("StartInstances", "2026-03-23T03:00:00Z", other)],
        );
        let ids: Vec<Value> = listed(&second)
            .iter()
            .map(|i| i["incident_id"].clone())
            .collect();
        assert!(!ids.contains(&before[1]["incident_id"]), "{ids:?}");
        assert!(!ids.contains(&before[0]["incident_id"]), "{ids:?}");
    }
}

// ------------------------------------------------------------------- quarantined times

mod quarantine {
    use chrono::{SecondsFormat, Utc};
    use revertwatch_testkit::cloudtrail::cycle;

    use super::*;

    const I: &str = "i-0abc000000000d001";

    fn engine_now(dir: &Path) -> Engine {
        let cfg = EngineConfig {
            pack: load_default(),
            tuning: Default::default(),
            window: Duration::from_secs(6 * 3600),
            lateness: Duration::from_secs(3600),
            keep_closed: Duration::from_secs(7 * 86400),
            provenance_horizon: Duration::from_secs(400 * 86400),
            max_calls: 1000,
            max_event_age: Duration::from_secs(400 * 86400),
            max_clock_skew: Duration::from_secs(3600),
            limits: Limits::default(),
            panic_on_event: None,
        };
        let store = Store::open(dir).expect("store opens");
        Engine::open(cfg, store, Arc::new(Metrics::default())).expect("engine opens")
    }

    fn ago(minutes: i64) -> String {
        (Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    fn send(engine: &mut Engine, record: String) -> crate::engine::BatchReport {
        let piece = Piece {
            origin: "hec".into(),
            bytes: record.into_bytes().into(),
            scope: String::new(),
            source: Source::Hec,
        };
        engine
            .apply(&[piece], Mode::Live)
            .expect("a batch never fails on a record")
    }

    #[test]
    fn an_event_dated_far_in_the_future_or_past_is_quarantined_and_blinds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = engine_now(dir.path());
        send(&mut engine, cycle("StopInstances", &ago(60), I));
        for when in [
            "2099-01-01T00:00:00Z",
            "-262143-01-01T00:00:00Z",
            "2020-01-01T00:00:00Z",
        ] {
            let report = send(
                &mut engine,
                cycle("StopInstances", when, "i-0abc000000000d002"),
            );
            assert_eq!(report.calls, 0, "{when}");
            assert!(
                report.skipped.iter().any(|s| s.contains("quarantined")),
                "{when}: {:?}",
                report.skipped
            );
        }
        send(&mut engine, cycle("StartInstances", &ago(30), I));
        let listed = String::from_utf8(engine.incidents_jsonl(true)).unwrap();
        let incidents: Vec<Value> = listed
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(incidents.len(), 1, "{listed}");
        assert_eq!(incidents[0]["target"], I);
        assert_eq!(incidents[0]["chains"], json!(["stop-start"]));
        assert_eq!(
            engine
                .metrics
                .quarantined
                .load(std::sync::atomic::Ordering::Relaxed),
            3
        );
    }
}

fn piece(record: Value) -> Piece {
    Piece {
        origin: "test".into(),
        bytes: serde_json::to_vec(&record).unwrap().into(),
        scope: String::new(),
        source: Source::Hec,
    }
}

fn ec2(name: &str, id: &str, time: &str, request: Value, response: Value) -> Value {
    let mut r = cloudtrail(name, id, time);
    r["requestParameters"] = request;
    r["responseElements"] = response;
    r
}

/// A volume restored from a snapshot weeks before it is swapped in: by the swap, serve has
/// settled the restore and let its call go, and has been restarted. The restore still joins
/// the machine's incident, because its record was kept as provenance and read back.
#[test]
fn a_restore_let_go_and_a_restart_later_still_joins_the_swap() {
    let (inst, vol, snap) = (
        "i-0abc123def4567890",
        "vol-0abc00000000prv1",
        "snap-0abc0000000prv1",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut first = engine(dir.path(), load_default());
    let early = [
        ec2(
            "CreateSnapshot",
            "ev-snap",
            "2026-02-01T06:00:00Z",
            json!({"volumeId": "vol-0abc00000000orig"}),
            json!({"snapshotId": snap, "volumeId": "vol-0abc00000000orig", "startTime": "2026-02-01T05:59:00Z"}),
        ),
        ec2(
            "CreateVolume",
            "ev-restore",
            "2026-02-10T08:55:00Z",
            json!({"snapshotId": snap, "availabilityZone": "us-east-1a"}),
            json!({"volumeId": vol, "snapshotId": snap}),
        ),
        // Later traffic in the account moves its clock on: both calls settle and are let go.
        cloudtrail("DescribeInstances", "ev-later", "2026-02-20T00:00:00Z"),
        cloudtrail("StopInstances", "ev-other-stop", "2026-02-20T00:00:00Z"),
    ];
    first
        .apply(&early.map(piece), Mode::Live)
        .expect("batch applies");
    let stored = first.store.load(None).unwrap();
    assert!(
        stored
            .records
            .iter()
            .all(|(k, _)| !k.contains("ev-restore")),
        "the restore was let go from the held records"
    );
    assert_eq!(stored.provenance.len(), 2, "kept as provenance");
    drop(first);

    let mut second = engine(dir.path(), load_default());
    let swap = [
        cloudtrail("StopInstances", "ev-stop", "2026-03-14T16:31:00Z"),
        ec2(
            "AttachVolume",
            "ev-attach",
            "2026-03-14T16:33:00Z",
            json!({"volumeId": vol, "instanceId": inst, "device": "/dev/sda1"}),
            json!({"volumeId": vol, "instanceId": inst}),
        ),
        cloudtrail("StartInstances", "ev-start", "2026-03-14T16:36:00Z"),
    ];
    second
        .apply(&swap.map(piece), Mode::Live)
        .expect("batch applies");
    let open: Vec<Value> = String::from_utf8(second.incidents_jsonl(true))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let machine = open
        .iter()
        .find(|i| i["target"] == inst && i["is_snapshot_restore"] == 1)
        .unwrap_or_else(|| panic!("{open:#?}"));
    assert_eq!(machine["severity"], "escalate", "{machine:#}");
    assert_eq!(
        machine["restored_from"][0]["taken_of"],
        "vol-0abc00000000orig"
    );
    assert_eq!(
        machine["restored_from"][0]["taken_at"],
        "2026-02-01T05:59:00Z"
    );
}

#[test]
fn provenance_older_than_its_horizon_is_forgotten_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = engine(dir.path(), load_default());
    e.cfg.provenance_horizon = Duration::from_secs(30 * 86400);
    let snap = ec2(
        "CreateSnapshot",
        "ev-snap",
        "2026-01-01T06:00:00Z",
        json!({"volumeId": "vol-0abc00000000orig"}),
        json!({"snapshotId": "snap-0abc0000000prv2", "volumeId": "vol-0abc00000000orig"}),
    );
    let later = cloudtrail("StopInstances", "ev-other-stop", "2026-01-10T00:00:00Z");
    e.apply(&[piece(snap), piece(later)], Mode::Live).unwrap();
    assert_eq!(e.store.load(None).unwrap().provenance.len(), 1);
    let much_later = cloudtrail("StopInstances", "ev-much-later", "2026-03-01T00:00:00Z");
    e.apply(&[piece(much_later)], Mode::Live).unwrap();
    assert!(e.store.load(None).unwrap().provenance.is_empty());
}
