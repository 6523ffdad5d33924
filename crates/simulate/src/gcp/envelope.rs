//! The LogEntry around a call: insert ids, request metadata, authorization info, resource
//! blocks, and compute operations as a `first` and a `last` entry.

use std::io::Write;
use std::mem::take;

use super::generator::{stable_id, GcpGen};
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::rng::Rng;
use crate::time::{self, SEC};

pub(super) const API: &str = "https://www.googleapis.com/compute";

/// The resource a compute call is about.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Instance,
    Disk,
    Firewall,
}

impl GcpGen {
    pub(super) fn insert_id(b: &mut Vec<u8>, r: &mut Rng) {
        let n = [11, 12, 12, 13][r.below(4) as usize];
        if r.chance(0.45) {
            b.push(b'-');
            r.lower_alnum(b, n - 1);
        } else {
            r.lower_alnum(b, n);
        }
    }

    pub(super) fn user_agent(b: &mut Vec<u8>, r: &mut Rng, ua: UaKind, command: &str) -> bool {
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

    pub(super) fn request_metadata(
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

    pub(super) fn auth_info(b: &mut Vec<u8>, p: &Principal, full: bool) {
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

    pub(super) fn resource_block(
        &self,
        b: &mut Vec<u8>,
        kind: Kind,
        zone: &str,
        name: &str,
        empty_id: bool,
    ) {
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

    pub(super) fn resource_name(&self, kind: Kind, zone: &str, name: &str) -> String {
        match kind {
            Kind::Instance => format!("projects/{}/zones/{zone}/instances/{name}", self.project),
            Kind::Disk => format!("projects/{}/zones/{zone}/disks/{name}", self.project),
            Kind::Firewall => format!("projects/{}/global/firewalls/{name}", self.project),
        }
    }

    /// A compute call: a `first` entry now and a `last` entry `dur` later, or one ERROR
    /// entry for a denied call.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn compute(
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
        let tg = Target {
            kind,
            zone,
            name,
            rname: rname.clone(),
            method,
            command,
            who,
        };
        let t_req = t + 150_000_000 + r.below(100_000_000) as i64;
        let t_recv = t_req + 40_000_000 + r.below(560_000_000) as i64;
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
        let op_name = Self::first_operation(&mut b, r, t, fail);
        Self::first_payload(&mut b, p, perms, fail, method, request);
        self.request_metadata(&mut b, r, p, command, t_req);
        let location = Self::location(kind, zone);
        w!(
            b,
            r#","resourceLocation":{{"currentLocations":["{location}"]}},"resourceName":"{rname}","response":{{"#
        );
        if fail {
            Self::denied_response(&mut b, &rname, perms[0].0);
        } else {
            self.op_response(&mut b, r, &tg, &op_name, op_type, t_req);
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
            let l = self.last_entry(&mut e.rng, &tg, &op_name, t1);
            e.later(0, t1, l);
        }
        self.buf = b;
        Ok(())
    }

    /// Firewalls are global; instances and disks are in their zone.
    fn location(kind: Kind, zone: &str) -> &str {
        if kind == Kind::Firewall {
            "global"
        } else {
            zone
        }
    }

    /// The `response` of a denied call, through `receiveTimestamp`.
    fn denied_response(b: &mut Vec<u8>, rname: &str, perm: &str) {
        let msg = format!("Required '{}' permission for '{rname}'", perm);
        w!(
            b,
            r#""@type":"type.googleapis.com/error","error":{{"code":403,"errors":[{{"domain":"global","message":"{msg}","reason":"forbidden"}}],"message":"{msg}"}}}},"serviceName":"compute.googleapis.com","status":{{"code":7,"message":"{msg}"}}}},"receiveTimestamp":""#
        );
    }

    /// From `protoPayload` through the `request` of a compute call's first entry.
    fn first_payload(
        b: &mut Vec<u8>,
        p: &Principal,
        perms: &[(&str, String, &str)],
        fail: bool,
        method: &str,
        request: &[u8],
    ) {
        let method_name = format!("v1.compute.{method}");
        b.extend_from_slice(
            br#","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#,
        );
        Self::auth_info(b, p, true);
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
    }

    /// The `operation` of an accepted call's first entry; returns the operation's name,
    /// empty for a denied call.
    fn first_operation(b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) -> Vec<u8> {
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
        op_name
    }

    /// The `response` of an accepted compute call: the operation it started.
    fn op_response(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        tg: &Target,
        op_name: &[u8],
        op_type: &str,
        t_req: i64,
    ) {
        let p = &self.p[tg.who];
        let (kind, zone, name, rname) = (tg.kind, tg.zone, tg.name, &tg.rname);
        let op_id = 1_000_000_000_000_000_000 + r.below(8_000_000_000_000_000_000);
        let op_base = if kind == Kind::Firewall {
            format!("{API}/v1/projects/{}/global/operations", self.project)
        } else {
            format!("{API}/v1/projects/{}/zones/{zone}/operations", self.project)
        };
        let t_insert = t_req - 30_000_000;
        b.extend_from_slice(br#""@type":"type.googleapis.com/operation","id":""#);
        w!(b, r#"{op_id}","insertTime":""#);
        time::pacific_ms(b, t_insert);
        b.extend_from_slice(br#"","name":""#);
        b.extend_from_slice(op_name);
        w!(
            b,
            r#"","operationType":"{op_type}","progress":"0","selfLink":"{op_base}/"#
        );
        b.extend_from_slice(op_name);
        w!(b, r#"","selfLinkWithId":"{op_base}/{op_id}","startTime":""#);
        time::pacific_ms(b, t_insert + 12_000_000);
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

    /// The `last` entry of a compute operation, when it is done at `t1`.
    fn last_entry(&self, r: &mut Rng, tg: &Target, op_name: &[u8], t1: i64) -> Vec<u8> {
        let p = &self.p[tg.who];
        let (kind, zone, name, rname) = (tg.kind, tg.zone, tg.name, &tg.rname);
        let (method, command) = (tg.method, tg.command);
        let method_name = format!("v1.compute.{method}");
        let mut l = Vec::with_capacity(1200);
        l.extend_from_slice(br#"{"insertId":""#);
        Self::insert_id(&mut l, r);
        w!(
            l,
            r#"","logName":"projects/{}/logs/cloudaudit.googleapis.com%2Factivity","operation":{{"id":""#,
            self.project
        );
        l.extend_from_slice(op_name);
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
        l
    }

    pub(super) fn zonal(&self, coll: &str, zone: &str, name: &str) -> String {
        format!("projects/{}/zones/{zone}/{coll}/{name}", self.project)
    }
}

/// What the entries of one compute call name.
struct Target<'a> {
    kind: Kind,
    zone: &'a str,
    name: &'a str,
    rname: String,
    method: &'a str,
    command: &'a str,
    who: usize,
}
