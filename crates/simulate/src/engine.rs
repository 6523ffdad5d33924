//! Shards, chunks and sinks: how the size budget becomes a stream of records and files.
//!
//! A shard is one container × one scope (AWS account/region, Azure subscription, GCP project)
//! × one UTC day, and runs on one thread. It walks its day in chunks (5 minutes for S3
//! delivery files, an hour otherwise). Each chunk gets the share of the budget that the daily
//! activity curve gives it, less what earlier chunks overshot, and fills it with noise whose
//! time advances with the bytes written, so records cover the chunk evenly. Fixed calls
//! (planted scenarios, schedulers) are merged in at their own times, and the later phases of
//! multi-record operations wait in a small heap until their time comes.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

use crate::plan::{Fixed, Plan};
use crate::rng::{derive, Rng};
use crate::time::{self, DAY, HOUR, MIN};
use crate::{json, Cloud, Container, Options, Result, SimError};

/// An S3 delivery file is split when it grows past this many uncompressed bytes.
const S3_FILE_CAP: usize = 6 * 1024 * 1024;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    pub files: u64,
    pub records: u64,
    pub bytes: u64,
    pub disk_bytes: u64,
}

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
    fn budget(&self, c: Container) -> f64 {
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

    pub fn shards(&self, plan: &Plan) -> Vec<Shard> {
        let total_mass = time::mass(self.start, self.end);
        let mut out = Vec::new();
        for &c in &self.containers {
            let per_scope = self.budget(c) / self.scopes(c) as f64;
            for scope in 0..self.scopes(c) {
                let mut day = self.start.div_euclid(DAY) * DAY;
                let mut k = 0u64;
                while day < self.end {
                    let a = day.max(self.start);
                    let b = (day + DAY).min(self.end);
                    let mut fixed: Vec<Fixed> = plan
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
                        seed: derive(self.opts.seed, c.as_str(), (scope as u64) << 32 | k),
                        pool_seed: derive(self.opts.seed, c.as_str(), scope as u64),
                        primary: self.primary(c.cloud()) == Some(c),
                        fixed,
                    });
                    day += DAY;
                    k += 1;
                }
            }
        }
        out
    }
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
    pub fixed: Vec<Fixed>,
}

/// A cloud's record renderer.
pub(crate) trait Gen {
    /// Benign fixed-time activity (schedulers, backups) in `[a, b)`.
    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed>;
    fn begin_chunk(&mut self, rng: &mut Rng, a: i64, b: i64);
    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()>;
    fn fixed(&mut self, e: &mut Emit, f: &Fixed) -> Result<()>;
}

struct Deferred {
    t: i64,
    seq: u64,
    stream: u8,
    rec: Vec<u8>,
}

impl PartialEq for Deferred {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.seq == o.seq
    }
}
impl Eq for Deferred {}
impl PartialOrd for Deferred {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Deferred {
    // reversed: BinaryHeap pops the earliest first
    fn cmp(&self, o: &Self) -> Ordering {
        o.t.cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

/// Where a generator puts records: now, or later (the next phase of an operation).
pub(crate) struct Emit<'s> {
    pub rng: Rng,
    sink: &'s mut dyn Sink,
    heap: BinaryHeap<Deferred>,
    seq: u64,
    pub bytes: u64,
}

impl Emit<'_> {
    pub fn now(&mut self, stream: u8, rec: &[u8]) -> Result<()> {
        self.bytes += self.sink.record(stream, rec)?;
        Ok(())
    }

    pub fn later(&mut self, stream: u8, t: i64, rec: Vec<u8>) {
        self.seq += 1;
        self.heap.push(Deferred {
            t,
            seq: self.seq,
            stream,
            rec,
        });
    }

    fn flush_until(&mut self, t: i64) -> Result<()> {
        while self.heap.peek().is_some_and(|d| d.t <= t) {
            let d = self.heap.pop().expect("peeked");
            self.now(d.stream, &d.rec)?;
        }
        Ok(())
    }

