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

/// Also the same instance id stopped at the same second in both accounts: two machines, whose
/// incidents once shared an id (it hashed the provider, id and time only), so a SIEM keyed by
/// it, or serve's closed incidents, folded one into the other.
#[test]
fn a_stop_in_one_account_and_a_start_in_another_on_the_same_instance_id_are_two_incidents() {
    let id = "i-0c0c0c0c0c0c0c001";
    for (second, at) in [
        ("StartInstances", "2026-03-14T10:05:00Z"),
        ("StopInstances", "2026-03-14T10:00:00Z"),
    ] {
        let records = [
            elsewhere(
                cloudtrail::cycle("StopInstances", "2026-03-14T10:00:00Z", id),
                "111122223333",
                "us-east-1",
            ),
            elsewhere(
                cloudtrail::cycle(second, at, id),
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
            assert_eq!(mine.len(), 2, "{second} {extra:?}: {got:#?}");
            let mut accounts: Vec<&str> = mine
                .iter()
                .map(|i| i["account"].as_str().unwrap())
                .collect();
            accounts.sort();
            assert_eq!(accounts, ["111122223333", "444455556666"]);
            assert!(mine.iter().all(|i| i["suspicion_score"] == 1));
            assert_ne!(mine[0]["incident_id"], mine[1]["incident_id"], "{got:#?}");
        }
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

fn replace_root(time: &str, instance: &str, snapshot: &str, delete: bool) -> String {
    cloudtrail::call(
        "CreateReplaceRootVolumeTask",
        time,
        json!({"CreateReplaceRootVolumeTaskRequest": {"InstanceId": instance, "SnapshotId": snapshot,
            "DeleteReplacedRootVolume": delete, "ClientToken": "36fac191-c767-475b-86de-370435eed724"}}),
        json!({"CreateReplaceRootVolumeTaskResponse": {"replaceRootVolumeTask": {
            "replaceRootVolumeTaskId": "replacevol-0123456789abcdef0", "instanceId": instance,
            "taskState": "pending", "startTime": time, "snapshotId": snapshot,
            "deleteReplacedRootVolume": delete}}}),
    )
}

#[test]
fn a_root_volume_replaced_in_one_call_that_deletes_the_old_volume_escalates() {
    let inst = "i-0c0c0c0c0c0c0c004";
    let records = [replace_root(
        "2026-03-14T15:00:00Z",
        inst,
        "snap-0c0c0c0c0c0c0c004",
        true,
    )];
    let (_dir, path) = trail("one-call", &records);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    let mine = on(&got, inst);
    assert_eq!(mine.len(), 1, "{got:#?}");
    let i = mine[0];
    assert_eq!(i["severity"], "escalate", "{i:#}");
    assert_eq!(
        i["suspicion_score"], 1,
        "the seed's score stays restore + reset"
    );
    assert_eq!(i["evidence_destroyed"], "root-volume-deleted");
    let chains: Vec<&str> = i["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(chains, ["root-volume-deleted", "root-volume-replaced"]);
}

#[test]
fn a_root_volume_replaced_keeping_the_old_volume_stays_a_review() {
    let inst = "i-0c0c0c0c0c0c0c005";
    let records = [replace_root(
        "2026-03-14T15:00:00Z",
        inst,
        "snap-0c0c0c0c0c0c0c005",
        false,
    )];
    let (_dir, path) = trail("one-call-kept", &records);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    let mine = on(&got, inst);
    assert_eq!(mine.len(), 1, "{got:#?}");
    assert_eq!(mine[0]["severity"], "review");
    assert_eq!(mine[0]["evidence_destroyed"], Value::Null);
}

fn detach(time: &str, volume: &str, instance: &str) -> String {
    cloudtrail::call(
        "DetachVolume",
        time,
        json!({"volumeId": volume, "instanceId": instance, "force": false}),
        json!({"volumeId": volume, "instanceId": instance, "status": "detaching"}),
    )
}

fn delete_volume(time: &str, volume: &str) -> String {
    cloudtrail::call(
        "DeleteVolume",
        time,
        json!({"volumeId": volume, "reportVolumeFailure": false}),
        json!({"_return": true}),
    )
}

/// A restore swapped in without a stop, and the volume it replaced deleted at once.
#[test]
fn a_swap_that_deletes_the_detached_volume_escalates_without_a_reset() {
    let (snap, old, new, inst) = (
        "snap-0c0c0c0c0c0c0c006",
        "vol-0c0c0c0c0c0c0c0a6",
        "vol-0c0c0c0c0c0c0c0b6",
        "i-0c0c0c0c0c0c0c006",
    );
    let records = [
        cloudtrail::create_volume("2026-03-14T10:00:00Z", snap, new),
        detach("2026-03-14T10:02:00Z", old, inst),
        cloudtrail::attach("2026-03-14T10:03:00Z", new, inst),
        delete_volume("2026-03-14T10:09:00Z", old),
    ];
    let (_dir, path) = trail("swap-delete", &records);
    for extra in [&[][..], &["--hold-all"][..]] {
        let got = hunt_jsonl(&[&path], extra).expect_code(0).jsonl();
        let mine = on(&got, inst);
        assert_eq!(mine.len(), 1, "{got:#?}");
        assert_eq!(mine[0]["severity"], "escalate", "{:#}", mine[0]);
        assert_eq!(mine[0]["evidence_destroyed"], "volume-deleted");
        assert_eq!(
            got.len(),
            1,
            "the deletion makes no incident of its own: {got:#?}"
        );
    }
}

#[test]
fn deleting_a_detached_volume_without_a_restore_is_no_incident() {
    let (vol, inst) = ("vol-0c0c0c0c0c0c0c0a7", "i-0c0c0c0c0c0c0c007");
    let records = [
        detach("2026-03-14T10:02:00Z", vol, inst),
        delete_volume("2026-03-14T10:09:00Z", vol),
    ];
    let (_dir, path) = trail("cleanup", &records);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    assert!(got.is_empty(), "{got:#?}");
}

/// One JSON Lines file per record, named by its day (`…-YYYYMMDD.jsonl`, a name `hunt` reads
/// time from), in a fresh folder: read in time order, the detector settles between days.
fn daily_trail(records: &[String]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("trail");
    std::fs::create_dir(&root).unwrap();
    for (n, record) in records.iter().enumerate() {
        let v: Value = serde_json::from_str(record).unwrap();
        let time = v["eventTime"].as_str().or(v["time"].as_str()).unwrap();
        let day: String = time[..10].replace('-', "");
        let path = root.join(format!("part{n:03}-{day}.jsonl"));
        std::fs::write(&path, format!("{record}\n")).unwrap();
        // `hunt` reads files in batches of 32 per worker and settles between batches: a
        // batch of files that match nothing puts a settling after each record.
        for k in 0..32 {
            let filler = cloudtrail::call("DescribeInstances", time, json!({}), json!(null));
            let path = root.join(format!("part{n:03}x{k:02}-{day}.jsonl"));
            std::fs::write(&path, format!("{filler}\n")).unwrap();
        }
    }
    (dir, root)
}

/// Hunts in time order, closing at every batch of files, and holding everything: both must
/// give the same incidents, which are returned.
fn both_ways(path: &std::path::Path, extra: &[&str]) -> Vec<Value> {
    let closing = hunt_jsonl(
        &[path],
        &[&["--closing-from", "0", "-j", "1"][..], extra].concat(),
    );
    closing.expect_code(0);
    let held = hunt_jsonl(&[path], &[&["--hold-all"][..], extra].concat());
    held.expect_code(0);
    assert_eq!(closing.stdout, held.stdout, "time order vs --hold-all");
    closing.jsonl()
}

/// The pause: a volume restored at 08:55, swapped in as root between a stop at 16:31 and a
/// start at 16:36. Every lineage hop once had to fall within the 6 h window: two reviews.
#[test]
fn a_restore_in_the_morning_swapped_in_during_an_afternoon_stop_is_one_escalation() {
    let (snap, vol, inst) = (
        "snap-0c0c0c0c0c0c0c010",
        "vol-0c0c0c0c0c0c0c010",
        "i-0c0c0c0c0c0c0c010",
    );
    let records = [
        cloudtrail::create_volume("2026-03-14T08:55:00Z", snap, vol),
        cloudtrail::cycle("StopInstances", "2026-03-14T16:31:00Z", inst),
        detach("2026-03-14T16:32:00Z", "vol-0c0c0c0c0c0c0c0a0", inst),
        cloudtrail::attach("2026-03-14T16:33:00Z", vol, inst),
        cloudtrail::cycle("StartInstances", "2026-03-14T16:36:00Z", inst),
    ];
    let (_dir, path) = daily_trail(&records);
    let got = both_ways(&path, &[]);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["target"], inst);
    assert_eq!(got[0]["severity"], "escalate");
    assert_eq!(got[0]["first_seen"], "2026-03-14T08:55:00Z");
}

/// Thirty days between the restore and the swap: the detector let the restore go as a lone
/// review weeks before; the provenance store brings it back to the machine.
fn a_month_old_restore() -> Vec<String> {
    let (snap, vol, inst) = (
        "snap-0c0c0c0c0c0c0c011",
        "vol-0c0c0c0c0c0c0c011",
        "i-0c0c0c0c0c0c0c011",
    );
    vec![
        cloudtrail::call(
            "CreateSnapshot",
            // Logged a few seconds after the snapshot's own start time.
            "2026-01-20T06:00:05Z",
            json!({"volumeId": "vol-0c0c0c0c0c0c0c0b1"}),
            json!({"snapshotId": snap, "volumeId": "vol-0c0c0c0c0c0c0c0b1", "status": "pending", "startTime": 1768888800000u64}),
        ),
        cloudtrail::create_volume("2026-02-12T08:55:00Z", snap, vol),
        cloudtrail::copy_snapshot(
            "2026-03-01T00:00:00Z",
            "snap-0c0c0c0c0c0c0c0c1",
            "snap-0c0c0c0c0c0c0c0c2",
        ),
        cloudtrail::cycle("StopInstances", "2026-03-14T16:31:00Z", inst),
        cloudtrail::attach("2026-03-14T16:33:00Z", vol, inst),
        cloudtrail::cycle("StartInstances", "2026-03-14T16:36:00Z", inst),
    ]
}

#[test]
fn a_restore_thirty_days_before_its_swap_still_escalates_the_machine() {
    let (_dir, path) = daily_trail(&a_month_old_restore());
    let got = both_ways(&path, &[]);
    let machine = on(&got, "i-0c0c0c0c0c0c0c011");
    assert_eq!(machine.len(), 1, "{got:#?}");
    assert_eq!(machine[0]["severity"], "escalate");
    assert_eq!(
        machine[0]["chains"],
        json!(["stop-start", "volume-from-snapshot-attached"])
    );
    // The restore alone, as the detector settled it weeks before the swap.
    let lone = on(&got, "vol-0c0c0c0c0c0c0c011");
    assert_eq!(lone.len(), 1, "{got:#?}");
    assert_eq!(lone[0]["severity"], "review");
}

#[test]
fn origins_past_max_provenance_are_dropped_oldest_first_with_a_warning() {
    let (_dir, path) = daily_trail(&a_month_old_restore());
    let run = hunt_jsonl(
        &[&path],
        &["--closing-from", "0", "-j", "1", "--max-provenance", "1"],
    );
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("--max-provenance (1); dropped the 2 oldest"),
        "{}",
        run.stderr
    );
    let got = run.jsonl();
    let machine = on(&got, "i-0c0c0c0c0c0c0c011");
    assert_eq!(machine.len(), 1, "{got:#?}");
    assert_eq!(
        machine[0]["severity"], "review",
        "the restore's origin was dropped"
    );
}

fn month_old_hunt(format: &str, extra: &[&str]) -> (tempfile::TempDir, support::Run) {
    let (dir, path) = daily_trail(&a_month_old_restore());
    let mut args = vec!["hunt", path.to_str().unwrap(), "--format", format];
    args.extend_from_slice(extra);
    let run = support::revertwatch(&args, None);
    (dir, run)
}

const AGE_SECONDS: u64 = 53 * 86_400 + 10 * 3600 + 33 * 60;

#[test]
fn a_revert_says_what_it_restored_from_and_how_far_back_it_went_in_json() {
    let (_dir, run) = month_old_hunt("jsonl", &[]);
    run.expect_code(0);
    let got = run.jsonl();
    let machine = on(&got, "i-0c0c0c0c0c0c0c011")[0];
    assert_eq!(
        machine["restored_from"],
        json!([{
            "id": "snap-0c0c0c0c0c0c0c011",
            "kind": "snapshot",
            "taken_of": "vol-0c0c0c0c0c0c0c0b1",
            "taken_at": "2026-01-20T06:00:00Z",
            "taken_at_source": "CreateSnapshot startTime",
        }]),
        "{machine:#}"
    );
    assert_eq!(machine["revert_age"]["seconds"], AGE_SECONDS);
    assert_eq!(machine["revert_age"]["human"], "53d 10h 33m");
    assert_eq!(machine["revert_age"]["unknown"], Value::Null);
    // The restore alone, weeks before: the same provenance, at the restore's own time.
    let lone = on(&got, "vol-0c0c0c0c0c0c0c011")[0];
    assert_eq!(
        lone["restored_from"][0]["taken_of"],
        "vol-0c0c0c0c0c0c0c0b1"
    );
}

#[test]
fn a_restore_whose_snapshot_was_never_seen_taken_says_its_age_is_unknown() {
    let inst = "i-0c0c0c0c0c0c0c012";
    let records = [
        cloudtrail::cycle("StopInstances", "2026-03-14T10:00:00Z", inst),
        cloudtrail::create_volume(
            "2026-03-14T10:01:00Z",
            "snap-0c0c0c0c0c0c0c012",
            "vol-0c0c0c0c0c0c0c012",
        ),
        cloudtrail::attach("2026-03-14T10:03:00Z", "vol-0c0c0c0c0c0c0c012", inst),
        cloudtrail::cycle("StartInstances", "2026-03-14T10:05:00Z", inst),
    ];
    let (_dir, path) = trail("unknown-age", &records);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    let i = on(&got, inst)[0];
    assert_eq!(i["restored_from"][0]["id"], "snap-0c0c0c0c0c0c0c012");
    assert_eq!(i["restored_from"][0]["taken_at"], Value::Null);
    assert_eq!(
        i["revert_age"]["seconds"],
        Value::Null,
        "unknown is never 0"
    );
    let why = i["revert_age"]["unknown"].as_str().unwrap();
    assert!(why.contains("snap-0c0c0c0c0c0c0c012"), "{why}");
    // An incident that restores nothing has no revert age at all.
    let stop_only = [cloudtrail::cycle(
        "StopInstances",
        "2026-03-14T10:00:00Z",
        inst,
    )];
    let (_dir2, path) = trail("stop-only", &stop_only);
    let got = hunt_jsonl(&[&path], &[]).expect_code(0).jsonl();
    assert_eq!(got[0]["revert_age"], Value::Null);
    assert_eq!(got[0]["restored_from"], json!([]));
}

#[test]
fn restored_from_revert_age_and_evidence_destroyed_show_in_every_format() {
    let want = [
        "snap-0c0c0c0c0c0c0c011",
        "vol-0c0c0c0c0c0c0c0b1",
        "53d 10h 33m",
    ];
    for format in ["table", "csv", "ocsf", "html"] {
        let (_dir, run) = month_old_hunt(format, &[]);
        run.expect_code(0);
        for w in want {
            assert!(
                run.stdout.contains(w),
                "{format} lacks {w}:\n{}",
                run.stdout
            );
        }
    }
    let (_dir, run) = month_old_hunt("ocsf", &[]);
    let finding: Value = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|f| {
            f["finding_info"]["desc"]
                .as_str()
                .is_some_and(|d| d.contains("instance i-0c0c0c0c0c0c0c011"))
        })
        .expect("the machine's finding");
    assert_eq!(finding["unmapped"]["revert_age_seconds"], AGE_SECONDS);
    let desc = finding["finding_info"]["desc"].as_str().unwrap();
    assert!(desc.contains("Revert age: 53d 10h 33m."), "{desc}");
    let (_dir, run) = month_old_hunt("jsonl", &[]);
    let id = on(&run.jsonl(), "i-0c0c0c0c0c0c0c011")[0]["incident_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_dir, run) = month_old_hunt("table", &["--explain", &id]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("revert age  53d 10h 33m"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("restored from snapshot snap-0c0c0c0c0c0c0c011 of vol-0c0c0c0c0c0c0c0b1"),
        "{}",
        run.stdout
    );
    // Evidence destroyed, in the table and the explanation.
    let records = [replace_root(
        "2026-03-14T15:00:00Z",
        "i-0c0c0c0c0c0c0c013",
        "snap-0c0c0c0c0c0c0c013",
        true,
    )];
    let (_dir, path) = trail("destroyed", &records);
    let table = support::revertwatch(&["hunt", path.to_str().unwrap()], None);
    assert!(
        table
            .stdout
            .contains("evidence destroyed: root-volume-deleted"),
        "{}",
        table.stdout
    );
    let csv = support::revertwatch(&["hunt", path.to_str().unwrap(), "--format", "csv"], None);
    assert!(
        csv.stdout
            .lines()
            .next()
            .unwrap()
            .ends_with("evidence_destroyed"),
        "{}",
        csv.stdout
    );
    assert!(csv.stdout.contains("root-volume-deleted"), "{}", csv.stdout);
}

/// The Azure full revert (deallocate, disk from snapshot, OS disk swap, start), with the disk
/// restored twenty days before the swap, and the snapshot taken of the VM's disk in January.
fn azure_restore_weeks_before_its_swap() -> Vec<String> {
    let records = support::fixture_records("scenarios/azure/full-revert.json");
    let mut out = Vec::new();
    let mut disk_write = None;
    for mut r in records {
        let op = r["operationName"].as_str().unwrap().to_ascii_lowercase();
        if op == "microsoft.compute/disks/write" {
            let t: chrono::DateTime<chrono::Utc> = r["time"].as_str().unwrap().parse().unwrap();
            r["time"] = json!((t - chrono::Duration::days(20)).to_rfc3339());
            if r["resultType"] == "Success" {
                disk_write = Some(r.clone());
            }
        }
        out.push(r.to_string());
    }
    let mut snap = disk_write.expect("the fixture restores a disk");
    let sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-prod/providers/Microsoft.Compute";
    let snapshot = format!("{sub}/snapshots/snap-web03-20260101");
    let disk = format!("{sub}/disks/vm-web03-os");
    snap["time"] = json!("2026-01-01T02:00:00Z");
    snap["operationName"] = json!("Microsoft.Compute/snapshots/write");
    snap["resourceId"] = json!(snapshot);
    snap["eventDataId"] = json!("5e0b7d4c-2f1a-4c39-9a51-0d6f1e2a3b4c");
    snap["correlationId"] = json!("8c7d6e5f-4a3b-4c2d-9e1f-0a1b2c3d4e5f");
    snap["properties"]["entity"] = json!(snapshot);
    snap["properties"]["responseBody"] = json!(json!({
        "name": "snap-web03-20260101", "id": snapshot, "type": "Microsoft.Compute/snapshots",
        "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk},
            "incremental": true, "provisioningState": "Succeeded"}
    })
    .to_string());
    out.push(snap.to_string());
    out
}

