//! One measured run: pace the feed onto the inputs, drain, and report.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

use async_nats::jetstream;

use crate::feed::Feed;
use crate::observe::{self, Scrape, Watch};
use crate::publish::{nats_publisher, NatsStats};
use crate::report::{self, Sending, Setup, Tallies};
use crate::send::{self, Bad, HecBatch, HecStats, HecTarget, Input, Item, SendTimes};
use crate::{parse_duration, Fallible};

#[derive(clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    feed: PathBuf,
    /// A name for the report.
    #[arg(long, default_value = "run")]
    label: String,
    /// Records per second offered, over all inputs.
    #[arg(long)]
    rate: f64,
    /// How long to send (the feed may run out first).
    #[arg(long, value_parser = parse_duration)]
    duration: Duration,
    /// HEC base URL (`http://127.0.0.1:PORT`).
    #[arg(long)]
    hec: Option<String>,
    #[arg(long, default_value = "")]
    token: String,
    /// NATS URL; with --stream, records are published to JetStream.
    #[arg(long)]
    nats: Option<String>,
    #[arg(long, default_value = "CLOUDLOGS")]
    stream: String,
    /// Where `/metrics` is (default: the HEC base URL).
    #[arg(long)]
    metrics: Option<String>,
    /// Records per HEC request and per JetStream publish burst.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Concurrent HEC connections.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Fraction of malformed items mixed in (0.01 = about one per hundred records).
    #[arg(long, default_value_t = 0.0)]
    malformed: f64,
    /// Gzip every Nth HEC request (0: never).
    #[arg(long, default_value_t = 3)]
    gzip_every: u64,
    /// Send every Nth HEC batch to /services/collector/raw as JSON Lines (0: never).
    #[arg(long, default_value_t = 0)]
    raw_every: u64,
    /// The alerts file serve appends to.
    #[arg(long)]
    alerts: Option<PathBuf>,
    /// The serve process, for RSS.
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    rss_every: Duration,
    /// Longest wait, after sending, for serve to take in everything and deliver its alerts.
    #[arg(long, default_value = "180s", value_parser = parse_duration)]
    drain: Duration,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Write the report (JSON) here.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn create_stream(url: &str, name: &str) -> Fallible<()> {
    runtime()?.block_on(async {
        let client = async_nats::connect(url).await?;
        let js = jetstream::new(client);
        let _ = js.delete_stream(name).await;
        js.create_stream(jetstream::stream::Config {
            name: name.to_string(),
            subjects: vec!["cloudlogs.>".into()],
            storage: jetstream::stream::StorageType::File,
            // A soak publishes tens of GB (a third of its malformed messages are 900 KB); keep
            // only the newest 2 GiB, far more than serve ever lags behind, so the disk holds.
            max_bytes: 2 << 30,
            ..Default::default()
        })
        .await?;
        eprintln!("load: stream {name} on cloudlogs.> ready at {url}");
        Ok(())
    })
}

fn runtime() -> Fallible<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?)
}

/// Which input each partition goes to: all to one, or, with both, whole partitions balanced
/// by record count, so each account's records stay in order on one input as a live feed's do.
fn routes(feed: &Feed, n: usize, hec: bool, nats: bool) -> Vec<Input> {
    if !nats {
        return vec![Input::Hec; feed.partitions.len()];
    }
    if !hec {
        return vec![Input::Nats; feed.partitions.len()];
    }
    let mut counts = vec![0usize; feed.partitions.len()];
    for r in &feed.records[..n] {
        counts[r.partition as usize] += 1;
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|p| std::cmp::Reverse(counts[*p]));
    let mut routes = vec![Input::Hec; counts.len()];
    let (mut to_hec, mut to_nats) = (0, 0);
    for p in order {
        if to_hec <= to_nats {
            to_hec += counts[p];
        } else {
            routes[p] = Input::Nats;
            to_nats += counts[p];
        }
    }
    routes
}