    fn flush_all(&mut self) -> Result<()> {
        self.flush_until(i64::MAX)
    }
}

pub(crate) fn run_shard(setup: &Setup, sh: &Shard) -> Result<Stats> {
    let opts = setup.opts;
    let out = &opts.out_dir;
    let day = civil_parts(sh.a);
    let (mut gen, mut sink, chunk): (Box<dyn Gen>, Box<dyn Sink>, i64) = match sh.container {
        Container::AwsS3Gz | Container::AwsJsonl => {
            let (acct, region) = setup.aws_scope(sh.scope);
            let gen = crate::aws::AwsGen::new(
                acct,
                region,
                &opts.aws_regions,
                sh.pool_seed,
                sh.seed,
                sh.a,
            );
            if sh.container == Container::AwsS3Gz {
                let root = out
                    .join("aws/AWSLogs")
                    .join(acct)
                    .join("CloudTrail")
                    .join(region);
                let sink = S3Sink::new(root, acct, region, derive(sh.seed, "s3-names", 0));
                (Box::new(gen), Box::new(sink), 5 * MIN)
            } else {
                let path = out
                    .join("aws-jsonl")
                    .join(format!("{acct}-{region}-{}.jsonl", day.compact));
                (Box::new(gen), Box::new(LinesSink::new(path)), HOUR)
            }
        }
        Container::AzureEventHub | Container::AzureRest => {
            let sub = &opts.azure_subscriptions[sh.scope];
            let rest = sh.container == Container::AzureRest;
            let gen = crate::azure::AzureGen::new(sub, sh.pool_seed, sh.seed, rest);
            if rest {
                let path = out
                    .join("azure/rest")
                    .join(format!("{sub}-{}.json", day.compact));
                (Box::new(gen), Box::new(RestSink::new(path)), HOUR)
            } else {
                let root = out.join("azure/eventhub").join(sub);
                (Box::new(gen), Box::new(EventHubSink::new(root)), HOUR)
            }
        }
        Container::GcpJsonl => {
            let project = &opts.gcp_projects[sh.scope];
            let gen = crate::gcp::GcpGen::new(project, sh.pool_seed, sh.seed);
            let root = out.join("gcp/cloudaudit.googleapis.com");
            (Box::new(gen), Box::new(GcpSink::new(root, sh.scope)), HOUR)
        }
    };

    let mut fixed = sh.fixed.clone();
    fixed.extend(gen.scheduled(sh.a, sh.b, sh.primary));
    fixed.sort_by_key(|f| f.t);

    let mut chunks = Vec::new();
    let mut t = sh.a;
    while t < sh.b {
        let e = ((t.div_euclid(chunk)) + 1) * chunk;
        chunks.push((t, e.min(sh.b)));
        t = e.min(sh.b);
    }
    let reverse = sh.container == Container::AzureRest;
    if reverse {
        // `az monitor activity-log list` prints newest first
        chunks.reverse();
    }
    let mut pending = BinaryHeap::new();
    let mut pending_seq = 0;
    let total_mass = time::mass(sh.a, sh.b);
    let mut target = 0.0f64;
    let mut actual = 0.0f64;
    for (k, &(a, b)) in chunks.iter().enumerate() {
        if total_mass > 0.0 {
            target += sh.budget * time::mass(a, b) / total_mass;
        }
        let budget = target - actual;
        sink.begin_chunk(a, b)?;
        let mut e = Emit {
            rng: Rng::new(derive(sh.seed, "chunk", k as u64)),
            sink: &mut *sink,
            heap: std::mem::take(&mut pending),
            seq: pending_seq,
            bytes: 0,
        };
        gen.begin_chunk(&mut e.rng, a, b);
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
                    gen.fixed(&mut e, &fixed[fi])?;
                    fi += 1;
                }
                e.flush_until(t)?;
                let tj = (t + e.rng.below(jitter) as i64).min(b - 1);
                gen.noise(&mut e, tj)?;
            }
        }
        while fi < hi {
            e.flush_until(fixed[fi].t)?;
            gen.fixed(&mut e, &fixed[fi])?;
            fi += 1;
        }
        // Later phases whose time falls after this chunk go to the next chunk's file, except
        // in the az listing (written newest hour first) and at the end of the shard.
        if reverse || k + 1 == chunks.len() {
            e.flush_all()?;
        } else {
            e.flush_until(b - 1)?;
        }
        actual += e.bytes as f64;
        pending = std::mem::take(&mut e.heap);
        pending_seq = e.seq;
        sink.end_chunk()?;
    }
    sink.finish()?;
    Ok(sink.stats())
}

