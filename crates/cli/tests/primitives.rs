//! The restores the pack did not know (issue 17), and the benign look-alikes that must not
//! escalate, through the binary, in every container each cloud's records come in: CloudTrail
//! S3 delivery (plain and gzipped), EventBridge and lookup-events; Azure Event Hub and the
//! insights JSON Lines export; GCP Logging export, Pub/Sub and `gcloud logging read`.
//! Fixtures: tests/fixtures/primitives/<cloud>/ (make_primitives.py, README.md).

mod support;

use std::io::Write;

use base64::Engine;
use serde_json::{json, Value};
use support::{fixture, fixture_records, hunt_jsonl};

/// One expected incident: the end of its target, its chains, its severity and the built-in
/// that suppresses it.
type Want = (
    &'static str,
    &'static [&'static str],
    &'static str,
    Option<&'static str>,
);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn jsonl(items: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in items {
        serde_json::to_writer(&mut out, &v).unwrap();
        out.push(b'\n');
    }
    out
}

/// The fixture's records in every container its cloud delivers them in, by file name.
fn containers(rel: &str) -> Vec<(&'static str, Vec<u8>)> {
    let recs = fixture_records(rel);
    let cloud = rel.split('/').nth(1).unwrap();
    match cloud {
        "aws" => {
            let s3 = serde_json::to_vec(&json!({ "Records": recs })).unwrap();
            let eventbridge = jsonl(recs.iter().map(|r| {
                json!({"version": "0", "id": r["eventID"], "detail-type": "AWS API Call via CloudTrail",
                       "source": "aws.ec2", "account": "111122223333", "time": r["eventTime"],
                       "region": "us-east-1", "resources": [], "detail": r})
            }));
            let lookup = json!({"Events": recs.iter().map(|r| json!({
                "EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "false",
                "EventTime": r["eventTime"], "EventSource": r["eventSource"], "Resources": [],
                "CloudTrailEvent": r.to_string()})).collect::<Vec<_>>()});
            vec![
                (
                    "111122223333_CloudTrail_us-east-1_20260315T0900Z_a1.json",
                    s3.clone(),
                ),
                (
                    "111122223333_CloudTrail_us-east-1_20260315T0900Z_a1.json.gz",
                    gzip(&s3),
                ),
                ("eventbridge.jsonl", eventbridge),
                (
                    "lookup-events.json",
                    serde_json::to_vec_pretty(&lookup).unwrap(),
                ),
            ]
        }
        "azure" => vec![
            (
                "eventhub.json",
                serde_json::to_vec(&json!({ "records": recs })).unwrap(),
            ),
            ("PT1H.json", jsonl(recs.clone())),
        ],
        "gcp" => {
            let b64 = base64::engine::general_purpose::STANDARD;
            let pubsub = jsonl(recs.iter().enumerate().map(|(i, r)| {
                json!({"message": {"data": b64.encode(r.to_string()), "messageId": i.to_string(),
                       "publishTime": r["timestamp"]},
                       "subscription": "projects/acme-prod/subscriptions/revertwatch"})
            }));
            vec![
                ("13:00:00_13:59:59_S0.json", jsonl(recs.clone())),
                ("pubsub.jsonl", pubsub),
                (
                    "gcloud-logging-read.json",
                    serde_json::to_vec_pretty(&recs).unwrap(),
                ),
            ]
        }
        other => panic!("no containers for {other}"),
    }
}

/// What a hunt found, as (target, chains, severity, suppressed_by), sorted.
fn found(incidents: &[Value]) -> Vec<(String, Vec<String>, String, Option<String>)> {
    let mut out: Vec<_> = incidents
        .iter()
        .map(|i| {
            let chains = i["chains"].as_array().unwrap();
            (
                i["target"].as_str().unwrap().to_string(),
                chains.iter().map(|c| c.as_str().unwrap().into()).collect(),
                i["severity"].as_str().unwrap().to_string(),
                i["suppressed_by"].as_str().map(String::from),
            )
        })
        .collect();
    out.sort();
    out
}

