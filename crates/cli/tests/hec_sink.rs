//! `hunt --hec-url`: incidents to a Splunk HTTP Event Collector. The HEC is
//! scripts/hec-server.py, the real protocol on 127.0.0.1 (python3 from PATH, stdlib only).

mod support;

// One driver for the test HEC, shared with the sink crate's own tests.
#[path = "../../sink/tests/hec_server/mod.rs"]
mod hec_server;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use hec_server::{HecServer, Options, TOKEN};
use serde_json::Value;
use support::{fixture, Run};

const BATCH: usize = 7;

/// `revertwatch hunt <scenarios> --format jsonl` plus `extra`, with `token` as
/// $REVERTWATCH_HEC_TOKEN (else unset) and no proxy from the environment.
fn hunt(extra: &[&str], token: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revertwatch"));
    cmd.arg("hunt")
        .arg(fixture("scenarios"))
        .args(["--format", "jsonl"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env_remove("REVERTWATCH_HEC_TOKEN");
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        cmd.env_remove(var);
    }
    if let Some(token) = token {
        cmd.env("REVERTWATCH_HEC_TOKEN", token);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn token_file(hec: &HecServer, token: &str) -> PathBuf {
    let path = hec.dir.path().join("hec-token");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    path
}

#[test]
fn hunt_sends_its_jsonl_incidents_to_the_hec_in_batches_through_back_pressure() {
    let hec = HecServer::start(Options {
        busy: 2,
        ..Options::default()
    });
    let token = token_file(&hec, TOKEN);
    let run = hunt(
        &[
            "--hec-url",
            &hec.url(),
            "--hec-token-file",
            token.to_str().unwrap(),
            "--hec-batch",
            &BATCH.to_string(),
        ],
        None,
    );
    run.expect_code(0);
    let incidents = run.jsonl();
    assert!(
        incidents.len() > 2 * BATCH,
        "the fixtures make several batches"
    );

    // The events are the jsonl incidents, in order, as the same JSON.
    let events = hec.events();
    let sent: Vec<&Value> = events.iter().map(|e| &e["envelope"]["event"]).collect();
    let ids =
        |v: &[&Value]| -> Vec<String> { v.iter().map(|i| i["incident_id"].to_string()).collect() };
    assert_eq!(ids(&sent), ids(&incidents.iter().collect::<Vec<_>>()));
    for (got, want) in sent.iter().zip(&incidents) {
        assert_eq!(*got, want);
    }
    for event in &events {
        assert_eq!(event["envelope"]["sourcetype"], "revertwatch:incident");
        assert_eq!(event["envelope"]["host"], "revertwatch");
        assert!(event["envelope"]["time"].is_f64(), "{event}");
    }

    // Two 503s (HEC busy), retried; then batches of at most 7, all but the last full.
    let statuses = hec.statuses();
    assert_eq!(statuses[..2], [(503, 0), (503, 0)], "{statuses:?}");
    let batches: Vec<usize> = statuses[2..]
        .iter()
        .map(|&(status, events)| {
            assert_eq!(status, 200, "{statuses:?}");
            events as usize
        })
        .collect();
    let full = incidents.len() / BATCH;
    assert_eq!(
        batches.len(),
        incidents.len().div_ceil(BATCH),
        "{batches:?}"
    );
    assert!(batches[..full].iter().all(|&n| n == BATCH), "{batches:?}");
    assert_eq!(batches.iter().sum::<usize>(), incidents.len());

    let summary = format!(
        "sent {} incidents to HEC in {} batches (2 retries)",
        incidents.len(),
        batches.len()
    );
    assert!(run.stderr.contains(&summary), "{}", run.stderr);
    assert!(
        run.stderr.contains("plain http://"),
        "plain http is warned about: {}",
        run.stderr
    );
}

#[test]
fn the_token_may_come_from_the_environment() {
    let hec = HecServer::start(Options::default());
    let run = hunt(&["--hec-url", &hec.url()], Some(TOKEN));
    run.expect_code(0);
    assert_eq!(hec.events().len(), run.jsonl().len());
}

#[test]
fn a_wrong_token_exits_2_says_to_check_the_token_and_stores_nothing() {
    let hec = HecServer::start(Options::default());
    let token = token_file(&hec, "00000000-0000-0000-0000-000000000000");
    let run = hunt(
        &[
            "--hec-url",
            &hec.url(),
            "--hec-token-file",
            token.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(2);
    assert!(run.stderr.contains("check the token"), "{}", run.stderr);
    assert!(run.stderr.contains("Invalid token"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("00000000-0000"),
        "the token leaked: {}",
        run.stderr
    );
    assert!(hec.events().is_empty());
    assert_eq!(
        hec.statuses(),
        vec![(403, 0)],
        "a refused token is not retried"
    );
}

#[test]
fn no_token_is_a_clear_error_before_any_request() {
    let hec = HecServer::start(Options::default());
    let run = hunt(&["--hec-url", &hec.url()], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--hec-token-file") && run.stderr.contains("REVERTWATCH_HEC_TOKEN"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "it fails before hunting");

    let empty = token_file(&hec, "  ");
    let run = hunt(
        &[
            "--hec-url",
            &hec.url(),
            "--hec-token-file",
            empty.to_str().unwrap(),
        ],
        Some(TOKEN),
    );
    run.expect_code(2);
    assert!(run.stderr.contains("no token"), "{}", run.stderr);

    let missing = hec.dir.path().join("no-such-token");
    let run = hunt(
        &[
            "--hec-url",
            &hec.url(),
            "--hec-token-file",
            missing.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot read the HEC token file"),
        "{}",
        run.stderr
    );
    assert!(hec.requests().is_empty());
}

#[test]
fn a_garbage_ca_file_is_a_clear_error_before_any_request() {
    let hec = HecServer::start(Options::default());
    let token = token_file(&hec, TOKEN);
    let garbage = hec.dir.path().join("garbage-ca.pem");
    std::fs::write(&garbage, "not a certificate at all\n").unwrap();
    let run = hunt(
        &[
            "--hec-url",
            &hec.url(),
            "--hec-token-file",
            token.to_str().unwrap(),
            "--hec-ca",
            garbage.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("garbage-ca.pem") && run.stderr.contains("--hec-ca takes a PEM file"),
        "{}",
        run.stderr
    );
    assert!(hec.requests().is_empty());
}

#[test]
fn hec_flags_without_a_url_are_a_usage_error() {
    let run = hunt(&["--hec-index", "security"], Some(TOKEN));
    run.expect_code(2);
    assert!(run.stderr.contains("--hec-url"), "{}", run.stderr);
}
