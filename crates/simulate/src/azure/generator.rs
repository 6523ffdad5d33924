//! The Azure record renderer: one subscription for one day.

use super::calls::Call;
use super::personas::*;
use super::roster::{habit_identities, identities};
use crate::emit::{Emit, Fixed, Gen};
use crate::error::Result;
use crate::rng::{hash, Rng};
use crate::time::{HOUR, SEC};

pub(super) const REGION: &str = "eastus";

pub(crate) struct AzureGen {
    pub(super) sub: String,
    pub(super) tenant: String,
    pub(super) rest: bool,
    pub(super) shard_seed: u64,
    pub(super) ids: Vec<Ident>,
    pub(super) vms: Vec<(String, String)>,
    pub(super) storage: Vec<String>,
    pub(super) vaults: Vec<String>,
    pub(super) buf: Vec<u8>,
    pub(super) req: Vec<u8>,
}

pub(super) const RGS: [&str; 5] = [
    "rg-web-prod",
    "rg-data-prod",
    "rg-shared-services",
    "rg-aks-prod",
    "rg-network",
];

impl AzureGen {
    pub(crate) fn new(
        sub: &str,
        (pool_seed, shard_seed): (u64, u64),
        rest: bool,
        habits: usize,
    ) -> AzureGen {
        let mut pool = Rng::new(pool_seed);
        let tenant = Rng::new(hash(&[b"tenant", sub.as_bytes()]))
            .uuid()
            .to_string();
        let mut ids = identities(sub);
        ids.extend(habit_identities(sub, habits));
        let tiers = ["web", "api", "data", "batch"];
        let mut vms: Vec<(String, String)> = (0..16)
            .map(|i| {
                let tier = tiers[i % 4];
                let rg = if tier == "data" {
                    "rg-data-prod"
                } else {
                    "rg-web-prod"
                };
                (format!("{tier}-vm-{:02}", i / 4 + 1), rg.to_string())
            })
            .collect();
        vms.sort_by_key(|(n, _)| n.starts_with("batch-"));
        let storage = (0..4)
            .map(|_| {
                pool.string(|r, v| {
                    v.extend_from_slice(b"stacmeprod");
                    r.lower_alnum(v, 6)
                })
            })
            .collect();
        let vaults = (0..2)
            .map(|_| {
                pool.string(|r, v| {
                    v.extend_from_slice(b"kv-acme-prod-");
                    r.lower_alnum(v, 4)
                })
            })
            .collect();
        AzureGen {
            sub: sub.to_string(),
            tenant,
            rest,
            shard_seed,
            ids,
            vms,
            storage,
            vaults,
            buf: Vec::with_capacity(16 * 1024),
            req: Vec::with_capacity(4096),
        }
    }
}

impl Gen for AzureGen {
    type Call = Call;

    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Call>> {
        if !primary {
            return Vec::new();
        }
        self.look_alikes(a, b)
    }

    fn begin_chunk(&mut self, rng: &mut Rng, a: i64, _b: i64) {
        let hour = (a.div_euclid(HOUR) * HOUR / SEC) as u64;
        for i in 0..self.ids.len() {
            let id = &self.ids[i];
            let salt = hash(&[id.oid.as_bytes()]) % 1200;
            let iat = hour.saturating_sub(300 + salt);
            let claims = self.claims(id, iat, rng);
            self.ids[i].claims = claims;
        }
    }

    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()> {
        self.noise_op(e, t)
    }

    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Call>) -> Result<()> {
        let call = &f.call;
        self.render_fixed(e, f.t, call)
    }
}
