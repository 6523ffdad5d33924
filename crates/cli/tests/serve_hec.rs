//! `serve` through its Splunk-HEC-compatible receiver: the same incidents as `hunt`, HEC's own
//! replies, and state that survives a restart.

// One driver for the test HEC, shared with the sink crate's own tests.
#[path = "../../sink/tests/hec_server/mod.rs"]
mod hec_server;
#[path = "support/live.rs"]
mod live;
mod support;

use std::io::Write;

use live::{alerted, alerts, token_file, verdicts, Corpus, Record, Server, TOKEN};
use serde_json::Value;

fn serve_args<'a>(state: &'a str, tokens: &'a str, alerts: &'a str) -> Vec<&'a str> {
    vec![
        "--state-dir",
        state,
        "--hec-token-file",
        tokens,
        "--alerts-jsonl",
        alerts,
    ]
}

/// A server with a fresh state directory and an alerts file, in a temp dir, run with `extra`
/// flags besides.
fn started(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state");
    let alerts_file = work.path().join("alerts.jsonl");
    let tokens = token_file(work.path());
    let mut args = serve_args(
        state.to_str().unwrap(),
        tokens.to_str().unwrap(),
        alerts_file.to_str().unwrap(),
    );
    args.extend_from_slice(extra);
    let server = Server::start(&args, work.path(), "serve");
    (work, alerts_file, server)
}

/// Posts the feed in batches of 250 events, each accepted.
fn post_all(server: &Server, feed: &[Record]) {
    for batch in feed.chunks(250) {
        assert_eq!(server.post_events(batch).0, 200);
    }
}

/// The feed posted in time order, in batches as a forwarder sends them, some gzip'd, gives
/// exactly hunt's incidents; each live incident alerts once per state, and nothing else does.
#[test]
fn hec_round_trip_matches_hunt() {
    let corpus = Corpus::simulate("3MB", 5);
    let (_work, alerts_file, server) = started(&[]);
    let auth = format!("Splunk {TOKEN}");
    for (n, batch) in corpus.feed.chunks(100).enumerate() {
        let (status, reply) = if n % 3 == 0 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&live::hec_body(batch)).unwrap();
            server.post(
                "/services/collector/event",
                &[("Authorization", &auth), ("Content-Encoding", "gzip")],
                &gz.finish().unwrap(),
            )
        } else {
            server.post_events(batch)
        };
        assert_eq!((status, &reply["code"]), (200, &Value::from(0)), "{reply}");
    }
    let hunted = corpus.hunted();
    let served = server.incidents();
    assert!(
        hunted.iter().any(|i| i["severity"] == "escalate"),
        "the corpus must hold a full revert for this test to mean anything"
    );
    assert_eq!(
        verdicts(&served),
        verdicts(&hunted),
        "serve and hunt disagree"
    );

    let sent = alerts(&alerts_file);
    let live = live::live_verdicts(&hunted);
    assert_eq!(alerted(&sent), live, "alerts are not the live incidents");
    assert_eq!(server.metric("revertwatch_records_skipped_total"), 0);
    assert_eq!(
        server.metric("revertwatch_events_received_total"),
        corpus.feed.len() as u64
    );
    assert!(server.stop().success());
}

/// Resending a batch (a forwarder's retry) changes nothing and alerts nothing.
#[test]
fn resent_events_change_nothing() {
    let corpus = Corpus::simulate("1MB", 7);
    let (_work, alerts_file, server) = started(&[]);
    post_all(&server, &corpus.feed);
    let before = server.incidents();
    let alerts_before = alerts(&alerts_file).len();
    let calls = server.metric("revertwatch_state_calls");
    assert!(calls > 0);
    post_all(&server, &corpus.feed);
    assert_eq!(verdicts(&server.incidents()), verdicts(&before));
    assert_eq!(alerts(&alerts_file).len(), alerts_before);
    assert_eq!(server.metric("revertwatch_state_calls"), calls);
    assert!(server.metric("revertwatch_duplicate_events_total") >= calls);
}

