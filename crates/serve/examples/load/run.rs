//! One measured run: pace the feed onto the inputs, drain, and report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use serde::{Deserialize, Serialize};

use crate::feed::Feed;
use crate::observe::{self, Sample, Scrape, SeenAlert, Watch};
use crate::send::{self, Bad, HecBatch, HecStats, HecTarget, Item, NatsStats, SendTimes};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Hec,
    Nats,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Latency {
    pub n: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub label: String,
    pub inputs: String,
    pub target_rate: f64,
    pub records: usize,
    pub hec_records: usize,
    pub nats_records: usize,
    /// Rate the pacer managed to hand out (below target when the senders were blocked).
    pub offered_rate: f64,
    pub send_s: f64,
    /// Hours of event time the records sent cover (the replay compresses them into send_s).
    pub event_hours: f64,
    /// Records taken in (HEC 200s; JetStream: counted by serve) over the time until the last
    /// one was in.
    pub sustained_rate: f64,
    pub hec_sustained_rate: Option<f64>,
    pub nats_sustained_rate: Option<f64>,
    pub done_s: f64,
    pub drained: bool,
    pub latency: Latency,
    /// The same without phantom alerts (see [`phantoms`]).
    pub latency_real: Latency,
    pub phantom_alerts: usize,
    pub latency_hec: Option<Latency>,
    pub latency_nats: Option<Latency>,
    pub hec_request_p50_ms: f64,
    pub hec_request_p99_ms: f64,
    pub hec_requests: u64,
    pub hec_503: u64,
    pub hec_expected_400: u64,
    pub hec_other_status: u64,
    pub hec_transport_errors: u64,
    pub hec_records_lost: u64,
    pub nats_publish_failed: u64,
    pub nats_publish_retries: u64,
    pub malformed_sent: u64,
    pub records_skipped: f64,
    pub duplicates: f64,
    pub late: f64,
    pub max_consumer_lag: u64,
    pub alerts: usize,
    pub duplicate_alert_ids: usize,
    pub alerts_unmatched: usize,
    /// The slowest alerts: incident id and milliseconds.
    pub slowest: Vec<(String, f64)>,
    pub peak_rss_mb: f64,
    pub rss_first_minute_mb: f64,
    pub rss_last_minute_mb: f64,
    pub load1_start: f64,
    pub load1_end: f64,
    pub errors: Vec<String>,
    pub samples: Vec<Sample>,
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
        counts[r.partition] += 1;
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

pub fn run(args: RunArgs) -> Fallible<()> {
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
    let routes = routes(&feed, n, use_hec, use_nats);
    let subjects: Arc<Vec<String>> = Arc::new(
        feed.partitions
            .iter()
            .map(|(p, a)| format!("cloudlogs.{}.{}", subject_token(p), subject_token(a)))
            .collect(),
    );
    let count = |i: Input| {
        feed.records[..n]
            .iter()
            .filter(|r| routes[r.partition] == i)
            .count()
    };
    let (hec_planned, nats_planned) = (count(Input::Hec), count(Input::Nats));
    eprintln!(
        "load: {}: {n} records at {}/s for up to {} s: {hec_planned} over HEC, {nats_planned} over JetStream",
        args.label,
        args.rate,
        args.duration.as_secs()
    );

    let load1_start = observe::load1();
    let t0 = Instant::now();
    let sent = Arc::new(SendTimes::new(t0, feed.records.len()));
    let hec_stats = HecStats::default();
    let nats_stats = Arc::new(NatsStats::default());
    let watch = Arc::new(Watch::default());
    let alerts: Mutex<Vec<SeenAlert>> = Mutex::new(Vec::new());
    let unreadable_alerts = Mutex::new(0u64);
    let stop_observers = AtomicBool::new(false);
    let target = HecTarget {
        base: args.hec.clone().unwrap_or_default(),
        token: args.token.clone(),
        gzip_every: args.gzip_every,
        raw_every: args.raw_every,
    };

    let mut send_s = 0.0;
    // Records handed to each input (fewer than planned when --duration ran out first).
    let mut dispatched = [0usize; 2];
    let mut nats_done_ns = None;
    // The last count of JetStream messages serve had taken in, and when: the rate of a run
    // that did not drain in time.
    let mut nats_last = (0u64, 0u64);
    let mut drained = false;
    let mut errors = Vec::new();
    let (hec_tx, hec_rx) = mpsc::sync_channel::<HecBatch>(args.connections.max(1) * 2);
    let hec_rx = Mutex::new(hec_rx);
    std::thread::scope(|scope| -> Fallible<()> {
        if let Some(path) = &args.alerts {
            let (sent, stop, alerts, bad) = (&*sent, &stop_observers, &alerts, &unreadable_alerts);
            scope.spawn(move || observe::tail_alerts(path.clone(), sent, stop, alerts, bad));
        }
        {
            let (sent, stop, watch, base) = (&*sent, &stop_observers, &watch, &metrics_base);
            let (pid, every) = (args.pid, args.rss_every);
            scope.spawn(move || observe::sample(base, pid, every, sent, stop, watch));
        }
        let mut workers = Vec::new();
        if use_hec {
            for _ in 0..args.connections.max(1) {
                let (feed, sent, stats, target, rx) =
                    (&*feed, &*sent, &hec_stats, &target, &hec_rx);
                workers.push(scope.spawn(move || send::hec_worker(feed, sent, stats, target, rx)));
            }
        }
        let (nats_tx, nats_rx) = tokio::sync::mpsc::channel::<Vec<Item>>(8);
        let nats_thread = match &args.nats {
            Some(url) => {
                let rt = runtime()?;
                let client = rt.block_on(async_nats::connect(url.as_str()))?;
                // The JetStream context spawns a task of its own: make it inside the runtime.
                let js = rt.block_on(async { jetstream::new(client.clone()) });
                let (feed, subjects, sent, stats) = (
                    feed.clone(),
                    subjects.clone(),
                    sent.clone(),
                    nats_stats.clone(),
                );
                Some(scope.spawn(move || {
                    rt.block_on(async move {
                        send::nats_publisher(js, feed, subjects, sent, stats, nats_rx).await;
                        let _ = client.flush().await;
                    })
                }))
            }
            None => None,
        };

        // The pacer: record i is due i/rate seconds after the start.
        let mut dice = Dice(args.seed);
        let mut buffers: [Vec<Item>; 2] = [Vec::new(), Vec::new()];
        let mut hec_seq = 0u64;
        let mut bad_seq = 0u64;
        let deadline = t0 + args.duration;
        let mut flush = |input: Input, items: Vec<Item>| -> bool {
            match input {
                Input::Hec => {
                    hec_seq += 1;
                    hec_tx
                        .send(HecBatch {
                            seq: hec_seq,
                            items,
                        })
                        .is_ok()
                }
                Input::Nats => nats_tx.blocking_send(items).is_ok(),
            }
        };
        for (i, record) in feed.records[..n].iter().enumerate() {
            let due = t0 + Duration::from_secs_f64(i as f64 / args.rate);
            let now = Instant::now();
            if due > now + Duration::from_millis(1) {
                std::thread::sleep(due - now);
            }
            if now > deadline {
                break;
            }
            let input = routes[record.partition];
            let slot = input as usize;
            buffers[slot].push(Item::Record(i));
            dispatched[slot] += 1;
            if args.malformed > 0.0 && dice.chance(args.malformed) {
                bad_seq += 1;
                let bad = match input {
                    Input::Hec => match bad_seq % 5 {
                        0 => Bad::CutEvent,
                        1 => Bad::MissingEvent,
                        2 => Bad::NotARecord,
                        3 => Bad::Oversized,
                        _ => Bad::Truncated(i),
                    },
                    Input::Nats => match bad_seq % 3 {
                        0 => Bad::Binary(dice.next()),
                        1 => Bad::Truncated(i),
                        _ => Bad::Oversized,
                    },
                };
                buffers[slot].push(Item::Bad(bad));
            }
            if buffers[slot].len() >= args.batch
                && !flush(input, std::mem::take(&mut buffers[slot]))
            {
                return Err("a sender stopped".into());
            }
        }
        for input in [Input::Hec, Input::Nats] {
            let items = std::mem::take(&mut buffers[input as usize]);
            if !items.is_empty() {
                flush(input, items);
            }
        }
        drop(hec_tx);
        drop(nats_tx);
        send_s = t0.elapsed().as_secs_f64();
        for w in workers {
            let _ = w.join();
        }
        if let Some(t) = nats_thread {
            let _ = t.join();
        }

        // Drain: every JetStream message counted in by serve, no lag, no alert queued.
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let published = nats_stats.published.load(Relaxed) + nats_stats.bad_published.load(Relaxed);
        let drain_deadline = Instant::now() + args.drain;
        while Instant::now() < drain_deadline {
            let Some(s) = Scrape::fetch(&agent, &metrics_base) else {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let nats_in = s.get("revertwatch_events_received_total{source=\"nats\"}") as u64;
            nats_last = (nats_in, sent.now_ns());
            if nats_done_ns.is_none() && nats_in >= published {
                nats_done_ns = Some(sent.now_ns());
            }
            let lag = s.sum("revertwatch_consumer_lag") as u64;
            let pending = s.get("revertwatch_alerts_pending") as u64;
            if nats_in >= published && (!use_nats || lag == 0) && pending == 0 {
                drained = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !drained {
            errors.push(format!(
                "not drained within {} s of the end of sending",
                args.drain.as_secs()
            ));
        }
        // The alert tail polls every 5 ms: give it a few rounds to see the last lines.
        std::thread::sleep(Duration::from_millis(300));
        stop_observers.store(true, Relaxed);
        Ok(())
    })?;

    let [hec_records, nats_records] = dispatched;
    let n = hec_records + nats_records;
    let load1_end = observe::load1();
    let final_scrape = {
        let agent = ureq::Agent::new_with_defaults();
        Scrape::fetch(&agent, &metrics_base).unwrap_or_default()
    };
    let alerts = alerts.into_inner().expect("alerts lock");
    let (latency, by_input, unmatched, slowest) = latencies(&feed, &sent, &routes, n, &alerts);
    let phantom = phantoms(
        &feed,
        &feed.index(n),
        alerts
            .iter()
            .map(|a| (a.incident_id.as_str(), &a.event_ids[..])),
    );
    let real: Vec<SeenAlert> = alerts
        .iter()
        .zip(&phantom)
        .filter(|(_, p)| !**p)
        .map(|(a, _)| SeenAlert {
            seen_ns: a.seen_ns,
            alert_id: a.alert_id.clone(),
            incident_id: a.incident_id.clone(),
            event_ids: a.event_ids.clone(),
        })
        .collect();
    let (latency_real, ..) = latencies(&feed, &sent, &routes, n, &real);
    let mut ids = HashSet::new();
    let duplicate_alert_ids = alerts
        .iter()
        .filter(|a| !ids.insert(a.alert_id.clone()))
        .count();
    let hec_done_ns = hec_stats.last_accept_ns.load(Relaxed);
    let rate = |records: usize, ns: u64| (ns > 0).then(|| records as f64 / (ns as f64 / 1e9));
    let hec_sustained = use_hec
        .then(|| {
            rate(
                hec_stats.records_accepted.load(Relaxed) as usize,
                hec_done_ns,
            )
        })
        .flatten();
    let nats_taken = match nats_done_ns {
        Some(_) => nats_records,
        None => nats_last.0.min(nats_records as u64) as usize,
    };
    let nats_ns = nats_done_ns.unwrap_or(nats_last.1);
    let nats_sustained = use_nats.then(|| rate(nats_taken, nats_ns)).flatten();
    let done_ns = hec_done_ns.max(if use_nats { nats_ns } else { 0 });
    let taken = hec_stats.records_accepted.load(Relaxed) as usize + nats_taken;
    let samples = watch.samples.lock().expect("lock").clone();
    let window = |from: f64, to: f64| {
        let v: Vec<f64> = samples
            .iter()
            .filter(|s| s.t_s >= from && s.t_s <= to && s.rss_kb > 0)
            .map(|s| s.rss_kb as f64 / 1024.0)
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut request_ns: Vec<f64> = hec_stats
        .request_ns
        .lock()
        .expect("lock")
        .iter()
        .map(|ns| *ns as f64)
        .collect();
    request_ns.sort_by(f64::total_cmp);
    errors.extend(hec_stats.errors.lock().expect("lock").iter().cloned());
    errors.extend(nats_stats.errors.lock().expect("lock").iter().cloned());
    let unreadable = *unreadable_alerts.lock().expect("lock");
    if unreadable > 0 {
        errors.push(format!("{unreadable} alert lines are not JSON"));
    }
    let report = Report {
        label: args.label.clone(),
        inputs: match (use_hec, use_nats) {
            (true, true) => "HEC + JetStream".into(),
            (true, false) => "HEC".into(),
            _ => "JetStream".into(),
        },
        target_rate: args.rate,
        records: n,
        hec_records,
        nats_records,
        offered_rate: n as f64 / send_s,
        send_s,
        event_hours: (feed.records[n.max(1) - 1].time_ns - feed.records[0].time_ns) as f64 / 3.6e12,
        sustained_rate: rate(taken, done_ns).unwrap_or(0.0),
        hec_sustained_rate: hec_sustained,
        nats_sustained_rate: nats_sustained,
        done_s: done_ns as f64 / 1e9,
        drained,
        latency,
        latency_real,
        phantom_alerts: phantom.iter().filter(|p| **p).count(),
        latency_hec: by_input.get(&Input::Hec).map(|v| percentiles(v.clone())),
        latency_nats: by_input.get(&Input::Nats).map(|v| percentiles(v.clone())),
        hec_request_p50_ms: pct(&request_ns, 0.50) / 1e6,
        hec_request_p99_ms: pct(&request_ns, 0.99) / 1e6,
        hec_requests: hec_stats.requests.load(Relaxed),
        hec_503: hec_stats.busy_503.load(Relaxed),
        hec_expected_400: hec_stats.expected_400.load(Relaxed),
        hec_other_status: hec_stats.other_status.load(Relaxed),
        hec_transport_errors: hec_stats.transport_errors.load(Relaxed),
        hec_records_lost: hec_stats.records_lost.load(Relaxed),
        nats_publish_failed: nats_stats.failed.load(Relaxed),
        nats_publish_retries: nats_stats.retries.load(Relaxed),
        malformed_sent: hec_stats.bad_sent.load(Relaxed) + nats_stats.bad_published.load(Relaxed),
        records_skipped: final_scrape.sum("revertwatch_records_skipped_total"),
        duplicates: final_scrape.sum("revertwatch_duplicate_events_total"),
        late: final_scrape.sum("revertwatch_late_events_total"),
        max_consumer_lag: *watch.max_lag.lock().expect("lock"),
        alerts: alerts.len(),
        duplicate_alert_ids,
        alerts_unmatched: unmatched,
        slowest,
        peak_rss_mb: *watch.peak_kb.lock().expect("lock") as f64 / 1024.0,
        rss_first_minute_mb: window(0.0, 60.0),
        rss_last_minute_mb: window(send_s - 60.0, send_s),
        load1_start,
        load1_end,
        errors,
        samples,
    };
    summarize(&report);
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}

type ByInput = HashMap<Input, Vec<f64>>;

/// Which alerts, in file order, are phantoms: what serve emits when it closes an incident but
/// keeps a later phase of its call (an Azure Success, a GCP `last` entry), which then opens an
/// incident of its own that `hunt` never reports. An alert is one when every event it names
/// is such a later phase, or was already in alerts of other incidents.
pub fn phantoms<'a>(
    feed: &Feed,
    index: &HashMap<&str, usize>,
    alerts: impl Iterator<Item = (&'a str, &'a [String])>,
) -> Vec<bool> {
    let mut owner: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for (incident, events) in alerts {
        let seen_elsewhere = events
            .iter()
            .all(|e| owner.get(e.as_str()).is_some_and(|o| *o != incident));
        let later = events.iter().all(|e| {
            index
                .get(e.as_str())
                .is_some_and(|i| crate::feed::later_phase(feed.json(*i)))
        });
        out.push(!events.is_empty() && (seen_elsewhere || later));
        for e in events {
            owner.entry(e.as_str()).or_insert(incident);
        }
    }
    out
}

/// Latency of each alert: from the first send of the last of its events to be sent, to the
/// alert line appearing in the file.
fn latencies(
    feed: &Feed,
    sent: &SendTimes,
    routes: &[Input],
    n: usize,
    alerts: &[SeenAlert],
) -> (Latency, ByInput, usize, Vec<(String, f64)>) {
    let index = feed.index(n);
    let mut all = Vec::new();
    let mut by_input: ByInput = HashMap::new();
    let mut unmatched = 0;
    let mut each = Vec::new();
    for alert in alerts {
        let last = alert
            .event_ids
            .iter()
            .map(|id| {
                index
                    .get(id.as_str())
                    .and_then(|i| Some((sent.get(*i)?, *i)))
            })
            .collect::<Option<Vec<_>>>()
            .and_then(|v| v.into_iter().max());
        let Some((at, i)) = last else {
            unmatched += 1;
            continue;
        };
        let ms = alert.seen_ns.saturating_sub(at) as f64 / 1e6;
        all.push(ms);
        each.push((alert.incident_id.clone(), ms));
        by_input
            .entry(routes[feed.records[i].partition])
            .or_default()
            .push(ms);
    }
    each.sort_by(|a, b| b.1.total_cmp(&a.1));
    each.truncate(5);
    (percentiles(all), by_input, unmatched, each)
}

fn percentiles(mut v: Vec<f64>) -> Latency {
    v.sort_by(f64::total_cmp);
    Latency {
        n: v.len(),
        p50_ms: pct(&v, 0.50),
        p99_ms: pct(&v, 0.99),
        max_ms: v.last().copied().unwrap_or(0.0),
    }
}

/// Nearest-rank percentile.
fn pct(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn summarize(r: &Report) {
    eprintln!(
        "load: {}: offered {:.0}/s, sustained {:.0}/s ({} records, {:.0} h of event time, in {:.1} s), latency p50 {:.0} ms p99 {:.0} ms over {} alerts, peak RSS {:.0} MB, HEC 503s {}, max lag {}{}",
        r.label,
        r.offered_rate,
        r.sustained_rate,
        r.records,
        r.event_hours,
        r.done_s,
        r.latency.p50_ms,
        r.latency.p99_ms,
        r.latency.n,
        r.peak_rss_mb,
        r.hec_503,
        r.max_consumer_lag,
        if r.drained { "" } else { " (NOT DRAINED)" }
    );
    for e in &r.errors {
        eprintln!("load: {}: {e}", r.label);
    }
}

/// The reports as one Markdown table.
pub fn table(paths: &[PathBuf]) -> Fallible<()> {
    println!("| run | input | target ev/s | offered ev/s | sustained ev/s | records (event time) | alerts (phantom) | p50 ingest→alert | p99 ingest→alert | p99 without phantoms | HEC request p99 | HEC 503 | max JetStream lag | peak RSS | load avg (1 min) start → end |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for path in paths {
        let r = read_report(path)?;
        let hec = r.hec_requests > 0;
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0}{} | {} ({:.0} h) | {} ({}) | {:.0} ms | {:.0} ms | {:.0} ms | {} | {} | {} | {:.0} MB | {:.1} → {:.1} |",
            r.label,
            r.inputs,
            r.target_rate,
            r.offered_rate,
            r.sustained_rate,
            if r.drained { "" } else { " (not drained)" },
            r.records,
            r.event_hours,
            r.latency.n,
            r.phantom_alerts,
            r.latency.p50_ms,
            r.latency.p99_ms,
            r.latency_real.p99_ms,
            if hec { format!("{:.0} ms", r.hec_request_p99_ms) } else { "–".into() },
            if hec { r.hec_503.to_string() } else { "–".into() },
            if r.nats_records > 0 { r.max_consumer_lag.to_string() } else { "–".into() },
            r.peak_rss_mb,
            r.load1_start,
            r.load1_end
        );
    }
    Ok(())
}

/// A report's periodic samples as a Markdown table, one row every `every` seconds.
pub fn series(path: &Path, every: f64) -> Fallible<()> {
    let r = read_report(path)?;
    println!("| t (s) | serve RSS | heap held | calls in state | state file | JetStream lag | events in (HEC + JetStream) | alerts | load avg (1 min) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut next = 0.0;
    for s in &r.samples {
        if s.t_s + 0.5 < next {
            continue;
        }
        next = s.t_s + every;
        println!(
            "| {:.0} | {:.0} MB | {:.1} MB | {} | {:.1} MB | {} | {} | {} | {:.1} |",
            s.t_s,
            s.rss_kb as f64 / 1024.0,
            s.heap_kb as f64 / 1024.0,
            s.state_calls,
            s.state_bytes as f64 / 1e6,
            s.consumer_lag,
            s.events_hec + s.events_nats,
            s.alerts,
            s.load1
        );
    }
    Ok(())
}

pub fn read_report(path: &Path) -> Fallible<Report> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_slice(&bytes)?)
}
