//! Where a HEC takes events, and what a token may look like: checked before any request, so
//! that a wrong URL or token fails at once with what to fix.

use crate::error::SinkError;

/// Where HEC takes JSON events, below the collector's base URL.
pub const EVENT_PATH: &str = "/services/collector/event";

/// `{base}/services/collector/event`. The user may give the base, or paste the collector or
/// event URL from Splunk's docs; all three mean the same endpoint.
pub(crate) fn endpoint(url: &str) -> Result<String, SinkError> {
    let bad = |reason: &str| SinkError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let uri: ureq::http::Uri = url.trim().parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") | Some("http") => {}
        _ => {
            return Err(bad(
                "it must start with https:// (or http:// for a local collector)",
            ))
        }
    }
    let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "it holds credentials; the token goes in --hec-token-file or $REVERTWATCH_HEC_TOKEN",
        ));
    }
    if uri.query().is_some() {
        return Err(bad("it has a query string"));
    }
    let mut path = uri.path().trim_end_matches('/');
    for suffix in [EVENT_PATH, "/services/collector"] {
        if let Some(base) = path.strip_suffix(suffix) {
            path = base;
            break;
        }
    }
    Ok(format!(
        "{}://{}{}{}",
        uri.scheme_str().unwrap_or("https").to_ascii_lowercase(),
        authority,
        path,
        EVENT_PATH
    ))
}

/// A token goes into a header: it must be one visible word.
pub(crate) fn check_token(token: &str) -> Result<(), SinkError> {
    if token.is_empty() {
        return Err(SinkError::Token { reason: "is empty" });
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SinkError::Token {
            reason: "holds spaces, control or non-ASCII characters",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_accepts_base_collector_and_event_urls() {
        for url in [
            "https://splunk.example.com:8088",
            "https://splunk.example.com:8088/",
            "https://splunk.example.com:8088/services/collector",
            "HTTPS://splunk.example.com:8088/services/collector/event/",
        ] {
            assert_eq!(
                endpoint(url).unwrap(),
                "https://splunk.example.com:8088/services/collector/event",
                "{url}"
            );
        }
        assert_eq!(
            endpoint("https://proxy.example.com/splunk").unwrap(),
            "https://proxy.example.com/splunk/services/collector/event"
        );
    }

    #[test]
    fn endpoint_refuses_what_cannot_be_a_hec() {
        for url in [
            "splunk.example.com:8088",
            "ftp://splunk.example.com",
            "https://user:pw@splunk.example.com:8088",
            "https://splunk.example.com:8088?token=x",
            "not a url",
        ] {
            assert!(matches!(endpoint(url), Err(SinkError::Url { .. })), "{url}");
        }
    }

    #[test]
    fn tokens_must_be_one_visible_word() {
        assert!(check_token("11111111-2222-3333-4444-555555555555").is_ok());
        assert!(check_token("").is_err());
        assert!(check_token("abc\r\nX-Evil: 1").is_err());
    }
}