pub(crate) struct DayParts {
    /// YYYYMMDD
    pub compact: String,
}

fn civil_parts(t: i64) -> DayParts {
    let mut v = Vec::new();
    time::date_compact(&mut v, &time::civil(t));
    DayParts {
        compact: String::from_utf8(v).expect("ascii"),
    }
}

/// Output of one shard.
pub(crate) trait Sink {
    fn begin_chunk(&mut self, a: i64, b: i64) -> Result<()>;
    /// Takes one record; returns the bytes it adds to the output.
    fn record(&mut self, stream: u8, rec: &[u8]) -> Result<u64>;
    fn end_chunk(&mut self) -> Result<()>;
    fn finish(&mut self) -> Result<()>;
    fn stats(&self) -> Stats;
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
    }
    let f = File::create(path).map_err(|e| SimError::io(path, e))?;
    Ok(BufWriter::with_capacity(256 * 1024, f))
}

fn put(w: &mut BufWriter<File>, path: &Path, bytes: &[u8]) -> Result<()> {
    w.write_all(bytes).map_err(|e| SimError::io(path, e))
}

fn close(mut w: BufWriter<File>, path: &Path) -> Result<()> {
    w.flush().map_err(|e| SimError::io(path, e))
}

/// `YYYY/MM/DD`
fn ymd_dirs(t: i64) -> String {
    let c = time::civil(t);
    format!("{:04}/{:02}/{:02}", c.year, c.month, c.day)
}

/// A gzip member header: no name, mtime 0, OS unknown (as flate2's `GzEncoder` writes it).
const GZ_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// CloudTrail's S3 delivery: one gzip `{"Records":[...]}` per 5-minute window.
///
/// One deflate state is reset and reused for every file (a fresh one per file costs more
/// in allocation and page faults than compressing a small file).
struct S3Sink {
    root: PathBuf,
    acct: String,
    region: String,
    rng: Rng,
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
    stamp: i64,
    gz: Vec<u8>,
    enc: DeflateEncoder<Vec<u8>>,
    made: Option<PathBuf>,
    stats: Stats,
}

impl S3Sink {
    fn new(root: PathBuf, acct: &str, region: &str, seed: u64) -> S3Sink {
        S3Sink {
            root,
            acct: acct.to_string(),
            region: region.to_string(),
            rng: Rng::new(seed),
            buf: Vec::new(),
            spans: Vec::new(),
            stamp: 0,
            gz: Vec::new(),
            enc: DeflateEncoder::new(Vec::new(), Compression::default()),
            made: None,
            stats: Stats::default(),
        }
    }

