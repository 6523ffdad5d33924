//! Drives `scripts/hec-server.py`, a real HEC on loopback, for tests. Shared by the sink's own
//! tests and the CLI's (crates/cli/tests/hec_sink.rs includes this file by path), so that one
//! place knows how to start it, read what it stored, and stop it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const TOKEN: &str = "11111111-2222-3333-4444-555555555555";

/// A running `hec-server.py`, killed when dropped (a failing test must not leave it behind).
pub struct HecServer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

#[derive(Default)]
pub struct Options<'a> {
    /// How many event requests get 503 (server busy) first.
    pub busy: u32,
    /// Serve HTTPS with this certificate chain and key (PEM).
    pub tls: Option<(&'a Path, &'a Path)>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/hec-server.py")
        .canonicalize()
        .expect("scripts/hec-server.py exists")
}

impl HecServer {
    pub fn start(options: Options<'_>) -> HecServer {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("python3");
        cmd.arg(script())
            .arg("0")
            .arg(dir.path().join("events.jsonl"))
            .arg(dir.path().join("requests.jsonl"))
            .args(["--token", TOKEN, "--busy", &options.busy.to_string()])
            // Bounded: it stops by itself even if this process dies without dropping it.
            .args(["--lifetime", "300"]);
        if let Some((cert, key)) = options.tls {
            cmd.arg("--tls").arg(cert).arg(key);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run python3 (the HEC tests need it on PATH to run scripts/hec-server.py): {e}"
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = match line.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                panic!("hec-server.py did not start (first line {line:?}):\n{stderr}");
            }
        };
        HecServer { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// Everything the HEC accepted, in order: `{"request": N, "envelope": {...}}`.
    pub fn events(&self) -> Vec<Value> {
        read_jsonl(&self.dir.path().join("events.jsonl"))
    }

    /// One line per request: method, path, auth (present), status, code, events, gzip.
    pub fn requests(&self) -> Vec<Value> {
        read_jsonl(&self.dir.path().join("requests.jsonl"))
    }

    /// `(status, events)` of each event request, in order.
    pub fn statuses(&self) -> Vec<(u64, u64)> {
        self.requests()
            .iter()
            .filter(|r| r["path"] == "/services/collector/event")
            .map(|r| (r["status"].as_u64().unwrap(), r["events"].as_u64().unwrap()))
            .collect()
    }
}

impl Drop for HecServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}
