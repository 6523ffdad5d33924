//! `Options::habits`: the estate's habits are in the records, in real shapes, and its planted
//! reverts are in the ground truth; without it the output is the usual one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};
use revertwatch_simulate::{simulate, Options, Planted};
use serde_json::Value;

use super::{read_tree, records, MB};

/// Every record of a 14-day estate with habits, and its planted reverts; written once.
fn estate() -> &'static (Vec<Value>, Vec<Planted>) {
    static E: OnceLock<(Vec<Value>, Vec<Planted>)> = OnceLock::new();
    E.get_or_init(|| {
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("habits-14d");
        let _ = std::fs::remove_dir_all(&dir);
        let opts = Options {
            out_dir: dir.clone(),
            size_bytes: 4 * MB,
            days: 14,
            habits: true,
            ..Options::default()
        };
        let report = simulate(&opts).expect("simulate");
        let mut files = read_tree(&dir);
        files.remove("ground-truth.jsonl");
        let recs = files
            .iter()
            .flat_map(|(rel, bytes)| records(rel, bytes))
            .collect();
        (recs, report.planted)
    })
}

/// The CloudTrail records named `name`.
fn aws(name: &str) -> Vec<&'static Value> {
    estate()
        .0
        .iter()
        .filter(|r| r.get("eventVersion").is_some() && r["eventName"] == name)
        .collect()
}

