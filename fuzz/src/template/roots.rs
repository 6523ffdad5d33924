//! The values a pack path can start at while a record is built.

use revertwatch_pack::{FieldPath, Root};
use serde_json::{Map, Value};

/// The values a pack path can start at, as the record is being built.
#[derive(Default)]
pub(super) struct Roots {
    pub(super) request: Value,
    pub(super) response: Value,
    pub(super) resource: Option<String>,
    pub(super) record: Value,
}

impl Roots {
    pub(super) fn slot(&mut self, root: Root) -> Option<&mut Value> {
        match root {
            Root::Request => Some(&mut self.request),
            Root::Response => Some(&mut self.response),
            Root::Record => Some(&mut self.record),
            Root::Resource => None,
        }
    }

    pub(super) fn has(&mut self, path: &FieldPath) -> bool {
        let mut out = Vec::new();
        match path.root {
            Root::Resource => return self.resource.is_some(),
            root => path.strings(self.slot(root).expect("not a resource"), &mut out),
        }
        !out.is_empty()
    }

    pub(super) fn put(&mut self, path: &FieldPath, leaf: Value) {
        if path.root == Root::Resource {
            self.resource = leaf.as_str().map(str::to_string);
            return;
        }
        let mut cur = self.slot(path.root).expect("not a resource");
        // Segments with `[]` hold arrays; build them with one element.
        let segments: Vec<&str> = path.as_str().split('.').skip(1).collect();
        for (k, segment) in segments.iter().enumerate() {
            let last = k + 1 == segments.len();
            let (key, array) = match segment.strip_suffix("[]") {
                Some(key) => (key, true),
                None => (*segment, false),
            };
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            let map = cur.as_object_mut().expect("made an object");
            let slot = map.entry(key.to_string()).or_insert(Value::Null);
            if array {
                if !slot.is_array() {
                    *slot = Value::Array(vec![Value::Null]);
                }
                let items = slot.as_array_mut().expect("made an array");
                if items.is_empty() {
                    items.push(Value::Null);
                }
                cur = &mut items[0];
            } else {
                cur = slot;
            }
            if last {
                *cur = leaf.clone();
            }
        }
    }
}

/// Adds `extra`'s fields to `record` where the record has none of its own.
pub(super) fn merge(record: &mut Value, extra: Value) {
    if let (Some(r), Value::Object(extra)) = (record.as_object_mut(), extra) {
        for (k, v) in extra {
            r.entry(k).or_insert(v);
        }
    }
}
