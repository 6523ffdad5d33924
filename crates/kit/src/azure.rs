//! The Azure scripts: managed disks, snapshots, images and VMs through the `az` CLI, all in a
//! resource group the run creates and deletes.

use revertwatch_pack::Provider;

use crate::model::{Plan, Role, Scenario, Step, Telemetry};

const ACTIVITY: &str = "Azure Activity Log";

const fn activity(
    operation: &'static str,
    detail: &'static str,
    chain: Option<&'static str>,
) -> Telemetry {
    Telemetry {
        service: ACTIVITY,
        operation,
        detail,
        chain,
    }
}

fn group() -> Step {
    Step {
        role: Role::Setup,
        title: "Create the run's resource group (setup)",
        telemetry: vec![activity(
            "Microsoft.Resources/subscriptions/resourceGroups/write",
            "resourceGroupName=$RG",
            None,
        )],
        body: r#"run az group create --name "$RG" --location "$LOCATION" --tags "$TAG" \
    --query properties.provisioningState --output tsv"#,
    }
}

fn vm() -> Step {
    Step {
        role: Role::Setup,
        title: "Create a test VM, with no public IP (setup)",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/write",
            "resourceId=$VM_ID (a link: the VM's own creation)",
            None,
        )],
        body: r#"make_key
VM_ID="$(capture dry-run:vm-id az vm create --resource-group "$RG" --name "$VM" \
    --location "$LOCATION" --image "$VM_IMAGE" --size "$VM_SIZE" --security-type Standard \
    --admin-username azureuser --ssh-key-values "$KEY_DIR/id_rsa.pub" \
    --public-ip-address '' --nsg '' --os-disk-name "$VM-os" --tags "$TAG" \
    --query id --output tsv)""#,
    }
}

fn snapshot_os() -> Step {
    Step {
        role: Role::Setup,
        title: "Snapshot the OS disk: the state to revert to (setup)",
        telemetry: vec![activity(
            "Microsoft.Compute/snapshots/write",
            "properties.creationData.sourceResourceId=$OS_DISK_ID (a copy of a disk, not a restore)",
            None,
        )],
        body: r#"OS_DISK_ID="$(capture dry-run:os-disk-id az vm show --resource-group "$RG" --name "$VM" \
    --query storageProfile.osDisk.managedDisk.id --output tsv)"
SNAPSHOT_ID="$(capture dry-run:snapshot-id az snapshot create --resource-group "$RG" \
    --name "$RUN_ID-snap" --location "$LOCATION" --source "$OS_DISK_ID" \
    --hyper-v-generation V2 --tags "$TAG" --query id --output tsv)""#,
    }
}

fn empty_disk_snapshot() -> Step {
    Step {
        role: Role::Setup,
        title: "Create a small empty disk and snapshot it (setup)",
        telemetry: vec![
            activity(
                "Microsoft.Compute/disks/write",
                "properties.creationData.createOption=Empty: $SOURCE_DISK_ID (a link, no signal)",
                None,
            ),
            activity(
                "Microsoft.Compute/snapshots/write",
                "properties.creationData.sourceResourceId=$SOURCE_DISK_ID",
                None,
            ),
        ],
        body: r#"SOURCE_DISK_ID="$(capture dry-run:source-disk-id az disk create --resource-group "$RG" \
    --name "$RUN_ID-source" --location "$LOCATION" --size-gb 4 --sku Standard_LRS \
    --tags "$TAG" --query id --output tsv)"
SNAPSHOT_ID="$(capture dry-run:snapshot-id az snapshot create --resource-group "$RG" \
    --name "$RUN_ID-snap" --location "$LOCATION" --source "$SOURCE_DISK_ID" \
    --tags "$TAG" --query id --output tsv)""#,
    }
}

fn deallocate() -> Step {
    Step {
        role: Role::Revert,
        title: "Deallocate the VM: its temporary disk is wiped",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/deallocate/action",
            "resourceId=$VM_ID",
            Some("stop"),
        )],
        body: r#"run az vm deallocate --resource-group "$RG" --name "$VM""#,
    }
}

fn start() -> Step {
    Step {
        role: Role::Revert,
        title: "Start the VM again",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/start/action",
            "resourceId=$VM_ID",
            Some("start"),
        )],
        body: r#"run az vm start --resource-group "$RG" --name "$VM""#,
    }
}

const DISK_FROM_SNAPSHOT: Telemetry = activity(
    "Microsoft.Compute/disks/write",
    "HTTP 201 Created; properties.creationData.createOption=Copy, sourceResourceId=$SNAPSHOT_ID; resourceId=$RESTORED_DISK_ID",
    Some("disk-from-snapshot"),
);

fn disk_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create a managed disk from the snapshot",
        telemetry: vec![DISK_FROM_SNAPSHOT],
        body: r#"RESTORED_DISK_ID="$(capture dry-run:restored-disk-id az disk create --resource-group "$RG" \
    --name "$RUN_ID-restored" --location "$LOCATION" --source "$SNAPSHOT_ID" \
    --tags "$TAG" --query id --output tsv)""#,
    }
}

