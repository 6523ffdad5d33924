//! `serve` on NATS JetStream (Debian's nats-server, installed by scripts/ensure-nats): the same
//! incidents as `hunt`, a kill -9 mid-stream that loses and repeats nothing, and a scale-out
//! over a 3-node cluster where stopping one instance hands its partitions to the other.
//!
//! The feeds replay days of simulated logs in seconds, so a message redelivered after a crash
//! is hours late in event time; these tests give `--allowed-lateness` room for that, as a
//! real deployment (where a redelivery is seconds late) does not need to. The HEC tests run
//! with the default lateness.

#[path = "support/live.rs"]
mod live;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use async_nats::jetstream;
use live::{
    alerted, alerts, free_port, verdicts, wait_or, wait_until, Corpus, Nats, Record, Server,
};
use serde_json::Value;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn subject(prefix: &str, r: &Record) -> String {
    let account = if r.account.is_empty() {
        "unknown".to_string()
    } else {
        r.account.replace(['.', '*', '>', ' '], "_")
    };
    format!("{prefix}.{}.{account}", r.provider)
}

/// Creates the stream (retrying while a cluster elects its leader) and publishes the records,
/// each acknowledged by JetStream.
fn publish(url: &str, stream: &str, subjects: &[&str], replicas: usize, records: &[Record]) {
    runtime().block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = jetstream::new(client);
        let config = jetstream::stream::Config {
            name: stream.to_string(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            num_replicas: replicas,
            ..Default::default()
        };
        let mut tries = 0;
        while let Err(e) = js.get_or_create_stream(config.clone()).await {
            tries += 1;
            assert!(tries < 100, "cannot create stream {stream}: {e}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for chunk in records.chunks(500) {
            let mut acks = Vec::new();
            for r in chunk {
                let payload = serde_json::to_vec(&r.json).unwrap();
                acks.push(
                    js.publish(subject("cloudlogs", r), payload.into())
                        .await
                        .unwrap(),
                );
            }
            for ack in acks {
                ack.await.unwrap();
            }
        }
    });
}

/// Whether each named durable consumer exists and has nothing pending or unacknowledged.
fn drained(url: &str, stream: &str, consumers: &[String]) -> bool {
    runtime().block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = jetstream::new(client);
        let Ok(stream) = js.get_stream(stream).await else {
            return false;
        };
        for name in consumers {
            let Ok(mut c) = stream
                .get_consumer::<jetstream::consumer::pull::Config>(name)
                .await
            else {
                return false;
            };
            let Ok(info) = c.info().await else {
                return false;
            };
            if info.num_pending > 0 || info.num_ack_pending > 0 {
                return false;
            }
        }
        true
    })
}

fn single_server(dir: &Path) -> Nats {
    let port = free_port();
    let config = format!(
        "port: {port}\nserver_name: solo\njetstream {{ store_dir: \"{}\" }}\n",
        dir.join("js").display()
    );
    Nats::start(&config, dir, "solo", port)
}

fn serve_args<'a>(
    tokens: &'a str,
    url: &'a str,
    state: &'a str,
    alerts: &'a str,
    durable: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "--hec-token-file",
        tokens,
        "--state-dir",
        state,
        "--nats",
        url,
        "--stream",
        "CLOUDLOGS",
        "--consumer",
        durable,
        "--alerts-jsonl",
        alerts,
        "--ack-wait",
        "2s",
        "--allowed-lateness",
        "30d",
    ];
    args.extend_from_slice(extra);
    args
}

/// Round trip, then the crash: an uninterrupted reader and one killed with SIGKILL a third of
/// the way through and restarted end with hunt's incidents, and the same alerted states,
/// with no alert twice.
#[test]
fn jetstream_matches_hunt_and_survives_kill_9() {
    let corpus = Corpus::simulate("2MB", 21);
    let work = tempfile::tempdir().unwrap();
    let nats = single_server(&work.path().join("nats"));
    let url = nats.url();
    publish(&url, "CLOUDLOGS", &["cloudlogs.>"], 1, &corpus.feed);
    let hunted = corpus.hunted();
    let w = |name: &str| work.path().join(name).to_str().unwrap().to_string();
    let tokens = live::token_file(work.path()).to_str().unwrap().to_string();

    let (state, alerts_ref) = (w("ref-state"), w("ref-alerts.jsonl"));
    let reference = Server::start(
        &serve_args(
            &tokens,
            &url,
            &state,
            &alerts_ref,
            "reference",
            &["--batch", "20"],
        ),
        work.path(),
        "reference",
    );
    wait_until(300, "the reference reader to drain the stream", || {
        drained(&url, "CLOUDLOGS", &["reference".to_string()])
    });
    assert_eq!(verdicts(&reference.incidents()), verdicts(&hunted));
    assert!(reference.stop().success());
    let reference_alerted = alerted(&alerts(Path::new(&alerts_ref)));

    let (state, alerts_crash) = (w("crash-state"), w("crash-alerts.jsonl"));
    let args = serve_args(
        &tokens,
        &url,
        &state,
        &alerts_crash,
        "crashy",
        &["--batch", "20"],
    );
    let crashy = Server::start(&args, work.path(), "crashy");
    let third = corpus.feed.len() as u64 / 3;
    wait_until(300, "a third of the stream read", || {
        crashy.metric("revertwatch_events_received_total") >= third
    });
    crashy.kill9();
    let restarted = Server::start(&args, work.path(), "restarted");
    wait_until(300, "the restarted reader to drain the stream", || {
        drained(&url, "CLOUDLOGS", &["crashy".to_string()])
    });
    assert_eq!(verdicts(&restarted.incidents()), verdicts(&hunted));
    let crash_alerted = alerted(&alerts(Path::new(&alerts_crash)));
    assert_eq!(crash_alerted, reference_alerted);
    assert!(
        crash_alerted.values().any(|s| s == "escalate"),
        "no escalation was alerted: the corpus must hold a full revert"
    );
    assert!(restarted.stop().success());
}

