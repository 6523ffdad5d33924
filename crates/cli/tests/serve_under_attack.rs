//! `serve` against clients that hold its connections, trickle their requests or flood it:
//! a client with a request still gets its answer, and SIGTERM still ends it.

#[path = "support/live.rs"]
mod live;
#[path = "../../sink/tests/private_ca/mod.rs"]
mod private_ca;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use live::{token_file, Server, TOKEN};
use serde_json::Value;

/// A server with a fresh state directory in a temp dir, run with `extra` flags besides, under
/// an open-file limit if one is given.
fn started(extra: &[&str], open_files: Option<u32>) -> (tempfile::TempDir, Server) {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state");
    let tokens = token_file(work.path());
    let mut args = vec![
        "--state-dir",
        state.to_str().unwrap(),
        "--hec-token-file",
        tokens.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let server = Server::start_with(&args, work.path(), "serve", open_files);
    (work, server)
}

/// One HEC event holding a CloudTrail stop.
fn one_event() -> Vec<u8> {
    let record = support::cloudtrail::cycle("StopInstances", "2026-03-14T02:00:00Z", "i-0abc1");
    format!("{{\"event\": {record}}}").into_bytes()
}

/// POSTs one event with the token; the status, or `None` if no answer came within `limit`.
fn post_within(server: &Server, limit: Duration) -> Option<u16> {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(limit))
        .build()
        .new_agent();
    let reply = agent
        .post(&server.url("/services/collector/event"))
        .header("Authorization", &format!("Splunk {TOKEN}"))
        .send(&one_event()[..]);
    reply.ok().map(|r| r.status().as_u16())
}

/// `count` connections to the server that sent nothing and `count` that sent half a request's
/// headers, all left open.
fn idle_and_half_sent(server: &Server, count: usize) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for n in 0..count * 2 {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        if n % 2 == 1 {
            s.write_all(b"POST /services/collector/event HTTP/1.1\r\nHost: x\r\nAuthoriz")
                .unwrap();
        }
        held.push(s);
    }
    held
}