    fn write_file(&mut self) -> Result<()> {
        let n = self.spans.len();
        if n == 0 {
            return Ok(());
        }
        // Delivery order, not time order: records move a few places.
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..n {
            if self.rng.chance(0.4) {
                let j = i + self.rng.below((n - i).min(12) as u64) as usize;
                order.swap(i, j);
            }
        }
        let mut out = std::mem::take(&mut self.gz);
        out.clear();
        out.extend_from_slice(&GZ_HEADER);
        let mut crc = Crc::new();
        let enc = &mut self.enc;
        let io = (|| -> std::io::Result<Vec<u8>> {
            enc.reset(out)?;
            let mut w = |bytes: &[u8]| {
                crc.update(bytes);
                enc.write_all(bytes)
            };
            w(b"{\"Records\":[")?;
            for (k, &i) in order.iter().enumerate() {
                if k > 0 {
                    w(b",")?;
                }
                let (s, e) = self.spans[i];
                w(&self.buf[s..e])?;
            }
            w(b"]}")?;
            let mut out = enc.reset(Vec::new())?;
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&crc.amount().to_le_bytes());
            Ok(out)
        })();
        let raw = crc.amount() as u64;
        let c = time::civil(self.stamp);
        let mut name = format!(
            "{}_CloudTrail_{}_{:04}{:02}{:02}T{:02}{:02}Z_",
            self.acct, self.region, c.year, c.month, c.day, c.hour, c.minute
        );
        let mut suffix = Vec::with_capacity(16);
        self.rng.alnum(&mut suffix, 16);
        name.push_str(std::str::from_utf8(&suffix).expect("ascii"));
        name.push_str(".json.gz");
        let dir = self.root.join(ymd_dirs(self.stamp));
        let path = dir.join(name);
        self.gz = io.map_err(|e| SimError::io(&path, e))?;
        if self.made.as_ref() != Some(&dir) {
            std::fs::create_dir_all(&dir).map_err(|e| SimError::io(&dir, e))?;
            self.made = Some(dir);
        }
        std::fs::write(&path, &self.gz).map_err(|e| SimError::io(&path, e))?;
        self.stats.files += 1;
        self.stats.records += n as u64;
        self.stats.bytes += raw;
        self.stats.disk_bytes += self.gz.len() as u64;
        self.buf.clear();
        self.spans.clear();
        Ok(())
    }
}