/// `/metrics` shows the heap the program holds beside resident memory, so that an operator
/// (and the soak) can tell state from memory the allocator keeps.
#[test]
fn metrics_tell_the_heap_held_from_resident_memory() {
    let corpus = Corpus::simulate("1MB", 7);
    let (_work, _alerts, server) = started(&[]);
    post_all(&server, &corpus.feed);
    assert!(server.metric("revertwatch_state_calls") > 0);
    let heap = server.metric("revertwatch_heap_bytes");
    let resident = server.metric("process_resident_memory_bytes");
    // The held calls, the runtime and redb's cache are at least a few hundred KiB; all of it
    // is resident, beside the code and the allocator's free pages.
    assert!(heap > 256 << 10, "heap {heap}");
    assert!(resident > heap, "resident {resident}, heap {heap}");
}

/// HEC's replies for a missing, malformed and wrong token, and for a body over the limit;
/// none of them changes state. A bad event mid-body is named, and the ones before it kept.
#[test]
fn hec_auth_limits_and_bad_events() {
    let corpus = Corpus::simulate("1MB", 9);
    let (_work, _, server) = started(&["--max-body-bytes", "200000"]);
    let (status, health) = server.get("/services/collector/health", false).unwrap();
    assert_eq!(status, 200);
    assert!(health.contains("\"code\":17"), "{health}");

    let body = live::hec_body(&corpus.feed[..20]);
    let event = "/services/collector/event";
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Headers, u16, i64); 4] = [
        (&[], 401, 2),
        (&[("Authorization", "Bearer whatever")], 401, 3),
        (&[("Authorization", "Splunk not-the-token")], 403, 4),
        (&[("Authorization", "Splunk ")], 401, 3),
    ];
    for (headers, status, code) in cases {
        let (got, reply) = server.post(event, headers, &body);
        assert_eq!(
            (got, reply["code"].as_i64()),
            (status, Some(code)),
            "{headers:?}: {reply}"
        );
    }
    let auth = format!("Splunk {TOKEN}");
    let big = vec![b' '; 300_000];
    let (got, _) = server.post(event, &[("Authorization", &auth)], &big);
    assert_eq!(got, 413);
    // A gzip bomb: small on the wire, over the limit once inflated.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 200_000 * 9]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let (got, _) = server.post(
        event,
        &[("Authorization", &auth), ("Content-Encoding", "gzip")],
        &bomb,
    );
    assert_eq!(got, 413);
    assert_eq!(server.metric("revertwatch_events_received_total"), 0);
    assert_eq!(server.metric("revertwatch_state_calls"), 0);

    // Two good events, then one without "event": HEC's code 12, naming event 2.
    let mut mixed = live::hec_body(&corpus.feed[..2]);
    mixed.extend_from_slice(br#"{"time": 1, "host": "x"}"#);
    let (got, reply) = server.post(event, &[("Authorization", &auth)], &mixed);
    assert_eq!(got, 400);
    assert_eq!(reply["code"], 12, "{reply}");
    assert_eq!(reply["invalid-event-number"], 2, "{reply}");
    assert_eq!(server.metric("revertwatch_events_received_total"), 2);
    let (got, reply) = server.post(event, &[("Authorization", &auth)], b"{\"event\": {\"a\": ");
    assert_eq!((got, reply["code"].as_i64()), (400, Some(6)), "{reply}");
    let (got, reply) = server.post(event, &[("Authorization", &auth)], b"  ");
    assert_eq!((got, reply["code"].as_i64()), (400, Some(5)), "{reply}");

    // A record that is not JSON inside a string event is a counted skip, not a failure.
    let garbage = br#"{"event": "{\"eventVersion\": \"1.08\", \"eventName\": \"StopInstances\", \"userAgent\": \"\u001b]0;pwned\u0007"}"#;
    let (got, _) = server.post(event, &[("Authorization", &auth)], garbage);
    assert_eq!(got, 200);
    assert_eq!(server.metric("revertwatch_records_skipped_total"), 1);
    let log = server.log();
    assert!(
        !log.contains('\u{1b}'),
        "a log string reached the terminal raw: {log}"
    );

    // The incidents endpoint needs the token too.
    assert_eq!(server.get("/incidents", false).unwrap().0, 401);
}

