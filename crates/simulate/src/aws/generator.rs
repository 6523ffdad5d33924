//! The AWS record renderer: one account and region for one day.

use std::io::Write;
use std::mem::take;

use super::calls::{noise_id, Call, Who, ATTACKERS};
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{derive, hash, Rng};
use crate::time::{self, DAY, HOUR, MIN, SEC};

const CLI_LINUX: &str =
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/";
const CLI_MAC: &str = "aws-cli/2.17.2 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off command/";
const CLI_WIN: &str = "aws-cli/2.13.4 Python/3.11.4 Windows/10 exe/AMD64 prompt/off command/";
const BOTO3: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51";
const BOTO3_LAMBDA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.877.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.51";
const TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0";
const JAVA: &str = "aws-sdk-java/2.25.11 Linux/6.1.79-99.164.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy";
const SSM_AGENT: &str = "aws-sdk-go/1.44.329 (go1.21.6; linux; amd64) amazon-ssm-agent/3.3.40.0";
const SCHED_UA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.877.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.34.51 AwsSolution/SO0030/v1.5.6";

enum Ua {
    Cli(&'static str),
    Fixed(String),
    /// console.ec2.amazonaws.com for EC2, AWS Internal elsewhere
    Console,
}

struct Persona {
    ident: String,
    ip: String,
    ua: Ua,
    tls: bool,
    console: bool,
}

// noise personas
const ALICE: usize = 0;
const BOB: usize = 1;
const SSO: usize = 2;
const TF: usize = 3;
const APP: usize = 4;
const LAMBDA: usize = 5;
const CONFIG: usize = 6;
const INSPECTOR: usize = 7;
const CT: usize = 8;
const SSM: usize = 9;
const INTERNAL: usize = 10;
const WIN: usize = 11;

fn pid(prefix: &str, acct: &str, name: &str) -> String {
    let mut r = Rng::new(hash(&[acct.as_bytes(), name.as_bytes(), prefix.as_bytes()]));
    let mut v = prefix.as_bytes().to_vec();
    r.upper_alnum(&mut v, if prefix.starts_with("AKIA") { 16 } else { 17 });
    String::from_utf8(v).expect("ascii")
}

fn iam_user(acct: &str, name: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"{}","arn":"arn:aws:iam::{acct}:user/{name}","accountId":"{acct}","accessKeyId":"{}","userName":"{name}"}}"#,
        pid("AIDA", acct, name),
        pid("AKIA", acct, name),
    )
}