/// Before, every connection was kept as long as its client liked: under `ulimit -n 128`, 200
/// idle or half-sent connections took every descriptor and an authenticated request waited
/// until its client gave up. Now the oldest idle connection makes room at `--max-connections`.
#[test]
fn idle_and_half_sent_connections_do_not_keep_a_client_out() {
    let (_work, server) = started(&["--max-connections", "32"], Some(128));
    let held = idle_and_half_sent(&server, 100);
    let start = Instant::now();
    let status = post_within(&server, Duration::from_secs(5));
    assert_eq!(
        status,
        Some(200),
        "no answer within 5 s past {} held connections:\n{}",
        held.len(),
        server.log()
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(server.metric("revertwatch_http_connections") <= 32);
    assert!(server.metric("revertwatch_http_connections_shed_total") > 0);
    drop(held);
}

/// The open-file limit below the default cap: the cap is lowered to fit, with a warning, so
/// that accept() never fails for want of a descriptor.
#[test]
fn the_connection_cap_is_kept_under_the_open_file_limit() {
    let (_work, server) = started(&[], Some(128));
    let held = idle_and_half_sent(&server, 150);
    assert_eq!(post_within(&server, Duration::from_secs(5)), Some(200));
    assert!(server.metric("revertwatch_http_connections") <= 128);
    assert!(
        server.log().contains("--max-connections 1024 is over"),
        "{}",
        server.log()
    );
    drop(held);
}

/// Before, a connection that sent part of its headers kept SIGTERM from ever finishing: the
/// graceful shutdown waited for its request. Now it is closed at once (it has no request in
/// progress), and `--shutdown-grace` bounds whatever else is left.
#[test]
fn a_half_sent_request_does_not_keep_sigterm_from_exiting() {
    let (_work, server) = started(
        &["--header-timeout", "10min", "--shutdown-grace", "2s"],
        None,
    );
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"POST /services/collector/event HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // A body trickling in, behind a token, is a request in progress: the grace ends it.
    let mut trickle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    trickle
        .write_all(
            format!(
                "POST /services/collector/event HTTP/1.1\r\nHost: x\r\nAuthorization: Splunk {TOKEN}\r\nContent-Length: 1000\r\n\r\n{{\"ev"
            )
            .as_bytes(),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = server.stop_within(Duration::from_secs(8));
    assert!(status.success(), "{status}");
    drop((half, trickle));
}

/// Before, a body sent a few bytes at a time held its request open for as long as the client
/// went on; now the whole body must arrive within `--body-timeout`, or the answer is 408.
#[test]
fn a_body_trickled_past_the_body_timeout_is_answered_408() {
    let (_work, server) = started(&["--body-timeout", "1s"], None);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(
        format!(
            "POST /services/collector/event HTTP/1.1\r\nHost: x\r\nAuthorization: Splunk {TOKEN}\r\nContent-Length: 1000\r\n\r\n{{\"ev"
        )
        .as_bytes(),
    )
    .unwrap();
    let start = Instant::now();
    let mut reply = [0u8; 512];
    let n = s.read(&mut reply).unwrap_or(0);
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
    let body: Value = serde_json::from_str(reply.rsplit("\r\n\r\n").next().unwrap()).unwrap();
    assert_eq!(body["code"], 6);
}

/// A gzip HEC body: one event, then `inflated` bytes of blanks (which HEC reads past).
fn gzip_event(inflated: usize) -> Vec<u8> {
    let mut body = one_event();
    body.resize(inflated, b' ');
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&body).unwrap();
    gz.finish().unwrap()
}

/// POSTs a gzip body with the token: the status and the `Retry-After` header.
fn post_gzip(port: u16, body: &[u8]) -> (u16, Option<String>) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    let reply = agent
        .post(&format!("http://127.0.0.1:{port}/services/collector/event"))
        .header("Authorization", &format!("Splunk {TOKEN}"))
        .header("Content-Encoding", "gzip")
        .send(body)
        .unwrap();
    let retry = reply
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (reply.status().as_u16(), retry)
}

/// Before, each request could inflate to its own cap whatever the others held: 12 concurrent
/// 100 KB gzip bodies of 100 MiB each took 717 MB of RSS, and the queue of 64 allowed ~8 GB.
/// Now one budget (`--max-inflight-bytes`) holds every body, sent and inflated, until its
/// batch commits; a request that finds no room is answered 503 with `Retry-After`, and counted.
#[test]
fn concurrent_gzip_bodies_past_the_inflight_budget_get_503_not_memory() {
    let budget: usize = 4 << 20;
    let (_work, server) = started(
        &[
            "--max-inflight-bytes",
            &budget.to_string(),
            "--max-body-bytes",
            "4000000",
        ],
        None,
    );
    // A client holds 3 MB of the budget with a body it has not finished sending.
    let mut holder = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    holder
        .write_all(
            format!(
                "POST /services/collector/raw HTTP/1.1\r\nHost: x\r\nAuthorization: Splunk {TOKEN}\r\nContent-Length: 3500000\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    holder.write_all(&vec![b' '; 3_000_000]).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.metric("revertwatch_hec_inflight_bytes") >= 3_000_000);

    // 2 MiB once inflated does not fit beside it: refused, with when to come back.
    let bomb = gzip_event(2 << 20);
    assert!(bomb.len() < 64 << 10);
    let (status, retry) = post_gzip(server.port, &bomb);
    assert_eq!((status, retry.as_deref()), (503, Some("2")));
    assert!(server.metric("revertwatch_hec_inflight_refused_total") >= 1);

    // The holder gives up: its bytes come back, and the same body is taken.
    drop(holder);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(post_gzip(server.port, &bomb).0, 200);

    // Eight at once, 16 MiB inflated between them: each is taken or told to come back.
    let port = server.port;
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|_| s.spawn(|| post_gzip(port, &bomb).0))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "{statuses:?}");
    let peak = server.metric("revertwatch_hec_inflight_bytes_peak");
    assert!(
        peak <= budget as u64,
        "peak {peak} over the budget {budget}"
    );
    assert_eq!(server.get("/healthz", false).unwrap().0, 200);
}

