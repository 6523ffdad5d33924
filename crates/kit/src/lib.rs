//! revertwatch-kit: runnable scenario scripts that perform T1578.004 reverts in a sandbox
//! account with the cloud's own CLI (`aws`, `az`, `gcloud`), so that a detection can be proven
//! against real telemetry.
//!
//! A [`Plan`] is a scenario on one cloud: setup steps, the revert's steps, each with the
//! audit-log events it should leave ([`Telemetry`]), and the incident `revertwatch hunt` should
//! report. [`render`] turns it into a bash script.
//!
//! Invariants of every rendered script:
//! - it is a dry run unless given `--execute`: it prints each step, its command and the
//!   telemetry to expect, and runs no cloud command;
//! - everything it creates carries the run id (AWS tag, Azure tag and resource group, GCP
//!   label), and the `EXIT` trap deletes everything that does, found by tag rather than by the
//!   ids it captured, then lists what is left and fails if anything is;
//! - the only values spliced into it are the validated run id and region; every other value
//!   comes from the cloud's CLI at run time and is always quoted.
//! - the revert steps' telemetry is what `revertwatch simulate` plants for the scenario (the
//!   test suite holds the two together).
//!
//! The main types: [`Scenario`] names a scenario ([`Scenario::ALL`]); [`plan`] gives it on one
//! cloud as a [`Plan`] of [`Step`]s ([`Role::Setup`] or [`Role::Revert`]), and [`plans`] gives
//! every scenario on every cloud of [`CLOUDS`]; [`Settings`] (a [`RunId`] and a region) is
//! what [`render`] needs besides the plan; [`KitError`] says why a run id, region or scenario
//! name was refused.
//!
//! ```
//! use revertwatch_kit::{file_name, plan, plans, render, Provider, RunId, Scenario, Settings};
//!
//! // Every scenario on every cloud.
//! assert_eq!(plans().count(), Scenario::ALL.len() * 3);
//!
//! let stop_start = plan("stop-start".parse().unwrap(), Provider::Aws);
//! assert_eq!(file_name(&stop_start), "revertwatch-kit-stop-start-aws.sh");
//! assert!(stop_start.revert_telemetry().any(|t| t.operation == "StopInstances"));
//!
//! let run_id: RunId = "rwk-demo".parse().unwrap();
//! let settings = Settings::new(Provider::Aws, run_id, Some("eu-west-1")).unwrap();
//! let script = render(&stop_start, &settings);
//! assert!(script.starts_with("#!"));
//! assert!(script.contains("rwk-demo"));
//! ```

#![deny(missing_docs)]

mod aws;
mod azure;
mod error;
mod gcp;
mod model;
mod render;
mod run_id;

pub use error::KitError;
pub use model::{Plan, Role, Scenario, Step, Telemetry};
pub use render::{default_region, file_name, region_word, render, Settings};
pub use revertwatch_pack::Provider;
pub use run_id::RunId;

/// The clouds every scenario is written for.
pub const CLOUDS: [Provider; 3] = [Provider::Aws, Provider::Azure, Provider::Gcp];

/// A scenario on one cloud.
pub fn plan(scenario: Scenario, cloud: Provider) -> Plan {
    match cloud {
        Provider::Aws => aws::plan(scenario),
        Provider::Azure => azure::plan(scenario),
        Provider::Gcp => gcp::plan(scenario),
    }
}

/// Every plan: each scenario on each cloud.
pub fn plans() -> impl Iterator<Item = Plan> {
    Scenario::ALL
        .into_iter()
        .flat_map(|s| CLOUDS.into_iter().map(move |c| plan(s, c)))
}
