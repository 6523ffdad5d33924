//! The alert sinks behind the one `Sink` trait: the webhook over the HEC's transport (retries,
//! no redirects, verified TLS, secrets kept out of messages), HEC alerts, the JSON Lines
//! file, and the fan-out that sends each sink only what it lacks.

mod hec_server;
mod private_ca;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hec_server::{HecServer, Options, TOKEN};
use revertwatch_sink::{
    Alert, Delivery, Fanout, HecConfig, HecSink, JsonlFileSink, Sink, SinkError, WebhookConfig,
    WebhookSink,
};

fn alert_json(n: usize) -> Vec<u8> {
    format!(
        r#"{{"alert":"opened","alert_id":"id-{n}","incident_id":"rw-{n}","last_seen":"2026-03-14T13:08:00.250Z","actors":["mallory\"\n\u202e"]}}"#
    )
    .into_bytes()
}

/// One request a [`Scripted`] server received: its request line and headers (lower-cased
/// names), and its body.
#[derive(Debug, Clone)]
struct Received {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// An HTTP server on loopback that answers requests with the given raw status lines and
/// headers in turn (then 200), and records what it got.
struct Scripted {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Scripted {
    fn start(answers: &[&str]) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut answers: Vec<String> = answers.iter().map(|a| a.to_string()).collect();
        answers.reverse();
        let log = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let received = read_request(&mut stream);
                log.lock().unwrap().push(received);
                let head = answers.pop().unwrap_or_else(|| "200 OK".into());
                let reply =
                    format!("HTTP/1.1 {head}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        Scripted { port, got }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Received {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    Received {
        line: line.trim_end().to_string(),
        headers,
        body,
    }
}

fn header<'a>(r: &'a Received, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn quick(url: String) -> WebhookConfig {
    WebhookConfig {
        backoff_base: Duration::from_millis(1),
        ..WebhookConfig::new(url)
    }
}

#[test]
fn the_webhook_retries_what_may_pass_with_one_idempotency_key_per_alert() {
    let server = Scripted::start(&["503 Service Unavailable\r\nRetry-After: 0", "429 Too Many"]);
    let mut sink = WebhookSink::new(quick(server.url("/hook"))).unwrap();
    let jsons = [alert_json(1), alert_json(2)];
    let batch: Vec<Alert<'_>> = jsons.iter().map(|j| Alert::parse(j)).collect();
    let report = sink.send(&batch).unwrap();
    assert_eq!(
        report,
        Delivery {
            sent: 2,
            batches: 2,
            retries: 2
        }
    );
    let got = server.received();
    let keys: Vec<_> = got
        .iter()
        .map(|r| header(r, "idempotency-key").unwrap())
        .collect();
    assert_eq!(keys, ["id-1", "id-1", "id-1", "id-2"]);
    assert!(got.iter().all(|r| r.line.starts_with("POST /hook ")));
    assert_eq!(got[3].body, jsons[1]);
    assert_eq!(header(&got[0], "content-type"), Some("application/json"));
}

#[test]
fn the_webhook_gives_up_without_its_secret_in_the_message() {
    let server = Scripted::start(&["500 A", "500 B", "500 C", "500 D"]);
    let mut sink = WebhookSink::new(quick(server.url("/hooks/T0/SECRET?token=abc"))).unwrap();
    let json = alert_json(1);
    let err = sink.send(&[Alert::parse(&json)]).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SinkError::Webhook { .. }), "{message}");
    assert!(message.contains("gave up after 3 attempts"), "{message}");
    assert!(
        !message.contains("SECRET") && !message.contains("abc"),
        "{message}"
    );
    assert!(!sink.name().contains("SECRET"));
    assert_eq!(server.received().len(), 3);
}

#[test]
fn the_webhook_does_not_follow_a_redirect_nor_retry_a_refusal() {
    let elsewhere = Scripted::start(&[]);
    let redirect = format!("302 Found\r\nLocation: {}", elsewhere.url("/stolen"));
    let server = Scripted::start(&[&redirect, "400 Bad Request"]);
    let mut sink = WebhookSink::new(quick(server.url("/hook"))).unwrap();
    let json = alert_json(1);
    let err = sink.send(&[Alert::parse(&json)]).unwrap_err().to_string();
    assert!(
        err.contains("HTTP 302") && err.contains("not followed"),
        "{err}"
    );
    let err = sink.send(&[Alert::parse(&json)]).unwrap_err().to_string();
    assert!(err.contains("HTTP 400"), "{err}");
    assert_eq!(server.received().len(), 2, "a refusal is not retried");
    assert!(elsewhere.received().is_empty(), "the redirect was followed");
}

