//! Benign calls at fixed times: an Automation runbook's evening deallocate and morning start.

use super::calls::{Call, Who};
use super::generator::AzureGen;
use crate::emit::Fixed;
use crate::rng::{derive, Rng};
use crate::time::{self, DAY, HOUR, SEC};

impl AzureGen {
    /// The Automation runbook's calls in `[a, b)`.
    pub(super) fn look_alikes(&self, a: i64, b: i64) -> Vec<Fixed<Call>> {
        let mut out = Vec::new();
        let day = a.div_euclid(DAY) * DAY;
        if time::weekday(day) >= 5 {
            return out;
        }
        let mut r = Rng::new(derive(self.shard_seed, "scheduled", 0));
        // an Automation runbook stops the batch VMs in the evening and starts them at 07:00
        for (hour, start) in [(7, true), (19, false)] {
            let mut t = day + hour * HOUR + r.below(5 * SEC as u64) as i64;
            for (vm, rg) in self.vms.iter().filter(|(n, _)| n.starts_with("batch-")) {
                if t >= a && t < b {
                    let (who, rg, vm) = (Who::Automation, rg.clone(), vm.clone());
                    let call = if start {
                        Call::Start { who, rg, vm }
                    } else {
                        Call::Deallocate { who, rg, vm }
                    };
                    out.push(Fixed { t, call });
                }
                t += 2 * SEC + r.below(3 * SEC as u64) as i64;
            }
        }
        out
    }
}