impl Sink for S3Sink {
    fn begin_chunk(&mut self, _a: i64, b: i64) -> Result<()> {
        // named after the delivery: the end of the window, to the minute
        self.stamp = (b + MIN - 1).div_euclid(MIN) * MIN;
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let s = self.buf.len();
        self.buf.extend_from_slice(rec);
        self.spans.push((s, self.buf.len()));
        if self.buf.len() >= S3_FILE_CAP {
            self.write_file()?;
        }
        Ok(rec.len() as u64 + 1)
    }
    fn end_chunk(&mut self) -> Result<()> {
        self.write_file()
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// One record per line, one file per shard (AWS JSON Lines).
struct LinesSink {
    path: PathBuf,
    w: Option<BufWriter<File>>,
    stats: Stats,
}

impl LinesSink {
    fn new(path: PathBuf) -> LinesSink {
        LinesSink {
            path,
            w: None,
            stats: Stats::default(),
        }
    }
}

impl Sink for LinesSink {
    fn begin_chunk(&mut self, _a: i64, _b: i64) -> Result<()> {
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        if self.w.is_none() {
            self.w = Some(create(&self.path)?);
            self.stats.files += 1;
        }
        let w = self.w.as_mut().expect("opened");
        put(w, &self.path, rec)?;
        put(w, &self.path, b"\n")?;
        let n = rec.len() as u64 + 1;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(n)
    }
    fn end_chunk(&mut self) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        match self.w.take() {
            Some(w) => close(w, &self.path),
            None => Ok(()),
        }
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// Azure Event Hub message bodies, one `{"records":[...]}` file per hour.
struct EventHubSink {
    root: PathBuf,
    path: PathBuf,
    w: Option<BufWriter<File>>,
    stats: Stats,
}

impl EventHubSink {
    fn new(root: PathBuf) -> EventHubSink {
        EventHubSink {
            root,
            path: PathBuf::new(),
            w: None,
            stats: Stats::default(),
        }
    }
}

impl Sink for EventHubSink {
    fn begin_chunk(&mut self, a: i64, _b: i64) -> Result<()> {
        let c = time::civil(a);
        self.path = self.root.join(format!(
            "{:04}{:02}{:02}{:02}.json",
            c.year, c.month, c.day, c.hour
        ));
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let sep: &[u8] = match self.w {
            None => {
                self.w = Some(create(&self.path)?);
                self.stats.files += 1;
                b"{\"records\":["
            }
            Some(_) => b",",
        };
        let w = self.w.as_mut().expect("opened");
        put(w, &self.path, sep)?;
        put(w, &self.path, rec)?;
        let n = (sep.len() + rec.len()) as u64;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(rec.len() as u64 + 1)
    }
    fn end_chunk(&mut self) -> Result<()> {
        if let Some(mut w) = self.w.take() {
            put(&mut w, &self.path, b"]}")?;
            self.stats.bytes += 2;
            self.stats.disk_bytes += 2;
            close(w, &self.path)?;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// `az monitor activity-log list` output for one day: a pretty array, newest first. Chunks
/// arrive newest hour first; each chunk is held and written in reverse.
struct RestSink {
    path: PathBuf,
    w: Option<BufWriter<File>>,
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
    stats: Stats,
}

impl RestSink {
    fn new(path: PathBuf) -> RestSink {
        RestSink {
            path,
            w: None,
            buf: Vec::new(),
            spans: Vec::new(),
            stats: Stats::default(),
        }
    }
}

impl Sink for RestSink {
    fn begin_chunk(&mut self, _a: i64, _b: i64) -> Result<()> {
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let s = self.buf.len();
        json::pretty(&mut self.buf, rec, 1);
        self.spans.push((s, self.buf.len()));
        Ok((self.buf.len() - s) as u64 + 4)
    }
    fn end_chunk(&mut self) -> Result<()> {
        for i in (0..self.spans.len()).rev() {
            let sep: &[u8] = match self.w {
                None => {
                    self.w = Some(create(&self.path)?);
                    self.stats.files += 1;
                    b"[\n  "
                }
                Some(_) => b",\n  ",
            };
            let (s, e) = self.spans[i];
            let w = self.w.as_mut().expect("opened");
            put(w, &self.path, sep)?;
            put(w, &self.path, &self.buf[s..e])?;
            let n = (sep.len() + e - s) as u64;
            self.stats.records += 1;
            self.stats.bytes += n;
            self.stats.disk_bytes += n;
        }
        self.buf.clear();
        self.spans.clear();
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        if let Some(mut w) = self.w.take() {
            put(&mut w, &self.path, b"\n]\n")?;
            self.stats.bytes += 3;
            self.stats.disk_bytes += 3;
            close(w, &self.path)?;
        }
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// A Cloud Storage log sink: hourly JSON Lines objects per log (stream 0 = activity, stream
/// 1 = data_access), shard `S<n>` = the n-th project.
struct GcpSink {
    root: PathBuf,
    shard: usize,
    hour: i64,
    w: [Option<(BufWriter<File>, PathBuf)>; 2],
    stats: Stats,
}

impl GcpSink {
    fn new(root: PathBuf, shard: usize) -> GcpSink {
        GcpSink {
            root,
            shard,
            hour: 0,
            w: [None, None],
            stats: Stats::default(),
        }
    }
}

impl Sink for GcpSink {
    fn begin_chunk(&mut self, a: i64, _b: i64) -> Result<()> {
        self.hour = a.div_euclid(HOUR) * HOUR;
        Ok(())
    }
    fn record(&mut self, stream: u8, rec: &[u8]) -> Result<u64> {
        let slot = &mut self.w[stream as usize & 1];
        if slot.is_none() {
            let log = if stream == 0 {
                "activity"
            } else {
                "data_access"
            };
            let h = time::civil(self.hour).hour;
            let path = self
                .root
                .join(log)
                .join(ymd_dirs(self.hour))
                .join(format!("{h:02}:00:00_{h:02}:59:59_S{}.json", self.shard));
            *slot = Some((create(&path)?, path));
            self.stats.files += 1;
        }
        let (w, path) = slot.as_mut().expect("opened");
        put(w, path, rec)?;
        put(w, path, b"\n")?;
        let n = rec.len() as u64 + 1;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(n)
    }
    fn end_chunk(&mut self) -> Result<()> {
        for slot in self.w.iter_mut() {
            if let Some((w, path)) = slot.take() {
                close(w, &path)?;
            }
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}