fn subject_token(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A tiny deterministic generator: which records get a malformed neighbour.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// What a run sends, decided before it starts.
struct Plan {
    feed: Arc<Feed>,
    /// Records to send: as many as rate and duration ask for, or the whole feed.
    n: usize,
    routes: Vec<Input>,
    subjects: Arc<Vec<String>>,
    metrics_base: String,
    use_hec: bool,
    use_nats: bool,
}

impl Plan {
    fn new(args: &RunArgs) -> Fallible<Plan> {
        let feed = Arc::new(Feed::read(&args.feed)?);
        let wanted = (args.rate * args.duration.as_secs_f64()).ceil() as usize;
        let n = wanted.min(feed.records.len());
        if n < wanted {
            eprintln!(
                "load: warning: the feed holds {} records, fewer than {wanted} ({} s at {}/s)",
                feed.records.len(),
                args.duration.as_secs(),
                args.rate
            );
        }
        let use_hec = args.hec.is_some();
        let use_nats = args.nats.is_some();
        if !use_hec && !use_nats {
            return Err("give --hec and/or --nats".into());
        }
        let metrics_base = args
            .metrics
            .clone()
            .or_else(|| args.hec.clone())
            .ok_or("give --metrics (serve's listen address) when sending to JetStream only")?;
        let subjects = Arc::new(
            feed.partitions
                .iter()
                .map(|(p, a)| format!("cloudlogs.{}.{}", subject_token(p), subject_token(a)))
                .collect(),
        );
        Ok(Plan {
            routes: routes(&feed, n, use_hec, use_nats),
            feed,
            n,
            subjects,
            metrics_base,
            use_hec,
            use_nats,
        })
    }

    fn planned(&self, input: Input) -> usize {
        self.feed.records[..self.n]
            .iter()
            .filter(|r| self.routes[r.partition as usize] == input)
            .count()
    }
}

pub fn run(args: RunArgs) -> Fallible<()> {
    let plan = Plan::new(&args)?;
    eprintln!(
        "load: {}: {} records at {}/s for up to {} s: {} over HEC, {} over JetStream",
        args.label,
        plan.n,
        args.rate,
        args.duration.as_secs(),
        plan.planned(Input::Hec),
        plan.planned(Input::Nats)
    );
    let load1_start = observe::load1();
    let t0 = Instant::now();
    let tallies = Tallies {
        sent: Arc::new(SendTimes::new(t0, plan.feed.records.len())),
        hec: HecStats::default(),
        nats: Arc::new(NatsStats::default()),
        watch: Arc::new(Watch::default()),
        alerts: Mutex::new(Vec::new()),
        unreadable_alerts: Mutex::new(0),
        stop_observers: AtomicBool::new(false),
    };
    let sending = send_and_drain(&args, &plan, &tallies, t0)?;
    let setup = Setup {
        label: &args.label,
        rate: args.rate,
        feed: &plan.feed,
        routes: &plan.routes,
        use_hec: plan.use_hec,
        use_nats: plan.use_nats,
        metrics_base: &plan.metrics_base,
    };
    let report = report::assemble(&setup, tallies, sending, load1_start);
    report::summarize(&report);
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}

/// Starts the observers and senders, paces the feed onto them, then waits for serve to take
/// everything in.
fn send_and_drain(
    args: &RunArgs,
    plan: &Plan,
    tallies: &Tallies,
    t0: Instant,
) -> Fallible<Sending> {
    let target = HecTarget {
        base: args.hec.clone().unwrap_or_default(),
        token: args.token.clone(),
        gzip_every: args.gzip_every,
        raw_every: args.raw_every,
    };
    let (hec_tx, hec_rx) = mpsc::sync_channel::<HecBatch>(args.connections.max(1) * 2);
    let hec_rx = Mutex::new(hec_rx);
    std::thread::scope(|scope| -> Fallible<Sending> {
        spawn_observers(scope, args, plan, tallies);
        let mut workers = Vec::new();
        if plan.use_hec {
            for _ in 0..args.connections.max(1) {
                let (feed, sent, stats, target, rx) =
                    (&*plan.feed, &*tallies.sent, &tallies.hec, &target, &hec_rx);
                workers.push(scope.spawn(move || send::hec_worker(feed, sent, stats, target, rx)));
            }
        }
        let (nats_tx, nats_rx) = tokio::sync::mpsc::channel::<Vec<Item>>(8);
        let nats_thread = match &args.nats {
            Some(url) => Some(spawn_nats_publisher(scope, url, plan, tallies, nats_rx)?),
            None => None,
        };
        let mut pacer = Pacer {
            dice: Dice(args.seed),
            hec_seq: 0,
            bad_seq: 0,
            hec_tx,
            nats_tx,
        };
        let dispatched = pacer.pace(args, plan, t0)?;
        drop(pacer);
        let send_s = t0.elapsed().as_secs_f64();
        for w in workers {
            let _ = w.join();
        }
        if let Some(t) = nats_thread {
            let _ = t.join();
        }
        let drain = drain(args, plan, tallies);
        let mut errors = Vec::new();
        if !drain.drained {
            errors.push(format!(
                "not drained within {} s of the end of sending",
                args.drain.as_secs()
            ));
        }
        // The alert tail polls every 5 ms: give it a few rounds to see the last lines.
        std::thread::sleep(Duration::from_millis(300));
        tallies.stop_observers.store(true, Relaxed);
        Ok(Sending {
            send_s,
            dispatched,
            nats_done_ns: drain.nats_done_ns,
            nats_last: drain.nats_last,
            drained: drain.drained,
            errors,
        })
    })
}

/// The alert tail (when there is an alerts file) and the `/metrics` and RSS sampler.
fn spawn_observers<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    args: &'env RunArgs,
    plan: &'env Plan,
    tallies: &'env Tallies,
) {
    let (sent, stop) = (&*tallies.sent, &tallies.stop_observers);
    if let Some(path) = &args.alerts {
        let (alerts, bad) = (&tallies.alerts, &tallies.unreadable_alerts);
        scope.spawn(move || observe::tail_alerts(path.clone(), sent, stop, alerts, bad));
    }
    let (watch, base) = (&tallies.watch, &plan.metrics_base);
    let (pid, every) = (args.pid, args.rss_every);
    scope.spawn(move || observe::sample(base, pid, every, sent, stop, watch));
}

