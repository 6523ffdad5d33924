//! Timestamps as the clouds write them: RFC 3339 with 0 to 9 fraction digits, a space instead
//! of `T`, offsets instead of `Z`, and epoch seconds or milliseconds.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// A time as a cloud writes it (RFC 3339 in its variants, epoch seconds or milliseconds, as a
/// number or digits), in UTC; None when it is none of these.
pub fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => parse_text(s.trim()),
        Value::Number(n) => {
            let n = n.as_f64()?;
            // Seconds until 2286 have at most 10 digits; more means milliseconds.
            let ms = if n.abs() >= 1e11 { n } else { n * 1000.0 };
            Utc.timestamp_millis_opt(ms as i64).single()
        }
        _ => None,
    }
}

fn parse_text(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let t_form = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&t_form) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(&t_form, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    // No zone at all: the clouds write UTC.
    let bare = t_form.trim_end_matches('Z');
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y%m%dT%H%M%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(bare, fmt) {
            return Some(t.and_utc());
        }
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_time(&Value::Number(s.parse::<u64>().ok()?.into()));
    }
    None
}

/// RFC 3339 UTC with `Z`, with the fraction the source had (trailing zeros dropped).
pub fn format_time(t: &DateTime<Utc>) -> String {
    let mut s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.timestamp_subsec_nanos();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// For `#[serde(serialize_with)]`: times in [`format_time`]'s form.
pub fn serialize_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn iso(v: Value) -> String {
        format_time(&parse_time(&v).unwrap())
    }

    #[test]
    fn reads_the_shapes_clouds_write() {
        assert_eq!(iso(json!("2023-07-19T21:14:20Z")), "2023-07-19T21:14:20Z");
        assert_eq!(
            iso(json!("2022-06-27T13:59:36.3933567Z")),
            "2022-06-27T13:59:36.3933567Z"
        );
        assert_eq!(
            iso(json!("2022-02-08 09:23:37+11:00")),
            "2022-02-07T22:23:37Z"
        );
        assert_eq!(
            iso(json!("2024-11-19T13:13:13.176899Z")),
            "2024-11-19T13:13:13.176899Z"
        );
        assert_eq!(iso(json!(1689801260000u64)), "2023-07-19T21:14:20Z");
        assert_eq!(iso(json!(1689801260)), "2023-07-19T21:14:20Z");
        assert_eq!(iso(json!("2023-07-19T21:14:20")), "2023-07-19T21:14:20Z");
        assert_eq!(iso(json!("20131102T010628Z")), "2013-11-02T01:06:28Z");
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_time(&json!("yesterday")).is_none());
        assert!(parse_time(&json!(null)).is_none());
    }
}
