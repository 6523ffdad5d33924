//! Who makes GCP calls: principals, their user agents, and the callers of the noise.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum UaKind {
    GcloudLinux,
    GcloudMac,
    Console,
    Python,
    Terraform,
    GoStorage,
    Mig,
    None,
}

pub(super) struct Principal {
    pub(super) email: String,
    pub(super) subject: String,
    pub(super) ip: Option<String>,
    pub(super) network: bool,
    pub(super) ua: UaKind,
}

// principals
pub(super) const ALICE: usize = 0;
pub(super) const BOB: usize = 1;
pub(super) const TF: usize = 2;
pub(super) const APP: usize = 3;
pub(super) const MIG: usize = 4;
pub(super) const SYSTEM: usize = 5;
pub(super) const ATTACKER0: usize = 6;
pub(super) const OPS: usize = 8;
pub(super) const DR: usize = 9;
/// The estate's habit cast follows the table (`Who::Habit(k)` is `HABIT0 + k`).
pub(super) const HABIT0: usize = 10;

/// Who a principal is: a person, or a service account named in the project or by its number.
enum Account {
    User(&'static str),
    /// `<name>@<project>.iam.gserviceaccount.com`
    InProject(&'static str),
    /// `<before><project number><after>`, Google's own agents
    Numbered(&'static str, &'static str),
}

struct Row {
    account: Account,
    ip: Option<&'static str>,
    /// calls from inside the VPC, where the network is logged
    network: bool,
    ua: UaKind,
}

const fn user(email: &'static str, ip: &'static str, ua: UaKind) -> Row {
    Row {
        account: Account::User(email),
        ip: Some(ip),
        network: false,
        ua,
    }
}

const fn sa(account: Account, ip: Option<&'static str>, network: bool, ua: UaKind) -> Row {
    Row {
        account,
        ip,
        network,
        ua,
    }
}

/// Indexed by `ALICE`, `BOB`, ... `DR`.
const PRINCIPALS: [Row; 10] = [
    user("alice@acme-corp.example", "192.0.2.10", UaKind::GcloudLinux),
    user("bob.smith@acme-corp.example", "192.0.2.11", UaKind::Console),
    sa(
        Account::InProject("terraform"),
        Some("20.57.181.9"),
        false,
        UaKind::Terraform,
    ),
    sa(
        Account::InProject("app-runtime"),
        Some("10.128.0.14"),
        true,
        UaKind::GoStorage,
    ),
    sa(
        Account::Numbered("", "@cloudservices.gserviceaccount.com"),
        None,
        false,
        UaKind::Mig,
    ),
    sa(
        Account::Numbered("service-", "@compute-system.iam.gserviceaccount.com"),
        None,
        false,
        UaKind::None,
    ),
    user(
        "mallory.ext@acme-corp.example",
        "203.0.113.66",
        UaKind::GcloudLinux,
    ),
    sa(
        Account::InProject("ci-runner"),
        Some("198.51.100.77"),
        false,
        UaKind::Python,
    ),
    user(
        "jane.doe@acme-corp.example",
        "198.51.100.23",
        UaKind::GcloudMac,
    ),
    sa(
        Account::InProject("dr-automation"),
        Some("gce-internal-ip"),
        true,
        UaKind::Python,
    ),
];

/// The principals of `project`, whose number is `number`, in table order.
pub(super) fn principals(project: &str, number: &str) -> Vec<Principal> {
    PRINCIPALS
        .iter()
        .map(|row| {
            let (email, kind) = match row.account {
                Account::User(email) => (email.to_string(), "user"),
                Account::InProject(name) => (
                    format!("{name}@{project}.iam.gserviceaccount.com"),
                    "serviceAccount",
                ),
                Account::Numbered(before, after) => {
                    (format!("{before}{number}{after}"), "serviceAccount")
                }
            };
            Principal {
                subject: format!("{kind}:{email}"),
                email,
                ip: row.ip.map(str::to_string),
                network: row.network,
                ua: row.ua,
            }
        })
        .collect()
}

/// The estate's habit cast (`crate::habits`) in `project`: `n` principals after the table's.
pub(super) fn habit_principals(project: &str, n: usize) -> Vec<Principal> {
    use crate::habits::{login, ONCALL, PATCHER, SCHEDULER};
    (0..n as u16)
        .map(|k| {
            let (email, ip, network, ua) = match k {
                PATCHER | SCHEDULER => (
                    format!("patch-orchestrator@{project}.iam.gserviceaccount.com"),
                    Some("10.128.0.31".to_string()),
                    true,
                    UaKind::Python,
                ),
                k => (
                    format!("{}@acme-corp.example", login(k)),
                    Some(if ONCALL.contains(&k) {
                        "198.51.100.23".to_string()
                    } else {
                        format!("192.0.2.{}", 100 + k)
                    }),
                    false,
                    [UaKind::GcloudLinux, UaKind::GcloudMac, UaKind::Console][k as usize % 3],
                ),
            };
            let kind = if email.ends_with("gserviceaccount.com") {
                "serviceAccount"
            } else {
                "user"
            };
            Principal {
                subject: format!("{kind}:{email}"),
                email,
                ip,
                network,
                ua,
            }
        })
        .collect()
}
