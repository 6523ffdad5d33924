//! `revertwatch-simulate` writes realistic cloud audit telemetry to a directory: background
//! noise in the shapes and proportions of real AWS CloudTrail, Azure Activity Log and GCP Cloud
//! Audit Logs, with planted T1578.004 (instance revert) scenarios and benign look-alikes, and a
//! `ground-truth.jsonl` that says what a detector should find.
//!
//! # What each container holds
//!
//! | [`Container`] | files | records |
//! |---|---|---|
//! | `aws-s3-gz` | `aws/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz` | `{"Records":[...]}`, one file per 5-minute delivery window (stamped with the window's end), split past ~6 MB; records slightly shuffled, as CloudTrail delivers them |
//! | `aws-jsonl` | `aws-jsonl/<acct>-<region>-<YYYYMMDD>.jsonl` | one CloudTrail record per line, in time order |
//! | `azure-eventhub` | `azure/eventhub/<sub>/<YYYYMMDDHH>.json` | `{"records":[...]}` in the Event Hub / diagnostic-settings schema; each write or action is 2-3 records (Start, Accept, Success) sharing `correlationId`; about half the records spell `operationName` and `resourceId` in UPPER CASE |
//! | `azure-rest` | `azure/rest/<sub>-<YYYYMMDD>.json` | what `az monitor activity-log list` prints: a JSON array of REST-schema objects, keys sorted, indented by 2, newest first |
//! | `gcp-jsonl` | `gcp/cloudaudit.googleapis.com/{activity,data_access}/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json` | LogEntry JSON Lines as a Cloud Storage sink writes them (`S<n>` = the n-th project); long-running operations are a `first` and a `last` entry sharing `operation.id` |
//!
//! # Invariants
//!
//! - **Deterministic per seed.** The same [`Options`] give byte-identical files, whatever the
//!   number of threads: every shard (container, account/region or subscription or project, UTC
//!   day) and every chunk inside it draws from its own sub-seed.
//! - **Constant memory.** Records are rendered from byte templates and streamed; a thread holds
//!   at most one output chunk (one 5-minute S3 object of at most ~6 MB, or one hour of the
//!   `az` listing, which it must reverse), plus the few records of operations still in flight.
//! - **Time.** Every record is in the file of its own time window (5-minute S3 window, hour,
//!   day), planted ones included; the only exception is the later phase of an operation that
//!   ends a few seconds after its UTC day (or, in the `az` listing, its hour), which stays
//!   with the operation's first record.
//! - **Size.** [`Options::size_bytes`] is the target for the uncompressed bytes of all log files
//!   together (split roughly AWS 70 %, Azure 15 %, GCP 15 % over the enabled clouds); the result
//!   is within a record or so per shard of it. The budget is spread over the hours with a daily
//!   activity curve (quieter nights and weekends).
//! - **Ground truth.** Every planted scenario has its own, fresh resource ids, from a namespace
//!   that noise never draws from, so that each expectation in `ground-truth.jsonl` names exactly
//!   one incident. Noise contains benign look-alikes that a detector reports at `review` level
//!   at most (an Instance Scheduler's nightly stop and morning start twelve hours apart, AWS
//!   Backup's daily cross-region `CopySnapshot`, Azure Automation and GCP instance-schedule
//!   stops); no noise forms an `escalate`.
//! - Files are written (and overwritten) under [`Options::out_dir`]; nothing there is deleted,
//!   so start from an empty directory to compare runs.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

mod aws;
mod azure;
mod engine;
mod gcp;
mod json;
mod plan;
mod rng;
mod time;

