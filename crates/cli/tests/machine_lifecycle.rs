//! A machine's life through the binary, on CloudTrail and GCP records made to order with their
//! callers: a stopped period is one incident with its downtime; an owner's daily habit is a
//! routine reset (`info`, hidden from tables unless `--show-routine`); a restore is never
//! routine; a restore onto a machine its restorer just launched is a review at most; a machine
//! deleted and created again under its name is the same machine.

mod support;

use std::path::PathBuf;

use revertwatch_testkit::lifecycle::{
    attach, create_volume, cycle, gcp_delete, gcp_insert_from_machine_image, register_image, run,
    Caller,
};
use serde_json::{json, Value};
use support::{hunt_jsonl, revertwatch};

const BOX: &str = "i-0dev0000000000b01";
const OWNER: Caller = Caller::Role {
    role: "DevBox-Owner",
    session: "dana",
};

/// Writes the records as one CloudTrail JSON Lines file in a fresh directory.
fn archive(records: &[String]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trail.jsonl");
    std::fs::write(&path, records.join("\n") + "\n").unwrap();
    (dir, path)
}

/// `caller`'s evening stop on March `day` (18:30 + `drift` minutes) and the next morning's
/// start (08:15 + `drift`).
fn evening_and_morning(caller: Caller<'_>, day: u32, drift: u32) -> Vec<String> {
    vec![
        cycle(
            caller,
            "StopInstances",
            &format!("2026-03-{day:02}T18:{:02}:00Z", 30 + drift),
            BOX,
        ),
        cycle(
            caller,
            "StartInstances",
            &format!("2026-03-{:02}T08:{:02}:00Z", day + 1, 15 + drift),
            BOX,
        ),
    ]
}

/// `caller`'s habit on March 2..=5: four evenings and mornings, a few minutes apart.
fn habit_of(caller: Caller<'_>) -> Vec<String> {
    (2..=5)
        .flat_map(|day| evening_and_morning(caller, day, day % 3 * 7))
        .collect()
}

/// The owner's habit.
fn habit() -> Vec<String> {
    habit_of(OWNER)
}

fn on<'a>(incidents: &'a [Value], target: &str) -> Vec<&'a Value> {
    incidents
        .iter()
        .filter(|i| i["target"].as_str().is_some_and(|t| t.ends_with(target)))
        .collect()
}

fn starting(incidents: &[Value], first_seen: &str) -> Value {
    incidents
        .iter()
        .find(|i| i["first_seen"] == first_seen)
        .unwrap_or_else(|| panic!("no incident from {first_seen}: {incidents:#?}"))
        .clone()
}

#[test]
fn an_owners_evening_stop_and_morning_start_are_one_review_with_its_downtime() {
    let (_dir, path) = archive(&evening_and_morning(OWNER, 10, 0));
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let found = run.jsonl();
    assert_eq!(found.len(), 1, "a lone stop and a lone start: {found:#?}");
    let i = &found[0];
    assert_eq!(i["severity"], "review");
    assert_eq!(i["chains"], json!(["stop-start"]));
    assert_eq!(i["downtime"]["seconds"], 13 * 3600 + 45 * 60);
    assert_eq!(i["downtime"]["human"], "13h 45m");
    assert_eq!(i["downtime"]["still_down"], false);
    assert!(i["routine"].is_null());
    assert!(
        run.stderr.contains("0 escalate, 1 review, 0 info"),
        "{}",
        run.stderr
    );
}