/// A 3-node JetStream cluster partitions the stream by account with NATS's own subject
/// mapping; two instances share the partitions. Stopping one hands its partitions to the
/// other, which rebuilds their state from the stream: hunt's incidents at the end, and each
/// live incident alerted in its final state by exactly one instance.
#[test]
fn scale_out_over_a_cluster() {
    let corpus = Corpus::simulate_with(
        "2MB",
        23,
        &["--aws-accounts", "111122223333,444455556666,777788889999"],
    );
    let work = tempfile::tempdir().unwrap();
    let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
    let mut servers = Vec::new();
    for (i, (port, cluster)) in ports.iter().enumerate() {
        let routes: Vec<String> = ports
            .iter()
            .filter(|(_, c)| c != cluster)
            .map(|(_, c)| format!("\"nats-route://127.0.0.1:{c}\""))
            .collect();
        let config = format!(
            r#"port: {port}
server_name: n{i}
jetstream {{ store_dir: "{store}" }}
cluster {{
  name: revertwatch-test
  listen: "127.0.0.1:{cluster}"
  routes: [{routes}]
}}
mappings = {{
  "cloudlogs.*.*": "revertwatch.p.{{{{partition(4,2)}}}}.{{{{wildcard(1)}}}}.{{{{wildcard(2)}}}}"
}}
"#,
            store = work.path().join(format!("n{i}")).display(),
            routes = routes.join(", ")
        );
        servers.push(Nats::start(
            &config,
            &work.path().join("nats"),
            &format!("n{i}"),
            *port,
        ));
    }
    let urls: Vec<String> = servers.iter().map(Nats::url).collect();
    let half = corpus.feed.len() / 2;
    // The stream first (serve checks it exists), its messages once both instances read.
    publish(&urls[0], "CLOUDLOGS", &["revertwatch.p.>"], 3, &[]);

    let w = |name: &str| work.path().join(name).to_str().unwrap().to_string();
    let tokens = live::token_file(work.path()).to_str().unwrap().to_string();
    let (state_a, alerts_a, state_b, alerts_b) =
        (w("a-state"), w("a.jsonl"), w("b-state"), w("b.jsonl"));
    let part = [
        "--partitions",
        "4",
        "--lease",
        "3s",
        "--lease-replicas",
        "3",
    ];
    let a = Server::start(
        &serve_args(
            &tokens,
            &urls[0],
            &state_a,
            &alerts_a,
            "rw",
            &[&part[..], &["--instance", "a"]].concat(),
        ),
        work.path(),
        "a",
    );
    let b = Server::start(
        &serve_args(
            &tokens,
            &urls[1],
            &state_b,
            &alerts_b,
            "rw",
            &[&part[..], &["--instance", "b"]].concat(),
        ),
        work.path(),
        "b",
    );
    let reading = |s: &Server| s.log().matches("reading partition").count();
    wait_or(
        120,
        "the two instances to share the partitions",
        || reading(&b) >= 2 && a.log().matches("handed back").count() >= 2,
        || format!("--- a\n{}\n--- b\n{}", a.log(), b.log()),
    );
    publish(
        &urls[0],
        "CLOUDLOGS",
        &["revertwatch.p.>"],
        3,
        &corpus.feed[..half],
    );
    let consumers: Vec<String> = (0..4).map(|n| format!("rw-p{n}")).collect();
    wait_or(
        300,
        "both instances to drain the first half",
        || drained(&urls[2], "CLOUDLOGS", &consumers),
        || format!("--- a\n{}\n--- b\n{}", a.log(), b.log()),
    );
    assert!(
        reading(&a) >= 1 && reading(&b) >= 1,
        "the partitions were not shared:\n--- a\n{}\n--- b\n{}",
        a.log(),
        b.log()
    );
    assert!(a.stop().success());
    publish(
        &urls[2],
        "CLOUDLOGS",
        &["revertwatch.p.>"],
        3,
        &corpus.feed[half..],
    );
    wait_or(
        300,
        "the remaining instance to take every partition and drain",
        || {
            b.log().matches("reading partition").count() >= 4
                && drained(&urls[1], "CLOUDLOGS", &consumers)
        },
        || format!("--- b\n{}", b.log()),
    );
    let hunted = corpus.hunted();
    assert_eq!(verdicts(&b.incidents()), verdicts(&hunted));

    // Every alert from either instance is unique, and together they alert each live incident
    // in its final state.
    let mut all: Vec<Value> = alerts(Path::new(&alerts_a));
    all.extend(alerts(Path::new(&alerts_b)));
    let mut ids = BTreeMap::new();
    for alert in &all {
        let id = alert["alert_id"].as_str().unwrap();
        assert!(
            ids.insert(id.to_string(), ()).is_none(),
            "alert {id} was sent by both instances"
        );
    }
    let live = live::live_verdicts(&hunted);
    assert_eq!(alerted(&all), live);
    assert!(b.stop().success());
}