/// `--metrics-token-file`: /metrics answers only `Authorization: Bearer <token>` (its counts
/// say whether an attack was seen), while /healthz and /readyz stay open for probes.
#[test]
fn metrics_behind_a_token_answer_401_without_it() {
    let work = tempfile::tempdir().unwrap();
    let token_path = work.path().join("metrics-token");
    std::fs::write(&token_path, "m3tr1cs-t0ken\n").unwrap();
    let (_w, server) = started(
        &["--metrics-token-file", token_path.to_str().unwrap()],
        None,
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let get = |auth: Option<&str>| {
        let mut req = agent.get(&server.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let mut r = req.call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    assert_eq!(get(None).0, 401);
    assert_eq!(get(Some("Bearer wrong")).0, 401);
    assert_eq!(get(Some(&format!("Splunk {TOKEN}"))).0, 401);
    let (status, text) = get(Some("Bearer m3tr1cs-t0ken"));
    assert_eq!(status, 200);
    assert!(text.contains("revertwatch_incidents"), "{text}");
    assert_eq!(server.get("/healthz", false).unwrap().0, 200);
    assert_eq!(server.get("/readyz", false).unwrap().0, 200);
}

/// `--tls-cert/--tls-key`: HEC over https with a client that trusts the certificate, and plain
/// HTTP to the same port refused without harm to the server.
#[test]
fn hec_over_tls_takes_events_and_plain_http_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let (ca, chain, key) = private_ca::private_ca(work.path());
    let (_w, server) = {
        let state = work.path().join("state");
        let tokens = token_file(work.path());
        let args = [
            "--state-dir",
            state.to_str().unwrap(),
            "--hec-token-file",
            tokens.to_str().unwrap(),
            "--tls-cert",
            chain.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ];
        let server = Server::start_tls(&args, work.path(), "serve");
        ((), server)
    };
    let ca_pem = std::fs::read(&ca).unwrap();
    let roots =
        ureq::tls::RootCerts::new_with_certs(&[ureq::tls::Certificate::from_pem(&ca_pem).unwrap()]);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
        .build()
        .new_agent();
    let mut reply = agent
        .post(&format!(
            "https://localhost:{}/services/collector/event",
            server.port
        ))
        .header("Authorization", &format!("Splunk {TOKEN}"))
        .send(&one_event()[..])
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&reply.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["code"], 0);

    // Plain HTTP to the TLS port: no HTTP answer, and the server goes on.
    let mut plain = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    let healthz = agent
        .get(&format!("https://localhost:{}/healthz", server.port))
        .call()
        .unwrap();
    assert_eq!(healthz.status().as_u16(), 200);
}

/// A certificate or key that cannot be read stops the start with the file named, exit 2.
#[test]
fn a_bad_tls_file_stops_the_start_with_exit_2() {
    let work = tempfile::tempdir().unwrap();
    let (_ca, chain, _key) = private_ca::private_ca(work.path());
    let tokens = token_file(work.path());
    let state = work.path().join("state");
    let missing = work.path().join("no-such-key.pem");
    let start = |cert: &std::path::Path, key: &std::path::Path| {
        support::revertwatch(
            &[
                "serve",
                "--state-dir",
                state.to_str().unwrap(),
                "--hec-token-file",
                tokens.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
            None,
        )
    };
    let run = start(&chain, &missing);
    run.expect_code(2);
    assert!(run.stderr.contains("no-such-key.pem"), "{}", run.stderr);
    // A certificate file that holds no certificate.
    let run = start(&tokens, &chain);
    run.expect_code(2);
    assert!(run.stderr.contains("TLS"), "{}", run.stderr);
}
