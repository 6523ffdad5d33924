//! The Azure record renderer: one subscription for one day.

use std::io::Write;
use std::mem::take;

use super::calls::{arm_id, Call, Who, ATTACKERS};
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::json;
use crate::rng::{derive, hash, Rng, Uuid};
use crate::time::{self, DAY, HOUR, SEC};

const REGION: &str = "eastus";
const APPID_AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const APPID_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
const APPID_BACKUP: &str = "262044b1-e2ce-469f-a196-69ab7ada62d3";

struct Ident {
    user: bool,
    ip: String,
    role: &'static str,
    role_def: &'static str,
    scope: String,
    appid: String,
    upn: String,
    display: String,
    given: String,
    surname: String,
    amr: &'static str,
    appidacr: &'static str,
    mirid: Option<String>,
    oid: String,
    puid: String,
    nameid: String,
    assignment: String,
    tcdt: u64,
    /// claims object for the current hour (a token lives about an hour)
    claims: String,
}

impl Ident {
    fn caller(&self) -> &str {
        if self.user {
            &self.upn
        } else {
            &self.oid
        }
    }
}

struct IdentSpec<'a> {
    key: &'a str,
    user: bool,
    ip: &'a str,
    role: &'static str,
    sub_scope: bool,
    appid: String,
    upn: &'a str,
    display: &'a str,
    amr: &'static str,
    appidacr: &'static str,
    mirid: Option<String>,
}

fn role_def(role: &str) -> &'static str {
    match role {
        "Owner" => "8e3af657a8ff443ca75c2fe8c4bcb635",
        "Contributor" => "b24988ac618042a0ab8820f7382dd24c",
        "Virtual Machine Contributor" => "9980e02cc2be4d7394e8173b1dc7cf3c",
        "Backup Operator" => "00c29273979b4161815c10b084fb9324",
        _ => "acdd72a7338548efbd42f606fba81ae7", // Reader
    }
}

fn ident(sub: &str, s: IdentSpec) -> Ident {
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

/// Phase kinds
const START: u8 = 0;
const ACCEPT: u8 = 1;
const SUCCESS: u8 = 2;
const FAILURE: u8 = 3;

struct Phase {
    kind: u8,
    t: i64,
    code: &'static str,
    resp: Option<Vec<u8>>,
}

struct Op<'a> {
    name: &'a str,
    rid: &'a str,
    rg: &'a str,
    ident: &'a Ident,
    method: &'static str,
    req: Option<&'a [u8]>,
    body_key: &'static str,
    corr: Uuid,
    opid: Uuid,
    client_req: Uuid,
    srv_req: Uuid,
    phases: Vec<Phase>,
}

fn upper(b: &mut Vec<u8>, s: &str) {
    b.extend(s.bytes().map(|c| c.to_ascii_uppercase()));
}

/// The casings ARM emits in the mixed-case form of a resource id.
fn mixed(b: &mut Vec<u8>, rid: &str, rg: &str, variant: u64) {
    match variant {
        1 => {
            if let Some(i) = rid.find("/resourceGroups/") {
                b.extend_from_slice(&rid.as_bytes()[..i]);
                b.extend_from_slice(b"/resourcegroups/");
                b.extend_from_slice(&rid.as_bytes()[i + 16..]);
                return;
            }
            b.extend_from_slice(rid.as_bytes())
        }
        2 => {
            let pat = format!("/{rg}/");
            if let Some(i) = rid.find(&pat) {
                b.extend_from_slice(&rid.as_bytes()[..i + 1]);
                upper(b, rg);
                b.extend_from_slice(&rid.as_bytes()[i + 1 + rg.len()..]);
                return;
            }
            b.extend_from_slice(rid.as_bytes())
        }
        _ => b.extend_from_slice(rid.as_bytes()),
    }
}

pub(crate) struct AzureGen {
    sub: String,
    tenant: String,
    rest: bool,
    shard_seed: u64,
    ids: Vec<Ident>,
    vms: Vec<(String, String)>,
    storage: Vec<String>,
    vaults: Vec<String>,
    buf: Vec<u8>,
    req: Vec<u8>,
}

// identities
const ALICE: usize = 0;
const BOB: usize = 1;
const TF: usize = 2;
const APPS_MI: usize = 3;
const AKS_MI: usize = 4;
const AUTOMATION: usize = 5;
const ATTACKER0: usize = 6;
const OPS: usize = 8;
const BACKUP: usize = 9;

/// (operation, resource id, resource group, caller, method, accept code, finish seconds range,
/// final code) of a noise operation.
type NoiseSpec = (
    &'static str,
    String,
    String,
    usize,
    &'static str,
    Option<&'static str>,
    (u64, u64),
    &'static str,
);

/// VMs `0..NOISE_VMS` take noise; the rest (`batch-vm-*`) are the scheduler's.
const NOISE_VMS: usize = 12;

const RGS: [&str; 5] = [
    "rg-web-prod",
    "rg-data-prod",
    "rg-shared-services",
    "rg-aks-prod",
    "rg-network",
];

