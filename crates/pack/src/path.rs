//! Field paths such as `request.instancesSet.items[].instanceId`.

use serde_json::Value;

/// Where a path starts in a normalized call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The request body: AWS `requestParameters`, Azure `requestbody`, GCP `protoPayload.request`.
    Request,
    /// The response body: AWS `responseElements`, Azure `responseBody`, GCP `protoPayload.response`.
    Response,
    /// The resource the record names: Azure `resourceId`, GCP `protoPayload.resourceName`.
    Resource,
    /// The whole original record.
    Record,
}

/// A parsed field path. Keys match ASCII-case-insensitively, because the same API writes
/// `requestbody` and `requestBody`, `InstanceId` and `instanceId`. An array met on the way is
/// walked element by element, with or without `[]` in the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// What the path starts from.
    pub root: Root,
    /// The keys below the root, without `[]`.
    pub keys: Vec<String>,
    text: String,
}

impl FieldPath {
    /// Parses `request.x.y`, `response.x`, `resource` or `record.x`; the error says why not.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let mut parts = text.split('.');
        let root = match parts.next() {
            Some("request") => Root::Request,
            Some("response") => Root::Response,
            Some("resource") => Root::Resource,
            Some("record") => Root::Record,
            other => {
                return Err(format!(
                    "path `{text}` must start with request, response, resource or record, not `{}`",
                    other.unwrap_or("")
                ))
            }
        };
        let mut keys = Vec::new();
        for part in parts {
            let key = part.strip_suffix("[]").unwrap_or(part);
            if key.is_empty() || key.contains(['[', ']']) {
                return Err(format!(
                    "path `{text}` has an empty or malformed segment `{part}`"
                ));
            }
            keys.push(key.to_string());
        }
        if root == Root::Resource && !keys.is_empty() {
            return Err(format!(
                "path `{text}`: `resource` is a plain id and has no fields"
            ));
        }
        Ok(FieldPath {
            root,
            keys,
            text: text.to_string(),
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every scalar found at this path under `start` (the root's value), as strings. Numbers
    /// and booleans are given in their JSON spelling; empty strings and nulls are left out.
    pub fn strings(&self, start: &Value, out: &mut Vec<String>) {
        walk(start, &self.keys, out);
    }
}

fn walk(value: &Value, keys: &[String], out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for item in items {
                walk(item, keys, out);
            }
        }
        Value::Object(map) => {
            if let Some((key, rest)) = keys.split_first() {
                let found = map.get(key).or_else(|| {
                    map.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v)
                });
                if let Some(v) = found {
                    walk(v, rest, out);
                }
            }
        }
        Value::String(s) if keys.is_empty() && !s.is_empty() => out.push(s.clone()),
        Value::Number(n) if keys.is_empty() => out.push(n.to_string()),
        Value::Bool(b) if keys.is_empty() => out.push(b.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get(path: &str, v: &Value) -> Vec<String> {
        let mut out = Vec::new();
        FieldPath::parse(path).unwrap().strings(v, &mut out);
        out
    }

    #[test]
    fn walks_arrays_and_ignores_key_case() {
        let v = json!({"instancesSet":{"items":[{"instanceId":"i-1"},{"InstanceId":"i-2"},{}]}});
        assert_eq!(
            get("request.instancesSet.items[].instanceId", &v),
            ["i-1", "i-2"]
        );
        assert_eq!(
            get("request.instancesset.items.instanceid", &v),
            ["i-1", "i-2"]
        );
    }

    #[test]
    fn scalars_become_strings_and_blanks_vanish() {
        let v = json!({"size":"8","n":8,"e":"","z":null});
        assert_eq!(get("request.size", &v), ["8"]);
        assert_eq!(get("request.n", &v), ["8"]);
        assert!(get("request.e", &v).is_empty());
        assert!(get("request.z", &v).is_empty());
    }

    #[test]
    fn rejects_bad_paths() {
        assert!(FieldPath::parse("requestParameters.x").is_err());
        assert!(FieldPath::parse("request..x").is_err());
        assert!(FieldPath::parse("resource.x").is_err());
    }
}