/// What to write, where, and how much.
#[derive(Clone, Debug)]
pub struct Options {
    pub out_dir: PathBuf,
    /// Target total UNCOMPRESSED bytes of log records written (all clouds).
    pub size_bytes: u64,
    pub seed: u64,
    pub start: DateTime<Utc>,
    pub days: u32,
    pub aws_accounts: Vec<String>,
    pub aws_regions: Vec<String>,
    pub azure_subscriptions: Vec<String>,
    pub gcp_projects: Vec<String>,
    pub clouds: Vec<Cloud>,
    /// Which containers to write; the clouds of the containers must also be in `clouds`.
    pub containers: Vec<Container>,
    /// Plant revert scenarios and look-alikes, and list them in `ground-truth.jsonl`.
    pub plant_scenarios: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            out_dir: PathBuf::from("simulated"),
            size_bytes: 100 * 1000 * 1000,
            seed: 1,
            start: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            days: 7,
            aws_accounts: vec!["111122223333".into()],
            aws_regions: vec!["us-east-1".into(), "us-west-2".into()],
            azure_subscriptions: vec!["0b1f6471-1bf0-4dda-aec3-cb9272f09590".into()],
            gcp_projects: vec!["acme-prod".into()],
            clouds: Cloud::ALL.to_vec(),
            containers: Container::ALL.to_vec(),
            plant_scenarios: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Azure,
    Gcp,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Azure, Cloud::Gcp];

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Container {
    #[serde(rename = "aws-s3-gz")]
    AwsS3Gz,
    #[serde(rename = "aws-jsonl")]
    AwsJsonl,
    #[serde(rename = "azure-eventhub")]
    AzureEventHub,
    #[serde(rename = "azure-rest")]
    AzureRest,
    #[serde(rename = "gcp-jsonl")]
    GcpJsonl,
}

impl Container {
    pub const ALL: [Container; 5] = [
        Container::AwsS3Gz,
        Container::AwsJsonl,
        Container::AzureEventHub,
        Container::AzureRest,
        Container::GcpJsonl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Container::AwsS3Gz => "aws-s3-gz",
            Container::AwsJsonl => "aws-jsonl",
            Container::AzureEventHub => "azure-eventhub",
            Container::AzureRest => "azure-rest",
            Container::GcpJsonl => "gcp-jsonl",
        }
    }

    pub fn cloud(self) -> Cloud {
        match self {
            Container::AwsS3Gz | Container::AwsJsonl => Cloud::Aws,
            Container::AzureEventHub | Container::AzureRest => Cloud::Azure,
            Container::GcpJsonl => Cloud::Gcp,
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cloud or container name that is not one of ours.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}` (expected one of: {expected})")]
pub struct ParseNameError {
    pub kind: &'static str,
    pub value: String,
    pub expected: String,
}

impl FromStr for Cloud {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Cloud, ParseNameError> {
        Cloud::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseNameError {
                kind: "cloud",
                value: s.to_string(),
                expected: Cloud::ALL.map(Cloud::as_str).join(", "),
            })
    }
}

impl FromStr for Container {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Container, ParseNameError> {
        Container::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseNameError {
                kind: "container",
                value: s.to_string(),
                expected: Container::ALL.map(Container::as_str).join(", "),
            })
    }
}

/// One planted scenario, as `ground-truth.jsonl` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planted {
    /// `<cloud>-<nnn>-<scenario>`, unique in the run.
    pub id: String,
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
    pub files: u64,
    pub records: u64,
    /// Uncompressed bytes of all log files.
    pub bytes: u64,
    /// Bytes on disk of all log files (gzip files compressed, the others as they are).
    pub compressed_bytes: u64,
    pub planted: Vec<Planted>,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid simulate options: {0}")]
    Options(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SimError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SimError {
        SimError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub(crate) type Result<T, E = SimError> = std::result::Result<T, E>;

/// The ground-truth file's name inside [`Options::out_dir`].
pub const GROUND_TRUTH_FILE: &str = "ground-truth.jsonl";

/// Writes the corpus and `ground-truth.jsonl` under `opts.out_dir`.
pub fn simulate(opts: &Options) -> Result<Report, SimError> {
    let started = Instant::now();
    let setup = engine::Setup::new(opts)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| SimError::io(&opts.out_dir, e))?;
    let plan = plan::build(&setup);
    let shards = setup.shards(&plan);

    use rayon::prelude::*;
    let results: Vec<Result<engine::Stats>> = shards
        .par_iter()
        .map(|sh| engine::run_shard(&setup, sh))
        .collect();
    let mut report = Report::default();
    for r in results {
        let s = r?;
        report.files += s.files;
        report.records += s.records;
        report.bytes += s.bytes;
        report.compressed_bytes += s.disk_bytes;
    }

    let mut gt = Vec::new();
    for p in &plan.planted {
        serde_json::to_writer(&mut gt, p).expect("serialisable");
        gt.push(b'\n');
    }
    let path = opts.out_dir.join(GROUND_TRUTH_FILE);
    std::fs::write(&path, gt).map_err(|e| SimError::io(&path, e))?;
    report.planted = plan.planted;
    report.elapsed = started.elapsed();
    Ok(report)
}
