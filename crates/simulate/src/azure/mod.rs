//! Azure Activity Log records, in the Event Hub (diagnostic settings) schema and in the REST
//! schema that `az monitor activity-log list` prints.
//!
//! Shapes follow `tests/fixtures/scenarios/azure/make_azure.py`, which copies them from the
//! Microsoft activity-log schema, real Event Hub lines in elastic/integrations and the real
//! Python SDK sample in plaso: one ARM request is 2-3 records (Start, Accept, Success/Failure)
//! sharing `correlationId`; bodies are JSON strings; about half the Event Hub records spell
//! `operationName` and `resourceId` in upper case, and the others vary the resource group's case.

macro_rules! w {
    ($b:expr, $($t:tt)*) => {{
        let _ = write!($b, $($t)*);
    }};
}

mod bodies;
pub(crate) mod calls;
mod envelope;
mod fixed;
pub(crate) mod generator;
mod noise;
mod personas;
pub(crate) mod planted;
mod roster;
mod scheduled;
