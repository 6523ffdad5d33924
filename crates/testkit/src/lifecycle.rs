//! Records of machines' lives, made to order with the caller they came from: CloudTrail calls
//! by an IAM user or by a role session (whose name the caller chooses), and GCP Compute
//! audit entries. The shapes are those of the real samples the scenario fixtures were built
//! from (tests/fixtures/scenarios/*/README.md).

use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";

/// Who made a CloudTrail call.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// An IAM user by name.
    User(&'a str),
    /// A session of an IAM role: the role's name, and the session name its caller chose.
    Role {
        /// The role the session was issued from.
        role: &'a str,
        /// The role session name: whatever the caller asked for.
        session: &'a str,
    },
}

impl Caller<'_> {
    fn user_identity(&self) -> Value {
        match *self {
            Caller::User(name) => json!({
                "type": "IAMUser", "principalId": "AIDAQ7RZKX4M2VN8LP3EW",
                "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
                "accountId": ACCOUNT, "userName": name
            }),
            Caller::Role { role, session } => json!({
                "type": "AssumedRole",
                "principalId": format!("AROAQ7RZKX4M2VN8LP3EW:{session}"),
                "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
                "accountId": ACCOUNT,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role", "principalId": "AROAQ7RZKX4M2VN8LP3EW",
                        "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
                        "accountId": ACCOUNT, "userName": role
                    },
                    "attributes": {"creationDate": "2026-03-01T00:00:00Z", "mfaAuthenticated": "false"}
                }
            }),
        }
    }
}

/// An EC2 call by `caller` at `time` (RFC 3339), with an event id made of the operation, the
/// time and the first instance or resource id in the request, so that one call on several
/// machines at one time stays apart from another.
pub fn ec2(
    caller: Caller<'_>,
    operation: &str,
    time: &str,
    request: Value,
    response: Value,
) -> String {
    let salt = request
        .pointer("/instancesSet/items/0/instanceId")
        .or_else(|| request.pointer("/instanceId"))
        .or_else(|| request.pointer("/snapshotId"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    json!({
        "eventVersion": "1.09",
        "userIdentity": caller.user_identity(),
        "eventTime": time,
        "eventSource": "ec2.amazonaws.com",
        "eventName": operation,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.20",
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": request,
        "responseElements": response,
        "eventID": format!("{operation}-{time}-{salt}"),
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT
    })
    .to_string()
}

/// `StopInstances` or `StartInstances` of one instance.
pub fn cycle(caller: Caller<'_>, operation: &str, time: &str, instance: &str) -> String {
    let items = json!({"instancesSet": {"items": [{"instanceId": instance}]}});
    ec2(caller, operation, time, items.clone(), items)
}

/// `RunInstances` of one instance from `image`, its root volume from `snapshot` when given
/// (the block device mapping a launch that restores a snapshot sends).
pub fn run(
    caller: Caller<'_>,
    time: &str,
    image: &str,
    snapshot: Option<&str>,
    instance: &str,
) -> String {
    let mut request = json!({
        "instancesSet": {"items": [{"imageId": image, "minCount": 1, "maxCount": 1}]},
        "instanceType": "t3.medium"
    });
    if let Some(snap) = snapshot {
        request["blockDeviceMapping"] = json!({"items": [{"deviceName": "/dev/sdf", "ebs": {"snapshotId": snap, "volumeSize": 50}}]});
    }
    let response = json!({"instancesSet": {"items": [{"instanceId": instance, "imageId": image,
        "instanceState": {"code": 0, "name": "pending"}}]}});
    ec2(caller, "RunInstances", time, request, response)
}

/// `RegisterImage` of `image` from `snapshot`.
pub fn register_image(caller: Caller<'_>, time: &str, snapshot: &str, image: &str) -> String {
    ec2(
        caller,
        "RegisterImage",
        time,
        json!({"name": format!("from-{snapshot}"), "rootDeviceName": "/dev/xvda",
            "blockDeviceMapping": {"items": [{"deviceName": "/dev/xvda", "ebs": {"snapshotId": snapshot}}]}}),
        json!({"imageId": image}),
    )
}

/// `CreateVolume` from `snapshot`, answered with `volume`.
pub fn create_volume(caller: Caller<'_>, time: &str, snapshot: &str, volume: &str) -> String {
    ec2(
        caller,
        "CreateVolume",
        time,
        json!({"snapshotId": snapshot, "availabilityZone": "us-east-1a", "volumeType": "gp3"}),
        json!({"volumeId": volume, "snapshotId": snapshot, "status": "creating"}),
    )
}

/// `AttachVolume` of `volume` to `instance`.
pub fn attach(caller: Caller<'_>, time: &str, volume: &str, instance: &str) -> String {
    ec2(
        caller,
        "AttachVolume",
        time,
        json!({"volumeId": volume, "instanceId": instance, "device": "/dev/sdf"}),
        json!({"volumeId": volume, "instanceId": instance, "status": "attaching"}),
    )
}

/// `principal` deletes the GCP instance `resource` at `time`.
pub fn gcp_delete(principal: &str, time: &str, resource: &str) -> String {
    gcp(
        principal,
        "compute.instances.delete",
        time,
        resource,
        json!({"@type": "type.googleapis.com/compute.instances.delete"}),
    )
}

/// `principal` creates the GCP instance `resource` at `time` from the machine image `image`
/// (a restore of the machine as the image captured it).
pub fn gcp_insert_from_machine_image(
    principal: &str,
    time: &str,
    resource: &str,
    image: &str,
) -> String {
    let name = resource.rsplit('/').next().unwrap_or(resource);
    gcp(
        principal,
        "compute.instances.insert",
        time,
        resource,
        json!({
            "@type": "type.googleapis.com/compute.instances.insert",
            "name": name,
            "sourceMachineImage": format!("projects/acme-prod/global/machineImages/{image}")
        }),
    )
}

/// A GCP Compute audit entry (one entry for the whole operation) by `principal` at `time`
/// on `resource` (`projects/p/zones/z/instances/n`), with the request given.
pub fn gcp(principal: &str, method: &str, time: &str, resource: &str, request: Value) -> String {
    let project = resource.split('/').nth(1).unwrap_or("acme-prod");
    json!({
        "insertId": format!("{method}-{time}-{resource}"),
        "logName": format!("projects/{project}/logs/cloudaudit.googleapis.com%2Factivity"),
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": {"principalEmail": principal},
            "methodName": format!("v1.{method}"),
            "request": request,
            "requestMetadata": {"callerIp": "198.51.100.30", "callerSuppliedUserAgent": "google-cloud-sdk gcloud/467.0.0"},
            "resourceName": resource,
            "response": {"@type": "type.googleapis.com/operation", "status": "RUNNING",
                "targetLink": format!("https://www.googleapis.com/compute/v1/{resource}")},
            "serviceName": "compute.googleapis.com",
            "status": {}
        },
        "receiveTimestamp": time,
        "resource": {"labels": {"project_id": project, "zone": "us-central1-a"}, "type": "gce_instance"},
        "severity": "NOTICE",
        "timestamp": time
    })
    .to_string()
}
