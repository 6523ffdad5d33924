//! Reading a HEC's answer: accepted, worth another try, or a failure to report.

use std::time::Duration;

use crate::error::Reply;
use crate::http::parse_retry_after;

/// HEC's success code in `{"text":"Success","code":0}`.
const CODE_SUCCESS: i64 = 0;
/// Codes for data HEC could not read: a bug in how we framed the events.
const CODES_BAD_DATA: [i64; 5] = [5, 6, 12, 13, 15];
const CODE_INCORRECT_INDEX: i64 = 7;
const CODES_CHANNEL: [i64; 2] = [10, 11];
/// How much of a body that is not HEC JSON to quote in a message.
const QUOTE_CHARS: usize = 200;

impl Reply {
    pub(crate) fn parse(status: u16, body: &[u8]) -> Reply {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let code = json.as_ref().and_then(|j| j.get("code")?.as_i64());
        let text = match json.as_ref().and_then(|j| j.get("text")?.as_str()) {
            Some(text) => quote(text),
            None => quote(String::from_utf8_lossy(body).trim()),
        };
        Reply { status, code, text }
    }
}

/// What to do after one request.
#[derive(Debug)]
pub(crate) enum Verdict {
    Accepted,
    /// The HEC is busy or down for now: try again, after `after` if it said so.
    Retry {
        reply: Reply,
        after: Option<Duration>,
    },
    /// 401/403: the token.
    Auth(Reply),
    /// Anything else: retrying cannot help, and `hint` says what might.
    Rejected {
        reply: Reply,
        hint: &'static str,
    },
}

/// Judges one answer. `retry_after` is the raw `Retry-After` header, if any.
pub(crate) fn judge(status: u16, retry_after: Option<&str>, body: &[u8]) -> Verdict {
    let reply = Reply::parse(status, body);
    match status {
        200..=299 if reply.code == Some(CODE_SUCCESS) => Verdict::Accepted,
        200..=299 => Verdict::Rejected {
            reply,
            hint: "the URL answered, but not as a Splunk HEC does; check that --hec-url points at the HEC (port 8088 by default), not the web UI or a proxy page",
        },
        // 503 is HEC's back-pressure (code 9, server busy), 429 a gateway's rate limit, 408 a
        // proxy's timeout; other 5xx are the server's trouble, often brief.
        408 | 429 | 500..=599 => Verdict::Retry {
            reply,
            after: retry_after.and_then(parse_retry_after),
        },
        401 | 403 => Verdict::Auth(reply),
        _ => {
            let hint = hint(&reply);
            Verdict::Rejected { reply, hint }
        }
    }
}

fn hint(reply: &Reply) -> &'static str {
    match (reply.status, reply.code) {
        (_, Some(CODE_INCORRECT_INDEX)) => {
            "check --hec-index: the index must exist and be one this token may write to"
        }
        (_, Some(code)) if CODES_CHANNEL.contains(&code) => {
            "the HEC wants a data channel (indexer acknowledgement is on for this token); turn acknowledgement off for this token"
        }
        (_, Some(code)) if CODES_BAD_DATA.contains(&code) => {
            "the HEC could not read the events revertwatch sent: this is a bug, please report it with this message"
        }
        (413, _) => "the batch is larger than the HEC accepts (max_content_length); lower --hec-batch",
        (300..=399, _) => {
            "the HEC answered with a redirect, which is not followed (the token would go along); give the final URL as --hec-url"
        }
        (404 | 405, _) => {
            "check --hec-url: give the HEC's base URL (port 8088 by default), not the web UI's; /services/collector/event is added"
        }
        _ => "check --hec-url and the HEC's settings",
    }
}

fn quote(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if c.is_control() || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_code_zero() {
        assert!(matches!(
            judge(200, None, br#"{"text":"Success","code":0}"#),
            Verdict::Accepted
        ));
        assert!(matches!(
            judge(200, None, b"<html>Splunk login</html>"),
            Verdict::Rejected { .. }
        ));
    }

    #[test]
    fn busy_is_retried_after_what_it_says() {
        match judge(503, Some("3"), br#"{"text":"Server is busy","code":9}"#) {
            Verdict::Retry { reply, after } => {
                assert_eq!(after, Some(Duration::from_secs(3)));
                assert_eq!(reply.to_string(), "HTTP 503, HEC code 9: Server is busy");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            judge(502, Some("Wed, 21 Oct 2015 07:28:00 GMT"), b"bad gateway"),
            Verdict::Retry { after: None, .. }
        ));
    }

    #[test]
    fn token_and_index_problems_are_not_retried() {
        assert!(matches!(
            judge(403, None, br#"{"text":"Invalid token","code":4}"#),
            Verdict::Auth(_)
        ));
        match judge(400, None, br#"{"text":"Incorrect index","code":7}"#) {
            Verdict::Rejected { hint, .. } => assert!(hint.contains("--hec-index")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hostile_bodies_are_quoted_safely() {
        let reply = Reply::parse(404, "nope\x1b[31m\u{202E}x".as_bytes());
        assert_eq!(reply.text, "nope\\u{1b}[31m\\u{202e}x");
        let long = Reply::parse(404, "a".repeat(1000).as_bytes());
        assert_eq!(long.text.chars().count(), QUOTE_CHARS + 1);
    }
}
