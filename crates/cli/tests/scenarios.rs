//! The seed's four test scenarios, the full revert, and the look-alikes that must not escalate,
//! on all three clouds, through the binary. Fixtures: tests/fixtures/scenarios/<cloud>/, each
//! with a README saying what is real and what is built from documented shapes.

mod support;

// AWS
scenario!(
    aws_seed_test_1_stop_start,
    "scenarios/aws/stop-start.json",
    ("i-0a1b2c3d4e5f60001", ["stop-start"], 1)
);
scenario!(
    aws_seed_test_2_volume_from_snapshot_attached,
    "scenarios/aws/volume-from-snapshot-attach.json",
    ("i-0a1b2c3d4e5f60002", ["volume-from-snapshot-attached"], 1)
);
scenario!(
    aws_seed_test_4_ami_from_snapshot_launched,
    "scenarios/aws/ami-from-snapshot-launch.json",
    ("i-0a1b2c3d4e5f60003", ["image-from-snapshot-launched"], 1)
);
scenario!(
    aws_full_revert_escalates,
    "scenarios/aws/full-revert.json",
    (
        "i-0a1b2c3d4e5f60004",
        ["stop-start", "volume-from-snapshot-attached"],
        2
    )
);
scenario!(
    aws_root_volume_replaced_pascal_case_request,
    "scenarios/aws/root-volume-replaced.json",
    ("i-0a1b2c3d4e5f60005", ["root-volume-replaced"], 1)
);
scenario!(
    aws_root_volume_replaced_lower_camel_request,
    "scenarios/aws/root-volume-replaced-camel.json",
    ("i-0a1b2c3d4e5f60015", ["root-volume-replaced"], 1)
);
scenario!(
    aws_resize_does_not_escalate,
    "scenarios/aws/resize-lookalike.json",
    ("i-0a1b2c3d4e5f60006", ["stop-start"], 1)
);
// The service's volume is its own work; the person's restore job stays visible, on the
// snapshot it restores (it reaches no machine).
scenario!(
    aws_backup_restore_never_attached_is_keyed_by_volume,
    "scenarios/aws/backup-restore-unattached.json",
    (
        "vol-0aaa000000000007",
        ["volume-from-snapshot"],
        1,
        "aws-backup"
    ),
    ("snap-0feedface0000007", ["restore-from-backup"], 1),
);
scenario!(
    aws_scheduler_stop_of_three_instances_is_three_reviews,
    "scenarios/aws/scheduler-nightly-stop.json",
    ("i-0a1b2c3d4e5f60008", ["stop"], 1, "aws-instance-scheduler"),
    ("i-0a1b2c3d4e5f60009", ["stop"], 1, "aws-instance-scheduler"),
    ("i-0a1b2c3d4e5f60010", ["stop"], 1, "aws-instance-scheduler"),
);
scenario!(
    aws_failed_attempts_never_score,
    "scenarios/aws/failed-attempt.json"
);
// A copy restores nothing (a DR copy, a cross-region backup): it is provenance for a later
// restore, not an incident of its own.
scenario!(
    aws_copy_snapshot_alone_is_no_incident,
    "scenarios/aws/copy-snapshot.json"
);

// Azure
scenario!(
    azure_deallocate_start,
    "scenarios/azure/stop-start.json",
    ("virtualmachines/vm-web01", ["stop-start"], 1)
);
scenario!(
    azure_seed_test_3_disk_from_snapshot,
    "scenarios/azure/disk-from-snapshot.json",
    ("disks/vm-web02-restored", ["disk-from-snapshot"], 1)
);
scenario!(
    azure_full_revert_escalates,
    "scenarios/azure/full-revert.json",
    (
        "virtualmachines/vm-web03",
        ["disk-from-snapshot-swapped", "stop-start"],
        2
    )
);
scenario!(
    azure_seed_test_2_disk_from_snapshot_attached_as_data_disk,
    "scenarios/azure/disk-from-snapshot-attach.json",
    (
        "virtualmachines/vm-web10",
        ["disk-from-snapshot-attached"],
        1
    )
);
scenario!(
    azure_seed_test_4_image_from_snapshot_launched,
    "scenarios/azure/image-from-snapshot-launch.json",
    (
        "virtualmachines/vm-web11",
        ["image-from-snapshot-launched"],
        1
    )
);
scenario!(
    azure_reimage,
    "scenarios/azure/reimage.json",
    ("virtualmachines/vm-web04", ["reimage"], 1)
);
scenario!(
    azure_resize_does_not_escalate,
    "scenarios/azure/resize-lookalike.json",
    ("virtualmachines/vm-web05", ["stop-start"], 1)
);
scenario!(
    azure_backup_restore_never_attached,
    "scenarios/azure/backup-restore.json",
    (
        "disks/vm-web06-osdisk-20260314-160512",
        ["disk-from-snapshot"],
        1,
        "azure-backup"
    ),
    ("recoverypoints/123456789", ["restore-from-backup"], 1),
);
scenario!(
    azure_scheduler_stop,
    "scenarios/azure/scheduler-stop.json",
    ("virtualmachines/vm-web07", ["stop"], 1),
    ("virtualmachines/vm-web08", ["stop"], 1),
);
scenario!(
    azure_failed_attempts_never_score,
    "scenarios/azure/failed-attempt.json"
);
scenario!(
    // Capturing a VM and writing a restore point back it up; neither changes the VM.
    azure_capture_and_restore_point_are_backups_not_restores,
    "scenarios/azure/capture.json"
);

