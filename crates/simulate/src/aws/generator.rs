//! The AWS record renderer: one account and region for one day.

use std::mem::take;

use super::calls::{noise_id, Call};
use super::personas::Persona;
use super::roster::{cast, habit_cast, NOISE, SPECIAL};
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{derive, Rng};

pub(super) struct Bucket {
    pub(super) name: String,
    pub(super) host: String,
    pub(super) prefix: &'static str,
}

pub(crate) struct AwsGen {
    pub(super) acct: String,
    pub(super) region: String,
    pub(super) other_region: String,
    pub(super) first_region: bool,
    pub(super) zones: Vec<String>,
    pub(super) hosts: Hosts,
    pub(super) p: Vec<Persona>,
    pub(super) special: Vec<Persona>,
    /// the estate's habit cast, empty unless the run has habits
    pub(super) habit: Vec<Persona>,
    pub(super) instances: Vec<String>,
    pub(super) volumes: Vec<String>,
    pub(super) snapshots: Vec<String>,
    pub(super) amis: Vec<String>,
    pub(super) sgs: Vec<String>,
    pub(super) subnets: Vec<String>,
    pub(super) vpcs: Vec<String>,
    pub(super) buckets: Vec<Bucket>,
    pub(super) keys: Vec<String>,
    pub(super) roles: Vec<&'static str>,
    pub(super) users: Vec<&'static str>,
    pub(super) sched: Vec<String>,
    pub(super) asg_ami: String,
    pub(super) launch_template: String,
    pub(super) shard_seed: u64,
    pub(super) buf: Vec<u8>,
}

pub(super) struct Hosts {
    pub(super) ec2: String,
    pub(super) sts: String,
    pub(super) kms: String,
    pub(super) ssm: String,
    pub(super) secrets: String,
    pub(super) logs: String,
    pub(super) backup: String,
    pub(super) s3: String,
}

pub(super) const ROLES: [&str; 10] = [
    "app-server-role",
    "order-processor-role",
    "github-actions-terraform",
    "OrganizationAccountAccessRole",
    "AWSServiceRoleForConfig",
    "data-pipeline-role",
    "eks-node-group-role",
    "ReadOnlyAuditor",
    "AmazonSSMRoleForInstancesQuickSetup",
    "lambda-edge-role",
];
pub(super) const USERS: [&str; 6] = [
    "alice",
    "bob.smith",
    "svc-monitoring",
    "ci-bot",
    "r.kumar",
    "m.chen",
];
pub(super) const TAGS: [(&str, &str); 6] = [
    ("Owner", "platform-team"),
    ("CostCenter", "cc-4410"),
    ("Environment", "prod"),
    ("Patch Group", "linux-prod"),
    ("Backup", "daily"),
    ("Service", "checkout"),
];

impl Hosts {
    fn new(region: &str) -> Hosts {
        Hosts {
            ec2: format!("ec2.{region}.amazonaws.com"),
            sts: format!("sts.{region}.amazonaws.com"),
            kms: format!("kms.{region}.amazonaws.com"),
            ssm: format!("ssm.{region}.amazonaws.com"),
            secrets: format!("secretsmanager.{region}.amazonaws.com"),
            logs: format!("logs.{region}.amazonaws.com"),
            backup: format!("backup.{region}.amazonaws.com"),
            s3: format!("s3.{region}.amazonaws.com"),
        }
    }
}

fn buckets(acct: &str, region: &str) -> Vec<Bucket> {
    let names = [
        (format!("acme-data-lake-{acct}"), "exports/"),
        (format!("acme-app-assets-{region}"), "static/"),
        (format!("aws-cloudtrail-logs-{acct}-5d2a1c"), "AWSLogs/"),
        (format!("acme-backups-{acct}"), "db/"),
        ("acme-uploads-prod".to_string(), "uploads/"),
        (format!("acme-athena-results-{region}"), "results/"),
    ];
    names
        .into_iter()
        .map(|(name, prefix)| Bucket {
            host: format!("{name}.s3.{region}.amazonaws.com"),
            name,
            prefix,
        })
        .collect()
}