/// An assumed-role session; `path` is the role's IAM path (`""`, `service-role/`, ...).
#[allow(clippy::too_many_arguments)]
fn assumed_role(
    acct: &str,
    role: &str,
    path: &str,
    session: &str,
    created: i64,
    invoked_by: Option<&str>,
    ec2_delivery: bool,
    rng: &mut Rng,
) -> String {
    let role_id = pid("AROA", acct, role);
    let mut key = b"ASIA".to_vec();
    rng.upper_alnum(&mut key, 16);
    let mut s = format!(
        r#"{{"type":"AssumedRole","principalId":"{role_id}:{session}","arn":"arn:aws:sts::{acct}:assumed-role/{role}/{session}","accountId":"{acct}","accessKeyId":"{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{acct}:role/{path}{role}","accountId":"{acct}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}"#,
        String::from_utf8(key).expect("ascii"),
        time::iso_string(created, 0),
    );
    if ec2_delivery {
        s.push_str(r#","ec2RoleDelivery":"2.0""#);
    }
    s.push('}');
    if let Some(by) = invoked_by {
        s.push_str(&format!(r#","invokedBy":"{by}""#));
    }
    s.push('}');
    s
}

fn service_persona(ident: String, host: &str) -> Persona {
    Persona {
        ident,
        ip: host.to_string(),
        ua: Ua::Fixed(host.to_string()),
        tls: false,
        console: false,
    }
}

struct Bucket {
    name: String,
    host: String,
    prefix: &'static str,
}

pub(crate) struct AwsGen {
    acct: String,
    region: String,
    other_region: String,
    first_region: bool,
    zones: Vec<String>,
    hosts: Hosts,
    p: Vec<Persona>,
    special: Vec<Persona>,
    instances: Vec<String>,
    volumes: Vec<String>,
    snapshots: Vec<String>,
    amis: Vec<String>,
    sgs: Vec<String>,
    subnets: Vec<String>,
    vpcs: Vec<String>,
    buckets: Vec<Bucket>,
    keys: Vec<String>,
    roles: Vec<&'static str>,
    users: Vec<&'static str>,
    sched: Vec<String>,
    asg_ami: String,
    launch_template: String,
    shard_seed: u64,
    buf: Vec<u8>,
}

struct Hosts {
    ec2: String,
    sts: String,
    kms: String,
    ssm: String,
    secrets: String,
    logs: String,
    backup: String,
    s3: String,
}

const ROLES: [&str; 10] = [
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
const USERS: [&str; 6] = [
    "alice",
    "bob.smith",
    "svc-monitoring",
    "ci-bot",
    "r.kumar",
    "m.chen",
];
const TAGS: [(&str, &str); 6] = [
    ("Owner", "platform-team"),
    ("CostCenter", "cc-4410"),
    ("Environment", "prod"),
    ("Patch Group", "linux-prod"),
    ("Backup", "daily"),
    ("Service", "checkout"),
];

impl AwsGen {
    pub fn new(
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

    fn who(&self, who: &Who) -> &Persona {
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

    /// `{"eventVersion":...,"userAgent":"..."` and, for a failure, `errorCode`/`errorMessage`.
    #[allow(clippy::too_many_arguments)]
    fn head(
        &self,
        b: &mut Vec<u8>,
        p: &Persona,
        t: i64,
        version: &str,
        source: &str,
        name: &str,
        cli: &str,
        global: bool,
    ) {
        w!(
            b,
            r#"{{"eventVersion":"{version}","userIdentity":{},"eventTime":""#,
            p.ident
        );
        time::iso(b, t, 0);
        let region = if global { "us-east-1" } else { &self.region };
        w!(
            b,
            r#"","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{}","userAgent":""#,
            p.ip
        );
        match &p.ua {
            Ua::Cli(prefix) => {
                b.extend_from_slice(prefix.as_bytes());
                b.extend_from_slice(cli.as_bytes());
            }
            Ua::Fixed(s) => b.extend_from_slice(s.as_bytes()),
            Ua::Console => b.extend_from_slice(if source == "ec2.amazonaws.com" {
                b"console.ec2.amazonaws.com"
            } else {
                b"AWS Internal"
            }),
        }
        b.push(b'"');
    }

    /// From `requestID` to the end of the record.
    #[allow(clippy::too_many_arguments)]
    fn tail(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        rid: &[u8],
        read_only: bool,
        resources: Option<&[u8]>,
        data: bool,
        shared: bool,
        host: &str,
    ) {
        b.extend_from_slice(br#","requestID":""#);
        b.extend_from_slice(rid);
        b.extend_from_slice(br#"","eventID":""#);
        b.extend_from_slice(r.uuid().bytes());
        w!(b, r#"","readOnly":{read_only}"#);
        if let Some(res) = resources {
            b.extend_from_slice(br#","resources":"#);
            b.extend_from_slice(res);
        }
        w!(
            b,
            r#","eventType":"AwsApiCall","managementEvent":{},"recipientAccountId":"{}""#,
            !data,
            self.acct
        );
        if shared {
            b.extend_from_slice(br#","sharedEventID":""#);
            b.extend_from_slice(r.uuid().bytes());
            b.push(b'"');
        }
        b.extend_from_slice(if data {
            br#","eventCategory":"Data""#
        } else {
            br#","eventCategory":"Management""#
        });
        if p.tls && !host.is_empty() {
            w!(
                b,
                r#","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{host}"}}"#
            );
        }
        if p.console {
            b.extend_from_slice(br#","sessionCredentialFromConsole":"true""#);
        }
        b.push(b'}');
    }

    fn error(b: &mut Vec<u8>, code: &str, msg: &str) {
        w!(b, r#","errorCode":"{code}","errorMessage":"{msg}""#);
    }

    fn items(b: &mut Vec<u8>, key: &str, ids: &[String]) {
        b.extend_from_slice(br#"{"items":["#);
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            w!(b, r#"{{"{key}":"{id}"}}"#);
        }
        b.extend_from_slice(b"]}");
    }

    fn s3_request_id(r: &mut Rng) -> [u8; 16] {
        let mut v = Vec::with_capacity(16);
        r.upper_alnum(&mut v, 16);
        let mut out = [0u8; 16];
        out.copy_from_slice(&v);
        out
    }

    // ------------------------------------------------------------------ noise

    fn read_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
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

    fn read_iam(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        const EV: [(&str, &str); 8] = [
            ("GetUser", "iam.get-user"),
            ("GetRole", "iam.get-role"),
            ("ListRoles", "iam.list-roles"),
            (
                "ListAttachedRolePolicies",
                "iam.list-attached-role-policies",
            ),
            ("GetPolicy", "iam.get-policy"),
            ("ListAccessKeys", "iam.list-access-keys"),
            (
                "GetAccountPasswordPolicy",
                "iam.get-account-password-policy",
            ),
            ("ListMFADevices", "iam.list-mfa-devices"),
        ];
        let pi = [ALICE, TF, CONFIG, SSO, WIN][r.weighted(&[15, 30, 35, 10, 10])];
        let p = &self.p[pi];
        let k = r.weighted(&[14, 22, 10, 16, 10, 10, 6, 12]);
        let (name, cli) = EV[k];
        self.head(b, p, t, "1.09", "iam.amazonaws.com", name, cli, true);
        if fail {
            w!(
                b,
                r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform: iam:{name} because no identity-based policy allows the iam:{name} action""#
            );
        }
        b.extend_from_slice(br#","requestParameters":"#);
        match k {
            0 | 5 | 7 => w!(b, r#"{{"userName":"{}"}}"#, r.pick(&self.users)),
            1 | 3 => w!(b, r#"{{"roleName":"{}"}}"#, r.pick(&self.roles)),
            4 => w!(
                b,
                r#"{{"policyArn":"arn:aws:iam::{}:policy/{}-policy"}}"#,
                self.acct,
                r.pick(&self.roles)
            ),
            _ => b.extend_from_slice(b"null"),
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
            "iam.amazonaws.com",
        );
    }

    fn additional_s3(b: &mut Vec<u8>, r: &mut Rng, bytes_in: u64, bytes_out: u64) {
        b.extend_from_slice(
            br#","additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":"#,
        );
        w!(
            b,
            r#"{bytes_in},"AuthenticationMethod":"AuthHeader","x-amz-id-2":""#
        );
        r.b64(b, 76);
        w!(b, r#"","bytesTransferredOut":{bytes_out}}}"#);
    }

    fn read_s3(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        const EV: [(&str, &str, &str); 8] = [
            ("GetBucketAcl", "s3api.get-bucket-acl", "acl"),
            ("GetBucketLocation", "s3api.get-bucket-location", "location"),
            ("GetBucketPolicy", "s3api.get-bucket-policy", "policy"),
            (
                "GetBucketVersioning",
                "s3api.get-bucket-versioning",
                "versioning",
            ),
            (
                "GetBucketEncryption",
                "s3api.get-bucket-encryption",
                "encryption",
            ),
            ("ListBuckets", "s3api.list-buckets", ""),
            ("HeadBucket", "s3api.head-bucket", ""),
            ("GetBucketTagging", "s3api.get-bucket-tagging", "tagging"),
        ];
        let k = r.weighted(&[30, 14, 10, 8, 8, 10, 12, 8]);
        let pi = if k == 0 && r.chance(0.6) {
            CT
        } else {
            [ALICE, TF, CONFIG, BOB][r.weighted(&[20, 25, 40, 15])]
        };
        let p = &self.p[pi];
        let (name, cli, sub) = EV[k];
        let bucket = if pi == CT {
            &self.buckets[2]
        } else {
            r.pick(&self.buckets)
        };
        self.head(b, p, t, "1.09", "s3.amazonaws.com", name, cli, false);
        if fail {
            match k {
                2 => Self::error(b, "NoSuchBucketPolicy", "The bucket policy does not exist"),
                4 => Self::error(
                    b,
                    "ServerSideEncryptionConfigurationNotFoundError",
                    "The server side encryption configuration was not found",
                ),
                _ => Self::error(b, "AccessDenied", "Access Denied"),
            }
        }
        if k == 5 {
            w!(b, r#","requestParameters":{{"Host":"{}"}}"#, self.hosts.s3);
        } else if sub.is_empty() {
            w!(
                b,
                r#","requestParameters":{{"bucketName":"{}","Host":"{}"}}"#,
                bucket.name,
                bucket.host
            );
        } else {
            w!(
                b,
                r#","requestParameters":{{"bucketName":"{}","Host":"{}","{sub}":""}}"#,
                bucket.name,
                bucket.host
            );
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let out = if fail { 243 } else { 300 + r.below(1500) };
        Self::additional_s3(b, r, 0, out);
        let rid = Self::s3_request_id(r);
        let mut res = Vec::with_capacity(96);
        let resources = if k == 5 {
            None
        } else {
            w!(
                res,
                r#"[{{"accountId":"{}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{}"}}]"#,
                self.acct,
                bucket.name
            );
            Some(&res[..])
        };
        let host = if k == 5 { &self.hosts.s3 } else { &bucket.host };
        self.tail(b, r, p, &rid, true, resources, false, false, host);
    }

    fn s3_key(&self, b: &mut Vec<u8>, r: &mut Rng, bucket: &Bucket, t: i64) {
        b.extend_from_slice(bucket.prefix.as_bytes());
        let c = time::civil(t);
        match bucket.prefix {
            "exports/" => {
                w!(
                    b,
                    "{:04}/{:02}/{:02}/part-{:05}-",
                    c.year,
                    c.month,
                    c.day,
                    r.below(400)
                );
                r.hex(b, 8);
                b.extend_from_slice(b".snappy.parquet");
            }
            "static/" => {
                w!(b, "{}/", ["img", "js", "css", "fonts"][r.below(4) as usize]);
                r.lower_alnum(b, 12);
                b.extend_from_slice(
                    [&b".png"[..], b".js", b".css", b".woff2"][r.below(4) as usize],
                );
            }
            "AWSLogs/" => {
                w!(
                    b,
                    "{acct}/CloudTrail/{region}/{:04}/{:02}/{:02}/{acct}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_",
                    c.year,
                    c.month,
                    c.day,
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    c.minute / 5 * 5,
                    acct = self.acct,
                    region = self.region
                );
                r.alnum(b, 16);
                b.extend_from_slice(b".json.gz");
            }
            "db/" => {
                w!(
                    b,
                    "orders/{:04}-{:02}-{:02}/chunk-{:04}.dump.gz",
                    c.year,
                    c.month,
                    c.day,
                    r.below(64)
                );
            }
            "uploads/" => {
                b.extend_from_slice(r.uuid().bytes());
                b.extend_from_slice([&b".jpg"[..], b".pdf", b".csv"][r.below(3) as usize]);
            }
            _ => {
                b.extend_from_slice(r.uuid().bytes());
                b.extend_from_slice(b".csv");
            }
        }
    }

    fn data_s3(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let put = r.chance(0.35);
        let pi = if put && r.chance(0.3) {
            CT
        } else {
            [APP, LAMBDA, BOB, APP][r.weighted(&[45, 30, 10, 15])]
        };
        let p = &self.p[pi];
        let bucket = if pi == CT {
            &self.buckets[2]
        } else {
            &self.buckets[[0, 1, 3, 4, 5][r.below(5) as usize]]
        };
        let (name, cli) = if put {
            ("PutObject", "s3api.put-object")
        } else {
            ("GetObject", "s3api.get-object")
        };
        self.head(b, p, t, "1.10", "s3.amazonaws.com", name, cli, false);
        if fail {
            if put {
                Self::error(b, "AccessDenied", "Access Denied");
            } else {
                Self::error(b, "NoSuchKey", "The specified key does not exist.");
            }
        }
        w!(
            b,
            r#","requestParameters":{{"bucketName":"{}","Host":"{}","key":""#,
            bucket.name,
            bucket.host
        );
        let key_at = b.len();
        self.s3_key(b, r, bucket, t);
        let key = b[key_at..].to_vec();
        if put {
            b.extend_from_slice(br#"","x-amz-server-side-encryption":"AES256"}"#);
            if fail {
                b.extend_from_slice(br#","responseElements":null"#);
            } else {
                b.extend_from_slice(
                    br#","responseElements":{"x-amz-server-side-encryption":"AES256"}"#,
                );
            }
        } else {
            b.extend_from_slice(br#""},"responseElements":null"#);
        }
        let size = 200 + r.below(2_000_000);
        if put {
            Self::additional_s3(b, r, size, 0);
        } else {
            Self::additional_s3(b, r, 0, if fail { 0 } else { size });
        }
        let rid = Self::s3_request_id(r);
        let mut res = Vec::with_capacity(256);
        res.extend_from_slice(br#"[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::"#);
        res.extend_from_slice(bucket.name.as_bytes());
        res.push(b'/');
        res.extend_from_slice(&key);
        w!(
            res,
            r#""}},{{"accountId":"{}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{}"}}]"#,
            self.acct,
            bucket.name
        );
        self.tail(
            b,
            r,
            p,
            &rid,
            !put,
            Some(&res),
            true,
            pi == CT,
            &bucket.host,
        );
    }

    fn kms(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let pi = [APP, LAMBDA, INTERNAL][r.weighted(&[40, 30, 30])];
        let p = &self.p[pi];
        let gdk = r.chance(0.35);
        let (name, cli) = if gdk {
            ("GenerateDataKey", "kms.generate-data-key")
        } else {
            ("Decrypt", "kms.decrypt")
        };
        let key = r.pick(&self.keys);
        self.head(b, p, t, "1.09", "kms.amazonaws.com", name, cli, false);
        if fail {
            Self::error(
                b,
                "AccessDeniedException",
                "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
            );
        }
        b.extend_from_slice(br#","requestParameters":{"#);
        if gdk {
            w!(
                b,
                r#""keyId":"arn:aws:kms:{}:{}:key/{key}","keySpec":"AES_256","#,
                self.region,
                self.acct
            );
        } else {
            b.extend_from_slice(br#""encryptionAlgorithm":"SYMMETRIC_DEFAULT","#);
        }
        if pi == LAMBDA {
            w!(
                b,
                r#""encryptionContext":{{"aws:lambda:FunctionArn":"arn:aws:lambda:{}:{}:function:order-processor"}}}}"#,
                self.region,
                self.acct
            );
        } else {
            let bucket = &self.buckets[0];
            w!(
                b,
                r#""encryptionContext":{{"aws:s3:arn":"arn:aws:s3:::{}/"#,
                bucket.name
            );
            self.s3_key(b, r, bucket, t);
            b.extend_from_slice(br#""}}"#);
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let rid = r.uuid();
        let mut res = Vec::with_capacity(160);
        w!(
            res,
            r#"[{{"accountId":"{acct}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:{}:{acct}:key/{key}"}}]"#,
            self.region,
            acct = self.acct
        );
        self.tail(
            b,
            r,
            p,
            rid.bytes(),
            true,
            Some(&res),
            false,
            false,
            &self.hosts.kms,
        );
    }

    fn sts(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        if r.chance(0.3) {
            let p = &self.p[[ALICE, BOB, TF, WIN][r.weighted(&[30, 25, 30, 15])]];
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
                &self.hosts.sts,
            );
            return;
        }
        // a service assumes an application role on behalf of an instance, function or task
        let (svc, role, session): (&str, &str, String) = match r.below(3) {
            0 => (
                "ec2.amazonaws.com",
                "app-server-role",
                r.pick(&self.instances).clone(),
            ),
            1 => (
                "lambda.amazonaws.com",
                "order-processor-role",
                "order-processor".into(),
            ),
            _ => {
                let mut v = Vec::new();
                r.hex(&mut v, 32);
                (
                    "ecs-tasks.amazonaws.com",
                    "data-pipeline-role",
                    String::from_utf8(v).expect("ascii"),
                )
            }
        };
        let p = Persona {
            ident: String::new(),
            ip: svc.to_string(),
            ua: Ua::Fixed(svc.to_string()),
            tls: false,
            console: false,
        };
        w!(
            b,
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AWSService","invokedBy":"{svc}"}},"eventTime":""#
        );
        time::iso(b, t, 0);
        w!(
            b,
            r#"","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"{}","sourceIPAddress":"{svc}","userAgent":"{svc}""#,
            self.region
        );
        if fail {
            Self::error(
                b,
                "AccessDenied",
                "Service is not authorized to perform: sts:AssumeRole on resource",
            );
        }
        let role_arn = format!("arn:aws:iam::{}:role/{role}", self.acct);
        w!(
            b,
            r#","requestParameters":{{"roleArn":"{role_arn}","roleSessionName":"{session}"}}"#
        );
        if fail {
            b.extend_from_slice(br#","responseElements":null"#);
        } else {
            b.extend_from_slice(br#","responseElements":{"credentials":{"accessKeyId":"ASIA"#);
            r.upper_alnum(b, 16);
            b.extend_from_slice(br#"","sessionToken":"IQoJb3JpZ2luX2VjE"#);
            r.b64(b, 380);
            b.extend_from_slice(br#"","expiration":""#);
            time::sts_expiration(b, t + HOUR);
            w!(
                b,
                r#""}},"assumedRoleUser":{{"assumedRoleId":"{}:{session}","arn":"arn:aws:sts::{}:assumed-role/{role}/{session}"}}}}"#,
                pid("AROA", &self.acct, role),
                self.acct
            );
        }
        let rid = r.uuid();
        let mut res = Vec::with_capacity(128);
        w!(
            res,
            r#"[{{"accountId":"{}","type":"AWS::IAM::Role","ARN":"{role_arn}"}}]"#,
            self.acct
        );
        self.tail(b, r, &p, rid.bytes(), true, Some(&res), false, true, "");
    }

    fn write_ec2(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
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

    fn other(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let k = r.weighted(&[40, 25, 20, 15]);
        let rid = r.uuid();
        match k {
            0 => {
                let p = &self.p[SSM];
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "ssm.amazonaws.com",
                    "UpdateInstanceInformation",
                    "",
                    false,
                );
                let inst = r.pick(&self.instances);
                let ip = [10, 20, r.below(8) as u8, 4 + r.below(250) as u8];
                w!(
                    b,
                    r#","requestParameters":{{"instanceId":"{inst}","agentVersion":"3.3.40.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"{}.{}.{}.{}","computerName":"ip-{}-{}-{}-{}.ec2.internal","agentName":"amazon-ssm-agent","availabilityZone":"{}","availabilityZoneId":"use1-az{}"}},"responseElements":null"#,
                    ip[0],
                    ip[1],
                    ip[2],
                    ip[3],
                    ip[0],
                    ip[1],
                    ip[2],
                    ip[3],
                    r.pick(&self.zones),
                    1 + r.below(6)
                );
                self.tail(
                    b,
                    r,
                    p,
                    rid.bytes(),
                    false,
                    None,
                    false,
                    false,
                    &self.hosts.ssm,
                );
            }
            1 => {
                let p = &self.p[[APP, LAMBDA][r.below(2) as usize]];
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "ssm.amazonaws.com",
                    "GetParameter",
                    "ssm.get-parameter",
                    false,
                );
                if fail {
                    Self::error(b, "ParameterNotFound", "");
                }
                w!(
                    b,
                    r#","requestParameters":{{"name":"/prod/{}/{}","withDecryption":true}},"responseElements":null"#,
                    ["checkout", "orders", "search", "auth"][r.below(4) as usize],
                    ["db-host", "db-password", "api-key", "feature-flags"][r.below(4) as usize]
                );
                self.tail(
                    b,
                    r,
                    p,
                    rid.bytes(),
                    true,
                    None,
                    false,
                    false,
                    &self.hosts.ssm,
                );
            }
            2 => {
                let p = &self.p[[APP, LAMBDA][r.below(2) as usize]];
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    "secretsmanager.get-secret-value",
                    false,
                );
                if fail {
                    Self::error(b, "AccessDenied", "Access to KMS is not allowed");
                }
                w!(
                    b,
                    r#","requestParameters":{{"secretId":"arn:aws:secretsmanager:{}:{}:secret:prod/{}-"#,
                    self.region,
                    self.acct,
                    ["orders/db", "checkout/stripe", "search/api"][r.below(3) as usize]
                );
                r.alnum(b, 6);
                b.extend_from_slice(br#""},"responseElements":null"#);
                self.tail(
                    b,
                    r,
                    p,
                    rid.bytes(),
                    true,
                    None,
                    false,
                    false,
                    &self.hosts.secrets,
                );
            }
            _ => {
                let p = &self.p[LAMBDA];
                self.head(
                    b,
                    p,
                    t,
                    "1.09",
                    "logs.amazonaws.com",
                    "CreateLogStream",
                    "",
                    false,
                );
                let c = time::civil(t);
                w!(
                    b,
                    r#","requestParameters":{{"logGroupName":"/aws/lambda/order-processor","logStreamName":"{:04}/{:02}/{:02}/[$LATEST]"#,
                    c.year,
                    c.month,
                    c.day
                );
                r.hex(b, 32);
                b.extend_from_slice(br#""},"responseElements":null"#);
                self.tail(
                    b,
                    r,
                    p,
                    rid.bytes(),
                    false,
                    None,
                    false,
                    false,
                    &self.hosts.logs,
                );
            }
        }
    }

    /// Writes from `requestParameters` through `responseElements` of a RunInstances call.
    #[allow(clippy::too_many_arguments)]
    fn run_instances(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        t: i64,
        ami: &str,
        inst: &str,
        rid: &crate::rng::Uuid,
        fail: bool,
        asg: Option<&str>,
    ) {
        self.head(
            b,
            p,
            t,
            "1.09",
            "ec2.amazonaws.com",
            "RunInstances",
            "ec2.run-instances",
            false,
        );
        if fail {
            Self::error(
                b,
                "Client.InsufficientInstanceCapacity",
                "We currently do not have sufficient capacity in the Availability Zone you requested.",
            );
        }
        let token = r.uuid();
        let subnet = r.pick(&self.subnets);
        let sg = r.pick(&self.sgs);
        let zone = r.pick(&self.zones);
        let itype = ["t3.micro", "t3.large", "m6i.large", "c6i.xlarge"][r.below(4) as usize];
        match asg {
            Some(group) => w!(
                b,
                r#","requestParameters":{{"instancesSet":{{"items":[{{"minCount":1,"maxCount":1}}]}},"launchTemplate":{{"launchTemplateId":"{}","version":"7"}},"availabilityZone":"{zone}","subnetId":"{subnet}","clientToken":"fleet-{token}-0","tagSpecificationSet":{{"items":[{{"resourceType":"instance","tags":[{{"key":"aws:autoscaling:groupName","value":"{group}"}}]}}]}}}}"#,
                self.launch_template
            ),
            None => w!(
                b,
                r#","requestParameters":{{"instancesSet":{{"items":[{{"imageId":"{ami}","minCount":1,"maxCount":1,"keyName":"ops-2024"}}]}},"instanceType":"{itype}","blockDeviceMapping":{{}},"monitoring":{{"enabled":false}},"subnetId":"{subnet}","disableApiTermination":false,"disableApiStop":false,"clientToken":"{token}","groupSet":{{"items":[{{"groupId":"{sg}"}}]}}}}"#
            ),
        }
        if fail {
            b.extend_from_slice(br#","responseElements":null"#);
            return;
        }
        let ip = [10u8, 20, r.below(8) as u8, 4 + r.below(250) as u8];
        let dns = format!("ip-{}-{}-{}-{}.ec2.internal", ip[0], ip[1], ip[2], ip[3]);
        let ipdot = format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
        let launch = (t / SEC) * 1000;
        let vpc = &self.vpcs[0];
        let mut eni = b"eni-0".to_vec();
        r.hex(&mut eni, 16);
        let eni = String::from_utf8(eni).expect("ascii");
        let mut mac = String::new();
        for i in 0..6 {
            if i > 0 {
                mac.push(':');
            }
            mac.push_str(&format!("{:02x}", if i == 0 { 0x0a } else { r.below(256) }));
        }
        w!(
            b,
            r#","responseElements":{{"requestId":"{rid}","reservationId":"r-0"#
        );
        r.hex(b, 16);
        w!(
            b,
            r#"","ownerId":"{acct}","groupSet":{{}},"instancesSet":{{"items":[{{"instanceId":"{inst}","imageId":"{ami}","currentInstanceBootMode":"uefi","instanceState":{{"code":0,"name":"pending"}},"privateDnsName":"{dns}","amiLaunchIndex":0,"productCodes":{{}},"instanceType":"{itype}","launchTime":{launch},"placement":{{"availabilityZone":"{zone}","tenancy":"default"}},"monitoring":{{"state":"disabled"}},"subnetId":"{subnet}","vpcId":"{vpc}","privateIpAddress":"{ipdot}","stateReason":{{"code":"pending","message":"pending"}},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{{}},"virtualizationType":"hvm","hypervisor":"xen","clientToken":"{token}","groupSet":{{"items":[{{"groupId":"{sg}","groupName":"web-tier"}}]}},"sourceDestCheck":true,"networkInterfaceSet":{{"items":[{{"networkInterfaceId":"{eni}","subnetId":"{subnet}","vpcId":"{vpc}","ownerId":"{acct}","status":"in-use","macAddress":"{mac}","privateIpAddress":"{ipdot}","privateDnsName":"{dns}","sourceDestCheck":true,"interfaceType":"interface","groupSet":{{"items":[{{"groupId":"{sg}","groupName":"web-tier"}}]}},"attachment":{{"attachmentId":"eni-attach-0"#,
            acct = self.acct
        );
        r.hex(b, 16);
        w!(
            b,
            r#"","deviceIndex":0,"networkCardIndex":0,"status":"attaching","attachTime":{launch},"deleteOnTermination":true}},"privateIpAddressesSet":{{"item":[{{"privateIpAddress":"{ipdot}","privateDnsName":"{dns}","primary":true}}]}},"ipv6AddressesSet":{{}},"tagSet":{{}}}}]}},"ebsOptimized":false,"enaSupport":true,"cpuOptions":{{"coreCount":1,"threadsPerCore":2}},"capacityReservationSpecification":{{"capacityReservationPreference":"open"}},"hibernationOptions":{{"configured":false}},"enclaveOptions":{{"enabled":false}},"metadataOptions":{{"state":"pending","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled","httpProtocolIpv4":"enabled","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"}},"maintenanceOptions":{{"autoRecovery":"default"}},"privateDnsNameOptions":{{"hostnameType":"ip-name","enableResourceNameDnsARecord":false,"enableResourceNameDnsAAAARecord":false}}}}]}}}}"#
        );
    }

    // ------------------------------------------------------------------ fixed calls

    fn state_change(
        b: &mut Vec<u8>,
        rid: &crate::rng::Uuid,
        ids: &[String],
        cur: (u32, &str),
        prev: (u32, &str),
    ) {
        w!(
            b,
            r#","responseElements":{{"requestId":"{rid}","instancesSet":{{"items":["#
        );
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            w!(
                b,
                r#"{{"instanceId":"{id}","currentState":{{"code":{},"name":"{}"}},"previousState":{{"code":{},"name":"{}"}}}}"#,
                cur.0,
                cur.1,
                prev.0,
                prev.1
            );
        }
        b.extend_from_slice(b"]}}");
    }

    fn render_fixed(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, call: &Call) {
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

impl Gen for AwsGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        if !primary {
            return out;
        }
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        let day = a.div_euclid(DAY) * DAY;
        let weekday = time::weekday(day) < 5;
        let mut add = |t: i64, c: Call| {
            if t >= a && t < b {
                out.push(Fixed { t, call: c });
            }
        };
        let secs = |r: &mut Rng, n: u64| r.below(n) as i64 * SEC;
        let sched = self.sched.clone();
        let c = time::civil(day);
        if weekday {
            for (hour, start) in [(7, true), (19, false)] {
                let t = day + hour * HOUR + secs(&mut r, 4);
                add(
                    t - 9 * SEC,
                    Call::DescribeInstances {
                        who: Who::Scheduler,
                        ids: sched.clone(),
                    },
                );
                let ids = sched.clone();
                add(
                    t,
                    if start {
                        Call::Start {
                            who: Who::Scheduler,
                            ids,
                        }
                    } else {
                        Call::Stop {
                            who: Who::Scheduler,
                            ids,
                        }
                    },
                );
                add(
                    t + SEC,
                    Call::CreateTags {
                        who: Who::Scheduler,
                        ids: sched.clone(),
                        key: "InstanceScheduler-LastAction".into(),
                        value: format!(
                            "{} By InstanceScheduler-SchedulerMain {:04}-{:02}-{:02} {:02}:00 UTC",
                            if start { "Started" } else { "Stopped" },
                            c.year,
                            c.month,
                            c.day,
                            hour
                        ),
                    },
                );
            }
            let ids: Vec<String> = (0..2).map(|_| noise_id(&mut r, "i")).collect();
            let t = day + 8 * HOUR + 10 * MIN + secs(&mut r, 600);
            for (i, id) in ids.iter().enumerate() {
                add(
                    t + i as i64 * 2 * SEC,
                    Call::AsgRun {
                        ids: vec![id.clone()],
                        ami: self.asg_ami.clone(),
                    },
                );
            }
            add(
                day + 20 * HOUR + 15 * MIN + secs(&mut r, 600),
                Call::AsgTerminate { ids },
            );
        }
        // AWS Backup's daily plan, and its cross-region copy into this (the first) region
        let t = day + 5 * HOUR + secs(&mut r, 1200);
        for i in 0..3 {
            let vol = self.volumes[10 + i].clone();
            add(
                t + i as i64 * 3 * SEC,
                Call::CreateSnapshot {
                    who: Who::Backup,
                    vol,
                    snap: noise_id(&mut r, "snap"),
                },
            );
        }
        if self.first_region {
            add(
                t + 25 * MIN + secs(&mut r, 300),
                Call::CopySnapshot {
                    who: Who::Backup,
                    src: noise_id(&mut r, "snap"),
                    dst: noise_id(&mut r, "snap"),
                    src_region: self.other_region.clone(),
                },
            );
        }
        // Data Lifecycle Manager snapshots
        let t = day + 3 * HOUR + secs(&mut r, 120);
        for i in 0..2 {
            let vol = self.volumes[20 + i].clone();
            add(
                t + i as i64 * SEC,
                Call::CreateSnapshot {
                    who: Who::Dlm,
                    vol,
                    snap: noise_id(&mut r, "snap"),
                },
            );
        }
        out
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
