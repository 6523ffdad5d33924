//! The GCP record renderer: one project for one day.

use std::io::Write;
use std::mem::take;

use super::calls::{Call, Who, ATTACKERS, ZONES};
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{derive, hash, Rng};
use crate::time::{self, DAY, HOUR, MIN, SEC};

const API: &str = "https://www.googleapis.com/compute";

#[derive(Clone, Copy, PartialEq, Eq)]
enum UaKind {
    GcloudLinux,
    GcloudMac,
    Console,
    Python,
    Terraform,
    GoStorage,
    Mig,
    None,
}

struct Principal {
    email: String,
    subject: String,
    ip: Option<String>,
    network: bool,
    ua: UaKind,
}

/// The resource a compute call is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Instance,
    Disk,
    Firewall,
}

// principals
const ALICE: usize = 0;
const BOB: usize = 1;
const TF: usize = 2;
const APP: usize = 3;
const MIG: usize = 4;
const SYSTEM: usize = 5;
const ATTACKER0: usize = 6;
const OPS: usize = 8;
const DR: usize = 9;

pub(crate) struct GcpGen {
    project: String,
    number: String,
    shard_seed: u64,
    p: Vec<Principal>,
    instances: Vec<(String, &'static str)>,
    buckets: Vec<String>,
    firewalls: Vec<&'static str>,
    buf: Vec<u8>,
    req: Vec<u8>,
}

fn stable_id(project: &str, kind: &str, name: &str) -> u64 {
    1_000_000_000_000_000_000
        + hash(&[project.as_bytes(), kind.as_bytes(), name.as_bytes()]) % 8_000_000_000_000_000_000
}

impl GcpGen {
    pub fn new(project: &str, pool_seed: u64, shard_seed: u64) -> GcpGen {
        let mut pool = Rng::new(pool_seed);
        let number = format!(
            "{}",
            100_000_000_000 + hash(&[b"number", project.as_bytes()]) % 900_000_000_000
        );
        let user = |email: &str, ip: &str, ua| Principal {
            email: email.to_string(),
            subject: format!("user:{email}"),
            ip: Some(ip.to_string()),
            network: false,
            ua,
        };
        let sa = |email: String, ip: Option<&str>, network: bool, ua| Principal {
            subject: format!("serviceAccount:{email}"),
            email,
            ip: ip.map(str::to_string),
            network,
            ua,
        };
        let p = vec![
            user("alice@acme-corp.example", "192.0.2.10", UaKind::GcloudLinux),
            user("bob.smith@acme-corp.example", "192.0.2.11", UaKind::Console),
            sa(
                format!("terraform@{project}.iam.gserviceaccount.com"),
                Some("20.57.181.9"),
                false,
                UaKind::Terraform,
            ),
            sa(
                format!("app-runtime@{project}.iam.gserviceaccount.com"),
                Some("10.128.0.14"),
                true,
                UaKind::GoStorage,
            ),
            sa(
                format!("{number}@cloudservices.gserviceaccount.com"),
                None,
                false,
                UaKind::Mig,
            ),
            sa(
                format!("service-{number}@compute-system.iam.gserviceaccount.com"),
                None,
                false,
                UaKind::None,
            ),
            user(
                "mallory.ext@acme-corp.example",
                "203.0.113.66",
                UaKind::GcloudLinux,
            ),
            sa(
                format!("ci-runner@{project}.iam.gserviceaccount.com"),
                Some("198.51.100.77"),
                false,
                UaKind::Python,
            ),
            user(
                "jane.doe@acme-corp.example",
                "198.51.100.23",
                UaKind::GcloudMac,
            ),
            sa(
                format!("dr-automation@{project}.iam.gserviceaccount.com"),
                Some("gce-internal-ip"),
                true,
                UaKind::Python,
            ),
        ];
        let tiers = ["web", "api", "worker", "db"];
        let instances = (0..16)
            .map(|i| (format!("{}-{:02}", tiers[i % 4], i / 4 + 1), ZONES[i % 3]))
            .collect();
        let buckets = vec![
            format!("{project}-data"),
            format!("{project}-uploads"),
            format!("{project}-ml-artifacts"),
            format!(
                "{project}-exports-{}",
                pool.string(|r, v| r.lower_alnum(v, 5))
            ),
        ];
        GcpGen {
            project: project.to_string(),
            number,
            shard_seed,
            p,
            instances,
            buckets,
            firewalls: vec![
                "allow-https",
                "allow-ssh-iap",
                "allow-health-checks",
                "deny-egress-smtp",
            ],
            buf: Vec::with_capacity(8192),
            req: Vec::with_capacity(2048),
        }
    }