/// Another region of the run for cross-region copies, or a usual second region.
fn other_region(region: &str, regions: &[String]) -> String {
    regions
        .iter()
        .find(|r| *r != region)
        .cloned()
        .unwrap_or_else(|| {
            if region == "us-west-2" {
                "us-east-1"
            } else {
                "us-west-2"
            }
            .to_string()
        })
}

impl AwsGen {
    pub(crate) fn new(
        acct: &str,
        region: &str,
        regions: &[String],
        (pool_seed, shard_seed): (u64, u64),
        day: i64,
        habits: usize,
    ) -> AwsGen {
        let mut pool = Rng::new(pool_seed);
        let mut srng = Rng::new(derive(shard_seed, "personas", 0));
        let n = |pool: &mut Rng, prefix: &str, k: usize| -> Vec<String> {
            (0..k).map(|_| noise_id(pool, prefix)).collect()
        };
        let instances = n(&mut pool, "i", 48);
        let volumes = n(&mut pool, "vol", 64);
        let snapshots = n(&mut pool, "snap", 40);
        let amis = n(&mut pool, "ami", 10);
        let sgs = n(&mut pool, "sg", 10);
        let subnets = n(&mut pool, "subnet", 6);
        let vpcs = n(&mut pool, "vpc", 2);
        let keys = (0..4).map(|_| pool.uuid().to_string()).collect();
        let p = cast(&NOISE, acct, &instances, &mut srng, day);
        let special = cast(&SPECIAL, acct, &instances, &mut srng, day);
        let mut hrng = Rng::new(derive(shard_seed, "habit-cast", 0));
        let habit = habit_cast(acct, region, habits, &mut hrng, day);
        let mut lt = b"lt-0".to_vec();
        pool.hex(&mut lt, 16);
        AwsGen {
            acct: acct.to_string(),
            region: region.to_string(),
            first_region: regions.first().map(String::as_str) == Some(region),
            other_region: other_region(region, regions),
            zones: ["a", "b", "c"]
                .iter()
                .map(|z| format!("{region}{z}"))
                .collect(),
            hosts: Hosts::new(region),
            p,
            special,
            habit,
            sched: instances[..4].to_vec(),
            asg_ami: amis[0].clone(),
            instances,
            volumes,
            snapshots,
            amis,
            sgs,
            subnets,
            vpcs,
            buckets: buckets(acct, region),
            keys,
            roles: ROLES.to_vec(),
            users: USERS.to_vec(),
            launch_template: String::from_utf8(lt).expect("ascii"),
            shard_seed,
            buf: Vec::with_capacity(8192),
        }
    }
}

impl Gen for AwsGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        if !primary {
            return Vec::new();
        }
        self.look_alikes(a, b)
    }

    fn begin_chunk(&mut self, _rng: &mut Rng, _a: i64, _b: i64) {}

    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let mut b = take(&mut self.buf);
        b.clear();
        let r = &mut e.rng;
        let fail = r.chance(0.02);
        let global = self.region == "us-east-1";
        match r.weighted(&[380, 120, 100, 200, 80, 50, 30, 40]) {
            0 => self.read_ec2(&mut b, r, t, fail),
            1 if global => self.read_iam(&mut b, r, t, fail),
            1 => self.read_ec2(&mut b, r, t, fail),
            2 => self.read_s3(&mut b, r, t, fail),
            3 => self.data_s3(&mut b, r, t, fail),
            4 => self.kms(&mut b, r, t, fail),
            5 => self.sts(&mut b, r, t, fail),
            6 => self.write_ec2(&mut b, r, t, fail),
            _ => self.other(&mut b, r, t, fail),
        }
        let res = e.now(0, &b);
        self.buf = b;
        res
    }

    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Call>) -> Result<()> {
        let call = &f.call;
        let mut b = take(&mut self.buf);
        b.clear();
        self.render_fixed(&mut b, &mut e.rng, f.t, call);
        let res = e.now(0, &b);
        self.buf = b;
        res
    }
}
