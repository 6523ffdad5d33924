//! AWS CloudTrail records.
//!
//! Shapes (key order, numbers as strings, epoch-ms response times, `tlsDetails`, `requestID`
//! forms, S3 data-event `additionalEventData` and `resources`, service identities with
//! `invokedBy`) are copied from the real samples under `/work/shared/data` (stratus-red-team,
//! invictus-ir, suzaku's S3 delivery files, OTRF) and from the fixture generator
//! `tests/fixtures/scenarios/aws/make_aws.py`; contents are generated.

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
mod roster;
mod scheduled;
