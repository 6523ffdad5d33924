//! A run's report: what was measured, the figures made of it, and the tables that show it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::feed::Feed;
use crate::observe::{Sample, Scrape, SeenAlert, Watch};
use crate::publish::NatsStats;
use crate::send::{HecStats, Input, SendTimes};
use crate::Fallible;

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

/// What the run's threads count into while it goes.
pub struct Tallies {
    pub sent: Arc<SendTimes>,
    pub hec: HecStats,
    pub nats: Arc<NatsStats>,
    pub watch: Arc<Watch>,
    pub alerts: Mutex<Vec<SeenAlert>>,
    pub unreadable_alerts: Mutex<u64>,
    /// Set once the run is over: the alert tail and the sampler stop.
    pub stop_observers: AtomicBool,
}

/// What sending and draining came to.
pub struct Sending {
    pub send_s: f64,
    /// Records handed to each input (fewer than planned when --duration ran out first).
    pub dispatched: [usize; 2],
    /// When serve had counted in every JetStream message published.
    pub nats_done_ns: Option<u64>,
    /// The last count of JetStream messages serve had taken in, and when: the rate of a run
    /// that did not drain in time.
    pub nats_last: (u64, u64),
    pub drained: bool,
    pub errors: Vec<String>,
}

/// The run as it was asked for.
pub struct Setup<'a> {
    pub label: &'a str,
    pub rate: f64,
    pub feed: &'a Feed,
    pub routes: &'a [Input],
    pub use_hec: bool,
    pub use_nats: bool,
    pub metrics_base: &'a str,
}

/// The figures of a finished run.
pub fn assemble(setup: &Setup<'_>, tallies: Tallies, sending: Sending, load1_start: f64) -> Report {
    let load1_end = crate::observe::load1();
    let final_scrape = {
        let agent = ureq::Agent::new_with_defaults();
        Scrape::fetch(&agent, setup.metrics_base).unwrap_or_default()
    };
    let rates = Rates::of(setup, &tallies, &sending);
    let Sending {
        send_s,
        dispatched: [hec_records, nats_records],
        drained,
        mut errors,
        ..
    } = sending;
    let n = hec_records + nats_records;
    let feed = setup.feed;
    let alerts = AlertFigures::of(setup, &tallies, n);
    let samples = tallies.watch.samples.lock().expect("lock").clone();
    let (hec, nats) = (&tallies.hec, &tallies.nats);
    let request_ns = hec.sorted_request_ns();
    senders_errors(&tallies, &mut errors);
    Report {
        label: setup.label.to_string(),
        inputs: match (setup.use_hec, setup.use_nats) {
            (true, true) => "HEC + JetStream".into(),
            (true, false) => "HEC".into(),
            _ => "JetStream".into(),
        },
        target_rate: setup.rate,
        records: n,
        hec_records,
        nats_records,
        offered_rate: n as f64 / send_s,
        send_s,
        event_hours: (feed.records[n.max(1) - 1].time_ns - feed.records[0].time_ns) as f64 / 3.6e12,
        sustained_rate: rates.all,
        hec_sustained_rate: rates.hec,
        nats_sustained_rate: rates.nats,
        done_s: rates.done_ns as f64 / 1e9,
        drained,
        latency: alerts.latency,
        latency_real: alerts.latency_real,
        phantom_alerts: alerts.phantoms,
        latency_hec: alerts
            .by_input
            .get(&Input::Hec)
            .map(|v| percentiles(v.clone())),
        latency_nats: alerts
            .by_input
            .get(&Input::Nats)
            .map(|v| percentiles(v.clone())),
        hec_request_p50_ms: pct(&request_ns, 0.50) / 1e6,
        hec_request_p99_ms: pct(&request_ns, 0.99) / 1e6,
        hec_requests: hec.requests.load(Relaxed),
        hec_503: hec.busy_503.load(Relaxed),
        hec_expected_400: hec.expected_400.load(Relaxed),
        hec_other_status: hec.other_status.load(Relaxed),
        hec_transport_errors: hec.transport_errors.load(Relaxed),
        hec_records_lost: hec.records_lost.load(Relaxed),
        nats_publish_failed: nats.failed.load(Relaxed),
        nats_publish_retries: nats.retries.load(Relaxed),
        malformed_sent: hec.bad_sent.load(Relaxed) + nats.bad_published.load(Relaxed),
        records_skipped: final_scrape.sum("revertwatch_records_skipped_total"),
        duplicates: final_scrape.sum("revertwatch_duplicate_events_total"),
        late: final_scrape.sum("revertwatch_late_events_total"),
        max_consumer_lag: *tallies.watch.max_lag.lock().expect("lock"),
        alerts: alerts.count,
        duplicate_alert_ids: alerts.duplicate_ids,
        alerts_unmatched: alerts.unmatched,
        slowest: alerts.slowest,
        peak_rss_mb: *tallies.watch.peak_kb.lock().expect("lock") as f64 / 1024.0,
        rss_first_minute_mb: mean_rss_mb(&samples, 0.0, 60.0),
        rss_last_minute_mb: mean_rss_mb(&samples, send_s - 60.0, send_s),
        load1_start,
        load1_end,
        errors,
        samples,
    }
}

