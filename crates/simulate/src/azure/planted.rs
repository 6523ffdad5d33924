//! The Azure scenarios: each a handful of calls at fixed times, on fresh planted names.

use super::calls::{arm_id, os_disk_name, Call, Call as C, Who, ATTACKERS};
use crate::emit::Fixed;
use crate::options::Cloud;
use crate::report::Planted;
use crate::rng::Rng;
use crate::scenario::{hex, planted, snapshot_day, suppressed, Kind, WORDS};
use crate::time::{self, MIN, SEC};

/// The names every scenario draws, in this order, before its kind's own.
struct Scene<'a> {
    attacker: Who,
    rg: String,
    vm: String,
    own_disk: String,
    snap_id: String,
    vm_id: String,
    sub: &'a str,
    rec: Record,
}

/// What the ground-truth record of a scenario shares with the others of the subscription.
struct Record {
    first: String,
    lower_sub: String,
}

impl Record {
    fn p(&self, scenario: &str, target: &str, escalate: bool, chains: &[&str]) -> Planted {
        planted(
            Cloud::Azure,
            scenario,
            target.to_ascii_lowercase(),
            escalate,
            chains,
            &self.lower_sub,
            self.first.clone(),
        )
    }
}

fn at(t: i64, call: C) -> Fixed<Call> {
    Fixed { t, call }
}

/// Up to a second more, so that the calls do not fall on whole seconds.
fn jitter(rng: &mut Rng) -> i64 {
    rng.below(SEC as u64) as i64
}

pub(crate) fn plant(rng: &mut Rng, kind: Kind, t0: i64, sub: &str) -> (Planted, Vec<Fixed<Call>>) {
    let attacker = Who::Attacker(rng.below(ATTACKERS as u64) as u8);
    let word = *rng.pick(&WORDS);
    let rg = format!("rg-{word}-prod");
    let vm = format!("vm-{word}-{}", hex(rng, 4));
    let own_disk = os_disk_name(&vm, rng);
    let snap_id = arm_id(
        sub,
        &rg,
        "Microsoft.Compute",
        "snapshots",
        &format!("{vm}-snap-{}", snapshot_day(rng, t0)),
    );
    let vm_id = arm_id(sub, &rg, "Microsoft.Compute", "virtualMachines", &vm);
    let rec = Record {
        first: time::iso_string(t0, 7),
        lower_sub: sub.to_ascii_lowercase(),
    };
    let s = Scene {
        attacker,
        rg,
        vm,
        own_disk,
        snap_id,
        vm_id,
        sub,
        rec,
    };
    match kind {
        Kind::FullRevert => full_revert(s, rng, t0),
        Kind::StopStart => stop_start(s, rng, t0),
        Kind::AttachFromSnapshot => attach_from_snapshot(s, rng, t0),
        Kind::DiskUnattached => disk_unattached(s, t0),
        Kind::Resize => resize(s, rng, t0),
        Kind::BackupUnattached => backup_unattached(s, rng, t0),
        Kind::AmiLaunch => unreachable!("not planted on Azure"),
    }
}

fn full_revert(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        rg,
        vm,
        snap_id,
        vm_id,
        sub,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    let disk = format!("{vm}-os-restored");
    let disk_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
    // the PUT body spells the resource group in upper case, as ARM clients do
    let body_ref = disk_id.replace(&format!("/{rg}/"), &format!("/{}/", rg.to_uppercase()));
    (
        rec.p(
            "full-revert",
            &vm_id,
            true,
            &["stop-start", "disk-from-snapshot-swapped"],
        ),
        vec![
            at(
                t0,
                C::Deallocate {
                    who: w(),
                    rg: rg.clone(),
                    vm: vm.clone(),
                },
            ),
            at(
                t0 + 2 * MIN + 8 * SEC + jitter(rng),
                C::DiskFromSnapshot {
                    who: w(),
                    rg: rg.clone(),
                    disk: disk.clone(),
                    source: snap_id.clone(),
                    restore: false,
                },
            ),
            at(
                t0 + 5 * MIN + jitter(rng),
                C::VmWrite {
                    who: w(),
                    rg: rg.clone(),
                    vm: vm.clone(),
                    size: "Standard_D2s_v5".into(),
                    os_disk_name: disk,
                    os_disk_id: body_ref,
                    data_disk_id: None,
                    from_image: false,
                },
            ),
            at(
                t0 + 8 * MIN + jitter(rng),
                C::Start {
                    who: w(),
                    rg: rg.clone(),
                    vm: vm.clone(),
                },
            ),
        ],
    )
}

