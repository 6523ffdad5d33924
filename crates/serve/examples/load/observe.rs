//! What the driver watches while it sends: the alerts file as it grows, `/metrics`, and the
//! serve process's resident memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::send::SendTimes;

/// One alert line, with when the driver first saw it.
pub struct SeenAlert {
    pub seen_ns: u64,
    pub alert_id: String,
    pub incident_id: String,
    pub event_ids: Vec<String>,
}

/// Follows the alerts file, reading what was appended every few milliseconds.
pub fn tail_alerts(
    path: PathBuf,
    sent: &SendTimes,
    stop: &AtomicBool,
    out: &Mutex<Vec<SeenAlert>>,
    unreadable: &Mutex<u64>,
) {
    let mut offset = 0u64;
    let mut partial = Vec::new();
    loop {
        let last = stop.load(Relaxed);
        if let Ok(mut f) = File::open(&path) {
            if f.seek(SeekFrom::Start(offset)).is_ok() {
                let mut buf = Vec::new();
                if let Ok(n) = f.read_to_end(&mut buf) {
                    offset += n as u64;
                    let now = sent.now_ns();
                    partial.extend_from_slice(&buf);
                    while let Some(end) = partial.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = partial.drain(..=end).collect();
                        match serde_json::from_slice::<Value>(&line) {
                            Ok(v) => out.lock().expect("alerts lock").push(SeenAlert {
                                seen_ns: now,
                                alert_id: text(&v, "alert_id"),
                                incident_id: text(&v, "incident_id"),
                                event_ids: v["event_ids"]
                                    .as_array()
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(|e| e.as_str().map(str::to_string))
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            }),
                            Err(_) => *unreadable.lock().expect("lock") += 1,
                        }
                    }
                }
            }
        }
        if last {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// `/metrics` as numbers, by series (`name{labels}`).
#[derive(Debug, Clone, Default)]
pub struct Scrape(pub BTreeMap<String, f64>);

impl Scrape {
    pub fn get(&self, series: &str) -> f64 {
        self.0.get(series).copied().unwrap_or(0.0)
    }

    /// Every series of a metric, added up.
    pub fn sum(&self, name: &str) -> f64 {
        self.0
            .iter()
            .filter(|(k, _)| *k == name || k.starts_with(&format!("{name}{{")))
            .map(|(_, v)| v)
            .sum()
    }

    pub fn fetch(agent: &ureq::Agent, base: &str) -> Option<Scrape> {
        let mut reply = agent.get(format!("{base}/metrics")).call().ok()?;
        let text = reply.body_mut().read_to_string().ok()?;
        let mut map = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((series, value)) = line.rsplit_once(' ') {
                if let Ok(v) = value.parse::<f64>() {
                    map.insert(series.to_string(), v);
                }
            }
        }
        Some(Scrape(map))
    }
}

/// One periodic sample of the serve process.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    pub t_s: f64,
    pub rss_kb: u64,
    pub state_calls: u64,
    #[serde(default)]
    pub state_bytes: u64,
    /// What the allocator holds for the program (`revertwatch_heap_bytes`), in kB.
    #[serde(default)]
    pub heap_kb: u64,
    pub consumer_lag: u64,
    pub events_hec: u64,
    pub events_nats: u64,
    pub alerts: u64,
    pub load1: f64,
}

/// Resident and peak resident memory of a process, in kB.
pub fn rss_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

pub fn load1() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// The sampler's shared view: the latest scrape, and the RSS series.
#[derive(Default)]
pub struct Watch {
    pub latest: Mutex<Scrape>,
    pub samples: Mutex<Vec<Sample>>,
    pub peak_kb: Mutex<u64>,
    pub max_lag: Mutex<u64>,
}

/// Scrapes `/metrics` every 250 ms and takes an RSS sample every `every`.
pub fn sample(
    base: &str,
    pid: Option<u32>,
    every: Duration,
    sent: &SendTimes,
    stop: &AtomicBool,
    watch: &Arc<Watch>,
) {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut next_sample = 0u64;
    while !stop.load(Relaxed) {
        if let Some(scrape) = Scrape::fetch(&agent, base) {
            let lag = scrape.sum("revertwatch_consumer_lag") as u64;
            {
                let mut max_lag = watch.max_lag.lock().expect("lock");
                *max_lag = (*max_lag).max(lag);
            }
            let now = sent.now_ns();
            if now >= next_sample {
                next_sample = now + every.as_nanos() as u64;
                let (rss, hwm) = pid.and_then(rss_kb).unwrap_or((0, 0));
                {
                    let mut peak = watch.peak_kb.lock().expect("lock");
                    *peak = (*peak).max(hwm).max(rss);
                }
                watch.samples.lock().expect("lock").push(Sample {
                    t_s: now as f64 / 1e9,
                    rss_kb: rss,
                    state_calls: scrape.get("revertwatch_state_calls") as u64,
                    state_bytes: scrape.get("revertwatch_state_bytes") as u64,
                    heap_kb: (scrape.get("revertwatch_heap_bytes") / 1024.0) as u64,
                    consumer_lag: lag,
                    events_hec: scrape.get("revertwatch_events_received_total{source=\"hec\"}")
                        as u64,
                    events_nats: scrape.get("revertwatch_events_received_total{source=\"nats\"}")
                        as u64,
                    alerts: scrape.sum("revertwatch_alerts_total") as u64,
                    load1: load1(),
                });
            }
            *watch.latest.lock().expect("lock") = scrape;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
