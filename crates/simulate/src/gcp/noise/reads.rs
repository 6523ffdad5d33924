//! Data-access noise: reads of compute, storage and other services.

use std::io::Write;
use std::mem::take;

use crate::emit::Emit;
use crate::error::Result;
use crate::gcp::generator::{stable_id, GcpGen};
use crate::gcp::personas::*;
use crate::rng::Rng;
use crate::time;

/// Where a read's resource name comes from.
enum ReadName {
    Object,
    Bucket,
    ZoneInstances,
    Instance,
    SecretVersion,
    Project,
}

/// A read's `request`, if it has one.
enum ReadRequest {
    None,
    /// a request of this type and no fields
    Typed(&'static str),
    SecretVersion,
    IamPolicy,
}

/// A data-access call: a read of data or metadata, or a small write to storage.
struct DataRead {
    service: &'static str,
    method: &'static str,
    name: ReadName,
    permission: &'static str,
    permission_type: &'static str,
    request: ReadRequest,
    /// made by the applications as often as by people
    app: bool,
    /// the gcloud command, for calls that name one
    cmd: &'static str,
}

const DESCRIBE: &str = "gcloud.compute.instances.describe";

/// How often each of `DATA_READS` is made, in order.
const DATA_READ_WEIGHTS: [u32; 7] = [30, 12, 10, 10, 8, 10, 6];

const DATA_READS: [DataRead; 7] = [
    DataRead {
        service: "storage.googleapis.com",
        method: "storage.objects.get",
        name: ReadName::Object,
        permission: "storage.objects.get",
        permission_type: "DATA_READ",
        request: ReadRequest::None,
        app: true,
        cmd: DESCRIBE,
    },
    DataRead {
        service: "storage.googleapis.com",
        method: "storage.objects.list",
        name: ReadName::Bucket,
        permission: "storage.objects.list",
        permission_type: "DATA_READ",
        request: ReadRequest::None,
        app: true,
        cmd: DESCRIBE,
    },
    DataRead {
        service: "storage.googleapis.com",
        method: "storage.objects.create",
        name: ReadName::Object,
        permission: "storage.objects.create",
        permission_type: "DATA_WRITE",
        request: ReadRequest::None,
        app: true,
        cmd: DESCRIBE,
    },
    DataRead {
        service: "compute.googleapis.com",
        method: "v1.compute.instances.list",
        name: ReadName::ZoneInstances,
        permission: "compute.instances.list",
        permission_type: "ADMIN_READ",
        request: ReadRequest::Typed("compute.instances.list"),
        app: false,
        cmd: "gcloud.compute.instances.list",
    },
    DataRead {
        service: "compute.googleapis.com",
        method: "v1.compute.instances.get",
        name: ReadName::Instance,
        permission: "compute.instances.get",
        permission_type: "ADMIN_READ",
        request: ReadRequest::Typed("compute.instances.get"),
        app: false,
        cmd: DESCRIBE,
    },
    DataRead {
        service: "secretmanager.googleapis.com",
        method: "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
        name: ReadName::SecretVersion,
        permission: "secretmanager.versions.access",
        permission_type: "DATA_READ",
        request: ReadRequest::SecretVersion,
        app: true,
        cmd: DESCRIBE,
    },
    DataRead {
        service: "cloudresourcemanager.googleapis.com",
        method: "GetIamPolicy",
        name: ReadName::Project,
        permission: "resourcemanager.projects.getIamPolicy",
        permission_type: "ADMIN_READ",
        request: ReadRequest::IamPolicy,
        app: false,
        cmd: DESCRIBE,
    },
];

/// What every read draws before its record: the resources it may name.
struct Drawn {
    bucket: String,
    inst: String,
    zone: &'static str,
    obj: String,
    secret: &'static str,
}

impl GcpGen {
    pub(in crate::gcp) fn noise_read(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let mut b = take(&mut self.buf);
        b.clear();
        let r = &mut e.rng;
        let read = &DATA_READS[r.weighted(&DATA_READ_WEIGHTS)];
        let fail = r.chance(0.02);
        let who = if read.app {
            [APP, APP, TF, BOB][r.below(4) as usize]
        } else {
            [ALICE, TF, BOB][r.below(3) as usize]
        };
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
        let d = Drawn {
            bucket,
            inst,
            zone,
            obj,
            secret,
        };
        self.data_access(&mut b, r, t, (who, fail), read, &d);
        let res = e.now(1, &b);
        self.buf = b;
        res
    }

