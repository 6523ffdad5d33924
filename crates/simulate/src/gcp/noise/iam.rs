//! IAM noise: service accounts, keys and policies.

use std::io::Write;
use std::mem::take;

use crate::emit::Emit;
use crate::error::Result;
use crate::gcp::generator::{stable_id, GcpGen};
use crate::gcp::personas::*;
use crate::rng::Rng;
use crate::time::{self, SEC};

impl GcpGen {
    /// Admin-activity calls that are not compute operations: one entry each.
    pub(in crate::gcp) fn noise_iam(&mut self, e: &mut Emit, t: i64, k: usize) -> Result<()> {
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
        Self::iam_request(&mut b, k, member, proj);
        self.request_metadata(&mut b, r, p, "", t_req);
        w!(
            b,
            r#","resourceLocation":{{"currentLocations":["{}"]}},"resourceName":"{rname}","#,
            if k == 8 { "us-central1" } else { "global" }
        );
        Self::iam_response(&mut b, r, k, member, proj, t);
        w!(b, r#""serviceName":"{service}","#);
        if k == 8 {
            w!(
                b,
                r#""serviceData":{{"@type":"type.googleapis.com/google.iam.v1.logging.AuditData","policyDelta":{{"bindingDeltas":[{{"action":"ADD","member":"{member}","role":"roles/storage.objectViewer"}}]}}}},"#
            );
        }
        b.extend_from_slice(br#""status":{}},"receiveTimestamp":""#);
        time::iso(&mut b, t_req + 300_000_000 + r.below(500_000_000) as i64, 9);
        self.iam_resource(&mut b, k);
        b.extend_from_slice(br#","severity":"NOTICE","timestamp":""#);
        time::iso(&mut b, t, 6);
        b.extend_from_slice(b"\"}");
        let res = e.now(0, &b);
        self.buf = b;
        res
    }

    /// The `request` of a policy change or a key creation; a bucket's change logs none.
    fn iam_request(b: &mut Vec<u8>, k: usize, member: &str, proj: &str) {
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
    }

    /// The `response` of a policy change or a key creation.
    fn iam_response(b: &mut Vec<u8>, r: &mut Rng, k: usize, member: &str, proj: &str, t: i64) {
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
                r.hex(b, 40);
                w!(
                    b,
                    r#"","valid_after_time":{{"seconds":"{}"}},"valid_before_time":{{"seconds":"253402300799"}}}},"#,
                    t / SEC
                );
            }
            _ => {}
        }
    }

    /// The `resource` an IAM change names: the project, the service account or the bucket.
    fn iam_resource(&self, b: &mut Vec<u8>, k: usize) {
        let proj = &self.project;
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
    }
}