#[test]
fn after_three_earlier_days_of_the_same_rhythm_a_stop_start_is_info_and_tables_hide_it() {
    let mut records = habit();
    records.extend(evening_and_morning(OWNER, 6, 4));
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let found = run.jsonl();
    assert_eq!(found.len(), 5, "one incident per night: {found:#?}");
    let severities: Vec<&str> = found
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    // Newest first: the 6th and 5th nights have three earlier days each; the 2nd to 4th do not.
    assert_eq!(severities, ["info", "info", "review", "review", "review"]);
    let last = starting(&found, "2026-03-06T18:34:00Z");
    let routine = &last["routine"];
    assert_eq!(
        routine["actor"],
        "arn:aws:iam::111122223333:role/DevBox-Owner"
    );
    assert_eq!(routine["times_seen"], 4);
    assert_eq!(routine["first_seen"], "2026-03-02T18:44:00Z");
    assert_eq!(
        routine["usual_hours"],
        json!(["start 08:15-08:29 UTC", "stop 18:30-18:44 UTC"])
    );
    assert!(
        run.stderr.contains("0 escalate, 3 review, 2 info"),
        "{}",
        run.stderr
    );

    let id = last["incident_id"].as_str().unwrap();
    let table = revertwatch(&["hunt", path.to_str().unwrap()], None);
    table.expect_code(0);
    assert!(!table.stdout.contains(id), "{}", table.stdout);
    assert!(table.stdout.contains("REVIEW"));
    let shown = revertwatch(&["hunt", path.to_str().unwrap(), "--show-routine"], None);
    shown.expect_code(0);
    assert!(
        shown.stdout.contains(&format!("INFO {id}")),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains(
            "routine: arn:aws:iam::111122223333:role/DevBox-Owner reset it on 4 earlier days"
        ),
        "{}",
        shown.stdout
    );
    let csv = revertwatch(&["hunt", path.to_str().unwrap(), "--format", "csv"], None);
    assert!(!csv.stdout.contains(id));
    let ocsf = revertwatch(&["hunt", path.to_str().unwrap(), "--format", "ocsf"], None);
    let finding: Value = ocsf
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|f| f["finding_info"]["uid"] == id)
        .expect("info is always in OCSF");
    assert_eq!(finding["severity_id"], 1);
    assert_eq!(finding["is_alert"], false);
    assert_eq!(finding["unmapped"]["routine"]["times_seen"], 4);
}

#[test]
fn a_restore_at_the_routine_hour_still_escalates() {
    let mut records = habit();
    records.extend([
        cycle(OWNER, "StopInstances", "2026-03-06T18:31:00Z", BOX),
        create_volume(
            OWNER,
            "2026-03-06T18:40:00Z",
            "snap-0old0000000000a1",
            "vol-0new0000000000b1",
        ),
        attach(OWNER, "2026-03-06T18:52:00Z", "vol-0new0000000000b1", BOX),
        cycle(OWNER, "StartInstances", "2026-03-07T08:16:00Z", BOX),
    ]);
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let last = starting(&run.jsonl(), "2026-03-06T18:31:00Z");
    assert_eq!(last["severity"], "escalate", "{last:#}");
    assert!(last["routine"].is_null());
    assert_eq!(last["new_machine"], false);
}

/// The owner is the IAM user `dana`; a stranger assumes another role and names the session
/// `dana`. The habit is the user's, and the session name is the stranger's choice.
#[test]
fn a_role_session_named_like_the_owner_does_not_make_a_strangers_reset_routine() {
    let stranger = Caller::Role {
        role: "Contractor",
        session: "dana",
    };
    let mut records = habit_of(Caller::User("dana"));
    records.extend(evening_and_morning(stranger, 6, 0));
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let last = starting(&run.jsonl(), "2026-03-06T18:30:00Z");
    assert_eq!(
        last["actors"],
        json!(["arn:aws:sts::111122223333:assumed-role/Contractor/dana"])
    );
    assert_eq!(last["severity"], "review", "{last:#}");
    assert!(last["routine"].is_null());
}

