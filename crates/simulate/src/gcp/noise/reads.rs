//! Data-access noise: reads of compute, storage and other services.

use std::io::Write;
use std::mem::take;

use crate::emit::Emit;
use crate::error::Result;
use crate::gcp::generator::{stable_id, GcpGen};
use crate::gcp::personas::*;
use crate::time;

impl GcpGen {
    pub(in crate::gcp) fn noise_read(&mut self, e: &mut Emit, t: i64) -> Result<()> {
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
}
