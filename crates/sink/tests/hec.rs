//! The HEC sink against a real HEC protocol server on loopback (scripts/hec-server.py).

mod hec_server;
mod private_ca;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use hec_server::{HecServer, Options, TOKEN};
use private_ca::private_ca;
use revertwatch_detect::{Evidence, Incident, Severity};
use revertwatch_normalize::ResourceRef;
use revertwatch_pack::{Provider, Signal};
use revertwatch_sink::{batch_body, send_incidents, HecConfig, SendReport, SinkError};

/// Incident `n`, with log strings an attacker could have chosen (quotes, newlines, bidi).
fn incident(n: usize) -> Incident {
    let last = Utc.with_ymd_and_hms(2026, 3, 14, 13, 8, 0).unwrap()
        + chrono::Duration::milliseconds(n as i64 * 60_123);
    let actor = format!("arn:aws:iam::111122223333:user/mallory-{n}\"\n\u{202E}<b>");
    Incident {
        incident_id: format!("rw-{n:016x}"),
        provider: Provider::Aws,
        account: "111122223333".into(),
        region: "us-east-1".into(),
        target: format!("i-{n:017x}"),
        target_kind: "instance".into(),
        first_seen: last - chrono::Duration::minutes(8),
        last_seen: last,
        actors: vec![actor.clone()],
        source_ips: vec!["203.0.113.66".into()],
        chains: vec!["stop-start".into()],
        operations: vec!["StopInstances".into(), "StartInstances".into()],
        is_snapshot_restore: 0,
        is_ephemeral_reset: 1,
        suspicion_score: 1,
        severity: Severity::Review,
        evidence_destroyed: None,
        restored_from: vec![],
        revert_age: None,
        event_ids: vec![format!("ev-{n}")],
        suppressed_by: None,
        downgraded_by: None,
        tuning_notes: vec![],
        failed_attempts: 0,
        evidence: vec![Evidence {
            time: last,
            actor,
            actor_type: "IAMUser".into(),
            invoked_by: None,
            session_issuer: None,
            source_ip: "203.0.113.66".into(),
            user_agent: "aws-cli/2.15 \u{1b}[31m".into(),
            operation: "StartInstances".into(),
            outcome: revertwatch_normalize::Outcome::Success,
            error: None,
            signal: Signal::EphemeralReset,
            chain: Some("stop-start".into()),
            resources: vec![ResourceRef {
                kind: "instance".into(),
                id: format!("i-{n:017x}"),
            }],
            event_ids: vec![format!("ev-{n}")],
            tags: vec![("Name".into(), "web\t1".into())],
            origin: "cloudtrail.json:1".into(),
        }],
        new_machine: false,
        downtime: None,
        routine: None,
    }
}

fn incidents(count: usize) -> Vec<Incident> {
    (0..count).map(incident).collect()
}

/// Quick retries: the tests wait on nothing but the server.
fn config(url: String) -> HecConfig {
    HecConfig {
        batch: 7,
        timeout: Duration::from_secs(10),
        max_retries: 3,
        backoff_base: Duration::from_millis(1),
        ..HecConfig::new(url, TOKEN)
    }
}

#[test]
fn batches_reach_the_hec_through_back_pressure_with_the_jsonl_json() {
    let hec = HecServer::start(Options {
        busy: 2,
        ..Options::default()
    });
    let sent = incidents(20);
    let cfg = HecConfig {
        index: Some("security".into()),
        ..config(hec.url())
    };
    let report = send_incidents(&cfg, &sent).unwrap();
    assert_eq!(
        report,
        SendReport {
            sent: 20,
            batches: 3,
            retries: 2
        }
    );
    // Two 503s (retried), then one request per batch of at most 7.
    assert_eq!(
        hec.statuses(),
        vec![(503, 0), (503, 0), (200, 7), (200, 7), (200, 6)]
    );
    let got = hec.events();
    assert_eq!(got.len(), 20);
    for (want, got) in sent.iter().zip(&got) {
        let envelope = &got["envelope"];
        assert_eq!(envelope["event"], serde_json::to_value(want).unwrap());
        assert_eq!(envelope["sourcetype"], "revertwatch:incident");
        assert_eq!(envelope["host"], "revertwatch");
        assert_eq!(envelope["source"], "revertwatch");
        assert_eq!(envelope["index"], "security");
        let time = envelope["time"].as_f64().unwrap();
        let millis = want.last_seen.timestamp_millis() as f64 / 1000.0;
        assert!((time - millis).abs() < 1e-6, "{time} vs {millis}");
    }
    // Every request carried the token.
    assert!(hec.requests().iter().all(|r| r["auth"] == true));
}

