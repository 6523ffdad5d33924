//! EC2 noise: reads and everyday writes.

use std::io::Write;

use crate::aws::calls::noise_id;
use crate::aws::generator::{AwsGen, TAGS};
use crate::aws::personas::*;
use crate::rng::{Rng, Uuid};

impl AwsGen {
    pub(in crate::aws) fn read_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let pi = [ALICE, BOB, SSO, TF, CONFIG, INSPECTOR, APP, WIN]
            [r.weighted(&[18, 10, 10, 16, 16, 12, 10, 8])];
        let p = &self.p[pi];
        let read = &EC2_READS[r.weighted(&EC2_READ_WEIGHTS)];
        self.call_head(b, p, t, "ec2.amazonaws.com", read.name, read.cli);
        if fail {
            Self::error(
                b,
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            );
        }
        b.extend_from_slice(br#","requestParameters":"#);
        self.ec2_params(b, r, &read.params);
        b.extend_from_slice(br#","responseElements":null"#);
        let rid = r.uuid();
        let host = &self.hosts.ec2;
        self.call_tail(b, r, p, rid.bytes(), true, host);
    }

    fn ec2_pool(&self, pool: Pool) -> &[String] {
        match pool {
            Pool::Instances => &self.instances,
            Pool::Volumes => &self.volumes,
            Pool::Snapshots => &self.snapshots,
            Pool::Amis => &self.amis,
            Pool::Sgs => &self.sgs,
            Pool::Vpcs => &self.vpcs,
        }
    }

    /// Writes the request parameters of a read, drawing as `params` says.
    fn ec2_params(&self, b: &mut Vec<u8>, r: &mut Rng, params: &Params) {
        match params {
            Params::Fixed(s) => b.extend_from_slice(s.as_bytes()),
            Params::Ids {
                open,
                key,
                pool,
                up_to,
                close,
            } => {
                b.extend_from_slice(open.as_bytes());
                let n = if *up_to > 1 {
                    1 + r.below(*up_to) as usize
                } else {
                    1
                };
                let pool = self.ec2_pool(*pool);
                let ids: Vec<String> = (0..n).map(|_| r.pick(pool).clone()).collect();
                Self::items(b, key, &ids);
                b.extend_from_slice(close.as_bytes());
            }
            Params::Filter { open, name, value } => {
                b.extend_from_slice(open.as_bytes());
                let value = match value {
                    Value::Fixed(v) => v,
                    Value::Pick(pool) => r.pick(self.ec2_pool(*pool)).as_str(),
                };
                w!(
                    b,
                    r#""filterSet":{{"items":[{{"name":"{name}","valueSet":{{"items":[{{"value":"{value}"}}]}}}}]}}"#
                );
                b.push(b'}');
            }
            Params::Either(p, first, second) => {
                let params = if r.chance(*p) { first } else { second };
                self.ec2_params(b, r, params);
            }
        }
    }

    pub(in crate::aws) fn write_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let k = r.weighted(&[50, 17, 33]);
        let pi = [TF, ALICE, SSO][r.weighted(&[60, 25, 15])];
        let p = &self.p[pi];
        let rid = r.uuid();
        match k {
            0 => self.noise_tags(b, r, p, t, fail, &rid),
            1 => self.noise_modify(b, r, p, t, fail, &rid),
            _ => {
                let ami = r.pick(&self.amis).clone();
                let inst = noise_id(r, "i");
                self.run_instances(b, r, p, t, &ami, &inst, &rid, fail, None);
            }
        }
        self.call_tail(b, r, p, rid.bytes(), false, &self.hosts.ec2);
    }

