//! The fixed cast of a subscription: who makes the noise and who makes the fixed calls.
//!
//! Nothing here draws from a generator: application ids are derived from the subscription.

use super::personas::*;
use crate::rng::{hash, Rng};

/// How a caller signs in.
enum Caller {
    /// a person, through an app with this id
    User {
        appid: &'static str,
        upn: &'static str,
        display: &'static str,
        amr: &'static str,
        appidacr: &'static str,
    },
    /// an application or managed identity; its id is derived from `appid_key` unless fixed
    App {
        appid_key: &'static str,
        fixed_appid: Option<&'static str>,
        /// the managed identity's resource id after `/subscriptions/<sub>/resourcegroups/`
        mirid: Option<&'static str>,
    },
}

struct Row {
    key: &'static str,
    ip: &'static str,
    role: &'static str,
    caller: Caller,
}

const fn user(
    key: &'static str,
    ip: &'static str,
    role: &'static str,
    appid: &'static str,
    (upn, display): (&'static str, &'static str),
    (amr, appidacr): (&'static str, &'static str),
) -> Row {
    Row {
        key,
        ip,
        role,
        caller: Caller::User {
            appid,
            upn,
            display,
            amr,
            appidacr,
        },
    }
}

const fn app(
    key: &'static str,
    ip: &'static str,
    role: &'static str,
    appid_key: &'static str,
    mirid: Option<&'static str>,
) -> Row {
    Row {
        key,
        ip,
        role,
        caller: Caller::App {
            appid_key,
            fixed_appid: None,
            mirid,
        },
    }
}

const VM_CONTRIBUTOR: &str = "Virtual Machine Contributor";

/// Indexed by `ALICE`, `BOB`, ... `BACKUP`.
const IDENTITIES: [Row; 10] = [
    user(
        "alice",
        "192.0.2.10",
        "Owner",
        APPID_PORTAL,
        ("alice@contoso.com", "Alice Martin"),
        ("pwd,mfa", "2"),
    ),
    user(
        "bob",
        "192.0.2.11",
        "Contributor",
        APPID_AZURE_CLI,
        ("bob.smith@contoso.com", "Bob Smith"),
        ("pwd,mfa", "0"),
    ),
    app("terraform", "20.57.181.9", "Contributor", "terraform-appid", None),
    app(
        "apps-mi",
        "52.170.14.2",
        "Contributor",
        "apps-appid",
        Some("rg-web-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-checkout-prod"),
    ),
    app(
        "aks-mi",
        "20.85.112.40",
        "Contributor",
        "aks-appid",
        Some("MC_rg-aks-prod_aks-prod-01_eastus/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-prod-01-agentpool"),
    ),
    app(
        "aa-scheduler-mi",
        "192.0.2.77",
        VM_CONTRIBUTOR,
        "aa-appid",
        Some("rg-automation/providers/Microsoft.Automation/automationAccounts/aa-scheduler"),
    ),
    user(
        "attacker0",
        "203.0.113.66",
        "Contributor",
        APPID_AZURE_CLI,
        ("svc-deploy@contoso.onmicrosoft.com", "Deploy Service"),
        ("pwd", "0"),
    ),
    user(
        "attacker1",
        "198.51.100.77",
        "Owner",
        APPID_AZURE_CLI,
        ("k.ivanova@contoso.com", "Katya Ivanova"),
        ("pwd", "0"),
    ),
    user(
        "jane",
        "198.51.100.23",
        VM_CONTRIBUTOR,
        APPID_PORTAL,
        ("jane.doe@contoso.com", "Jane Doe"),
        ("pwd,mfa", "2"),
    ),
    Row {
        key: "backup-mgmt",
        ip: "192.0.2.41",
        role: VM_CONTRIBUTOR,
        caller: Caller::App {
            appid_key: "",
            fixed_appid: Some(APPID_BACKUP),
            mirid: None,
        },
    },
];

/// The identities of `sub`, in table order.
pub(super) fn identities(sub: &str) -> Vec<Ident> {
    IDENTITIES
        .iter()
        .map(|row| ident(sub, spec(sub, row)))
        .collect()
}

fn spec<'a>(sub: &str, row: &'a Row) -> IdentSpec<'a> {
    match &row.caller {
        Caller::User {
            appid,
            upn,
            display,
            amr,
            appidacr,
        } => IdentSpec {
            key: row.key,
            user: true,
            ip: row.ip,
            role: row.role,
            // VM operators hold their role on resource groups, the rest on the subscription
            sub_scope: row.role != VM_CONTRIBUTOR,
            appid: appid.to_string(),
            upn,
            display,
            amr,
            appidacr,
            mirid: None,
        },
        Caller::App {
            appid_key,
            fixed_appid,
            mirid,
        } => IdentSpec {
            key: row.key,
            user: false,
            ip: row.ip,
            role: row.role,
            sub_scope: true,
            appid: match fixed_appid {
                Some(id) => id.to_string(),
                None => Rng::new(hash(&[sub.as_bytes(), appid_key.as_bytes()]))
                    .uuid()
                    .to_string(),
            },
            upn: "",
            display: "",
            amr: "",
            appidacr: "2",
            mirid: mirid.map(|m| format!("/subscriptions/{sub}/resourcegroups/{m}")),
        },
    }
}

/// The estate's habit cast (`crate::habits`) in `sub`: `n` identities after the table's.
pub(super) fn habit_identities(sub: &str, n: usize) -> Vec<Ident> {
    use crate::habits::{display, login, COPIER, ONCALL, PATCHER, SCHEDULER};
    (0..n as u16)
        .map(|k| {
            let upn = format!("{}@contoso.com", login(k));
            let name = display(login(k));
            let ip = if ONCALL.contains(&k) || k == COPIER {
                "198.51.100.23".to_string()
            } else {
                format!("192.0.2.{}", 100 + k)
            };
            let app = |key: &'static str, mirid: &str| IdentSpec {
                key,
                user: false,
                ip: "192.0.2.78",
                role: VM_CONTRIBUTOR,
                sub_scope: true,
                appid: Rng::new(hash(&[sub.as_bytes(), key.as_bytes()]))
                    .uuid()
                    .to_string(),
                upn: "",
                display: "",
                amr: "",
                appidacr: "2",
                mirid: Some(format!("/subscriptions/{sub}/resourcegroups/{mirid}")),
            };
            let spec = match k {
                PATCHER => app(
                    "aa-patching-mi",
                    "rg-automation/providers/Microsoft.Automation/automationAccounts/aa-patching",
                ),
                SCHEDULER => app(
                    "startstop-mi",
                    "rg-startstop/providers/Microsoft.Web/sites/startstop-fn-acme",
                ),
                k => {
                    let portal = k == ONCALL[0] || k % 3 == 0;
                    IdentSpec {
                        // the on-call person is the table's jane (the same object id)
                        key: if k == ONCALL[0] { "jane" } else { login(k) },
                        user: true,
                        ip: &ip,
                        role: VM_CONTRIBUTOR,
                        sub_scope: true,
                        appid: if portal {
                            APPID_PORTAL
                        } else {
                            APPID_AZURE_CLI
                        }
                        .to_string(),
                        upn: &upn,
                        display: &name,
                        amr: "pwd,mfa",
                        appidacr: if portal { "2" } else { "0" },
                        mirid: None,
                    }
                }
            };
            ident(sub, spec)
        })
        .collect()
}
