//! Background noise: everyday ARM operations in realistic proportions.

use std::io::Write;
use std::mem::take;

use super::calls::arm_id;

use super::generator::{AzureGen, REGION, RGS};
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::rng::Rng;
use crate::time;

/// (operation, resource id, resource group, caller, method, accept code, finish seconds range,
/// final code) of a noise operation.
pub(super) type NoiseSpec = (
    &'static str,
    String,
    String,
    usize,
    &'static str,
    Option<&'static str>,
    (u64, u64),
    &'static str,
);

/// VMs `0..NOISE_VMS` take noise; the rest (`batch-vm-*`) are the scheduler's.
pub(super) const NOISE_VMS: usize = 12;

/// What every noise operation draws before its kind is known: a noise VM, a storage account
/// and a vault.
struct Drawn {
    vm: String,
    vm_rg: String,
    st: String,
    kv: String,
}

/// Where the resource of a list action comes from.
enum Target {
    /// the storage account drawn for every operation
    Storage,
    /// one of these, drawn before the caller
    OneOf(&'static [&'static str]),
    Named(&'static str),
}

/// A list action: a POST that reads secrets or settings and changes nothing.
struct ListAction {
    op: &'static str,
    rg: &'static str,
    provider: &'static str,
    kind: &'static str,
    target: Target,
    /// appended to the resource id
    suffix: &'static str,
    callers: &'static [usize],
    /// caller weights; without them the caller is drawn uniformly
    weights: Option<&'static [u32]>,
    done: (u64, u64),
}

/// Noise kinds 0 to 2.
const LIST_ACTIONS: [ListAction; 3] = [
    ListAction {
        op: "Microsoft.Storage/storageAccounts/listKeys/action",
        rg: "rg-data-prod",
        provider: "Microsoft.Storage",
        kind: "storageAccounts",
        target: Target::Storage,
        suffix: "",
        callers: &[APPS_MI, TF, AKS_MI, BOB],
        weights: Some(&[50, 20, 20, 10]),
        done: (0, 1),
    },
    ListAction {
        op: "Microsoft.Web/sites/config/list/action",
        rg: "rg-web-prod",
        provider: "Microsoft.Web",
        kind: "sites",
        target: Target::OneOf(&["app-checkout-prod", "func-orders-prod", "app-portal-prod"]),
        suffix: "/config/appsettings",
        callers: &[TF, ALICE, APPS_MI],
        weights: None,
        done: (0, 1),
    },
    ListAction {
        op: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        rg: "rg-aks-prod",
        provider: "Microsoft.ContainerService",
        kind: "managedClusters",
        target: Target::Named("aks-prod-01"),
        suffix: "",
        callers: &[ALICE, BOB, TF],
        weights: None,
        done: (0, 2),
    },
];

impl AzureGen {
    pub(super) fn noise_op(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let mut b = take(&mut self.buf);
        let mut req = take(&mut self.req);
        req.clear();
        let r = &mut e.rng;
        let fail = r.chance(0.02);
        let k = r.weighted(&[28, 10, 8, 8, 6, 6, 6, 3, 5, 3, 3, 2, 4, 2]);
        // the scheduler's batch VMs are left alone, so that its evening deallocate and its
        // morning start stay twelve hours apart with nothing in between
        let (vm, vm_rg) = self.vms[r.below(NOISE_VMS as u64) as usize].clone();
        let st = r.pick(&self.storage).clone();
        let kv = r.pick(&self.vaults).clone();
        let d = Drawn { vm, vm_rg, st, kv };
        // each kind draws what it always has, in the same order, so the groups are only layout
        let (name, rid, rg, who, method, accept, done, code): NoiseSpec = match k {
            0..=2 => self.list_action(r, &LIST_ACTIONS[k], &d),
            3..=5 => self.noise_deployment_tag_rule(r, &mut req, k, &d),
            6..=8 => self.noise_extension_role_secret(r, &mut req, k, &d),
            9 | 10 => self.noise_snapshot_or_vm_tags(r, &mut req, k, &d, t),
            _ => self.noise_diagnostics_container_disk(r, &mut req, k, &d),
        };
        let reqb = if req.is_empty() { None } else { Some(&req[..]) };
        let mut op = self.new_op(r, name, &rid, &rg, who, method, reqb);
        op.phases = if fail {
            Self::failed(r, t)
        } else {
            Self::phases(r, t, accept, done, code)
        };
        let res = self.emit(e, &op, &mut b);
        drop(op);
        self.buf = b;
        self.req = req;
        res
    }

    fn list_action(&self, r: &mut Rng, a: &ListAction, d: &Drawn) -> NoiseSpec {
        let name = match a.target {
            Target::Storage => d.st.as_str(),
            Target::OneOf(names) => names[r.below(names.len() as u64) as usize],
            Target::Named(name) => name,
        };
        let who = match a.weights {
            Some(w) => a.callers[r.weighted(w)],
            None => a.callers[r.below(a.callers.len() as u64) as usize],
        };
        let id = arm_id(&self.sub, a.rg, a.provider, a.kind, name);
        let rid = format!("{id}{}", a.suffix);
        (a.op, rid, a.rg.to_string(), who, "POST", None, a.done, "OK")
    }

