//! Records of the fixed calls: planted scenarios and scheduled look-alikes.

use std::io::Write;
use std::mem::take;

use super::calls::{arm_id, Call, Who, ATTACKERS};
use super::envelope::*;
use super::generator::{AzureGen, REGION};
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::time::SEC;

impl AzureGen {
    pub(super) fn who(w: &Who) -> usize {
        match w {
            Who::Attacker(k) => ATTACKER0 + (*k as usize).min(ATTACKERS - 1),
            Who::Ops => OPS,
            Who::BackupService => BACKUP,
            Who::Automation => AUTOMATION,
        }
    }

    pub(super) fn render_fixed(&mut self, e: &mut Emit, t: i64, call: &Call) -> Result<()> {
        let mut b = take(&mut self.buf);
        let mut req = take(&mut self.req);
        req.clear();
        let sub = self.sub.clone();
        let r = &mut e.rng;
        let res;
        match call {
            Call::Deallocate { who, rg, vm } | Call::Start { who, rg, vm } => {
                let verb = if matches!(call, Call::Start { .. }) {
                    "start"
                } else {
                    "deallocate"
                };
                let name = format!("Microsoft.Compute/virtualMachines/{verb}/action");
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "virtualMachines", vm);
                let mut op = self.new_op(r, &name, &rid, rg, Self::who(who), "POST", None);
                op.phases = if verb == "start" {
                    Self::phases(r, t, Some("Accepted"), (18, 30), "OK")
                } else {
                    Self::phases(r, t, Some("Accepted"), (30, 48), "OK")
                };
                res = self.emit(e, &op, &mut b);
            }
            Call::DiskFromSnapshot {
                who,
                rg,
                disk,
                source,
                restore,
            } => {
                let option = if *restore { "Restore" } else { "Copy" };
                w!(
                    req,
                    r#"{{"location":"{REGION}","sku":{{"name":"Premium_LRS"}},"properties":{{"creationData":{{"createOption":"{option}","sourceResourceId":"{source}"}}}}}}"#
                );
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "disks", disk);
                let t_acc = t + 300_000_000 + r.below(600_000_000) as i64;
                let t_ok = t + 3 * SEC + r.below(8 * SEC as u64) as i64;
                let acc = self.disk_response(r, rg, disk, option, source, "Updating", t_acc);
                let ok = self.disk_response(r, rg, disk, option, source, "Succeeded", t_acc);
                let mut op = self.new_op(
                    r,
                    "Microsoft.Compute/disks/write",
                    &rid,
                    rg,
                    Self::who(who),
                    "PUT",
                    Some(&req),
                );
                op.phases = vec![
                    Phase {
                        kind: START,
                        t,
                        code: "",
                        resp: None,
                    },
                    Phase {
                        kind: ACCEPT,
                        t: t_acc,
                        code: "Accepted",
                        resp: Some(acc),
                    },
                    Phase {
                        kind: SUCCESS,
                        t: t_ok,
                        code: "Created",
                        resp: Some(ok),
                    },
                ];
                res = self.emit(e, &op, &mut b);
            }
            Call::VmWrite {
                who,
                rg,
                vm,
                size,
                os_disk_name,
                os_disk_id,
                data_disk_id,
                from_image,
            } => {
                self.vm_model(
                    &mut req,
                    rg,
                    vm,
                    size,
                    os_disk_name,
                    os_disk_id,
                    data_disk_id.as_deref(),
                    *from_image,
                    None,
                );
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "virtualMachines", vm);
                let mut resp = Vec::with_capacity(req.len() + 400);
                let created = format!(
                    "\"2025-11-{:02}T09:{:02}:{:02}.{:07}+00:00\"",
                    1 + r.below(28),
                    r.below(60),
                    r.below(60),
                    r.below(10_000_000)
                );
                w!(
                    resp,
                    r#"{{"name":"{vm}","id":"{rid}","type":"Microsoft.Compute/virtualMachines","#
                );
                let mut model = Vec::new();
                let vm_guid = format!("\"{}\"", r.uuid());
                self.vm_model(
                    &mut model,
                    rg,
                    vm,
                    size,
                    os_disk_name,
                    os_disk_id,
                    data_disk_id.as_deref(),
                    *from_image,
                    Some(("vmId", &vm_guid)),
                );
                // splice: the model without its opening brace, then state
                model.truncate(model.len() - 2);
                resp.extend_from_slice(&model[1..]);
                w!(
                    resp,
                    r#","provisioningState":"Updating","timeCreated":{created}}},"etag":"\"{}\""}}"#,
                    3 + r.below(9)
                );
                let mut op = self.new_op(
                    r,
                    "Microsoft.Compute/virtualMachines/write",
                    &rid,
                    rg,
                    Self::who(who),
                    "PUT",
                    Some(&req),
                );
                let t_acc = t + 800_000_000 + r.below(800_000_000) as i64;
                op.phases = vec![
                    Phase {
                        kind: START,
                        t,
                        code: "",
                        resp: None,
                    },
                    Phase {
                        kind: ACCEPT,
                        t: t_acc,
                        code: "OK",
                        resp: Some(resp),
                    },
                    Phase {
                        kind: SUCCESS,
                        t: t + 12 * SEC + r.below(18 * SEC as u64) as i64,
                        code: "OK",
                        resp: None,
                    },
                ];
                res = self.emit(e, &op, &mut b);
            }
        }
        self.buf = b;
        self.req = req;
        res
    }
}
