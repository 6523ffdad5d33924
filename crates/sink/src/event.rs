//! HEC's event envelope: one JSON object per incident, and a batch as those objects one after
//! another (HEC's batch format, not a JSON array).

use std::io::{self, Write};

use revertwatch_detect::Incident;

/// Splunk's `sourcetype` for incidents: searches and props.conf key on it.
pub const SOURCETYPE: &str = "revertwatch:incident";
/// `host` and `source` of every event: the incidents describe cloud accounts, not this machine.
pub const HOST: &str = "revertwatch";
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
    write!(
        out,
        "{{\"time\":{}.{:03},\"host\":",
        millis.div_euclid(1000),
        millis.rem_euclid(1000)
    )?;
    serde_json::to_writer(&mut *out, HOST)?;
    out.extend_from_slice(b",\"source\":");
    serde_json::to_writer(&mut *out, SOURCE)?;
    out.extend_from_slice(b",\"sourcetype\":");
    serde_json::to_writer(&mut *out, SOURCETYPE)?;
    if let Some(index) = index {
        out.extend_from_slice(b",\"index\":");
        serde_json::to_writer(&mut *out, index)?;
    }
    out.extend_from_slice(b",\"event\":");
    serde_json::to_writer(&mut *out, incident)?;
    out.push(b'}');
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
