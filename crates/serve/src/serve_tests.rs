//! `serve` run in-process, through its real listener: what the engine config's test hooks
//! and the listener's limits let a test show without a child process.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use revertwatch_decode::Limits;
use revertwatch_testkit::cloudtrail::cycle;
use serde_json::Value;

use super::*;

pub const TOKEN: &str = "11111111-2222-3333-4444-555555555555";

/// A configuration for a server on a free port with its state in `dir`, HEC on, alerts to
/// `dir/alerts.jsonl`.
pub fn config(dir: &Path) -> ServeConfig {
    ServeConfig {
        engine: EngineConfig {
            pack: revertwatch_pack::load_default(),
            tuning: Default::default(),
            window: Duration::from_secs(6 * 3600),
            lateness: Duration::from_secs(3600),
            keep_closed: Duration::from_secs(7 * 86400),
            provenance_horizon: Duration::from_secs(400 * 86400),
            max_calls: 100_000,
            // The records are dated 2026: accept any age, so that the tests never expire.
            max_event_age: Duration::MAX,
            max_clock_skew: Duration::from_secs(3600),
            limits: Limits::default(),
            panic_on_event: None,
        },
        state_dir: dir.join("state"),
        dead_letter: None,
        listen: format!("127.0.0.1:{}", revertwatch_testkit::free_port())
            .parse()
            .unwrap(),
        http: HttpLimits::default(),
        tls: None,
        hec_tokens: HashSet::from([TOKEN.to_string()]),
        max_body: 1 << 20,
        max_inflight_bytes: 256 << 20,
        metrics_token: None,
        queue: 16,
        nats_url: None,
        nats_input: None,
        alerts_jsonl: Some(dir.join("alerts.jsonl")),
        alerts_subject: None,
        alerts_hec: None,
        webhook: None,
        quiet: true,
        heap_bytes: None,
    }
}

/// A server running on its own runtime thread; stopped (as by SIGTERM) when dropped.
pub struct Running {
    pub port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl Running {
    pub fn start(cfg: ServeConfig) -> Running {
        let port = cfg.listen.port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let handle = runtime.handle().clone();
            runtime.block_on(serve(cfg, handle, async {
                let _ = stopped.await;
            }))
        });
        let running = Running {
            port,
            stop: Some(stop),
            thread: Some(thread),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while running.get("/readyz").0 != 200 {
            assert!(
                std::time::Instant::now() < deadline,
                "serve never became ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        running
    }

    /// Stops it as SIGTERM does; returns what `serve` returned.
    pub fn stop(mut self) -> Result<(), ServeError> {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap()
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        match Self::agent().get(&self.url(path)).call() {
            Ok(mut r) => (
                r.status().as_u16(),
                r.body_mut().read_to_string().unwrap_or_default(),
            ),
            Err(_) => (0, String::new()),
        }
    }

    /// POSTs HEC events (one `{"event": record}` each) with the token.
    pub fn post_events(&self, records: &[String]) -> (u16, Value) {
        let mut body = String::new();
        for r in records {
            body.push_str(&format!("{{\"event\": {r}}}\n"));
        }
        let mut reply = Self::agent()
            .post(&self.url("/services/collector/event"))
            .header("Authorization", &format!("Splunk {TOKEN}"))
            .send(body.as_bytes())
            .unwrap();
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// One sample of a metric (the sum over its label sets).
    pub fn metric(&self, name: &str) -> u64 {
        let (_, text) = self.get("/metrics");
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.split([' ', '{']).next() == Some(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A batch whose processing panics is written to the dead-letter directory and acknowledged;
/// the engine goes on with the state the last commit left, the next batch alerts, and health
/// says so. Before, the panic ended the engine thread: every later batch was answered 503
/// while /healthz and /readyz said 200, and the batch, never committed, crashed it again on
/// every retry.
#[test]
fn a_batch_that_panics_the_engine_is_dead_lettered_and_the_next_one_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    let poison = cycle(
        "StopInstances",
        "2026-03-14T02:00:00Z",
        "i-0abc000000000e002",
    );
    let poison_id = "StopInstances-2026-03-14T02:00:00Z";
    cfg.engine.panic_on_event = Some(poison_id.into());
    let server = Running::start(cfg);

    let good = cycle(
        "StartInstances",
        "2026-03-14T01:00:00Z",
        "i-0abc000000000e001",
    );
    let (status, reply) = server.post_events(&[good.clone(), poison.clone()]);
    assert_eq!((status, &reply["code"]), (200, &Value::from(0)), "{reply}");

    let letters: Vec<_> = std::fs::read_dir(dir.path().join("state/dead-letter"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    let lines: Vec<Value> = std::fs::read_to_string(&letters[0])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]["bytes"].as_str().unwrap().contains(poison_id));
    assert!(lines[0]["panic"]
        .as_str()
        .unwrap()
        .contains("panic_on_event"));
    assert!(lines[0]["received"].is_string());
    assert_eq!(server.metric("revertwatch_dead_letter_batches_total"), 1);
    assert_eq!(server.metric("revertwatch_dead_letter_records_total"), 2);
    // The half-applied batch was put back: neither of its calls is held.
    assert_eq!(server.metric("revertwatch_state_calls"), 0);

    let next = cycle(
        "StopInstances",
        "2026-03-14T03:00:00Z",
        "i-0abc000000000e003",
    );
    let (status, reply) = server.post_events(&[next]);
    assert_eq!((status, &reply["code"]), (200, &Value::from(0)), "{reply}");
    assert_eq!(server.metric("revertwatch_state_calls"), 1);
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(server.get("/readyz").0, 200);
    server.stop().unwrap();
    let alerts = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    assert!(alerts.contains("i-0abc000000000e003"), "{alerts}");
    assert!(!alerts.contains("i-0abc000000000e002"), "{alerts}");
}
