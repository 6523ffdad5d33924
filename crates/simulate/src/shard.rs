//! Shards, chunks and sinks: how the size budget becomes a stream of records and files.
//!
//! A shard is one container × one scope (AWS account/region, Azure subscription, GCP project)
//! × one UTC day, and runs on one thread. It walks its day in chunks (5 minutes for S3
//! delivery files, an hour otherwise). Each chunk gets the share of the budget that the daily
//! activity curve gives it, less what earlier chunks overshot, and fills it with noise whose
//! time advances with the bytes written, so records cover the chunk evenly. Fixed calls
//! (planted scenarios, schedulers) are merged in at their own times, and the later phases of
//! multi-record operations wait in a small heap until their time comes.

use crate::aws::generator::AwsGen;
use crate::azure::generator::AzureGen;
use crate::emit::{Emit, Fixed, Gen, Pending};
use crate::error::Result;
use crate::gcp::generator::GcpGen;
use crate::options::Container;
use crate::plan::{Call as AnyCall, Plan};
use crate::rng::{derive, Rng};
use crate::setup::Setup;
use crate::sink::azure::{EventHubSink, RestSink};
use crate::sink::lines::{GcpSink, LinesSink};
use crate::sink::s3::S3Sink;
use crate::sink::{Sink, Stats};
use crate::time::{self, DAY, HOUR, MIN};

pub(crate) fn shards(setup: &Setup, plan: &Plan) -> Vec<Shard> {
    let total_mass = time::mass(setup.start, setup.end);
    let mut out = Vec::new();
    for &c in &setup.containers {
        let per_scope = setup.budget(c) / setup.scopes(c) as f64;
        for scope in 0..setup.scopes(c) {
            let mut day = setup.start.div_euclid(DAY) * DAY;
            let mut k = 0u64;
            while day < setup.end {
                let a = day.max(setup.start);
                let b = (day + DAY).min(setup.end);
                let mut fixed: Vec<Fixed<AnyCall>> = plan
                    .fixed
                    .iter()
                    .filter(|(fc, fs, f)| *fc == c && *fs == scope && f.t >= a && f.t < b)
                    .map(|(_, _, f)| f.clone())
                    .collect();
                fixed.sort_by_key(|f| f.t);
                out.push(Shard {
                    container: c,
                    scope,
                    a,
                    b,
                    budget: per_scope * time::mass(a, b) / total_mass,
                    seed: derive(setup.opts.seed, c.as_str(), (scope as u64) << 32 | k),
                    pool_seed: derive(setup.opts.seed, c.as_str(), scope as u64),
                    primary: setup.primary(c.cloud()) == Some(c),
                    fixed,
                });
                day += DAY;
                k += 1;
            }
        }
    }
    out
}

pub(crate) struct Shard {
    pub container: Container,
    pub scope: usize,
    pub a: i64,
    pub b: i64,
    pub budget: f64,
    pub seed: u64,
    /// Resource pools (instance ids, VM names, ...) are the same on every day of a scope.
    pub pool_seed: u64,
    /// This container carries its cloud's scheduled look-alikes.
    pub primary: bool,
    pub fixed: Vec<Fixed<AnyCall>>,
}

pub(crate) fn run_shard(setup: &Setup, sh: &Shard) -> Result<Stats> {
    let opts = setup.opts;
    let out = &opts.out_dir;
    let day = day_compact(sh.a);
    match sh.container {
        Container::AwsS3Gz | Container::AwsJsonl => {
            let (acct, region) = setup.aws_scope(sh.scope);
            let habits = crate::habits::aws_cast(setup);
            let gen = AwsGen::new(
                acct,
                region,
                &opts.aws_regions,
                (sh.pool_seed, sh.seed),
                sh.a,
                habits,
            );
            let fixed = own_calls(sh, |c| match c {
                AnyCall::Aws(c) => Some(c),
                _ => None,
            });
            if sh.container == Container::AwsS3Gz {
                let root = out
                    .join("aws/AWSLogs")
                    .join(acct)
                    .join("CloudTrail")
                    .join(region);
                let sink = S3Sink::new(root, acct, region, derive(sh.seed, "s3-names", 0));
                run(sh, gen, fixed, Box::new(sink), 5 * MIN)
            } else {
                let path = out
                    .join("aws-jsonl")
                    .join(format!("{acct}-{region}-{day}.jsonl"));
                run(sh, gen, fixed, Box::new(LinesSink::new(path)), HOUR)
            }
        }
        Container::AzureEventHub | Container::AzureRest => {
            let sub = &opts.azure_subscriptions[sh.scope];
            let rest = sh.container == Container::AzureRest;
            let habits = crate::habits::azure_cast(setup);
            let gen = AzureGen::new(sub, (sh.pool_seed, sh.seed), rest, habits);
            let fixed = own_calls(sh, |c| match c {
                AnyCall::Azure(c) => Some(c),
                _ => None,
            });
            let sink: Box<dyn Sink> = if rest {
                let path = out.join("azure/rest").join(format!("{sub}-{day}.json"));
                Box::new(RestSink::new(path))
            } else {
                Box::new(EventHubSink::new(out.join("azure/eventhub").join(sub)))
            };
            run(sh, gen, fixed, sink, HOUR)
        }
        Container::GcpJsonl => {
            let project = &opts.gcp_projects[sh.scope];
            let habits = crate::habits::gcp_cast(setup);
            let gen = GcpGen::new(project, (sh.pool_seed, sh.seed), habits);
            let fixed = own_calls(sh, |c| match c {
                AnyCall::Gcp(c) => Some(c),
                _ => None,
            });
            let root = out.join("gcp/cloudaudit.googleapis.com");
            run(sh, gen, fixed, Box::new(GcpSink::new(root, sh.scope)), HOUR)
        }
    }
}