#[test]
fn the_webhook_verifies_tls_and_trusts_an_extra_ca_only_when_given() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, chain, key) = private_ca::private_ca(certs.path());
    let hec = HecServer::start(Options {
        tls: Some((&chain, &key)),
        ..Options::default()
    });
    // hec-server.py answers a POST without a HEC token with 401: reaching it is what counts.
    let url = format!("{}/services/collector/event", hec.https_url());
    let json = alert_json(1);
    let mut untrusting = WebhookSink::new(quick(url.clone())).unwrap();
    let err = untrusting
        .send(&[Alert::parse(&json)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("TLS") && err.contains("--webhook-ca"), "{err}");
    let mut trusting = WebhookSink::new(WebhookConfig {
        ca_file: Some(ca),
        ..quick(url)
    })
    .unwrap();
    let err = trusting
        .send(&[Alert::parse(&json)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("HTTP 401"), "{err}");

    let garbage = certs.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let err = WebhookSink::new(WebhookConfig {
        ca_file: Some(garbage),
        ..WebhookConfig::new("https://hooks.example.com/x")
    })
    .err()
    .unwrap();
    assert!(matches!(err, SinkError::CaFile { .. }), "{err}");
    assert!(err.to_string().contains("--webhook-ca"), "{err}");
}

#[test]
fn hec_takes_alerts_as_events_of_their_own_sourcetype() {
    let hec = HecServer::start(Options {
        busy: 1,
        ..Options::default()
    });
    let mut sink = HecSink::new(HecConfig {
        batch: 2,
        backoff_base: Duration::from_millis(1),
        ..HecConfig::new(hec.url(), TOKEN)
    })
    .unwrap();
    let jsons: Vec<Vec<u8>> = (0..3).map(alert_json).collect();
    let batch: Vec<Alert<'_>> = jsons.iter().map(|j| Alert::parse(j)).collect();
    let report = sink.send(&batch).unwrap();
    assert_eq!((report.sent, report.batches, report.retries), (3, 2, 1));
    let events = hec.events();
    assert_eq!(events.len(), 3);
    let first = &events[0]["envelope"];
    assert_eq!(first["sourcetype"], "revertwatch:alert");
    assert_eq!(first["time"].as_f64(), Some(1773493680.25));
    let sent: serde_json::Value = serde_json::from_slice(&jsons[0]).unwrap();
    assert_eq!(first["event"], sent);
}

#[test]
fn the_file_keeps_one_line_per_alert_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.jsonl");
    let jsons: Vec<Vec<u8>> = (0..3).map(alert_json).collect();
    let batch: Vec<Alert<'_>> = jsons.iter().map(|j| Alert::parse(j)).collect();
    let mut sink = JsonlFileSink::open(path.clone()).unwrap();
    assert_eq!(sink.send(&batch[..2]).unwrap().sent, 2);
    drop(sink);
    let mut again = JsonlFileSink::open(path.clone()).unwrap();
    assert_eq!(again.send(&batch).unwrap().sent, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert_eq!(text.lines().nth(2).unwrap().as_bytes(), jsons[2]);
}

/// A sink that fails its first `failures` sends and records what it was given.
struct Flaky {
    failures: u32,
    got: Arc<Mutex<Vec<String>>>,
}

impl Sink for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }

    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError> {
        self.got
            .lock()
            .unwrap()
            .extend(batch.iter().map(|a| a.id.clone()));
        if self.failures > 0 {
            self.failures -= 1;
            return Err(SinkError::Nats {
                subject: "x".into(),
                reason: "down".into(),
            });
        }
        Ok(Delivery {
            sent: batch.len(),
            ..Delivery::default()
        })
    }
}

#[test]
fn a_sink_that_is_down_makes_the_others_repeat_nothing() {
    let (healthy, down) = (Arc::default(), Arc::default());
    let mut fanout = Fanout::default();
    fanout.push(Box::new(Flaky {
        failures: 0,
        got: Arc::clone(&healthy),
    }));
    fanout.push(Box::new(Flaky {
        failures: 2,
        got: Arc::clone(&down),
    }));
    let jsons: Vec<Vec<u8>> = (0..3).map(alert_json).collect();
    let batch: Vec<Alert<'_>> = jsons.iter().map(|j| Alert::parse(j)).collect();
    for _ in 0..2 {
        let failures = fanout.send(&batch[..2]).unwrap_err();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].to_string().starts_with("alert sink flaky: "));
    }
    // The outbox grew meanwhile; now both sinks take it.
    fanout.send(&batch).unwrap();
    assert_eq!(*healthy.lock().unwrap(), ["id-0", "id-1", "id-2"]);
    assert_eq!(
        *down.lock().unwrap(),
        ["id-0", "id-1", "id-0", "id-1", "id-0", "id-1", "id-2"]
    );
}
