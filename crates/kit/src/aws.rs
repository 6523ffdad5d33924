//! The AWS scripts: EC2 and EBS through the `aws` CLI.
//!
//! Every step uses calls the moto server emulates, so that the test suite runs each script for
//! real. Left out for that reason: CreateReplaceRootVolumeTask (moto answers it with a server
//! error), which swaps a root volume in one call; the full revert here detaches and attaches,
//! as `simulate` plants it.

use revertwatch_pack::Provider;

use crate::model::{Plan, Role, Scenario, Step, Telemetry};

const EC2: &str = "ec2.amazonaws.com";

const fn ec2(
    operation: &'static str,
    detail: &'static str,
    chain: Option<&'static str>,
) -> Telemetry {
    Telemetry {
        service: EC2,
        operation,
        detail,
        chain,
    }
}

fn launch() -> Step {
    Step {
        role: Role::Setup,
        title: "Launch a test instance (setup)",
        telemetry: vec![
            Telemetry {
                service: "ssm.amazonaws.com",
                operation: "GetParameter",
                detail: "the latest Amazon Linux 2023 AMI id",
                chain: None,
            },
            ec2(
                "RunInstances",
                "responseElements.instancesSet.items[0].instanceId=$INSTANCE_ID (a link: the instance's own launch)",
                None,
            ),
        ],
        body: r#"AMI_ID="$(capture dry-run:ami aws ssm get-parameter --region "$REGION" \
    --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 \
    --query Parameter.Value --output text)"
INSTANCE_ID="$(capture dry-run:instance aws ec2 run-instances --region "$REGION" \
    --image-id "$AMI_ID" --instance-type t3.micro --count 1 \
    --tag-specifications "$TAGS_INSTANCE" "$TAGS_VOLUME" \
    --query 'Instances[0].InstanceId' --output text)"
run aws ec2 wait instance-running --region "$REGION" --instance-ids "$INSTANCE_ID"
placement="$(capture 'dry-run:az dry-run:root-device dry-run:root-volume' \
    aws ec2 describe-instances --region "$REGION" --instance-ids "$INSTANCE_ID" \
    --query 'Reservations[0].Instances[0].[Placement.AvailabilityZone, BlockDeviceMappings[0].DeviceName, BlockDeviceMappings[0].Ebs.VolumeId]' \
    --output text)"
read -r AZ ROOT_DEVICE ROOT_VOLUME_ID <<<"$placement"
say "   instance $INSTANCE_ID in $AZ, root volume $ROOT_VOLUME_ID on $ROOT_DEVICE""#,
    }
}

fn snapshot_root() -> Step {
    Step {
        role: Role::Setup,
        title: "Snapshot the root volume: the state to revert to (setup)",
        telemetry: vec![ec2(
            "CreateSnapshot",
            "requestParameters.volumeId=$ROOT_VOLUME_ID; responseElements.snapshotId=$SNAPSHOT_ID",
            None,
        )],
        body: r#"SNAPSHOT_ID="$(capture dry-run:snapshot aws ec2 create-snapshot --region "$REGION" \
    --volume-id "$ROOT_VOLUME_ID" --description "revertwatch kit $RUN_ID: the state to revert to" \
    --tag-specifications "$TAGS_SNAPSHOT" --query SnapshotId --output text)"
run aws ec2 wait snapshot-completed --region "$REGION" --snapshot-ids "$SNAPSHOT_ID""#,
    }
}

fn empty_volume_snapshot() -> Step {
    Step {
        role: Role::Setup,
        title: "Create a small empty volume and snapshot it (setup)",
        telemetry: vec![
            ec2(
                "CreateVolume",
                "no snapshotId: a new, empty volume $SOURCE_VOLUME_ID (a link, no signal)",
                None,
            ),
            ec2(
                "CreateSnapshot",
                "requestParameters.volumeId=$SOURCE_VOLUME_ID; responseElements.snapshotId=$SNAPSHOT_ID",
                None,
            ),
        ],
        body: r#"AZ="$(capture dry-run:az aws ec2 describe-availability-zones --region "$REGION" \
    --query 'AvailabilityZones[0].ZoneName' --output text)"
SOURCE_VOLUME_ID="$(capture dry-run:source-volume aws ec2 create-volume --region "$REGION" \
    --availability-zone "$AZ" --size 1 --volume-type gp3 \
    --tag-specifications "$TAGS_VOLUME" --query VolumeId --output text)"
run aws ec2 wait volume-available --region "$REGION" --volume-ids "$SOURCE_VOLUME_ID"
SNAPSHOT_ID="$(capture dry-run:snapshot aws ec2 create-snapshot --region "$REGION" \
    --volume-id "$SOURCE_VOLUME_ID" --description "revertwatch kit $RUN_ID: a snapshot to restore" \
    --tag-specifications "$TAGS_SNAPSHOT" --query SnapshotId --output text)"
run aws ec2 wait snapshot-completed --region "$REGION" --snapshot-ids "$SNAPSHOT_ID""#,
    }
}

