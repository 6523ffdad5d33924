//! OCSF output: each incident as one OCSF 1.4.0 Detection Finding (class 2004, category 2
//! Findings, activity 1 Create), one JSON object a line, for a SIEM or data lake to ingest.
//!
//! Where the incident's fields go:
//!
//! | incident | OCSF |
//! |---|---|
//! | `incident_id` | `finding_info.uid`, `metadata.uid` |
//! | `last_seen` | `time`, `end_time`, `finding_info.last_seen_time`, `finding_info.created_time` |
//! | `first_seen` | `start_time`, `finding_info.first_seen_time` |
//! | `severity` | `severity_id`/`severity` (escalate 4 High, review 3 Medium, failed only 2 Low), `is_alert` |
//! | `suspicion_score` | `confidence_id`/`confidence` (2 High, else Low), `unmapped.suspicion_score` |
//! | `suppressed_by` | `status_id` 3 Suppressed (else 1 New), `status_detail`, `unmapped.suppressed_by` |
//! | `downgraded_by`, `tuning_notes` | `status_detail`, `finding_info.desc`, `unmapped.*` |
//! | `chains` | `finding_info.types` |
//! | (the technique) | `finding_info.attacks[]`: TA0005 / T1578 / T1578.004; `finding_info.analytic` |
//! | `provider`, `account`, `region` | `cloud.provider`, `cloud.account.uid`, `cloud.region` (`zone`, `project_uid` for GCP, `cloud_partition` for AWS) |
//! | `target`, `target_kind` | `resources[0]`, `device` (instances and VMs) |
//! | `evidence[].resources` | `resources[1..]` |
//! | `actors[0]` | `actor.user` |
//! | `evidence[]` | `finding_info.related_events[]` (API Activity 6003) and `evidences[]` |
//! | `actors`, `source_ips`, user agents, resources | `observables[]` |
//! | `is_snapshot_restore`, `is_ephemeral_reset`, `failed_attempts`, `target_kind`, `severity` | `unmapped.*` |
//! | `new_machine`, `downtime`, `routine` (severity `info` is `severity_id` 1, not an alert) | `unmapped.*` |
//! | `restored_from`, `revert_age`, `evidence_destroyed` | `finding_info.desc`, `unmapped.*` |
//! | `chains`' investigation guide and response playbook (playbooks.toml) | `remediation.desc`, `remediation.references` |
//!
//! Every string from a log is data: serde_json escapes what JSON requires (quotes, control
//! characters), an address goes to `ip` only when it parses as one, and strings longer than
//! OCSF's `string_t` limit are cut, so a hostile record cannot make a finding invalid.

mod actor;
mod call;
mod cloud;
mod remediation;
mod vocabulary;

use std::io::{self, Write};

use revertwatch_detect::{Incident, Severity};
use revertwatch_normalize::format_time;
use serde_json::{json, Value};

use crate::output::Output;
use vocabulary::{
    ACTIVITY_CREATE, ANALYTIC_RULE, ATTACK_VERSION, CATEGORY_FINDINGS, CLASS_DETECTION_FINDING,
    OBSERVABLE_RESOURCE_UID, OBSERVABLE_USER_UID, PROFILES, SCHEMA_VERSION, SUB_TECHNIQUE, TACTIC,
    TECHNIQUE, TYPE_DETECTION_FINDING_CREATE,
};

/// OCSF Detection Findings, one a line; it has no shape for event rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ocsf;

