//! What a run wrote: its totals and the planted scenarios of `ground-truth.jsonl`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::options::{Cloud, Container};

/// One planted scenario, as `ground-truth.jsonl` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planted {
    /// `<cloud>-<nnn>-<scenario>`, unique in the run.
    pub id: String,
    /// The cloud it is planted in.
    pub cloud: Cloud,
    /// `full-revert`, `stop-start`, `volume-from-snapshot-attach`, `disk-from-snapshot-attach`,
    /// `ami-from-snapshot-launch`, `disk-from-snapshot`, `resize-lookalike` or
    /// `backup-restore-unattached`.
    pub scenario: String,
    /// The incident's target exactly as revertwatch reports it: an AWS instance or volume id; an
    /// Azure resource id, lower-cased; a GCP `projects/<p>/zones/<z>/instances|disks/<name>`.
    pub target: String,
    /// `review` or `escalate`.
    pub expected_severity: String,
    /// The incident's chains, sorted.
    pub expected_chains: Vec<String>,
    /// AWS account, Azure subscription or GCP project.
    pub account: String,
    /// The time of the incident's first call, as its record writes it.
    pub first_event_time: String,
    /// Where its records are.
    pub container: Container,
    /// The built-in tuning rule expected to suppress it (a backup service's own restore), if any.
    pub expected_suppressed_by: Option<String>,
}

/// What a run wrote.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Log files written (`ground-truth.jsonl` not counted).
    pub files: u64,
    /// Log records written, all containers together.
    pub records: u64,
    /// Uncompressed bytes of all log files.
    pub bytes: u64,
    /// Bytes on disk of all log files (gzip files compressed, the others as they are).
    pub compressed_bytes: u64,
    /// The planted scenarios, as written to `ground-truth.jsonl` and in its order; empty when [`Options::plant_scenarios`](crate::Options::plant_scenarios) is off.
    pub planted: Vec<Planted>,
    /// Wall-clock time the run took.
    pub elapsed: Duration,
}
