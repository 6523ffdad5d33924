//! HEC's event envelope: one JSON object per incident or alert, and a batch as those objects
//! one after another (HEC's batch format, not a JSON array).

use std::io::{self, Write};

use revertwatch_detect::Incident;

use crate::Alert;

/// Splunk's `sourcetype` for incidents: searches and props.conf key on it.
pub const SOURCETYPE: &str = "revertwatch:incident";
/// Splunk's `sourcetype` for `serve`'s alerts: an incident with `alert`, `alert_id`,
/// `alerted_at` and `supersedes` added, one event per opening or escalation.
pub const ALERT_SOURCETYPE: &str = "revertwatch:alert";
/// `host` of every event: the incidents describe cloud accounts, not this machine.
pub const HOST: &str = "revertwatch";
/// `source` of every event.
pub const SOURCE: &str = "revertwatch";

/// Writes one envelope. `event` is the incident serialised exactly as `--format jsonl` does
/// (serde_json of the same struct), so a search sees the same fields as a jsonl file. `time` is
/// `last_seen` in epoch seconds with milliseconds, written as a number with three decimals, so
/// Splunk files the incident under the moment the revert completed.
pub fn write_envelope(
    out: &mut Vec<u8>,
    incident: &Incident,
    index: Option<&str>,
) -> io::Result<()> {
    let millis = incident.last_seen.timestamp_millis();
    write_head(out, Some(millis), SOURCETYPE, index)?;
    serde_json::to_writer(&mut *out, incident)?;
    out.push(b'}');
    Ok(())
}

/// Writes one alert's envelope: `event` is the alert's JSON as the outbox holds it, `time` its
/// incident's `last_seen` (as for incidents, so both sourcetypes line up on one timeline). An
/// alert that is not a JSON object (a damaged outbox) still goes, as a string event: dropping
/// it would hide it, and refusing it would block the outbox behind it.
pub fn write_alert_envelope(
    out: &mut Vec<u8>,
    alert: &Alert<'_>,
    index: Option<&str>,
) -> io::Result<()> {
    let value: Option<serde_json::Value> = serde_json::from_slice(alert.json).ok();
    let object = value.as_ref().filter(|v| v.is_object());
    let millis = object
        .and_then(|v| v.get("last_seen")?.as_str())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis());
    write_head(out, millis, ALERT_SOURCETYPE, index)?;
    match object {
        Some(_) => out.extend_from_slice(alert.json.trim_ascii()),
        None => serde_json::to_writer(&mut *out, &String::from_utf8_lossy(alert.json))?,
    }
    out.push(b'}');
    Ok(())
}

/// Everything of an envelope up to its `event` value.
fn write_head(
    out: &mut Vec<u8>,
    millis: Option<i64>,
    sourcetype: &str,
    index: Option<&str>,
) -> io::Result<()> {
    out.push(b'{');
    if let Some(millis) = millis {
        write!(
            out,
            "\"time\":{}.{:03},",
            millis.div_euclid(1000),
            millis.rem_euclid(1000)
        )?;
    }
    out.extend_from_slice(b"\"host\":");
    serde_json::to_writer(&mut *out, HOST)?;
    out.extend_from_slice(b",\"source\":");
    serde_json::to_writer(&mut *out, SOURCE)?;
    out.extend_from_slice(b",\"sourcetype\":");
    serde_json::to_writer(&mut *out, sourcetype)?;
    if let Some(index) = index {
        out.extend_from_slice(b",\"index\":");
        serde_json::to_writer(&mut *out, index)?;
    }
    out.extend_from_slice(b",\"event\":");
    Ok(())
}

/// The body of one request: the envelopes of `incidents`, each followed by a newline (HEC
/// accepts any whitespace between objects; a newline keeps captures readable).
pub fn batch_body(incidents: &[Incident], index: Option<&str>) -> io::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(incidents.len() * 2048);
    for incident in incidents {
        write_envelope(&mut body, incident, index)?;
        body.push(b'\n');
    }
    Ok(body)
}

/// The body of one request of alerts, as [`batch_body`] for incidents.
pub fn alert_batch_body(alerts: &[Alert<'_>], index: Option<&str>) -> io::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(alerts.iter().map(|a| a.json.len() + 160).sum());
    for alert in alerts {
        write_alert_envelope(&mut body, alert, index)?;
        body.push(b'\n');
    }
    Ok(body)
}