/// Hunts the fixture in each of its containers; each gives exactly the incidents wanted.
fn check(rel: &str, want: &[Want]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in containers(rel) {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let run = hunt_jsonl(&[&path], &[]);
        run.expect_code(0);
        assert!(
            run.stderr.contains("0 skipped"),
            "{rel} as {name}: {}",
            run.stderr
        );
        let got = found(&run.jsonl());
        assert_eq!(got.len(), want.len(), "{rel} as {name}: {got:#?}");
        for (target, chains, severity, rule) in want {
            let hit = got
                .iter()
                .find(|g| g.0.ends_with(target) && g.1 == *chains)
                .unwrap_or_else(|| panic!("{rel} as {name}: no {target} {chains:?} in {got:#?}"));
            assert_eq!(hit.2, *severity, "{rel} as {name}: severity of {target}");
            assert_eq!(hit.3.as_deref(), *rule, "{rel} as {name}: rule of {target}");
        }
    }
    assert!(fixture(rel).is_file());
}

// ------------------------------------------------------------------------------- AWS

#[test]
fn aws_a_launch_template_that_restores_a_snapshot_reaches_the_instance_launched_from_it() {
    check(
        "primitives/aws/launch-template-run.json",
        &[(
            "i-0b1c0000000000101",
            &["launch-template-from-snapshot-launched"],
            "review",
            None,
        )],
    );
}

#[test]
fn aws_a_template_version_named_by_name_reaches_every_instance_of_a_fleet_launched_by_name() {
    let chain: &[&str] = &["launch-template-from-snapshot-launched"];
    check(
        "primitives/aws/launch-template-version-fleet.json",
        &[
            ("i-0b1c0000000000201", chain, "review", None),
            ("i-0b1c0000000000202", chain, "review", None),
        ],
    );
}

/// The service's own launch is vouched for by `aws-backup`, but the person who started the
/// restore is not: the incident is shown.
#[test]
fn aws_a_persons_backup_restore_reaches_the_instance_the_service_launches_and_is_not_hidden() {
    check(
        "primitives/aws/backup-restore-ec2.json",
        &[(
            "i-0b1c0000000000301",
            &["restore-from-backup-launched"],
            "review",
            None,
        )],
    );
}

#[test]
fn aws_a_persons_backup_restore_swapped_in_as_the_root_volume_escalates() {
    check(
        "primitives/aws/backup-restore-ebs-swap.json",
        &[(
            "i-0b1c0000000000401",
            &[
                "restore-from-backup-attached",
                "stop-start",
                "volume-from-snapshot-attached",
            ],
            "escalate",
            None,
        )],
    );
}

#[test]
fn aws_karpenter_nodes_with_snapshot_backed_data_volumes_do_not_escalate() {
    check(
        "primitives/aws/karpenter-launch.json",
        &[
            (
                "i-0b1c0000000000501",
                &["launch-template-from-snapshot-launched"],
                "review",
                None,
            ),
            (
                "i-0b1c0000000000502",
                &["instance-from-snapshot"],
                "review",
                None,
            ),
        ],
    );
}

#[test]
fn aws_an_auto_scaling_instance_refresh_is_no_incident() {
    check("primitives/aws/autoscaling-refresh.json", &[]);
}

#[test]
fn aws_a_packer_bake_does_not_escalate() {
    check(
        "primitives/aws/packer-bake.json",
        &[("i-0b1c0000000000701", &["stop"], "review", None)],
    );
}

