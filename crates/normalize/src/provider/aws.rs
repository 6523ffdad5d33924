//! AWS CloudTrail records.

use std::sync::Arc;

use serde_json::Value;

use crate::call::{Actor, ApiCall, Origin, Outcome, Phase};
use crate::envelope::Hint;
use crate::fields::{at, text};
use crate::provider::content_id;
use crate::skip::SkipReason;
use crate::time::parse_time;
use revertwatch_pack::Provider;

pub fn map(record: Arc<Value>, hint: &Hint, origin: Origin) -> Result<ApiCall, SkipReason> {
    let r = &*record;
    let time = at(r, &["eventTime"])
        .and_then(parse_time)
        .ok_or(SkipReason::Missing("eventTime"))?;
    let operation = text(r, &[&["eventName"]]).ok_or(SkipReason::Missing("eventName"))?;
    let error_code = text(r, &[&["errorCode"]]);
    let outcome = if error_code.is_some() {
        Outcome::Failure
    } else {
        Outcome::Success
    };
    let error = error_code.map(|code| match text(r, &[&["errorMessage"]]) {
        Some(msg) => format!("{code}: {msg}"),
        None => code,
    });
    let kind = text(r, &[&["userIdentity", "type"]]).unwrap_or_default();
    let invoked_by = text(r, &[&["userIdentity", "invokedBy"]]);
    let id = text(
        r,
        &[
            &["userIdentity", "arn"],
            &["userIdentity", "principalId"],
            &["userIdentity", "userName"],
        ],
    )
    .or_else(|| invoked_by.clone())
    .unwrap_or_default();
    let actor = Actor {
        id,
        kind,
        invoked_by,
        session_issuer: text(
            r,
            &[&["userIdentity", "sessionContext", "sessionIssuer", "arn"]],
        ),
    };
    let event_id = text(r, &[&["eventID"]]).unwrap_or_else(|| content_id("aws", r));
    let request = at(r, &["requestParameters"])
        .cloned()
        .unwrap_or(Value::Null);
    let tags = tags(&request);
    Ok(ApiCall {
        time,
        provider: Provider::Aws,
        account: text(
            r,
            &[&["recipientAccountId"], &["userIdentity", "accountId"]],
        )
        .or_else(|| hint.account.clone())
        .unwrap_or_default(),
        region: text(r, &[&["awsRegion"]])
            .or_else(|| hint.region.clone())
            .unwrap_or_default(),
        actor,
        source_ip: text(r, &[&["sourceIPAddress"]]).unwrap_or_default(),
        user_agent: text(r, &[&["userAgent"]]).unwrap_or_default(),
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
        phase: Phase::Final,
        correlation: None,
        response: at(r, &["responseElements"]).cloned().unwrap_or(Value::Null),
        request,
        resource: Value::Null,
        record,
        origin,
    })
}

/// An EC2 ARN (`arn:aws:ec2:us-east-1::image/ami-0abc`, as AWS Backup names a recovery
/// point) is the id after its resource type (`ami-0abc`), so that a restore job and the
/// service's own launch or CreateVolume name one resource. Anything else is kept as written.
pub(crate) fn canonical_id(id: &str) -> String {
    let id = id.trim();
    if let Some(rest) = id.strip_prefix("arn:") {
        // partition : service : region : account : resource-type/id
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        if let [_, "ec2", _, _, resource] = parts.as_slice() {
            if let Some((_, rid)) = resource.split_once('/') {
                if !rid.is_empty() {
                    return rid.to_string();
                }
            }
        }
    }
    id.to_string()
}

/// Tags set in the call itself: `tagSpecificationSet.items[].tags[]` (Run/Create calls) and
/// `tagSet.items[]` (CreateTags).
fn tags(request: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |list: Option<&Value>| {
        for t in list.and_then(Value::as_array).into_iter().flatten() {
            if let (Some(k), Some(v)) = (
                text(t, &[&["key"], &["Key"]]),
                text(t, &[&["value"], &["Value"]]),
            ) {
                out.push((k, v));
            }
        }
    };
    for spec in at(request, &["tagSpecificationSet", "items"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        push(at(spec, &["tags"]));
    }
    push(at(request, &["tagSet", "items"]));
    out
}

#[cfg(test)]
mod tests {
    use super::canonical_id;

    #[test]
    fn an_ec2_arn_is_its_resource_id_and_other_ids_are_kept() {
        assert_eq!(
            canonical_id("arn:aws:ec2:us-east-1::image/ami-0abc"),
            "ami-0abc"
        );
        assert_eq!(
            canonical_id("arn:aws-us-gov:ec2:us-gov-west-1::snapshot/snap-1"),
            "snap-1"
        );
        assert_eq!(canonical_id(" vol-1 "), "vol-1");
        let backup = "arn:aws:backup:us-east-1:111122223333:recovery-point:1EB3B5E7";
        assert_eq!(canonical_id(backup), backup);
        assert_eq!(
            canonical_id("arn:aws:ec2:us-east-1::image/"),
            "arn:aws:ec2:us-east-1::image/"
        );
    }
}