fn time(r: &Value) -> DateTime<Utc> {
    let s = r["eventTime"].as_str().or(r["timestamp"].as_str()).unwrap();
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn dev_box_owners_stop_their_boxes_on_weekday_evenings_and_start_them_in_the_mornings() {
    let by = aws;
    // dev boxes: each IAM user owner stops their box in the evening and starts it in the
    // morning, on weekdays only
    let mut owners: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in by("StopInstances").into_iter().chain(by("StartInstances")) {
        let arn = r["userIdentity"]["arn"].as_str().unwrap();
        if !arn.contains(":user/")
            || arn.ends_with("/svc-reporting")
            || arn.ends_with("/ci-deployer")
        {
            continue;
        }
        let t = time(r);
        assert!(
            !matches!(t.weekday(), Weekday::Sat | Weekday::Sun),
            "{arn} at {t}"
        );
        let hour = t.hour();
        if r["eventName"] == "StopInstances" {
            assert!((16..=20).contains(&hour), "evening stop at {t} by {arn}");
        } else {
            assert!((7..=10).contains(&hour), "morning start at {t} by {arn}");
        }
        let id = r["requestParameters"]["instancesSet"]["items"][0]["instanceId"]
            .as_str()
            .unwrap();
        let region = r["awsRegion"].as_str().unwrap().to_string();
        owners
            .entry((arn.to_string(), region))
            .or_default()
            .insert(id.to_string());
    }
    // two thirds of the 30 owners are IAM users (the others SSO sessions), in each region
    assert_eq!(owners.len(), 40);
    assert!(
        owners.values().all(|boxes| boxes.len() == 1),
        "one box per owner and region"
    );
}

#[test]
fn schedulers_and_snapshot_copies_come_from_their_own_identities() {
    let by = aws;
    // Instance Scheduler v3: `<namespace>-Scheduler-Role`, sessions `<role>-<account>-<region>`
    let v3: Vec<&Value> = by("StopInstances")
        .into_iter()
        .filter(|r| {
            r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
                .as_str()
                .is_some_and(|a| a.ends_with(":role/is-prod-Scheduler-Role"))
        })
        .collect();
    assert!(!v3.is_empty());
    for r in &v3 {
        let region = r["awsRegion"].as_str().unwrap();
        let want = format!(
            "arn:aws:sts::111122223333:assumed-role/is-prod-Scheduler-Role/is-prod-Scheduler-Role-111122223333-{region}"
        );
        assert_eq!(r["userIdentity"]["arn"], want.as_str());
    }

    // DLM's daily copies are the service's (invokedBy), the person's weekly ones on Fridays
    let copies = by("CopySnapshot");
    let dlm = copies
        .iter()
        .filter(|r| r["userIdentity"]["invokedBy"] == "dlm.amazonaws.com")
        .count();
    assert!(dlm >= 14 * 2, "{dlm}");
    let person: Vec<&&Value> = copies
        .iter()
        .filter(|r| r["userIdentity"]["type"] == "IAMUser")
        .collect();
    assert!(!person.is_empty());
    assert!(person.iter().all(|r| time(r).weekday() == Weekday::Fri));
}

#[test]
fn the_six_planted_reverts_are_in_the_logs_and_the_ground_truth() {
    let (by, planted) = (aws, &estate().1);
    // the one-call revert deletes the replaced root volume
    let replace = by("CreateReplaceRootVolumeTask");
    assert_eq!(replace.len(), 1);
    let req = &replace[0]["requestParameters"]["CreateReplaceRootVolumeTaskRequest"];
    assert_eq!(req["DeleteReplacedRootVolume"], true);

    // six reverts, each to escalate; the prepared one's restore is the day before its swap
    assert_eq!(planted.len(), 6, "{planted:#?}");
    assert!(planted.iter().all(|p| p.expected_severity == "escalate"));
    let per_cloud = |c: &str| planted.iter().filter(|p| p.cloud.as_str() == c).count();
    assert_eq!(
        (per_cloud("aws"), per_cloud("azure"), per_cloud("gcp")),
        (3, 1, 2)
    );
    let prepared = planted
        .iter()
        .find(|p| p.scenario == "prepared-revert")
        .unwrap();
    let restore = DateTime::parse_from_rfc3339(&prepared.first_event_time).unwrap();
    assert_eq!((restore.hour(), restore.minute()), (8, 55));
    let vol = by("CreateVolume")
        .into_iter()
        .find(|r| time(r) == restore)
        .expect("the restore is in the logs");
    let new_vol = vol["responseElements"]["volumeId"].as_str().unwrap();
    let attach = by("AttachVolume")
        .into_iter()
        .find(|r| r["requestParameters"]["volumeId"] == new_vol)
        .expect("the swap is in the logs");
    assert!(time(attach) - time(vol) > chrono::Duration::hours(24));
    assert_eq!(
        attach["requestParameters"]["instanceId"],
        prepared.target.as_str()
    );
}

/// The dev box a GCP owner reverts is stopped and started by that owner on the other days
/// too: the revert hides in a routine, made by the routine's own identity.
#[test]
fn the_owners_revert_is_made_by_the_owner_of_the_box() {
    let (recs, planted) = estate();
    let p = planted
        .iter()
        .find(|p| p.scenario == "owner-revert-in-stopped-period")
        .unwrap();
    let name = p.target.rsplit('/').next().unwrap();
    let mut callers = BTreeSet::new();
    let mut ops = BTreeSet::new();
    for r in recs.iter().filter(|r| r.get("protoPayload").is_some()) {
        let pp = &r["protoPayload"];
        if pp["resourceName"]
            .as_str()
            .is_some_and(|n| n.ends_with(&format!("/instances/{name}")))
        {
            callers.insert(
                pp["authenticationInfo"]["principalEmail"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
            ops.insert(pp["methodName"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(callers.len(), 1, "{callers:?}");
    assert!(callers.iter().all(|c| c.ends_with("@acme-corp.example")));
    assert!(
        ops.iter().any(|m| m.ends_with("instances.attachDisk")),
        "{ops:?}"
    );
    let stops = recs
        .iter()
        .filter(|r| {
            r["protoPayload"]["resourceName"]
                .as_str()
                .is_some_and(|n| n.ends_with(&format!("/instances/{name}")))
                && r["protoPayload"]["methodName"]
                    .as_str()
                    .is_some_and(|m| m.ends_with("instances.stop"))
                && r["operation"]["first"] == true
        })
        .count();
    assert!(stops >= 5, "the box's routine: {stops} stops");
}

/// Habits are off by default, and the planted scenarios are then the usual ones.
#[test]
fn without_habits_the_usual_scenarios_are_planted() {
    assert!(!Options::default().habits);
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        out_dir: tmp.path().to_path_buf(),
        size_bytes: MB,
        days: 2,
        start: Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap(),
        ..Options::default()
    };
    let planted = simulate(&opts).unwrap().planted;
    assert!(planted.iter().any(|p| p.scenario == "resize-lookalike"));
    assert!(planted.iter().all(|p| p.scenario != "prepared-revert"));
}