#[test]
fn an_azure_disk_restored_weeks_before_its_os_disk_swap_escalates_the_vm_and_says_its_age() {
    let (_dir, path) = daily_trail(&azure_restore_weeks_before_its_swap());
    let got = both_ways(&path, &[]);
    let vm: Vec<&Value> = got
        .iter()
        .filter(|i| {
            i["target"]
                .as_str()
                .unwrap()
                .ends_with("virtualmachines/vm-web03")
        })
        .collect();
    assert_eq!(vm.len(), 1, "{got:#?}");
    let vm = vm[0];
    assert_eq!(vm["severity"], "escalate", "{vm:#}");
    assert_eq!(
        vm["chains"],
        json!(["disk-from-snapshot-swapped", "stop-start"])
    );
    let from = &vm["restored_from"][0];
    assert!(
        from["id"]
            .as_str()
            .unwrap()
            .ends_with("snapshots/snap-web03-20260101"),
        "{from:#}"
    );
    assert!(
        from["taken_of"]
            .as_str()
            .unwrap()
            .ends_with("disks/vm-web03-os"),
        "{from:#}"
    );
    assert_eq!(from["taken_at"], "2026-01-01T02:00:00Z");
    assert!(vm["revert_age"]["seconds"].as_u64().unwrap() > 70 * 86_400);
    // The snapshot of a disk is provenance, not a restore: it makes no incident of its own.
    assert!(
        got.iter()
            .all(|i| !i["target"].as_str().unwrap().contains("/snapshots/")),
        "{got:#?}"
    );
}
