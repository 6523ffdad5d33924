//! Admin-activity noise: everyday compute, storage and service changes.

use std::io::Write;
use std::mem::take;

use crate::emit::Emit;
use crate::error::Result;
use crate::gcp::calls::ZONES;
use crate::gcp::envelope::*;
use crate::gcp::generator::GcpGen;
use crate::gcp::personas::*;
use crate::time::{self, SEC};

impl GcpGen {
    pub(in crate::gcp) fn noise_admin(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let r = &mut e.rng;
        let fail = r.chance(0.02);
        let k = r.weighted(&[14, 10, 6, 5, 6, 6, 4, 2, 3]);
        let (inst, zone) = r.pick(&self.instances).clone();
        let mut req = take(&mut self.req);
        req.clear();
        let who = [ALICE, TF, BOB][r.weighted(&[30, 55, 15])];
        let res = match k {
            0 | 1 => self.admin_metadata(e, t, k, (who, fail), (&inst, zone), &mut req),
            2 | 3 => self.admin_firewall_or_snapshot(e, t, k, (who, fail), (&inst, zone), &mut req),
            4 | 5 => self.admin_mig(e, t, k, &mut req),
            _ => {
                self.req = req;
                return self.noise_iam(e, t, k);
            }
        };
        self.req = req;
        res
    }

    /// Labels and metadata of an instance.
    fn admin_metadata(
        &mut self,
        e: &mut Emit,
        t: i64,
        k: usize,
        (who, fail): (usize, bool),
        (inst, zone): (&str, &'static str),
        req: &mut Vec<u8>,
    ) -> Result<()> {
        let r = &mut e.rng;
        match k {
            0 => {
                w!(req, r#""labelFingerprint":""#);
                r.b64(req, 11);
                w!(
                    req,
                    r#"=","labels":[{{"key":"team","value":"platform"}},{{"key":"env","value":"prod"}}]"#
                );
                let perms = [(
                    "compute.instances.setLabels",
                    self.zonal("instances", zone, inst),
                    "compute.instances",
                )];
                self.compute(
                    e,
                    t,
                    who,
                    "instances.setLabels",
                    "gcloud.compute.instances.add-labels",
                    Kind::Instance,
                    zone,
                    inst,
                    req,
                    &perms,
                    "setLabels",
                    2 * SEC,
                    fail,
                )
            }
            _ => {
                w!(req, r#""fingerprint":""#);
                r.b64(req, 11);
                w!(
                    req,
                    r#"=","items":[{{"key":"enable-oslogin","value":"TRUE"}}]"#
                );
                let perms = [(
                    "compute.instances.setMetadata",
                    self.zonal("instances", zone, inst),
                    "compute.instances",
                )];
                self.compute(
                    e,
                    t,
                    who,
                    "instances.setMetadata",
                    "gcloud.compute.instances.add-metadata",
                    Kind::Instance,
                    zone,
                    inst,
                    req,
                    &perms,
                    "setMetadata",
                    3 * SEC,
                    fail,
                )
            }
        }
    }

    /// A firewall rule updated, or a disk snapshotted by hand.
    fn admin_firewall_or_snapshot(
        &mut self,
        e: &mut Emit,
        t: i64,
        k: usize,
        (who, fail): (usize, bool),
        (inst, zone): (&str, &'static str),
        req: &mut Vec<u8>,
    ) -> Result<()> {
        let r = &mut e.rng;
        match k {
            2 => {
                let fw = *r.pick(&self.firewalls);
                w!(
                    req,
                    r#""sourceRanges":["35.191.0.0/16","130.211.0.0/22","192.0.2.0/24"]"#
                );
                let perms = [(
                    "compute.firewalls.update",
                    format!("projects/{}/global/firewalls/{fw}", self.project),
                    "compute.firewalls",
                )];
                self.compute(
                    e,
                    t,
                    TF,
                    "firewalls.patch",
                    "",
                    Kind::Firewall,
                    "",
                    fw,
                    req,
                    &perms,
                    "patch",
                    6 * SEC,
                    fail,
                )
            }
            _ => {
                let c = time::civil(t);
                w!(
                    req,
                    r#""name":"{inst}-manual-{:04}{:02}{:02}","storageLocations":["us"]"#,
                    c.year,
                    c.month,
                    c.day
                );
                let perms = [
                    (
                        "compute.disks.createSnapshot",
                        self.zonal("disks", zone, inst),
                        "compute.disks",
                    ),
                    (
                        "compute.snapshots.create",
                        format!("projects/{}/global/snapshots/{inst}-manual", self.project),
                        "compute.snapshots",
                    ),
                ];
                self.compute(
                    e,
                    t,
                    who,
                    "disks.createSnapshot",
                    "gcloud.compute.disks.snapshot",
                    Kind::Disk,
                    zone,
                    inst,
                    req,
                    &perms,
                    "createSnapshot",
                    40 * SEC,
                    fail,
                )
            }
        }
    }

    /// A managed instance group creates or deletes a VM.
    fn admin_mig(&mut self, e: &mut Emit, t: i64, k: usize, req: &mut Vec<u8>) -> Result<()> {
        let r = &mut e.rng;
        // a managed instance group replaces a VM from its (public) image
        let name = format!("web-mig-{}", r.string(|r, v| r.lower_alnum(v, 4)));
        let zone = *r.pick(&ZONES);
        if k == 4 {
            w!(
                req,
                r#""canIpForward":false,"disks":[{{"autoDelete":true,"boot":true,"deviceName":"persistent-disk-0","initializeParams":{{"diskSizeGb":"20","diskType":"pd-balanced","sourceImage":"https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20260210"}},"mode":"READ_WRITE","type":"PERSISTENT"}}],"machineType":"projects/{}/zones/{zone}/machineTypes/e2-medium","name":"{name}","networkInterfaces":[{{"network":"projects/{}/global/networks/default"}}],"requestId":"{}","scheduling":{{"automaticRestart":true,"onHostMaintenance":"MIGRATE"}}"#,
                self.number,
                self.number,
                r.uuid()
            );
            let perms = [
                (
                    "compute.instances.create",
                    self.zonal("instances", zone, &name),
                    "compute.instances",
                ),
                (
                    "compute.disks.create",
                    self.zonal("disks", zone, &name),
                    "compute.disks",
                ),
            ];
            self.compute(
                e,
                t,
                MIG,
                "instances.insert",
                "",
                Kind::Instance,
                zone,
                &name,
                req,
                &perms,
                "insert",
                13 * SEC,
                false,
            )
        } else {
            w!(req, r#""requestId":"{}""#, r.uuid());
            let perms = [(
                "compute.instances.delete",
                self.zonal("instances", zone, &name),
                "compute.instances",
            )];
            self.compute(
                e,
                t,
                MIG,
                "instances.delete",
                "",
                Kind::Instance,
                zone,
                &name,
                req,
                &perms,
                "delete",
                31 * SEC,
                false,
            )
        }
    }
}
