//! `revertwatch simulate`: options from the command line to the simulator, and a report.

use std::str::FromStr;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use revertwatch_simulate::{simulate, Cloud, Container, Options, GROUND_TRUTH_FILE};

use crate::args::SimulateArgs;

pub fn run(args: SimulateArgs) -> anyhow::Result<i32> {
    let start = parse_start(&args.start)?;
    let mut containers = args
        .containers
        .iter()
        .map(|c| Container::from_str(c).map_err(anyhow::Error::from))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut clouds = args
        .clouds
        .iter()
        .map(|c| Cloud::from_str(c).map_err(anyhow::Error::from))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if clouds.is_empty() {
        clouds = if containers.is_empty() {
            Cloud::ALL.to_vec()
        } else {
            let mut c: Vec<Cloud> = containers.iter().map(|c| c.cloud()).collect();
            c.sort();
            c.dedup();
            c
        };
    }
    if containers.is_empty() {
        containers = Container::ALL
            .iter()
            .copied()
            .filter(|c| clouds.contains(&c.cloud()))
            .collect();
    }
    let opts = Options {
        out_dir: args.out.clone(),
        size_bytes: args.size,
        seed: args.seed,
        start,
        days: args.days,
        aws_accounts: args.aws_accounts,
        aws_regions: args.aws_regions,
        azure_subscriptions: args.azure_subscriptions,
        gcp_projects: args.gcp_projects,
        clouds,
        containers,
        plant_scenarios: !args.no_scenarios,
        habits: args.habits,
    };
    let report = simulate(&opts).context("simulate")?;
    let secs = report.elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "revertwatch: simulated {} files, {} records, {:.1} MB ({:.1} MB on disk) in {:.1} s ({:.0} MB/s); {} scenarios planted, listed in {}",
        report.files,
        report.records,
        report.bytes as f64 / 1e6,
        report.compressed_bytes as f64 / 1e6,
        secs,
        report.bytes as f64 / 1e6 / secs,
        report.planted.len(),
        args.out.join(GROUND_TRUTH_FILE).display()
    );
    Ok(0)
}

fn parse_start(s: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--start `{s}` is not a date (2026-03-01) or an RFC 3339 time"))?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap().and_utc())
}
