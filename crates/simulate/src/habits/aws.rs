//! The AWS estate's habits, per account and region, and its three planted reverts.

use super::*;
use crate::aws::calls::{noise_id, Call, Who};
use crate::aws::planted;
use crate::emit::Fixed;
use crate::options::{Cloud, Container};
use crate::plan::Call as AnyCall;
use crate::report::Planted;

/// Dev boxes (one per owner) in each account and region.
pub(crate) const OWNERS: usize = 30;
/// Prod servers on Instance Scheduler v3, per account and region.
const SCHEDULED: usize = 8;
/// Servers in the patch group, per account and region.
const PATCH_GROUP: usize = 12;

/// Calls of one scope, in no order.
struct Scope<'a> {
    container: Container,
    scope: usize,
    out: &'a mut Vec<(Container, usize, Fixed<AnyCall>)>,
}

impl Scope<'_> {
    fn add(&mut self, t: i64, call: Call) {
        let f = Fixed {
            t,
            call: AnyCall::Aws(call),
        };
        self.out.push((self.container, self.scope, f));
    }
}

fn ids(r: &mut Rng, prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|_| noise_id(r, prefix)).collect()
}

pub(super) fn build(setup: &Setup, plan: &mut Plan, seed: u64) {
    let Some(container) = setup.primary(Cloud::Aws) else {
        return;
    };
    let days = days(setup);
    for scope in 0..setup.scopes(container) {
        let (_, region) = setup.aws_scope(scope);
        let other = setup
            .opts
            .aws_regions
            .iter()
            .find(|x| *x != region)
            .cloned()
            .unwrap_or_else(|| "us-west-2".to_string());
        let mut r = Rng::new(derive(seed, "scope", scope as u64));
        let mut s = Scope {
            container,
            scope,
            out: &mut plan.fixed,
        };
        dev_boxes(&mut s, &mut r, setup, &days);
        let prod = ids(&mut r, "i", SCHEDULED);
        scheduler(&mut s, &prod, &days);
        let patch = ids(&mut r, "i", PATCH_GROUP);
        patch_night(&mut s, &mut r, &patch, &days);
        copies(&mut s, &mut r, &days, &other);
        restore_tests(&mut s, &mut r, &days);
        auto_scaling(&mut s, &mut r, &days);
        one_offs(&mut s, &mut r, &days, &patch);
    }
    if setup.opts.plant_scenarios {
        plant(setup, plan, container, &days, seed);
    }
    plan.fixed
        .retain(|(_, _, f)| f.t >= setup.start && f.t < setup.end);
}

fn dev_boxes(s: &mut Scope, r: &mut Rng, setup: &Setup, days: &[i64]) {
    for k in 0..OWNERS as u16 {
        let inst = noise_id(r, "i");
        let who = || Who::Habit(OWNER0 + k);
        for tg in owner_toggles(r, days, setup.start, setup.end) {
            let ids = vec![inst.clone()];
            let call = if tg.start {
                Call::Start { who: who(), ids }
            } else {
                Call::Stop { who: who(), ids }
            };
            s.add(tg.t, call);
        }
    }
}

/// Instance Scheduler v3: one batched call per region at 06:00 and 20:00 on weekdays.
fn scheduler(s: &mut Scope, prod: &[String], days: &[i64]) {
    for &d in days.iter().filter(|d| time::weekday(**d) < 5) {
        for (hour, start) in [(6, true), (20, false)] {
            let t = d + hour * HOUR + 14 * SEC;
            let who = Who::Habit(SCHEDULER);
            let ids = prod.to_vec();
            s.add(
                t - 3 * SEC,
                Call::DescribeInstances {
                    who: who.clone(),
                    ids: ids.clone(),
                },
            );
            s.add(
                t,
                if start {
                    Call::Start { who, ids }
                } else {
                    Call::Stop { who, ids }
                },
            );
        }
    }
}

/// One night, the patching role stops and starts the patch group within the hour.
fn patch_night(s: &mut Scope, r: &mut Rng, patch: &[String], days: &[i64]) {
    let Some(d) = patch_day(days) else {
        return;
    };
    let t0 = d + HOUR + 30 * MIN;
    for (i, inst) in patch.iter().enumerate() {
        let t = t0 + i as i64 * 3 * MIN + jitter(r, 40);
        let who = || Who::Habit(PATCHER);
        s.add(
            t,
            Call::Stop {
                who: who(),
                ids: vec![inst.clone()],
            },
        );
        let back = t + (4 + r.below(6) as i64) * MIN;
        s.add(
            back,
            Call::Start {
                who: who(),
                ids: vec![inst.clone()],
            },
        );
    }
}

