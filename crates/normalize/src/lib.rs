//! Normalize: record bytes of any cloud in, [`ApiCall`]s with lineage edges out.
//!
//! Invariants:
//! - only records that passed the prefilter are parsed (plus the first record of each input,
//!   which tells what the input is);
//! - an `ApiCall` is one logical call: Azure's Start/Accept/Success events and GCP's
//!   `operation.first`/`last` entries are merged by [`merge_phases`], whatever order they
//!   arrived in, so the result does not depend on input order;
//! - resource ids are canonical per provider (Azure ids lower-cased, GCP URLs cut to
//!   `projects/...`), so one resource has one id whatever record named it.

mod call;
mod envelope;
mod fields;
mod ingest;
mod lineage;
mod merge;
mod provider;
mod skip;
mod split;
mod time;

pub use call::{Actor, ApiCall, Edge, Origin, Outcome, Phase, ResourceRef, UnknownOutcome};
pub use ingest::{FileNote, FileReport, Ingest, Keep, Selection};
pub use lineage::annotate;
pub use merge::{logical_calls, merge_group, merge_phases, phase_group};
pub use skip::{Skip, SkipReason};
pub use split::{plan_parts, MIN_PART_BYTES};
pub use time::{format_time, serialize_time};
