//! A HEC request read without a socket: the token check, the channel, gzip inflated under a
//! cap, and the body cut into events (`/event`) or taken whole (`/raw`).
//!
//! The receiver calls these same steps (with the in-flight budget between them), and the
//! `hec_request` fuzz target calls [`parse_request`], which chains them, on arbitrary headers
//! and bodies.
//!
//! ```
//! use std::collections::HashSet;
//!
//! use revertwatch_serve::hec_request::{parse_request, Endpoint, RequestLimits};
//!
//! let tokens = HashSet::from(["t0k3n".to_string()]);
//! let headers = [("authorization", &b"Splunk t0k3n"[..])];
//! let body = br#"{"event": {"eventName": "StopInstances"}} {"event": "a string"}"#;
//! let limits = RequestLimits { max_body: 1 << 20, max_inflated: 8 << 20 };
//! let parsed = parse_request(Endpoint::Event, &headers[..], body, &tokens, &limits).unwrap();
//! assert_eq!(parsed.events.len(), 2);
//! assert!(parsed.problem.is_none());
//! ```

use std::collections::HashSet;
use std::io::Read;

use bytes::Bytes;
use serde_json::Value;

/// Which HEC endpoint a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/services/collector/event`: JSON objects, each with an `event`.
    Event,
    /// `/services/collector/raw`: the body is one piece, framed later as a file is.
    Raw,
}

/// How large a request may be.
#[derive(Debug, Clone)]
pub struct RequestLimits {
    /// Bytes as sent.
    pub max_body: usize,
    /// Bytes once a gzip body is inflated.
    pub max_inflated: usize,
}

/// Why a request is refused, as HEC says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status.
    pub status: u16,
    /// HEC's `text`.
    pub text: &'static str,
    /// HEC's `code`.
    pub code: i64,
    /// HEC's `invalid-event-number`: the event (from 0) that could not be read.
    pub invalid_event: Option<usize>,
}

impl Problem {
    const fn new(status: u16, text: &'static str, code: i64) -> Problem {
        Problem {
            status,
            text,
            code,
            invalid_event: None,
        }
    }

    /// 413: the body is over a limit.
    pub const TOO_LARGE: Problem = Problem::new(413, "Content too large", 6);
    /// 400 code 6: not gzip, not JSON, not readable.
    pub const INVALID_FORMAT: Problem = Problem::new(400, "Invalid data format", 6);
}

/// One event of a request: a record (or a file of them, from `/raw`) with where it came from.
#[derive(Debug, Clone)]
pub struct Event {
    /// `hec:<sourcetype>#<n>` or `hec:raw`.
    pub origin: String,
    /// The event's bytes: a record, a string HEC carried, or a whole raw body.
    pub bytes: Bytes,
}

/// What a request holds.
#[derive(Debug)]
pub struct Parsed {
    /// The events read, in order.
    pub events: Vec<Event>,
    /// An event that could not be read, after `events` (HEC takes the ones before it).
    pub problem: Option<Problem>,
}

/// A header's value by name (case-insensitive), from any list of headers.
pub trait Headers {
    /// The first value of `name`.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl Headers for axum::http::HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(|v| v.as_bytes())
    }
}

impl<'a> Headers for [(&'a str, &'a [u8])] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// HEC's token check: `Authorization: Splunk <token>`, the token one of `tokens`.
pub fn authorize(
    headers: &(impl Headers + ?Sized),
    tokens: &HashSet<String>,
) -> Result<(), Problem> {
    let Some(value) = headers.header("authorization") else {
        return Err(Problem::new(401, "Token is required", 2));
    };
    match splunk_token(value) {
        None => Err(Problem::new(401, "Invalid authorization", 3)),
        Some(t) if tokens.contains(t) => Ok(()),
        Some(_) => Err(Problem::new(403, "Invalid token", 4)),
    }
}

/// The token of an `Authorization: Splunk <token>` value.
pub fn splunk_token(value: &[u8]) -> Option<&str> {
    std::str::from_utf8(value)
        .ok()?
        .strip_prefix("Splunk ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// HEC's data channel (`X-Splunk-Request-Channel`), when given: Splunk takes only a GUID and
/// answers 400 code 11 otherwise, and so does this.
pub fn channel(headers: &(impl Headers + ?Sized)) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.header("x-splunk-request-channel") else {
        return Ok(None);
    };
    let invalid = Problem::new(400, "Invalid data channel", 11);
    let text = std::str::from_utf8(value).map_err(|_| invalid.clone())?;
    let groups: Vec<&str> = text.split('-').collect();
    let shape = [8, 4, 4, 4, 12];
    let guid = groups.len() == shape.len()
        && groups
            .iter()
            .zip(shape)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if guid {
        Ok(Some(text))
    } else {
        Err(invalid)
    }
}

/// Whether the body is gzip (`Content-Encoding: gzip`); any other encoding but `identity` is
/// refused (415), rather than read as if it were plain.
pub fn is_gzip(headers: &(impl Headers + ?Sized)) -> Result<bool, Problem> {
    match headers.header("content-encoding").map(<[u8]>::trim_ascii) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case(b"gzip") || v.eq_ignore_ascii_case(b"x-gzip") => Ok(true),
        Some(v) if v.is_empty() || v.eq_ignore_ascii_case(b"identity") => Ok(false),
        Some(_) => Err(Problem::new(415, "Unsupported content encoding", 6)),
    }
}