/// A restart with the same state directory loses nothing and repeats no alert: half the feed,
/// SIGTERM, the other half, against hunt over everything.
#[test]
fn restart_keeps_state() {
    let corpus = Corpus::simulate("2MB", 11);
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state");
    let alerts_file = work.path().join("alerts.jsonl");
    let tokens = token_file(work.path());
    let args = serve_args(
        state.to_str().unwrap(),
        tokens.to_str().unwrap(),
        alerts_file.to_str().unwrap(),
    );
    let second = Server::across_a_restart(&args, work.path(), &corpus.feed);
    assert_eq!(verdicts(&second.incidents()), verdicts(&corpus.hunted()));
    alerts(&alerts_file);
}

/// Past `--max-state-calls` the oldest calls are evicted with a counted warning: the server
/// keeps answering and its state stays under the cap.
#[test]
fn state_cap_evicts_with_a_counted_warning() {
    let corpus = Corpus::simulate("1MB", 13);
    let (_work, _, server) = started(&["--max-state-calls", "40", "--allowed-lateness", "30d"]);
    for batch in corpus.feed.chunks(100) {
        assert_eq!(server.post_events(batch).0, 200);
    }
    assert!(server.metric("revertwatch_state_calls") <= 40);
    assert!(server.metric("revertwatch_state_evictions_total") > 0);
    assert!(
        server.log().contains("evicted the"),
        "no eviction warning:\n{}",
        server.log()
    );
    assert!(!server.incidents().is_empty());
    assert!(server.stop().success());
}

/// Regression (found by the soak): a merged Azure call's time is its first phase's, so when
/// its incident closed, a later `Success` phase newer than the cutoff stayed behind and was
/// detected alone as a new, "phantom" incident with an alert of its own.
#[test]
fn regression_closing_an_incident_takes_all_its_phases() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(support::fixture("scenarios/azure/full-revert.json")).unwrap(),
    )
    .unwrap();
    let records: Vec<Value> = fixture["records"].as_array().unwrap().clone();
    let of = |op: &str| -> Vec<live::Record> {
        records
            .iter()
            .filter(|r| {
                r["operationName"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(op)
            })
            .map(|r| live::Record {
                time: r["time"].as_str().unwrap().to_string(),
                provider: "azure",
                account: String::new(),
                json: r.clone(),
            })
            .collect()
    };
    let deallocate = of("Microsoft.Compute/virtualMachines/deallocate/action");
    let restore = of("Microsoft.Compute/disks/write");
    let start = of("Microsoft.Compute/virtualMachines/start/action");
    assert_eq!((deallocate.len(), restore.len(), start.len()), (3, 3, 3));

    let (work, alerts_file, server) = started(&["--window", "1m", "--allowed-lateness", "0s"]);
    assert_eq!(server.post_events(&deallocate).0, 200);
    assert_eq!(server.post_events(&restore).0, 200);
    // A later call in the same subscription: a left-behind phase would be detected now.
    assert_eq!(server.post_events(&start).0, 200);

    let dir = work.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let all: Vec<&Value> = deallocate
        .iter()
        .chain(&restore)
        .chain(&start)
        .map(|r| &r.json)
        .collect();
    std::fs::write(
        dir.join("activity.json"),
        serde_json::json!({ "records": all }).to_string(),
    )
    .unwrap();
    let hunted = support::hunt_jsonl(&[dir.as_path()], &["--window", "1m"]);
    hunted.expect_code(0);
    let served = server.incidents();
    // The restored disk's incident closes when the start arrives; the VM's deallocate waits
    // for its start (one stopped period). A phase left behind would be a third incident.
    assert_eq!(served.len(), 2, "{served:#?}");
    assert_eq!(verdicts(&served), verdicts(&hunted.jsonl()));
    assert_eq!(alerts(&alerts_file).len(), 2);
}

