//! What the planted scenarios have in common, whatever the cloud: their kinds, the names they
//! draw from, the planted-id namespace, and their ground-truth record.

use crate::options::{Cloud, Container};
use crate::report::Planted;
use crate::rng::Rng;
use crate::time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    FullRevert,
    StopStart,
    AttachFromSnapshot,
    AmiLaunch,
    DiskUnattached,
    Resize,
    BackupUnattached,
}

pub(crate) const WORDS: [&str; 16] = [
    "payments",
    "ledger",
    "billing",
    "reporting",
    "crm",
    "intranet",
    "build",
    "jump",
    "hr",
    "invoices",
    "search",
    "gateway",
    "vault",
    "etl",
    "portal",
    "orders",
];

/// `i-0`, `vol-0`, ... followed by 16 hex digits, the first of them 8-f (noise uses 0-7).
pub(crate) fn planted_aws_id(rng: &mut Rng, prefix: &str) -> String {
    let mut v = prefix.as_bytes().to_vec();
    v.extend_from_slice(b"-0");
    v.push(b"89abcdef"[rng.below(8) as usize]);
    rng.hex(&mut v, 15);
    String::from_utf8(v).expect("ascii")
}

pub(crate) fn hex(rng: &mut Rng, n: usize) -> String {
    rng.string(|r, v| r.hex(v, n))
}

pub(crate) fn planted(
    cloud: Cloud,
    scenario: &str,
    target: String,
    escalate: bool,
    chains: &[&str],
    account: &str,
    first: String,
) -> Planted {
    let mut chains: Vec<String> = chains.iter().map(|c| c.to_string()).collect();
    chains.sort();
    Planted {
        id: String::new(),
        cloud,
        scenario: scenario.to_string(),
        target,
        expected_severity: if escalate { "escalate" } else { "review" }.to_string(),
        expected_chains: chains,
        account: account.to_string(),
        first_event_time: first,
        container: Container::AwsS3Gz,
        expected_suppressed_by: None,
    }
}

/// A planted benign look-alike that a built-in tuning rule is expected to suppress.
pub(crate) fn suppressed(mut planted: Planted, rule: &str) -> Planted {
    planted.expected_suppressed_by = Some(rule.to_string());
    planted
}

/// `YYYYMMDD` of a day some weeks before `t`: the age of a pre-attack snapshot.
pub(crate) fn snapshot_day(rng: &mut Rng, t: i64) -> String {
    let c = time::civil(t - (7 + rng.below(50) as i64) * time::DAY);
    format!("{:04}{:02}{:02}", c.year, c.month, c.day)
}