#[test]
fn the_body_is_concatenated_objects_with_millisecond_times() {
    let mut one = incident(1);
    one.last_seen = Utc.timestamp_millis_opt(1_773_493_680_007).unwrap();
    let body = String::from_utf8(batch_body(&[one.clone(), one], None).unwrap()).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(
        lines[0].starts_with(r#"{"time":1773493680.007,"host":"revertwatch","source":"revertwatch","sourcetype":"revertwatch:incident","event":{"incident_id":"#),
        "{}",
        lines[0]
    );
    assert!(!body.contains("\"index\""));
}

#[test]
fn gzip_bodies_are_accepted() {
    let hec = HecServer::start(Options::default());
    let cfg = HecConfig {
        gzip: true,
        ..config(hec.url())
    };
    let report = send_incidents(&cfg, &incidents(9)).unwrap();
    assert_eq!((report.sent, report.batches), (9, 2));
    assert!(hec.requests().iter().all(|r| r["gzip"] == true));
    assert_eq!(hec.events().len(), 9);
}

#[test]
fn a_wrong_token_fails_at_once_and_stores_nothing() {
    let hec = HecServer::start(Options::default());
    let cfg = HecConfig {
        token: "not-the-token".into(),
        ..config(hec.url())
    };
    let err = send_incidents(&cfg, &incidents(3)).unwrap_err();
    assert!(matches!(err, SinkError::Auth { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("check the token"), "{message}");
    assert!(
        message.contains("HTTP 403, HEC code 4: Invalid token"),
        "{message}"
    );
    assert!(
        !message.contains("not-the-token"),
        "the token leaked: {message}"
    );
    assert_eq!(hec.statuses(), vec![(403, 0)], "never retried");
    assert!(hec.events().is_empty());
}

#[test]
fn a_hec_busy_past_the_retry_budget_is_given_up_on() {
    let hec = HecServer::start(Options {
        busy: 10,
        ..Options::default()
    });
    let cfg = HecConfig {
        max_retries: 2,
        ..config(hec.url())
    };
    let err = send_incidents(&cfg, &incidents(3)).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, SinkError::GaveUp { attempts: 3, .. }),
        "{message}"
    );
    assert!(message.contains("Server is busy"), "{message}");
    assert_eq!(hec.statuses(), vec![(503, 0); 3]);
}

#[test]
fn nothing_listening_is_retried_then_reported() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = HecConfig {
        max_retries: 2,
        ..config(format!("http://127.0.0.1:{port}"))
    };
    let err = send_incidents(&cfg, &incidents(1)).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, SinkError::GaveUp { attempts: 3, .. }),
        "{message}"
    );
    assert!(message.contains("reachable"), "{message}");
}

#[test]
fn a_garbage_ca_file_is_refused_before_anything_is_sent() {
    let hec = HecServer::start(Options::default());
    let garbage = hec.dir.path().join("garbage.pem");
    for content in [
        &b"this is not a certificate\n"[..],
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    ] {
        std::fs::write(&garbage, content).unwrap();
        let cfg = HecConfig {
            ca_file: Some(garbage.clone()),
            ..config(hec.url())
        };
        let err = send_incidents(&cfg, &incidents(1)).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, SinkError::CaFile { .. }), "{message}");
        assert!(
            message.contains("garbage.pem") && message.contains("--hec-ca"),
            "{message}"
        );
    }
    let missing = HecConfig {
        ca_file: Some(hec.dir.path().join("missing.pem")),
        ..config(hec.url())
    };
    assert!(matches!(
        send_incidents(&missing, &incidents(1)),
        Err(SinkError::CaFile { .. })
    ));
    assert!(hec.requests().is_empty());
}

#[test]
fn a_private_ca_is_trusted_only_when_given() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, chain, key) = private_ca(certs.path());
    let hec = HecServer::start(Options {
        tls: Some((&chain, &key)),
        ..Options::default()
    });

    // Mozilla's roots do not know the private CA: verification fails, and is not retried.
    let err = send_incidents(&config(hec.https_url()), &incidents(2)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SinkError::Tls { .. }), "{message}");
    assert!(message.contains("--hec-ca"), "{message}");
    assert!(hec.events().is_empty());

    for url in [hec.https_url(), format!("https://127.0.0.1:{}", hec.port)] {
        let cfg = HecConfig {
            ca_file: Some(ca.clone()),
            ..config(url)
        };
        let report = send_incidents(&cfg, &incidents(2)).unwrap();
        assert_eq!(report.sent, 2);
    }
    assert_eq!(hec.events().len(), 4);
}

#[test]
fn no_incidents_make_no_request() {
    let hec = HecServer::start(Options::default());
    let report = send_incidents(&config(hec.url()), &[]).unwrap();
    assert_eq!(report, SendReport::default());
    assert!(hec.requests().is_empty());
}

#[test]
fn a_zero_batch_size_is_a_configuration_error() {
    let cfg = HecConfig {
        batch: 0,
        ..config("http://127.0.0.1:9".into())
    };
    assert!(matches!(
        send_incidents(&cfg, &incidents(1)),
        Err(SinkError::Batch)
    ));
}
