//! The fixed cast of an account: who makes the noise and who makes the fixed calls.
//!
//! Rows are rendered in table order; a role session draws its creation time and then its
//! access key from the shard's persona generator, so the order of rows is part of the output.

use super::personas::*;
use crate::rng::Rng;
use crate::time::HOUR;

/// Whose session an assumed role is.
#[derive(Clone, Copy)]
pub(super) enum Session {
    Named(&'static str),
    /// the instance at this index of the account's instances (instance-profile sessions)
    Instance(usize),
}

pub(super) enum Ident {
    User(&'static str),
    Role {
        role: &'static str,
        path: &'static str,
        session: Session,
        /// hours after midnight when the session was created, plus up to three more
        after: i64,
        invoked_by: Option<&'static str>,
        ec2_delivery: bool,
    },
    /// CloudTrail itself, with no role behind it
    CloudTrail,
}

/// Where the calls come from: an address and client, or an AWS service acting for the account.
pub(super) enum Via {
    Client { ip: &'static str, agent: Agent },
    Service(&'static str),
}

pub(super) enum Agent {
    Cli(&'static str),
    Fixed(&'static str),
    Console,
}

pub(super) struct Row {
    pub(super) ident: Ident,
    pub(super) via: Via,
}

const fn user(name: &'static str, ip: &'static str, agent: Agent) -> Row {
    Row {
        ident: Ident::User(name),
        via: Via::Client { ip, agent },
    }
}

const fn role(
    role: &'static str,
    path: &'static str,
    session: Session,
    after: i64,
    via: Via,
) -> Row {
    Row {
        ident: Ident::Role {
            role,
            path,
            session,
            after,
            invoked_by: None,
            ec2_delivery: matches!(session, Session::Instance(_)),
        },
        via,
    }
}

/// A service-linked session: invoked by the service, which is also its address and agent.
const fn service(
    role: &'static str,
    path: &'static str,
    session: Session,
    host: &'static str,
) -> Row {
    Row {
        ident: Ident::Role {
            role,
            path,
            session,
            after: 0,
            invoked_by: Some(host),
            ec2_delivery: matches!(session, Session::Instance(_)),
        },
        via: Via::Service(host),
    }
}

const fn client(ip: &'static str, agent: Agent) -> Via {
    Via::Client { ip, agent }
}

const SSO_PATH: &str = "aws-reserved/sso.amazonaws.com/";

/// The noise personas, indexed by `ALICE`, `BOB`, ... `WIN`.
pub(super) const NOISE: [Row; 12] = [
    user("alice", "192.0.2.10", Agent::Cli(CLI_LINUX)),
    user("bob.smith", "192.0.2.11", Agent::Fixed(BOTO3)),
    role(
        "AWSReservedSSO_AdministratorAccess_4f1e9c2b7a3d8e60",
        SSO_PATH,
        Session::Named("dana.lopez@example.com"),
        7,
        client("192.0.2.12", Agent::Console),
    ),
    role(
        "github-actions-terraform",
        "",
        Session::Named("GitHubActions"),
        0,
        client("20.57.181.9", Agent::Fixed(TERRAFORM)),
    ),
    role(
        "app-server-role",
        "",
        Session::Instance(5),
        0,
        client("54.211.87.130", Agent::Fixed(JAVA)),
    ),
    role(
        "order-processor-role",
        "service-role/",
        Session::Named("order-processor"),
        0,
        client("3.91.204.17", Agent::Fixed(BOTO3_LAMBDA)),
    ),
    service(
        "AWSServiceRoleForConfig",
        "aws-service-role/config.amazonaws.com/",
        Session::Named("AWSConfig-Describe"),
        "config.amazonaws.com",
    ),
    service(
        "AWSServiceRoleForAmazonInspector2",
        "aws-service-role/inspector2.amazonaws.com/",
        Session::Named("MandoService4183920447152209117"),
        "inspector2.amazonaws.com",
    ),
    Row {
        ident: Ident::CloudTrail,
        via: Via::Service("cloudtrail.amazonaws.com"),
    },
    role(
        "AmazonSSMRoleForInstancesQuickSetup",
        "",
        Session::Instance(9),
        0,
        client("54.166.23.201", Agent::Fixed(SSM_AGENT)),
    ),
    service("app-server-role", "", Session::Instance(5), "AWS Internal"),
    user("r.kumar", "192.0.2.23", Agent::Cli(CLI_WIN)),
];

/// The callers of planted scenarios and look-alikes, indexed as `AwsGen::who` says.
pub(super) const SPECIAL: [Row; 10] = [
    user("svc-reporting", "203.0.113.66", Agent::Cli(CLI_LINUX)),
    role(
        "AWSReservedSSO_PowerUserAccess_7c2e04a1b9d35f68",
        SSO_PATH,
        Session::Named("c.lee@example.com"),
        0,
        client("198.51.100.77", Agent::Cli(CLI_MAC)),
    ),
    user("ci-deployer", "203.0.113.201", Agent::Fixed(BOTO3)),
    role(
        "OpsAdmin",
        "",
        Session::Named("jane.doe"),
        6,
        client("198.51.100.23", Agent::Console),
    ),
    user("dr-operator", "198.51.100.40", Agent::Cli(CLI_LINUX)),
    service(
        "AWSBackupDefaultServiceRole",
        "service-role/",
        Session::Named("AWSBackup-AWSBackupDefaultServiceRole"),
        "backup.amazonaws.com",
    ),
    role(
        "InstanceScheduler-SchedulerRole-1ABCDEF",
        "",
        Session::Named("InstanceScheduler-SchedulerMain-7QK2Z4XH1B0R"),
        0,
        client("3.236.118.42", Agent::Fixed(SCHED_UA)),
    ),
    service(
        "AWSServiceRoleForAutoScaling",
        "aws-service-role/autoscaling.amazonaws.com/",
        Session::Named("AutoScaling"),
        "autoscaling.amazonaws.com",
    ),
    service(
        "AWSDataLifecycleManagerDefaultRole",
        "service-role/",
        Session::Named("DataLifecycleManager"),
        "dlm.amazonaws.com",
    ),
    service(
        "AWSServiceRoleForBackup",
        "aws-service-role/backup.amazonaws.com/",
        Session::Named("AWSBackup-AWSServiceRoleForBackup"),
        "backup.amazonaws.com",
    ),
];

/// The personas of `rows` in `acct`, on `day` (midnight); role sessions draw from `srng`.
pub(super) fn cast(
    rows: &[Row],
    acct: &str,
    instances: &[String],
    srng: &mut Rng,
    day: i64,
) -> Vec<Persona> {
    rows.iter()
        .map(|row| persona(row, acct, instances, srng, day))
        .collect()
}

fn persona(row: &Row, acct: &str, instances: &[String], srng: &mut Rng, day: i64) -> Persona {
    let ident = match &row.ident {
        Ident::User(name) => iam_user(acct, name),
        Ident::CloudTrail => {
            r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#.to_string()
        }
        Ident::Role {
            role,
            path,
            session,
            after,
            invoked_by,
            ec2_delivery,
        } => {
            let session = match session {
                Session::Named(s) => s,
                Session::Instance(i) => instances[*i].as_str(),
            };
            // the creation time is drawn before the access key
            let created = day + after * HOUR + srng.below(3 * HOUR as u64) as i64;
            assumed_role(
                acct,
                role,
                path,
                session,
                created,
                *invoked_by,
                *ec2_delivery,
                srng,
            )
        }
    };
    match &row.via {
        Via::Service(host) => service_persona(ident, host),
        Via::Client { ip, agent } => {
            let (ua, console) = match agent {
                Agent::Cli(prefix) => (Ua::Cli(prefix), false),
                Agent::Fixed(s) => (Ua::Fixed(s.to_string()), false),
                Agent::Console => (Ua::Console, true),
            };
            Persona {
                ident,
                ip: ip.to_string(),
                ua,
                // console sessions carry no TLS details, only the console flag
                tls: !console,
                console,
            }
        }
    }
}

/// Instance Scheduler v3's namespace in this estate: its role is `<namespace>-Scheduler-Role`.
pub(super) const SCHEDULER_NAMESPACE: &str = "is-prod";
const SCHED_V3_UA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.877.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.34.51 AwsSolution/SO0030/v3.0.5";
const DEV_SSO_ROLE: &str = "AWSReservedSSO_DeveloperAccess_3b8e1f0c9d2a4e71";

/// The estate's habit cast (`crate::habits`) in `acct`/`region` on `day`: `n` personas, indexed
/// by `Who::Habit(k)`. Role sessions draw their creation time and key from `srng`.
pub(super) fn habit_cast(
    acct: &str,
    region: &str,
    n: usize,
    srng: &mut Rng,
    day: i64,
) -> Vec<Persona> {
    use crate::habits::{login, COPIER, ONCALL, PATCHER, SCHEDULER};
    let person = |ident: String, ip: String, ua: Ua| {
        let console = matches!(ua, Ua::Console);
        Persona {
            ident,
            ip,
            ua,
            tls: !console,
            console,
        }
    };
    (0..n as u16)
        .map(|k| {
            // before the day's first call (the patch night starts at 01:30)
            let created = day + srng.below(HOUR as u64) as i64;
            let role = |srng: &mut Rng, role: &str, session: &str| {
                assumed_role(acct, role, "", session, created, None, false, srng)
            };
            match k {
                PATCHER => person(
                    role(srng, "PatchingAutomationRole", "patch-night"),
                    "3.82.14.77".into(),
                    Ua::Fixed(BOTO3.into()),
                ),
                COPIER => person(
                    iam_user(acct, login(k)),
                    "192.0.2.23".into(),
                    Ua::Cli(CLI_WIN),
                ),
                SCHEDULER => {
                    let role_name = format!("{SCHEDULER_NAMESPACE}-Scheduler-Role");
                    let session = format!("{role_name}-{acct}-{region}");
                    person(
                        role(srng, &role_name, &session),
                        "3.236.118.42".into(),
                        Ua::Fixed(SCHED_V3_UA.into()),
                    )
                }
                k if ONCALL.contains(&k) => person(
                    role(srng, "OpsAdmin", login(k)),
                    format!("198.51.100.{}", 23 + k),
                    if k == ONCALL[0] {
                        Ua::Console
                    } else {
                        Ua::Cli(CLI_MAC)
                    },
                ),
                k if k % 3 == 0 => {
                    let session = format!("{}@example.com", login(k));
                    let ident = assumed_role(
                        acct,
                        DEV_SSO_ROLE,
                        SSO_PATH,
                        &session,
                        created,
                        None,
                        false,
                        srng,
                    );
                    person(ident, format!("192.0.2.{}", 100 + k), Ua::Cli(CLI_MAC))
                }
                k => person(
                    iam_user(acct, login(k)),
                    format!("192.0.2.{}", 100 + k),
                    if k % 2 == 0 {
                        Ua::Cli(CLI_LINUX)
                    } else {
                        Ua::Fixed(BOTO3.into())
                    },
                ),
            }
        })
        .collect()
}
