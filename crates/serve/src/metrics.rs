//! Counters for `/metrics`, in the Prometheus text format.
//!
//! Written by hand: a dozen series, each two lines of text; a metrics crate would add a
//! registry and a dependency tree for less than it saves.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// Where an event came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Hec,
    Nats,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Hec => "hec",
            Source::Nats => "nats",
        }
    }
}

#[derive(Default)]
pub struct PerSource {
    pub events: AtomicU64,
    pub records: AtomicU64,
    pub skipped: AtomicU64,
}

/// Incidents held now, by what an analyst would see.
#[derive(Debug, Default, Clone, Copy)]
pub struct IncidentCounts {
    pub review: u64,
    pub escalate: u64,
    pub suppressed: u64,
    pub failed_only: u64,
    /// Routine resets (severity info): held, never alerted.
    pub info: u64,
}

#[derive(Default)]
pub struct Metrics {
    pub hec: PerSource,
    pub nats: PerSource,
    pub duplicates: AtomicU64,
    pub late: AtomicU64,
    /// Records whose event time was outside --max-event-age / --max-clock-skew.
    pub quarantined: AtomicU64,
    pub evicted: AtomicU64,
    /// Batches that panicked the engine, written to the dead-letter directory, and their events.
    pub dead_letter_batches: AtomicU64,
    pub dead_letter_records: AtomicU64,
    pub alerts_opened: AtomicU64,
    pub alerts_escalated: AtomicU64,
    pub alerts_pending: AtomicU64,
    pub alert_failures: AtomicU64,
    pub state_calls: AtomicU64,
    pub state_bytes: AtomicU64,
    pub incidents: Mutex<IncidentCounts>,
    pub lag: Mutex<BTreeMap<String, u64>>,
    pub hec_replies: Mutex<BTreeMap<u16, u64>>,
    pub ready: AtomicBool,
    /// HTTP connections open now; closed to make room for a newer one (idle), or refused
    /// because every open one had a request in progress.
    pub connections_open: AtomicU64,
    pub connections_evicted: AtomicU64,
    pub connections_refused: AtomicU64,
    /// HEC body bytes held now against --max-inflight-bytes, the most ever held, and the
    /// requests refused (503) for want of them.
    pub inflight_bytes: AtomicU64,
    pub inflight_peak: AtomicU64,
    pub inflight_refused: AtomicU64,
    pub heap_bytes: Option<fn() -> u64>,
}

impl Metrics {
    pub fn source(&self, s: Source) -> &PerSource {
        match s {
            Source::Hec => &self.hec,
            Source::Nats => &self.nats,
        }
    }

    pub fn hec_reply(&self, status: u16) {
        *self
            .hec_replies
            .lock()
            .expect("metrics lock")
            .entry(status)
            .or_default() += 1;
    }

    /// The Prometheus text exposition of every metric, in a fixed order.
    pub fn render(&self) -> String {
        let mut o = Exposition(String::new());
        self.render_intake(&mut o);
        self.render_alerts(&mut o);
        self.render_state(&mut o);
        self.render_http(&mut o);
        self.render_budget(&mut o);
        let replies = self.hec_replies.lock().expect("metrics lock").clone();
        o.family(
            "revertwatch_hec_requests_total",
            "HEC requests answered, by HTTP status.",
            "counter",
            replies
                .into_iter()
                .map(|(k, v)| (format!("status=\"{k}\""), v))
                .collect(),
        );
        o.0
    }

    /// The listener: connections, and those shed at the cap.
    fn render_http(&self, o: &mut Exposition) {
        o.family(
            "revertwatch_http_connections",
            "HTTP connections open now.",
            "gauge",
            one(&self.connections_open),
        );
        o.family(
            "revertwatch_http_connections_shed_total",
            "Connections closed at --max-connections: an idle one to make room (idle), or a new one when every open one had a request in progress (busy).",
            "counter",
            vec![
                ("reason=\"idle\"".into(), self.connections_evicted.load(Relaxed)),
                ("reason=\"busy\"".into(), self.connections_refused.load(Relaxed)),
            ],
        );
    }

    /// The in-flight budget of HEC bodies.
    fn render_budget(&self, o: &mut Exposition) {
        o.family(
            "revertwatch_hec_inflight_bytes",
            "Bytes of HEC bodies (as sent and inflated) held now, until their batch commits.",
            "gauge",
            one(&self.inflight_bytes),
        );
        o.family(
            "revertwatch_hec_inflight_bytes_peak",
            "The most bytes of HEC bodies held at once since start (never above --max-inflight-bytes).",
            "gauge",
            one(&self.inflight_peak),
        );
        o.family(
            "revertwatch_hec_inflight_refused_total",
            "HEC requests answered 503 because --max-inflight-bytes had no room for them.",
            "counter",
            one(&self.inflight_refused),
        );
    }

    fn per_source(&self, f: fn(&PerSource) -> &AtomicU64) -> Vec<(String, u64)> {
        [Source::Hec, Source::Nats]
            .iter()
            .map(|s| {
                (
                    format!("source=\"{}\"", s.as_str()),
                    f(self.source(*s)).load(Relaxed),
                )
            })
            .collect()
    }

