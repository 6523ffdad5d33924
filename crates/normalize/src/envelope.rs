//! Unwrapping: from one parsed JSON value to the audit records inside it.
//!
//! Tools wrap records in many ways (EventBridge `detail`, CloudWatch Logs subscriptions,
//! `lookup-events` strings, Splunk `_raw`, Pub/Sub base64, Event Hub `records`). All of it is
//! undone here, so provider mapping only ever sees a bare record.

use std::io::Read;

use base64::Engine;
use revertwatch_pack::Provider;
use serde_json::Value;

use crate::fields::at;
use crate::skip::SkipReason;

/// What a parsed value turned out to be.
#[derive(Debug)]
pub enum Unwrapped {
    /// Bare records of one provider; `hint` carries envelope fields a record may lack.
    Records(Vec<(Provider, Value, Hint)>),
    /// A CloudTrail digest file: integrity data, no events.
    Digest,
    /// A CloudTrail Insights event: statistics, no API call.
    Insight,
    /// A log entry of a kind we do not read (GCP data-access or system logs without audit
    /// payload): a log, not an error.
    OtherLog,
    NotLog,
}

/// Fields an envelope knew that its record may not say itself.
#[derive(Debug, Clone, Default)]
pub struct Hint {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// Whether unwrapping this value needed base64 (so its raw bytes could not be prefiltered).
pub fn is_opaque(v: &Value) -> bool {
    at(v, &["awslogs", "data"]).is_some_and(Value::is_string)
        || at(v, &["message", "data"]).is_some_and(Value::is_string)
}

/// Whether a record's raw bytes may be such an envelope: keys `data` and `awslogs` or
/// `message`, written plainly or with escapes.
pub fn may_be_opaque(bytes: &[u8]) -> bool {
    fn keys(bytes: &[u8]) -> bool {
        use memchr::memmem::find;
        find(bytes, b"\"data\"").is_some()
            && (find(bytes, b"\"message\"").is_some() || find(bytes, b"\"awslogs\"").is_some())
    }
    keys(bytes) || revertwatch_pack::with_escapes_undone(bytes).is_some_and(|plain| keys(&plain))
}

pub fn unwrap(v: Value) -> Result<Unwrapped, SkipReason> {
    let mut out = Vec::new();
    let kind = walk(v, Hint::default(), &mut out, 0)?;
    Ok(if out.is_empty() {
        kind
    } else {
        Unwrapped::Records(out)
    })
}

/// Nesting of envelopes is shallow in practice; the bound keeps hostile input from recursing.
const MAX_ENVELOPES: u32 = 6;

fn walk(
    v: Value,
    mut hint: Hint,
    out: &mut Vec<(Provider, Value, Hint)>,
    depth: u32,
) -> Result<Unwrapped, SkipReason> {
    if depth > MAX_ENVELOPES {
        return Ok(Unwrapped::NotLog);
    }
    let Value::Object(mut map) = v else {
        return Ok(Unwrapped::NotLog);
    };
    if let Some(key) = records_key(&map) {
        return walk_records(map, key, hint, out, depth);
    }
    if let Some(inner) = one_record(&mut map, &mut hint)? {
        return walk(inner, hint, out, depth + 1);
    }
    Ok(bare(map, hint, out))
}

/// Keys under which envelopes hold an array of records.
const RECORD_ARRAYS: [&str; 6] = [
    "Records",
    "records",
    "value",
    "Events",
    "logEvents",
    "receivedMessages",
];

fn records_key(map: &serde_json::Map<String, Value>) -> Option<&'static str> {
    RECORD_ARRAYS.into_iter().find(|key| match map.get(*key) {
        // An empty `value` or `Events` may be anything; an empty `Records` is a CloudTrail
        // file without events.
        Some(Value::Array(items)) => !items.is_empty() || *key == "Records" || *key == "records",
        _ => false,
    })
}

fn walk_records(
    mut map: serde_json::Map<String, Value>,
    key: &str,
    hint: Hint,
    out: &mut Vec<(Provider, Value, Hint)>,
    depth: u32,
) -> Result<Unwrapped, SkipReason> {
    let items = match map.remove(key) {
        Some(Value::Array(items)) => items,
        _ => unreachable!(),
    };
    let hint = Hint {
        account: hint.account.or_else(|| str_of(&map, "owner")),
        region: hint.region,
    };
    let mut last = Unwrapped::NotLog;
    for item in items {
        last = walk(item, hint.clone(), out, depth + 1)?;
    }
    Ok(if out.is_empty() {
        last
    } else {
        Unwrapped::Records(Vec::new())
    })
}

/// The most one CloudWatch Logs subscription payload may inflate to. CloudWatch Logs takes at
/// most 1 MiB of events per batch (PutLogEvents), so a real payload inflates to about that;
/// anything far past it is a bomb, which once took a 1.4 MB file to 2.2 GB of memory.
const MAX_AWSLOGS_INFLATED: u64 = 16 << 20;

