//! Provider mapping: one bare record to one phase-level [`ApiCall`] (before merging and lineage).

mod aws;
mod azure;
mod gcp;

use std::sync::Arc;

use revertwatch_pack::Provider;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::call::{ApiCall, Origin};
use crate::envelope::Hint;
use crate::skip::SkipReason;

/// Maps one record. Unless `keep_record`, the call does not hold the original record: it is
/// the largest part of a call, and only rules that read `record.` paths (and the seed-spl
/// profile) need it, so a hunt's memory stays proportional to what it found.
pub fn map(
    provider: Provider,
    record: Value,
    hint: &Hint,
    origin: Origin,
    keep_record: bool,
) -> Result<ApiCall, SkipReason> {
    let record = Arc::new(record);
    let mut call = match provider {
        Provider::Aws => aws::map(record, hint, origin),
        Provider::Azure => azure::map(record, origin),
        Provider::Gcp => gcp::map(record, origin),
    }?;
    if !keep_record {
        call.record = Arc::new(Value::Null);
    }
    Ok(call)
}

/// A stable id for records that carry none (Azure Event Hub records have no event id): the
/// hash of the record's canonical JSON, so the same record gets the same id in any container.
pub(crate) fn content_id(prefix: &str, record: &Value) -> String {
    let canonical = serde_json::to_vec(record).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// A resource id of `kind` in its canonical form. An AWS launch template is named by its id or
/// by its name, in the calls that create it and in those that launch from it; a name is kept
/// apart (`launch-template-name/<name>`) so that a caller-chosen name never poses as an id.
pub fn canonical_of(provider: Provider, kind: &str, id: &str, account: &str) -> String {
    let id = canonical(provider, id, account);
    if provider == Provider::Aws && kind == "launch-template" && !id.starts_with("lt-") {
        return format!("launch-template-name/{id}");
    }
    id
}

/// The operation a bare record names, before any other field is read.
pub fn operation_of(provider: Provider, r: &Value) -> Option<String> {
    use crate::fields::text;
    match provider {
        Provider::Aws => text(r, &[&["eventName"]]),
        Provider::Azure => text(
            r,
            &[
                &["operationName"],
                &["operationName", "value"],
                &["operation_name", "value"],
            ],
        ),
        Provider::Gcp => text(r, &[&["protoPayload", "methodName"]]),
    }
}

/// A resource id in its canonical form for the provider.
pub fn canonical(provider: Provider, id: &str, account: &str) -> String {
    match provider {
        Provider::Aws => aws::canonical_id(id),
        Provider::Azure => azure::canonical_id(id),
        Provider::Gcp => gcp::canonical_id(id, account),
    }
}