impl AzureGen {
    pub fn new(sub: &str, pool_seed: u64, shard_seed: u64, rest: bool) -> AzureGen {
        let mut pool = Rng::new(pool_seed);
        let tenant = Rng::new(hash(&[b"tenant", sub.as_bytes()]))
            .uuid()
            .to_string();
        let automation_mirid = format!(
            "/subscriptions/{sub}/resourcegroups/rg-automation/providers/Microsoft.Automation/automationAccounts/aa-scheduler"
        );
        let apps_mirid = format!(
            "/subscriptions/{sub}/resourcegroups/rg-web-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-checkout-prod"
        );
        let aks_mirid = format!(
            "/subscriptions/{sub}/resourcegroups/MC_rg-aks-prod_aks-prod-01_eastus/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-prod-01-agentpool"
        );
        let app =
            |key: &'static str, ip: &'static str, role, appid: String, mirid: Option<String>| {
                IdentSpec {
                    key,
                    user: false,
                    ip,
                    role,
                    sub_scope: true,
                    appid,
                    upn: "",
                    display: "",
                    amr: "",
                    appidacr: "2",
                    mirid,
                }
            };
        let guid = |k: &str| {
            Rng::new(hash(&[sub.as_bytes(), k.as_bytes()]))
                .uuid()
                .to_string()
        };
        let user = |key: &'static str,
                    ip: &'static str,
                    role,
                    appid: &'static str,
                    upn: &'static str,
                    display: &'static str,
                    amr,
                    appidacr| IdentSpec {
            key,
            user: true,
            ip,
            role,
            sub_scope: role != "Virtual Machine Contributor",
            appid: appid.to_string(),
            upn,
            display,
            amr,
            appidacr,
            mirid: None,
        };
        let specs = vec![
            user(
                "alice",
                "192.0.2.10",
                "Owner",
                APPID_PORTAL,
                "alice@contoso.com",
                "Alice Martin",
                "pwd,mfa",
                "2",
            ),
            user(
                "bob",
                "192.0.2.11",
                "Contributor",
                APPID_AZURE_CLI,
                "bob.smith@contoso.com",
                "Bob Smith",
                "pwd,mfa",
                "0",
            ),
            app(
                "terraform",
                "20.57.181.9",
                "Contributor",
                guid("terraform-appid"),
                None,
            ),
            app(
                "apps-mi",
                "52.170.14.2",
                "Contributor",
                guid("apps-appid"),
                Some(apps_mirid),
            ),
            app(
                "aks-mi",
                "20.85.112.40",
                "Contributor",
                guid("aks-appid"),
                Some(aks_mirid),
            ),
            app(
                "aa-scheduler-mi",
                "192.0.2.77",
                "Virtual Machine Contributor",
                guid("aa-appid"),
                Some(automation_mirid),
            ),
            user(
                "attacker0",
                "203.0.113.66",
                "Contributor",
                APPID_AZURE_CLI,
                "svc-deploy@contoso.onmicrosoft.com",
                "Deploy Service",
                "pwd",
                "0",
            ),
            user(
                "attacker1",
                "198.51.100.77",
                "Owner",
                APPID_AZURE_CLI,
                "k.ivanova@contoso.com",
                "Katya Ivanova",
                "pwd",
                "0",
            ),
            user(
                "jane",
                "198.51.100.23",
                "Virtual Machine Contributor",
                APPID_PORTAL,
                "jane.doe@contoso.com",
                "Jane Doe",
                "pwd,mfa",
                "2",
            ),
            app(
                "backup-mgmt",
                "192.0.2.41",
                "Virtual Machine Contributor",
                APPID_BACKUP.to_string(),
                None,
            ),
        ];
        let ids = specs.into_iter().map(|s| ident(sub, s)).collect();
        let tiers = ["web", "api", "data", "batch"];
        let mut vms: Vec<(String, String)> = (0..16)
            .map(|i| {
                let tier = tiers[i % 4];
                let rg = if tier == "data" {
                    "rg-data-prod"
                } else {
                    "rg-web-prod"
                };
                (format!("{tier}-vm-{:02}", i / 4 + 1), rg.to_string())
            })
            .collect();
        vms.sort_by_key(|(n, _)| n.starts_with("batch-"));
        let storage = (0..4)
            .map(|_| {
                pool.string(|r, v| {
                    v.extend_from_slice(b"stacmeprod");
                    r.lower_alnum(v, 6)
                })
            })
            .collect();
        let vaults = (0..2)
            .map(|_| {
                pool.string(|r, v| {
                    v.extend_from_slice(b"kv-acme-prod-");
                    r.lower_alnum(v, 4)
                })
            })
            .collect();
        AzureGen {
            sub: sub.to_string(),
            tenant,
            rest,
            shard_seed,
            ids,
            vms,
            storage,
            vaults,
            buf: Vec::with_capacity(16 * 1024),
            req: Vec::with_capacity(4096),
        }
    }

    fn who(w: &Who) -> usize {
        match w {
            Who::Attacker(k) => ATTACKER0 + (*k as usize).min(ATTACKERS - 1),
            Who::Ops => OPS,
            Who::BackupService => BACKUP,
            Who::Automation => AUTOMATION,
        }
    }