impl Output for Ocsf {
    /// Writes one Detection Finding per incident, in the order given, each on its own line.
    fn incidents(&self, out: &mut dyn Write, incidents: &[Incident]) -> io::Result<()> {
        for incident in incidents {
            crate::escape::json::to_writer(&mut *out, &finding(incident))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Stable id of the one analytic every finding comes from.
const ANALYTIC_UID: &str = "revertwatch.instance-revert";

fn finding(i: &Incident) -> Value {
    let severity = vocabulary::severity(i.severity);
    let confidence = vocabulary::confidence(i.suspicion_score);
    let status = vocabulary::status(i.suppressed_by.is_some());
    let first_ms = i.first_seen.timestamp_millis();
    let last_ms = i.last_seen.timestamp_millis();
    let title = title(i);
    let first_actor = i
        .actors
        .first()
        .and_then(|a| i.evidence.iter().find(|e| &e.actor == a));

    let mut finding = json!({
        "activity_id": ACTIVITY_CREATE.0,
        "activity_name": ACTIVITY_CREATE.1,
        "category_uid": CATEGORY_FINDINGS.0,
        "category_name": CATEGORY_FINDINGS.1,
        "class_uid": CLASS_DETECTION_FINDING.0,
        "class_name": CLASS_DETECTION_FINDING.1,
        "type_uid": TYPE_DETECTION_FINDING_CREATE.0,
        "type_name": TYPE_DETECTION_FINDING_CREATE.1,
        "time": last_ms,
        "start_time": first_ms,
        "end_time": last_ms,
        // Audit-log times are UTC.
        "timezone_offset": 0,
        "severity_id": severity.0,
        "severity": severity.1,
        "confidence_id": confidence.0,
        "confidence": confidence.1,
        "status_id": status.0,
        "status": status.1,
        "status_detail": status_detail(i).map(|s| text(&s)),
        "is_alert": i.suppressed_by.is_none() && i.severity > Severity::Info,
        "message": text(&title),
        "finding_info": finding_info(i, &title),
        "resources": cloud::resources(i),
        "cloud": cloud::cloud(i),
        "device": cloud::device(i),
        "actor": first_actor.map(actor::actor),
        "evidences": i.evidence.iter().map(|e| call::evidence(i.provider, e)).collect::<Vec<_>>(),
        "observables": observables(i),
        "remediation": remediation::remediation(i),
        "metadata": {
            "version": SCHEMA_VERSION,
            "profiles": PROFILES,
            "uid": text(&i.incident_id),
            "product": {
                "name": "revertwatch",
                "vendor_name": "revertwatch",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "unmapped": unmapped(i),
    });
    if let Some(unmapped) = finding["unmapped"].as_object_mut() {
        unmapped.insert("new_machine".into(), Value::Bool(i.new_machine));
        unmapped.insert("downtime".into(), downtime(i));
        unmapped.insert("routine".into(), routine(i));
    }
    prune(&mut finding);
    finding
}

/// What OCSF has no place for, under its own names.
fn unmapped(i: &Incident) -> Value {
    json!({
        "severity": i.severity.as_str(),
        "suspicion_score": i.suspicion_score,
        "is_snapshot_restore": i.is_snapshot_restore,
        "is_ephemeral_reset": i.is_ephemeral_reset,
        "suppressed_by": i.suppressed_by.as_deref().map(text),
        "downgraded_by": i.downgraded_by.as_deref().map(text),
        "tuning_notes": i.tuning_notes.iter().map(|n| text(n)).collect::<Vec<_>>(),
        "failed_attempts": i.failed_attempts,
        "target_kind": text(&i.target_kind),
        "evidence_destroyed": i.evidence_destroyed.as_deref().map(text),
        "restored_from": i.restored_from.iter().map(|r| json!({
            "id": text(&r.id),
            "kind": text(&r.kind),
            "taken_of": r.taken_of.as_deref().map(text),
            "taken_at": r.taken_at.as_ref().map(format_time),
            "taken_at_source": text(&r.taken_at_source),
        })).collect::<Vec<_>>(),
        "revert_age_seconds": i.revert_age.as_ref().and_then(|a| a.seconds),
        "revert_age": i.revert_age.as_ref().map(|a| text(&a.describe())),
    })
}

/// What was found: the analytic, the technique, and the calls it was found in.
fn finding_info(i: &Incident, title: &str) -> Value {
    let first_ms = i.first_seen.timestamp_millis();
    let last_ms = i.last_seen.timestamp_millis();
    let (log, _) = vocabulary::audit_log(i.provider);
    json!({
        "uid": text(&i.incident_id),
        "title": text(title),
        "desc": text(&describe(i)),
        "types": i.chains.iter().map(|c| text(c)).collect::<Vec<_>>(),
        "first_seen_time": first_ms,
        "last_seen_time": last_ms,
        // The finding exists once its last call is logged; using that time, not the wall
        // clock, keeps the output a function of the input.
        "created_time": last_ms,
        "data_sources": [log],
        "analytic": {
            "uid": ANALYTIC_UID,
            "name": "Cloud instance revert",
            "type_id": ANALYTIC_RULE.0,
            "type": ANALYTIC_RULE.1,
            "desc": "Snapshot restores and ephemeral resets (stop/start, deallocate, reimage) \
                     that reach one instance or VM through resource lineage within the \
                     window; both together escalate.",
        },
        "attacks": [attack()],
        "related_events": i.evidence.iter()
            .map(|e| call::related_event(i.provider, e))
            .collect::<Vec<_>>(),
        "related_events_count": i.evidence.len(),
    })
}

fn attack() -> Value {
    let part =
        |(uid, name, url): (&str, &str, &str)| json!({ "uid": uid, "name": name, "src_url": url });
    json!({
        "tactic": part(TACTIC),
        "technique": part(TECHNIQUE),
        "sub_technique": part(SUB_TECHNIQUE),
        "version": ATTACK_VERSION,
    })
}

/// What the incident found, in the words of the table (`snapshot restore + ephemeral reset`).
fn halves(i: &Incident) -> &'static str {
    match (i.is_snapshot_restore, i.is_ephemeral_reset) {
        (1, 1) => "snapshot restore + ephemeral reset",
        (1, _) => "snapshot restore",
        (_, 1) => "ephemeral reset",
        _ => "failed attempts only",
    }
}

/// `unmapped.downtime`: how long the machine was down (none when it was not stopped).
fn downtime(i: &Incident) -> Value {
    i.downtime.as_ref().map_or(
        Value::Null,
        |d| json!({"seconds": d.seconds, "human": text(&d.human), "still_down": d.still_down}),
    )
}

/// `unmapped.routine`: the earlier resets that make a routine (`info`) incident a habit.
fn routine(i: &Incident) -> Value {
    i.routine.as_ref().map_or(Value::Null, |r| {
        json!({
            "actor": text(&r.actor),
            "times_seen": r.times_seen,
            "first_seen": format_time(&r.first_seen),
            "usual_hours": r.usual_hours.iter().map(|h| text(h)).collect::<Vec<_>>(),
        })
    })
}

fn title(i: &Incident) -> String {
    let verdict = match i.severity {
        Severity::Escalate => "Cloud instance revert",
        Severity::Review => "Possible cloud instance revert",
        Severity::Info => "Routine cloud instance reset",
        Severity::None => "Failed cloud instance revert attempt",
    };
    format!(
        "{verdict} ({}) on {} {}",
        halves(i),
        i.target_kind,
        i.target
    )
}

fn describe(i: &Incident) -> String {
    let mut s = format!(
        "{} reached {} {} {} in account {}{} between {} and {}: {} call(s) ({})",
        capitalised(halves(i)),
        i.provider,
        i.target_kind,
        i.target,
        i.account,
        if i.region.is_empty() {
            String::new()
        } else {
            format!(" ({})", i.region)
        },
        format_time(&i.first_seen),
        format_time(&i.last_seen),
        i.evidence.len(),
        i.operations.join(", "),
    );
    if !i.actors.is_empty() {
        s.push_str(&format!(" by {}", i.actors.join(", ")));
    }
    if !i.source_ips.is_empty() {
        s.push_str(&format!(" from {}", i.source_ips.join(", ")));
    }
    if !i.chains.is_empty() {
        s.push_str(&format!("; chains {}", i.chains.join(", ")));
    }
    s.push('.');
    for (label, fact) in i.revert_facts() {
        s.push_str(&format!(" {}: {fact}.", capitalised(label)));
    }
    if let Some(detail) = status_detail(i) {
        s.push(' ');
        s.push_str(&detail);
        s.push('.');
    }
    for note in &i.tuning_notes {
        s.push_str(&format!(" Tuning: {note}."));
    }
    s
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn status_detail(i: &Incident) -> Option<String> {
    match (&i.suppressed_by, &i.downgraded_by) {
        (Some(rule), _) => Some(format!("Suppressed by tuning rule `{rule}`")),
        (None, Some(rule)) => Some(format!("Downgraded to review by tuning rule `{rule}`")),
        (None, None) => None,
    }
}

/// Every pivot value once: the first actor, the target and resources, and each call's actor,
/// address and user agent.
fn observables(i: &Incident) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    if let Some(a) = i.actors.first() {
        out.push(call::observable(
            "",
            "actor.user.uid",
            OBSERVABLE_USER_UID,
            a,
        ));
    }
    for r in cloud::resources(i) {
        if let Some(uid) = r["uid"].as_str() {
            out.push(call::observable(
                "",
                "resources.uid",
                OBSERVABLE_RESOURCE_UID,
                uid,
            ));
        }
    }
    for e in &i.evidence {
        for o in call::observables(e, "evidences.") {
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// OCSF up to 1.3 caps `string_t` at 65,535 characters (1.4 dropped the cap); a longer log
/// string is cut there, with an ellipsis, so that one absurd user agent cannot make a finding
/// invalid for a reader built on an earlier release.
const MAX_STRING_CHARS: usize = 65_535;

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_STRING_CHARS) {
        None => s.to_string(),
        Some(_) => {
            let end = s
                .char_indices()
                .nth(MAX_STRING_CHARS - 1)
                .map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..end])
        }
    }
}

/// A log string as an attribute value; empty means unknown, which OCSF writes as absent.
fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(clip(s))
    }
}

/// OCSF leaves unknown attributes out rather than writing `null`: drop nulls, and the empty
/// arrays and objects they leave behind.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, child| !is_empty(child));
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                prune(child);
            }
            items.retain(|child| !is_empty(child));
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_cut_to_the_schema_limit() {
        let long = "é".repeat(MAX_STRING_CHARS + 10);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), MAX_STRING_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(MAX_STRING_CHARS);
        assert_eq!(clip(&exact), exact);
    }

    #[test]
    fn pruning_drops_unknowns_but_keeps_empty_strings() {
        let mut v = json!({"a": null, "b": [], "c": {"d": null}, "e": "", "f": [null, 1]});
        prune(&mut v);
        assert_eq!(v, json!({"e": "", "f": [1]}));
    }
}
