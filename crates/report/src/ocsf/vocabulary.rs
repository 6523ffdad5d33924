//! The OCSF and ATT&CK identifiers a revert finding uses, with the captions the schema pairs
//! with them. Each id and its caption travel together so that a sibling string (`severity`
//! beside `severity_id`) can never disagree with its id.

use revertwatch_detect::Severity;
use revertwatch_pack::{Provider, Signal};

/// The OCSF release the findings are written against (`metadata.version`). 1.4.0 is the first
/// release whose `related_event` carries times, a title and a description, and whose
/// `evidences` carry the caller's `http_request.user_agent`; earlier 1.x releases would lose
/// when each call happened. Minor releases only add, so a 1.1-era consumer reads the same names.
pub const SCHEMA_VERSION: &str = "1.4.0";

/// Profiles whose attributes the findings use: `cloud` (`cloud`, resource regions and
/// partitions) and `host` (the top-level `actor`).
pub const PROFILES: [&str; 2] = ["cloud", "host"];

/// An OCSF enumeration value and the caption the schema gives it.
pub type Enum = (u32, &'static str);

pub const CATEGORY_FINDINGS: Enum = (2, "Findings");
pub const CLASS_DETECTION_FINDING: Enum = (2004, "Detection Finding");
pub const ACTIVITY_CREATE: Enum = (1, "Create");
/// `class_uid * 100 + activity_id`, with the schema's `type_name` for it.
pub const TYPE_DETECTION_FINDING_CREATE: (u64, &str) = (200401, "Detection Finding: Create");

pub const ANALYTIC_RULE: Enum = (1, "Rule");
pub const DEVICE_VIRTUAL: Enum = (6, "Virtual");

/// The ATT&CK release the tactic below is true for: ATT&CK v19 splits Defense Evasion, so the
/// mapping names the release it was checked against.
pub const ATTACK_VERSION: &str = "17.1";
pub const TACTIC: (&str, &str, &str) = (
    "TA0005",
    "Defense Evasion",
    "https://attack.mitre.org/tactics/TA0005/",
);
pub const TECHNIQUE: (&str, &str, &str) = (
    "T1578",
    "Modify Cloud Compute Infrastructure",
    "https://attack.mitre.org/techniques/T1578/",
);
pub const SUB_TECHNIQUE: (&str, &str, &str) = (
    "T1578.004",
    "Revert Cloud Instance",
    "https://attack.mitre.org/techniques/T1578/004/",
);

/// OCSF severity for a revertwatch severity.
///
/// `escalate` (a restore and a reset on one machine: the whole technique) is High, "action is
/// required immediately", rather than Critical, which OCSF keeps for a broad scope: an incident
/// is one instance or VM. `review` (half of the technique, which is also what DR tests and
/// schedulers do) is Medium, "action is required but the situation is not serious". Failed
/// attempts only (`--show-failed`) are Low: the analyst decides whether a denied restore matters.
/// A routine reset (`info`: the same identity's habit on that machine, no restore) is
/// Informational.
pub fn severity(s: Severity) -> Enum {
    match s {
        Severity::Escalate => (4, "High"),
        Severity::Review => (3, "Medium"),
        Severity::Info => (1, "Informational"),
        Severity::None => (2, "Low"),
    }
}

/// OCSF confidence: how likely the rule's finding is the technique rather than routine work.
/// It follows the evidence (`suspicion_score`), not the tuned severity: a downgraded full
/// revert is still a full revert, only vouched for.
pub fn confidence(suspicion_score: u8) -> Enum {
    match suspicion_score {
        0 | 1 => (1, "Low"),
        _ => (3, "High"),
    }
}

/// A live finding is New; one a tuning rule suppressed is Suppressed ("reviewed, determined to
/// be benign").
pub fn status(suppressed: bool) -> Enum {
    if suppressed {
        (3, "Suppressed")
    } else {
        (1, "New")
    }
}

/// `cloud.provider`, as OCSF's examples spell the three.
pub fn provider_name(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure",
        Provider::Gcp => "GCP",
    }
}

/// `account.type_id` of the account, subscription or project the incident is in.
pub fn account_type(p: Provider) -> Enum {
    match p {
        Provider::Aws => (10, "AWS Account"),
        Provider::Azure => (13, "Azure Subscription"),
        Provider::Gcp => (11, "GCP Project"),
    }
}

/// The audit log each provider's calls come from: `finding_info.data_sources`, and the product
/// of each related event.
pub fn audit_log(p: Provider) -> (&'static str, &'static str) {
    match p {
        Provider::Aws => ("CloudTrail", "Amazon Web Services"),
        Provider::Azure => ("Azure Activity Log", "Microsoft"),
        Provider::Gcp => ("Cloud Audit Logs", "Google"),
    }
}

/// The API Activity (class 6003) type of a call: restores create something, resets and links
/// change a machine's state, and destroying evidence deletes it.
pub fn api_activity_type(signal: Signal) -> (u64, &'static str) {
    match signal {
        Signal::SnapshotRestore => (600301, "API Activity: Create"),
        Signal::EphemeralReset | Signal::Link => (600303, "API Activity: Update"),
        Signal::EvidenceDestroyed => (600304, "API Activity: Delete"),
    }
}

/// `user.type_id` for the provider's identity type. Humans are Users, the account root Admin,
/// service identities System; role sessions may be either, so they stay Other with the
/// provider's own word in `type`.
pub fn user_type(actor_type: &str) -> Enum {
    match actor_type {
        "IAMUser" | "User" | "IdentityCenterUser" => (1, "User"),
        "Root" => (2, "Admin"),
        "AWSService" | "ServicePrincipal" | "ManagedIdentity" | "ServiceAccount" => (3, "System"),
        _ => (99, "Other"),
    }
}

/// OCSF observable types used for pivoting.
pub const OBSERVABLE_HOSTNAME: u32 = 1;
pub const OBSERVABLE_IP: u32 = 2;
pub const OBSERVABLE_RESOURCE_UID: u32 = 10;
pub const OBSERVABLE_USER_AGENT: u32 = 16;
pub const OBSERVABLE_USER_UID: u32 = 31;