// GCP
scenario!(
    gcp_stop_start,
    "scenarios/gcp/stop-start.jsonl",
    ("instances/web-1", ["stop-start"], 1)
);
scenario!(
    gcp_disk_from_snapshot_attached,
    "scenarios/gcp/disk-from-snapshot-attach.jsonl",
    ("instances/web-2", ["disk-from-snapshot-attached"], 1)
);
scenario!(
    gcp_image_from_snapshot_launched,
    "scenarios/gcp/image-from-snapshot-launch.jsonl",
    ("instances/web-3b", ["image-from-snapshot-launched"], 1)
);
scenario!(
    gcp_full_revert_escalates,
    "scenarios/gcp/full-revert.jsonl",
    (
        "instances/web-4",
        ["disk-from-snapshot-attached", "stop-start"],
        2
    )
);
scenario!(
    gcp_instance_from_machine_image,
    "scenarios/gcp/machine-image-launch.jsonl",
    ("instances/web-5", ["instance-from-machine-image"], 1)
);
scenario!(
    gcp_resize_does_not_escalate,
    "scenarios/gcp/resize-lookalike.jsonl",
    ("instances/web-6", ["stop-start"], 1)
);
scenario!(
    gcp_backup_restore_never_attached,
    "scenarios/gcp/backup-restore-unattached.jsonl",
    ("disks/web-7-restore-test", ["disk-from-snapshot"], 1)
);
scenario!(
    gcp_scheduler_stop,
    "scenarios/gcp/scheduler-stop.jsonl",
    ("instances/web-8", ["stop"], 1, "gcp-instance-schedules"),
    ("instances/web-9", ["stop"], 1, "gcp-instance-schedules"),
);
scenario!(
    gcp_failed_attempts_never_score,
    "scenarios/gcp/failed-attempt.jsonl"
);
// The delete is a reset (a machine re-created under its name is the same machine), but here
// both calls are the group's own, as the Google APIs service agent.
scenario!(
    gcp_managed_instance_group_recreate_is_vouched_for,
    "scenarios/gcp/mig-recreate.jsonl",
    (
        "instances/web-mig-x1",
        ["instance-deleted"],
        1,
        "gcp-managed-instance-groups"
    ),
);

#[test]
fn show_failed_lists_failed_attempts_as_evidence_with_no_score() {
    for file in [
        "scenarios/aws/failed-attempt.json",
        "scenarios/azure/failed-attempt.json",
        "scenarios/gcp/failed-attempt.jsonl",
    ] {
        let run = support::hunt_jsonl(&[&support::fixture(file)], &["--show-failed"]);
        run.expect_code(0);
        let incidents = run.jsonl();
        assert!(!incidents.is_empty(), "{file}: --show-failed shows nothing");
        for i in &incidents {
            assert_eq!(i["suspicion_score"], 0, "{file}");
            assert_eq!(i["severity"], "none", "{file}");
            assert!(
                i["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["outcome"] == "failure"),
                "{file}"
            );
        }
    }
}

#[test]
fn a_revert_split_across_clouds_files_and_order_still_escalates_once_per_machine() {
    let run = support::hunt_jsonl(
        &[&support::workspace().join("tests/fixtures/scenarios")],
        &[],
    );
    run.expect_code(0);
    let escalations: Vec<String> = run
        .jsonl()
        .iter()
        .filter(|i| i["severity"] == "escalate")
        .map(|i| i["target"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(escalations.len(), 3, "{escalations:?}");
}

#[test]
fn events_view_keeps_the_seed_columns_and_names_the_incident() {
    let run = support::hunt_jsonl(
        &[&support::fixture("scenarios/aws/full-revert.json")],
        &["--view", "events"],
    );
    run.expect_code(0);
    let rows = run.jsonl();
    let ops: Vec<&str> = rows
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    // Newest first; links (attach, detach) carry no signal and have no row, as in the seed.
    assert_eq!(ops, ["StartInstances", "CreateVolume", "StopInstances"]);
    let incident = rows[0]["incident_id"].as_str().unwrap();
    for r in &rows {
        for key in [
            "time",
            "provider",
            "actor",
            "source_ip",
            "operation",
            "target_resource",
            "is_snapshot_restore",
            "is_ephemeral_reset",
            "suspicion_score",
            "event_id",
            "account",
            "region",
            "outcome",
            "incident_id",
        ] {
            assert!(r.get(key).is_some(), "row lacks {key}: {r}");
        }
        assert_eq!(r["incident_id"], incident);
        assert_eq!(r["target_resource"], "i-0a1b2c3d4e5f60004");
    }
    assert_eq!(rows[1]["is_snapshot_restore"], 1);
    assert_eq!(rows[2]["is_ephemeral_reset"], 1);
}

#[test]
fn a_stopped_period_holds_the_revert_whatever_the_window() {
    // The AWS full revert's calls are 2 to 3 minutes apart (13:00 to 13:08). Once the window
    // split them into reviews; but the machine is down from its stop to its start, and the
    // window only bounds calls on a running machine: the stop waits for its start, and the
    // restore joins the attach that brings it onto the machine.
    let file = support::fixture("scenarios/aws/full-revert.json");
    for window in ["6h", "2m"] {
        let run = support::hunt_jsonl(&[&file], &["--window", window]);
        run.expect_code(0);
        let incidents = run.jsonl();
        assert_eq!(incidents.len(), 1, "{window}: {}", run.stdout);
        assert_eq!(incidents[0]["severity"], "escalate", "{window}");
        assert_eq!(incidents[0]["downtime"]["seconds"], 480, "{window}");
    }
}
