//! Test tooling for `serve`: a simulated live feed, a running server, a NATS server, and the
//! comparisons the acceptance criteria make.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{hunt_jsonl, revertwatch};

pub const TOKEN: &str = "test-hec-token-0123456789";

pub use crate::support::free_port;

/// One simulated corpus: the files `hunt` reads, and the same records as a live feed.
pub struct Corpus {
    pub dir: tempfile::TempDir,
    /// Every record, ordered by event time as a live source delivers them.
    pub feed: Vec<Record>,
}

#[derive(Clone)]
pub struct Record {
    pub time: String,
    pub provider: &'static str,
    pub account: String,
    pub json: Value,
}

impl Corpus {
    /// `simulate` into a temp dir: all three clouds, one container each.
    pub fn simulate(size: &str, seed: u64) -> Corpus {
        Corpus::simulate_with(size, seed, &[])
    }

    pub fn simulate_with(size: &str, seed: u64, extra: &[&str]) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let seed = seed.to_string();
        revertwatch(
            &[
                "simulate",
                "--out",
                out,
                "--size",
                size,
                "--seed",
                &seed,
                "--days",
                "3",
                "--containers",
                "aws-s3-gz,azure-eventhub,gcp-jsonl",
            ]
            .into_iter()
            .chain(extra.iter().copied())
            .collect::<Vec<_>>(),
            None,
        )
        .expect_code(0);
        let mut feed = Vec::new();
        for cloud in ["aws", "azure", "gcp"] {
            for entry in walkdir::WalkDir::new(dir.path().join(cloud)).sort_by_file_name() {
                let entry = entry.unwrap();
                if entry.file_type().is_file() {
                    feed.extend(records(entry.path()));
                }
            }
        }
        feed.sort_by(|a, b| a.time.cmp(&b.time));
        assert!(
            feed.len() > 500,
            "a feed of {} records is too small to test",
            feed.len()
        );
        Corpus { dir, feed }
    }

    pub fn log_dirs(&self) -> Vec<PathBuf> {
        ["aws", "azure", "gcp"]
            .iter()
            .map(|c| self.dir.path().join(c))
            .collect()
    }

    /// What `hunt --format jsonl` finds in the same files.
    pub fn hunted(&self) -> Vec<Value> {
        let dirs = self.log_dirs();
        let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let run = hunt_jsonl(&paths, &[]);
        run.expect_code(0);
        run.jsonl()
    }
}

/// Records of one file of any container simulate writes, with their time and account.
fn records(path: &Path) -> Vec<Record> {
    let mut bytes = std::fs::read(path).unwrap();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        bytes = out;
    }
    let text = String::from_utf8(bytes).unwrap();
    let items: Vec<Value> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut o)) => match ["Records", "records", "value"]
            .iter()
            .find_map(|k| o.remove(*k))
        {
            Some(Value::Array(items)) => items,
            _ => vec![Value::Object(o)],
        },
        Ok(Value::Array(items)) => items,
        _ => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    };
    items
        .into_iter()
        .map(|json| {
            let s = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_string);
            let (provider, account) = if json.get("eventTime").is_some() {
                ("aws", s("recipientAccountId").unwrap_or_default())
            } else if json.get("protoPayload").is_some() {
                let project = json["resource"]["labels"]["project_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                ("gcp", project)
            } else {
                let sub = s("resourceId")
                    .and_then(|r| r.split('/').nth(2).map(str::to_lowercase))
                    .unwrap_or_default();
                ("azure", sub)
            };
            let time = s("eventTime")
                .or_else(|| s("time"))
                .or_else(|| s("eventTimestamp"))
                .or_else(|| s("timestamp"))
                .unwrap_or_default();
            Record {
                time,
                provider,
                account,
                json,
            }
        })
        .collect()
}

/// A HEC event body: `{"event": record}` objects, one after another.
pub fn hec_body(records: &[Record]) -> Vec<u8> {
    let mut body = Vec::new();
    for r in records {
        serde_json::to_writer(
            &mut body,
            &serde_json::json!({"event": r.json, "sourcetype": "cloudlogs"}),
        )
        .unwrap();
        body.push(b'\n');
    }
    body
}

/// A running `revertwatch serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub stderr: PathBuf,
}

impl Server {
    /// Feeds the first half of `feed` to one server, stops it (SIGTERM), and feeds the rest to
    /// a second started with the same arguments (so the same state); returns the second.
    pub fn across_a_restart(args: &[&str], log_dir: &Path, feed: &[Record]) -> Server {
        let half = feed.len() / 2;
        let first = Server::start(args, log_dir, "first");
        for batch in feed[..half].chunks(200) {
            assert_eq!(first.post_events(batch).0, 200);
        }
        assert!(first.stop().success());
        let second = Server::start(args, log_dir, "second");
        for batch in feed[half..].chunks(200) {
            assert_eq!(second.post_events(batch).0, 200);
        }
        second
    }

    /// Starts serve with `args` on a free port and waits until /readyz answers.
    pub fn start(args: &[&str], log_dir: &Path, name: &str) -> Server {
        Server::start_with(args, log_dir, name, None)
    }

    /// [`Server::start`], with the open-file limit (`ulimit -n`) set to `open_files`.
    pub fn start_with(
        args: &[&str],
        log_dir: &Path,
        name: &str,
        open_files: Option<u32>,
    ) -> Server {
        Server::spawn(args, log_dir, name, open_files, false)
    }

