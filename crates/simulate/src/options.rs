//! What a run is asked for: the options, and the names of clouds and containers.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// What to write, where, and how much.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where files are written (created if missing); existing files there are overwritten, none deleted.
    pub out_dir: PathBuf,
    /// Target total UNCOMPRESSED bytes of log records written (all clouds).
    pub size_bytes: u64,
    /// The seed: the same options (seed included) give byte-identical output.
    pub seed: u64,
    /// Start of the simulated time span, UTC; must lie between 1970 and 2262.
    pub start: DateTime<Utc>,
    /// Length of the span in days, 1 to 3660.
    pub days: u32,
    /// AWS account ids to write logs for; names are 1-128 characters of letters, digits, `-`, `_`, `.`, without repeats (as for every list below).
    pub aws_accounts: Vec<String>,
    /// AWS regions each account logs in.
    pub aws_regions: Vec<String>,
    /// Azure subscription ids.
    pub azure_subscriptions: Vec<String>,
    /// GCP project ids.
    pub gcp_projects: Vec<String>,
    /// Which clouds to write; a container whose cloud is not listed is not written.
    pub clouds: Vec<Cloud>,
    /// Which containers to write; the clouds of the containers must also be in `clouds`.
    pub containers: Vec<Container>,
    /// Plant revert scenarios and look-alikes, and list them in `ground-truth.jsonl`.
    pub plant_scenarios: bool,
    /// An estate with habits (see the crate docs): dev boxes stopped every weekday evening
    /// and started every morning by their owners, schedulers, a patch night, snapshot copies,
    /// restore tests, Auto Scaling and one-offs, with six planted reverts in place of the
    /// usual scenarios. Off by default, which leaves the usual output byte for byte.
    pub habits: bool,
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
            habits: false,
        }
    }
}

/// The clouds a run can write logs of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// AWS CloudTrail.
    Aws,
    /// Azure Activity Log.
    Azure,
    /// GCP Cloud Audit Logs.
    Gcp,
}

impl Cloud {
    /// Every cloud, in the order runs write them.
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Azure, Cloud::Gcp];

    /// The lower-case name (`aws`, `azure`, `gcp`), as `Display`, serde and `FromStr` spell it (`FromStr` ignores case and surrounding spaces).
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }
}

/// The file formats a run can write; see the crate docs for each one's paths and records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Container {
    /// CloudTrail as delivered to S3: gzip'd `{"Records":[...]}` files per 5-minute window.
    #[serde(rename = "aws-s3-gz")]
    AwsS3Gz,
    /// CloudTrail records, one per line, a file per account, region and day.
    #[serde(rename = "aws-jsonl")]
    AwsJsonl,
    /// Azure Activity Log in the Event Hub / diagnostic-settings schema, a file per subscription and hour.
    #[serde(rename = "azure-eventhub")]
    AzureEventHub,
    /// What `az monitor activity-log list` prints, a file per subscription and day.
    #[serde(rename = "azure-rest")]
    AzureRest,
    /// GCP LogEntry JSON Lines as a Cloud Storage sink writes them, hourly files.
    #[serde(rename = "gcp-jsonl")]
    GcpJsonl,
}

impl Container {
    /// Every container, in the order runs write them.
    pub const ALL: [Container; 5] = [
        Container::AwsS3Gz,
        Container::AwsJsonl,
        Container::AzureEventHub,
        Container::AzureRest,
        Container::GcpJsonl,
    ];

    /// The kebab-case name (`aws-s3-gz`...), as `Display`, serde and `FromStr` spell it (`FromStr` ignores case and surrounding spaces).
    pub fn as_str(self) -> &'static str {
        match self {
            Container::AwsS3Gz => "aws-s3-gz",
            Container::AwsJsonl => "aws-jsonl",
            Container::AzureEventHub => "azure-eventhub",
            Container::AzureRest => "azure-rest",
            Container::GcpJsonl => "gcp-jsonl",
        }
    }

    /// The cloud whose logs it holds.
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
    /// `cloud` or `container`.
    pub kind: &'static str,
    /// The name given, as given.
    pub value: String,
    /// The accepted names, comma-separated.
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