/// What went wrong on the senders' and the alert tail's side, after the run's own.
fn senders_errors(tallies: &Tallies, errors: &mut Vec<String>) {
    errors.extend(tallies.hec.errors.lock().expect("lock").iter().cloned());
    errors.extend(tallies.nats.errors.lock().expect("lock").iter().cloned());
    let unreadable = *tallies.unreadable_alerts.lock().expect("lock");
    if unreadable > 0 {
        errors.push(format!("{unreadable} alert lines are not JSON"));
    }
}

/// Records taken in per second, per input and over all, up to when the last was in.
struct Rates {
    all: f64,
    hec: Option<f64>,
    nats: Option<f64>,
    done_ns: u64,
}

impl Rates {
    fn of(setup: &Setup<'_>, tallies: &Tallies, sending: &Sending) -> Rates {
        let nats_records = sending.dispatched[1];
        let hec_done_ns = tallies.hec.last_accept_ns.load(Relaxed);
        let hec_accepted = tallies.hec.records_accepted.load(Relaxed) as usize;
        let rate = |records: usize, ns: u64| (ns > 0).then(|| records as f64 / (ns as f64 / 1e9));
        let hec = setup
            .use_hec
            .then(|| rate(hec_accepted, hec_done_ns))
            .flatten();
        let nats_taken = match sending.nats_done_ns {
            Some(_) => nats_records,
            None => sending.nats_last.0.min(nats_records as u64) as usize,
        };
        let nats_ns = sending.nats_done_ns.unwrap_or(sending.nats_last.1);
        let nats = setup.use_nats.then(|| rate(nats_taken, nats_ns)).flatten();
        let done_ns = hec_done_ns.max(if setup.use_nats { nats_ns } else { 0 });
        Rates {
            all: rate(hec_accepted + nats_taken, done_ns).unwrap_or(0.0),
            hec,
            nats,
            done_ns,
        }
    }
}

/// What the alerts seen say: how fast they came, and which are phantoms or repeats.
struct AlertFigures {
    count: usize,
    latency: Latency,
    /// The same without phantom alerts (see [`phantoms`]).
    latency_real: Latency,
    phantoms: usize,
    by_input: ByInput,
    unmatched: usize,
    slowest: Vec<(String, f64)>,
    duplicate_ids: usize,
}

impl AlertFigures {
    fn of(setup: &Setup<'_>, tallies: &Tallies, n: usize) -> AlertFigures {
        let feed = setup.feed;
        let sent = &tallies.sent;
        let alerts = tallies.alerts.lock().expect("alerts lock");
        let (latency, by_input, unmatched, slowest) =
            latencies(feed, sent, setup.routes, n, &alerts);
        let phantom = phantoms(
            feed,
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
        let (latency_real, ..) = latencies(feed, sent, setup.routes, n, &real);
        let mut ids = HashSet::new();
        let duplicate_ids = alerts
            .iter()
            .filter(|a| !ids.insert(a.alert_id.clone()))
            .count();
        AlertFigures {
            count: alerts.len(),
            latency,
            latency_real,
            phantoms: phantom.iter().filter(|p| **p).count(),
            by_input,
            unmatched,
            slowest,
            duplicate_ids,
        }
    }
}

/// Mean RSS over the samples between `from` and `to` seconds (0 when there are none).
fn mean_rss_mb(samples: &[Sample], from: f64, to: f64) -> f64 {
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
            .entry(routes[feed.records[i].partition as usize])
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

pub fn summarize(r: &Report) {
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