    fn claims(&self, id: &Ident, iat: u64, r: &mut Rng) -> String {
        let t = &self.tenant;
        let mut b = Vec::with_capacity(1600);
        b.extend_from_slice(br#"{"aio":""#);
        r.b64(&mut b, if id.user { 72 } else { 41 });
        let exp = iat + if id.user { 5215 } else { 86_400 };
        w!(
            b,
            r#"","appid":"{}","appidacr":"{}","aud":"https://management.core.windows.net/","exp":"{exp}","#,
            id.appid,
            id.appidacr
        );
        if id.user {
            w!(
                b,
                r#""http://schemas.microsoft.com/claims/authnclassreference":"1","http://schemas.microsoft.com/claims/authnmethodsreferences":"{}","http://schemas.microsoft.com/identity/claims/objectidentifier":"{}","http://schemas.microsoft.com/identity/claims/scope":"user_impersonation","http://schemas.microsoft.com/identity/claims/tenantid":"{t}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":"{}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":"{}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier":"{}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":"{}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"{}","iat":"{iat}","idtyp":"user","ipaddr":"{}","iss":"https://sts.windows.net/{t}/","name":"{}","nbf":"{iat}","puid":"{}","rh":"0.AXoAv4j5cvGGr0GRqy180BHbR0ZIf3kAutdPukPawfj2MBN6A"#,
                id.amr,
                id.oid,
                id.given,
                id.upn,
                id.nameid,
                id.surname,
                id.upn,
                id.ip,
                id.display,
                id.puid
            );
        } else {
            w!(
                b,
                r#""http://schemas.microsoft.com/identity/claims/identityprovider":"https://sts.windows.net/{t}/","http://schemas.microsoft.com/identity/claims/objectidentifier":"{}","http://schemas.microsoft.com/identity/claims/tenantid":"{t}","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier":"{}","iat":"{iat}","idtyp":"app","iss":"https://sts.windows.net/{t}/","nbf":"{iat}","rh":"0.AXoAv4j5cvGGr0GRqy180BHbR0ZIf3kAutdPukPawfj2MBN6A"#,
                id.oid,
                id.oid
            );
        }
        r.alnum(&mut b, 3);
        b.extend_from_slice(br#".","uti":""#);
        r.alnum(&mut b, 22);
        b.extend_from_slice(br#"","ver":"1.0""#);
        if id.user {
            b.extend_from_slice(br#","wids":"b79fbf4d-3ef9-4689-8143-76b194e85509""#);
        }
        if let Some(m) = &id.mirid {
            w!(b, r#","xms_mirid":"{m}""#);
        }
        w!(b, r#","xms_tcdt":"{}"}}"#, id.tcdt);
        String::from_utf8(b).expect("ascii")
    }

    #[allow(clippy::too_many_arguments)]
    fn new_op<'a>(
        &'a self,
        r: &mut Rng,
        name: &'a str,
        rid: &'a str,
        rg: &'a str,
        who: usize,
        method: &'static str,
        req: Option<&'a [u8]>,
    ) -> Op<'a> {
        Op {
            name,
            rid,
            rg,
            ident: &self.ids[who],
            method,
            req,
            body_key: if r.chance(0.5) {
                "requestbody"
            } else {
                "requestBody"
            },
            corr: r.uuid(),
            opid: r.uuid(),
            client_req: r.uuid(),
            srv_req: r.uuid(),
            phases: Vec::with_capacity(3),
        }
    }

    /// Renders and emits every phase of `op`: the first now, the others at their times.
    fn emit(&self, e: &mut Emit, op: &Op, b: &mut Vec<u8>) -> Result<()> {
        let upper_first = e.rng.chance(0.5);
        for i in 0..op.phases.len() {
            b.clear();
            if self.rest {
                self.render_rest(b, &mut e.rng, op, i);
            } else {
                self.render_eh(b, &mut e.rng, op, i, (i % 2 == 0) == upper_first);
            }
            if i == 0 {
                e.now(0, b)?;
            } else {
                e.later(0, op.phases[i].t, b.clone());
            }
        }
        Ok(())
    }

    fn signature(ph: &Phase) -> (&'static str, String) {
        match ph.kind {
            START => ("Start", "Started.".to_string()),
            ACCEPT => ("Accept", format!("Accepted.{}", ph.code)),
            SUCCESS => ("Success", format!("Succeeded.{}", ph.code)),
            _ => ("Failure", format!("Failed.{}", ph.code)),
        }
    }

    fn status_message(b: &mut Vec<u8>, op: &Op) {
        let mut m = Vec::with_capacity(512);
        w!(
            m,
            r#"{{"error":{{"code":"AuthorizationFailed","message":"The client '{}' with object id '{}' does not have authorization to perform action '{}' over scope '{}' or the scope is invalid. If access was recently granted, please refresh your credentials."}}}}"#,
            op.ident.caller(),
            op.ident.oid,
            op.name,
            op.rid
        );
        json::escaped(b, &m);
    }

    fn render_eh(&self, b: &mut Vec<u8>, r: &mut Rng, op: &Op, i: usize, up: bool) {
        let ph = &op.phases[i];
        let variant = [0, 0, 1, 2][r.below(4) as usize];
        b.extend_from_slice(br#"{"time":""#);
        time::iso(b, ph.t, 7);
        b.extend_from_slice(br#"","resourceId":""#);
        if up {
            upper(b, op.rid);
        } else {
            mixed(b, op.rid, op.rg, variant);
        }
        b.extend_from_slice(br#"","operationName":""#);
        if up {
            upper(b, op.name);
        } else {
            b.extend_from_slice(op.name.as_bytes());
        }
        let (kind, sig) = Self::signature(ph);
        let dur = if ph.kind == START {
            0
        } else {
            (ph.t - op.phases[0].t) / 1_000_000
        };
        let id = op.ident;
        w!(
            b,
            r#"","category":"Administrative","resultType":"{kind}","resultSignature":"{sig}","durationMs":{dur},"callerIpAddress":"{}","correlationId":"{}","identity":{{"authorization":{{"scope":"{}","action":"{}""#,
            id.ip,
            op.corr,
            op.rid,
            op.name
        );
        if ph.kind != FAILURE {
            w!(
                b,
                r#","evidence":{{"role":"{}","roleAssignmentScope":"{}","roleAssignmentId":"{}","roleDefinitionId":"{}","principalId":"{}","principalType":"{}"}}"#,
                id.role,
                id.scope,
                id.assignment,
                id.role_def,
                id.oid.replace('-', ""),
                if id.user { "User" } else { "ServicePrincipal" }
            );
        }
        w!(
            b,
            r#"}},"claims":{}}},"level":"{}","location":"global","properties":{{"#,
            id.claims,
            if ph.kind == FAILURE {
                "Error"
            } else {
                "Information"
            }
        );
        let mut first = true;
        let mut comma = |b: &mut Vec<u8>| {
            if !first {
                b.push(b',');
            }
            first = false;
        };
        if ph.kind != START {
            comma(b);
            w!(b, r#""statusCode":"{}","serviceRequestId":"#, ph.code);
            if ph.kind == ACCEPT || ph.resp.is_some() {
                w!(b, r#""{}""#, op.srv_req);
            } else {
                b.extend_from_slice(b"null");
            }
        }
        if ph.kind == START {
            if let Some(req) = op.req {
                comma(b);
                w!(b, r#""{}":""#, op.body_key);
                json::escaped(b, req);
                b.push(b'"');
            }
        }
        if let Some(resp) = &ph.resp {
            comma(b);
            b.extend_from_slice(br#""responseBody":""#);
            json::escaped(b, resp);
            b.push(b'"');
        }
        if ph.kind == FAILURE {
            comma(b);
            b.extend_from_slice(br#""statusMessage":""#);
            Self::status_message(b, op);
            b.push(b'"');
        }
        comma(b);
        b.extend_from_slice(br#""eventCategory":"Administrative","entity":""#);
        mixed(b, op.rid, op.rg, variant);
        w!(
            b,
            r#"","message":"{}","hierarchy":"{}/{}"}},"eventDataId":""#,
            op.name,
            self.tenant,
            self.sub
        );
        b.extend_from_slice(r.uuid().bytes());
        b.extend_from_slice(b"\"}");
    }

    /// REST schema, keys sorted (as the az CLI prints them); the sink indents it.
    fn render_rest(&self, b: &mut Vec<u8>, r: &mut Rng, op: &Op, i: usize) {
        let ph = &op.phases[i];
        let id = op.ident;
        let begin = ph.kind == START;
        let edid = r.uuid();
        let status = match ph.kind {
            START => "Started",
            ACCEPT => "Accepted",
            SUCCESS => "Succeeded",
            _ => "Failed",
        };
        let (sub_v, sub_text) = match (ph.kind, ph.code) {
            (START, _) => ("", ""),
            (_, "OK") => ("OK", "OK (HTTP Status Code: 200)"),
            (_, "Created") => ("Created", "Created (HTTP Status Code: 201)"),
            (_, "Accepted") => ("Accepted", "Accepted (HTTP Status Code: 202)"),
            (_, "Forbidden") => ("Forbidden", "Forbidden (HTTP Status Code: 403)"),
            (_, c) => (c, c),
        };
        let provider = op.name.split('/').next().unwrap_or("");
        let rtype = {
            let parts: Vec<&str> = op.name.split('/').collect();
            let n = parts.len();
            let cut = if parts[n - 1] == "action" { 2 } else { 1 };
            parts[..n.saturating_sub(cut)].join("/")
        };
        let localized = match op.name {
            "Microsoft.Compute/virtualMachines/deallocate/action" => "Deallocate Virtual Machine",
            "Microsoft.Compute/virtualMachines/start/action" => "Start Virtual Machine",
            "Microsoft.Compute/virtualMachines/write" => "Create or Update Virtual Machine",
            "Microsoft.Compute/disks/write" => "Create or Update Disk",
            "Microsoft.Storage/storageAccounts/listKeys/action" => "List Storage Account Keys",
            n => n,
        };
        w!(
            b,
            r#"{{"authorization":{{"action":"{}","scope":"{}"}},"caller":"{}","category":{{"localizedValue":"Administrative","value":"Administrative"}},"claims":{},"correlationId":"{}","description":"","eventDataId":"{edid}","eventName":{{"localizedValue":"{}","value":"{}"}},"eventTimestamp":""#,
            op.name,
            op.rid,
            id.caller(),
            id.claims,
            op.corr,
            if begin {
                "Begin request"
            } else {
                "End request"
            },
            if begin { "BeginRequest" } else { "EndRequest" },
        );
        time::iso(b, ph.t, 7);
        let ticks = ph.t / 100 + 621_355_968_000_000_000;
        w!(
            b,
            r#"","httpRequest":{{"clientIpAddress":"{}","clientRequestId":"{}","method":"{}"}},"id":"{}/events/{edid}/ticks/{ticks}","level":"{}","operationId":"{}","operationName":{{"localizedValue":"{localized}","value":"{}"}},"properties":{{"entity":"{}","eventCategory":"Administrative","hierarchy":"{}/{}","message":"{}""#,
            id.ip,
            op.client_req,
            op.method,
            op.rid,
            if ph.kind == FAILURE {
                "Error"
            } else {
                "Informational"
            },
            op.opid,
            op.name,
            op.rid,
            self.tenant,
            self.sub,
            op.name
        );
        if begin {
            if let Some(req) = op.req {
                w!(b, r#","{}":""#, op.body_key);
                json::escaped(b, req);
                b.push(b'"');
            }
        }
        if let Some(resp) = &ph.resp {
            b.extend_from_slice(br#","responseBody":""#);
            json::escaped(b, resp);
            b.push(b'"');
        }
        if !begin {
            w!(b, r#","serviceRequestId":"#);
            if ph.kind == ACCEPT || ph.resp.is_some() {
                w!(b, r#""{}""#, op.srv_req);
            } else {
                b.extend_from_slice(b"null");
            }
            w!(b, r#","statusCode":"{}""#, ph.code);
        }
        if ph.kind == FAILURE {
            b.extend_from_slice(br#","statusMessage":""#);
            Self::status_message(b, op);
            b.push(b'"');
        }
        w!(
            b,
            r#"}},"resourceGroup":"{rg}","resourceGroupName":"{rg}","resourceId":"{}","resourceProviderName":{{"localizedValue":"{provider}","value":"{provider}"}},"resourceType":{{"localizedValue":"{rtype}","value":"{rtype}"}},"status":{{"localizedValue":"{status}","value":"{status}"}},"subStatus":{{"localizedValue":"{sub_text}","value":"{sub_v}"}},"submissionTimestamp":""#,
            op.rid,
            rg = op.rg,
        );
        time::iso(b, ph.t + 35 * SEC + r.below(100 * SEC as u64) as i64, 7);
        w!(
            b,
            r#"","subscriptionId":"{}","tenantId":"{}"}}"#,
            self.sub,
            self.tenant
        );
    }

    fn phases(
        r: &mut Rng,
        t: i64,
        accept: Option<&'static str>,
        done_s: (u64, u64),
        code: &'static str,
    ) -> Vec<Phase> {
        let mut v = vec![Phase {
            kind: START,
            t,
            code: "",
            resp: None,
        }];
        if let Some(c) = accept {
            v.push(Phase {
                kind: ACCEPT,
                t: t + 100_000_000 + r.below(500_000_000) as i64,
                code: c,
                resp: None,
            });
        }
        let lo = done_s.0 * SEC as u64;
        let hi = done_s.1 * SEC as u64;
        v.push(Phase {
            kind: SUCCESS,
            t: t + (lo + r.below(hi - lo + 1)) as i64,
            code,
            resp: None,
        });
        v
    }

    fn failed(r: &mut Rng, t: i64) -> Vec<Phase> {
        vec![
            Phase {
                kind: START,
                t,
                code: "",
                resp: None,
            },
            Phase {
                kind: FAILURE,
                t: t + 50_000_000 + r.below(250_000_000) as i64,
                code: "Forbidden",
                resp: None,
            },
        ]
    }

    #[allow(clippy::too_many_arguments)]
    fn disk_response(
        &self,
        r: &mut Rng,
        rg: &str,
        disk: &str,
        option: &str,
        source: &str,
        state: &str,
        t_created: i64,
    ) -> Vec<u8> {
        let mut b = Vec::with_capacity(1024);
        w!(
            b,
            r#"{{"name":"{disk}","id":"{}","type":"Microsoft.Compute/disks","location":"{REGION}","sku":{{"name":"Premium_LRS","tier":"Premium"}},"properties":{{"osType":"Linux","hyperVGeneration":"V2","supportedCapabilities":{{"architecture":"x64"}},"creationData":{{"createOption":"{option}","#,
            arm_id(&self.sub, rg, "Microsoft.Compute", "disks", disk)
        );
        if !source.is_empty() {
            w!(
                b,
                r#""sourceResourceId":"{source}","sourceUniqueId":"{}","#,
                r.uuid()
            );
        }
        b.truncate(b.len() - 1);
        b.extend_from_slice(br#"},"diskSizeGB":30,"diskIOPSReadWrite":120,"diskMBpsReadWrite":25,"encryption":{"type":"EncryptionAtRestWithPlatformKey"},"networkAccessPolicy":"AllowAll","publicNetworkAccess":"Enabled","timeCreated":""#);
        let mut ts = Vec::new();
        time::iso(&mut ts, t_created, 7);
        ts.pop();
        b.extend_from_slice(&ts);
        w!(
            b,
            r#"+00:00","provisioningState":"{state}","diskState":"Unattached","diskSizeBytes":32212254720,"uniqueId":"{}","tier":"P4"}}}}"#,
            r.uuid()
        );
        b
    }

    #[allow(clippy::too_many_arguments)]
    fn vm_model(
        &self,
        b: &mut Vec<u8>,
        rg: &str,
        vm: &str,
        size: &str,
        os_name: &str,
        os_id: &str,
        data_id: Option<&str>,
        from_image: bool,
        extra: Option<(&str, &str)>,
    ) {
        w!(
            b,
            r#"{{"location":"{REGION}","tags":{{"env":"prod","app":"web"}},"properties":{{"hardwareProfile":{{"vmSize":"{size}"}},"storageProfile":{{"#
        );
        if from_image {
            b.extend_from_slice(br#""imageReference":{"publisher":"Canonical","offer":"0001-com-ubuntu-server-jammy","sku":"22_04-lts-gen2","version":"latest"},"#);
        }
        w!(
            b,
            r#""osDisk":{{"osType":"Linux","name":"{os_name}","createOption":"{}","caching":"ReadWrite","managedDisk":{{"id":"{os_id}","storageAccountType":"Premium_LRS"}},"deleteOption":"{}","diskSizeGB":30}},"dataDisks":["#,
            if from_image { "FromImage" } else { "Attach" },
            if from_image { "Delete" } else { "Detach" }
        );
        if let Some(d) = data_id {
            let name = d.rsplit('/').next().unwrap_or(d);
            w!(
                b,
                r#"{{"lun":0,"name":"{name}","createOption":"Attach","caching":"None","managedDisk":{{"id":"{d}","storageAccountType":"Premium_LRS"}},"deleteOption":"Detach","diskSizeGB":30}}"#
            );
        }
        w!(
            b,
            r#"],"diskControllerType":"SCSI"}},"securityProfile":{{"uefiSettings":{{"secureBootEnabled":true,"vTpmEnabled":true}},"securityType":"TrustedLaunch"}},"networkProfile":{{"networkInterfaces":[{{"id":"{}","properties":{{"deleteOption":"Detach"}}}}]}},"diagnosticsProfile":{{"bootDiagnostics":{{"enabled":true}}}}"#,
            arm_id(
                &self.sub,
                rg,
                "Microsoft.Network",
                "networkInterfaces",
                &format!("{vm}-nic01")
            )
        );
        if let Some((k, v)) = extra {
            w!(b, r#","{k}":{v}"#);
        }
        b.extend_from_slice(b"}}");
    }

    // ------------------------------------------------------------------ noise

    fn noise_op(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        let mut b = take(&mut self.buf);
        let mut req = take(&mut self.req);
        req.clear();
        let r = &mut e.rng;
        let sub = self.sub.clone();
        let fail = r.chance(0.02);
        let k = r.weighted(&[28, 10, 8, 8, 6, 6, 6, 3, 5, 3, 3, 2, 4, 2]);
        // the scheduler's batch VMs are left alone, so that its evening deallocate and its
        // morning start stay twelve hours apart with nothing in between
        let (vm, vm_rg) = self.vms[r.below(NOISE_VMS as u64) as usize].clone();
        let st = r.pick(&self.storage).clone();
        let kv = r.pick(&self.vaults).clone();
        let (name, rid, rg, who, method, accept, done, code): NoiseSpec = match k {
            0 => {
                let who = [APPS_MI, TF, AKS_MI, BOB][r.weighted(&[50, 20, 20, 10])];
                let rg = "rg-data-prod".to_string();
                (
                    "Microsoft.Storage/storageAccounts/listKeys/action",
                    arm_id(&sub, &rg, "Microsoft.Storage", "storageAccounts", &st),
                    rg,
                    who,
                    "POST",
                    None,
                    (0, 1),
                    "OK",
                )
            }
            1 => {
                let rg = "rg-web-prod".to_string();
                let site = ["app-checkout-prod", "func-orders-prod", "app-portal-prod"]
                    [r.below(3) as usize];
                (
                    "Microsoft.Web/sites/config/list/action",
                    format!(
                        "{}/config/appsettings",
                        arm_id(&sub, &rg, "Microsoft.Web", "sites", site)
                    ),
                    rg,
                    [TF, ALICE, APPS_MI][r.below(3) as usize],
                    "POST",
                    None,
                    (0, 1),
                    "OK",
                )
            }
            2 => {
                let rg = "rg-aks-prod".to_string();
                (
                    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                    arm_id(
                        &sub,
                        &rg,
                        "Microsoft.ContainerService",
                        "managedClusters",
                        "aks-prod-01",
                    ),
                    rg,
                    [ALICE, BOB, TF][r.below(3) as usize],
                    "POST",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            3 => {
                let rg = RGS[r.below(5) as usize].to_string();
                let mut dname = Vec::new();
                dname.extend_from_slice(b"deploy-");
                r.hex(&mut dname, 8);
                let dname = String::from_utf8(dname).expect("ascii");
                w!(
                    req,
                    r#"{{"properties":{{"mode":"Incremental","templateLink":{{"uri":"https://stacmeartifacts.blob.core.windows.net/templates/main.json","contentVersion":"1.0.0.0"}},"parameters":{{"environment":{{"value":"prod"}}}}}}}}"#
                );
                ("Microsoft.Resources/deployments/write", format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/{dname}"), rg, TF, "PUT", Some("Created"), (8, 90), "OK")
            }
            4 => {
                let rg = vm_rg.clone();
                let (tk, tv) = [
                    ("owner", "platform-team"),
                    ("costCenter", "cc-4410"),
                    ("patchGroup", "linux-prod"),
                ][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"operation":"Merge","properties":{{"tags":{{"{tk}":"{tv}"}}}}}}"#
                );
                (
                    "Microsoft.Resources/tags/write",
                    format!(
                        "{}/providers/Microsoft.Resources/tags/default",
                        arm_id(&sub, &rg, "Microsoft.Compute", "virtualMachines", &vm)
                    ),
                    rg,
                    [TF, ALICE][r.below(2) as usize],
                    "PATCH",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            5 => {
                let rg = "rg-network".to_string();
                let nsg = ["nsg-web", "nsg-data", "nsg-aks"][r.below(3) as usize];
                let prio = 200 + r.below(30) * 10;
                w!(
                    req,
                    r#"{{"properties":{{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"443","sourceAddressPrefix":"192.0.2.0/24","destinationAddressPrefix":"*","access":"Allow","priority":{prio},"direction":"Inbound"}}}}"#
                );
                (
                    "Microsoft.Network/networkSecurityGroups/securityRules/write",
                    format!(
                        "{}/securityRules/allow-https-{prio}",
                        arm_id(&sub, &rg, "Microsoft.Network", "networkSecurityGroups", nsg)
                    ),
                    rg,
                    [TF, BOB][r.below(2) as usize],
                    "PUT",
                    Some("Created"),
                    (3, 15),
                    "OK",
                )
            }
            6 => {
                let rg = vm_rg.clone();
                let ext =
                    ["AzureMonitorLinuxAgent", "MDE.Linux", "CustomScript"][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"location":"{REGION}","properties":{{"publisher":"Microsoft.Azure.Monitor","type":"{ext}","typeHandlerVersion":"1.29","autoUpgradeMinorVersion":true,"enableAutomaticUpgrade":true}}}}"#
                );
                (
                    "Microsoft.Compute/virtualMachines/extensions/write",
                    format!(
                        "{}/extensions/{ext}",
                        arm_id(&sub, &rg, "Microsoft.Compute", "virtualMachines", &vm)
                    ),
                    rg,
                    TF,
                    "PUT",
                    Some("Created"),
                    (20, 120),
                    "OK",
                )
            }
            7 => {
                let rg = RGS[r.below(5) as usize].to_string();
                let ra = r.uuid();
                w!(
                    req,
                    r#"{{"Id":"{ra}","Properties":{{"PrincipalId":"{}","PrincipalType":"ServicePrincipal","RoleDefinitionId":"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","Scope":"/subscriptions/{sub}/resourceGroups/{rg}"}}}}"#,
                    r.uuid()
                );
                ("Microsoft.Authorization/roleAssignments/write", format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Authorization/roleAssignments/{ra}"), rg, [TF, ALICE][r.below(2) as usize], "PUT", None, (0, 2), "Created")
            }
            8 => {
                let rg = "rg-shared-services".to_string();
                let secret =
                    ["db-password", "stripe-api-key", "sp-client-secret"][r.below(3) as usize];
                w!(
                    req,
                    r#"{{"properties":{{"contentType":"text/plain","attributes":{{"enabled":true}}}}}}"#
                );
                (
                    "Microsoft.KeyVault/vaults/secrets/write",
                    format!(
                        "{}/secrets/{secret}",
                        arm_id(&sub, &rg, "Microsoft.KeyVault", "vaults", &kv)
                    ),
                    rg,
                    [TF, APPS_MI][r.below(2) as usize],
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            9 => {
                // an incremental snapshot of a VM's OS disk: from a disk, not a snapshot
                let rg = vm_rg.clone();
                let disk_id = arm_id(
                    &sub,
                    &rg,
                    "Microsoft.Compute",
                    "disks",
                    &format!("{vm}_OsDisk_1"),
                );
                let c = time::civil(t);
                w!(
                    req,
                    r#"{{"location":"{REGION}","properties":{{"creationData":{{"createOption":"Copy","sourceResourceId":"{disk_id}"}},"incremental":true}}}}"#
                );
                (
                    "Microsoft.Compute/snapshots/write",
                    arm_id(
                        &sub,
                        &rg,
                        "Microsoft.Compute",
                        "snapshots",
                        &format!("{vm}-snap-{:04}{:02}{:02}", c.year, c.month, c.day),
                    ),
                    rg,
                    [AUTOMATION, TF][r.below(2) as usize],
                    "PUT",
                    Some("Accepted"),
                    (5, 40),
                    "OK",
                )
            }
            10 => {
                let rg = vm_rg.clone();
                let (tk, tv) =
                    [("owner", "platform-team"), ("schedule", "office-hours")][r.below(2) as usize];
                w!(req, r#"{{"tags":{{"{tk}":"{tv}","env":"prod"}}}}"#);
                (
                    "Microsoft.Compute/virtualMachines/write",
                    arm_id(&sub, &rg, "Microsoft.Compute", "virtualMachines", &vm),
                    rg,
                    [TF, ALICE][r.below(2) as usize],
                    "PATCH",
                    Some("OK"),
                    (2, 10),
                    "OK",
                )
            }
            11 => {
                let rg = "rg-shared-services".to_string();
                w!(
                    req,
                    r#"{{"properties":{{"workspaceId":"/subscriptions/{sub}/resourceGroups/rg-shared-services/providers/Microsoft.OperationalInsights/workspaces/law-prod","logs":[{{"categoryGroup":"allLogs","enabled":true}}]}}}}"#
                );
                (
                    "Microsoft.Insights/diagnosticSettings/write",
                    format!(
                        "{}/providers/Microsoft.Insights/diagnosticSettings/send-to-law",
                        arm_id(&sub, &rg, "Microsoft.KeyVault", "vaults", &kv)
                    ),
                    rg,
                    TF,
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            12 => {
                let rg = "rg-data-prod".to_string();
                let container = ["exports", "uploads", "backups", "logs"][r.below(4) as usize];
                w!(req, r#"{{"properties":{{"publicAccess":"None"}}}}"#);
                (
                    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
                    format!(
                        "{}/blobServices/default/containers/{container}",
                        arm_id(&sub, &rg, "Microsoft.Storage", "storageAccounts", &st)
                    ),
                    rg,
                    [TF, APPS_MI][r.below(2) as usize],
                    "PUT",
                    None,
                    (0, 2),
                    "OK",
                )
            }
            _ => {
                let rg = vm_rg.clone();
                let mut dn = format!("{vm}-data-");
                dn.push_str(&r.string(|r, v| r.lower_alnum(v, 4)));
                w!(
                    req,
                    r#"{{"location":"{REGION}","sku":{{"name":"Premium_LRS"}},"properties":{{"creationData":{{"createOption":"Empty"}},"diskSizeGB":128}}}}"#
                );
                (
                    "Microsoft.Compute/disks/write",
                    arm_id(&sub, &rg, "Microsoft.Compute", "disks", &dn),
                    rg,
                    [TF, BOB][r.below(2) as usize],
                    "PUT",
                    Some("Accepted"),
                    (2, 8),
                    "Created",
                )
            }
        };
        let reqb = if req.is_empty() { None } else { Some(&req[..]) };
        let mut op = self.new_op(r, name, &rid, &rg, who, method, reqb);
        op.phases = if fail {
            Self::failed(r, t)
        } else {
            Self::phases(r, t, accept, done, code)
        };
        let res = self.emit(e, &op, &mut b);
        drop(op);
        self.buf = b;
        self.req = req;
        res
    }

    fn render_fixed(&mut self, e: &mut Emit, t: i64, call: &Call) -> Result<()> {
        let mut b = take(&mut self.buf);
        let mut req = take(&mut self.req);
        req.clear();
        let sub = self.sub.clone();
        let r = &mut e.rng;
        let res;
        match call {
            Call::Deallocate { who, rg, vm } | Call::Start { who, rg, vm } => {
                let verb = if matches!(call, Call::Start { .. }) {
                    "start"
                } else {
                    "deallocate"
                };
                let name = format!("Microsoft.Compute/virtualMachines/{verb}/action");
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "virtualMachines", vm);
                let mut op = self.new_op(r, &name, &rid, rg, Self::who(who), "POST", None);
                op.phases = if verb == "start" {
                    Self::phases(r, t, Some("Accepted"), (18, 30), "OK")
                } else {
                    Self::phases(r, t, Some("Accepted"), (30, 48), "OK")
                };
                res = self.emit(e, &op, &mut b);
            }
            Call::DiskFromSnapshot {
                who,
                rg,
                disk,
                source,
                restore,
            } => {
                let option = if *restore { "Restore" } else { "Copy" };
                w!(
                    req,
                    r#"{{"location":"{REGION}","sku":{{"name":"Premium_LRS"}},"properties":{{"creationData":{{"createOption":"{option}","sourceResourceId":"{source}"}}}}}}"#
                );
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "disks", disk);
                let t_acc = t + 300_000_000 + r.below(600_000_000) as i64;
                let t_ok = t + 3 * SEC + r.below(8 * SEC as u64) as i64;
                let acc = self.disk_response(r, rg, disk, option, source, "Updating", t_acc);
                let ok = self.disk_response(r, rg, disk, option, source, "Succeeded", t_acc);
                let mut op = self.new_op(
                    r,
                    "Microsoft.Compute/disks/write",
                    &rid,
                    rg,
                    Self::who(who),
                    "PUT",
                    Some(&req),
                );
                op.phases = vec![
                    Phase {
                        kind: START,
                        t,
                        code: "",
                        resp: None,
                    },
                    Phase {
                        kind: ACCEPT,
                        t: t_acc,
                        code: "Accepted",
                        resp: Some(acc),
                    },
                    Phase {
                        kind: SUCCESS,
                        t: t_ok,
                        code: "Created",
                        resp: Some(ok),
                    },
                ];
                res = self.emit(e, &op, &mut b);
            }
            Call::VmWrite {
                who,
                rg,
                vm,
                size,
                os_disk_name,
                os_disk_id,
                data_disk_id,
                from_image,
            } => {
                self.vm_model(
                    &mut req,
                    rg,
                    vm,
                    size,
                    os_disk_name,
                    os_disk_id,
                    data_disk_id.as_deref(),
                    *from_image,
                    None,
                );
                let rid = arm_id(&sub, rg, "Microsoft.Compute", "virtualMachines", vm);
                let mut resp = Vec::with_capacity(req.len() + 400);
                let created = format!(
                    "\"2025-11-{:02}T09:{:02}:{:02}.{:07}+00:00\"",
                    1 + r.below(28),
                    r.below(60),
                    r.below(60),
                    r.below(10_000_000)
                );
                w!(
                    resp,
                    r#"{{"name":"{vm}","id":"{rid}","type":"Microsoft.Compute/virtualMachines","#
                );
                let mut model = Vec::new();
                let vm_guid = format!("\"{}\"", r.uuid());
                self.vm_model(
                    &mut model,
                    rg,
                    vm,
                    size,
                    os_disk_name,
                    os_disk_id,
                    data_disk_id.as_deref(),
                    *from_image,
                    Some(("vmId", &vm_guid)),
                );
                // splice: the model without its opening brace, then state
                model.truncate(model.len() - 2);
                resp.extend_from_slice(&model[1..]);
                w!(
                    resp,
                    r#","provisioningState":"Updating","timeCreated":{created}}},"etag":"\"{}\""}}"#,
                    3 + r.below(9)
                );
                let mut op = self.new_op(
                    r,
                    "Microsoft.Compute/virtualMachines/write",
                    &rid,
                    rg,
                    Self::who(who),
                    "PUT",
                    Some(&req),
                );
                let t_acc = t + 800_000_000 + r.below(800_000_000) as i64;
                op.phases = vec![
                    Phase {
                        kind: START,
                        t,
                        code: "",
                        resp: None,
                    },
                    Phase {
                        kind: ACCEPT,
                        t: t_acc,
                        code: "OK",
                        resp: Some(resp),
                    },
                    Phase {
                        kind: SUCCESS,
                        t: t + 12 * SEC + r.below(18 * SEC as u64) as i64,
                        code: "OK",
                        resp: None,
                    },
                ];
                res = self.emit(e, &op, &mut b);
            }
        }
        self.buf = b;
        self.req = req;
        res
    }
}

impl Gen for AzureGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        if !primary {
            return out;
        }
        let day = a.div_euclid(DAY) * DAY;
        if time::weekday(day) >= 5 {
            return out;
        }
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        // an Automation runbook stops the batch VMs in the evening and starts them at 07:00
        for (hour, start) in [(7, true), (19, false)] {
            let mut t = day + hour * HOUR + r.below(5 * SEC as u64) as i64;
            for (vm, rg) in self.vms.iter().filter(|(n, _)| n.starts_with("batch-")) {
                if t >= a && t < b {
                    let (who, rg, vm) = (Who::Automation, rg.clone(), vm.clone());
                    let call = if start {
                        Call::Start { who, rg, vm }
                    } else {
                        Call::Deallocate { who, rg, vm }
                    };
                    out.push(Fixed { t, call });
                }
                t += 2 * SEC + r.below(3 * SEC as u64) as i64;
            }
        }
        out
    }

    fn begin_chunk(&mut self, rng: &mut Rng, a: i64, _b: i64) {
        let hour = (a.div_euclid(HOUR) * HOUR / SEC) as u64;
        for i in 0..self.ids.len() {
            let id = &self.ids[i];
            let salt = hash(&[id.oid.as_bytes()]) % 1200;
            let iat = hour.saturating_sub(300 + salt);
            let claims = self.claims(id, iat, rng);
            self.ids[i].claims = claims;
        }
    }

    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        self.noise_op(e, t)
    }

    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Call>) -> Result<()> {
        let call = &f.call;
        self.render_fixed(e, f.t, call)
    }
}
