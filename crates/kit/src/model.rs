//! What a scenario is: steps, each with the telemetry it should leave in the cloud's audit log.

use std::fmt;
use std::str::FromStr;

use revertwatch_pack::Provider;

use crate::KitError;

/// The scenarios: the seed's four tests, and the full revert they add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scenario {
    /// Seed test 1: stop and start an instance (ephemeral storage reset).
    StopStart,
    /// Seed test 2: a volume or disk restored from a snapshot, attached to a running machine.
    AttachFromSnapshot,
    /// Seed test 3: a managed disk created from a snapshot, left unattached.
    DiskFromSnapshot,
    /// Seed test 4: an image registered from a snapshot, and an instance launched from it.
    ImageFromSnapshotLaunch,
    /// Stop, restore the boot disk from a pre-attack snapshot, swap it in, start.
    FullRevert,
}

impl Scenario {
    /// Every scenario, seed tests 1-4 in order, then the full revert.
    pub const ALL: [Scenario; 5] = [
        Scenario::StopStart,
        Scenario::AttachFromSnapshot,
        Scenario::DiskFromSnapshot,
        Scenario::ImageFromSnapshotLaunch,
        Scenario::FullRevert,
    ];

    /// The kebab-case name used on the command line, in file names and by `Display` / `FromStr` (e.g. `stop-start`); stable.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::StopStart => "stop-start",
            Scenario::AttachFromSnapshot => "attach-from-snapshot",
            Scenario::DiskFromSnapshot => "disk-from-snapshot",
            Scenario::ImageFromSnapshotLaunch => "image-from-snapshot-launch",
            Scenario::FullRevert => "full-revert",
        }
    }

    /// The seed detection's test this scenario carries out (1-4), if it is one of them.
    pub fn seed_test(self) -> Option<u8> {
        match self {
            Scenario::StopStart => Some(1),
            Scenario::AttachFromSnapshot => Some(2),
            Scenario::DiskFromSnapshot => Some(3),
            Scenario::ImageFromSnapshotLaunch => Some(4),
            Scenario::FullRevert => None,
        }
    }

    /// A one-line human title for headings and listings; wording may change.
    pub fn title(self) -> &'static str {
        match self {
            Scenario::StopStart => "Stop and start an instance (ephemeral storage reset)",
            Scenario::AttachFromSnapshot => "Restore a volume from a snapshot and attach it",
            Scenario::DiskFromSnapshot => "Create a disk from a snapshot",
            Scenario::ImageFromSnapshotLaunch => {
                "Register an image from a snapshot and launch an instance from it"
            }
            Scenario::FullRevert => {
                "Full revert: stop, restore the boot disk from a snapshot, swap it in, start"
            }
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scenario {
    type Err = KitError;
    fn from_str(s: &str) -> Result<Scenario, KitError> {
        Scenario::ALL
            .into_iter()
            .find(|sc| sc.name() == s)
            .ok_or_else(|| KitError::UnknownScenario(s.to_string()))
    }
}

/// Whether a step prepares the stage or is part of the revert a detector must see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Makes what the revert needs (a machine, a pre-attack snapshot). Its calls are in the log
    /// too; the ones the rule pack knows are links at most.
    Setup,
    /// The revert itself: these calls are what `revertwatch simulate` plants for the scenario.
    Revert,
}

/// One audit-log event a step should leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Telemetry {
    /// Where it is logged: `ec2.amazonaws.com` (CloudTrail `eventSource`), `Azure Activity
    /// Log`, `compute.googleapis.com` (Cloud Audit Logs `serviceName`).
    pub service: &'static str,
    /// The operation exactly as the cloud logs it: CloudTrail `eventName`, Azure
    /// `operationName`, GCP `protoPayload.methodName`.
    pub operation: &'static str,
    /// The fields that tie it to the run, as bash text (it may name the script's variables).
    pub detail: &'static str,
    /// The rule pack's chain label for this call, when the call is a revert signal.
    pub chain: Option<&'static str>,
}

/// One step of a script: a title, the telemetry to expect, and the bash that performs it.
#[derive(Debug, Clone)]
pub struct Step {
    /// Whether the step prepares the stage or is part of the revert.
    pub role: Role,
    /// A one-line description, printed before the step runs (or instead of it, in a dry run).
    pub title: &'static str,
    /// The audit-log events the step should leave, in the order its commands make them; may be empty.
    pub telemetry: Vec<Telemetry>,
    /// Bash, run with the script's helpers (`run`, `capture`) and variables in scope.
    pub body: &'static str,
}

/// A scenario on one cloud: its steps and the incident `revertwatch hunt` should report.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario this plan carries out.
    pub scenario: Scenario,
    /// The cloud whose CLI the script drives.
    pub cloud: Provider,
    /// Setup steps first, then the revert steps, in the order the script runs them.
    pub steps: Vec<Step>,
    /// The incident's target as `hunt` reports it, as a bash expression over the script's
    /// variables (`$INSTANCE_ID`, `projects/$PROJECT/zones/$ZONE/instances/$VM`).
    pub target: &'static str,
    /// The incident's chains, sorted, as `hunt` prints them.
    pub chains: &'static [&'static str],
    /// `review` or `escalate`.
    pub severity: &'static str,
    /// The name `revertwatch simulate` gives this scenario on this cloud in
    /// `ground-truth.jsonl`, when it plants it.
    pub simulated_as: Option<&'static str>,
}

impl Plan {
    /// Every event the revert steps should leave, in order.
    pub fn revert_telemetry(&self) -> impl Iterator<Item = &Telemetry> {
        self.steps
            .iter()
            .filter(|s| s.role == Role::Revert)
            .flat_map(|s| s.telemetry.iter())
    }

    /// Every event of every step, setup included, in order.
    pub fn telemetry(&self) -> impl Iterator<Item = (&Step, &Telemetry)> {
        self.steps
            .iter()
            .flat_map(|s| s.telemetry.iter().map(move |t| (s, t)))
    }
}