fn os_disk_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create an OS disk from the snapshot",
        telemetry: vec![DISK_FROM_SNAPSHOT],
        body: r#"RESTORED_DISK_ID="$(capture dry-run:restored-disk-id az disk create --resource-group "$RG" \
    --name "$RUN_ID-restored" --location "$LOCATION" --source "$SNAPSHOT_ID" \
    --os-type Linux --hyper-v-generation V2 --tags "$TAG" --query id --output tsv)""#,
    }
}

fn attach_data() -> Step {
    Step {
        role: Role::Revert,
        title: "Attach the restored disk to the VM as a data disk",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/write",
            "properties.storageProfile.dataDisks[].managedDisk.id=$RESTORED_DISK_ID",
            None,
        )],
        body: r#"run az vm disk attach --resource-group "$RG" --vm-name "$VM" --name "$RESTORED_DISK_ID" \
    --query 'storageProfile.dataDisks[].name' --output tsv"#,
    }
}

fn swap_os_disk() -> Step {
    Step {
        role: Role::Revert,
        title: "Swap the VM's OS disk for the restored one (the old disk, the evidence, stays unattached)",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/write",
            "properties.storageProfile.osDisk.managedDisk.id=$RESTORED_DISK_ID (was $OS_DISK_ID)",
            None,
        )],
        body: r#"run az vm update --resource-group "$RG" --name "$VM" --os-disk "$RESTORED_DISK_ID" \
    --query storageProfile.osDisk.name --output tsv"#,
    }
}

fn image_from_snapshot() -> Step {
    Step {
        role: Role::Revert,
        title: "Create a managed image from the snapshot",
        telemetry: vec![activity(
            "Microsoft.Compute/images/write",
            "properties.storageProfile.osDisk.snapshot.id=$SNAPSHOT_ID; resourceId=$IMAGE_ID",
            Some("image-from-snapshot"),
        )],
        body: r#"IMAGE_ID="$(capture dry-run:image-id az image create --resource-group "$RG" \
    --name "$RUN_ID-image" --location "$LOCATION" --source "$SNAPSHOT_ID" --os-type Linux \
    --hyper-v-generation V2 --tags "$TAG" --query id --output tsv)""#,
    }
}

fn vm_from_image() -> Step {
    Step {
        role: Role::Revert,
        title: "Create a VM from the new image",
        telemetry: vec![activity(
            "Microsoft.Compute/virtualMachines/write",
            "properties.storageProfile.imageReference.id=$IMAGE_ID; resourceId=$NEW_VM_ID",
            None,
        )],
        body: r#"NEW_VM_ID="$(capture dry-run:new-vm-id az vm create --resource-group "$RG" \
    --name "$RUN_ID-from-image" --location "$LOCATION" --image "$IMAGE_ID" --size "$VM_SIZE" \
    --security-type Standard --admin-username azureuser --ssh-key-values "$KEY_DIR/id_rsa.pub" \
    --public-ip-address '' --nsg '' --os-disk-name "$RUN_ID-from-image-os" --tags "$TAG" \
    --query id --output tsv)""#,
    }
}

pub(crate) fn plan(scenario: Scenario) -> Plan {
    let (steps, target, chains, severity, simulated_as): (Vec<Step>, _, &[&str], _, _) =
        match scenario {
            Scenario::StopStart => (
                vec![group(), vm(), deallocate(), start()],
                "$VM_ID",
                &["stop-start"],
                "review",
                Some("stop-start"),
            ),
            Scenario::AttachFromSnapshot => (
                vec![
                    group(),
                    vm(),
                    snapshot_os(),
                    disk_from_snapshot(),
                    attach_data(),
                ],
                "$VM_ID",
                &["disk-from-snapshot-attached"],
                "review",
                Some("disk-from-snapshot-attach"),
            ),
            Scenario::DiskFromSnapshot => (
                vec![group(), empty_disk_snapshot(), disk_from_snapshot()],
                "$RESTORED_DISK_ID",
                &["disk-from-snapshot"],
                "review",
                Some("disk-from-snapshot"),
            ),
            Scenario::ImageFromSnapshotLaunch => (
                vec![
                    group(),
                    vm(),
                    snapshot_os(),
                    image_from_snapshot(),
                    vm_from_image(),
                ],
                "$NEW_VM_ID",
                &["image-from-snapshot-launched"],
                "review",
                None,
            ),
            Scenario::FullRevert => (
                vec![
                    group(),
                    vm(),
                    snapshot_os(),
                    deallocate(),
                    os_disk_from_snapshot(),
                    swap_os_disk(),
                    start(),
                ],
                "$VM_ID",
                &["disk-from-snapshot-swapped", "stop-start"],
                "escalate",
                Some("full-revert"),
            ),
        };
    Plan {
        scenario,
        cloud: Provider::Azure,
        steps,
        target,
        chains,
        severity,
        simulated_as,
    }
}
