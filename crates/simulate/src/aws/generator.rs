//! The AWS record renderer: one account and region for one day.

use std::mem::take;

use super::calls::{noise_id, Call};
use super::personas::*;
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{derive, Rng};
use crate::time::HOUR;

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

impl AwsGen {
    pub(crate) fn new(
        acct: &str,
        region: &str,
        regions: &[String],
        pool_seed: u64,
        shard_seed: u64,
        day: i64,
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
        let bucket_names = [
            (format!("acme-data-lake-{acct}"), "exports/"),
            (format!("acme-app-assets-{region}"), "static/"),
            (format!("aws-cloudtrail-logs-{acct}-5d2a1c"), "AWSLogs/"),
            (format!("acme-backups-{acct}"), "db/"),
            ("acme-uploads-prod".to_string(), "uploads/"),
            (format!("acme-athena-results-{region}"), "results/"),
        ];
        let buckets = bucket_names
            .into_iter()
            .map(|(name, prefix)| Bucket {
                host: format!("{name}.s3.{region}.amazonaws.com"),
                name,
                prefix,
            })
            .collect();
        let zones = ["a", "b", "c"]
            .iter()
            .map(|z| format!("{region}{z}"))
            .collect();
        let other_region = regions
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
            });
        let created = |r: &mut Rng, base: i64| base + r.below(3 * HOUR as u64) as i64;
        let inst0 = instances[5].clone();
        let inst1 = instances[9].clone();
        let p = vec![
            Persona {
                ident: iam_user(acct, "alice"),
                ip: "192.0.2.10".into(),
                ua: Ua::Cli(CLI_LINUX),
                tls: true,
                console: false,
            },
            Persona {
                ident: iam_user(acct, "bob.smith"),
                ip: "192.0.2.11".into(),
                ua: Ua::Fixed(BOTO3.into()),
                tls: true,
                console: false,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    "AWSReservedSSO_AdministratorAccess_4f1e9c2b7a3d8e60",
                    "aws-reserved/sso.amazonaws.com/",
                    "dana.lopez@example.com",
                    created(&mut srng, day + 7 * HOUR),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "192.0.2.12".into(),
                ua: Ua::Console,
                tls: false,
                console: true,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    "github-actions-terraform",
                    "",
                    "GitHubActions",
                    created(&mut srng, day),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "20.57.181.9".into(),
                ua: Ua::Fixed(TERRAFORM.into()),
                tls: true,
                console: false,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    "app-server-role",
                    "",
                    &inst0,
                    created(&mut srng, day),
                    None,
                    true,
                    &mut srng,
                ),
                ip: "54.211.87.130".into(),
                ua: Ua::Fixed(JAVA.into()),
                tls: true,
                console: false,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    "order-processor-role",
                    "service-role/",
                    "order-processor",
                    created(&mut srng, day),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "3.91.204.17".into(),
                ua: Ua::Fixed(BOTO3_LAMBDA.into()),
                tls: true,
                console: false,
            },
            service_persona(
                assumed_role(
                    acct,
                    "AWSServiceRoleForConfig",
                    "aws-service-role/config.amazonaws.com/",
                    "AWSConfig-Describe",
                    created(&mut srng, day),
                    Some("config.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "config.amazonaws.com",
            ),
            service_persona(
                assumed_role(
                    acct,
                    "AWSServiceRoleForAmazonInspector2",
                    "aws-service-role/inspector2.amazonaws.com/",
                    "MandoService4183920447152209117",
                    created(&mut srng, day),
                    Some("inspector2.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "inspector2.amazonaws.com",
            ),
            service_persona(
                r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#.into(),
                "cloudtrail.amazonaws.com",
            ),
            Persona {
                ident: assumed_role(
                    acct,
                    "AmazonSSMRoleForInstancesQuickSetup",
                    "",
                    &inst1,
                    created(&mut srng, day),
                    None,
                    true,
                    &mut srng,
                ),
                ip: "54.166.23.201".into(),
                ua: Ua::Fixed(SSM_AGENT.into()),
                tls: true,
                console: false,
            },
            service_persona(
                assumed_role(
                    acct,
                    "app-server-role",
                    "",
                    &inst0,
                    created(&mut srng, day),
                    Some("AWS Internal"),
                    true,
                    &mut srng,
                ),
                "AWS Internal",
            ),
            Persona {
                ident: iam_user(acct, "r.kumar"),
                ip: "192.0.2.23".into(),
                ua: Ua::Cli(CLI_WIN),
                tls: true,
                console: false,
            },
        ];
        let sso_hex = "7c2e04a1b9d35f68";
        let special = vec![
            Persona {
                ident: iam_user(acct, "svc-reporting"),
                ip: "203.0.113.66".into(),
                ua: Ua::Cli(CLI_LINUX),
                tls: true,
                console: false,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    &format!("AWSReservedSSO_PowerUserAccess_{sso_hex}"),
                    "aws-reserved/sso.amazonaws.com/",
                    "c.lee@example.com",
                    created(&mut srng, day),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "198.51.100.77".into(),
                ua: Ua::Cli(CLI_MAC),
                tls: true,
                console: false,
            },
            Persona {
                ident: iam_user(acct, "ci-deployer"),
                ip: "203.0.113.201".into(),
                ua: Ua::Fixed(BOTO3.into()),
                tls: true,
                console: false,
            },
            Persona {
                ident: assumed_role(
                    acct,
                    "OpsAdmin",
                    "",
                    "jane.doe",
                    created(&mut srng, day + 6 * HOUR),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "198.51.100.23".into(),
                ua: Ua::Console,
                tls: false,
                console: true,
            },
            Persona {
                ident: iam_user(acct, "dr-operator"),
                ip: "198.51.100.40".into(),
                ua: Ua::Cli(CLI_LINUX),
                tls: true,
                console: false,
            },
            service_persona(
                assumed_role(
                    acct,
                    "AWSBackupDefaultServiceRole",
                    "service-role/",
                    "AWSBackup-AWSBackupDefaultServiceRole",
                    created(&mut srng, day),
                    Some("backup.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "backup.amazonaws.com",
            ),
            Persona {
                ident: assumed_role(
                    acct,
                    "InstanceScheduler-SchedulerRole-1ABCDEF",
                    "",
                    "InstanceScheduler-SchedulerMain-7QK2Z4XH1B0R",
                    created(&mut srng, day),
                    None,
                    false,
                    &mut srng,
                ),
                ip: "3.236.118.42".into(),
                ua: Ua::Fixed(SCHED_UA.into()),
                tls: true,
                console: false,
            },
            service_persona(
                assumed_role(
                    acct,
                    "AWSServiceRoleForAutoScaling",
                    "aws-service-role/autoscaling.amazonaws.com/",
                    "AutoScaling",
                    created(&mut srng, day),
                    Some("autoscaling.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "autoscaling.amazonaws.com",
            ),
            service_persona(
                assumed_role(
                    acct,
                    "AWSDataLifecycleManagerDefaultRole",
                    "service-role/",
                    "DataLifecycleManager",
                    created(&mut srng, day),
                    Some("dlm.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "dlm.amazonaws.com",
            ),
            service_persona(
                assumed_role(
                    acct,
                    "AWSServiceRoleForBackup",
                    "aws-service-role/backup.amazonaws.com/",
                    "AWSBackup-AWSServiceRoleForBackup",
                    created(&mut srng, day),
                    Some("backup.amazonaws.com"),
                    false,
                    &mut srng,
                ),
                "backup.amazonaws.com",
            ),
        ];
        let sched = instances[..4].to_vec();
        let asg_ami = amis[0].clone();
        let mut lt = b"lt-0".to_vec();
        pool.hex(&mut lt, 16);
        AwsGen {
            acct: acct.to_string(),
            region: region.to_string(),
            first_region: regions.first().map(String::as_str) == Some(region),
            other_region,
            zones,
            hosts: Hosts {
                ec2: format!("ec2.{region}.amazonaws.com"),
                sts: format!("sts.{region}.amazonaws.com"),
                kms: format!("kms.{region}.amazonaws.com"),
                ssm: format!("ssm.{region}.amazonaws.com"),
                secrets: format!("secretsmanager.{region}.amazonaws.com"),
                logs: format!("logs.{region}.amazonaws.com"),
                backup: format!("backup.{region}.amazonaws.com"),
                s3: format!("s3.{region}.amazonaws.com"),
            },
            p,
            special,
            instances,
            volumes,
            snapshots,
            amis,
            sgs,
            subnets,
            vpcs,
            buckets,
            keys,
            roles: ROLES.to_vec(),
            users: USERS.to_vec(),
            sched,
            asg_ami,
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
