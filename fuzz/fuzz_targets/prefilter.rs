//! The prefilter on arbitrary bytes. It may let through records the pack does not know (they
//! are parsed and dropped), but it must never drop one that names a known operation: a miss
//! here is a revert that `hunt` never sees. On any JSON (escapes included: `\/`, `\u0049`, an
//! escaped key) a slow reference, a full parse and a walk of every object,
//! says which records name a known operation; the prefilter must pass each of them, bare and
//! (when compact) as the JSON string that lookup-events and Splunk exports wrap a record in.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use revertwatch_pack::{Pack, Prefilter, Provider};
use serde_json::Value;

/// The keys the providers write an operation name under.
const NAME_KEYS: [&str; 4] = ["eventName", "operationName", "operation_name", "methodName"];

fn prefilter() -> &'static Prefilter {
    static PREFILTER: OnceLock<Prefilter> = OnceLock::new();
    PREFILTER.get_or_init(|| revertwatch_fuzz::hunt::default_pack().prefilter())
}

fn known(pack: &Pack, name: &str) -> bool {
    [Provider::Aws, Provider::Azure, Provider::Gcp]
        .into_iter()
        .any(|p| pack.knows(p, name))
}

/// The operation name in a name key's value: a string, or Azure's `{"value", "localizedValue"}`
/// (REST, `az`, the Python SDK), in the shape those tools write it.
fn name_in(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(m) => {
            let shaped = m.iter().all(|(k, v)| match (k.as_str(), v) {
                ("value", Value::String(_)) => true,
                ("localizedValue", Value::String(s)) => s.len() <= 200,
                _ => false,
            });
            if shaped {
                m.get("value")?.as_str()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether any object in `root` names a known operation under a name key. A loop, not
/// recursion: nesting is the parser's limit, not ours.
fn names_known_operation(pack: &Pack, root: &Value) -> bool {
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if NAME_KEYS.contains(&k.as_str())
                        && name_in(v).is_some_and(|name| known(pack, name))
                    {
                        return true;
                    }
                    stack.push(v);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fuzz_target!(|data: &[u8]| {
    let candidate = prefilter().is_candidate(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if !names_known_operation(revertwatch_fuzz::hunt::default_pack(), &value) {
        return;
    }
    assert!(
        candidate,
        "the prefilter drops a record that names a known operation"
    );
    // Inside a JSON string, whitespace other than spaces turns into escapes (`\n`); the
    // tools that wrap records this way write them compact.
    if text.bytes().any(|b| b.is_ascii_control()) {
        return;
    }
    let wrapped = serde_json::json!({ "CloudTrailEvent": text }).to_string();
    assert!(
        prefilter().is_candidate(wrapped.as_bytes()),
        "the prefilter drops a known operation inside a JSON string: {wrapped}"
    );
});
