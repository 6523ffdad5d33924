//! What the pacer hands the senders (records and malformed items, in batches), and the HEC
//! sender: requests from a pool of connections, mixing in malformed input on request. The
//! JetStream publisher is in publish.rs.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::Receiver;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::feed::Feed;

/// The input of serve a record is sent over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Hec,
    Nats,
}

/// What goes into a batch: a record of the feed, or something no parser should accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Record(usize),
    Bad(Bad),
}

/// Malformed input, as a broken forwarder or a hostile sender produces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// HEC: an event object cut short (HEC answers 400 code 6 after the events before it).
    CutEvent,
    /// HEC: an object without `event` (400 code 12).
    MissingEvent,
    /// HEC: an event that is a string of non-JSON text.
    NotARecord,
    /// A record larger than the server's `--max-record-bytes`.
    Oversized,
    /// A record cut in the middle, inside a raw HEC body or as a JetStream message.
    Truncated(usize),
    /// JetStream: bytes that are not text at all.
    Binary(u64),
}

impl Bad {
    /// Whether HEC stops reading the request body at this item.
    fn stops_hec(self) -> bool {
        matches!(self, Bad::CutEvent | Bad::MissingEvent)
    }
}

/// Well over the 256 KiB `--max-record-bytes` the soak gives `serve` (CloudTrail's own cap),
/// and under NATS's 1 MB payload limit. The decoder enforces the limit only on records that
/// outgrow its read buffer (a 300 KB record is read whole: see docs/RELIABILITY.md, Soak).
pub const OVERSIZED_BYTES: usize = 900 * 1024;

/// A CloudTrail-shaped record too large to read, with an id of its own so that, were it
/// accepted, each copy would show as a call (not fold into one as a duplicate).
pub fn oversized(n: u64) -> Vec<u8> {
    let mut v = format!(
        r#"{{"eventVersion":"1.08","eventID":"oversized-{n}","eventTime":"2026-03-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"StopInstances","padding":""#
    )
    .into_bytes();
    v.resize(v.len() + OVERSIZED_BYTES, b'x');
    v.extend_from_slice(b"\"}");
    v
}

/// Send times of the feed's records, in ns after the run's start (0: not sent yet).
pub struct SendTimes {
    pub t0: Instant,
    at: Vec<AtomicU64>,
}

impl SendTimes {
    pub fn new(t0: Instant, n: usize) -> SendTimes {
        SendTimes {
            t0,
            at: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64 + 1
    }

    /// Keeps the first send: a retried batch counts from when it was first offered.
    pub fn mark(&self, i: usize, ns: u64) {
        let _ = self.at[i].compare_exchange(0, ns, Relaxed, Relaxed);
    }

    pub fn get(&self, i: usize) -> Option<u64> {
        let v = self.at[i].load(Relaxed);
        (v > 0).then_some(v)
    }
}

#[derive(Default)]
pub struct HecStats {
    pub requests: AtomicU64,
    pub ok: AtomicU64,
    /// 400s that name exactly the malformed item the driver put last.
    pub expected_400: AtomicU64,
    pub busy_503: AtomicU64,
    pub other_status: AtomicU64,
    pub transport_errors: AtomicU64,
    pub records_accepted: AtomicU64,
    pub records_lost: AtomicU64,
    pub bad_sent: AtomicU64,
    pub last_accept_ns: AtomicU64,
    pub request_ns: Mutex<Vec<u64>>,
    pub errors: Mutex<Vec<String>>,
}

impl HecStats {
    /// Request durations in nanoseconds, sorted for percentiles.
    pub fn sorted_request_ns(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .request_ns
            .lock()
            .expect("lock")
            .iter()
            .map(|ns| *ns as f64)
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }
}

pub struct HecTarget {
    pub base: String,
    pub token: String,
    pub gzip_every: u64,
    pub raw_every: u64,
}

pub struct HecBatch {
    pub seq: u64,
    pub items: Vec<Item>,
}

/// One HEC connection: takes batches until the pacer hangs up.
pub fn hec_worker(
    feed: &Feed,
    sent: &SendTimes,
    stats: &HecStats,
    target: &HecTarget,
    rx: &Mutex<Receiver<HecBatch>>,
) {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let auth = format!("Splunk {}", target.token);
    loop {
        let next = rx.lock().expect("queue lock").recv();
        let Ok(batch) = next else { break };
        let request = HecRequest::new(feed, target, &batch);
        let records: Vec<usize> = batch
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some(*r),
                Item::Bad(_) => None,
            })
            .collect();
        let bad = batch.items.len() - records.len();
        stats.bad_sent.fetch_add(bad as u64, Relaxed);
        let first = sent.now_ns();
        for r in &records {
            sent.mark(*r, first);
        }
        let accepted = request.post(&agent, &auth, &target.base, stats);
        if accepted {
            stats
                .records_accepted
                .fetch_add(records.len() as u64, Relaxed);
            stats.last_accept_ns.fetch_max(sent.now_ns(), Relaxed);
        } else {
            stats.records_lost.fetch_add(records.len() as u64, Relaxed);
        }
    }
}

/// One batch as an HEC request: to the event or the raw endpoint, gzipped or not.
struct HecRequest {
    path: &'static str,
    body: Vec<u8>,
    gzip: bool,
    /// The event HEC must name in its 400 when the batch ends with one that stops it.
    stop_at: Option<usize>,
}

