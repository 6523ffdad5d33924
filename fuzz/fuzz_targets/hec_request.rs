//! serve's HEC request path without a socket: `hec_request::parse_request` (the token check,
//! the channel, Content-Encoding, gzip inflated under a cap, `/event` splitting and `/raw`)
//! on fuzzer-chosen headers and bodies. Beyond "no panic": a refusal is one of HEC's statuses;
//! what is taken is within the caps; `/raw` takes the body whole; a body sent gzip'd reads
//! exactly as the same body sent plain; a request without the token is never taken.

#![no_main]

use std::collections::HashSet;
use std::io::Write;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use revertwatch_serve::hec_request::{
    parse_request, splunk_token, Endpoint, Parsed, RequestLimits,
};

const TOKEN: &str = "11111111-2222-3333-4444-555555555555";

/// The headers the path reads, and one it does not.
const NAMES: [&str; 6] = [
    "Authorization",
    "authorization",
    "X-Splunk-Request-Channel",
    "Content-Encoding",
    "content-encoding",
    "X-Other",
];

#[derive(Debug, Arbitrary)]
struct Request {
    raw: bool,
    /// Send the right token first (otherwise only the fuzzer's headers).
    authorized: bool,
    /// Compress the body with gzip and say so (otherwise the body goes as chosen).
    gzip: bool,
    headers: Vec<(u8, Vec<u8>)>,
    body: Vec<u8>,
    max_body: u16,
    max_inflated: u16,
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body).unwrap();
    gz.finish().unwrap()
}

/// What a parse took, comparable across encodings.
fn taken(p: &Parsed) -> Vec<(String, Vec<u8>)> {
    p.events
        .iter()
        .map(|e| (e.origin.clone(), e.bytes.to_vec()))
        .collect()
}

fuzz_target!(|req: Request| {
    let tokens = HashSet::from([TOKEN.to_string()]);
    let endpoint = if req.raw { Endpoint::Raw } else { Endpoint::Event };
    let limits = RequestLimits {
        max_body: usize::from(req.max_body) * 16,
        max_inflated: usize::from(req.max_inflated) * 64,
    };
    let auth = format!("Splunk {TOKEN}");
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    if req.authorized {
        headers.push(("Authorization", auth.as_bytes()));
    }
    if req.gzip {
        headers.push(("Content-Encoding", b"gzip"));
    }
    for (name, value) in &req.headers {
        headers.push((NAMES[usize::from(*name) % NAMES.len()], value));
    }
    let sent = if req.gzip { gzip(&req.body) } else { req.body.clone() };
    let result = parse_request(endpoint, &headers[..], &sent, &tokens, &limits);

    let first_auth = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| *v);
    match &result {
        Err(p) => assert!(
            [400, 401, 403, 413, 415].contains(&p.status),
            "status {p:?}"
        ),
        Ok(parsed) => {
            assert_eq!(
                first_auth.and_then(splunk_token),
                Some(TOKEN),
                "taken without the token"
            );
            assert!(!parsed.events.is_empty());
            assert!(sent.len() <= limits.max_body);
            let total: usize = parsed.events.iter().map(|e| e.bytes.len()).sum();
            if endpoint == Endpoint::Raw {
                assert_eq!(parsed.events.len(), 1);
                assert!(total <= limits.max_inflated.max(limits.max_body));
            }
            for e in &parsed.events {
                assert!(e.origin.starts_with("hec:"), "{}", e.origin);
            }
        }
    }

    // The same body sent plain, with the same headers less the encoding, reads the same.
    let plain_headers: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-encoding"))
        .copied()
        .collect();
    let gzip_only = req.gzip
        && headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
            .count()
            == 1;
    let within = req.body.len() <= limits.max_inflated && req.body.len() <= limits.max_body;
    if gzip_only && within && sent.len() <= limits.max_body {
        let plain = parse_request(endpoint, &plain_headers[..], &req.body, &tokens, &limits);
        match (&result, &plain) {
            (Ok(a), Ok(b)) => {
                assert_eq!(taken(a), taken(b));
                assert_eq!(a.problem, b.problem);
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("gzip {a:?} against plain {b:?}"),
        }
    }
});
