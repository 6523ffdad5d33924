//! The Google Cloud scripts: Compute Engine through the `gcloud` CLI. Every resource carries
//! the run's label; a boot disk, which `instances create` does not label, is labelled right
//! after.

use revertwatch_pack::Provider;

use crate::model::{Plan, Role, Scenario, Step, Telemetry};

const COMPUTE: &str = "compute.googleapis.com";

const fn compute(
    operation: &'static str,
    detail: &'static str,
    chain: Option<&'static str>,
) -> Telemetry {
    Telemetry {
        service: COMPUTE,
        operation,
        detail,
        chain,
    }
}

fn instance() -> Step {
    Step {
        role: Role::Setup,
        title: "Create a test instance and label its boot disk (setup)",
        telemetry: vec![
            compute(
                "v1.compute.instances.insert",
                "resourceName=projects/$PROJECT/zones/$ZONE/instances/$VM (a link: the instance's own creation)",
                None,
            ),
            compute(
                "v1.compute.disks.setLabels",
                "resourceName=projects/$PROJECT/zones/$ZONE/disks/$VM",
                None,
            ),
        ],
        body: r#"run gcloud compute instances create "$VM" --project "$PROJECT" --zone "$ZONE" \
    --machine-type e2-micro --image-family debian-12 --image-project debian-cloud \
    --labels "$LABELS" --format 'value(name)'
run gcloud compute disks add-labels "$VM" --project "$PROJECT" --zone "$ZONE" --labels "$LABELS""#,
    }
}

fn snapshot_boot() -> Step {
    Step {
        role: Role::Setup,
        title: "Snapshot the boot disk: the state to revert to (setup)",
        telemetry: vec![compute(
            "v1.compute.snapshots.insert",
            "request.sourceDisk=.../zones/$ZONE/disks/$VM; resourceName=projects/$PROJECT/global/snapshots/$SNAPSHOT",
            None,
        )],
        body: r#"run gcloud compute snapshots create "$SNAPSHOT" --project "$PROJECT" \
    --source-disk "$VM" --source-disk-zone "$ZONE" --labels "$LABELS" --format 'value(name)'"#,
    }
}

fn empty_disk_snapshot() -> Step {
    Step {
        role: Role::Setup,
        title: "Create a small empty disk and snapshot it (setup)",
        telemetry: vec![
            compute(
                "v1.compute.disks.insert",
                "no sourceSnapshot: a new, empty disk $RUN_ID-source (a link, no signal)",
                None,
            ),
            compute(
                "v1.compute.snapshots.insert",
                "request.sourceDisk=.../zones/$ZONE/disks/$RUN_ID-source; resourceName=projects/$PROJECT/global/snapshots/$SNAPSHOT",
                None,
            ),
        ],
        body: r#"run gcloud compute disks create "$RUN_ID-source" --project "$PROJECT" --zone "$ZONE" \
    --size 10GB --type pd-standard --labels "$LABELS" --format 'value(name)'
run gcloud compute snapshots create "$SNAPSHOT" --project "$PROJECT" \
    --source-disk "$RUN_ID-source" --source-disk-zone "$ZONE" --labels "$LABELS" \
    --format 'value(name)'"#,
    }
}

fn stop() -> Step {
    Step {
        role: Role::Revert,
        title: "Stop the instance: its local SSD data is discarded",
        telemetry: vec![compute(
            "v1.compute.instances.stop",
            "resourceName=projects/$PROJECT/zones/$ZONE/instances/$VM",
            Some("stop"),
        )],
        body: r#"run gcloud compute instances stop "$VM" --project "$PROJECT" --zone "$ZONE""#,
    }
}

fn start() -> Step {
    Step {
        role: Role::Revert,
        title: "Start the instance again",
        telemetry: vec![compute(
            "v1.compute.instances.start",
            "resourceName=projects/$PROJECT/zones/$ZONE/instances/$VM",
            Some("start"),
        )],
        body: r#"run gcloud compute instances start "$VM" --project "$PROJECT" --zone "$ZONE""#,
    }
}

fn disk_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create a disk from the snapshot",
        telemetry: vec![compute(
            "v1.compute.disks.insert",
            "request.sourceSnapshot=.../global/snapshots/$SNAPSHOT; resourceName=projects/$PROJECT/zones/$ZONE/disks/$RUN_ID-restored",
            Some("disk-from-snapshot"),
        )],
        body: r#"run gcloud compute disks create "$RUN_ID-restored" --project "$PROJECT" --zone "$ZONE" \
    --source-snapshot "$SNAPSHOT" --labels "$LABELS" --format 'value(name)'"#,
    }
}