/// The JetStream publisher, on a runtime of its own.
fn spawn_nats_publisher<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    url: &str,
    plan: &Plan,
    tallies: &Tallies,
    nats_rx: tokio::sync::mpsc::Receiver<Vec<Item>>,
) -> Fallible<ScopedJoinHandle<'scope, ()>> {
    let rt = runtime()?;
    let client = rt.block_on(async_nats::connect(url))?;
    // The JetStream context spawns a task of its own: make it inside the runtime.
    let js = rt.block_on(async { jetstream::new(client.clone()) });
    let (feed, subjects, sent, stats) = (
        plan.feed.clone(),
        plan.subjects.clone(),
        tallies.sent.clone(),
        tallies.nats.clone(),
    );
    Ok(scope.spawn(move || {
        rt.block_on(async move {
            nats_publisher(js, feed, subjects, sent, stats, nats_rx).await;
            let _ = client.flush().await;
        })
    }))
}

/// Hands records to the senders in batches, on schedule; dropping it closes the senders'
/// channels, which is how they learn that sending is over.
struct Pacer {
    dice: Dice,
    hec_seq: u64,
    bad_seq: u64,
    hec_tx: mpsc::SyncSender<HecBatch>,
    nats_tx: tokio::sync::mpsc::Sender<Vec<Item>>,
}

