//! `revertwatch rules`, `--rules FILE` and `--add-rules`: enough for a detection engineer to
//! add an operation without reading the code.

mod support;

use support::{example, fixture, hunt_jsonl, revertwatch};

#[test]
fn rules_lists_every_cloud_with_azure_names_as_azure_writes_them() {
    let run = revertwatch(&["rules"], None);
    run.expect_code(0);
    for needle in [
        "aws    snapshot_restore  volume-from-snapshot",
        "Microsoft.Compute/virtualMachines/deallocate/action",
        "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints/restore/action",
        "compute.disks.insert",
        "CreateReplaceRootVolumeTask",
    ] {
        assert!(run.stdout.contains(needle), "missing {needle}:\n{}", run.stdout);
    }
}

#[test]
fn explain_shows_conditions_paths_and_edges() {
    let run = revertwatch(&["rules", "explain", "MICROSOFT.COMPUTE/DISKS/WRITE"], None);
    run.expect_code(0);
    for needle in [
        "azure Microsoft.Compute/disks/write",
        "is one of Copy, CopyStart, Restore",
        "request.properties.creationData.sourceResourceId",
        "reached:  via os_disk -> disk-from-snapshot-swapped",
        "edge:     source -[created_from]-> disk",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle}:\n{}",
            run.stdout
        );
    }
    let unknown = revertwatch(&["rules", "explain", "DescribeInstances"], None);
    unknown.expect_code(2);
    assert!(unknown.stderr.contains("no entry for `DescribeInstances`"));
}

#[test]
fn the_readme_worked_example_adds_an_operation() {
    let log = fixture("rules/vmss-redeploy.json");
    let before = hunt_jsonl(&[&log], &[]);
    before.expect_code(0);
    assert!(
        before.jsonl().is_empty(),
        "the default pack does not know scale-set redeploy"
    );

    let rules = example("rules/vmss-redeploy.toml");
    let after = hunt_jsonl(&[&log], &["--add-rules", rules.to_str().unwrap()]);
    after.expect_code(0);
    let incidents = after.jsonl();
    assert_eq!(incidents.len(), 1, "{}", after.stdout);
    assert_eq!(incidents[0]["chains"], serde_json::json!(["redeploy"]));
    assert_eq!(incidents[0]["severity"], "review");
    assert!(incidents[0]["target"]
        .as_str()
        .unwrap()
        .ends_with("virtualmachinescalesets/vmss-web/virtualmachines/3"));

    let listed = revertwatch(&["rules", "--add-rules", rules.to_str().unwrap()], None);
    assert!(listed
        .stdout
        .contains("virtualMachineScaleSets/virtualMachines/redeploy/action"));
}

#[test]
fn a_bad_pack_names_file_line_column_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("mine.toml");
    std::fs::write(&bad, "[[operation]]\nprovider = \"aws\"\nname = \"CreateVolume\"\nsignal = \"snapshot_restored\"\n").unwrap();
    let run = revertwatch(&["rules", "--rules", bad.to_str().unwrap()], None);
    run.expect_code(2);
    assert!(run.stderr.contains("mine.toml:4:10"), "{}", run.stderr);
    assert!(run.stderr.contains("snapshot_restored"), "{}", run.stderr);

    std::fs::write(
        &bad,
        "[[operation]]\nprovider = \"aws\"\nname = \"AttachVolume\"\nsignal = \"link\"\nsubject = \"instance\"\nresources.instance = { kind = \"instance\", path = \"requestParameters.instanceId\" }\n",
    )
    .unwrap();
    let run = revertwatch(
        &[
            "hunt",
            fixture("scenarios/aws/stop-start.json").to_str().unwrap(),
            "--rules",
            bad.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("mine.toml:1: operation `AttachVolume`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("must start with request, response, resource or record"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_arguments_prints_help_that_teaches_by_example() {
    let run = revertwatch(&[], None);
    run.expect_code(2);
    assert!(run.stderr.contains("Examples:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("revertwatch hunt ./AWSLogs"),
        "{}",
        run.stderr
    );
}

#[test]
fn rules_dump_round_trips_as_a_pack() {
    let dump = revertwatch(&["rules", "dump"], None);
    dump.expect_code(0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.toml");
    std::fs::write(&file, &dump.stdout).unwrap();
    let run = hunt_jsonl(
        &[&fixture("scenarios/aws/full-revert.json")],
        &["--rules", file.to_str().unwrap()],
    );
    run.expect_code(0);
    assert_eq!(run.jsonl()[0]["severity"], "escalate");
}
