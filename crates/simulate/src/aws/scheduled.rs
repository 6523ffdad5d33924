//! Benign calls at fixed times: an Instance Scheduler, Auto Scaling, AWS Backup and DLM.

use super::calls::{noise_id, Call, Who};
use super::generator::AwsGen;
use crate::emit::Fixed;
use crate::rng::{derive, Rng};
use crate::time::{self, DAY, HOUR, MIN, SEC};

/// Whole seconds below `n`.
fn secs(r: &mut Rng, n: u64) -> i64 {
    r.below(n) as i64 * SEC
}

impl AwsGen {
    /// The scheduler's, Auto Scaling's, AWS Backup's and DLM's calls in `[a, b)`.
    pub(super) fn look_alikes(&self, a: i64, b: i64) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        let day = a.div_euclid(DAY) * DAY;
        let mut add = |t: i64, c: Call| out.push(Fixed { t, call: c });
        if time::weekday(day) < 5 {
            self.weekday_look_alikes(&mut add, &mut r, day);
        }
        self.backup_look_alikes(&mut add, &mut r, day);
        // every call's arguments are drawn whether or not it falls in the range, as before
        out.retain(|f| f.t >= a && f.t < b);
        out
    }

    /// The Instance Scheduler's morning start and evening stop, and Auto Scaling's day.
    fn weekday_look_alikes(&self, add: &mut impl FnMut(i64, Call), r: &mut Rng, day: i64) {
        let sched = self.sched.clone();
        let c = time::civil(day);
        for (hour, start) in [(7, true), (19, false)] {
            let t = day + hour * HOUR + secs(r, 4);
            add(
                t - 9 * SEC,
                Call::DescribeInstances {
                    who: Who::Scheduler,
                    ids: sched.clone(),
                },
            );
            let ids = sched.clone();
            add(
                t,
                if start {
                    Call::Start {
                        who: Who::Scheduler,
                        ids,
                    }
                } else {
                    Call::Stop {
                        who: Who::Scheduler,
                        ids,
                    }
                },
            );
            add(
                t + SEC,
                Call::CreateTags {
                    who: Who::Scheduler,
                    ids: sched.clone(),
                    key: "InstanceScheduler-LastAction".into(),
                    value: format!(
                        "{} By InstanceScheduler-SchedulerMain {:04}-{:02}-{:02} {:02}:00 UTC",
                        if start { "Started" } else { "Stopped" },
                        c.year,
                        c.month,
                        c.day,
                        hour
                    ),
                },
            );
        }
        let ids: Vec<String> = (0..2).map(|_| noise_id(r, "i")).collect();
        let t = day + 8 * HOUR + 10 * MIN + secs(r, 600);
        for (i, id) in ids.iter().enumerate() {
            add(
                t + i as i64 * 2 * SEC,
                Call::AsgRun {
                    ids: vec![id.clone()],
                    ami: self.asg_ami.clone(),
                },
            );
        }
        add(
            day + 20 * HOUR + 15 * MIN + secs(r, 600),
            Call::AsgTerminate { ids },
        );
    }

    /// AWS Backup's and DLM's daily snapshots.
    fn backup_look_alikes(&self, add: &mut impl FnMut(i64, Call), r: &mut Rng, day: i64) {
        // AWS Backup's daily plan, and its cross-region copy into this (the first) region
        let t = day + 5 * HOUR + secs(r, 1200);
        for i in 0..3 {
            let vol = self.volumes[10 + i].clone();
            add(
                t + i as i64 * 3 * SEC,
                Call::CreateSnapshot {
                    who: Who::Backup,
                    vol,
                    snap: noise_id(r, "snap"),
                },
            );
        }
        if self.first_region {
            add(
                t + 25 * MIN + secs(r, 300),
                Call::CopySnapshot {
                    who: Who::Backup,
                    src: noise_id(r, "snap"),
                    dst: noise_id(r, "snap"),
                    src_region: self.other_region.clone(),
                },
            );
        }
        // Data Lifecycle Manager snapshots
        let t = day + 3 * HOUR + secs(r, 120);
        for i in 0..2 {
            let vol = self.volumes[20 + i].clone();
            add(
                t + i as i64 * SEC,
                Call::CreateSnapshot {
                    who: Who::Dlm,
                    vol,
                    snap: noise_id(r, "snap"),
                },
            );
        }
    }
}
