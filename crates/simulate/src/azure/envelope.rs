//! The Activity Log record around an operation: its phases (Start, Accept, Success or
//! Failure), the Event Hub and REST shapes, and the identity claims they carry.

use std::io::Write;

use super::generator::AzureGen;
use super::personas::*;
use crate::emit::Emit;
use crate::error::Result;
use crate::json;
use crate::rng::{Rng, Uuid};
use crate::time::{self, SEC};

/// Phase kinds
pub(super) const START: u8 = 0;
pub(super) const ACCEPT: u8 = 1;
pub(super) const SUCCESS: u8 = 2;
pub(super) const FAILURE: u8 = 3;

pub(super) struct Phase {
    pub(super) kind: u8,
    pub(super) t: i64,
    pub(super) code: &'static str,
    pub(super) resp: Option<Vec<u8>>,
}

pub(super) struct Op<'a> {
    pub(super) name: &'a str,
    pub(super) rid: &'a str,
    pub(super) rg: &'a str,
    pub(super) ident: &'a Ident,
    pub(super) method: &'static str,
    pub(super) req: Option<&'a [u8]>,
    pub(super) body_key: &'static str,
    pub(super) corr: Uuid,
    pub(super) opid: Uuid,
    pub(super) client_req: Uuid,
    pub(super) srv_req: Uuid,
    pub(super) phases: Vec<Phase>,
}

pub(super) fn upper(b: &mut Vec<u8>, s: &str) {
    b.extend(s.bytes().map(|c| c.to_ascii_uppercase()));
}

/// The casings ARM emits in the mixed-case form of a resource id.
pub(super) fn mixed(b: &mut Vec<u8>, rid: &str, rg: &str, variant: u64) {
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

impl AzureGen {
    pub(super) fn claims(&self, id: &Ident, iat: u64, r: &mut Rng) -> String {
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
    pub(super) fn new_op<'a>(
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
    pub(super) fn emit(&self, e: &mut Emit, op: &Op, b: &mut Vec<u8>) -> Result<()> {
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

    pub(super) fn signature(ph: &Phase) -> (&'static str, String) {
        match ph.kind {
            START => ("Start", "Started.".to_string()),
            ACCEPT => ("Accept", format!("Accepted.{}", ph.code)),
            SUCCESS => ("Success", format!("Succeeded.{}", ph.code)),
            _ => ("Failure", format!("Failed.{}", ph.code)),
        }
    }

    pub(super) fn status_message(b: &mut Vec<u8>, op: &Op) {
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

    pub(super) fn render_eh(&self, b: &mut Vec<u8>, r: &mut Rng, op: &Op, i: usize, up: bool) {
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
        Self::eh_properties(b, op, ph);
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
    pub(super) fn render_rest(&self, b: &mut Vec<u8>, r: &mut Rng, op: &Op, i: usize) {
        let ph = &op.phases[i];
        let id = op.ident;
        let begin = ph.kind == START;
        let edid = r.uuid();
        let status = rest_status(ph.kind);
        let (sub_v, sub_text) = rest_sub_status(ph.kind, ph.code);
        let provider = op.name.split('/').next().unwrap_or("");
        let rtype = resource_type(op.name);
        let localized = localized_name(op.name);
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
        Self::rest_properties(b, op, ph);
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

    /// The Event Hub `properties` from `statusCode` through the request and response bodies
    /// and the status message, each preceded by a comma but the first.
    fn eh_properties(b: &mut Vec<u8>, op: &Op, ph: &Phase) {
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
    }

    /// The REST `properties` after `message`: bodies, request id, status code and message.
    fn rest_properties(b: &mut Vec<u8>, op: &Op, ph: &Phase) {
        let begin = ph.kind == START;
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
    }

    pub(super) fn phases(
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

    pub(super) fn failed(r: &mut Rng, t: i64) -> Vec<Phase> {
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
}

fn rest_status(kind: u8) -> &'static str {
    match kind {
        START => "Started",
        ACCEPT => "Accepted",
        SUCCESS => "Succeeded",
        _ => "Failed",
    }
}

/// The REST `subStatus` value and its localized text.
fn rest_sub_status(kind: u8, code: &str) -> (&str, &str) {
    match (kind, code) {
        (START, _) => ("", ""),
        (_, "OK") => ("OK", "OK (HTTP Status Code: 200)"),
        (_, "Created") => ("Created", "Created (HTTP Status Code: 201)"),
        (_, "Accepted") => ("Accepted", "Accepted (HTTP Status Code: 202)"),
        (_, "Forbidden") => ("Forbidden", "Forbidden (HTTP Status Code: 403)"),
        (_, c) => (c, c),
    }
}

/// The resource type of an operation: its name without the verb (and `action`).
fn resource_type(name: &str) -> String {
    let parts: Vec<&str> = name.split('/').collect();
    let n = parts.len();
    let cut = if parts[n - 1] == "action" { 2 } else { 1 };
    parts[..n.saturating_sub(cut)].join("/")
}

/// The portal's name of an operation, for the ones it names.
fn localized_name(name: &str) -> &str {
    match name {
        "Microsoft.Compute/virtualMachines/deallocate/action" => "Deallocate Virtual Machine",
        "Microsoft.Compute/virtualMachines/start/action" => "Start Virtual Machine",
        "Microsoft.Compute/virtualMachines/write" => "Create or Update Virtual Machine",
        "Microsoft.Compute/disks/write" => "Create or Update Disk",
        "Microsoft.Storage/storageAccounts/listKeys/action" => "List Storage Account Keys",
        n => n,
    }
}
