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
/// apart (`launch-template-name/<name>`) so that a caller-chosen name never poses as another
/// resource's id. Only a name spelt exactly like a template id (`lt-` and 17 hex digits, which
/// the API allows) reads as that id: it can add an edge to that template, never remove one.
pub fn canonical_of(provider: Provider, kind: &str, id: &str, account: &str) -> String {
    let id = canonical(provider, id, account);
    if provider == Provider::Aws && kind == "launch-template" && !is_template_id(&id) {
        return format!("launch-template-name/{id}");
    }
    id
}

fn is_template_id(id: &str) -> bool {
    id.strip_prefix("lt-")
        .is_some_and(|hex| hex.len() == 17 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launch_template_name_never_reads_as_an_id_unless_spelt_as_one() {
        let of = |id| canonical_of(Provider::Aws, "launch-template", id, "1");
        assert_eq!(of("lt-0b1c00000000000a1"), "lt-0b1c00000000000a1");
        assert_eq!(of("web-fleet"), "launch-template-name/web-fleet");
        assert_eq!(of("lt-web"), "launch-template-name/lt-web");
        assert_eq!(
            of("i-0b1c0000000000101"),
            "launch-template-name/i-0b1c0000000000101"
        );
        assert_eq!(canonical_of(Provider::Aws, "instance", "i-1", "1"), "i-1");
    }
}
