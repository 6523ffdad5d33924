//! GCP Cloud Audit Log entries (LogEntry with an AuditLog `protoPayload`).

use std::sync::Arc;

use serde_json::Value;

use crate::call::{Actor, ApiCall, Origin, Outcome, Phase};
use crate::fields::{at, text};
use crate::provider::content_id;
use crate::skip::SkipReason;
use crate::time::parse_time;
use revertwatch_pack::Provider;

pub fn map(record: Arc<Value>, origin: Origin) -> Result<ApiCall, SkipReason> {
    let r = &*record;
    let p = at(r, &["protoPayload"]).ok_or(SkipReason::Missing("protoPayload"))?;
    let time = at(r, &["timestamp"])
        .and_then(parse_time)
        .ok_or(SkipReason::Missing("timestamp"))?;
    let operation =
        text(p, &[&["methodName"]]).ok_or(SkipReason::Missing("protoPayload.methodName"))?;
    let project = project(r, p);
    let (phase, outcome, error) = status(r, p);
    let resource = text(p, &[&["resourceName"]]).map(|n| canonical_id(&n, &project));
    let request = at(p, &["request"]).cloned().unwrap_or(Value::Null);
    let event_id = text(r, &[&["insertId"]]).unwrap_or_else(|| content_id("gcp", r));
    Ok(ApiCall {
        time,
        provider: Provider::Gcp,
        region: text(
            r,
            &[
                &["resource", "labels", "zone"],
                &["resource", "labels", "location"],
                &["resource", "labels", "region"],
            ],
        )
        .unwrap_or_default(),
        actor: actor(p),
        source_ip: text(p, &[&["requestMetadata", "callerIp"]]).unwrap_or_default(),
        user_agent: text(p, &[&["requestMetadata", "callerSuppliedUserAgent"]]).unwrap_or_default(),
        operation,
        outcome,
        error,
        event_ids: vec![event_id.clone()],
        event_id,
        resources: Vec::new(),
        subjects: Vec::new(),
        edges: Vec::new(),
        annotated: false,
        tags: labels(&request),
        phase,
        correlation: text(r, &[&["operation", "id"]]),
        response: at(p, &["response"]).cloned().unwrap_or(Value::Null),
        request,
        resource: resource.map(Value::String).unwrap_or(Value::Null),
        account: project,
        record,
        origin,
    })
}

/// The project: from the resource labels, else from the log or resource name.
fn project(r: &Value, p: &Value) -> String {
    text(r, &[&["resource", "labels", "project_id"]])
        .or_else(|| project_of(text(r, &[&["logName"]]).as_deref()?))
        .or_else(|| project_of(text(p, &[&["resourceName"]]).as_deref()?))
        .unwrap_or_default()
}

/// A long-running operation logs its `first` entry as it starts and its `last` as it ends; a
/// failure at either is final.
fn status(r: &Value, p: &Value) -> (Phase, Outcome, Option<String>) {
    let code =
        at(p, &["status", "code"]).and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
    let failed =
        code.is_some_and(|c| c != 0) || text(r, &[&["severity"]]).as_deref() == Some("ERROR");
    let first = at(r, &["operation", "first"]).and_then(Value::as_bool) == Some(true);
    let last = at(r, &["operation", "last"]).and_then(Value::as_bool) == Some(true);
    let (phase, outcome) = match (failed, first, last) {
        (true, _, _) => (Phase::Final, Outcome::Failure),
        (false, true, false) => (Phase::Start, Outcome::InProgress),
        _ => (Phase::Final, Outcome::Success),
    };
    let error = failed.then(|| {
        text(p, &[&["status", "message"]])
            .unwrap_or_else(|| format!("status code {}", code.unwrap_or(0)))
    });
    (phase, outcome, error)
}

fn actor(p: &Value) -> Actor {
    let email = text(
        p,
        &[
            &["authenticationInfo", "principalEmail"],
            &["authenticationInfo", "principalSubject"],
        ],
    );
    let kind = match &email {
        Some(e) if e.ends_with(".gserviceaccount.com") || e.starts_with("serviceAccount:") => {
            "ServiceAccount"
        }
        Some(_) => "User",
        None => "",
    };
    Actor {
        id: email.unwrap_or_default(),
        kind: kind.to_string(),
        // A Google-internal principal acting through this account (managed instance
        // groups, schedulers) is named in the delegation chain.
        invoked_by: at(p, &["authenticationInfo", "serviceAccountDelegationInfo"])
            .and_then(Value::as_array)
            .and_then(|chain| chain.first())
            .and_then(|d| {
                text(
                    d,
                    &[
                        &["firstPartyPrincipal", "principalEmail"],
                        &["thirdPartyPrincipal", "principalEmail"],
                    ],
                )
            }),
        session_issuer: None,
    }
}

fn project_of(name: &str) -> Option<String> {
    let at = name.find("projects/")?;
    let rest = &name[at + "projects/".len()..];
    Some(rest.split('/').next()?.to_string()).filter(|p| !p.is_empty())
}

/// `https://www.googleapis.com/compute/v1/projects/p/zones/z/disks/d`, `projects/p/...` and
/// `zones/z/disks/d` all name `projects/p/zones/z/disks/d`.
pub(crate) fn canonical_id(name: &str, project: &str) -> String {
    let name = name.trim();
    if let Some(at) = name.find("projects/") {
        return name[at..].to_string();
    }
    if name.contains('/') && !project.is_empty() {
        return format!("projects/{project}/{}", name.trim_start_matches('/'));
    }
    name.to_string()
}

fn labels(request: &Value) -> Vec<(String, String)> {
    at(request, &["labels"])
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
