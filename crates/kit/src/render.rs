//! From a plan to the bash script a user runs.

use std::fmt::Write as _;

use revertwatch_pack::Provider;

use crate::model::{Plan, Role, Step};
use crate::{KitError, RunId};

const COMMON: &str = include_str!("../bash/common.sh");
const AWS: &str = include_str!("../bash/aws.sh");
const AZURE: &str = include_str!("../bash/azure.sh");
const GCP: &str = include_str!("../bash/gcp.sh");

/// What a script is rendered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The id every resource the script creates is named and tagged with.
    pub run_id: RunId,
    /// AWS region, Azure location or GCP zone.
    pub region: String,
}

impl Settings {
    /// Checks `region` (or takes the cloud's default): it is written into the script, so it is
    /// held to what region, location and zone names look like.
    pub fn new(cloud: Provider, run_id: RunId, region: Option<&str>) -> Result<Settings, KitError> {
        let region = region.unwrap_or(default_region(cloud));
        let b = region.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 40
            && b[0].is_ascii_lowercase()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
        if !ok {
            return Err(KitError::Region {
                what: region_word(cloud),
                value: region.to_string(),
                example: default_region(cloud),
            });
        }
        Ok(Settings {
            run_id,
            region: region.to_string(),
        })
    }
}

/// Where a script runs when no region is given.
pub fn default_region(cloud: Provider) -> &'static str {
    match cloud {
        Provider::Aws => "us-east-1",
        Provider::Azure => "eastus",
        Provider::Gcp => "us-central1-a",
    }
}

/// What `--region` means on a cloud.
pub fn region_word(cloud: Provider) -> &'static str {
    match cloud {
        Provider::Aws => "region",
        Provider::Azure => "location",
        Provider::Gcp => "zone",
    }
}

fn region_var(cloud: Provider) -> &'static str {
    match cloud {
        Provider::Aws => "REGION",
        Provider::Azure => "LOCATION",
        Provider::Gcp => "ZONE",
    }
}

fn cli(cloud: Provider) -> &'static str {
    match cloud {
        Provider::Aws => "aws",
        Provider::Azure => "az",
        Provider::Gcp => "gcloud",
    }
}

fn cloud_name(cloud: Provider) -> &'static str {
    match cloud {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure",
        Provider::Gcp => "Google Cloud",
    }
}

/// A file name for the script: `revertwatch-kit-<scenario>-<cloud>.sh`.
pub fn file_name(plan: &Plan) -> String {
    format!("revertwatch-kit-{}-{}.sh", plan.scenario, plan.cloud)
}