fn stop_start(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        rg,
        vm,
        vm_id,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    (
        rec.p("stop-start", &vm_id, false, &["stop-start"]),
        vec![
            at(
                t0,
                C::Deallocate {
                    who: w(),
                    rg: rg.clone(),
                    vm: vm.clone(),
                },
            ),
            at(
                t0 + 7 * MIN + jitter(rng),
                C::Start {
                    who: w(),
                    rg: rg.clone(),
                    vm: vm.clone(),
                },
            ),
        ],
    )
}

fn attach_from_snapshot(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        rg,
        vm,
        own_disk,
        snap_id,
        vm_id,
        sub,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    let disk = format!("{vm}-data-restored");
    let disk_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
    let own_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &own_disk);
    (
        rec.p(
            "disk-from-snapshot-attach",
            &vm_id,
            false,
            &["disk-from-snapshot-attached"],
        ),
        vec![
            at(
                t0,
                C::DiskFromSnapshot {
                    who: w(),
                    rg: rg.clone(),
                    disk,
                    source: snap_id,
                    restore: false,
                },
            ),
            at(
                t0 + 5 * MIN + jitter(rng),
                C::VmWrite {
                    who: w(),
                    rg,
                    vm,
                    size: "Standard_D4s_v5".into(),
                    os_disk_name: own_disk,
                    os_disk_id: own_id,
                    data_disk_id: Some(disk_id),
                    from_image: true,
                },
            ),
        ],
    )
}

fn disk_unattached(s: Scene, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        rg,
        vm,
        snap_id,
        sub,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    let disk = format!("{vm}-restored");
    let disk_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
    (
        rec.p(
            "disk-from-snapshot",
            &disk_id,
            false,
            &["disk-from-snapshot"],
        ),
        vec![at(
            t0,
            C::DiskFromSnapshot {
                who: w(),
                rg,
                disk,
                source: snap_id,
                restore: false,
            },
        )],
    )
}

fn resize(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        rg,
        vm,
        own_disk,
        vm_id,
        sub,
        rec,
        ..
    } = s;
    let own_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &own_disk)
        .replace("/resourceGroups/", "/resourcegroups/");
    (
        rec.p("resize-lookalike", &vm_id, false, &["stop-start"]),
        vec![
            at(
                t0,
                C::Deallocate {
                    who: Who::Ops,
                    rg: rg.clone(),
                    vm: vm.clone(),
                },
            ),
            at(
                t0 + 2 * MIN + jitter(rng),
                C::VmWrite {
                    who: Who::Ops,
                    rg: rg.clone(),
                    vm: vm.clone(),
                    size: "Standard_D8s_v5".into(),
                    os_disk_name: own_disk,
                    os_disk_id: own_id,
                    data_disk_id: None,
                    from_image: true,
                },
            ),
            at(
                t0 + 4 * MIN + jitter(rng),
                C::Start {
                    who: Who::Ops,
                    rg,
                    vm,
                },
            ),
        ],
    )
}

fn backup_unattached(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        rg,
        vm,
        own_disk,
        sub,
        rec,
        ..
    } = s;
    let c = time::civil(t0);
    let disk = format!(
        "{vm}-osdisk-{:04}{:02}{:02}-{:02}{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
    let disk_id = arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
    let rpc = format!("AzureBackup_{vm}_{}", rng.string(|r, v| r.digits(v, 14)));
    let rp = rng.uuid();
    let source = format!(
            "/subscriptions/{sub}/resourceGroups/AzureBackupRG_eastus_1/providers/Microsoft.Compute/restorePointCollections/{rpc}/restorePoints/{rp}/diskRestorePoints/{own_disk}_{}",
            rng.uuid()
        );
    (
        suppressed(
            rec.p(
                "backup-restore-unattached",
                &disk_id,
                false,
                &["disk-from-snapshot"],
            ),
            "azure-backup",
        ),
        vec![at(
            t0,
            C::DiskFromSnapshot {
                who: Who::BackupService,
                rg,
                disk,
                source,
                restore: true,
            },
        )],
    )
}