    /// Deployments, tags and security rules.
    fn noise_deployment_tag_rule(
        &self,
        r: &mut Rng,
        req: &mut Vec<u8>,
        k: usize,
        d: &Drawn,
    ) -> NoiseSpec {
        let sub: &str = &self.sub;
        let (vm, vm_rg) = (&d.vm, &d.vm_rg);
        match k {
            3 => {
                let rg = RGS[r.below(5) as usize].to_string();
                let mut dname = Vec::new();
                dname.extend_from_slice(b"deploy-");
                r.hex(&mut dname, 8);
                let dname = String::from_utf8(dname).expect("ascii");
                w!(
                    req,
                    r#"{{"properties":{{"mode":"Incremental","templateLink":{{"uri":"https://stacmeartifacts.blob.core.windows.net/templates/main.json","contentVersion":"1.0.0.0"}},"parameters":{{"environment":{{"value":"prod"}}}}}}}}"#
                );
                ("Microsoft.Resources/deployments/write", format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/{dname}"), rg, TF, "PUT", Some("Created"), (8, 90), "OK")
            }
            4 => {
                let rg = vm_rg.clone();
                let (tk, tv) = [
                    ("owner", "platform-team"),
                    ("costCenter", "cc-4410"),
                    ("patchGroup", "linux-prod"),
                ][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"operation":"Merge","properties":{{"tags":{{"{tk}":"{tv}"}}}}}}"#
                );
                (
                    "Microsoft.Resources/tags/write",
                    format!(
                        "{}/providers/Microsoft.Resources/tags/default",
                        arm_id(sub, &rg, "Microsoft.Compute", "virtualMachines", vm)
                    ),
                    rg,
                    [TF, ALICE][r.below(2) as usize],
                    "PATCH",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            _ => {
                let rg = "rg-network".to_string();
                let nsg = ["nsg-web", "nsg-data", "nsg-aks"][r.below(3) as usize];
                let prio = 200 + r.below(30) * 10;
                w!(
                    req,
                    r#"{{"properties":{{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"443","sourceAddressPrefix":"192.0.2.0/24","destinationAddressPrefix":"*","access":"Allow","priority":{prio},"direction":"Inbound"}}}}"#
                );
                (
                    "Microsoft.Network/networkSecurityGroups/securityRules/write",
                    format!(
                        "{}/securityRules/allow-https-{prio}",
                        arm_id(sub, &rg, "Microsoft.Network", "networkSecurityGroups", nsg)
                    ),
                    rg,
                    [TF, BOB][r.below(2) as usize],
                    "PUT",
                    Some("Created"),
                    (3, 15),
                    "OK",
                )
            }
        }
    }

    /// Extensions, role assignments and secrets.
    fn noise_extension_role_secret(
        &self,
        r: &mut Rng,
        req: &mut Vec<u8>,
        k: usize,
        d: &Drawn,
    ) -> NoiseSpec {
        let sub: &str = &self.sub;
        let (vm, vm_rg, kv) = (&d.vm, &d.vm_rg, &d.kv);
        match k {
            6 => {
                let rg = vm_rg.clone();
                let ext =
                    ["AzureMonitorLinuxAgent", "MDE.Linux", "CustomScript"][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"location":"{REGION}","properties":{{"publisher":"Microsoft.Azure.Monitor","type":"{ext}","typeHandlerVersion":"1.29","autoUpgradeMinorVersion":true,"enableAutomaticUpgrade":true}}}}"#
                );
                (
                    "Microsoft.Compute/virtualMachines/extensions/write",
                    format!(
                        "{}/extensions/{ext}",
                        arm_id(sub, &rg, "Microsoft.Compute", "virtualMachines", vm)
                    ),
                    rg,
                    TF,
                    "PUT",
                    Some("Created"),
                    (20, 120),
                    "OK",
                )
            }
            7 => {
                let rg = RGS[r.below(5) as usize].to_string();
                let ra = r.uuid();
                w!(
                    req,
                    r#"{{"Id":"{ra}","Properties":{{"PrincipalId":"{}","PrincipalType":"ServicePrincipal","RoleDefinitionId":"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","Scope":"/subscriptions/{sub}/resourceGroups/{rg}"}}}}"#,
                    r.uuid()
                );
                ("Microsoft.Authorization/roleAssignments/write", format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Authorization/roleAssignments/{ra}"), rg, [TF, ALICE][r.below(2) as usize], "PUT", None, (0, 2), "Created")
            }
            _ => {
                let rg = "rg-shared-services".to_string();
                let secret =
                    ["db-password", "stripe-api-key", "sp-client-secret"][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"properties":{{"contentType":"text/plain","attributes":{{"enabled":true}}}}}}"#
                );
                (
                    "Microsoft.KeyVault/vaults/secrets/write",
                    format!(
                        "{}/secrets/{secret}",
                        arm_id(sub, &rg, "Microsoft.KeyVault", "vaults", kv)
                    ),
                    rg,
                    [TF, APPS_MI][r.below(2) as usize],
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
        }
    }