/// A gzip body inflated a chunk at a time, so that the receiver can take budget for each
/// chunk before it is made.
pub struct Inflate<R: Read> {
    decoder: flate2::read::MultiGzDecoder<R>,
    out: Vec<u8>,
    cap: usize,
    done: bool,
}

impl<R: Read> Inflate<R> {
    /// Inflates what `compressed` reads, to at most `cap` bytes.
    pub fn new(compressed: R, cap: usize) -> Inflate<R> {
        Inflate {
            decoder: flate2::read::MultiGzDecoder::new(compressed),
            out: Vec::new(),
            cap,
            done: false,
        }
    }

    /// Inflates up to `chunk` more bytes; `Ok(true)` once the body is whole.
    pub fn step(&mut self, chunk: usize) -> Result<bool, Problem> {
        if self.done {
            return Ok(true);
        }
        let before = self.out.len();
        // One byte past the cap tells a body at the cap from one over it.
        let room = (self.cap + 1).saturating_sub(before).min(chunk.max(1));
        let n = (&mut self.decoder)
            .take(room as u64)
            .read_to_end(&mut self.out)
            .map_err(|_| Problem::INVALID_FORMAT)?;
        if self.out.len() > self.cap {
            return Err(Problem::TOO_LARGE);
        }
        self.done = n < room;
        Ok(self.done)
    }

    /// The inflated body.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// The whole of a gzip body, inflated to at most `cap` bytes.
pub fn inflate(compressed: &[u8], cap: usize) -> Result<Vec<u8>, Problem> {
    let mut inflate = Inflate::new(compressed, cap);
    while !inflate.step(64 << 10)? {}
    Ok(inflate.finish())
}

/// HEC's event endpoint body: JSON objects one after another, each with an `event` that is a
/// record (an object) or a string holding one. Events before an unreadable one are kept.
pub fn split_events(body: &[u8]) -> Parsed {
    let mut events = Vec::new();
    let stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    for (n, item) in stream.enumerate() {
        let bad = |text, code| Parsed {
            events: Vec::new(),
            problem: Some(Problem {
                invalid_event: Some(n),
                ..Problem::new(400, text, code)
            }),
        };
        let Ok(Value::Object(obj)) = item else {
            return Parsed {
                events,
                ..bad("Invalid data format", 6)
            };
        };
        let bytes: Bytes = match obj.get("event") {
            None => {
                return Parsed {
                    events,
                    ..bad("Event field is required", 12)
                }
            }
            Some(Value::Null) => {
                return Parsed {
                    events,
                    ..bad("Event field cannot be blank", 13)
                }
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                return Parsed {
                    events,
                    ..bad("Event field cannot be blank", 13)
                }
            }
            Some(Value::String(s)) => s.clone().into_bytes().into(),
            Some(v) => serde_json::to_vec(v).unwrap_or_default().into(),
        };
        let kind = obj
            .get("sourcetype")
            .or_else(|| obj.get("source"))
            .and_then(Value::as_str)
            .unwrap_or("event");
        events.push(Event {
            origin: format!("hec:{kind}#{n}"),
            bytes,
        });
    }
    Parsed {
        events,
        problem: None,
    }
}

/// What an endpoint makes of a body already inflated: `/event` splits it, `/raw` takes it
/// whole (a CloudTrail file, an Event Hub batch: the decoder frames it as it frames files).
pub fn events(endpoint: Endpoint, body: Vec<u8>) -> Result<Parsed, Problem> {
    let no_data = Problem::new(400, "No data", 5);
    match endpoint {
        Endpoint::Event => {
            let parsed = split_events(&body);
            if parsed.events.is_empty() {
                return Err(parsed.problem.unwrap_or(no_data));
            }
            Ok(parsed)
        }
        Endpoint::Raw if body.iter().all(u8::is_ascii_whitespace) => Err(no_data),
        Endpoint::Raw => Ok(Parsed {
            events: vec![Event {
                origin: "hec:raw".into(),
                bytes: body.into(),
            }],
            problem: None,
        }),
    }
}

/// A whole request, as the receiver reads it (less the in-flight budget and the deadlines).
pub fn parse_request(
    endpoint: Endpoint,
    headers: &(impl Headers + ?Sized),
    body: &[u8],
    tokens: &HashSet<String>,
    limits: &RequestLimits,
) -> Result<Parsed, Problem> {
    authorize(headers, tokens)?;
    channel(headers)?;
    let gzip = is_gzip(headers)?;
    if body.len() > limits.max_body {
        return Err(Problem::TOO_LARGE);
    }
    let body = if gzip {
        inflate(body, limits.max_inflated)?
    } else {
        body.to_vec()
    };
    events(endpoint, body)
}
