//! Records of the fixed calls: planted scenarios and scheduled look-alikes.

use std::io::Write;

use super::calls::{Call, Who, ATTACKERS};
use super::generator::AwsGen;
use super::personas::Persona;
use crate::rng::Rng;
use crate::time::SEC;

impl AwsGen {
    pub(super) fn who(&self, who: &Who) -> &Persona {
        let i = match who {
            Who::Attacker(k) => (*k as usize).min(ATTACKERS - 1),
            Who::Ops => 3,
            Who::DrOperator => 4,
            Who::BackupRestore => 5,
            Who::Scheduler => 6,
            Who::Asg => 7,
            Who::Dlm => 8,
            Who::Backup => 9,
        };
        &self.special[i]
    }

    pub(super) fn render_fixed(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, call: &Call) {
        let rid = r.uuid();
        let ms = (t / SEC) * 1000;
        let zone = &self.zones[0];
        let ec2 = "ec2.amazonaws.com";
        let mut read_only = false;
        let mut host: &str = &self.hosts.ec2;
        let p: &Persona;
        match call {
            Call::Stop { who, ids } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "StopInstances",
                    "ec2.stop-instances",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.extend_from_slice(br#","force":false}"#);
                Self::state_change(b, &rid, ids, (64, "stopping"), (16, "running"));
            }
            Call::Start { who, ids } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "StartInstances",
                    "ec2.start-instances",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.push(b'}');
                Self::state_change(b, &rid, ids, (0, "pending"), (80, "stopped"));
            }
            Call::CreateVolume {
                who,
                snap,
                vol,
                az_key,
                tag,
            } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "CreateVolume",
                    "ec2.create-volume",
                    false,
                );
                let zk = if *az_key { "availabilityZone" } else { "zone" };
                w!(
                    b,
                    r#","requestParameters":{{"snapshotId":"{snap}","{zk}":"{zone}","volumeType":"gp3","size":"8""#
                );
                let tags = tag
                    .as_ref()
                    .map(|(k, v)| format!(r#"[{{"key":"{k}","value":"{v}"}}]"#));
                if let Some(tags) = &tags {
                    w!(
                        b,
                        r#","tagSpecificationSet":{{"items":[{{"resourceType":"volume","tags":{tags}}}]}}"#
                    );
                }
                w!(
                    b,
                    r#","clientToken":"{}"}},"responseElements":{{"requestId":"{rid}","volumeId":"{vol}","size":"8","snapshotId":"{snap}","zone":"{zone}","status":"creating","createTime":{ms},"volumeType":"gp3","iops":3000,"encrypted":false"#,
                    r.uuid()
                );
                if let Some(tags) = &tags {
                    w!(b, r#","tagSet":{{"items":{tags}}}"#);
                }
                b.extend_from_slice(br#","multiAttachEnabled":false,"throughput":125}"#);
            }
            Call::Attach {
                who,
                vol,
                inst,
                device,
            } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "AttachVolume",
                    "ec2.attach-volume",
                    false,
                );
                w!(
                    b,
                    r#","requestParameters":{{"volumeId":"{vol}","instanceId":"{inst}","device":"{device}"}},"responseElements":{{"requestId":"{rid}","volumeId":"{vol}","instanceId":"{inst}","device":"{device}","status":"attaching","attachTime":{ms},"deleteOnTermination":false}}"#
                );
            }
            Call::Detach {
                who,
                vol,
                inst,
                device,
            } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "DetachVolume",
                    "ec2.detach-volume",
                    false,
                );
                let attached = ms - (30 + r.below(60) as i64) * 86_400_000;
                w!(
                    b,
                    r#","requestParameters":{{"volumeId":"{vol}"}},"responseElements":{{"requestId":"{rid}","volumeId":"{vol}","instanceId":"{inst}","device":"{device}","status":"detaching","attachTime":{attached},"deleteOnTermination":true}}"#
                );
            }
            Call::RegisterImage {
                who,
                name,
                snap,
                ami,
            } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "RegisterImage",
                    "ec2.register-image",
                    false,
                );
                w!(
                    b,
                    r#","requestParameters":{{"name":"{name}","description":"web tier golden image","architecture":"x86_64","rootDeviceName":"/dev/xvda","blockDeviceMapping":{{"items":[{{"deviceName":"/dev/xvda","ebs":{{"snapshotId":"{snap}","volumeSize":"8","deleteOnTermination":true,"volumeType":"gp3"}}}}]}},"virtualizationType":"hvm","enaSupport":true,"bootMode":"uefi-preferred"}},"responseElements":{{"requestId":"{rid}","imageId":"{ami}"}}"#
                );
            }
            Call::RunInstance { who, ami, inst } => {
                p = self.who(who);
                self.run_instances(b, r, p, t, ami, inst, &rid, false, None);
            }
            Call::ModifyType { who, inst, itype } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "ModifyInstanceAttribute",
                    "ec2.modify-instance-attribute",
                    false,
                );
                w!(
                    b,
                    r#","requestParameters":{{"instanceId":"{inst}","instanceType":{{"value":"{itype}"}}}},"responseElements":{{"requestId":"{rid}","_return":true}}"#
                );
            }
            Call::StartRestoreJob { who, snap } => {
                p = self.who(who);
                host = &self.hosts.backup;
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "backup.amazonaws.com",
                    "StartRestoreJob",
                    "backup.start-restore-job",
                    false,
                );
                let job = r.uuid().to_string().to_uppercase();
                w!(
                    b,
                    r#","requestParameters":{{"recoveryPointArn":"arn:aws:ec2:{}::snapshot/{snap}","metadata":{{"availabilityZone":"{zone}","encrypted":"false","volumeType":"gp3","volumeSize":"8","iops":"3000","throughput":"125"}},"iamRoleArn":"arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole","idempotencyToken":"{}","resourceType":"EBS"}},"responseElements":{{"restoreJobId":"{job}"}}"#,
                    self.region,
                    self.acct,
                    r.uuid()
                );
            }
            Call::DescribeInstances { who, ids } => {
                p = self.who(who);
                read_only = true;
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "DescribeInstances",
                    "ec2.describe-instances",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.extend_from_slice(br#","filterSet":{}},"responseElements":null"#);
            }
            Call::DescribeSnapshots { who, snaps } => {
                p = self.who(who);
                read_only = true;
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "DescribeSnapshots",
                    "ec2.describe-snapshots",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"snapshotSet":"#);
                Self::items(b, "snapshotId", snaps);
                b.extend_from_slice(
                    br#","ownersSet":{},"sharedUsersSet":{},"filterSet":{}},"responseElements":null"#,
                );
            }
            Call::DescribeVolumes { who, vols } => {
                p = self.who(who);
                read_only = true;
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "DescribeVolumes",
                    "ec2.describe-volumes",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"volumeSet":"#);
                Self::items(b, "volumeId", vols);
                b.extend_from_slice(br#","filterSet":{}},"responseElements":null"#);
            }
            Call::GetCallerIdentity { who } => {
                p = self.who(who);
                read_only = true;
                host = &self.hosts.sts;
                self.head(
                    b,
                    p,
                    t,
                    "1.08",
                    "sts.amazonaws.com",
                    "GetCallerIdentity",
                    "sts.get-caller-identity",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":null,"responseElements":null"#);
            }
            Call::CreateTags {
                who,
                ids,
                key,
                value,
            } => {
                p = self.who(who);
                self.head(b, p, t, "1.09", ec2, "CreateTags", "ec2.create-tags", false);
                b.extend_from_slice(br#","requestParameters":{"resourcesSet":"#);
                Self::items(b, "resourceId", ids);
                w!(
                    b,
                    r#","tagSet":{{"items":[{{"key":"{key}","value":"{value}"}}]}}}},"responseElements":{{"requestId":"{rid}","_return":true}}"#
                );
            }
            Call::CreateSnapshot { who, vol, snap } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "CreateSnapshot",
                    "ec2.create-snapshot",
                    false,
                );
                let desc = match who {
                    Who::Dlm => {
                        "Created for policy: policy-0a1b2c3d4e5f60718 schedule: Default Schedule"
                    }
                    _ => "This snapshot is created by the AWS Backup service.",
                };
                w!(
                    b,
                    r#","requestParameters":{{"volumeId":"{vol}","description":"{desc}"}},"responseElements":{{"requestId":"{rid}","snapshotId":"{snap}","volumeId":"{vol}","status":"pending","startTime":{ms},"progress":"","ownerId":"{}","volumeSize":"8","description":"{desc}","encrypted":false}}"#,
                    self.acct
                );
            }
            Call::CopySnapshot {
                who,
                src,
                dst,
                src_region,
            } => {
                p = self.who(who);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "CopySnapshot",
                    "ec2.copy-snapshot",
                    false,
                );
                w!(
                    b,
                    r#","requestParameters":{{"sourceSnapshotId":"{src}","sourceRegion":"{src_region}","description":"This snapshot is created by the AWS Backup service.","encrypted":false}},"responseElements":{{"requestId":"{rid}","snapshotId":"{dst}"}}"#
                );
            }
            Call::AsgRun { ids, ami } => {
                p = self.who(&Who::Asg);
                self.run_instances(b, r, p, t, ami, &ids[0], &rid, false, Some("web-asg"));
            }
            Call::AsgTerminate { ids } => {
                p = self.who(&Who::Asg);
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    ec2,
                    "TerminateInstances",
                    "ec2.terminate-instances",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.push(b'}');
                Self::state_change(b, &rid, ids, (32, "shutting-down"), (16, "running"));
            }
        }
        self.tail(b, r, p, rid.bytes(), read_only, None, false, false, host);
    }
}