#[test]
fn a_restore_onto_an_instance_its_restorer_just_launched_is_a_review_with_new_machine() {
    let me = Caller::User("builder");
    let fresh = "i-0fresh00000000c01";
    let records = [
        run(
            me,
            "2026-03-10T09:00:00Z",
            "ami-0base000000000001",
            None,
            fresh,
        ),
        cycle(me, "StopInstances", "2026-03-10T09:05:00Z", fresh),
        create_volume(
            me,
            "2026-03-10T09:06:00Z",
            "snap-0gold00000000001",
            "vol-0gold00000000001",
        ),
        attach(me, "2026-03-10T09:08:00Z", "vol-0gold00000000001", fresh),
        cycle(me, "StartInstances", "2026-03-10T09:10:00Z", fresh),
    ];
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let found = run.jsonl();
    let i = on(&found, fresh);
    assert_eq!(i.len(), 1, "{found:#?}");
    assert_eq!(i[0]["suspicion_score"], 2, "the seed's score is untouched");
    assert_eq!(i[0]["severity"], "review");
    assert_eq!(i[0]["new_machine"], true);
    let table = revertwatch(&["hunt", path.to_str().unwrap()], None);
    assert!(
        table
            .stdout
            .contains("snapshot restore + ephemeral reset; new machine"),
        "{}",
        table.stdout
    );
    let id = i[0]["incident_id"].as_str().unwrap();
    let explained = revertwatch(&["hunt", path.to_str().unwrap(), "--explain", id], None);
    assert!(
        explained.stdout.contains("new machine yes"),
        "{}",
        explained.stdout
    );

    // The same calls by someone else on a machine that ran before escalate.
    let other = Caller::User("mallory");
    let records = [
        cycle(other, "StopInstances", "2026-03-10T09:05:00Z", fresh),
        create_volume(
            other,
            "2026-03-10T09:06:00Z",
            "snap-0gold00000000001",
            "vol-0gold00000000001",
        ),
        attach(other, "2026-03-10T09:08:00Z", "vol-0gold00000000001", fresh),
        cycle(other, "StartInstances", "2026-03-10T09:10:00Z", fresh),
    ];
    let (_dir2, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    assert_eq!(run.escalations(), 1);
}

#[test]
fn a_ci_job_mounting_a_golden_snapshot_on_a_fresh_build_host_is_a_review() {
    let ci = Caller::Role {
        role: "ci-build-runner",
        session: "build-4711",
    };
    let host = "i-0ci0000000000d001";
    let records = [
        run(
            ci,
            "2026-03-10T11:00:00Z",
            "ami-0ci0000000000001",
            None,
            host,
        ),
        create_volume(
            ci,
            "2026-03-10T11:01:00Z",
            "snap-0golden0000000001",
            "vol-0cache000000000001",
        ),
        attach(ci, "2026-03-10T11:02:00Z", "vol-0cache000000000001", host),
    ];
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let found = run.jsonl();
    let i = on(&found, host);
    assert_eq!(i.len(), 1, "{found:#?}");
    assert_eq!(i[0]["severity"], "review");
    assert_eq!(i[0]["new_machine"], true);
}

/// A DR drill: the DR role registers an image from a copied snapshot, launches a new instance
/// from it, and stops and starts that instance to test it. A restore and a reset on one
/// machine, but on a machine the drill made: a review, not an escalation.
#[test]
fn a_dr_drills_stop_start_and_launch_from_a_copied_image_does_not_escalate() {
    let dr = Caller::Role {
        role: "dr-drill",
        session: "quarterly",
    };
    let drill = "i-0drill000000000e01";
    let records = [
        register_image(
            dr,
            "2026-03-10T13:00:00Z",
            "snap-0drcopy000000001",
            "ami-0drill000000000001",
        ),
        run(
            dr,
            "2026-03-10T13:05:00Z",
            "ami-0drill000000000001",
            None,
            drill,
        ),
        cycle(dr, "StopInstances", "2026-03-10T13:30:00Z", drill),
        cycle(dr, "StartInstances", "2026-03-10T13:34:00Z", drill),
    ];
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    assert_eq!(run.escalations(), 0, "{:#?}", run.jsonl());
    let found = run.jsonl();
    let i = on(&found, drill);
    assert_eq!(i.len(), 1, "{found:#?}");
    assert_eq!(
        (&i[0]["severity"], &i[0]["new_machine"]),
        (&json!("review"), &json!(true))
    );
}

/// `compute.instances.delete`, then `insert` under the same name from a machine image,
/// minutes or days apart: DNS, load balancers and monitoring follow the name, so it is the
/// same machine: the delete is a reset, the machine image a restore. Read in time order, the
/// delete let go days before is recalled from the provenance store; all at once it is there.
#[test]
fn a_gcp_instance_deleted_and_inserted_again_from_a_machine_image_escalates() {
    let vm = "projects/acme-prod/zones/us-central1-a/instances/web-7";
    let who = "mallory@acme-corp.example";
    for inserted in [
        "2026-03-10T10:12:00Z",
        "2026-03-11T06:00:00Z",
        "2026-03-13T09:00:00Z",
    ] {
        let records = [
            gcp_delete(who, "2026-03-10T10:00:00Z", vm),
            gcp_insert_from_machine_image(who, inserted, vm, "web-7-mi-20260201"),
        ];
        let (_dir, path) = archive(&records);
        for extra in [&[][..], &["--hold-all"][..]] {
            let run = hunt_jsonl(&[&path], extra);
            run.expect_code(0);
            let found = run.jsonl();
            assert_eq!(found.len(), 1, "{inserted} {extra:?}: {found:#?}");
            assert_eq!(found[0]["severity"], "escalate", "{inserted} {extra:?}");
            assert_eq!(found[0]["new_machine"], false, "{inserted} {extra:?}");
        }
    }
}

/// A machine deleted for good was destroyed, not reverted: a managed group's scale-in is no
/// incident (each was a review held open for the whole hunt).
#[test]
fn a_gcp_instance_deleted_for_good_is_no_incident() {
    let vm = "projects/acme-prod/zones/us-central1-a/instances/web-8";
    let (_dir, path) = archive(&[gcp_delete(
        "mallory@acme-corp.example",
        "2026-03-10T10:00:00Z",
        vm,
    )]);
    for extra in [&[][..], &["--hold-all"][..]] {
        let run = hunt_jsonl(&[&path], extra);
        run.expect_code(0);
        assert!(run.jsonl().is_empty(), "{extra:?}: {}", run.stdout);
    }
}

/// A stopped period longer than the routine lookback (28 days) on a machine with a habit: the
/// start's lookback began after the incident's first call, and the reversed range panicked
/// both hunts (and serve's settling), so a role with a habit could blind the detector.
#[test]
fn a_machine_with_a_habit_stopped_for_longer_than_the_lookback_is_no_crash() {
    let mut records = habit();
    records.push(cycle(OWNER, "StopInstances", "2026-03-06T18:34:00Z", BOX));
    records.push(cycle(OWNER, "StartInstances", "2026-04-20T08:19:00Z", BOX));
    let (_dir, path) = archive(&records);
    for extra in [&[][..], &["--hold-all"][..]] {
        let run = hunt_jsonl(&[&path], extra);
        run.expect_code(0);
        let found = run.jsonl();
        let long = starting(&found, "2026-03-06T18:34:00Z");
        assert_eq!(long["downtime"]["still_down"], false, "{extra:?}");
        assert!(long["routine"].is_null(), "{extra:?}: {long:#}");
    }
}

/// A stop dated in year -262143 (the first time chrono can hold): its lookback overflowed.
#[test]
fn a_reset_at_the_first_representable_time_is_no_crash() {
    let records = vec![cycle(
        OWNER,
        "StopInstances",
        "-262143-01-10T00:00:00Z",
        BOX,
    )];
    let (_dir, path) = archive(&records);
    let run = hunt_jsonl(&[&path], &["--hold-all"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let run = hunt_jsonl(&[&path], &[]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