    /// Tags on an instance or a volume.
    fn noise_tags(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        t: i64,
        fail: bool,
        rid: &Uuid,
    ) {
        self.call_head(
            b,
            p,
            t,
            "ec2.amazonaws.com",
            "CreateTags",
            "ec2.create-tags",
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

    /// Termination protection or security groups of an instance.
    fn noise_modify(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        t: i64,
        fail: bool,
        rid: &Uuid,
    ) {
        self.call_head(
            b,
            p,
            t,
            "ec2.amazonaws.com",
            "ModifyInstanceAttribute",
            "ec2.modify-instance-attribute",
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
}

/// The account's ids that a read names.
#[derive(Clone, Copy)]
enum Pool {
    Instances,
    Volumes,
    Snapshots,
    Amis,
    Sgs,
    Vpcs,
}

enum Value {
    Fixed(&'static str),
    /// one id of the pool, drawn
    Pick(Pool),
}

/// The request parameters of an EC2 read, and what they draw.
enum Params {
    Fixed(&'static str),
    /// `open`, an `items` list of ids, `close`; one id, or 1 to `up_to` drawn ids
    Ids {
        open: &'static str,
        key: &'static str,
        pool: Pool,
        up_to: u64,
        close: &'static str,
    },
    /// `open`, a one-value `filterSet`, `}`
    Filter {
        open: &'static str,
        name: &'static str,
        value: Value,
    },
    /// the first with this chance, else the second
    Either(f64, &'static Params, &'static Params),
}

struct Ec2Read {
    name: &'static str,
    cli: &'static str,
    params: Params,
}

const fn read(name: &'static str, cli: &'static str, params: Params) -> Ec2Read {
    Ec2Read { name, cli, params }
}

const fn ids(open: &'static str, key: &'static str, pool: Pool, close: &'static str) -> Params {
    Params::Ids {
        open,
        key,
        pool,
        up_to: 1,
        close,
    }
}

const fn filter(open: &'static str, name: &'static str, value: Value) -> Params {
    Params::Filter { open, name, value }
}

const NO_FILTER: &str = r#","filterSet":{}}"#;

/// How often each of `EC2_READS` is made, in order.
const EC2_READ_WEIGHTS: [u32; 12] = [22, 12, 8, 6, 8, 5, 5, 10, 6, 5, 3, 4];

const EC2_READS: [Ec2Read; 12] = [
    read(
        "DescribeInstances",
        "ec2.describe-instances",
        Params::Either(
            0.5,
            &Params::Ids {
                open: r#"{"instancesSet":"#,
                key: "instanceId",
                pool: Pool::Instances,
                up_to: 3,
                close: NO_FILTER,
            },
            &filter(
                r#"{"instancesSet":{},"#,
                "instance-state-name",
                Value::Fixed("running"),
            ),
        ),
    ),
    read(
        "DescribeVolumes",
        "ec2.describe-volumes",
        Params::Either(
            0.5,
            &ids(r#"{"volumeSet":"#, "volumeId", Pool::Volumes, NO_FILTER),
            &filter(
                r#"{"volumeSet":{},"#,
                "attachment.instance-id",
                Value::Pick(Pool::Instances),
            ),
        ),
    ),
    read(
        "DescribeSnapshots",
        "ec2.describe-snapshots",
        Params::Either(
            0.6,
            &Params::Fixed(
                r#"{"snapshotSet":{},"ownersSet":{"items":[{"owner":"self"}]},"sharedUsersSet":{},"filterSet":{}}"#,
            ),
            &ids(
                r#"{"snapshotSet":"#,
                "snapshotId",
                Pool::Snapshots,
                r#","ownersSet":{},"sharedUsersSet":{},"filterSet":{}}"#,
            ),
        ),
    ),
    read(
        "DescribeImages",
        "ec2.describe-images",
        ids(
            r#"{"executableBySet":{},"imagesSet":"#,
            "imageId",
            Pool::Amis,
            r#","ownersSet":{},"filterSet":{}}"#,
        ),
    ),
    read(
        "DescribeSecurityGroups",
        "ec2.describe-security-groups",
        ids(
            r#"{"securityGroupSet":{},"securityGroupIdSet":"#,
            "groupId",
            Pool::Sgs,
            NO_FILTER,
        ),
    ),
    read(
        "DescribeSubnets",
        "ec2.describe-subnets",
        filter(r#"{"subnetSet":{},"#, "vpc-id", Value::Pick(Pool::Vpcs)),
    ),
    read(
        "DescribeVpcs",
        "ec2.describe-vpcs",
        Params::Fixed(r#"{"vpcSet":{},"filterSet":{}}"#),
    ),
    read(
        "DescribeInstanceStatus",
        "ec2.describe-instance-status",
        Params::Fixed(r#"{"instancesSet":{},"filterSet":{},"includeAllInstances":false}"#),
    ),
    read(
        "DescribeNetworkInterfaces",
        "ec2.describe-network-interfaces",
        filter(
            r#"{"networkInterfaceIdSet":{},"#,
            "attachment.instance-id",
            Value::Pick(Pool::Instances),
        ),
    ),
    read(
        "DescribeRouteTables",
        "ec2.describe-route-tables",
        filter(
            r#"{"routeTableIdSet":{},"#,
            "vpc-id",
            Value::Pick(Pool::Vpcs),
        ),
    ),
    read(
        "DescribeAvailabilityZones",
        "ec2.describe-availability-zones",
        Params::Fixed(
            r#"{"availabilityZoneSet":{},"availabilityZoneIdSet":{},"allAvailabilityZones":false}"#,
        ),
    ),
    read(
        "DescribeTags",
        "ec2.describe-tags",
        filter("{", "resource-id", Value::Pick(Pool::Instances)),
    ),
];
