//! Where resources came from, and whose they are: identities scoped to their account, more
//! than one signal per call, restores that join their machine however long before they were
//! made, and what an incident says it went back to. Through the binary, on CloudTrail records
//! in the shape real trails have (`revertwatch_testkit::cloudtrail`).

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{cloudtrail, hunt_jsonl};

/// A record from `cloudtrail::call`, moved to another account and region.
fn elsewhere(record: String, account: &str, region: &str) -> String {
    let mut v: Value = serde_json::from_str(&record).unwrap();
    v["recipientAccountId"] = json!(account);
    v["userIdentity"]["accountId"] = json!(account);
    v["userIdentity"]["arn"] = json!(format!("arn:aws:iam::{account}:user/mallory"));
    v["awsRegion"] = json!(region);
    v.to_string()
}

/// Writes the records as one JSON Lines file in a fresh temporary folder.
fn trail(name: &str, records: &[String]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.jsonl"));
    std::fs::write(&path, records.join("\n") + "\n").unwrap();
    (dir, path)
}

fn on<'a>(incidents: &'a [Value], target: &str) -> Vec<&'a Value> {
    incidents.iter().filter(|i| i["target"] == target).collect()
}

#[test]
fn a_stop_in_one_account_and_a_start_in_another_on_the_same_instance_id_are_two_incidents() {
    let id = "i-0c0c0c0c0c0c0c001";
    let records = [
        elsewhere(
            cloudtrail::cycle("StopInstances", "2026-03-14T10:00:00Z", id),
            "111122223333",
            "us-east-1",
        ),
        elsewhere(
            cloudtrail::cycle("StartInstances", "2026-03-14T10:05:00Z", id),
            "444455556666",
            "us-east-1",
        ),
    ];
    let (_dir, path) = trail("cross-account", &records);
    for extra in [&[][..], &["--hold-all"][..]] {
        let run = hunt_jsonl(&[&path], extra);
        run.expect_code(0);
        let got = run.jsonl();
        let mine = on(&got, id);
        assert_eq!(mine.len(), 2, "{extra:?}: {got:#?}");
        let mut accounts: Vec<&str> = mine
            .iter()
            .map(|i| i["account"].as_str().unwrap())
            .collect();
        accounts.sort();
        assert_eq!(accounts, ["111122223333", "444455556666"]);
        assert!(mine.iter().all(|i| i["suspicion_score"] == 1));
    }
}

#[test]
fn the_same_instance_id_in_two_regions_of_one_account_is_two_machines() {
    let id = "i-0c0c0c0c0c0c0c002";
    let records = [
        cloudtrail::cycle("StopInstances", "2026-03-14T10:00:00Z", id),
        elsewhere(
            cloudtrail::cycle("StartInstances", "2026-03-14T10:05:00Z", id),
            "111122223333",
            "eu-west-1",
        ),
    ];
    let (_dir, path) = trail("cross-region", &records);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    assert_eq!(on(&got, id).len(), 2, "{got:#?}");
}

/// A snapshot shared from another account keeps its id there: a volume made from it in this
/// account, attached and cycled, is still one revert.
#[test]
fn a_snapshot_shared_from_another_account_still_leads_to_the_machine() {
    let (snap, vol, inst) = (
        "snap-0c0c0c0c0c0c0c003",
        "vol-0c0c0c0c0c0c0c003",
        "i-0c0c0c0c0c0c0c003",
    );
    let records = [
        elsewhere(
            cloudtrail::call(
                "CreateSnapshot",
                "2026-03-14T08:00:00Z",
                json!({"volumeId": "vol-0c0c0c0c0c0c0c0ff"}),
                json!({"snapshotId": snap, "volumeId": "vol-0c0c0c0c0c0c0c0ff", "startTime": "2026-03-14T08:00:00Z"}),
            ),
            "444455556666",
            "us-east-1",
        ),
        cloudtrail::cycle("StopInstances", "2026-03-14T10:00:00Z", inst),
        cloudtrail::create_volume("2026-03-14T10:01:00Z", snap, vol),
        cloudtrail::attach("2026-03-14T10:03:00Z", vol, inst),
        cloudtrail::cycle("StartInstances", "2026-03-14T10:05:00Z", inst),
    ];
    let (_dir, path) = trail("shared-snapshot", &records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let got = run.jsonl();
    let mine = on(&got, inst);
    assert_eq!(mine.len(), 1, "{got:#?}");
    assert_eq!(mine[0]["severity"], "escalate");
}
