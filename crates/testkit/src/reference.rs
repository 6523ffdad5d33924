//! A slow, exact reference for what an input holds: serde_json over the whole stream (gzip
//! undone, every container and envelope unwrapped), counting records. The fast decoder is held
//! to it: a hunt must account for every record it finds, and parse every one that names an
//! operation of the pack.
//!
//! Records are counted where the decoder frames them: each element of a records array
//! (`{"Records":[...]}`, `{"records":[...]}`, `{"value":[...]}`, `{"Events":[...]}`, a bare
//! array), each other top-level value; once a top-level object that is no such wrapper has
//! been read, the input is a stream of values (JSON Lines) and each value after it counts as
//! one. Envelopes inside a record (CloudWatch Logs subscriptions, Pub/Sub push, Event Hub
//! bodies, lookup-events strings) are unwrapped only to find the operation names they hold.

use std::io::Read;

use base64::Engine;
use serde_json::Value;

/// What the reference found in one input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Records, counted where the decoder frames them.
    pub records: u64,
    /// The operation names of every audit record inside them, envelopes undone.
    pub operations: Vec<String>,
}

/// The keys the providers write an operation name under.
const NAME_KEYS: [&str; 4] = ["eventName", "operationName", "operation_name", "methodName"];
/// First keys whose array holds the records, as the decoder reads them.
const WRAPPERS: [&str; 4] = ["Records", "records", "value", "Events"];

/// Reads `input` exactly; an error when it is not a stream of JSON values (a test input with
/// junk in it is given to the reference without the junk).
pub fn reference(input: &[u8]) -> Result<Reference, String> {
    let mut bytes = Vec::new();
    if input.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(input)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("gzip: {e}"))?;
    } else {
        bytes = input.to_vec();
    }
    // A byte-order mark may open any document or line; elsewhere the decoder would not
    // accept it either, and the tests put none there.
    let marks: Vec<usize> = memchr_all(&bytes, b"\xEF\xBB\xBF");
    for at in marks {
        bytes[at..at + 3].copy_from_slice(b"   ");
    }
    let mut out = Reference::default();
    let mut stream = false;
    let mut values = serde_json::Deserializer::from_slice(&bytes).into_iter::<Value>();
    let mut start = 0;
    while let Some(next) = values.next() {
        let value = next.map_err(|e| e.to_string())?;
        let raw = bytes[start..values.byte_offset()].trim_ascii_start();
        start = values.byte_offset();
        let elements = match (&value, stream) {
            (Value::Array(items), false) => Some(items.clone()),
            (Value::Object(map), false) => {
                first_key(raw).and_then(|key| map.get(key)?.as_array().cloned())
            }
            _ => None,
        };
        match elements {
            Some(items) => {
                for item in &items {
                    out.records += 1;
                    operations_in(item, &mut out.operations, 0);
                }
            }
            None => {
                stream |= value.is_object();
                out.records += 1;
                operations_in(&value, &mut out.operations, 0);
            }
        }
    }
    Ok(out)
}

/// The first key of the object `raw`, when it is a wrapper the decoder knows and its value an
/// array (written plainly: the decoder does not unescape a first key).
fn first_key(raw: &[u8]) -> Option<&'static str> {
    let rest = raw
        .strip_prefix(b"{")?
        .trim_ascii_start()
        .strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    if rest[end] != b'"' {
        return None;
    }
    let key = WRAPPERS
        .into_iter()
        .find(|w| w.as_bytes() == &rest[..end])?;
    let after = rest[end + 1..].trim_ascii_start().strip_prefix(b":")?;
    after.trim_ascii_start().starts_with(b"[").then_some(key)
}

/// Collects the operation names of every record in `v`, undoing envelopes: base64 under
/// `awslogs.data` (gzip) and `message.data`, and records held as JSON strings.
fn operations_in(v: &Value, out: &mut Vec<String>, depth: u32) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                if NAME_KEYS.contains(&key.as_str()) {
                    match value {
                        Value::String(name) => out.push(name.clone()),
                        Value::Object(o) => {
                            if let Some(Value::String(name)) = o.get("value") {
                                out.push(name.clone());
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(inner) = opaque(map, key, value) {
                    operations_in(&inner, out, depth + 1);
                } else {
                    operations_in(value, out, depth + 1);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| operations_in(i, out, depth + 1)),
        Value::String(s) if s.trim_start().starts_with('{') => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                operations_in(&inner, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The value a base64 envelope field holds.
fn opaque(map: &serde_json::Map<String, Value>, key: &str, value: &Value) -> Option<Value> {
    let Value::Object(inner) = value else {
        return None;
    };
    let Some(Value::String(data)) = inner.get("data") else {
        return None;
    };
    let engine = &base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(data.trim()).ok()?;
    let json = match key {
        "awslogs" => {
            let mut json = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut json)
                .ok()?;
            json
        }
        "message" if !map.contains_key("awslogs") => bytes,
        _ => return None,
    };
    serde_json::from_slice(&json).ok()
}

fn memchr_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}
