//! The GCP record renderer: one project for one day.

use super::calls::{Call, ZONES};
use super::personas::*;
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{hash, Rng};

pub(crate) struct GcpGen {
    pub(super) project: String,
    pub(super) number: String,
    pub(super) shard_seed: u64,
    pub(super) p: Vec<Principal>,
    pub(super) instances: Vec<(String, &'static str)>,
    pub(super) buckets: Vec<String>,
    pub(super) firewalls: Vec<&'static str>,
    pub(super) buf: Vec<u8>,
    pub(super) req: Vec<u8>,
}

pub(super) fn stable_id(project: &str, kind: &str, name: &str) -> u64 {
    1_000_000_000_000_000_000
        + hash(&[project.as_bytes(), kind.as_bytes(), name.as_bytes()]) % 8_000_000_000_000_000_000
}

impl GcpGen {
    pub(crate) fn new(project: &str, (pool_seed, shard_seed): (u64, u64), habits: usize) -> GcpGen {
        let mut pool = Rng::new(pool_seed);
        let number = format!(
            "{}",
            100_000_000_000 + hash(&[b"number", project.as_bytes()]) % 900_000_000_000
        );
        let mut p = principals(project, &number);
        p.extend(habit_principals(project, habits));
        let tiers = ["web", "api", "worker", "db"];
        let instances = (0..16)
            .map(|i| (format!("{}-{:02}", tiers[i % 4], i / 4 + 1), ZONES[i % 3]))
            .collect();
        let buckets = vec![
            format!("{project}-data"),
            format!("{project}-uploads"),
            format!("{project}-ml-artifacts"),
            format!(
                "{project}-exports-{}",
                pool.string(|r, v| r.lower_alnum(v, 5))
            ),
        ];
        GcpGen {
            project: project.to_string(),
            number,
            shard_seed,
            p,
            instances,
            buckets,
            firewalls: vec![
                "allow-https",
                "allow-ssh-iap",
                "allow-health-checks",
                "deny-egress-smtp",
            ],
            buf: Vec::with_capacity(8192),
            req: Vec::with_capacity(2048),
        }
    }
}

impl Gen for GcpGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        if !primary {
            return Vec::new();
        }
        self.look_alikes(a, b)
    }

    fn begin_chunk(&mut self, _rng: &mut Rng, _a: i64, _b: i64) {}

    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        if e.rng.chance(0.4) {
            self.noise_admin(e, t)
        } else {
            self.noise_read(e, t)
        }
    }

    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Call>) -> Result<()> {
        let call = &f.call;
        self.render_fixed(e, f.t, call)
    }
}