impl HecRequest {
    fn new(feed: &Feed, target: &HecTarget, batch: &HecBatch) -> HecRequest {
        let raw = target.raw_every > 0 && batch.seq % target.raw_every == target.raw_every - 1;
        let (path, body, stop_at) = if raw {
            (
                "/services/collector/raw",
                raw_body(feed, &batch.items),
                None,
            )
        } else {
            let (body, stop_at) = event_body(feed, &batch.items, batch.seq);
            ("/services/collector/event", body, stop_at)
        };
        let gzip = target.gzip_every > 0 && batch.seq.is_multiple_of(target.gzip_every);
        let body = if gzip { gzip_bytes(&body) } else { body };
        HecRequest {
            path,
            body,
            gzip,
            stop_at,
        }
    }

    /// Sends until HEC takes the batch (true), or answers what it should not, or the
    /// connection fails 20 times (false). A 503 is waited out, as a forwarder does.
    fn post(&self, agent: &ureq::Agent, auth: &str, base: &str, stats: &HecStats) -> bool {
        let url = format!("{base}{}", self.path);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let started = Instant::now();
            let mut req = agent.post(&url).header("Authorization", auth);
            if self.gzip {
                req = req.header("Content-Encoding", "gzip");
            }
            stats.requests.fetch_add(1, Relaxed);
            let reply = req.send(&self.body[..]);
            let took = started.elapsed().as_nanos() as u64;
            let (status, text) = match reply {
                Ok(mut r) => (
                    r.status().as_u16(),
                    r.body_mut().read_to_string().unwrap_or_default(),
                ),
                Err(e) => {
                    stats.transport_errors.fetch_add(1, Relaxed);
                    note(stats, format!("{url}: {e}"));
                    if attempt >= 20 {
                        return false;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            stats.request_ns.lock().expect("stats lock").push(took);
            let named = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["invalid-event-number"].as_u64());
            match status {
                200 if self.stop_at.is_none() => {
                    stats.ok.fetch_add(1, Relaxed);
                }
                400 if self.stop_at.is_some() && named == self.stop_at.map(|n| n as u64) => {
                    stats.expected_400.fetch_add(1, Relaxed);
                }
                503 => {
                    stats.busy_503.fetch_add(1, Relaxed);
                    std::thread::sleep(Duration::from_millis(5 * u64::from(attempt.min(20))));
                    continue;
                }
                _ => {
                    stats.other_status.fetch_add(1, Relaxed);
                    note(stats, format!("{}: HTTP {status}: {text}", self.path));
                    return false;
                }
            }
            return true;
        }
    }
}

fn note(stats: &HecStats, e: String) {
    let mut errors = stats.errors.lock().expect("stats lock");
    if errors.len() < 10 {
        errors.push(e);
    }
}

/// HEC's event endpoint: `{"event": record}` objects back to back. Records first, then
/// malformed events, at most one of them a kind that stops HEC reading, and that one last;
/// returns the index HEC's reply must name for it.
fn event_body(feed: &Feed, items: &[Item], seq: u64) -> (Vec<u8>, Option<usize>) {
    let mut body = Vec::new();
    let mut n = 0;
    let mut stopper = None;
    let mut ordered: Vec<Item> = items
        .iter()
        .copied()
        .filter(|i| matches!(i, Item::Record(_)))
        .collect();
    for item in items {
        if let Item::Bad(b) = item {
            if b.stops_hec() && stopper.is_none() {
                stopper = Some(*b);
            } else if b.stops_hec() {
                ordered.push(Item::Bad(Bad::NotARecord));
            } else {
                ordered.push(*item);
            }
        }
    }
    for item in ordered {
        match item {
            Item::Record(r) => {
                body.extend_from_slice(b"{\"event\":");
                body.extend_from_slice(feed.json(r));
                body.extend_from_slice(b"}\n");
            }
            Item::Bad(Bad::Oversized) => {
                body.extend_from_slice(b"{\"event\":");
                body.extend_from_slice(&oversized(seq * 1000 + n as u64));
                body.extend_from_slice(b"}\n");
            }
            Item::Bad(Bad::Truncated(r)) => {
                // As an event, a cut record is a string holding half a record.
                let half = &feed.json(r)[..feed.json(r).len() / 2];
                let s = serde_json::to_string(&String::from_utf8_lossy(half)).unwrap_or_default();
                body.extend_from_slice(format!("{{\"event\":{s}}}\n").as_bytes());
            }
            Item::Bad(_) => {
                body.extend_from_slice(b"{\"event\":\"\\u0000\\u0007 not a record <script>\"}\n");
            }
        }
        n += 1;
    }
    let stop_at = stopper.map(|b| {
        match b {
            Bad::MissingEvent => {
                body.extend_from_slice(b"{\"time\":1772323200,\"host\":\"fw-03\"}")
            }
            _ => body
                .extend_from_slice(b"{\"event\":{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-"),
        }
        n
    });
    (body, stop_at)
}

/// HEC's raw endpoint: the records as JSON Lines, as a forwarder sends a file; each
/// malformed item becomes a record cut in the middle, placed among the good ones.
fn raw_body(feed: &Feed, items: &[Item]) -> Vec<u8> {
    let mut body = Vec::new();
    for item in items {
        match item {
            Item::Record(r) => body.extend_from_slice(feed.json(*r)),
            Item::Bad(Bad::Truncated(r)) => {
                let json = feed.json(*r);
                body.extend_from_slice(&json[..json.len() / 2]);
            }
            Item::Bad(_) => body.extend_from_slice(b"{\"eventVersion\":\"1.08\",\"eventTi"),
        }
        body.push(b'\n');
    }
    body
}

fn gzip_bytes(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = gz.write_all(body);
    gz.finish().unwrap_or_default()
}