impl Pacer {
    /// Record i is due i/rate seconds after the start. Returns the records handed to each
    /// input.
    fn pace(&mut self, args: &RunArgs, plan: &Plan, t0: Instant) -> Fallible<[usize; 2]> {
        let mut dispatched = [0usize; 2];
        let mut buffers: [Vec<Item>; 2] = [Vec::new(), Vec::new()];
        let deadline = t0 + args.duration;
        for (i, record) in plan.feed.records[..plan.n].iter().enumerate() {
            let due = t0 + Duration::from_secs_f64(i as f64 / args.rate);
            let now = Instant::now();
            if due > now + Duration::from_millis(1) {
                std::thread::sleep(due - now);
            }
            if now > deadline {
                break;
            }
            let input = plan.routes[record.partition as usize];
            let slot = input as usize;
            buffers[slot].push(Item::Record(i));
            dispatched[slot] += 1;
            if args.malformed > 0.0 && self.dice.chance(args.malformed) {
                let bad = self.malformed(input, i);
                buffers[slot].push(Item::Bad(bad));
            }
            if buffers[slot].len() >= args.batch
                && !self.flush(input, std::mem::take(&mut buffers[slot]))
            {
                return Err("a sender stopped".into());
            }
        }
        for input in [Input::Hec, Input::Nats] {
            let items = std::mem::take(&mut buffers[input as usize]);
            if !items.is_empty() {
                self.flush(input, items);
            }
        }
        Ok(dispatched)
    }

    /// The next kind of malformed input, in turn, of those the input can carry.
    fn malformed(&mut self, input: Input, i: usize) -> Bad {
        self.bad_seq += 1;
        match input {
            Input::Hec => match self.bad_seq % 5 {
                0 => Bad::CutEvent,
                1 => Bad::MissingEvent,
                2 => Bad::NotARecord,
                3 => Bad::Oversized,
                _ => Bad::Truncated(i),
            },
            Input::Nats => match self.bad_seq % 3 {
                0 => Bad::Binary(self.dice.next()),
                1 => Bad::Truncated(i),
                _ => Bad::Oversized,
            },
        }
    }

    /// False when the input's sender has stopped.
    fn flush(&mut self, input: Input, items: Vec<Item>) -> bool {
        match input {
            Input::Hec => {
                self.hec_seq += 1;
                self.hec_tx
                    .send(HecBatch {
                        seq: self.hec_seq,
                        items,
                    })
                    .is_ok()
            }
            Input::Nats => self.nats_tx.blocking_send(items).is_ok(),
        }
    }
}

/// How waiting for serve to take everything in ended.
struct Drain {
    drained: bool,
    nats_done_ns: Option<u64>,
    nats_last: (u64, u64),
}

/// Waits until every JetStream message is counted in by serve, no consumer lags and no alert
/// is queued, or until --drain runs out.
fn drain(args: &RunArgs, plan: &Plan, tallies: &Tallies) -> Drain {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let nats = &tallies.nats;
    let published = nats.published.load(Relaxed) + nats.bad_published.load(Relaxed);
    let mut out = Drain {
        drained: false,
        nats_done_ns: None,
        nats_last: (0, 0),
    };
    let deadline = Instant::now() + args.drain;
    while Instant::now() < deadline {
        let Some(s) = Scrape::fetch(&agent, &plan.metrics_base) else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let nats_in = s.get("revertwatch_events_received_total{source=\"nats\"}") as u64;
        out.nats_last = (nats_in, tallies.sent.now_ns());
        if out.nats_done_ns.is_none() && nats_in >= published {
            out.nats_done_ns = Some(tallies.sent.now_ns());
        }
        let lag = s.sum("revertwatch_consumer_lag") as u64;
        let pending = s.get("revertwatch_alerts_pending") as u64;
        if nats_in >= published && (!plan.use_nats || lag == 0) && pending == 0 {
            out.drained = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    out
}