/// `s` as one single-quoted bash word.
pub(crate) fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `$NAME` becomes `${NAME:-<new>}`: an expectation is printed before its step, when the ids
/// the step itself creates are not known yet.
fn pending_default(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len() + 16);
    let mut rest = detail;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if len == 0 || after.as_bytes()[0].is_ascii_digit() {
            out.push('$');
            rest = after;
        } else {
            out.push_str(&format!("${{{}:-<new>}}", &after[..len]));
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// The whole script.
pub fn render(plan: &Plan, settings: &Settings) -> String {
    let mut s = String::new();
    usage(&mut s, plan, settings);
    expectation(&mut s, plan);
    setup(&mut s, plan, settings);
    for (i, step) in plan.steps.iter().enumerate() {
        write_step(&mut s, i, step);
    }
    closing(&mut s, plan);
    s
}

/// The opening comment: what the script does, how to run it, and that it cleans up after
/// itself.
fn usage(w: &mut String, plan: &Plan, settings: &Settings) {
    let cloud = plan.cloud;
    let file = file_name(plan);
    let _ = writeln!(w, "#!/usr/bin/env bash");
    let _ = writeln!(w, "# revertwatch kit: {}", plan.scenario.title());
    let origin = match plan.scenario.seed_test() {
        Some(n) => format!("the seed detection's test {n}"),
        None => "the full revert that the seed's tests are parts of".to_string(),
    };
    let _ = writeln!(
        w,
        "# {} with the `{}` CLI; {}.",
        cloud_name(cloud),
        cli(cloud),
        origin
    );
    let _ = writeln!(
        w,
        "# Run id {}: every resource it creates carries it (tag or label revertwatch-kit-run).",
        settings.run_id
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(w, "#   bash {file}");
    let _ = writeln!(
        w,
        "#       a dry run (the default): prints each step, its command and the telemetry to"
    );
    let _ = writeln!(
        w,
        "#       expect; runs no cloud command and creates nothing"
    );
    let _ = writeln!(w, "#   bash {file} --execute");
    let _ = writeln!(
        w,
        "#       performs it with your signed-in `{}`: use a SANDBOX account",
        cli(cloud)
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# On exit, after a failed or interrupted step too, the cleanup deletes everything the run"
    );
    let _ = writeln!(
        w,
        "# made (found by its tag, not by remembered ids) and lists anything it could not delete."
    );
    let _ = writeln!(w, "#");
}

/// What `revertwatch hunt` should report, and the steps with the telemetry each leaves.
fn expectation(w: &mut String, plan: &Plan) {
    let _ = writeln!(
        w,
        "# Expected: `revertwatch hunt` on the audit log reports one incident on the target, {}",
        plan.target
    );
    let _ = writeln!(
        w,
        "# with chains {} and severity {}.",
        plan.chains.join(", "),
        plan.severity
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(w, "# Steps:");
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(w, "#   {}. {}", i + 1, step.title);
        for t in &step.telemetry {
            let _ = writeln!(w, "#        {} {}", t.service, t.operation);
        }
    }
    let _ = writeln!(w, "#   then the cleanup");
    let _ = writeln!(
        w,
        "# Written by `revertwatch kit` {}.",
        env!("CARGO_PKG_VERSION")
    );
}

/// The settings as shell variables, the shared and per-cloud bash library, and the traps
/// that make the cleanup run whatever happens.
fn setup(w: &mut String, plan: &Plan, settings: &Settings) {
    let cloud = plan.cloud;
    let _ = writeln!(w, "set -euo pipefail");
    let _ = writeln!(w);
    let _ = writeln!(w, "RUN_ID={}", single_quote(settings.run_id.as_str()));
    let _ = writeln!(
        w,
        "{}={}",
        region_var(cloud),
        single_quote(&settings.region)
    );
    let _ = writeln!(w, "SCENARIO={}", single_quote(plan.scenario.name()));
    let _ = writeln!(w, "STEPS={}", plan.steps.len());
    let _ = writeln!(w);
    w.push_str(COMMON);
    w.push('\n');
    w.push_str(match cloud {
        Provider::Aws => AWS,
        Provider::Azure => AZURE,
        Provider::Gcp => GCP,
    });
    w.push('\n');
    let _ = writeln!(w, "trap 'exit 130' INT");
    let _ = writeln!(w, "trap 'exit 143' TERM");
    let _ = writeln!(w, "trap cleanup EXIT");
}

fn write_step(w: &mut String, i: usize, step: &Step) {
    let role = match step.role {
        Role::Setup => "setup",
        Role::Revert => "the revert",
    };
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "# ---------------------------------------------------------------- step {} ({role})",
        i + 1
    );
    let _ = writeln!(w, "step {}", single_quote(step.title));
    for t in &step.telemetry {
        let signal = match t.chain {
            Some(chain) => format!("{} {} => chain {chain}", t.service, t.operation),
            None => format!("{} {}", t.service, t.operation),
        };
        let _ = writeln!(
            w,
            "expect {} \"{}\"",
            single_quote(&signal),
            pending_default(t.detail)
        );
    }
    w.push_str(step.body);
    w.push('\n');
}

fn closing(w: &mut String, plan: &Plan) {
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "say \"\"\nsay \"Expected: revertwatch hunt reports one incident on {}\"",
        plan.target
    );
    let _ = writeln!(
        w,
        "say \"  with chains {} and severity {}.\"",
        plan.chains.join(", "),
        plan.severity
    );
    let _ = writeln!(w, "hunt_hint");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_not_known_before_a_step_print_as_new() {
        assert_eq!(
            pending_default("requestParameters.volumeId=$VOLUME_ID; zone $ZONE."),
            "requestParameters.volumeId=${VOLUME_ID:-<new>}; zone ${ZONE:-<new>}."
        );
        assert_eq!(pending_default("costs $5 or $"), "costs $5 or $");
    }

    #[test]
    fn single_quoting_survives_quotes() {
        assert_eq!(single_quote("the VM's disk"), r"'the VM'\''s disk'");
    }
}
