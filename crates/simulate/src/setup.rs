//! Options, checked, with what follows from them: scopes and the budget of each container.

use crate::error::{Result, SimError};
use crate::options::{Cloud, Container, Options};
use crate::time::DAY;

/// Options, checked, with what follows from them.
pub(crate) struct Setup<'a> {
    pub opts: &'a Options,
    pub start: i64,
    pub end: i64,
    /// Enabled containers, in `Container::ALL` order.
    pub containers: Vec<Container>,
}

fn safe_name(kind: &str, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(SimError::Options(format!(
            "{kind} `{s}` must be 1-128 characters of letters, digits, '-', '_' or '.'"
        )))
    }
}

impl<'a> Setup<'a> {
    pub fn new(opts: &'a Options) -> Result<Setup<'a>> {
        if opts.days == 0 {
            return Err(SimError::Options("days must be at least 1".into()));
        }
        let start = opts
            .start
            .timestamp_nanos_opt()
            .ok_or_else(|| SimError::Options("start is out of range".into()))?;
        if opts.days > 3660 {
            return Err(SimError::Options("days must be at most 3660".into()));
        }
        let end = start
            .checked_add(opts.days as i64 * DAY)
            .filter(|end| start >= 0 && end.checked_add(DAY).is_some())
            .ok_or_else(|| {
                SimError::Options("the time range must lie between 1970 and 2262".into())
            })?;
        let containers: Vec<Container> = Container::ALL
            .into_iter()
            .filter(|c| opts.containers.contains(c) && opts.clouds.contains(&c.cloud()))
            .collect();
        if containers.is_empty() {
            return Err(SimError::Options(
                "no container is enabled (check clouds and containers)".into(),
            ));
        }
        for (kind, names) in [
            ("AWS account", &opts.aws_accounts),
            ("AWS region", &opts.aws_regions),
            ("Azure subscription", &opts.azure_subscriptions),
            ("GCP project", &opts.gcp_projects),
        ] {
            for (i, name) in names.iter().enumerate() {
                safe_name(kind, name)?;
                // two shards must never write one file
                if names[..i].iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    return Err(SimError::Options(format!(
                        "{kind} `{name}` is listed twice"
                    )));
                }
            }
        }
        let setup = Setup {
            opts,
            start,
            end,
            containers,
        };
        for c in &setup.containers {
            if setup.scopes(*c) == 0 {
                let what = match c.cloud() {
                    Cloud::Aws => "at least one AWS account and one region",
                    Cloud::Azure => "at least one Azure subscription",
                    Cloud::Gcp => "at least one GCP project",
                };
                return Err(SimError::Options(format!("{c} needs {what}")));
            }
        }
        Ok(setup)
    }

    pub fn enabled(&self, c: Container) -> bool {
        self.containers.contains(&c)
    }

    /// The container that carries a cloud's scheduled look-alikes.
    pub fn primary(&self, cloud: Cloud) -> Option<Container> {
        self.containers.iter().copied().find(|c| c.cloud() == cloud)
    }

    pub fn scopes(&self, c: Container) -> usize {
        let o = self.opts;
        match c.cloud() {
            Cloud::Aws => o.aws_accounts.len() * o.aws_regions.len(),
            Cloud::Azure => o.azure_subscriptions.len(),
            Cloud::Gcp => o.gcp_projects.len(),
        }
    }

    pub fn aws_scope(&self, scope: usize) -> (&str, &str) {
        let n = self.opts.aws_regions.len();
        (
            &self.opts.aws_accounts[scope / n],
            &self.opts.aws_regions[scope % n],
        )
    }

    /// The share of the size budget of each enabled container.
    pub fn budget(&self, c: Container) -> f64 {
        let cloud_w = |cl: Cloud| match cl {
            Cloud::Aws => 0.70,
            Cloud::Azure => 0.15,
            Cloud::Gcp => 0.15,
        };
        let cont_w = |c: Container| match c {
            Container::AwsS3Gz => 0.9,
            Container::AwsJsonl => 0.1,
            Container::AzureEventHub => 0.75,
            Container::AzureRest => 0.25,
            Container::GcpJsonl => 1.0,
        };
        let mut clouds: Vec<Cloud> = self.containers.iter().map(|c| c.cloud()).collect();
        clouds.dedup();
        let cloud_total: f64 = clouds.iter().map(|c| cloud_w(*c)).sum();
        let cont_total: f64 = self
            .containers
            .iter()
            .filter(|x| x.cloud() == c.cloud())
            .map(|x| cont_w(*x))
            .sum();
        self.opts.size_bytes as f64 * cloud_w(c.cloud()) / cloud_total * cont_w(c) / cont_total
    }
}
