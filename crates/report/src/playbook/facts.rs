//! What an incident says about the playbooks' placeholders: its ids, where it happened, who
//! did it, the hours around it, and which snapshot, image, restored and replaced disk its
//! evidence names.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use revertwatch_detect::{Evidence, Incident};
use revertwatch_pack::{Facts, Pack, Provider, Signal};

/// The values `incident` gives the placeholders. The pack says which calls detach a volume or
/// disk: the replaced one is what such a call named, other than the restored one.
pub fn from_incident(incident: &Incident, pack: &Pack) -> Facts {
    let mut f = Facts::default();
    let target = incident.target.as_str();
    f.set("account", &incident.account);
    f.set("region", &incident.region);
    f.set("target", target);
    f.set("target_name", last_segment(target));
    f.set("incident_id", &incident.incident_id);
    f.set("zone", segment_after(target, "zones"));
    f.set("resource_group", segment_after(target, "resourcegroups"));
    f.set("vault_name", segment_after(target, "vaults"));
    if let Some(t) = shift_hours(&incident.first_seen, -1) {
        f.set("window_start", &t);
    }
    if let Some(t) = shift_hours(&incident.last_seen, 1) {
        f.set("window_end", &t);
    }
    let actor = incident.actors.first().map_or("", String::as_str);
    f.set("actor", actor);
    if incident.provider == Provider::Aws && actor.starts_with("arn:") {
        f.set("actor_name", last_segment(actor));
        let resource = actor.splitn(6, ':').nth(5).unwrap_or("");
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            f.set("actor_role", rest.split('/').next().unwrap_or(""));
        }
        if resource.starts_with("user/") {
            f.set("actor_user", last_segment(resource));
        }
    }
    for (key, name_key, value) in evidence_ids(incident, pack) {
        if let Some(v) = value {
            f.set(key, v);
            f.set(name_key, last_segment(v));
        }
    }
    f
}

type Named<'a> = (&'static str, &'static str, Option<&'a str>);

/// The snapshot, image, restored and replaced resources, each with its placeholder and the
/// placeholder of its last path segment.
fn evidence_ids<'a>(incident: &'a Incident, pack: &Pack) -> [Named<'a>; 4] {
    let evidence = &incident.evidence;
    let is_restore = |e: &Evidence| e.signal == Signal::SnapshotRestore;
    let first_of = |e: &'a Evidence, kinds: &[&str]| -> Option<&'a str> {
        e.resources
            .iter()
            .find(|r| kinds.contains(&r.kind.as_str()))
            .map(|r| r.id.as_str())
    };
    // Restores first: the snapshot a restore read from beats one a copy merely named.
    let restores_first = |kinds: &[&str]| -> Option<&'a str> {
        evidence
            .iter()
            .filter(|e| is_restore(e))
            .chain(evidence.iter())
            .find_map(|e| first_of(e, kinds))
    };
    let snapshot = restores_first(&["snapshot"]);
    let image = restores_first(&["image", "machine-image"]);
    let restored = evidence
        .iter()
        .filter(|e| is_restore(e))
        .find_map(|e| first_of(e, &["volume", "disk", "image", "machine-image"]));
    let replaced = evidence.iter().find_map(|e| {
        let detaches = pack
            .entries_for(incident.provider, &e.operation)
            .any(|entry| entry.edges.iter().any(|ed| ed.relation == "detached"));
        if !detaches {
            return None;
        }
        e.resources
            .iter()
            .find(|r| {
                (r.kind == "volume" || r.kind == "disk")
                    && !restored.is_some_and(|id| id.eq_ignore_ascii_case(&r.id))
            })
            .map(|r| r.id.as_str())
    });
    [
        ("snapshot", "snapshot_name", snapshot),
        ("image", "image_name", image),
        ("restored", "restored_name", restored),
        ("replaced", "replaced_name", replaced),
    ]
}

fn last_segment(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// The path segment after `key` (matched ignoring case): `zones` in
/// `projects/p/zones/us-central1-a/instances/x` gives `us-central1-a`.
fn segment_after<'a>(path: &'a str, key: &str) -> &'a str {
    let mut parts = path.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(key) {
            return parts.next().unwrap_or("");
        }
    }
    ""
}

/// `t` moved by whole hours, written to the second. Only four-digit years: a time outside
/// them has no RFC 3339 form a cloud CLI would take, so the placeholder stays unfilled.
pub(crate) fn shift_hours(t: &DateTime<Utc>, hours: i64) -> Option<String> {
    if !(0..=9999).contains(&t.year()) {
        return None;
    }
    let moved = t.checked_add_signed(TimeDelta::try_hours(hours)?)?;
    Some(moved.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn hours_shift_across_days_months_and_leap_years() {
        assert_eq!(
            shift_hours(&at("2026-03-01T00:30:00Z"), -1).as_deref(),
            Some("2026-02-28T23:30:00Z")
        );
        assert_eq!(
            shift_hours(&at("2024-02-28T23:10:05.123Z"), 1).as_deref(),
            Some("2024-02-29T00:10:05Z")
        );
        assert_eq!(
            shift_hours(&at("2025-12-31T23:59:59Z"), 1).as_deref(),
            Some("2026-01-01T00:59:59Z")
        );
        let far = chrono::NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(shift_hours(&far, 1), None);
    }
}
