//! Benign calls at fixed times: an instance schedule and a snapshot schedule.

use super::calls::{Call, Who};
use super::generator::GcpGen;
use crate::emit::Fixed;
use crate::rng::{derive, Rng};
use crate::time::{self, DAY, HOUR, MIN, SEC};

impl GcpGen {
    /// The instance schedule's and the snapshot schedule's calls in `[a, b)`.
    pub(super) fn look_alikes(&self, a: i64, b: i64) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        let day = a.div_euclid(DAY) * DAY;
        let mut add = |t: i64, c: Call| {
            if t >= a && t < b {
                out.push(Fixed { t, call: c });
            }
        };
        // an instance schedule (resource policy) stops the workers at 19:00, starts them at 07:00
        if time::weekday(day) < 5 {
            for (hour, start) in [(7, true), (19, false)] {
                let t = day + hour * HOUR + r.below(20 * SEC as u64) as i64;
                for (i, (inst, zone)) in self
                    .instances
                    .iter()
                    .filter(|(n, _)| n.starts_with("worker-"))
                    .enumerate()
                {
                    let (who, zone, inst) = (Who::Scheduler, zone.to_string(), inst.clone());
                    let t = t + i as i64 * 300_000_000;
                    add(
                        t,
                        if start {
                            Call::Start { who, zone, inst }
                        } else {
                            Call::Stop { who, zone, inst }
                        },
                    );
                }
            }
        }
        // a snapshot schedule on the database disks
        let t = day + 4 * HOUR + r.below(10 * MIN as u64) as i64;
        let c = time::civil(day);
        for (i, (inst, zone)) in self
            .instances
            .iter()
            .filter(|(n, _)| n.starts_with("db-"))
            .take(2)
            .enumerate()
        {
            let snap = format!(
                "{inst}-{}-{:04}{:02}{:02}040000-{}",
                zone,
                c.year,
                c.month,
                c.day,
                r.string(|r, v| r.lower_alnum(v, 8))
            );
            add(
                t + i as i64 * SEC,
                Call::CreateSnapshot {
                    who: Who::Scheduler,
                    zone: zone.to_string(),
                    disk: inst.clone(),
                    snap,
                },
            );
        }
        out
    }
}
