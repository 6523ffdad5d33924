//! GCP Cloud Audit Log entries (LogEntry with an AuditLog `protoPayload`).
//!
//! Shapes follow `tests/fixtures/scenarios/gcp/make_gcp.py`, which copies them from the real
//! entries in elastic/integrations and plaso: keys in the order Cloud Logging writes them
//! (sorted), compute long-running operations as a `first` entry (request, response operation,
//! authorizationInfo) and a `last` entry (bare request `@type`) sharing `operation.id`,
//! `timestamp` with 6 fraction digits and `receiveTimestamp` with 9, operation times in
//! Pacific time. Reads go to the `data_access` log (stream 1), the rest to `activity`.

macro_rules! w {
    ($b:expr, $($t:tt)*) => {{
        let _ = write!($b, $($t)*);
    }};
}

pub(crate) mod calls;
mod envelope;
mod fixed;
pub(crate) mod generator;
mod noise;
mod personas;
pub(crate) mod planted;
mod scheduled;
