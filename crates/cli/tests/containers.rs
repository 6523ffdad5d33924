//! The same records in every container give identical normalized calls. Containers are built
//! here from the scenario fixtures, in the shapes DESIGN.md lists (see log-formats.md).

mod support;

use std::io::Write;
use std::path::Path;

use base64::Engine;
use serde_json::{json, Value};
use support::{fixture_records, revertwatch};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn jsonl(items: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in items {
        serde_json::to_writer(&mut out, &v).unwrap();
        out.push(b'\n');
    }
    out
}

/// Normalized calls of one file, without where they were read.
fn calls_of(path: &Path) -> Vec<Value> {
    let run = revertwatch(&["hunt", path.to_str().unwrap(), "--view", "calls"], None);
    run.expect_code(0);
    assert!(
        run.stderr.contains("0 skipped"),
        "{}: {}",
        path.display(),
        run.stderr
    );
    let mut calls = run.jsonl();
    for c in &mut calls {
        c.as_object_mut().unwrap().remove("origin");
    }
    assert!(!calls.is_empty(), "{}: no calls", path.display());
    calls
}

fn calls_of_stdin(bytes: &[u8]) -> Vec<Value> {
    let run = revertwatch(&["hunt", "-", "--view", "calls"], Some(bytes));
    run.expect_code(0);
    let mut calls = run.jsonl();
    for c in &mut calls {
        c.as_object_mut().unwrap().remove("origin");
    }
    calls
}

fn assert_all_equal(containers: Vec<(&str, Vec<u8>)>) {
    let dir = tempfile::tempdir().unwrap();
    let mut baseline: Option<(String, Vec<Value>)> = None;
    for (name, bytes) in containers {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let calls = calls_of(&path);
        match &baseline {
            None => baseline = Some((name.to_string(), calls)),
            Some((first, expected)) => assert_eq!(&calls, expected, "{name} differs from {first}"),
        }
    }
}

#[test]
fn aws_records_read_the_same_in_every_container() {
    let recs = fixture_records("scenarios/aws/full-revert.json");
    let as_strings: Vec<String> = recs.iter().map(|r| r.to_string()).collect();
    let s3 = serde_json::to_vec(&json!({ "Records": recs })).unwrap();
    let eventbridge = jsonl(recs.iter().map(|r| {
        json!({"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"AWS API Call via CloudTrail",
               "source":"aws.ec2","account":"111122223333","time":r["eventTime"],"region":"us-east-1","resources":[],"detail":r})
    }));
    let data_message = json!({
        "messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs-111122223333",
        "logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["revertwatch"],
        "logEvents": as_strings.iter().enumerate().map(|(i, m)| json!({"id": i.to_string(), "timestamp": 1773493200000u64, "message": m})).collect::<Vec<_>>()
    });
    let subscription =
        json!({"awslogs": {"data": b64(&gzip(data_message.to_string().as_bytes()))}});
    let lookup = json!({"Events": recs.iter().zip(&as_strings).map(|(r, s)| json!({
        "EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "false", "EventTime": r["eventTime"],
        "EventSource": "ec2.amazonaws.com", "Username": "mallory", "Resources": [], "CloudTrailEvent": s})).collect::<Vec<_>>()});
    let splunk = jsonl(as_strings.iter().enumerate().map(|(i, s)| {
        json!({"preview": false, "offset": i, "result": {"_raw": s, "sourcetype": "aws:cloudtrail", "index": "aws"}})
    }));
    let pretty_array = serde_json::to_vec_pretty(&recs).unwrap();
    assert_all_equal(vec![
        (
            "s3/111122223333_CloudTrail_us-east-1_20260314T1300Z_abc.json",
            s3.clone(),
        ),
        // Named without .gz: compression is sniffed from the bytes.
        (
            "s3/111122223333_CloudTrail_us-east-1_20260314T1300Z_abc.json.download",
            gzip(&s3),
        ),
        ("records.jsonl", jsonl(recs.clone())),
        ("array.json", pretty_array),
        ("eventbridge.jsonl", eventbridge),
        (
            "cwl-subscription.json",
            serde_json::to_vec(&subscription).unwrap(),
        ),
        (
            "cwl-decoded.json",
            serde_json::to_vec_pretty(&data_message).unwrap(),
        ),
        (
            "lookup-events.json",
            serde_json::to_vec_pretty(&lookup).unwrap(),
        ),
        ("splunk-export.json", splunk),
    ]);
    let via_stdin = calls_of_stdin(&gzip(&s3));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s3.json");
    std::fs::write(&file, &s3).unwrap();
    assert_eq!(via_stdin, calls_of(&file), "stdin differs from a file");
}