fn stop() -> Step {
    Step {
        role: Role::Revert,
        title: "Stop the instance: its instance-store (ephemeral) volumes are wiped",
        telemetry: vec![ec2(
            "StopInstances",
            "requestParameters.instancesSet.items[0].instanceId=$INSTANCE_ID",
            Some("stop"),
        )],
        body: r#"run aws ec2 stop-instances --region "$REGION" --instance-ids "$INSTANCE_ID" \
    --query 'StoppingInstances[0].CurrentState.Name' --output text
run aws ec2 wait instance-stopped --region "$REGION" --instance-ids "$INSTANCE_ID""#,
    }
}

fn start() -> Step {
    Step {
        role: Role::Revert,
        title: "Start the instance again",
        telemetry: vec![ec2(
            "StartInstances",
            "requestParameters.instancesSet.items[0].instanceId=$INSTANCE_ID",
            Some("start"),
        )],
        body: r#"run aws ec2 start-instances --region "$REGION" --instance-ids "$INSTANCE_ID" \
    --query 'StartingInstances[0].CurrentState.Name' --output text
run aws ec2 wait instance-running --region "$REGION" --instance-ids "$INSTANCE_ID""#,
    }
}

fn volume_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create a volume from the snapshot",
        telemetry: vec![ec2(
            "CreateVolume",
            "requestParameters.snapshotId=$SNAPSHOT_ID; responseElements.volumeId=$RESTORED_VOLUME_ID",
            Some("volume-from-snapshot"),
        )],
        body: r#"RESTORED_VOLUME_ID="$(capture dry-run:restored-volume aws ec2 create-volume --region "$REGION" \
    --availability-zone "$AZ" --snapshot-id "$SNAPSHOT_ID" --volume-type gp3 \
    --tag-specifications "$TAGS_VOLUME" --query VolumeId --output text)"
run aws ec2 wait volume-available --region "$REGION" --volume-ids "$RESTORED_VOLUME_ID""#,
    }
}

fn attach_data() -> Step {
    Step {
        role: Role::Revert,
        title: "Attach the restored volume to the instance",
        telemetry: vec![ec2(
            "AttachVolume",
            "requestParameters.volumeId=$RESTORED_VOLUME_ID; requestParameters.instanceId=$INSTANCE_ID",
            None,
        )],
        body: r#"run aws ec2 attach-volume --region "$REGION" --volume-id "$RESTORED_VOLUME_ID" \
    --instance-id "$INSTANCE_ID" --device /dev/sdf --query State --output text
run aws ec2 wait volume-in-use --region "$REGION" --volume-ids "$RESTORED_VOLUME_ID""#,
    }
}

fn detach_root() -> Step {
    Step {
        role: Role::Revert,
        title: "Detach the root volume (in an attack, the evidence)",
        telemetry: vec![ec2(
            "DetachVolume",
            "requestParameters.volumeId=$ROOT_VOLUME_ID; requestParameters.instanceId=$INSTANCE_ID",
            None,
        )],
        body: r#"run aws ec2 detach-volume --region "$REGION" --volume-id "$ROOT_VOLUME_ID" \
    --instance-id "$INSTANCE_ID" --query State --output text
run aws ec2 wait volume-available --region "$REGION" --volume-ids "$ROOT_VOLUME_ID""#,
    }
}

fn attach_root() -> Step {
    Step {
        role: Role::Revert,
        title: "Attach the restored volume as the root volume",
        telemetry: vec![ec2(
            "AttachVolume",
            "requestParameters.volumeId=$RESTORED_VOLUME_ID; requestParameters.instanceId=$INSTANCE_ID; requestParameters.device=$ROOT_DEVICE",
            None,
        )],
        body: r#"run aws ec2 attach-volume --region "$REGION" --volume-id "$RESTORED_VOLUME_ID" \
    --instance-id "$INSTANCE_ID" --device "$ROOT_DEVICE" --query State --output text
run aws ec2 wait volume-in-use --region "$REGION" --volume-ids "$RESTORED_VOLUME_ID""#,
    }
}

