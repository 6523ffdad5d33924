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
    pub(crate) fn new(project: &str, pool_seed: u64, shard_seed: u64) -> GcpGen {
        let mut pool = Rng::new(pool_seed);
        let number = format!(
            "{}",
            100_000_000_000 + hash(&[b"number", project.as_bytes()]) % 900_000_000_000
        );
        let user = |email: &str, ip: &str, ua| Principal {
            email: email.to_string(),
            subject: format!("user:{email}"),
            ip: Some(ip.to_string()),
            network: false,
            ua,
        };
        let sa = |email: String, ip: Option<&str>, network: bool, ua| Principal {
            subject: format!("serviceAccount:{email}"),
            email,
            ip: ip.map(str::to_string),
            network,
            ua,
        };
        let p = vec![
            user("alice@acme-corp.example", "192.0.2.10", UaKind::GcloudLinux),
            user("bob.smith@acme-corp.example", "192.0.2.11", UaKind::Console),
            sa(
                format!("terraform@{project}.iam.gserviceaccount.com"),
                Some("20.57.181.9"),
                false,
                UaKind::Terraform,
            ),
            sa(
                format!("app-runtime@{project}.iam.gserviceaccount.com"),
                Some("10.128.0.14"),
                true,
                UaKind::GoStorage,
            ),
            sa(
                format!("{number}@cloudservices.gserviceaccount.com"),
                None,
                false,
                UaKind::Mig,
            ),
            sa(
                format!("service-{number}@compute-system.iam.gserviceaccount.com"),
                None,
                false,
                UaKind::None,
            ),
            user(
                "mallory.ext@acme-corp.example",
                "203.0.113.66",
                UaKind::GcloudLinux,
            ),
            sa(
                format!("ci-runner@{project}.iam.gserviceaccount.com"),
                Some("198.51.100.77"),
                false,
                UaKind::Python,
            ),
            user(
                "jane.doe@acme-corp.example",
                "198.51.100.23",
                UaKind::GcloudMac,
            ),
            sa(
                format!("dr-automation@{project}.iam.gserviceaccount.com"),
                Some("gce-internal-ip"),
                true,
                UaKind::Python,
            ),
        ];
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
