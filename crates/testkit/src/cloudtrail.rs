//! CloudTrail records made to order, in the shape the fixtures and real trails have.

use serde_json::Value;

/// An EC2 stop or start by one user, `hour` hours after 2026-03-14T00:00Z (past 24 runs on
/// into the next days), with an event id made of the operation and the time.
pub fn ec2(operation: &str, hour: u32, minute: u32, instances: &[&str]) -> String {
    let items: Vec<Value> = instances
        .iter()
        .map(|i| serde_json::json!({"instanceId": i}))
        .collect();
    let day = 14 + hour / 24;
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAQ7RZKX4M2VN8LP3EW",
            "arn": "arn:aws:iam::111122223333:user/mallory", "accountId": "111122223333",
            "userName": "mallory"},
        "eventTime": format!("2026-03-{day:02}T{:02}:{minute:02}:00Z", hour % 24),
        "eventSource": "ec2.amazonaws.com",
        "eventName": operation,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.66",
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": {"instancesSet": {"items": items}},
        "responseElements": {"instancesSet": {"items": items}},
        "eventID": format!("{operation}-{hour}-{minute}"),
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
    .to_string()
}

/// One stop of two machines: the first is started ten minutes later, the second keeps starting
/// and stopping every five hours until the next day's evening, so that an incident on it stays
/// open long after the first machine's has closed, holding their shared stop.
pub fn shared_stop() -> Vec<String> {
    let mut records = vec![
        ec2(
            "StopInstances",
            0,
            0,
            &["i-0000000000000a001", "i-0000000000000a002"],
        ),
        ec2("StartInstances", 0, 10, &["i-0000000000000a001"]),
    ];
    for (k, hour) in [5, 10, 15, 20, 25, 30, 35, 40].into_iter().enumerate() {
        let op = if k % 2 == 0 {
            "StartInstances"
        } else {
            "StopInstances"
        };
        records.push(ec2(op, hour, 0, &["i-0000000000000a002"]));
    }
    records
}

/// Any EC2 call by the same user at `time` (RFC 3339), with its request and response
/// elements as CloudTrail writes them, and an event id made of the operation and the time.
pub fn call(operation: &str, time: &str, request: Value, response: Value) -> String {
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAQ7RZKX4M2VN8LP3EW",
            "arn": "arn:aws:iam::111122223333:user/mallory", "accountId": "111122223333",
            "userName": "mallory"},
        "eventTime": time,
        "eventSource": "ec2.amazonaws.com",
        "eventName": operation,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.66",
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": request,
        "responseElements": response,
        "eventID": format!("{operation}-{time}"),
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
    .to_string()
}

/// `StopInstances` or `StartInstances` of one instance at `time`.
pub fn cycle(operation: &str, time: &str, instance: &str) -> String {
    let items = serde_json::json!({"instancesSet": {"items": [{"instanceId": instance}]}});
    call(operation, time, items.clone(), items)
}

/// `CreateVolume` from `snapshot` at `time`, answered with `volume`.
pub fn create_volume(time: &str, snapshot: &str, volume: &str) -> String {
    call(
        "CreateVolume",
        time,
        serde_json::json!({"snapshotId": snapshot, "availabilityZone": "us-east-1a", "volumeType": "gp3"}),
        serde_json::json!({"volumeId": volume, "snapshotId": snapshot, "status": "creating"}),
    )
}

/// `AttachVolume` of `volume` to `instance` at `time`.
pub fn attach(time: &str, volume: &str, instance: &str) -> String {
    call(
        "AttachVolume",
        time,
        serde_json::json!({"volumeId": volume, "instanceId": instance, "device": "/dev/sdf"}),
        serde_json::json!({"volumeId": volume, "instanceId": instance, "status": "attaching"}),
    )
}

/// `CopySnapshot` of `source` at `time`, answered with the copy's id.
pub fn copy_snapshot(time: &str, source: &str, copy: &str) -> String {
    call(
        "CopySnapshot",
        time,
        serde_json::json!({"sourceSnapshotId": source, "sourceRegion": "us-east-1"}),
        serde_json::json!({"snapshotId": copy}),
    )
}
