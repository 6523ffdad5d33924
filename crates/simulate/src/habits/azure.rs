//! The Azure estate's habits, per subscription, and its planted revert.

use super::*;
use crate::azure::calls::{Call, Who};
use crate::azure::planted;
use crate::emit::Fixed;
use crate::options::{Cloud, Container};
use crate::plan::Call as AnyCall;

/// Dev boxes (one per owner) in each subscription.
pub(crate) const OWNERS: usize = 16;
/// Prod VMs on the Automation account's start/stop runbook.
const SCHEDULED: usize = 8;
/// VMs in the patch group.
const PATCH_GROUP: usize = 10;

fn power(
    out: &mut Out,
    (c, scope): (Container, usize),
    t: i64,
    who: Who,
    (rg, vm): (&str, &str),
    start: bool,
) {
    let (rg, vm) = (rg.to_string(), vm.to_string());
    let call = if start {
        Call::Start { who, rg, vm }
    } else {
        Call::Deallocate { who, rg, vm }
    };
    add_fixed(out, (c, scope), t, AnyCall::Azure(call));
}

pub(super) fn build(setup: &Setup, plan: &mut Plan, seed: u64) {
    let Some(container) = setup.primary(Cloud::Azure) else {
        return;
    };
    let days = days(setup);
    for scope in 0..setup.scopes(container) {
        let mut r = Rng::new(derive(seed, "scope", scope as u64));
        habits(setup, &mut plan.fixed, (container, scope), &mut r, &days);
    }
    if setup.opts.plant_scenarios {
        plant(setup, plan, container, &days, seed);
    }
    plan.fixed
        .retain(|(_, _, f)| f.t >= setup.start && f.t < setup.end);
}

/// One subscription's dev boxes, runbook, patch night and one-offs.
fn habits(setup: &Setup, out: &mut Out, at: (Container, usize), r: &mut Rng, days: &[i64]) {
    for k in 0..OWNERS as u16 {
        let vm = format!("devbox-{}", login(OWNER0 + k).replace('.', "-"));
        for tg in owner_toggles(r, days, setup.start, setup.end) {
            power(
                out,
                at,
                tg.t,
                Who::Habit(OWNER0 + k),
                ("rg-devboxes", &vm),
                tg.start,
            );
        }
    }
    // the Automation account's runbook, VM after VM
    for &d in days.iter().filter(|d| time::weekday(**d) < 5) {
        for (t, start) in [
            (d + 6 * HOUR + 30 * MIN, true),
            (d + 20 * HOUR + 30 * MIN, false),
        ] {
            for i in 0..SCHEDULED {
                let vm = format!("erp-prod-{:02}", i + 1);
                let t = t + 20 * SEC + i as i64 * 4 * SEC + jitter(r, 1);
                power(out, at, t, Who::Automation, ("rg-erp-prod", &vm), start);
            }
        }
    }
    if let Some(d) = patch_day(days) {
        for i in 0..PATCH_GROUP {
            let vm = format!("app-prod-{:02}", i + 1);
            let t = d + HOUR + 30 * MIN + i as i64 * 4 * MIN + jitter(r, 40);
            let back = t + (5 + r.below(6) as i64) * MIN;
            power(out, at, t, Who::Habit(PATCHER), ("rg-app-prod", &vm), false);
            power(
                out,
                at,
                back,
                Who::Habit(PATCHER),
                ("rg-app-prod", &vm),
                true,
            );
        }
    }
    for &d in days {
        for _ in 0..r.below(3) {
            let vm = format!("app-prod-{:02}", r.below(PATCH_GROUP as u64) + 1);
            let who = Who::Habit(ONCALL[r.below(2) as usize]);
            let t = d + 9 * HOUR + r.below(9 * 3600) as i64 * SEC;
            let back = t + (3 + r.below(12) as i64) * MIN + jitter(r, 30);
            power(out, at, t, who.clone(), ("rg-app-prod", &vm), false);
            power(out, at, back, who, ("rg-app-prod", &vm), true);
        }
    }
}

/// A full revert on a VM of its own.
fn plant(setup: &Setup, plan: &mut Plan, container: Container, days: &[i64], seed: u64) {
    let mut r = Rng::new(derive(seed, "plant", 0));
    let scope = r.below(setup.scopes(container) as u64) as usize;
    let Some(d) = weekday_at(days, days.len() * 4 / 7) else {
        return;
    };
    let t0 = d + 13 * HOUR + r.below(120) as i64 * MIN;
    let sub = &setup.opts.azure_subscriptions[scope];
    let (mut p, calls) = planted::plant(&mut r, crate::scenario::Kind::FullRevert, t0, sub);
    p.id = format!("azure-{:03}-{}", plan.planted.len() + 1, p.scenario);
    p.container = container;
    plan.planted.push(p);
    for f in calls {
        let f = Fixed {
            t: f.t,
            call: AnyCall::Azure(f.call),
        };
        plan.fixed.push((container, scope, f));
    }
}
