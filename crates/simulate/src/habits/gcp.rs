//! The GCP estate's habits, per project, and its two planted reverts: a plain one, and one by
//! a dev box's owner inside the box's own evening stop (a restore is never routine).

use super::*;
use crate::emit::Fixed;
use crate::gcp::calls::{Call, Who, ZONES};
use crate::gcp::planted;
use crate::options::{Cloud, Container};
use crate::plan::Call as AnyCall;
use crate::scenario::Kind;

/// Dev boxes (one per owner) in each project.
pub(crate) const OWNERS: usize = 12;
/// Prod instances on an instance schedule.
const SCHEDULED: usize = 8;
/// Instances in the patch group.
const PATCH_GROUP: usize = 10;

fn power(
    out: &mut Out,
    (c, scope): (Container, usize),
    t: i64,
    who: Who,
    (zone, inst): (&str, &str),
    start: bool,
) {
    let (zone, inst) = (zone.to_string(), inst.to_string());
    let call = if start {
        Call::Start { who, zone, inst }
    } else {
        Call::Stop { who, zone, inst }
    };
    add_fixed(out, (c, scope), t, AnyCall::Gcp(call));
}

pub(super) fn build(setup: &Setup, plan: &mut Plan, seed: u64) {
    let Some(container) = setup.primary(Cloud::Gcp) else {
        return;
    };
    let days = days(setup);
    let plant_scope = {
        let mut r = Rng::new(derive(seed, "plant", 0));
        r.below(setup.scopes(container) as u64) as usize
    };
    for scope in 0..setup.scopes(container) {
        let at = (container, scope);
        let mut r = Rng::new(derive(seed, "scope", scope as u64));
        for k in 0..OWNERS as u16 {
            let inst = format!("devbox-{}", login(OWNER0 + k).replace('.', "-"));
            let zone = ZONES[k as usize % 3];
            let toggles = owner_toggles(&mut r, &days, setup.start, setup.end);
            if setup.opts.plant_scenarios && scope == plant_scope && k as usize == OWNERS - 1 {
                owner_revert(
                    setup,
                    plan,
                    (container, scope),
                    toggles,
                    OWNER0 + k,
                    &days,
                    seed,
                );
                continue;
            }
            for tg in toggles {
                power(
                    &mut plan.fixed,
                    at,
                    tg.t,
                    Who::Habit(OWNER0 + k),
                    (zone, &inst),
                    tg.start,
                );
            }
        }
        routine(&mut plan.fixed, at, &mut r, &days);
    }
    if setup.opts.plant_scenarios {
        let mut r = Rng::new(derive(seed, "plant-full", 0));
        if let Some(d) = weekday_at(&days, days.len() * 3 / 7) {
            let t0 = d + 15 * HOUR + r.below(90) as i64 * MIN;
            let project = &setup.opts.gcp_projects[plant_scope];
            let (p, calls) = planted::plant(&mut r, Kind::FullRevert, t0, project);
            push(plan, (container, plant_scope), p, calls);
        }
    }
    plan.fixed
        .retain(|(_, _, f)| f.t >= setup.start && f.t < setup.end);
}

/// The instance schedule, the patch night and the on-call people's one-offs.
fn routine(out: &mut Out, at: (Container, usize), r: &mut Rng, days: &[i64]) {
    for &d in days.iter().filter(|d| time::weekday(**d) < 5) {
        for (t, start) in [(d + 6 * HOUR, true), (d + 21 * HOUR, false)] {
            for i in 0..SCHEDULED {
                let inst = format!("reports-{:02}", i + 1);
                let t = t + 10 * SEC + i as i64 * 300_000_000 + jitter(r, 2);
                power(out, at, t, Who::Scheduler, (ZONES[i % 3], &inst), start);
            }
        }
    }
    if let Some(d) = patch_day(days) {
        for i in 0..PATCH_GROUP {
            let inst = format!("app-{:02}", i + 1);
            let t = d + 2 * HOUR + i as i64 * 4 * MIN + jitter(r, 40);
            let back = t + (5 + r.below(6) as i64) * MIN;
            power(
                out,
                at,
                t,
                Who::Habit(PATCHER),
                (ZONES[i % 3], &inst),
                false,
            );
            power(
                out,
                at,
                back,
                Who::Habit(PATCHER),
                (ZONES[i % 3], &inst),
                true,
            );
        }
    }
    for &d in days {
        for _ in 0..r.below(3) {
            let i = r.below(PATCH_GROUP as u64) as usize;
            let inst = format!("app-{:02}", i + 1);
            let who = Who::Habit(ONCALL[r.below(2) as usize]);
            let t = d + 9 * HOUR + r.below(9 * 3600) as i64 * SEC;
            let back = t + (3 + r.below(12) as i64) * MIN + jitter(r, 30);
            power(out, at, t, who.clone(), (ZONES[i % 3], &inst), false);
            power(out, at, back, who, (ZONES[i % 3], &inst), true);
        }
    }
}

/// The owner of a dev box (named like a planted instance) follows their habit, except on one
/// evening: after the usual stop they swap in a boot disk made from an old snapshot, and the
/// usual morning start brings the box back in the past.
fn owner_revert(
    setup: &Setup,
    plan: &mut Plan,
    at: (Container, usize),
    toggles: Vec<Toggle>,
    owner: u16,
    days: &[i64],
    seed: u64,
) {
    let mut r = Rng::new(derive(seed, "owner-revert", 0));
    let after = days.get(days.len() / 2).copied().unwrap_or(setup.start);
    let night = toggles
        .windows(2)
        .position(|w| !w[0].start && w[1].start && w[0].t >= after);
    let project = &setup.opts.gcp_projects[at.1];
    let (t_stop, t_start) = match night {
        Some(i) => (toggles[i].t, toggles[i + 1].t),
        None => return,
    };
    let (mut p, mut calls) = planted::plant(&mut r, Kind::FullRevert, t_stop, project);
    let (mut zone, mut inst) = (String::new(), String::new());
    for f in &mut calls {
        *f.call.who_mut() = Who::Habit(owner);
        if let Call::Start { .. } = f.call {
            f.t = t_start;
        }
        if let Call::Stop {
            zone: z, inst: i, ..
        } = &f.call
        {
            (zone, inst) = (z.clone(), i.clone());
        }
    }
    p.scenario = "owner-revert-in-stopped-period".to_string();
    for (j, tg) in toggles.iter().enumerate() {
        if night.is_some_and(|i| j == i || j == i + 1) {
            continue;
        }
        power(
            &mut plan.fixed,
            at,
            tg.t,
            Who::Habit(owner),
            (&zone, &inst),
            tg.start,
        );
    }
    push(plan, at, p, calls);
}

fn push(
    plan: &mut Plan,
    (container, scope): (Container, usize),
    mut p: crate::report::Planted,
    calls: Vec<Fixed<Call>>,
) {
    p.id = format!("gcp-{:03}-{}", plan.planted.len() + 1, p.scenario);
    p.container = container;
    plan.planted.push(p);
    for f in calls {
        let f = Fixed {
            t: f.t,
            call: AnyCall::Gcp(f.call),
        };
        plan.fixed.push((container, scope, f));
    }
}