    fn who(w: &Who) -> usize {
        match w {
            Who::Attacker(k) => ATTACKER0 + (*k as usize).min(ATTACKERS - 1),
            Who::Ops => OPS,
            Who::DrSa => DR,
            Who::Scheduler => SYSTEM,
        }
    }

    fn insert_id(b: &mut Vec<u8>, r: &mut Rng) {
        let n = [11, 12, 12, 13][r.below(4) as usize];
        if r.chance(0.45) {
            b.push(b'-');
            r.lower_alnum(b, n - 1);
        } else {
            r.lower_alnum(b, n);
        }
    }

    fn user_agent(b: &mut Vec<u8>, r: &mut Rng, ua: UaKind, command: &str) -> bool {
        match ua {
            UaKind::GcloudLinux | UaKind::GcloudMac => {
                w!(b, "google-cloud-sdk gcloud/467.0.0 command/{command} invocation-id/");
                r.hex(b, 32);
                b.extend_from_slice(if ua == UaKind::GcloudLinux {
                    &b" environment/None environment-version/None client-os/LINUX client-os-ver/6.5.0 client-pltf-arch/x86_64 interactive/True from-script/False python/3.11.8 term/xterm-256color (Linux 6.5.0),gzip(gfe)"[..]
                } else {
                    &b" environment/None environment-version/None client-os/MACOSX client-os-ver/23.3.0 client-pltf-arch/arm interactive/True from-script/False python/3.11.7 term/xterm-256color (Macintosh; Intel Mac OS X 23.3.0),gzip(gfe)"[..]
                });
            }
            UaKind::Console => b.extend_from_slice(
                b"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0,gzip(gfe),gzip(gfe)",
            ),
            UaKind::Python => b.extend_from_slice(b"google-api-python-client/2.120.0 (gzip),gzip(gfe)"),
            UaKind::Terraform => b.extend_from_slice(
                b"Terraform/1.7.5 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/5.20.0,gzip(gfe)",
            ),
            UaKind::GoStorage => b.extend_from_slice(b"gcloud-golang-storage/1.38.0 gl-go/1.22.1 gccl/1.38.0,gzip(gfe)"),
            UaKind::Mig => b.extend_from_slice(b"GCE Managed Instance Group"),
            UaKind::None => return false,
        }
        true
    }