fn register_image() -> Step {
    Step {
        role: Role::Revert,
        title: "Register an AMI from the snapshot",
        telemetry: vec![ec2(
            "RegisterImage",
            "requestParameters.blockDeviceMapping.items[0].ebs.snapshotId=$SNAPSHOT_ID, deviceName=$ROOT_DEVICE; responseElements.imageId=$IMAGE_ID",
            Some("image-from-snapshot"),
        )],
        body: r#"IMAGE_ID="$(capture dry-run:image aws ec2 register-image --region "$REGION" --name "$NAME" \
    --description "revertwatch kit $RUN_ID: registered from $SNAPSHOT_ID" \
    --architecture x86_64 --virtualization-type hvm --ena-support --root-device-name "$ROOT_DEVICE" \
    --block-device-mappings "DeviceName=$ROOT_DEVICE,Ebs={SnapshotId=$SNAPSHOT_ID,VolumeType=gp3,DeleteOnTermination=true}" \
    --tag-specifications "$TAGS_IMAGE" --query ImageId --output text)"
# Tagged again: the moto server the test suite runs this against ignores RegisterImage's tags.
run aws ec2 create-tags --region "$REGION" --resources "$IMAGE_ID" \
    --tags "Key=$TAG_KEY,Value=$RUN_ID" "Key=Name,Value=$NAME"
run aws ec2 wait image-available --region "$REGION" --image-ids "$IMAGE_ID""#,
    }
}

fn run_from_image() -> Step {
    Step {
        role: Role::Revert,
        title: "Launch an instance from the new AMI",
        telemetry: vec![ec2(
            "RunInstances",
            "requestParameters.instancesSet.items[0].imageId=$IMAGE_ID; responseElements.instancesSet.items[0].instanceId=$NEW_INSTANCE_ID",
            None,
        )],
        body: r#"NEW_INSTANCE_ID="$(capture dry-run:new-instance aws ec2 run-instances --region "$REGION" \
    --image-id "$IMAGE_ID" --instance-type t3.micro --count 1 \
    --tag-specifications "$TAGS_INSTANCE" "$TAGS_VOLUME" \
    --query 'Instances[0].InstanceId' --output text)"
run aws ec2 wait instance-running --region "$REGION" --instance-ids "$NEW_INSTANCE_ID""#,
    }
}

pub(crate) fn plan(scenario: Scenario) -> Plan {
    let (steps, target, chains, severity, simulated_as): (Vec<Step>, _, &[&str], _, _) =
        match scenario {
            Scenario::StopStart => (
                vec![launch(), stop(), start()],
                "$INSTANCE_ID",
                &["stop-start"],
                "review",
                Some("stop-start"),
            ),
            Scenario::AttachFromSnapshot => (
                vec![
                    launch(),
                    snapshot_root(),
                    volume_from_snapshot(),
                    attach_data(),
                ],
                "$INSTANCE_ID",
                &["volume-from-snapshot-attached"],
                "review",
                Some("volume-from-snapshot-attach"),
            ),
            // simulate plants this shape as AWS Backup's restore of an unattached volume
            Scenario::DiskFromSnapshot => (
                vec![empty_volume_snapshot(), volume_from_snapshot()],
                "$RESTORED_VOLUME_ID",
                &["volume-from-snapshot"],
                "review",
                Some("backup-restore-unattached"),
            ),
            Scenario::ImageFromSnapshotLaunch => (
                vec![
                    launch(),
                    snapshot_root(),
                    register_image(),
                    run_from_image(),
                ],
                "$NEW_INSTANCE_ID",
                &["image-from-snapshot-launched"],
                "review",
                Some("ami-from-snapshot-launch"),
            ),
            Scenario::FullRevert => (
                vec![
                    launch(),
                    snapshot_root(),
                    stop(),
                    volume_from_snapshot(),
                    detach_root(),
                    attach_root(),
                    start(),
                ],
                "$INSTANCE_ID",
                &["stop-start", "volume-from-snapshot-attached"],
                "escalate",
                Some("full-revert"),
            ),
        };
    Plan {
        scenario,
        cloud: Provider::Aws,
        steps,
        target,
        chains,
        severity,
        simulated_as,
    }
}
