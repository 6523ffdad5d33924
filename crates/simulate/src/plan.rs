//! Planted scenarios: what happens, when, where, and what a detector should report.
//!
//! Every scenario is built here as a handful of fixed calls with their own fresh resource
//! ids. Planted ids come from a namespace noise never uses (AWS ids whose first hex digit
//! after `-0` is 8-f, Azure VMs named `vm-<word>-<hex>`, GCP instances `<word>-vm-<hex>`), so
//! each expectation names exactly one incident.

use crate::emit::Fixed;
use crate::options::{Cloud, Container};
use crate::report::Planted;
use crate::rng::{derive, Rng};
use crate::scenario::Kind;
use crate::setup::Setup;
use crate::time::{HOUR, MIN, SEC};
use crate::{aws, azure, gcp};

#[derive(Clone, Debug)]
pub(crate) enum Call {
    Aws(aws::calls::Call),
    Azure(azure::calls::Call),
    Gcp(gcp::calls::Call),
}

pub(crate) struct Plan {
    pub planted: Vec<Planted>,
    /// (container, scope, call)
    pub fixed: Vec<(Container, usize, Fixed<Call>)>,
}

/// Full reverts planted per cloud: one per ~200 MB of corpus, at least one.
pub(crate) fn full_reverts(size_bytes: u64) -> usize {
    ((size_bytes as f64 / 200e6).round() as usize).max(1)
}

pub(crate) fn build(setup: &Setup) -> Plan {
    let mut plan = Plan {
        planted: Vec::new(),
        fixed: Vec::new(),
    };
    let opts = setup.opts;
    if opts.habits {
        crate::habits::build(setup, &mut plan);
        sort_planted(&mut plan);
        return plan;
    }
    if !opts.plant_scenarios {
        return plan;
    }
    let span = setup.end - setup.start;
    let margin = (2 * HOUR).min(span / 10);
    let usable = span - 2 * margin - 20 * MIN;
    let n_full = full_reverts(opts.size_bytes);
    for cloud in Cloud::ALL {
        let Some(primary) = setup.primary(cloud) else {
            continue;
        };
        let mut rng = Rng::new(derive(opts.seed, "plan", cloud as u64));
        let kinds = kinds(&mut rng, cloud, n_full);
        let n = kinds.len();
        for (i, kind) in kinds.into_iter().enumerate() {
            let frac = (i as f64 + 0.15 + 0.7 * rng.f64()) / n as f64;
            let t0 = setup.start + margin + (usable as f64 * frac) as i64;
            // CloudTrail writes whole seconds
            let t0 = if cloud == Cloud::Aws {
                t0 - t0.rem_euclid(SEC)
            } else {
                t0
            };
            let container = match cloud {
                Cloud::Aws if i % 4 == 3 && setup.enabled(Container::AwsJsonl) => {
                    Container::AwsJsonl
                }
                Cloud::Azure if i % 3 == 2 && setup.enabled(Container::AzureRest) => {
                    Container::AzureRest
                }
                _ => primary,
            };
            let scope = rng.below(setup.scopes(container) as u64) as usize;
            let seq = plan.planted.len() + 1;
            let (mut p, calls) = match cloud {
                Cloud::Aws => {
                    let (acct, region) = setup.aws_scope(scope);
                    wrap(
                        aws::planted::plant(&mut rng, kind, t0, acct, region),
                        Call::Aws,
                    )
                }
                Cloud::Azure => {
                    let sub = &opts.azure_subscriptions[scope];
                    wrap(azure::planted::plant(&mut rng, kind, t0, sub), Call::Azure)
                }
                Cloud::Gcp => {
                    let project = &opts.gcp_projects[scope];
                    wrap(gcp::planted::plant(&mut rng, kind, t0, project), Call::Gcp)
                }
            };
            p.id = format!("{}-{:03}-{}", cloud, seq, p.scenario);
            p.container = container;
            plan.planted.push(p);
            for f in calls {
                plan.fixed.push((container, scope, f));
            }
        }
    }
    sort_planted(&mut plan);
    plan
}

fn sort_planted(plan: &mut Plan) {
    plan.planted.sort_by(|a, b| {
        (a.first_event_time.as_str(), a.id.as_str()).cmp(&(b.first_event_time.as_str(), &b.id))
    });
}

/// A cloud's scenario kinds, in the order they take their slices of the time range.
fn kinds(rng: &mut Rng, cloud: Cloud, n_full: usize) -> Vec<Kind> {
    let mut kinds = vec![Kind::FullRevert; n_full];
    kinds.push(Kind::StopStart);
    kinds.push(Kind::AttachFromSnapshot);
    match cloud {
        Cloud::Aws => kinds.push(Kind::AmiLaunch),
        Cloud::Azure => kinds.push(Kind::DiskUnattached),
        Cloud::Gcp => {}
    }
    kinds.push(Kind::Resize);
    kinds.push(Kind::BackupUnattached);
    // spread: shuffle the kinds, then give each its own slice of the time range
    for i in (1..kinds.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        kinds.swap(i, j);
    }
    kinds
}

/// A cloud's scenario, its calls wrapped for the plan.
fn wrap<C>(
    (planted, calls): (Planted, Vec<Fixed<C>>),
    any: fn(C) -> Call,
) -> (Planted, Vec<Fixed<Call>>) {
    let calls = calls
        .into_iter()
        .map(|f| Fixed {
            t: f.t,
            call: any(f.call),
        })
        .collect();
    (planted, calls)
}