/// A stop of two machines: the first is started at once and its incident closes; the second
/// keeps cycling, so its open incident holds the shared stop. That stop alone must not come
/// back as the first machine's incident (same id, less evidence) once it has closed.
#[test]
fn regression_a_shared_call_does_not_reopen_a_closed_incident() {
    let records: Vec<live::Record> = support::cloudtrail::shared_stop()
        .into_iter()
        .map(|line| {
            let json: Value = serde_json::from_str(&line).unwrap();
            live::Record {
                time: json["eventTime"].as_str().unwrap().to_string(),
                provider: "aws",
                account: "111122223333".into(),
                json,
            }
        })
        .collect();
    let (work, alerts_file, server) = started(&["--allowed-lateness", "0s"]);
    for record in &records {
        assert_eq!(server.post_events(std::slice::from_ref(record)).0, 200);
    }
    let dir = work.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let lines: Vec<String> = records.iter().map(|r| r.json.to_string()).collect();
    std::fs::write(dir.join("trail.jsonl"), lines.join("\n") + "\n").unwrap();
    let hunted = support::hunt_jsonl(&[dir.as_path()], &[]);
    hunted.expect_code(0);
    let evidence = |incidents: &[Value]| -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = incidents
            .iter()
            .map(|i| {
                (
                    i["incident_id"].as_str().unwrap().to_string(),
                    i["event_ids"].clone(),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    let served = server.incidents();
    assert_eq!(hunted.jsonl().len(), 2);
    assert_eq!(evidence(&served), evidence(&hunted.jsonl()));
    alerts(&alerts_file);
}

/// `--alerts-hec-url`: every alert also reaches a Splunk HEC (scripts/hec-server.py) through
/// hunt's HEC client, as an event of sourcetype revertwatch:alert whose `event` is the alert
/// the file has, in spite of the HEC's back-pressure; a resend alerts nothing there either.
#[test]
fn alerts_reach_a_hec_as_the_file_has_them() {
    let hec = hec_server::HecServer::start(hec_server::Options {
        busy: 2,
        ..hec_server::Options::default()
    });
    let splunk_token = hec.dir.path().join("splunk-token");
    std::fs::write(&splunk_token, format!("{}\n", hec_server::TOKEN)).unwrap();
    let corpus = Corpus::simulate("1MB", 7);
    let url = hec.url();
    let (_work, alerts_file, server) = started(&[
        "--alerts-hec-url",
        &url,
        "--alerts-hec-token-file",
        splunk_token.to_str().unwrap(),
        "--alerts-hec-batch",
        "3",
    ]);
    post_all(&server, &corpus.feed);
    // /incidents goes through the engine thread, after the deliveries queued before it.
    let _ = server.incidents();
    let in_file = alerts(&alerts_file);
    assert!(
        !in_file.is_empty(),
        "the corpus must alert for this test to mean anything"
    );
    let events = hec.events();
    let in_hec: Vec<&Value> = events.iter().map(|e| &e["envelope"]["event"]).collect();
    assert_eq!(in_hec, in_file.iter().collect::<Vec<_>>());
    assert!(events
        .iter()
        .all(|e| e["envelope"]["sourcetype"] == "revertwatch:alert"));
    assert!(hec.statuses().iter().filter(|(s, _)| *s == 503).count() == 2);

    post_all(&server, &corpus.feed);
    let _ = server.incidents();
    assert_eq!(hec.events().len(), events.len());
    assert!(server.stop().success());
}
