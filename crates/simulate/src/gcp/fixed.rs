//! Records of the fixed calls: planted scenarios and scheduled look-alikes.

use std::io::Write;
use std::mem::take;

use super::calls::{Call, Who, ATTACKERS};
use super::envelope::*;
use super::generator::GcpGen;
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::time::SEC;

impl GcpGen {
    pub(super) fn who(w: &Who) -> usize {
        match w {
            Who::Attacker(k) => ATTACKER0 + (*k as usize).min(ATTACKERS - 1),
            Who::Ops => OPS,
            Who::DrSa => DR,
            Who::Scheduler => SYSTEM,
            Who::Habit(k) => HABIT0 + *k as usize,
        }
    }

    pub(super) fn render_fixed(&mut self, e: &mut Emit, t: i64, call: &Call) -> Result<()> {
        let mut req = take(&mut self.req);
        req.clear();
        let res = match call {
            Call::Stop { .. } | Call::Start { .. } | Call::Detach { .. } => {
                self.fixed_stop_start_detach(e, t, call, &mut req)
            }
            Call::DiskFromSnapshot { .. } => self.fixed_disk(e, t, call, &mut req),
            Call::Attach { .. } => self.fixed_attach(e, t, call, &mut req),
            Call::SetMachineType { .. } | Call::CreateSnapshot { .. } => {
                self.fixed_machine_type_or_snapshot(e, t, call, &mut req)
            }
        };
        self.req = req;
        res
    }

    /// Stops, starts and detaches: the calls that take an instance apart.
    fn fixed_stop_start_detach(
        &mut self,
        e: &mut Emit,
        t: i64,
        call: &Call,
        req: &mut Vec<u8>,
    ) -> Result<()> {
        match call {
            Call::Stop { who, zone, inst } | Call::Start { who, zone, inst } => {
                let verb = if matches!(call, Call::Start { .. }) {
                    "start"
                } else {
                    "stop"
                };
                let perms = [(
                    if verb == "start" {
                        "compute.instances.start"
                    } else {
                        "compute.instances.stop"
                    },
                    self.zonal("instances", zone, inst),
                    "compute.instances",
                )];
                let dur = if verb == "start" {
                    18 + e.rng.below(14)
                } else {
                    22 + e.rng.below(16)
                } as i64
                    * SEC;
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    &format!("instances.{verb}"),
                    &format!("gcloud.compute.instances.{verb}"),
                    Kind::Instance,
                    zone,
                    inst,
                    b"",
                    &perms,
                    verb,
                    dur,
                    false,
                )
            }
            Call::Detach {
                who,
                zone,
                inst,
                device,
            } => {
                w!(req, r#""deviceName":"{device}""#);
                let perms = [(
                    "compute.instances.detachDisk",
                    self.zonal("instances", zone, inst),
                    "compute.instances",
                )];
                let dur = (8 + e.rng.below(7)) as i64 * SEC;
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    "instances.detachDisk",
                    "gcloud.compute.instances.detach-disk",
                    Kind::Instance,
                    zone,
                    inst,
                    req,
                    &perms,
                    "detachDisk",
                    dur,
                    false,
                )
            }
            _ => unreachable!("another group's call"),
        }
    }

    /// A disk made from a snapshot.
    fn fixed_disk(&mut self, e: &mut Emit, t: i64, call: &Call, req: &mut Vec<u8>) -> Result<()> {
        match call {
            Call::DiskFromSnapshot {
                who,
                zone,
                disk,
                snap,
                labels,
            } => {
                let full_url = e.rng.chance(0.5);
                let snap_path = format!("projects/{}/global/snapshots/{snap}", self.project);
                w!(
                    req,
                    r#""name":"{disk}","sizeGb":"{}","sourceSnapshot":""#,
                    if *labels { "50" } else { "20" }
                );
                if full_url {
                    w!(req, "{API}/v1/");
                }
                w!(
                    req,
                    r#"{snap_path}","type":"{API}/v1/projects/{}/zones/{zone}/diskTypes/pd-balanced""#,
                    self.project
                );
                if *labels {
                    req.extend_from_slice(br#","labels":{"purpose":"dr-drill"}"#);
                }
                let perms = [
                    (
                        "compute.disks.create",
                        self.zonal("disks", zone, disk),
                        "compute.disks",
                    ),
                    (
                        "compute.snapshots.useReadOnly",
                        snap_path,
                        "compute.snapshots",
                    ),
                ];
                let dur = (12 + e.rng.below(14)) as i64 * SEC;
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    "disks.insert",
                    "gcloud.compute.disks.create",
                    Kind::Disk,
                    zone,
                    disk,
                    req,
                    &perms,
                    "insert",
                    dur,
                    false,
                )
            }
            _ => unreachable!("another group's call"),
        }
    }

    /// A disk attached to an instance.
    fn fixed_attach(&mut self, e: &mut Emit, t: i64, call: &Call, req: &mut Vec<u8>) -> Result<()> {
        match call {
            Call::Attach {
                who,
                zone,
                inst,
                disk,
                device,
                boot,
            } => {
                let source = self.zonal("disks", zone, disk);
                if *boot {
                    w!(req, r#""boot":true,"#);
                }
                w!(
                    req,
                    r#""deviceName":"{device}","mode":"READ_WRITE","source":"{source}""#
                );
                let perms = [
                    (
                        "compute.instances.attachDisk",
                        self.zonal("instances", zone, inst),
                        "compute.instances",
                    ),
                    ("compute.disks.use", source, "compute.disks"),
                ];
                let dur = (8 + e.rng.below(9)) as i64 * SEC;
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    "instances.attachDisk",
                    "gcloud.compute.instances.attach-disk",
                    Kind::Instance,
                    zone,
                    inst,
                    req,
                    &perms,
                    "attachDisk",
                    dur,
                    false,
                )
            }
            _ => unreachable!("another group's call"),
        }
    }

    /// Machine types and snapshots.
    fn fixed_machine_type_or_snapshot(
        &mut self,
        e: &mut Emit,
        t: i64,
        call: &Call,
        req: &mut Vec<u8>,
    ) -> Result<()> {
        match call {
            Call::SetMachineType {
                who,
                zone,
                inst,
                mt,
            } => {
                w!(
                    req,
                    r#""machineType":"{API}/v1/projects/{}/zones/{zone}/machineTypes/{mt}""#,
                    self.project
                );
                let perms = [(
                    "compute.instances.setMachineType",
                    self.zonal("instances", zone, inst),
                    "compute.instances",
                )];
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    "instances.setMachineType",
                    "gcloud.compute.instances.set-machine-type",
                    Kind::Instance,
                    zone,
                    inst,
                    req,
                    &perms,
                    "setMachineType",
                    6 * SEC,
                    false,
                )
            }
            Call::CreateSnapshot {
                who,
                zone,
                disk,
                snap,
            } => {
                w!(req, r#""name":"{snap}","storageLocations":["us"]"#);
                let perms = [
                    (
                        "compute.disks.createSnapshot",
                        self.zonal("disks", zone, disk),
                        "compute.disks",
                    ),
                    (
                        "compute.snapshots.create",
                        format!("projects/{}/global/snapshots/{snap}", self.project),
                        "compute.snapshots",
                    ),
                ];
                let dur = (30 + e.rng.below(60)) as i64 * SEC;
                self.compute(
                    e,
                    t,
                    Self::who(who),
                    "disks.createSnapshot",
                    "",
                    Kind::Disk,
                    zone,
                    disk,
                    req,
                    &perms,
                    "createSnapshot",
                    dur,
                    false,
                )
            }
            _ => unreachable!("another group's call"),
        }
    }
}
