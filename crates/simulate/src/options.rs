//! What a run is asked for: the options, and the names of clouds and containers.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

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
