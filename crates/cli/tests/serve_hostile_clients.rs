//! `serve` against clients that hold its connections, trickle their requests or flood it:
//! a client with a request still gets its answer, and SIGTERM still ends it.

#[path = "support/live.rs"]
mod live;
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