#[test]
fn azure_records_read_the_same_in_every_container() {
    let recs = fixture_records("scenarios/azure/full-revert.json");
    assert_all_equal(vec![
        ("eventhub.json", serde_json::to_vec(&json!({ "records": recs })).unwrap()),
        (
            "insights-activity-logs/resourceId=/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/y=2026/m=03/d=14/h=13/m=00/PT1H.json",
            jsonl(recs.clone()),
        ),
        ("splunk-body.json", serde_json::to_vec(&json!({"body": {"records": recs}, "x-opt-sequence-number": 7})).unwrap()),
        ("pretty-stream.json", recs.iter().flat_map(|r| serde_json::to_vec_pretty(r).unwrap().into_iter().chain(*b"\n")).collect()),
        ("array.json", serde_json::to_vec(&recs).unwrap()),
    ]);
}

#[test]
fn gcp_entries_read_the_same_in_every_container() {
    let recs = fixture_records("scenarios/gcp/full-revert.jsonl");
    let pubsub = jsonl(recs.iter().enumerate().map(|(i, r)| {
        json!({"message": {"data": b64(r.to_string().as_bytes()), "messageId": i.to_string(), "publishTime": r["timestamp"]},
               "subscription": "projects/acme-prod/subscriptions/revertwatch"})
    }));
    assert_all_equal(vec![
        (
            "cloudaudit.googleapis.com/activity/2026/03/14/13:00:00_13:59:59_S0.json",
            jsonl(recs.clone()),
        ),
        (
            "gcloud-logging-read.json",
            serde_json::to_vec_pretty(&recs).unwrap(),
        ),
        ("pubsub.jsonl", pubsub),
    ]);
}

#[test]
fn every_bundled_example_reads_cleanly_and_finds_its_scenario() {
    let run = revertwatch(
        &[
            "hunt",
            support::example("").to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        None,
    );
    run.expect_code(0);
    assert!(run.stderr.contains("0 skipped"), "{}", run.stderr);
    assert!(run.stderr.contains("1 CloudTrail digest"), "{}", run.stderr);
    let incidents = run.jsonl();
    let escalations = incidents
        .iter()
        .filter(|i| i["severity"] == "escalate")
        .count();
    // Full reverts: AWS lookup-events, Azure PT1H, GCP storage sink.
    assert_eq!(escalations, 3, "{}", run.stdout);
    // One incident per example scenario (examples/*/README.md), each on its own resource, and
    // each container's scenario whole: the az CLI sorts `localizedValue` before `value`, the
    // SDK writes snake case, Splunk wraps records in `body.records`.
    let expected = [
        ("i-0a1b2c3d4e5f600a1", "stop-start"),
        ("i-0a1b2c3d4e5f600e2", "volume-from-snapshot-attached"),
        ("i-0a1b2c3d4e5f600e4", "image-from-snapshot-launched"),
        (
            "i-0a1b2c3d4e5f600f4",
            "stop-start,volume-from-snapshot-attached",
        ),
        ("i-0a1b2c3d4e5f600d1", "stop-start"),
        ("i-0a1b2c3d4e5f600c3", "root-volume-replaced"),
        ("snap-0feedface00000b2", "snapshot-tier-restored"),
        ("import-snap-0b3b3b3b3b3b3b3b3", "snapshot-imported"),
        ("ami-0bbb0000000000b4", "image-restored"),
        ("disks/ex-disk-restored", "disk-from-snapshot"),
        (
            "virtualmachines/vm-ex01",
            "disk-from-snapshot-swapped,stop-start",
        ),
        ("virtualmachines/vm-ex02", "stop-start"),
        ("disks/ex-disk-rest", "disk-from-snapshot"),
        ("virtualmachines/vm-ex03", "stop-start"),
        ("virtualmachines/vm-ex04", "reimage"),
        (
            "instances/web-ex1",
            "disk-from-snapshot-attached,stop-start",
        ),
        ("instances/web-ex2", "stop-start"),
        ("instances/web-ex3", "disk-from-snapshot-attached"),
    ];
    assert_eq!(incidents.len(), expected.len(), "{}", run.stdout);
    for (target, chains) in expected {
        let i = incidents
            .iter()
            .find(|i| i["target"].as_str().unwrap().ends_with(target))
            .unwrap_or_else(|| panic!("no incident on {target}"));
        let got: Vec<&str> = i["chains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(got.join(","), chains, "{target}");
    }
}
