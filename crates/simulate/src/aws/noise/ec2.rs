//! EC2 noise: reads and everyday writes.

use std::io::Write;

use crate::aws::calls::noise_id;
use crate::aws::generator::{AwsGen, TAGS};
use crate::aws::personas::*;
use crate::rng::Rng;

impl AwsGen {
    pub(in crate::aws) fn read_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        const EV: [(&str, &str); 12] = [
            ("DescribeInstances", "ec2.describe-instances"),
            ("DescribeVolumes", "ec2.describe-volumes"),
            ("DescribeSnapshots", "ec2.describe-snapshots"),
            ("DescribeImages", "ec2.describe-images"),
            ("DescribeSecurityGroups", "ec2.describe-security-groups"),
            ("DescribeSubnets", "ec2.describe-subnets"),
            ("DescribeVpcs", "ec2.describe-vpcs"),
            ("DescribeInstanceStatus", "ec2.describe-instance-status"),
            (
                "DescribeNetworkInterfaces",
                "ec2.describe-network-interfaces",
            ),
            ("DescribeRouteTables", "ec2.describe-route-tables"),
            (
                "DescribeAvailabilityZones",
                "ec2.describe-availability-zones",
            ),
            ("DescribeTags", "ec2.describe-tags"),
        ];
        let pi = [ALICE, BOB, SSO, TF, CONFIG, INSPECTOR, APP, WIN]
            [r.weighted(&[18, 10, 10, 16, 16, 12, 10, 8])];
        let p = &self.p[pi];
        let k = r.weighted(&[22, 12, 8, 6, 8, 5, 5, 10, 6, 5, 3, 4]);
        let (name, cli) = EV[k];
        self.head(b, p, t, "1.09", "ec2.amazonaws.com", name, cli, false);
        if fail {
            Self::error(
                b,
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            );
        }
        b.extend_from_slice(br#","requestParameters":"#);
        let filter_value = |b: &mut Vec<u8>, name: &str, value: &str| {
            w!(
                b,
                r#""filterSet":{{"items":[{{"name":"{name}","valueSet":{{"items":[{{"value":"{value}"}}]}}}}]}}"#
            );
        };
        match k {
            0 => {
                if r.chance(0.5) {
                    b.extend_from_slice(br#"{"instancesSet":"#);
                    let n = 1 + r.below(3) as usize;
                    let ids: Vec<String> =
                        (0..n).map(|_| r.pick(&self.instances).clone()).collect();
                    Self::items(b, "instanceId", &ids);
                    b.extend_from_slice(br#","filterSet":{}}"#);
                } else {
                    b.extend_from_slice(br#"{"instancesSet":{},"#);
                    filter_value(b, "instance-state-name", "running");
                    b.push(b'}');
                }
            }
            1 => {
                if r.chance(0.5) {
                    b.extend_from_slice(br#"{"volumeSet":"#);
                    Self::items(b, "volumeId", &[r.pick(&self.volumes).clone()]);
                    b.extend_from_slice(br#","filterSet":{}}"#);
                } else {
                    b.extend_from_slice(br#"{"volumeSet":{},"#);
                    filter_value(b, "attachment.instance-id", r.pick::<String>(&self.instances));
                    b.push(b'}');
                }
            }
            2 => {
                if r.chance(0.6) {
                    b.extend_from_slice(
                        br#"{"snapshotSet":{},"ownersSet":{"items":[{"owner":"self"}]},"sharedUsersSet":{},"filterSet":{}}"#,
                    );
                } else {
                    b.extend_from_slice(br#"{"snapshotSet":"#);
                    Self::items(b, "snapshotId", &[r.pick(&self.snapshots).clone()]);
                    b.extend_from_slice(br#","ownersSet":{},"sharedUsersSet":{},"filterSet":{}}"#);
                }
            }
            3 => {
                b.extend_from_slice(br#"{"executableBySet":{},"imagesSet":"#);
                Self::items(b, "imageId", &[r.pick(&self.amis).clone()]);
                b.extend_from_slice(br#","ownersSet":{},"filterSet":{}}"#);
            }
            4 => {
                b.extend_from_slice(br#"{"securityGroupSet":{},"securityGroupIdSet":"#);
                Self::items(b, "groupId", &[r.pick(&self.sgs).clone()]);
                b.extend_from_slice(br#","filterSet":{}}"#);
            }
            5 => {
                b.extend_from_slice(br#"{"subnetSet":{},"#);
                filter_value(b, "vpc-id", r.pick::<String>(&self.vpcs));
                b.push(b'}');
            }
            6 => b.extend_from_slice(br#"{"vpcSet":{},"filterSet":{}}"#),
            7 => b.extend_from_slice(
                br#"{"instancesSet":{},"filterSet":{},"includeAllInstances":false}"#,
            ),
            8 => {
                b.extend_from_slice(br#"{"networkInterfaceIdSet":{},"#);
                filter_value(b, "attachment.instance-id", r.pick::<String>(&self.instances));
                b.push(b'}');
            }
            9 => {
                b.extend_from_slice(br#"{"routeTableIdSet":{},"#);
                filter_value(b, "vpc-id", r.pick::<String>(&self.vpcs));
                b.push(b'}');
            }
            10 => b.extend_from_slice(
                br#"{"availabilityZoneSet":{},"availabilityZoneIdSet":{},"allAvailabilityZones":false}"#,
            ),
            _ => {
                b.push(b'{');
                filter_value(b, "resource-id", r.pick::<String>(&self.instances));
                b.push(b'}');
            }
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let rid = r.uuid();
        self.tail(
            b,
            r,
            p,
            rid.bytes(),
            true,
            None,
            false,
            false,
            &self.hosts.ec2,
        );
    }

    pub(in crate::aws) fn write_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let k = r.weighted(&[50, 17, 33]);
        let pi = [TF, ALICE, SSO][r.weighted(&[60, 25, 15])];
        let p = &self.p[pi];
        let rid = r.uuid();
        match k {
            0 => {
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "ec2.amazonaws.com",
                    "CreateTags",
                    "ec2.create-tags",
                    false,
                );
                if fail {
                    Self::error(
                        b,
                        "Client.UnauthorizedOperation",
                        "You are not authorized to perform this operation.",
                    );
                }
                b.extend_from_slice(br#","requestParameters":{"resourcesSet":"#);
                let id = if r.chance(0.6) {
                    r.pick(&self.instances)
                } else {
                    r.pick(&self.volumes)
                };
                Self::items(b, "resourceId", std::slice::from_ref(id));
                let (tk, tv) = r.pick(&TAGS);
                w!(
                    b,
                    r#","tagSet":{{"items":[{{"key":"{tk}","value":"{tv}"}}]}}}}"#
                );
                if fail {
                    b.extend_from_slice(br#","responseElements":null"#);
                } else {
                    w!(
                        b,
                        r#","responseElements":{{"requestId":"{rid}","_return":true}}"#
                    );
                }
            }
            1 => {
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "ec2.amazonaws.com",
                    "ModifyInstanceAttribute",
                    "ec2.modify-instance-attribute",
                    false,
                );
                if fail {
                    Self::error(
                        b,
                        "Client.IncorrectInstanceState",
                        "The instance is not in the 'stopped' state.",
                    );
                }
                let inst = r.pick(&self.instances);
                if r.chance(0.5) {
                    w!(
                        b,
                        r#","requestParameters":{{"instanceId":"{inst}","disableApiTermination":{{"value":true}}}}"#
                    );
                } else {
                    w!(
                        b,
                        r#","requestParameters":{{"instanceId":"{inst}","groupSet":{{"items":[{{"groupId":"{}"}}]}}}}"#,
                        r.pick(&self.sgs)
                    );
                }
                if fail {
                    b.extend_from_slice(br#","responseElements":null"#);
                } else {
                    w!(
                        b,
                        r#","responseElements":{{"requestId":"{rid}","_return":true}}"#
                    );
                }
            }
            _ => {
                let ami = r.pick(&self.amis).clone();
                let inst = noise_id(r, "i");
                self.run_instances(b, r, p, t, &ami, &inst, &rid, fail, None);
            }
        }
        self.tail(
            b,
            r,
            p,
            rid.bytes(),
            false,
            None,
            false,
            false,
            &self.hosts.ec2,
        );
    }
}