/// The one value an envelope wraps, when `map` is such an envelope; an envelope that knows the
/// account or region adds it to `hint`.
fn one_record(
    map: &mut serde_json::Map<String, Value>,
    hint: &mut Hint,
) -> Result<Option<Value>, SkipReason> {
    // CloudWatch Logs subscription: base64 of gzip of a DATA_MESSAGE.
    if let Some(Value::String(data)) = map.get("awslogs").and_then(|a| a.get("data")) {
        let bytes = b64(data, "CloudWatch Logs awslogs.data")?;
        let mut json = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(MAX_AWSLOGS_INFLATED + 1)
            .read_to_end(&mut json)
            .map_err(|e| envelope("CloudWatch Logs awslogs.data", e.to_string()))?;
        if json.len() as u64 > MAX_AWSLOGS_INFLATED {
            return Err(envelope(
                "CloudWatch Logs awslogs.data",
                format!(
                    "inflates past {} MiB, far beyond any CloudWatch Logs batch (a gzip bomb?): not read",
                    MAX_AWSLOGS_INFLATED >> 20
                ),
            ));
        }
        let inner: Value = serde_json::from_slice(&json)
            .map_err(|e| envelope("CloudWatch Logs awslogs.data", e.to_string()))?;
        return Ok(Some(inner));
    }
    // Pub/Sub push (or pull) message: base64 of a LogEntry.
    if let Some(Value::String(data)) = map.get("message").and_then(|m| m.get("data")) {
        let bytes = b64(data, "Pub/Sub message.data")?;
        let inner: Value = serde_json::from_slice(&bytes)
            .map_err(|e| envelope("Pub/Sub message.data", e.to_string()))?;
        return Ok(Some(inner));
    }
    // A string that holds the record: CloudWatch `message`, lookup-events `CloudTrailEvent`,
    // Splunk `_raw`.
    for key in ["CloudTrailEvent", "_raw", "message"] {
        if let Some(Value::String(s)) = map.get(key) {
            if s.trim_start().starts_with('{') {
                let inner: Value =
                    serde_json::from_str(s).map_err(|e| envelope(key_name(key), e.to_string()))?;
                return Ok(Some(inner));
            }
        }
    }
    // Splunk: `result` (search export) and `body` (Event Hub add-on) wrap the event.
    for key in ["result", "body", "event"] {
        if matches!(map.get(key), Some(Value::Object(_))) {
            return Ok(map.remove(key));
        }
    }
    // EventBridge: the CloudTrail record sits in `detail`.
    if map.contains_key("detail-type") && matches!(map.get("detail"), Some(Value::Object(_))) {
        hint.account = str_of(map, "account").or(hint.account.take());
        hint.region = str_of(map, "region").or(hint.region.take());
        return Ok(map.remove("detail"));
    }
    Ok(None)
}

/// A value no envelope wraps: a record of one of the providers, or what kind of non-record.
fn bare(
    map: serde_json::Map<String, Value>,
    hint: Hint,
    out: &mut Vec<(Provider, Value, Hint)>,
) -> Unwrapped {
    let v = Value::Object(map);
    let obj = v.as_object().unwrap();
    if obj.contains_key("eventName")
        && (obj.contains_key("eventSource")
            || obj.contains_key("eventTime")
            || obj.contains_key("eventID"))
    {
        if obj.get("eventType").and_then(Value::as_str) == Some("AwsCloudTrailInsight") {
            return Unwrapped::Insight;
        }
        out.push((Provider::Aws, v, hint));
        return Unwrapped::Records(Vec::new());
    }
    if obj.contains_key("digestStartTime") && obj.contains_key("logFiles") {
        return Unwrapped::Digest;
    }
    if obj.contains_key("protoPayload") {
        let audit = at(&v, &["protoPayload", "@type"])
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("google.cloud.audit.AuditLog"));
        if audit {
            out.push((Provider::Gcp, v, hint));
            return Unwrapped::Records(Vec::new());
        }
        return Unwrapped::OtherLog;
    }
    if obj.contains_key("logName")
        && (obj.contains_key("insertId") || obj.contains_key("timestamp"))
    {
        return Unwrapped::OtherLog;
    }
    if is_azure(obj) {
        out.push((Provider::Azure, v, hint));
        return Unwrapped::Records(Vec::new());
    }
    Unwrapped::NotLog
}

/// An Azure Activity Log record, in either the portal's casing or the export's snake case.
fn is_azure(obj: &serde_json::Map<String, Value>) -> bool {
    ["operationName", "operation_name"]
        .iter()
        .any(|k| obj.contains_key(*k))
        && [
            "resourceId",
            "resource_id",
            "correlationId",
            "correlation_id",
        ]
        .iter()
        .any(|k| obj.contains_key(*k))
}

fn str_of(map: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn b64(data: &str, what: &'static str) -> Result<Vec<u8>, SkipReason> {
    let engine = &base64::engine::general_purpose::STANDARD;
    engine
        .decode(data.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(data.trim()))
        .map_err(|e| envelope(what, e.to_string()))
}

fn envelope(what: &'static str, why: String) -> SkipReason {
    SkipReason::Envelope {
        envelope: what,
        why,
    }
}

fn key_name(key: &str) -> &'static str {
    match key {
        "CloudTrailEvent" => "lookup-events CloudTrailEvent",
        "_raw" => "Splunk _raw",
        _ => "CloudWatch Logs message",
    }
}
