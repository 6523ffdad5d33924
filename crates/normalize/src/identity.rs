//! What makes two records one event: the provider's event id and what the record says.
//!
//! A provider's event id is meant to be unique, and a forwarder's resend or a second container
//! of one record (S3 and EventBridge) repeats it with the same content: those are one event.
//! But an event id is only a field of the record: two records that share one and differ in
//! what happened (a success and a failure, or another instance) are two events, and merging
//! them would let either one hide the other.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::call::ApiCall;
use crate::time::format_time;

/// A digest of what a record says happened: time, operation, outcome, error, caller and the
/// resources it names. Equal for every container of one record (none of these depend on the
/// container), different when any of them differ. Stable across versions: `serve` stores it.
pub fn content_digest(call: &ApiCall) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(format_time(&call.time).as_bytes());
    field(call.operation.as_bytes());
    field(call.outcome.as_str().as_bytes());
    field(call.error.as_deref().unwrap_or("").as_bytes());
    field(call.actor.id.as_bytes());
    field(call.resource.as_str().unwrap_or("").as_bytes());
    let mut ids: Vec<&str> = call.resources.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        field(id.as_bytes());
    }
    let d = h.finalize();
    d[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// How many event ids among `calls` carry more than one content: each such id is two or more
/// events kept apart, and the summary says so.
pub fn conflicting_event_ids(calls: &[ApiCall]) -> usize {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut conflicting: HashMap<&str, ()> = HashMap::new();
    for call in calls.iter().filter(|c| !c.event_id.is_empty()) {
        let digest = content_digest(call);
        match seen.get(call.event_id.as_str()) {
            Some(d) if *d != digest => {
                conflicting.insert(&call.event_id, ());
            }
            Some(_) => {}
            None => {
                seen.insert(&call.event_id, digest);
            }
        }
    }
    conflicting.len()
}