    fn request_metadata(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Principal,
        command: &str,
        t_req: i64,
    ) {
        b.extend_from_slice(br#""requestMetadata":{"#);
        if let Some(ip) = &p.ip {
            w!(b, r#""callerIp":"{ip}","#);
        }
        if p.network {
            w!(
                b,
                r#""callerNetwork":"//compute.googleapis.com/projects/{}/global/networks/__unknown__","#,
                self.number
            );
        }
        let at = b.len();
        b.extend_from_slice(br#""callerSuppliedUserAgent":""#);
        if Self::user_agent(b, r, p.ua, command) {
            b.extend_from_slice(b"\",");
        } else {
            b.truncate(at);
        }
        b.extend_from_slice(br#""destinationAttributes":{},"requestAttributes":{"auth":{},"#);
        if p.ua == UaKind::Console {
            b.extend_from_slice(br#""reason":"8uSywAYQGg5Db2xpc2V1bSBGbG93cw","#);
        }
        b.extend_from_slice(br#""time":""#);
        time::iso(b, t_req, 6);
        b.extend_from_slice(br#""}}"#);
    }

    fn auth_info(b: &mut Vec<u8>, p: &Principal, full: bool) {
        w!(
            b,
            r#""authenticationInfo":{{"principalEmail":"{}""#,
            p.email
        );
        if full {
            w!(b, r#","principalSubject":"{}""#, p.subject);
            if matches!(p.ua, UaKind::GcloudLinux | UaKind::GcloudMac) {
                b.extend_from_slice(
                    br#","oauthInfo":{"oauthClientId":"32555940559.apps.googleusercontent.com"}"#,
                );
            }
        }
        b.push(b'}');
    }

    fn resource_block(&self, b: &mut Vec<u8>, kind: Kind, zone: &str, name: &str, empty_id: bool) {
        let id = |k| {
            if empty_id {
                String::new()
            } else {
                stable_id(&self.project, k, name).to_string()
            }
        };
        match kind {
            Kind::Instance => w!(
                b,
                r#""resource":{{"labels":{{"instance_id":"{}","project_id":"{}","zone":"{zone}"}},"type":"gce_instance"}}"#,
                id("instance"),
                self.project
            ),
            Kind::Disk => w!(
                b,
                r#""resource":{{"labels":{{"disk_id":"{}","project_id":"{}","zone":"{zone}"}},"type":"gce_disk"}}"#,
                id("disk"),
                self.project
            ),
            Kind::Firewall => w!(
                b,
                r#""resource":{{"labels":{{"firewall_rule_id":"{}","project_id":"{}"}},"type":"gce_firewall_rule"}}"#,
                id("firewall"),
                self.project
            ),
        }
    }

    fn resource_name(&self, kind: Kind, zone: &str, name: &str) -> String {
        match kind {
            Kind::Instance => format!("projects/{}/zones/{zone}/instances/{name}", self.project),
            Kind::Disk => format!("projects/{}/zones/{zone}/disks/{name}", self.project),
            Kind::Firewall => format!("projects/{}/global/firewalls/{name}", self.project),
        }
    }

    /// A compute call: a `first` entry now and a `last` entry `dur` later, or one ERROR
    /// entry for a denied call.
    #[allow(clippy::too_many_arguments)]
    fn compute(
        &mut self,
        e: &mut Emit,
        t: i64,
        who: usize,
        method: &str,
        command: &str,
        kind: Kind,
        zone: &str,
        name: &str,
        request: &[u8],
        perms: &[(&str, String, &str)],
        op_type: &str,
        dur: i64,
        fail: bool,
    ) -> Result<()> {
        let mut b = take(&mut self.buf);
        b.clear();
        let r = &mut e.rng;
        let p = &self.p[who];
        let rname = self.resource_name(kind, zone, name);
        let t_req = t + 150_000_000 + r.below(100_000_000) as i64;
        let t_recv = t_req + 40_000_000 + r.below(560_000_000) as i64;
        let method_name = format!("v1.compute.{method}");
        b.extend_from_slice(br#"{"insertId":""#);
        Self::insert_id(&mut b, r);
        b.push(b'"');
        if !fail {
            b.extend_from_slice(br#","labels":{"compute.googleapis.com/root_trigger_id":""#);
            b.extend_from_slice(r.uuid().bytes());
            b.extend_from_slice(b"\"}");
        }
        w!(
            b,
            r#","logName":"projects/{}/logs/cloudaudit.googleapis.com%2Factivity""#,
            self.project
        );
        let mut op_name = Vec::new();
        if !fail {
            let us = t / 1000;
            w!(op_name, "operation-{}-{:x}-", us / 1000, us);
            r.hex(&mut op_name, 8);
            op_name.push(b'-');
            r.hex(&mut op_name, 8);
            b.extend_from_slice(br#","operation":{"first":true,"id":""#);
            b.extend_from_slice(&op_name);
            b.extend_from_slice(br#"","producer":"compute.googleapis.com"}"#);
        }
        b.extend_from_slice(
            br#","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#,
        );
        Self::auth_info(&mut b, p, true);
        b.extend_from_slice(br#","authorizationInfo":["#);
        for (i, (perm, res, rtype)) in perms.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.push(b'{');
            if !fail {
                b.extend_from_slice(br#""granted":true,"#);
            }
            w!(
                b,
                r#""permission":"{perm}","permissionType":"ADMIN_WRITE","resource":"{res}","resourceAttributes":{{"name":"{res}","service":"compute","type":"{rtype}"}}}}"#
            );
        }
        w!(
            b,
            r#"],"methodName":"{method_name}","request":{{"@type":"type.googleapis.com/compute.{method}""#
        );
        if !request.is_empty() {
            b.push(b',');
            b.extend_from_slice(request);
        }
        b.extend_from_slice(b"},");
        self.request_metadata(&mut b, r, p, command, t_req);
        let location = if kind == Kind::Firewall {
            "global"
        } else {
            zone
        };
        w!(
            b,
            r#","resourceLocation":{{"currentLocations":["{location}"]}},"resourceName":"{rname}","response":{{"#
        );
        if fail {
            let msg = format!("Required '{}' permission for '{rname}'", perms[0].0);
            w!(
                b,
                r#""@type":"type.googleapis.com/error","error":{{"code":403,"errors":[{{"domain":"global","message":"{msg}","reason":"forbidden"}}],"message":"{msg}"}}}},"serviceName":"compute.googleapis.com","status":{{"code":7,"message":"{msg}"}}}},"receiveTimestamp":""#
            );
        } else {
            let op_id = 1_000_000_000_000_000_000 + r.below(8_000_000_000_000_000_000);
            let op_base = if kind == Kind::Firewall {
                format!("{API}/v1/projects/{}/global/operations", self.project)
            } else {
                format!("{API}/v1/projects/{}/zones/{zone}/operations", self.project)
            };
            let t_insert = t_req - 30_000_000;
            b.extend_from_slice(br#""@type":"type.googleapis.com/operation","id":""#);
            w!(b, r#"{op_id}","insertTime":""#);
            time::pacific_ms(&mut b, t_insert);
            b.extend_from_slice(br#"","name":""#);
            b.extend_from_slice(&op_name);
            w!(
                b,
                r#"","operationType":"{op_type}","progress":"0","selfLink":"{op_base}/"#
            );
            b.extend_from_slice(&op_name);
            w!(b, r#"","selfLinkWithId":"{op_base}/{op_id}","startTime":""#);
            time::pacific_ms(&mut b, t_insert + 12_000_000);
            let target = match kind {
                Kind::Instance => stable_id(&self.project, "instance", name),
                Kind::Disk => stable_id(&self.project, "disk", name),
                Kind::Firewall => stable_id(&self.project, "firewall", name),
            };
            w!(
                b,
                r#"","status":"RUNNING","targetId":"{target}","targetLink":"{API}/v1/{rname}","user":"{}""#,
                p.email
            );
            if kind != Kind::Firewall {
                w!(
                    b,
                    r#","zone":"{API}/v1/projects/{}/zones/{zone}""#,
                    self.project
                );
            }
            b.extend_from_slice(
                br#"},"serviceName":"compute.googleapis.com","status":{}},"receiveTimestamp":""#,
            );
        }
        time::iso(&mut b, t_recv, 9);
        b.extend_from_slice(b"\",");
        self.resource_block(&mut b, kind, zone, name, fail);
        w!(
            b,
            r#","severity":"{}","timestamp":""#,
            if fail { "ERROR" } else { "NOTICE" }
        );
        time::iso(&mut b, t, 6);
        b.extend_from_slice(b"\"}");
        e.now(0, &b)?;

        if !fail {
            let t1 = t + dur + e.rng.below(SEC as u64) as i64;
            let r = &mut e.rng;
            let mut l = Vec::with_capacity(1200);
            l.extend_from_slice(br#"{"insertId":""#);
            Self::insert_id(&mut l, r);
            w!(
                l,
                r#"","logName":"projects/{}/logs/cloudaudit.googleapis.com%2Factivity","operation":{{"id":""#,
                self.project
            );
            l.extend_from_slice(&op_name);
            l.extend_from_slice(br#"","last":true,"producer":"compute.googleapis.com"},"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#);
            Self::auth_info(&mut l, p, false);
            w!(
                l,
                r#","methodName":"{method_name}","request":{{"@type":"type.googleapis.com/compute.{method}"}}"#
            );
            let rm_at = l.len();
            l.extend_from_slice(br#","requestMetadata":{"#);
            let inner = l.len();
            if let Some(ip) = &p.ip {
                w!(l, r#""callerIp":"{ip}","#);
            }
            let ua_at = l.len();
            l.extend_from_slice(br#""callerSuppliedUserAgent":""#);
            if Self::user_agent(&mut l, r, p.ua, command) {
                l.extend_from_slice(b"\",");
            } else {
                l.truncate(ua_at);
            }
            if l.len() == inner {
                l.truncate(rm_at);
            } else {
                l.pop();
                l.push(b'}');
            }
            w!(
                l,
                r#","resourceName":"{rname}","serviceName":"compute.googleapis.com"}},"receiveTimestamp":""#
            );
            time::iso(&mut l, t1 + 300_000_000 + r.below(800_000_000) as i64, 9);
            l.extend_from_slice(b"\",");
            self.resource_block(&mut l, kind, zone, name, false);
            l.extend_from_slice(br#","severity":"NOTICE","timestamp":""#);
            time::iso(&mut l, t1, 6);
            l.extend_from_slice(b"\"}");
            e.later(0, t1, l);
        }
        self.buf = b;
        Ok(())
    }

    fn zonal(&self, coll: &str, zone: &str, name: &str) -> String {
        format!("projects/{}/zones/{zone}/{coll}/{name}", self.project)
    }

    // ------------------------------------------------------------------ noise

    fn noise_admin(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let r = &mut e.rng;
        let fail = r.chance(0.02);
        let k = r.weighted(&[14, 10, 6, 5, 6, 6, 4, 2, 3]);
        let (inst, zone) = r.pick(&self.instances).clone();
        let mut req = take(&mut self.req);
        req.clear();
        let who = [ALICE, TF, BOB][r.weighted(&[30, 55, 15])];
        let res = match k {
            0 => {
                w!(req, r#""labelFingerprint":""#);
                r.b64(&mut req, 11);
                w!(
                    req,
                    r#"=","labels":[{{"key":"team","value":"platform"}},{{"key":"env","value":"prod"}}]"#
                );
                let perms = [(
                    "compute.instances.setLabels",
                    self.zonal("instances", zone, &inst),
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
                    &inst,
                    &req,
                    &perms,
                    "setLabels",
                    2 * SEC,
                    fail,
                )
            }
            1 => {
                w!(req, r#""fingerprint":""#);
                r.b64(&mut req, 11);
                w!(
                    req,
                    r#"=","items":[{{"key":"enable-oslogin","value":"TRUE"}}]"#
                );
                let perms = [(
                    "compute.instances.setMetadata",
                    self.zonal("instances", zone, &inst),
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
                    &inst,
                    &req,
                    &perms,
                    "setMetadata",
                    3 * SEC,
                    fail,
                )
            }
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
                    &req,
                    &perms,
                    "patch",
                    6 * SEC,
                    fail,
                )
            }
            3 => {
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
                        self.zonal("disks", zone, &inst),
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
                    &inst,
                    &req,
                    &perms,
                    "createSnapshot",
                    40 * SEC,
                    fail,
                )
            }
            4 | 5 => {
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
                        &req,
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
                        &req,
                        &perms,
                        "delete",
                        31 * SEC,
                        false,
                    )
                }
            }
            _ => {
                self.req = req;
                return self.noise_iam(e, t, k);
            }
        };
        self.req = req;
        res
    }

    /// Admin-activity calls that are not compute operations: one entry each.
    fn noise_iam(&mut self, e: &mut Emit, t: i64, k: usize) -> Result<()> {
        let mut b = take(&mut self.buf);
        b.clear();
        let r = &mut e.rng;
        let p = &self.p[[ALICE, TF][r.below(2) as usize]];
        let proj = &self.project;
        b.extend_from_slice(br#"{"insertId":""#);
        Self::insert_id(&mut b, r);
        w!(
            b,
            r#"","logName":"projects/{proj}/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#
        );
        Self::auth_info(&mut b, p, true);
        let t_req = t + 20_000_000;
        let (service, method, rname, perm) = match k {
            6 => (
                "cloudresourcemanager.googleapis.com",
                "SetIamPolicy",
                format!("projects/{proj}"),
                "resourcemanager.projects.setIamPolicy",
            ),
            7 => (
                "iam.googleapis.com",
                "google.iam.admin.v1.CreateServiceAccountKey",
                format!(
                    "projects/-/serviceAccounts/{}",
                    stable_id(proj, "sa", "app-runtime")
                ),
                "iam.serviceAccountKeys.create",
            ),
            _ => (
                "storage.googleapis.com",
                "storage.setIamPermissions",
                format!("projects/_/buckets/{}", self.buckets[0]),
                "storage.buckets.setIamPolicy",
            ),
        };
        w!(
            b,
            r#","authorizationInfo":[{{"granted":true,"permission":"{perm}","permissionType":"ADMIN_WRITE","resource":"{rname}","resourceAttributes":{{}}}}],"methodName":"{method}","#
        );
        let member = [
            "group:data-eng@acme-corp.example",
            "user:r.kumar@acme-corp.example",
            "serviceAccount:etl@acme-prod.iam.gserviceaccount.com",
        ][r.below(3) as usize];
        match k {
            6 => w!(
                b,
                r#""request":{{"@type":"type.googleapis.com/google.iam.v1.SetIamPolicyRequest","policy":{{"bindings":[{{"members":["{member}"],"role":"roles/viewer"}}],"etag":"BwYh"}},"resource":"{proj}"}},"#
            ),
            7 => w!(
                b,
                r#""request":{{"@type":"type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest","name":"projects/-/serviceAccounts/app-runtime@{proj}.iam.gserviceaccount.com","private_key_type":2}},"#
            ),
            _ => {}
        }
        self.request_metadata(&mut b, r, p, "", t_req);
        w!(
            b,
            r#","resourceLocation":{{"currentLocations":["{}"]}},"resourceName":"{rname}","#,
            if k == 8 { "us-central1" } else { "global" }
        );
        match k {
            6 => w!(
                b,
                r#""response":{{"@type":"type.googleapis.com/google.iam.v1.Policy","bindings":[{{"members":["{member}"],"role":"roles/viewer"}}],"etag":"BwYi"}},"#
            ),
            7 => {
                w!(
                    b,
                    r#""response":{{"@type":"type.googleapis.com/google.iam.admin.v1.ServiceAccountKey","key_algorithm":2,"key_origin":2,"key_type":1,"name":"projects/{proj}/serviceAccounts/app-runtime@{proj}.iam.gserviceaccount.com/keys/"#
                );
                r.hex(&mut b, 40);
                w!(
                    b,
                    r#"","valid_after_time":{{"seconds":"{}"}},"valid_before_time":{{"seconds":"253402300799"}}}},"#,
                    t / SEC
                );
            }
            _ => {}
        }
        w!(b, r#""serviceName":"{service}","#);
        if k == 8 {
            w!(
                b,
                r#""serviceData":{{"@type":"type.googleapis.com/google.iam.v1.logging.AuditData","policyDelta":{{"bindingDeltas":[{{"action":"ADD","member":"{member}","role":"roles/storage.objectViewer"}}]}}}},"#
            );
        }
        b.extend_from_slice(br#""status":{}},"receiveTimestamp":""#);
        time::iso(&mut b, t_req + 300_000_000 + r.below(500_000_000) as i64, 9);
        match k {
            6 => w!(
                b,
                r#"","resource":{{"labels":{{"project_id":"{proj}"}},"type":"project"}}"#
            ),
            7 => w!(
                b,
                r#"","resource":{{"labels":{{"email_id":"app-runtime@{proj}.iam.gserviceaccount.com","project_id":"{proj}","unique_id":"{}"}},"type":"service_account"}}"#,
                stable_id(proj, "sa", "app-runtime")
            ),
            _ => w!(
                b,
                r#"","resource":{{"labels":{{"bucket_name":"{}","location":"us-central1","project_id":"{proj}"}},"type":"gcs_bucket"}}"#,
                self.buckets[0]
            ),
        }
        b.extend_from_slice(br#","severity":"NOTICE","timestamp":""#);
        time::iso(&mut b, t, 6);
        b.extend_from_slice(b"\"}");
        let res = e.now(0, &b);
        self.buf = b;
        res
    }

    fn noise_read(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let mut b = take(&mut self.buf);
        b.clear();
        let r = &mut e.rng;
        let k = r.weighted(&[30, 12, 10, 10, 8, 10, 6]);
        let fail = r.chance(0.02);
        let proj = &self.project;
        let who = match k {
            0..=2 | 5 => [APP, APP, TF, BOB][r.below(4) as usize],
            _ => [ALICE, TF, BOB][r.below(3) as usize],
        };
        let p = &self.p[who];
        let bucket = r.pick(&self.buckets).clone();
        let (inst, zone) = r.pick(&self.instances).clone();
        let mut obj = Vec::with_capacity(64);
        let c = time::civil(t);
        w!(
            obj,
            "{}/{:04}/{:02}/{:02}/",
            ["events", "features", "reports", "raw"][r.below(4) as usize],
            c.year,
            c.month,
            c.day
        );
        r.lower_alnum(&mut obj, 10);
        obj.extend_from_slice([&b".json"[..], b".parquet", b".csv.gz"][r.below(3) as usize]);
        let obj = String::from_utf8(obj).expect("ascii");
        let secret = ["db-password", "stripe-key", "oauth-client-secret"][r.below(3) as usize];
        // (service, method, resourceName, permission, permission type, request)
        let (service, method, rname, perm, ptype, request): (
            &str,
            &str,
            String,
            &str,
            &str,
            String,
        ) = match k {
            0 => (
                "storage.googleapis.com",
                "storage.objects.get",
                format!("projects/_/buckets/{bucket}/objects/{obj}"),
                "storage.objects.get",
                "DATA_READ",
                String::new(),
            ),
            1 => (
                "storage.googleapis.com",
                "storage.objects.list",
                format!("projects/_/buckets/{bucket}"),
                "storage.objects.list",
                "DATA_READ",
                String::new(),
            ),
            2 => (
                "storage.googleapis.com",
                "storage.objects.create",
                format!("projects/_/buckets/{bucket}/objects/{obj}"),
                "storage.objects.create",
                "DATA_WRITE",
                String::new(),
            ),
            3 => (
                "compute.googleapis.com",
                "v1.compute.instances.list",
                format!("projects/{proj}/zones/{zone}/instances"),
                "compute.instances.list",
                "ADMIN_READ",
                r#""request":{"@type":"type.googleapis.com/compute.instances.list"},"#.to_string(),
            ),
            4 => (
                "compute.googleapis.com",
                "v1.compute.instances.get",
                format!("projects/{proj}/zones/{zone}/instances/{inst}"),
                "compute.instances.get",
                "ADMIN_READ",
                r#""request":{"@type":"type.googleapis.com/compute.instances.get"},"#.to_string(),
            ),
            5 => {
                let name = format!("projects/{}/secrets/{secret}/versions/latest", self.number);
                (
                    "secretmanager.googleapis.com",
                    "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
                    name.clone(),
                    "secretmanager.versions.access",
                    "DATA_READ",
                    format!(
                        r#""request":{{"@type":"type.googleapis.com/google.cloud.secretmanager.v1.AccessSecretVersionRequest","name":"{name}"}},"#
                    ),
                )
            }
            _ => (
                "cloudresourcemanager.googleapis.com",
                "GetIamPolicy",
                format!("projects/{proj}"),
                "resourcemanager.projects.getIamPolicy",
                "ADMIN_READ",
                format!(
                    r#""request":{{"@type":"type.googleapis.com/google.iam.v1.GetIamPolicyRequest","options":{{"requestedPolicyVersion":3}},"resource":"projects/{proj}"}},"#
                ),
            ),
        };
        b.extend_from_slice(br#"{"insertId":""#);
        Self::insert_id(&mut b, r);
        w!(
            b,
            r#"","logName":"projects/{proj}/logs/cloudaudit.googleapis.com%2Fdata_access","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#
        );
        Self::auth_info(&mut b, p, false);
        b.extend_from_slice(br#","authorizationInfo":[{"#);
        if !fail {
            b.extend_from_slice(br#""granted":true,"#);
        }
        w!(
            b,
            r#""permission":"{perm}","permissionType":"{ptype}","resource":"{rname}","resourceAttributes":{{}}}}],"methodName":"{method}","#
        );
        b.extend_from_slice(request.as_bytes());
        let t_req = t + 5_000_000 + r.below(30_000_000) as i64;
        let cmd = if k == 3 {
            "gcloud.compute.instances.list"
        } else {
            "gcloud.compute.instances.describe"
        };
        self.request_metadata(&mut b, r, p, cmd, t_req);
        let loc = if service == "compute.googleapis.com" {
            zone
        } else if service == "storage.googleapis.com" {
            "us-central1"
        } else {
            "global"
        };
        w!(
            b,
            r#","resourceLocation":{{"currentLocations":["{loc}"]}},"resourceName":"{rname}","serviceName":"{service}","status":"#
        );
        if fail {
            b.extend_from_slice(br#"{"code":7,"message":"PERMISSION_DENIED"}"#);
        } else {
            b.extend_from_slice(b"{}");
        }
        b.extend_from_slice(br#"},"receiveTimestamp":""#);
        time::iso(&mut b, t_req + 100_000_000 + r.below(700_000_000) as i64, 9);
        match service {
            "storage.googleapis.com" => w!(
                b,
                r#"","resource":{{"labels":{{"bucket_name":"{bucket}","location":"us-central1","project_id":"{proj}"}},"type":"gcs_bucket"}}"#
            ),
            "compute.googleapis.com" => w!(
                b,
                r#"","resource":{{"labels":{{"instance_id":"{}","project_id":"{proj}","zone":"{zone}"}},"type":"gce_instance"}}"#,
                if k == 4 {
                    stable_id(proj, "instance", &inst).to_string()
                } else {
                    String::new()
                }
            ),
            "secretmanager.googleapis.com" => w!(
                b,
                r#"","resource":{{"labels":{{"method":"{method}","project_id":"{proj}","service":"{service}"}},"type":"audited_resource"}}"#
            ),
            _ => w!(
                b,
                r#"","resource":{{"labels":{{"project_id":"{proj}"}},"type":"project"}}"#
            ),
        }
        w!(
            b,
            r#","severity":"{}","timestamp":""#,
            if fail { "ERROR" } else { "INFO" }
        );
        time::iso(&mut b, t, 6);
        b.extend_from_slice(b"\"}");
        let res = e.now(1, &b);
        self.buf = b;
        res
    }

    fn render_fixed(&mut self, e: &mut Emit, t: i64, call: &Call) -> Result<()> {
        let mut req = take(&mut self.req);
        req.clear();
        let res = match call {
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
                    &req,
                    &perms,
                    "insert",
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
                    &req,
                    &perms,
                    "detachDisk",
                    dur,
                    false,
                )
            }
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
                    &req,
                    &perms,
                    "attachDisk",
                    dur,
                    false,
                )
            }
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
                    &req,
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
                    &req,
                    &perms,
                    "createSnapshot",
                    dur,
                    false,
                )
            }
        };
        self.req = req;
        res
    }
}

impl Gen for GcpGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        if !primary {
            return out;
        }
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        let day = a.div_euclid(DAY) * DAY;
        let mut add = |t: i64, c: Call| {
            if t >= a && t < b {
                out.push(Fixed { t, call: c });
            }
        };
        // an instance schedule (resource policy) stops the workers at 19:00, starts them at 07:00
        if time::weekday(day) < 5 {
            for (hour, start) in [(7, true), (19, false)] {
                let t = day + hour * HOUR + r.below(20 * SEC as u64) as i64;
                for (i, (inst, zone)) in self
                    .instances
                    .iter()
                    .filter(|(n, _)| n.starts_with("worker-"))
                    .enumerate()
                {
                    let (who, zone, inst) = (Who::Scheduler, zone.to_string(), inst.clone());
                    let t = t + i as i64 * 300_000_000;
                    add(
                        t,
                        if start {
                            Call::Start { who, zone, inst }
                        } else {
                            Call::Stop { who, zone, inst }
                        },
                    );
                }
            }
        }
        // a snapshot schedule on the database disks
        let t = day + 4 * HOUR + r.below(10 * MIN as u64) as i64;
        let c = time::civil(day);
        for (i, (inst, zone)) in self
            .instances
            .iter()
            .filter(|(n, _)| n.starts_with("db-"))
            .take(2)
            .enumerate()
        {
            let snap = format!(
                "{inst}-{}-{:04}{:02}{:02}040000-{}",
                zone,
                c.year,
                c.month,
                c.day,
                r.string(|r, v| r.lower_alnum(v, 8))
            );
            add(
                t + i as i64 * SEC,
                Call::CreateSnapshot {
                    who: Who::Scheduler,
                    zone: zone.to_string(),
                    disk: inst.clone(),
                    snap,
                },
            );
        }
        out
    }

    fn begin_chunk(&mut self, _rng: &mut Rng, _a: i64, _b: i64) {}

    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        if e.rng.chance(0.4) {
            self.noise_admin(e, t)
        } else {
            self.noise_read(e, t)
        }
    }

    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Call>) -> Result<()> {
        let call = &f.call;
        self.render_fixed(e, f.t, call)
    }
}