    /// The resource name and the `request` of a read.
    fn read_target(&self, read: &DataRead, d: &Drawn) -> (String, String) {
        let proj = &self.project;
        let Drawn {
            bucket,
            inst,
            zone,
            obj,
            secret,
        } = d;
        let rname = match read.name {
            ReadName::Object => format!("projects/_/buckets/{bucket}/objects/{obj}"),
            ReadName::Bucket => format!("projects/_/buckets/{bucket}"),
            ReadName::ZoneInstances => format!("projects/{proj}/zones/{zone}/instances"),
            ReadName::Instance => format!("projects/{proj}/zones/{zone}/instances/{inst}"),
            ReadName::SecretVersion => {
                format!("projects/{}/secrets/{secret}/versions/latest", self.number)
            }
            ReadName::Project => format!("projects/{proj}"),
        };
        let request = match read.request {
            ReadRequest::None => String::new(),
            ReadRequest::Typed(ty) => {
                format!(r#""request":{{"@type":"type.googleapis.com/{ty}"}},"#)
            }
            ReadRequest::SecretVersion => format!(
                r#""request":{{"@type":"type.googleapis.com/google.cloud.secretmanager.v1.AccessSecretVersionRequest","name":"{rname}"}},"#
            ),
            ReadRequest::IamPolicy => format!(
                r#""request":{{"@type":"type.googleapis.com/google.iam.v1.GetIamPolicyRequest","options":{{"requestedPolicyVersion":3}},"resource":"projects/{proj}"}},"#
            ),
        };
        (rname, request)
    }

    /// The data-access log entry of a read.
    fn data_access(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        t: i64,
        (who, fail): (usize, bool),
        read: &DataRead,
        d: &Drawn,
    ) {
        let proj = &self.project;
        let p = &self.p[who];
        let (rname, request) = self.read_target(read, d);
        let (service, method) = (read.service, read.method);
        let zone = d.zone;
        b.extend_from_slice(br#"{"insertId":""#);
        Self::insert_id(b, r);
        w!(
            b,
            r#"","logName":"projects/{proj}/logs/cloudaudit.googleapis.com%2Fdata_access","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","#
        );
        Self::auth_info(b, p, false);
        b.extend_from_slice(br#","authorizationInfo":[{"#);
        if !fail {
            b.extend_from_slice(br#""granted":true,"#);
        }
        w!(
            b,
            r#""permission":"{}","permissionType":"{}","resource":"{rname}","resourceAttributes":{{}}}}],"methodName":"{method}","#,
            read.permission,
            read.permission_type
        );
        b.extend_from_slice(request.as_bytes());
        let t_req = t + 5_000_000 + r.below(30_000_000) as i64;
        self.request_metadata(b, r, p, read.cmd, t_req);
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
        time::iso(b, t_req + 100_000_000 + r.below(700_000_000) as i64, 9);
        self.read_resource(b, read, d);
        w!(
            b,
            r#","severity":"{}","timestamp":""#,
            if fail { "ERROR" } else { "INFO" }
        );
        time::iso(b, t, 6);
        b.extend_from_slice(b"\"}");
    }

    /// The monitored `resource` of a read's entry, by service.
    fn read_resource(&self, b: &mut Vec<u8>, read: &DataRead, d: &Drawn) {
        let proj = &self.project;
        let (service, method) = (read.service, read.method);
        let Drawn {
            bucket, inst, zone, ..
        } = d;
        match service {
            "storage.googleapis.com" => w!(
                b,
                r#"","resource":{{"labels":{{"bucket_name":"{bucket}","location":"us-central1","project_id":"{proj}"}},"type":"gcs_bucket"}}"#
            ),
            "compute.googleapis.com" => w!(
                b,
                r#"","resource":{{"labels":{{"instance_id":"{}","project_id":"{proj}","zone":"{zone}"}},"type":"gce_instance"}}"#,
                if matches!(read.name, ReadName::Instance) {
                    stable_id(proj, "instance", inst).to_string()
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
    }
}
