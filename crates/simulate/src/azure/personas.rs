//! Who makes Azure calls: identities, their claims, and the callers of the noise.

use crate::rng::{hash, Rng};

pub(super) const APPID_AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub(super) const APPID_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
pub(super) const APPID_BACKUP: &str = "262044b1-e2ce-469f-a196-69ab7ada62d3";

pub(super) struct Ident {
    pub(super) user: bool,
    pub(super) ip: String,
    pub(super) role: &'static str,
    pub(super) role_def: &'static str,
    pub(super) scope: String,
    pub(super) appid: String,
    pub(super) upn: String,
    pub(super) display: String,
    pub(super) given: String,
    pub(super) surname: String,
    pub(super) amr: &'static str,
    pub(super) appidacr: &'static str,
    pub(super) mirid: Option<String>,
    pub(super) oid: String,
    pub(super) puid: String,
    pub(super) nameid: String,
    pub(super) assignment: String,
    pub(super) tcdt: u64,
    /// claims object for the current hour (a token lives about an hour)
    pub(super) claims: String,
}

impl Ident {
    pub(super) fn caller(&self) -> &str {
        if self.user {
            &self.upn
        } else {
            &self.oid
        }
    }
}

pub(super) struct IdentSpec<'a> {
    pub(super) key: &'a str,
    pub(super) user: bool,
    pub(super) ip: &'a str,
    pub(super) role: &'static str,
    pub(super) sub_scope: bool,
    pub(super) appid: String,
    pub(super) upn: &'a str,
    pub(super) display: &'a str,
    pub(super) amr: &'static str,
    pub(super) appidacr: &'static str,
    pub(super) mirid: Option<String>,
}

pub(super) fn role_def(role: &str) -> &'static str {
    match role {
        "Owner" => "8e3af657a8ff443ca75c2fe8c4bcb635",
        "Contributor" => "b24988ac618042a0ab8820f7382dd24c",
        "Virtual Machine Contributor" => "9980e02cc2be4d7394e8173b1dc7cf3c",
        "Backup Operator" => "00c29273979b4161815c10b084fb9324",
        _ => "acdd72a7338548efbd42f606fba81ae7", // Reader
    }
}

pub(super) fn ident(sub: &str, s: IdentSpec) -> Ident {
    let mut r = Rng::new(hash(&[sub.as_bytes(), s.key.as_bytes()]));
    let (given, surname) = s.display.split_once(' ').unwrap_or((s.display, ""));
    Ident {
        user: s.user,
        ip: s.ip.to_string(),
        role: s.role,
        role_def: role_def(s.role),
        scope: if s.sub_scope {
            format!("/subscriptions/{sub}")
        } else {
            format!("/subscriptions/{sub}/resourceGroups/rg-web-prod")
        },
        appid: s.appid,
        upn: s.upn.to_string(),
        display: s.display.to_string(),
        given: given.to_string(),
        surname: surname.to_string(),
        amr: s.amr,
        appidacr: s.appidacr,
        mirid: s.mirid,
        oid: r.uuid().to_string(),
        puid: r.string(|r, v| {
            r.hex(v, 16);
            v.make_ascii_uppercase()
        }),
        nameid: r.string(|r, v| r.alnum(v, 43)),
        assignment: r.string(|r, v| r.hex(v, 32)),
        tcdt: 1_505_922_744 + r.below(1000),
        claims: String::new(),
    }
}

// identities
pub(super) const ALICE: usize = 0;
pub(super) const BOB: usize = 1;
pub(super) const TF: usize = 2;
pub(super) const APPS_MI: usize = 3;
pub(super) const AKS_MI: usize = 4;
pub(super) const AUTOMATION: usize = 5;
pub(super) const ATTACKER0: usize = 6;
pub(super) const OPS: usize = 8;
pub(super) const BACKUP: usize = 9;
/// The estate's habit cast follows the table (`Who::Habit(k)` is `HABIT0 + k`).
pub(super) const HABIT0: usize = 10;