    fn spawn(
        args: &[&str],
        log_dir: &Path,
        name: &str,
        open_files: Option<u32>,
        tls: bool,
    ) -> Server {
        let port = free_port();
        let stderr = log_dir.join(format!("{name}.stderr"));
        let listen = format!("127.0.0.1:{port}");
        let bin = env!("CARGO_BIN_EXE_revertwatch");
        let mut command = match open_files {
            None => Command::new(bin),
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), bin]);
                sh
            }
        };
        let child = command
            .arg("serve")
            // The fixtures are dated 2026: accept any age, so that the tests never expire.
            .args(["--max-event-age", "200years"])
            .args(args)
            .args(["--listen", &listen])
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&stderr)
                    .unwrap(),
            )
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            port,
            stderr,
        };
        if tls {
            server.wait_listening();
        } else {
            server.wait_ready();
        }
        server
    }

    /// Starts serve with `args` (which serve https) and waits until its port takes connections.
    pub fn start_tls(args: &[&str], log_dir: &Path, name: &str) -> Server {
        Server::spawn(args, log_dir, name, None, true)
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("serve exited with {status}:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "serve never listened:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("serve exited with {status}:\n{}", self.log());
            }
            if let Ok((200, _)) = self.get("/readyz", false) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "serve never became ready:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .new_agent()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn get(&self, path: &str, auth: bool) -> Result<(u16, String), ureq::Error> {
        let mut req = Self::agent().get(&self.url(path));
        if auth {
            req = req.header("Authorization", &format!("Splunk {TOKEN}"));
        }
        let mut reply = req.call()?;
        let status = reply.status().as_u16();
        Ok((
            status,
            reply.body_mut().read_to_string().unwrap_or_default(),
        ))
    }

    /// POSTs a body; returns the HTTP status and HEC's JSON reply.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
        let mut req = Self::agent().post(&self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut reply = req.send(body).unwrap();
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn post_events(&self, records: &[Record]) -> (u16, Value) {
        let auth = format!("Splunk {TOKEN}");
        self.post(
            "/services/collector/event",
            &[("Authorization", &auth)],
            &hec_body(records),
        )
    }

    pub fn incidents(&self) -> Vec<Value> {
        let (status, body) = self.get("/incidents", true).unwrap();
        assert_eq!(status, 200, "{body}");
        body.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// One sample of a metric (the sum over its label sets).
    pub fn metric(&self, name: &str) -> u64 {
        let (_, text) = self.get("/metrics", false).unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.split([' ', '{']).next() == Some(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// SIGTERM, and the exit status once it drained.
    pub fn stop(self) -> std::process::ExitStatus {
        self.stop_within(Duration::from_secs(60))
    }

    /// SIGTERM, and the exit status, which must come within `limit`.
    pub fn stop_within(mut self, limit: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop within {limit:?} of SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an incident list says, in the terms the acceptance criteria compare.
pub fn verdicts(incidents: &[Value]) -> BTreeMap<String, (String, Value)> {
    incidents
        .iter()
        .map(|i| {
            (
                i["incident_id"].as_str().unwrap().to_string(),
                (
                    i["severity"].as_str().unwrap().to_string(),
                    i["suppressed_by"].clone(),
                ),
            )
        })
        .collect()
}

/// Alerts in a JSON Lines file: asserts that no alert id repeats, returns them.
pub fn alerts(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let alerts: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut seen = BTreeSet::new();
    for a in &alerts {
        let id = a["alert_id"].as_str().unwrap();
        assert!(
            seen.insert(id.to_string()),
            "alert {id} was emitted twice: {a}"
        );
    }
    alerts
}

/// The state an incident was last alerted in, per incident. An incident that a later alert
/// `supersedes` (its id changed when an earlier call arrived late) is left out: the later
/// alert stands for it.
pub fn alerted(alerts: &[Value]) -> BTreeMap<String, String> {
    let superseded: BTreeSet<&str> = alerts
        .iter()
        .flat_map(|a| a["supersedes"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let mut out = BTreeMap::new();
    for a in alerts {
        let id = a["incident_id"].as_str().unwrap();
        if superseded.contains(id) {
            continue;
        }
        let id = id.to_string();
        let sev = a["severity"].as_str().unwrap().to_string();
        let e = out.entry(id).or_insert_with(String::new);
        if e.as_str() != "escalate" {
            *e = sev;
        }
    }
    out
}

/// Writes the token file a server reads.
pub fn token_file(dir: &Path) -> PathBuf {
    let path = dir.join("hec-tokens");
    std::fs::write(&path, format!("# test token\n{TOKEN}\n")).unwrap();
    path
}

/// `scripts/ensure-nats`: Debian's nats-server, installed by the test tooling.
pub fn nats_server_bin() -> PathBuf {
    crate::support::ensure_tool("ensure-nats", "the JetStream tests")
}

/// A nats-server with JetStream; killed when dropped.
pub struct Nats {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Nats {
    /// Starts one server from a config body (with `port`, `jetstream`, ... filled by caller).
    pub fn start(config: &str, dir: &Path, name: &str, port: u16) -> Nats {
        std::fs::create_dir_all(dir).unwrap();
        let conf = dir.join(format!("{name}.conf"));
        std::fs::write(&conf, config).unwrap();
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let child = Command::new(nats_server_bin())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server {name} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nats {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` until it holds, or panics with `what` (and `context()`) after `secs`.
pub fn wait_until(secs: u64, what: &str, done: impl FnMut() -> bool) {
    wait_or(secs, what, done, String::new);
}

pub fn wait_or(
    secs: u64,
    what: &str,
    mut done: impl FnMut() -> bool,
    context: impl Fn() -> String,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The state each unsuppressed incident must have been alerted in: its final severity.
pub fn live_verdicts(incidents: &[Value]) -> BTreeMap<String, String> {
    incidents
        .iter()
        .filter(|i| i["suppressed_by"].is_null())
        .map(|i| {
            (
                i["incident_id"].as_str().unwrap().to_string(),
                i["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