/// The test restore of an EBS recovery point is the two services' own work, each vouched for;
/// the EC2 one holds both services' calls, so no one rule vouches for all of it: a review.
#[test]
fn aws_backup_restore_testing_does_not_escalate() {
    check(
        "primitives/aws/restore-testing.json",
        &[
            (
                "i-0b1c0000000000801",
                &["restore-from-backup-launched"],
                "review",
                None,
            ),
            (
                "snap-0b1c0000000000c03",
                &["restore-from-backup"],
                "review",
                Some("aws-backup-restore-testing"),
            ),
            // Restore testing deletes the volume AWS Backup restored: two services' calls, so
            // neither built-in vouches for it; deleting the restore's own product destroyed
            // no evidence, so it stays a review.
            (
                "vol-0b1c00000000000c3",
                &["volume-from-snapshot"],
                "review",
                None,
            ),
        ],
    );
}

#[test]
fn aws_dlm_cross_region_copies_are_no_incident() {
    check("primitives/aws/dlm-cross-region-copy.json", &[]);
}

/// However its stops and starts are grouped, every incident of Instance Scheduler v3 is its
/// own role's, and vouched for.
#[test]
fn aws_instance_scheduler_v3_stops_and_starts_are_vouched_for() {
    let run = hunt_jsonl(&[&fixture("primitives/aws/scheduler-v3.json")], &[]);
    run.expect_code(0);
    let incidents = run.jsonl();
    assert!(!incidents.is_empty());
    for i in &incidents {
        assert_ne!(i["severity"], "escalate", "{i:#}");
        assert_eq!(i["suppressed_by"], "aws-instance-scheduler", "{i:#}");
    }
}

/// Primitives the pack modelled before, held here so that each has a test through the binary.
#[test]
fn aws_recycle_bin_recoveries_and_an_image_copy_between_restore_and_launch() {
    check(
        "primitives/aws/recycle-bin-and-image-copy.json",
        &[
            (
                "snap-0b1c0000000000a01",
                &["snapshot-recovered"],
                "review",
                None,
            ),
            (
                "i-0b1c0000000001001",
                &["image-recovered-launched"],
                "review",
                None,
            ),
            (
                "i-0b1c0000000001002",
                &["image-from-snapshot-launched"],
                "review",
                None,
            ),
        ],
    );
}

// ------------------------------------------------------------------------------- Azure

#[test]
fn azure_a_persons_backup_restore_to_the_original_location_reaches_the_vm_and_escalates() {
    check(
        "primitives/azure/backup-restore-original-location.json",
        &[(
            "virtualmachines/vm-web21",
            &["restore-from-backup-to-original-vm", "stop-start"],
            "escalate",
            None,
        )],
    );
}

#[test]
fn azure_scale_set_reimages_deallocates_and_starts_on_sets_and_on_instances() {
    let reimage: &[&str] = &["reimage"];
    let cycle: &[&str] = &["stop-start"];
    check(
        "primitives/azure/vmss.json",
        &[
            ("virtualmachinescalesets/vmss-app", cycle, "review", None),
            ("virtualmachinescalesets/vmss-api", reimage, "review", None),
            ("virtualmachinescalesets/vmss-jobs", reimage, "review", None),
            ("vmss-app/virtualmachines/4", reimage, "review", None),
            ("vmss-app/virtualmachines/6", reimage, "review", None),
            ("vmss-app/virtualmachines/5", cycle, "review", None),
        ],
    );
}

#[test]
fn azure_a_disk_imported_from_a_vhd_and_swapped_in_escalates() {
    check(
        "primitives/azure/disk-imported-swapped.json",
        &[(
            "virtualmachines/vm-web22",
            &["disk-imported-swapped", "stop-start"],
            "escalate",
            None,
        )],
    );
}

#[test]
fn azure_a_disk_made_for_upload_and_attached_is_a_review() {
    check(
        "primitives/azure/disk-uploaded-attached.json",
        &[(
            "virtualmachines/vm-web23",
            &["disk-uploaded-attached"],
            "review",
            None,
        )],
    );
}

#[test]
fn azure_a_disk_from_an_image_made_from_a_snapshot_swapped_in_escalates() {
    check(
        "primitives/azure/disk-from-image-swapped.json",
        &[(
            "virtualmachines/vm-web24",
            &["image-from-snapshot-swapped", "stop-start"],
            "escalate",
            None,
        )],
    );
}

