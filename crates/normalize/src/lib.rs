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
//!
//! The main types: an [`Ingest`] (a [`Selection`] of what to parse and keep, and decode's
//! limits) reads a file or stream into a [`FileReport`]: the phase-level [`ApiCall`]s it
//! found, the [`Skip`]s of what it could not read and why ([`SkipReason`]), and a [`FileNote`]
//! for inputs that are not logs. [`logical_calls`] / [`merge_phases`] merge phases into one
//! call per operation; [`annotate`] fills in a call's [`ResourceRef`]s and lineage [`Edge`]s
//! from the rule pack; [`plan_parts`] cuts a large file into parts read in parallel.
//!
//! ```
//! use revertwatch_decode::Limits;
//! use revertwatch_normalize::{Ingest, Outcome, Selection};
//! use revertwatch_pack::Provider;
//!
//! let record: &[u8] = br#"{"eventVersion":"1.08","eventTime":"2024-03-01T12:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"StopInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},"requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]}},"eventID":"e-1","recipientAccountId":"111122223333"}"#;
//!
//! let ingest = Ingest { selection: Selection::everything(), limits: Limits::default() };
//! let report = ingest.read_reader("trail.json", record);
//! assert!(report.skips.is_empty());
//! let call = &report.calls[0];
//! assert_eq!(call.provider, Provider::Aws);
//! assert_eq!(call.operation, "StopInstances");
//! assert_eq!(call.outcome, Outcome::Success);
//! assert_eq!(call.account, "111122223333");
//! assert_eq!(call.origin.line, 1);
//! ```

#![deny(missing_docs)]

mod call;
mod envelope;
mod fields;
mod identity;
mod ingest;
mod lineage;
mod merge;
mod provider;
mod skip;
mod split;
mod time;

pub use call::{Actor, ApiCall, Edge, Origin, Outcome, Phase, ResourceRef, UnknownOutcome};
pub use identity::{conflicting_event_ids, content_digest};
pub use ingest::{FileNote, FileReport, Ingest, Keep, Selection};
pub use lineage::annotate;
pub use merge::{logical_calls, merge_group, merge_phases, phase_group};
pub use skip::{Skip, SkipReason};
pub use split::{plan_parts, MIN_PART_BYTES};
pub use time::{format_time, parse_time, serialize_time};
