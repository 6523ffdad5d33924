//! Records of the fixed calls: planted scenarios and scheduled look-alikes.

use std::io::Write;
use std::mem::take;

use super::calls::{arm_id, Call, Who, ATTACKERS};
use super::envelope::*;
use super::generator::{AzureGen, REGION};
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::rng::Rng;
use crate::time::SEC;

impl AzureGen {
    pub(super) fn who(w: &Who) -> usize {
        match w {
            Who::Attacker(k) => ATTACKER0 + (*k as usize).min(ATTACKERS - 1),
            Who::Ops => OPS,
            Who::BackupService => BACKUP,
            Who::Automation => AUTOMATION,
            Who::Habit(k) => HABIT0 + *k as usize,
        }
    }

    pub(super) fn render_fixed(&mut self, e: &mut Emit, t: i64, call: &Call) -> Result<()> {
        let mut b = take(&mut self.buf);
        let mut req = take(&mut self.req);
        req.clear();
        let res = match call {
            Call::Deallocate { who, rg, vm } | Call::Start { who, rg, vm } => {
                let start = matches!(call, Call::Start { .. });
                self.power(e, t, (who, rg, vm), start, &mut b)
            }
            Call::DiskFromSnapshot { .. } => self.disk_from_snapshot(e, t, call, &mut b, &mut req),
            Call::VmWrite { .. } => self.vm_write(e, t, call, &mut b, &mut req),
        };
        self.buf = b;
        self.req = req;
        res
    }

    /// Start, then accept and success with these times, codes and bodies.
    fn three_phases(
        t: i64,
        accept: (i64, &'static str, Option<Vec<u8>>),
        success: (i64, &'static str, Option<Vec<u8>>),
    ) -> Vec<Phase> {
        vec![
            Phase {
                kind: START,
                t,
                code: "",
                resp: None,
            },
            Phase {
                kind: ACCEPT,
                t: accept.0,
                code: accept.1,
                resp: accept.2,
            },
            Phase {
                kind: SUCCESS,
                t: success.0,
                code: success.1,
                resp: success.2,
            },
        ]
    }

    fn power(
        &self,
        e: &mut Emit,
        t: i64,
        (who, rg, vm): (&Who, &str, &str),
        start: bool,
        b: &mut Vec<u8>,
    ) -> Result<()> {
        let r = &mut e.rng;
        let verb = if start { "start" } else { "deallocate" };
        let name = format!("Microsoft.Compute/virtualMachines/{verb}/action");
        let rid = arm_id(&self.sub, rg, "Microsoft.Compute", "virtualMachines", vm);
        let mut op = self.new_op(r, &name, &rid, rg, Self::who(who), "POST", None);
        op.phases = if start {
            Self::phases(r, t, Some("Accepted"), (18, 30), "OK")
        } else {
            Self::phases(r, t, Some("Accepted"), (30, 48), "OK")
        };
        self.emit(e, &op, b)
    }

    fn disk_from_snapshot(
        &self,
        e: &mut Emit,
        t: i64,
        call: &Call,
        b: &mut Vec<u8>,
        req: &mut Vec<u8>,
    ) -> Result<()> {
        let Call::DiskFromSnapshot {
            who,
            rg,
            disk,
            source,
            restore,
        } = call
        else {
            unreachable!("a disk from a snapshot")
        };
        let r = &mut e.rng;
        let option = if *restore { "Restore" } else { "Copy" };
        w!(
            req,
            r#"{{"location":"{REGION}","sku":{{"name":"Premium_LRS"}},"properties":{{"creationData":{{"createOption":"{option}","sourceResourceId":"{source}"}}}}}}"#
        );
        let rid = arm_id(&self.sub, rg, "Microsoft.Compute", "disks", disk);
        let t_acc = t + 300_000_000 + r.below(600_000_000) as i64;
        let t_ok = t + 3 * SEC + r.below(8 * SEC as u64) as i64;
        let acc = self.disk_response(r, rg, disk, option, source, "Updating", t_acc);
        let ok = self.disk_response(r, rg, disk, option, source, "Succeeded", t_acc);
        let name = "Microsoft.Compute/disks/write";
        let mut op = self.new_op(r, name, &rid, rg, Self::who(who), "PUT", Some(req));
        op.phases = Self::three_phases(
            t,
            (t_acc, "Accepted", Some(acc)),
            (t_ok, "Created", Some(ok)),
        );
        self.emit(e, &op, b)
    }

    fn vm_write(
        &self,
        e: &mut Emit,
        t: i64,
        call: &Call,
        b: &mut Vec<u8>,
        req: &mut Vec<u8>,
    ) -> Result<()> {
        let Call::VmWrite { who, rg, vm, .. } = call else {
            unreachable!("a VM write")
        };
        let r = &mut e.rng;
        self.vm_call_model(req, call, None);
        let rid = arm_id(&self.sub, rg, "Microsoft.Compute", "virtualMachines", vm);
        let resp = self.vm_write_response(r, call, &rid, req.len());
        let name = "Microsoft.Compute/virtualMachines/write";
        let mut op = self.new_op(r, name, &rid, rg, Self::who(who), "PUT", Some(req));
        let t_acc = t + 800_000_000 + r.below(800_000_000) as i64;
        let t_ok = t + 12 * SEC + r.below(18 * SEC as u64) as i64;
        op.phases = Self::three_phases(t, (t_acc, "OK", Some(resp)), (t_ok, "OK", None));
        self.emit(e, &op, b)
    }

    /// The model of a VM write's VM, with `extra` as its last property.
    fn vm_call_model(&self, out: &mut Vec<u8>, call: &Call, extra: Option<(&str, &str)>) {
        let Call::VmWrite {
            rg,
            vm,
            size,
            os_disk_name,
            os_disk_id,
            data_disk_id,
            from_image,
            ..
        } = call
        else {
            unreachable!("a VM write")
        };
        self.vm_model(
            out,
            rg,
            vm,
            size,
            os_disk_name,
            os_disk_id,
            data_disk_id.as_deref(),
            *from_image,
            extra,
        );
    }

    /// The accept phase's body of a VM write: the model, its id and its state.
    fn vm_write_response(&self, r: &mut Rng, call: &Call, rid: &str, req_len: usize) -> Vec<u8> {
        let Call::VmWrite { vm, .. } = call else {
            unreachable!("a VM write")
        };
        let mut resp = Vec::with_capacity(req_len + 400);
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
        self.vm_call_model(&mut model, call, Some(("vmId", &vm_guid)));
        // splice: the model without its opening brace, then state
        model.truncate(model.len() - 2);
        resp.extend_from_slice(&model[1..]);
        w!(
            resp,
            r#","provisioningState":"Updating","timeCreated":{created}}},"etag":"\"{}\""}}"#,
            3 + r.below(9)
        );
        resp
    }
}
