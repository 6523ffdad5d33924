//! Azure Activity Log records in their three schemas: Event Hub / diagnostic settings
//! (`operationName` a string, `resultType`), REST and `az` (`operationName.value`,
//! `status.value`) and the Python SDK (`operation_name.value`, snake case).

use std::sync::Arc;

use serde_json::Value;

use crate::call::{Actor, ApiCall, Origin, Outcome, Phase};
use crate::fields::{at, body, text, value};
use crate::provider::content_id;
use crate::skip::SkipReason;
use crate::time::parse_time;
use revertwatch_pack::Provider;

const UPN: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
const OBJECT_ID: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";

pub fn map(record: Arc<Value>, origin: Origin) -> Result<ApiCall, SkipReason> {
    let r = &*record;
    let time = value(r, &[&["time"], &["eventTimestamp"], &["event_timestamp"]])
        .and_then(parse_time)
        .ok_or(SkipReason::Missing("time"))?;
    let operation = text(
        r,
        &[
            &["operationName"],
            &["operationName", "value"],
            &["operation_name", "value"],
        ],
    )
    .ok_or(SkipReason::Missing("operationName"))?;
    let resource_id = text(r, &[&["resourceId"], &["resource_id"]]).map(|id| canonical_id(&id));
    let status = text(r, &[&["resultType"], &["status", "value"], &["status"]]).unwrap_or_default();
    let (phase, outcome) = phase_of(&status);
    let error = (outcome == Outcome::Failure).then(|| failure(r, &status));
    let claims = value(r, &[&["identity", "claims"], &["claims"]])
        .cloned()
        .unwrap_or(Value::Null);
    let props = at(r, &["properties"]);
    let request = body(props.and_then(|p| at(p, &["requestbody"])));
    let response = body(props.and_then(|p| at(p, &["responseBody"])));
    let account = subscription(r, resource_id.as_deref());
    let tags = tags(&request);
    let event_id =
        text(r, &[&["eventDataId"], &["event_data_id"]]).unwrap_or_else(|| content_id("azure", r));
    Ok(ApiCall {
        time,
        provider: Provider::Azure,
        account,
        region: text(r, &[&["location"]])
            .filter(|l| l != "global")
            .unwrap_or_default(),
        actor: actor(r, &claims),
        source_ip: source_ip(r, &claims),
        // The Activity Log records no user agent.
        user_agent: String::new(),
        operation,
        outcome,
        error,
        event_ids: vec![event_id.clone()],
        event_id,
        resources: Vec::new(),
        subjects: Vec::new(),
        edges: Vec::new(),
        annotated: false,
        tags,
        phase,
        correlation: text(r, &[&["correlationId"], &["correlation_id"]])
            .map(|c| c.to_ascii_lowercase()),
        request,
        response,
        resource: resource_id.map(Value::String).unwrap_or(Value::Null),
        record,
        origin,
    })
}

/// Why a failed call failed: its sub-status when it has one, else its status.
fn failure(r: &Value, status: &str) -> String {
    text(
        r,
        &[
            &["resultSignature"],
            &["subStatus", "value"],
            &["sub_status", "value"],
            &["properties", "statusCode"],
        ],
    )
    .unwrap_or_else(|| status.to_string())
}

/// The subscription, from the resource id when there is one (lowercased, as ids compare).
fn subscription(r: &Value, resource_id: Option<&str>) -> String {
    resource_id
        .and_then(subscription_of)
        .or_else(|| {
            text(r, &[&["subscriptionId"], &["subscription_id"]]).map(|s| s.to_ascii_lowercase())
        })
        .unwrap_or_default()
}

fn source_ip(r: &Value, claims: &Value) -> String {
    text(
        r,
        &[
            &["callerIpAddress"],
            &["httpRequest", "clientIpAddress"],
            &["http_request", "client_ip_address"],
        ],
    )
    .or_else(|| text(claims, &[&["ipaddr"]]))
    .unwrap_or_default()
}

fn phase_of(status: &str) -> (Phase, Outcome) {
    match status.to_ascii_lowercase().as_str() {
        "start" | "started" | "beginrequest" => (Phase::Start, Outcome::InProgress),
        "accept" | "accepted" => (Phase::Accept, Outcome::InProgress),
        "failure" | "failed" | "canceled" | "cancelled" => (Phase::Final, Outcome::Failure),
        "success" | "succeeded" => (Phase::Final, Outcome::Success),
        // Older records and alerts use other words ("Active", "Resolved"): treat as done.
        _ => (Phase::Final, Outcome::Success),
    }
}

fn actor(r: &Value, claims: &Value) -> Actor {
    let upn = text(claims, &[&[UPN], &["upn"], &["unique_name"]]);
    let app = text(claims, &[&["appid"], &["azp"]]);
    let managed = text(claims, &[&["xms_mirid"]]);
    let id = upn
        .clone()
        .or_else(|| text(r, &[&["caller"]]))
        .or_else(|| text(claims, &[&[OBJECT_ID], &["oid"]]))
        .or_else(|| app.clone())
        .unwrap_or_default();
    let kind = if upn.is_some() {
        "User"
    } else if managed.is_some() {
        "ManagedIdentity"
    } else if app.is_some() || text(claims, &[&["idtyp"]]).as_deref() == Some("app") {
        "ServicePrincipal"
    } else {
        ""
    };
    Actor {
        id,
        kind: kind.to_string(),
        invoked_by: managed,
        session_issuer: app,
    }
}

/// Azure resource ids compare without case; we keep them lower-cased.
pub(crate) fn canonical_id(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn subscription_of(id: &str) -> Option<String> {
    let rest = id.strip_prefix("/subscriptions/")?;
    Some(rest.split('/').next()?.to_string())
}

fn tags(request: &Value) -> Vec<(String, String)> {
    at(request, &["tags"])
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
