//! Records of the fixed calls: planted scenarios and scheduled look-alikes.

use std::io::Write;

use super::calls::{Call, Who, ATTACKERS};
use super::generator::AwsGen;
use super::personas::Persona;
use crate::rng::{Rng, Uuid};
use crate::time::SEC;

impl AwsGen {
    pub(super) fn who(&self, who: &Who) -> &Persona {
        let i = match who {
            Who::Habit(k) => return &self.habit[*k as usize],
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
        let (p, read_only, host) = match call {
            Call::DescribeInstances { .. }
            | Call::DescribeSnapshots { .. }
            | Call::DescribeVolumes { .. } => {
                (self.describe(b, t, call), true, self.hosts.ec2.as_str())
            }
            Call::GetCallerIdentity { who } => {
                let p = self.who(who);
                let (v, src) = ("1.08", "sts.amazonaws.com");
                self.head(
                    b,
                    p,
                    t,
                    v,
                    src,
                    "GetCallerIdentity",
                    "sts.get-caller-identity",
                    false,
                );
                b.extend_from_slice(br#","requestParameters":null,"responseElements":null"#);
                (p, true, self.hosts.sts.as_str())
            }
            Call::StartRestoreJob { who, snap } => {
                let p = self.who(who);
                self.restore_job(b, r, p, t, snap);
                (p, false, self.hosts.backup.as_str())
            }
            Call::CreateVolume { .. }
            | Call::Attach { .. }
            | Call::Detach { .. }
            | Call::CreateSnapshot { .. }
            | Call::CopySnapshot { .. }
            | Call::RegisterImage { .. } => (
                self.fixed_storage(b, r, t, call, &rid),
                false,
                self.hosts.ec2.as_str(),
            ),
            Call::ReplaceRootVolume {
                who,
                inst,
                snap,
                delete,
            } => {
                let p = self.who(who);
                self.replace_root(b, r, p, t, (inst, snap), *delete, &rid);
                (p, false, self.hosts.ec2.as_str())
            }
            _ => (
                self.fixed_instances(b, r, t, call, &rid),
                false,
                self.hosts.ec2.as_str(),
            ),
        };
        self.call_tail(b, r, p, rid.bytes(), read_only, host);
    }

    /// A describe call of the fixed plan, from its row; returns the caller.
    fn describe(&self, b: &mut Vec<u8>, t: i64, call: &Call) -> &Persona {
        let (who, ids, row) = match call {
            Call::DescribeInstances { who, ids } => (who, ids, &FIXED_READS[0]),
            Call::DescribeSnapshots { who, snaps } => (who, snaps, &FIXED_READS[1]),
            Call::DescribeVolumes { who, vols } => (who, vols, &FIXED_READS[2]),
            _ => unreachable!("not a describe call"),
        };
        let p = self.who(who);
        self.ec2_head(b, p, t, row.name, row.cli);
        w!(b, r#","requestParameters":{{"{}":"#, row.set);
        Self::items(b, row.item, ids);
        w!(b, r#"{}}},"responseElements":null"#, row.rest);
        p
    }

    /// The head of an EC2 management call.
    fn ec2_head(&self, b: &mut Vec<u8>, p: &Persona, t: i64, name: &str, cli: &str) {
        self.call_head(b, p, t, "ec2.amazonaws.com", name, cli);
    }

    fn restore_job(&self, b: &mut Vec<u8>, r: &mut Rng, p: &Persona, t: i64, snap: &str) {
        let zone = &self.zones[0];
        let (source, name) = ("backup.amazonaws.com", "StartRestoreJob");
        self.call_head(b, p, t, source, name, "backup.start-restore-job");
        let job = r.uuid().to_string().to_uppercase();
        w!(
            b,
            r#","requestParameters":{{"recoveryPointArn":"arn:aws:ec2:{}::snapshot/{snap}","metadata":{{"availabilityZone":"{zone}","encrypted":"false","volumeType":"gp3","volumeSize":"8","iops":"3000","throughput":"125"}},"iamRoleArn":"arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole","idempotencyToken":"{}","resourceType":"EBS"}},"responseElements":{{"restoreJobId":"{job}"}}"#,
            self.region,
            self.acct,
            r.uuid()
        );
    }

    /// Instance state, type, tags and launches; returns the caller.
    fn fixed_instances(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        t: i64,
        call: &Call,
        rid: &Uuid,
    ) -> &Persona {
        match call {
            Call::Stop { who, ids } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "StopInstances", "ec2.stop-instances");
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.extend_from_slice(br#","force":false}"#);
                Self::state_change(b, rid, ids, (64, "stopping"), (16, "running"));
                p
            }
            Call::Start { who, ids } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "StartInstances", "ec2.start-instances");
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.push(b'}');
                Self::state_change(b, rid, ids, (0, "pending"), (80, "stopped"));
                p
            }
            Call::AsgTerminate { ids } => {
                let p = self.who(&Who::Asg);
                self.ec2_head(b, p, t, "TerminateInstances", "ec2.terminate-instances");
                b.extend_from_slice(br#","requestParameters":{"instancesSet":"#);
                Self::items(b, "instanceId", ids);
                b.push(b'}');
                Self::state_change(b, rid, ids, (32, "shutting-down"), (16, "running"));
                p
            }
            Call::RunInstance { who, ami, inst } => {
                let p = self.who(who);
                self.run_instances(b, r, p, t, ami, inst, rid, false, None);
                p
            }
            Call::AsgRun { ids, ami } => {
                let p = self.who(&Who::Asg);
                self.run_instances(b, r, p, t, ami, &ids[0], rid, false, Some("web-asg"));
                p
            }
            Call::ModifyType { who, inst, itype } => {
                let p = self.who(who);
                let cli = "ec2.modify-instance-attribute";
                self.ec2_head(b, p, t, "ModifyInstanceAttribute", cli);
                w!(
                    b,
                    r#","requestParameters":{{"instanceId":"{inst}","instanceType":{{"value":"{itype}"}}}},"responseElements":{{"requestId":"{rid}","_return":true}}"#
                );
                p
            }
            Call::CreateTags {
                who,
                ids,
                key,
                value,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "CreateTags", "ec2.create-tags");
                b.extend_from_slice(br#","requestParameters":{"resourcesSet":"#);
                Self::items(b, "resourceId", ids);
                w!(
                    b,
                    r#","tagSet":{{"items":[{{"key":"{key}","value":"{value}"}}]}}}},"responseElements":{{"requestId":"{rid}","_return":true}}"#
                );
                p
            }
            _ => unreachable!("not an instance call"),
        }
    }

    /// Volumes, snapshots and images; returns the caller.
    fn fixed_storage(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        t: i64,
        call: &Call,
        rid: &Uuid,
    ) -> &Persona {
        let ms = (t / SEC) * 1000;
        match call {
            Call::CreateVolume {
                who,
                snap,
                vol,
                az_key,
                tag,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "CreateVolume", "ec2.create-volume");
                self.create_volume(b, r, rid, ms, (snap, vol), *az_key, tag.as_ref());
                p
            }
            Call::Attach {
                who,
                vol,
                inst,
                device,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "AttachVolume", "ec2.attach-volume");
                w!(
                    b,
                    r#","requestParameters":{{"volumeId":"{vol}","instanceId":"{inst}","device":"{device}"}},"responseElements":{{"requestId":"{rid}","volumeId":"{vol}","instanceId":"{inst}","device":"{device}","status":"attaching","attachTime":{ms},"deleteOnTermination":false}}"#
                );
                p
            }
            Call::Detach {
                who,
                vol,
                inst,
                device,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "DetachVolume", "ec2.detach-volume");
                let attached = ms - (30 + r.below(60) as i64) * 86_400_000;
                w!(
                    b,
                    r#","requestParameters":{{"volumeId":"{vol}"}},"responseElements":{{"requestId":"{rid}","volumeId":"{vol}","instanceId":"{inst}","device":"{device}","status":"detaching","attachTime":{attached},"deleteOnTermination":true}}"#
                );
                p
            }
            _ => self.fixed_images(b, t, call, rid, ms),
        }
    }

    /// `CreateReplaceRootVolumeTask`, in the request and response shapes CloudTrail logs for
    /// the API's newer (query-wrapped) calls: the request under
    /// `CreateReplaceRootVolumeTaskRequest`, the task under `CreateReplaceRootVolumeTaskResponse`
    /// (docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateReplaceRootVolumeTask.html).
    #[allow(clippy::too_many_arguments)]
    fn replace_root(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        t: i64,
        (inst, snap): (&str, &str),
        delete: bool,
        rid: &Uuid,
    ) {
        let cli = "ec2.create-replace-root-volume-task";
        self.ec2_head(b, p, t, "CreateReplaceRootVolumeTask", cli);
        let token = r.uuid();
        let task = r.string(|r, v| {
            v.extend_from_slice(b"replacevol-0");
            r.hex(v, 16)
        });
        w!(
            b,
            r#","requestParameters":{{"CreateReplaceRootVolumeTaskRequest":{{"InstanceId":"{inst}","SnapshotId":"{snap}","DeleteReplacedRootVolume":{delete},"ClientToken":"{token}"}}}},"responseElements":{{"CreateReplaceRootVolumeTaskResponse":{{"xmlns":"http://ec2.amazonaws.com/doc/2016-11-15/","replaceRootVolumeTask":{{"replaceRootVolumeTaskId":"{task}","instanceId":"{inst}","taskState":"pending","startTime":"{}","tagSet":"","snapshotId":"{snap}","deleteReplacedRootVolume":{delete}}},"requestId":"{rid}"}}}}"#,
            crate::time::iso_string(t, 0)
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn create_volume(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        rid: &Uuid,
        ms: i64,
        (snap, vol): (&str, &str),
        az_key: bool,
        tag: Option<&(String, String)>,
    ) {
        let zone = &self.zones[0];
        let zk = if az_key { "availabilityZone" } else { "zone" };
        w!(
            b,
            r#","requestParameters":{{"snapshotId":"{snap}","{zk}":"{zone}","volumeType":"gp3","size":"8""#
        );
        let tags = tag.map(|(k, v)| format!(r#"[{{"key":"{k}","value":"{v}"}}]"#));
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

    /// Snapshots and images, which draw nothing; returns the caller.
    fn fixed_images(&self, b: &mut Vec<u8>, t: i64, call: &Call, rid: &Uuid, ms: i64) -> &Persona {
        match call {
            Call::RegisterImage {
                who,
                name,
                snap,
                ami,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "RegisterImage", "ec2.register-image");
                w!(
                    b,
                    r#","requestParameters":{{"name":"{name}","description":"web tier golden image","architecture":"x86_64","rootDeviceName":"/dev/xvda","blockDeviceMapping":{{"items":[{{"deviceName":"/dev/xvda","ebs":{{"snapshotId":"{snap}","volumeSize":"8","deleteOnTermination":true,"volumeType":"gp3"}}}}]}},"virtualizationType":"hvm","enaSupport":true,"bootMode":"uefi-preferred"}},"responseElements":{{"requestId":"{rid}","imageId":"{ami}"}}"#
                );
                p
            }
            Call::CreateSnapshot { who, vol, snap } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "CreateSnapshot", "ec2.create-snapshot");
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
                p
            }
            Call::CopySnapshot {
                who,
                src,
                dst,
                src_region,
            } => {
                let p = self.who(who);
                self.ec2_head(b, p, t, "CopySnapshot", "ec2.copy-snapshot");
                let desc = match who {
                    Who::Dlm => format!(
                        "Copied for DLM policy policy-0a1b2c3d4e5f60718 from {src} in {src_region}"
                    ),
                    Who::Habit(_) => format!("[Copied {src} from {src_region}] weekly DR copy"),
                    _ => "This snapshot is created by the AWS Backup service.".to_string(),
                };
                w!(
                    b,
                    r#","requestParameters":{{"sourceSnapshotId":"{src}","sourceRegion":"{src_region}","description":"{desc}","encrypted":false}},"responseElements":{{"requestId":"{rid}","snapshotId":"{dst}"}}"#
                );
                p
            }
            _ => unreachable!("not a snapshot or image call"),
        }
    }
}

/// A describe call of the fixed plan: which ids it names and how its parameters close.
struct FixedRead {
    name: &'static str,
    cli: &'static str,
    set: &'static str,
    item: &'static str,
    /// the parameters after the id set
    rest: &'static str,
}

/// `DescribeInstances`, `DescribeSnapshots` and `DescribeVolumes`, in this order.
const FIXED_READS: [FixedRead; 3] = [
    FixedRead {
        name: "DescribeInstances",
        cli: "ec2.describe-instances",
        set: "instancesSet",
        item: "instanceId",
        rest: r#","filterSet":{}"#,
    },
    FixedRead {
        name: "DescribeSnapshots",
        cli: "ec2.describe-snapshots",
        set: "snapshotSet",
        item: "snapshotId",
        rest: r#","ownersSet":{},"sharedUsersSet":{},"filterSet":{}"#,
    },
    FixedRead {
        name: "DescribeVolumes",
        cli: "ec2.describe-volumes",
        set: "volumeSet",
        item: "volumeId",
        rest: r#","filterSet":{}"#,
    },
];