/// A power-off is a link (the VM keeps its temporary disk); the others modelled before are
/// held here so that each has a test through the binary.
#[test]
fn azure_redeploy_snapshot_copy_and_data_protection_restore_and_a_power_off_that_is_none() {
    check(
        "primitives/azure/redeploy-poweroff-copy-dataprotection.json",
        &[
            ("virtualmachines/vm-web25", &["redeploy"], "review", None),
            // The snapshot copy restores nothing: a provenance link, no incident of its own.
            (
                "backupinstances/vm-web28-data",
                &["restore-from-backup"],
                "review",
                None,
            ),
        ],
    );
}

// ------------------------------------------------------------------------------- GCP

#[test]
fn gcp_snapshot_to_image_to_boot_disk_swapped_in_escalates() {
    check(
        "primitives/gcp/image-chain-revert.jsonl",
        &[(
            "instances/web-21",
            &["image-from-snapshot-attached", "stop-start"],
            "escalate",
            None,
        )],
    );
}

#[test]
fn gcp_an_instance_deleted_and_created_again_from_a_machine_image_escalates() {
    check(
        "primitives/gcp/delete-recreate-from-machine-image.jsonl",
        &[(
            "instances/web-22",
            &["instance-deleted", "instance-from-machine-image"],
            "escalate",
            None,
        )],
    );
}

/// A regional disk from an image made from a snapshot carries the restore to the instance; a
/// disk from a public image, or a clone of a disk, is an edge and nothing more.
#[test]
fn gcp_a_region_disk_from_a_restored_image_reaches_the_instance_and_public_images_do_not() {
    check(
        "primitives/gcp/region-disk-from-image.jsonl",
        &[(
            "instances/web-23",
            &["image-from-snapshot-attached"],
            "review",
            None,
        )],
    );
}

#[test]
fn gcp_an_instance_from_a_snapshot_a_region_disk_from_a_snapshot_and_an_instant_snapshot() {
    check(
        "primitives/gcp/snapshot-inserts.jsonl",
        &[
            (
                "instances/web-25",
                &["instance-from-snapshot"],
                "review",
                None,
            ),
            (
                "instances/web-26",
                &["disk-from-snapshot-attached"],
                "review",
                None,
            ),
            (
                "disks/web-27-from-instant",
                &["disk-from-snapshot"],
                "review",
                None,
            ),
        ],
    );
}

// ------------------------------------------------------------------------------- hostile

/// A launch template's name is the caller's choice. Named after an instance that is stopped
/// and started nearby, it must not land the template's snapshot restore on that instance.
#[test]
fn a_launch_template_named_after_an_instance_lands_no_restore_on_it() {
    let victim = "i-0b1c0000000000999";
    let mut records = fixture_records("primitives/aws/launch-template-run.json");
    let create = &mut records[0];
    create["requestParameters"]["CreateLaunchTemplateRequest"]["LaunchTemplateName"] =
        json!(victim);
    create["responseElements"]["CreateLaunchTemplateResponse"]["launchTemplate"]
        ["launchTemplateName"] = json!(victim);
    for (op, minute) in [("StopInstances", 10), ("StartInstances", 14)] {
        let line = support::cloudtrail::ec2(op, 24 + 9, minute, &[victim]);
        records.push(serde_json::from_str(&line).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("named-after-an-instance.json");
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({ "Records": records })).unwrap(),
    )
    .unwrap();
    let run = hunt_jsonl(&[&path], &[]);
    run.expect_code(0);
    let got = found(&run.jsonl());
    let on_victim: Vec<_> = got.iter().filter(|g| g.0 == victim).collect();
    assert_eq!(on_victim.len(), 1, "{got:#?}");
    assert_eq!(on_victim[0].1, ["stop-start"], "{got:#?}");
    assert_eq!(on_victim[0].2, "review", "{got:#?}");
}