    /// Snapshots of OS disks and VM tag updates.
    fn noise_snapshot_or_vm_tags(
        &self,
        r: &mut Rng,
        req: &mut Vec<u8>,
        k: usize,
        d: &Drawn,
        t: i64,
    ) -> NoiseSpec {
        let sub: &str = &self.sub;
        let (vm, vm_rg) = (&d.vm, &d.vm_rg);
        match k {
            9 => {
                // an incremental snapshot of a VM's OS disk: from a disk, not a snapshot
                let rg = vm_rg.clone();
                let disk_id = arm_id(
                    sub,
                    &rg,
                    "Microsoft.Compute",
                    "disks",
                    &format!("{vm}_OsDisk_1"),
                );
                let c = time::civil(t);
                w!(
                    req,
                    r#"{{"location":"{REGION}","properties":{{"creationData":{{"createOption":"Copy","sourceResourceId":"{disk_id}"}},"incremental":true}}}}"#
                );
                (
                    "Microsoft.Compute/snapshots/write",
                    arm_id(
                        sub,
                        &rg,
                        "Microsoft.Compute",
                        "snapshots",
                        &format!("{vm}-snap-{:04}{:02}{:02}", c.year, c.month, c.day),
                    ),
                    rg,
                    [AUTOMATION, TF][r.below(2) as usize],
                    "PUT",
                    Some("Accepted"),
                    (5, 40),
                    "OK",
                )
            }
            _ => {
                let rg = vm_rg.clone();
                let (tk, tv) =
                    [("owner", "platform-team"), ("schedule", "office-hours")][r.below(2) as usize];
                w!(req, r#"{{"tags":{{"{tk}":"{tv}","env":"prod"}}}}"#);
                (
                    "Microsoft.Compute/virtualMachines/write",
                    arm_id(sub, &rg, "Microsoft.Compute", "virtualMachines", vm),
                    rg,
                    [TF, ALICE][r.below(2) as usize],
                    "PATCH",
                    Some("OK"),
                    (2, 10),
                    "OK",
                )
            }
        }
    }

    /// Diagnostic settings, blob containers and data disks.
    fn noise_diagnostics_container_disk(
        &self,
        r: &mut Rng,
        req: &mut Vec<u8>,
        k: usize,
        d: &Drawn,
    ) -> NoiseSpec {
        let sub: &str = &self.sub;
        let (vm, vm_rg, st, kv) = (&d.vm, &d.vm_rg, &d.st, &d.kv);
        match k {
            11 => {
                let rg = "rg-shared-services".to_string();
                w!(
                    req,
                    r#"{{"properties":{{"workspaceId":"/subscriptions/{sub}/resourceGroups/rg-shared-services/providers/Microsoft.OperationalInsights/workspaces/law-prod","logs":[{{"categoryGroup":"allLogs","enabled":true}}]}}}}"#
                );
                (
                    "Microsoft.Insights/diagnosticSettings/write",
                    format!(
                        "{}/providers/Microsoft.Insights/diagnosticSettings/send-to-law",
                        arm_id(sub, &rg, "Microsoft.KeyVault", "vaults", kv)
                    ),
                    rg,
                    TF,
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            12 => {
                let rg = "rg-data-prod".to_string();
                let container = ["exports", "uploads", "backups", "logs"][r.below(4) as usize];
                w!(req, r#"{{"properties":{{"publicAccess":"None"}}}}"#);
                (
                    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
                    format!(
                        "{}/blobServices/default/containers/{container}",
                        arm_id(sub, &rg, "Microsoft.Storage", "storageAccounts", st)
                    ),
                    rg,
                    [TF, APPS_MI][r.below(2) as usize],
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            _ => {
                let rg = vm_rg.clone();
                let mut dn = format!("{vm}-data-");
                dn.push_str(&r.string(|r, v| r.lower_alnum(v, 4)));
                w!(
                    req,
                    r#"{{"location":"{REGION}","sku":{{"name":"Premium_LRS"}},"properties":{{"creationData":{{"createOption":"Empty"}},"diskSizeGB":128}}}}"#
                );
                (
                    "Microsoft.Compute/disks/write",
                    arm_id(sub, &rg, "Microsoft.Compute", "disks", &dn),
                    rg,
                    [TF, BOB][r.below(2) as usize],
                    "PUT",
                    Some("Accepted"),
                    (2, 8),
                    "Created",
                )
            }
        }
    }
}