/// The shard's planted calls that belong to its cloud (all of them: the plan puts each call in
/// a container of its own cloud).
fn own_calls<C: Clone>(sh: &Shard, pick: impl Fn(&AnyCall) -> Option<&C>) -> Vec<Fixed<C>> {
    sh.fixed
        .iter()
        .filter_map(|f| {
            pick(&f.call).map(|c| Fixed {
                t: f.t,
                call: c.clone(),
            })
        })
        .collect()
}

/// The chunks of `[sh.a, sh.b)`, in the order they are written.
fn chunks(sh: &Shard, chunk: i64) -> Vec<(i64, i64)> {
    let mut chunks = Vec::new();
    let mut t = sh.a;
    while t < sh.b {
        let e = ((t.div_euclid(chunk)) + 1) * chunk;
        chunks.push((t, e.min(sh.b)));
        t = e.min(sh.b);
    }
    if sh.container == Container::AzureRest {
        // `az monitor activity-log list` prints newest first
        chunks.reverse();
    }
    chunks
}

fn run<G: Gen>(
    sh: &Shard,
    mut gen: G,
    mut fixed: Vec<Fixed<G::Call>>,
    mut sink: Box<dyn Sink>,
    chunk: i64,
) -> Result<Stats> {
    fixed.extend(gen.scheduled(sh.a, sh.b, sh.primary));
    fixed.sort_by_key(|f| f.t);

    let chunks = chunks(sh, chunk);
    let reverse = sh.container == Container::AzureRest;
    let mut pending = Pending::default();
    let total_mass = time::mass(sh.a, sh.b);
    let mut target = 0.0f64;
    let mut actual = 0.0f64;
    for (k, &(a, b)) in chunks.iter().enumerate() {
        if total_mass > 0.0 {
            target += sh.budget * time::mass(a, b) / total_mass;
        }
        let budget = target - actual;
        sink.begin_chunk(a, b)?;
        let rng = Rng::new(derive(sh.seed, "chunk", k as u64));
        let mut e = Emit::new(rng, &mut *sink, pending);
        gen.begin_chunk(&mut e.rng, a, b);
        fill(&mut gen, &mut e, &fixed, (a, b), budget)?;
        // Later phases whose time falls after this chunk go to the next chunk's file, except
        // in the az listing (written newest hour first) and at the end of the shard.
        if reverse || k + 1 == chunks.len() {
            e.flush_all()?;
        } else {
            e.flush_until(b - 1)?;
        }
        actual += e.bytes as f64;
        pending = e.into_pending();
        sink.end_chunk()?;
    }
    sink.finish()?;
    Ok(sink.stats())
}

/// Noise up to the chunk's budget, with the fixed calls of `[a, b)` merged in at their times.
fn fill<G: Gen>(
    gen: &mut G,
    e: &mut Emit,
    fixed: &[Fixed<G::Call>],
    (a, b): (i64, i64),
    budget: f64,
) -> Result<()> {
    let mut fi = fixed.partition_point(|f| f.t < a);
    let hi = fixed.partition_point(|f| f.t < b);
    if budget > 0.0 {
        let span = (b - a) as f64;
        // spread records over the gap that one average record "buys"
        let jitter = ((span * 1500.0 / budget) as u64).clamp(1, time::SEC as u64);
        loop {
            let produced = e.bytes as f64;
            if produced >= budget {
                break;
            }
            let t = a + (span * produced / budget) as i64;
            while fi < hi && fixed[fi].t <= t {
                e.flush_until(fixed[fi].t)?;
                gen.fixed(e, &fixed[fi])?;
                fi += 1;
            }
            e.flush_until(t)?;
            let tj = (t + e.rng.below(jitter) as i64).min(b - 1);
            gen.noise(e, tj)?;
        }
    }
    while fi < hi {
        e.flush_until(fixed[fi].t)?;
        gen.fixed(e, &fixed[fi])?;
        fi += 1;
    }
    Ok(())
}

/// `YYYYMMDD`
fn day_compact(t: i64) -> String {
    let mut v = Vec::new();
    time::date_compact(&mut v, &time::civil(t));
    String::from_utf8(v).expect("ascii")
}