fn attach_data() -> Step {
    Step {
        role: Role::Revert,
        title: "Attach the restored disk to the instance",
        telemetry: vec![compute(
            "v1.compute.instances.attachDisk",
            "request.source=.../zones/$ZONE/disks/$RUN_ID-restored; resourceName=.../instances/$VM",
            None,
        )],
        body: r#"run gcloud compute instances attach-disk "$VM" --project "$PROJECT" --zone "$ZONE" \
    --disk "$RUN_ID-restored" --device-name restored"#,
    }
}

fn detach_boot() -> Step {
    Step {
        role: Role::Revert,
        title: "Detach the boot disk (in an attack, the evidence)",
        telemetry: vec![compute(
            "v1.compute.instances.detachDisk",
            "request.deviceName of the boot disk $VM; resourceName=.../instances/$VM",
            None,
        )],
        body: r#"run gcloud compute instances detach-disk "$VM" --project "$PROJECT" --zone "$ZONE" \
    --disk "$VM""#,
    }
}

fn attach_boot() -> Step {
    Step {
        role: Role::Revert,
        title: "Attach the restored disk as the boot disk",
        telemetry: vec![compute(
            "v1.compute.instances.attachDisk",
            "request.source=.../zones/$ZONE/disks/$RUN_ID-restored; request.boot=true",
            None,
        )],
        body: r#"run gcloud compute instances attach-disk "$VM" --project "$PROJECT" --zone "$ZONE" \
    --disk "$RUN_ID-restored" --boot"#,
    }
}

fn image_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create an image from the snapshot",
        telemetry: vec![compute(
            "v1.compute.images.insert",
            "request.sourceSnapshot=.../global/snapshots/$SNAPSHOT; resourceName=projects/$PROJECT/global/images/$RUN_ID-image",
            Some("image-from-snapshot"),
        )],
        body: r#"run gcloud compute images create "$RUN_ID-image" --project "$PROJECT" \
    --source-snapshot "$SNAPSHOT" --labels "$LABELS" --format 'value(name)'"#,
    }
}

fn instance_from_image() -> Step {
    Step {
        role: Role::Revert,
        title: "Create an instance from the new image",
        telemetry: vec![compute(
            "v1.compute.instances.insert",
            "request.disks[0].initializeParams.sourceImage=.../global/images/$RUN_ID-image; resourceName=.../instances/$RUN_ID-from-image",
            None,
        )],
        body: r#"run gcloud compute instances create "$RUN_ID-from-image" --project "$PROJECT" \
    --zone "$ZONE" --machine-type e2-micro --image "$RUN_ID-image" --image-project "$PROJECT" \
    --labels "$LABELS" --format 'value(name)'
run gcloud compute disks add-labels "$RUN_ID-from-image" --project "$PROJECT" --zone "$ZONE" \
    --labels "$LABELS""#,
    }
}

pub(crate) fn plan(scenario: Scenario) -> Plan {
    let (steps, target, chains, severity, simulated_as): (Vec<Step>, _, &[&str], _, _) =
        match scenario {
            Scenario::StopStart => (
                vec![instance(), stop(), start()],
                "projects/$PROJECT/zones/$ZONE/instances/$VM",
                &["stop-start"],
                "review",
                Some("stop-start"),
            ),
            Scenario::AttachFromSnapshot => (
                vec![
                    instance(),
                    snapshot_boot(),
                    disk_from_snapshot(),
                    attach_data(),
                ],
                "projects/$PROJECT/zones/$ZONE/instances/$VM",
                &["disk-from-snapshot-attached"],
                "review",
                Some("disk-from-snapshot-attach"),
            ),
            // simulate plants this shape as a DR service account's restore test
            Scenario::DiskFromSnapshot => (
                vec![empty_disk_snapshot(), disk_from_snapshot()],
                "projects/$PROJECT/zones/$ZONE/disks/$RUN_ID-restored",
                &["disk-from-snapshot"],
                "review",
                Some("backup-restore-unattached"),
            ),
            Scenario::ImageFromSnapshotLaunch => (
                vec![
                    instance(),
                    snapshot_boot(),
                    image_from_snapshot(),
                    instance_from_image(),
                ],
                "projects/$PROJECT/zones/$ZONE/instances/$RUN_ID-from-image",
                &["image-from-snapshot-launched"],
                "review",
                None,
            ),
            Scenario::FullRevert => (
                vec![
                    instance(),
                    snapshot_boot(),
                    stop(),
                    disk_from_snapshot(),
                    detach_boot(),
                    attach_boot(),
                    start(),
                ],
                "projects/$PROJECT/zones/$ZONE/instances/$VM",
                &["disk-from-snapshot-attached", "stop-start"],
                "escalate",
                Some("full-revert"),
            ),
        };
    Plan {
        scenario,
        cloud: Provider::Gcp,
        steps,
        target,
        chains,
        severity,
        simulated_as,
    }
}
