//! Reading fields from records whose key spelling varies by export path.

use serde_json::Value;

/// The value at `path` (object keys), exact match first, then ignoring ASCII case.
pub fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for key in path {
        let map = cur.as_object()?;
        cur = match map.get(*key) {
            Some(found) => found,
            None => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)?,
        };
    }
    Some(cur)
}

/// The first non-empty string (or number, as text) among several paths.
pub fn text(v: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| match at(v, p)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// The first non-null value among several paths.
pub fn value<'v>(v: &'v Value, paths: &[&[&str]]) -> Option<&'v Value> {
    paths.iter().find_map(|p| at(v, p).filter(|x| !x.is_null()))
}

/// A body that may be an object or a JSON string holding one (Azure `requestbody`).
pub fn body(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(Value::Null) | None => Value::Null,
        Some(other) => other.clone(),
    }
}