    /// What came in, and what of it was skipped, repeated or too late.
    fn render_intake(&self, o: &mut Exposition) {
        o.family(
            "revertwatch_events_received_total",
            "Events received (HEC events and raw bodies, JetStream messages).",
            "counter",
            self.per_source(|p| &p.events),
        );
        o.family(
            "revertwatch_records_total",
            "Log records read from the events.",
            "counter",
            self.per_source(|p| &p.records),
        );
        o.family(
            "revertwatch_records_skipped_total",
            "Records skipped as unreadable (malformed, too large, too deep).",
            "counter",
            self.per_source(|p| &p.skipped),
        );
        o.family(
            "revertwatch_duplicate_events_total",
            "Events already held (redelivered or resent), which changed nothing.",
            "counter",
            one(&self.duplicates),
        );
        o.family(
            "revertwatch_late_events_total",
            "Events older than their partition's newest call less --allowed-lateness when they arrived: incidents around them may be split.",
            "counter",
            one(&self.late),
        );
        o.family(
            "revertwatch_quarantined_events_total",
            "Events whose time was outside --max-event-age / --max-clock-skew around the time received: reported, never detected.",
            "counter",
            one(&self.quarantined),
        );
        o.family(
            "revertwatch_state_evictions_total",
            "Calls evicted from state because --max-state-calls was reached.",
            "counter",
            one(&self.evicted),
        );
        o.family(
            "revertwatch_dead_letter_batches_total",
            "Batches that panicked the engine: written to the dead-letter directory and acknowledged.",
            "counter",
            one(&self.dead_letter_batches),
        );
        o.family(
            "revertwatch_dead_letter_records_total",
            "Events (HEC events and raw bodies, JetStream messages) of the dead-lettered batches.",
            "counter",
            one(&self.dead_letter_records),
        );
    }

    /// What went out: alerts, their delivery, and the incidents held.
    fn render_alerts(&self, o: &mut Exposition) {
        o.family(
            "revertwatch_alerts_total",
            "Alerts emitted, by kind.",
            "counter",
            vec![
                ("kind=\"opened\"".into(), self.alerts_opened.load(Relaxed)),
                (
                    "kind=\"escalated\"".into(),
                    self.alerts_escalated.load(Relaxed),
                ),
            ],
        );
        o.family(
            "revertwatch_alerts_pending",
            "Alerts committed but not yet delivered to every sink.",
            "gauge",
            one(&self.alerts_pending),
        );
        o.family(
            "revertwatch_alert_delivery_failures_total",
            "Failed attempts to deliver alerts (they are retried).",
            "counter",
            one(&self.alert_failures),
        );
        let c = *self.incidents.lock().expect("metrics lock");
        o.family(
            "revertwatch_incidents",
            "Incidents held now, by severity (suppressed ones apart).",
            "gauge",
            vec![
                ("severity=\"review\"".into(), c.review),
                ("severity=\"escalate\"".into(), c.escalate),
                ("severity=\"suppressed\"".into(), c.suppressed),
                ("severity=\"none\"".into(), c.failed_only),
                ("severity=\"info\"".into(), c.info),
            ],
        );
    }

    /// How far behind the consumers are, and what state and memory cost.
    fn render_state(&self, o: &mut Exposition) {
        let lag = self.lag.lock().expect("metrics lock").clone();
        o.family(
            "revertwatch_consumer_lag",
            "Messages pending on each JetStream consumer this instance reads.",
            "gauge",
            lag.into_iter()
                .map(|(k, v)| (format!("consumer=\"{}\"", label(&k)), v))
                .collect(),
        );
        o.family(
            "revertwatch_state_calls",
            "Calls held in incident state.",
            "gauge",
            one(&self.state_calls),
        );
        o.family(
            "revertwatch_state_bytes",
            "Size of the state file on disk.",
            "gauge",
            one(&self.state_bytes),
        );
        if let Some(heap) = self.heap_bytes {
            o.family(
                "revertwatch_heap_bytes",
                "Bytes allocated and not freed; resident memory above it is code, stacks and pages the allocator keeps for reuse.",
                "gauge",
                vec![(String::new(), heap())],
            );
        }
        if let Some(rss) = resident_bytes() {
            o.family(
                "process_resident_memory_bytes",
                "Resident memory of this process.",
                "gauge",
                vec![(String::new(), rss)],
            );
        }
    }
}

/// The Prometheus text format being written.
struct Exposition(String);

impl Exposition {
    /// One metric family: its HELP and TYPE lines, then a sample per label set.
    fn family(&mut self, name: &str, help: &str, kind: &str, rows: Vec<(String, u64)>) {
        let o = &mut self.0;
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, v) in rows {
            if labels.is_empty() {
                let _ = writeln!(o, "{name} {v}");
            } else {
                let _ = writeln!(o, "{name}{{{labels}}} {v}");
            }
        }
    }
}

/// An unlabelled sample.
fn one(a: &AtomicU64) -> Vec<(String, u64)> {
    vec![(String::new(), a.load(Relaxed))]
}

/// A label value, escaped as the text format requires.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Resident memory, from `VmRSS` in `/proc/self/status` (kB), where there is one.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