/// DLM's daily cross-region copies into this region, and a person's Friday copies.
fn copies(s: &mut Scope, r: &mut Rng, days: &[i64], other: &str) {
    for &d in days {
        let t = d + 3 * HOUR + 30 * MIN + jitter(r, 120);
        for i in 0..2 {
            let (src, dst) = (noise_id(r, "snap"), noise_id(r, "snap"));
            let copy = Call::CopySnapshot {
                who: Who::Dlm,
                src,
                dst,
                src_region: other.to_string(),
            };
            s.add(t + i * 4 * SEC, copy);
        }
        if time::weekday(d) == 4 {
            let t = d + 16 * HOUR + jitter(r, 30 * 60);
            for i in 0..3 {
                let (src, dst) = (noise_id(r, "snap"), noise_id(r, "snap"));
                let copy = Call::CopySnapshot {
                    who: Who::Habit(COPIER),
                    src,
                    dst,
                    src_region: other.to_string(),
                };
                s.add(t + i * 50 * SEC, copy);
            }
        }
    }
}

/// AWS Backup restore testing: the service starts a restore job each morning and restores a
/// volume that nobody attaches (AWS deletes it after validation).
fn restore_tests(s: &mut Scope, r: &mut Rng, days: &[i64]) {
    for &d in days {
        let t = d + 10 * HOUR + jitter(r, 600);
        let (snap, vol) = (noise_id(r, "snap"), noise_id(r, "vol"));
        s.add(
            t,
            Call::StartRestoreJob {
                who: Who::Backup,
                snap: snap.clone(),
            },
        );
        let tag = Some((
            "awsbackup-restore-test".to_string(),
            "daily-ebs-restore-test".to_string(),
        ));
        let restore = Call::CreateVolume {
            who: Who::BackupRestore,
            snap,
            vol,
            az_key: false,
            tag,
        };
        s.add(t + 40 * SEC + jitter(r, 10), restore);
    }
}

/// Auto Scaling scales the web tier out three times a day and in at night.
fn auto_scaling(s: &mut Scope, r: &mut Rng, days: &[i64]) {
    let ami = noise_id(&mut Rng::new(derive(s.scope as u64, "asg-ami", 0)), "ami");
    for &d in days {
        let mut launched = Vec::new();
        for hour in [9, 12, 15] {
            let t = d + hour * HOUR + jitter(r, 1200);
            for i in 0..2 {
                let id = noise_id(r, "i");
                s.add(
                    t + i * 2 * SEC,
                    Call::AsgRun {
                        ids: vec![id.clone()],
                        ami: ami.clone(),
                    },
                );
                launched.push(id);
            }
        }
        s.add(
            d + 21 * HOUR + jitter(r, 900),
            Call::AsgTerminate { ids: launched },
        );
    }
}

/// A few times a day an on-call person stops a server and starts it again minutes later.
fn one_offs(s: &mut Scope, r: &mut Rng, days: &[i64], servers: &[String]) {
    for &d in days {
        for _ in 0..r.below(3) {
            let inst = r.pick(servers).clone();
            let w = Who::Habit(ONCALL[r.below(2) as usize]);
            let t = d + 9 * HOUR + r.below(9 * HOUR as u64 / SEC as u64) as i64 * SEC;
            s.add(
                t,
                Call::Stop {
                    who: w.clone(),
                    ids: vec![inst.clone()],
                },
            );
            let back = t + (2 + r.below(14) as i64) * MIN + jitter(r, 30);
            s.add(
                back,
                Call::Start {
                    who: w,
                    ids: vec![inst],
                },
            );
        }
    }
}

/// Three reverts: a plain one, one prepared the day before, one that deletes the evidence.
fn plant(setup: &Setup, plan: &mut Plan, container: Container, days: &[i64], seed: u64) {
    let mut r = Rng::new(derive(seed, "plant", 0));
    let scope = r.below(setup.scopes(container) as u64) as usize;
    let (acct, region) = setup.aws_scope(scope);
    let mut out: Vec<(Planted, Vec<Fixed<Call>>)> = Vec::new();
    if let Some(d) = weekday_at(days, days.len() * 5 / 7) {
        let t0 = d + 14 * HOUR + 20 * MIN + r.below(40) as i64 * MIN;
        out.push(planted::plant(
            &mut r,
            crate::scenario::Kind::FullRevert,
            t0,
            acct,
            region,
        ));
    }
    if let Some(d) = weekday_at(days, days.len() * 2 / 7) {
        if let Some(next) = weekday_at(days, days.iter().position(|x| *x == d).unwrap_or(0) + 1) {
            let (restore, stop) = (d + 8 * HOUR + 55 * MIN, next + 16 * HOUR + 31 * MIN);
            if next > d {
                out.push(planted::prepared_revert(&mut r, restore, stop, acct));
            }
        }
    }
    if let Some(d) = weekday_at(days, days.len() * 6 / 7) {
        let t0 = d + 11 * HOUR + 5 * MIN + r.below(600) as i64 * SEC;
        out.push(planted::replace_root(&mut r, t0, acct));
    }
    for (mut p, calls) in out {
        p.id = format!("aws-{:03}-{}", plan.planted.len() + 1, p.scenario);
        p.container = container;
        plan.planted.push(p);
        for f in calls {
            plan.fixed.push((
                container,
                scope,
                Fixed {
                    t: f.t,
                    call: AnyCall::Aws(f.call),
                },
            ));
        }
    }
}
