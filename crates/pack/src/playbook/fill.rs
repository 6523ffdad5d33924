//! Filling a command from an incident: each value goes in as one single-quoted shell word.

use std::collections::BTreeMap;

use serde_json::Value;

use super::template::{parse, Piece};
use crate::model::{Pack, Provider};

/// The values an incident gives the placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    values: BTreeMap<&'static str, String>,
}

/// A filled command, and the placeholders the incident had no value for (left as `'<name>'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    pub missing: Vec<&'static str>,
}

impl Facts {
    /// Reads an incident as `hunt --format jsonl` writes it, with its `evidence` (as the
    /// incident structs serialise). The pack says which calls detach a volume or disk.
    pub fn from_incident(incident: &Value, pack: &Pack) -> Facts {
        let mut f = Facts::default();
        let s = |k: &str| incident.get(k).and_then(Value::as_str).unwrap_or("");
        let provider: Option<Provider> = incident
            .get("provider")
            .and_then(|p| serde_json::from_value(p.clone()).ok());
        let target = s("target");
        f.set("account", s("account"));
        f.set("region", s("region"));
        f.set("target", target);
        f.set("target_name", last_segment(target));
        f.set("incident_id", s("incident_id"));
        f.set("zone", segment_after(target, "zones"));
        f.set("resource_group", segment_after(target, "resourcegroups"));
        f.set("vault_name", segment_after(target, "vaults"));
        if let Some(t) = shift_hours(s("first_seen"), -1) {
            f.set("window_start", &t);
        }
        if let Some(t) = shift_hours(s("last_seen"), 1) {
            f.set("window_end", &t);
        }
        let actor = incident
            .get("actors")
            .and_then(|a| a.get(0))
            .and_then(Value::as_str)
            .unwrap_or("");
        f.set("actor", actor);
        if provider == Some(Provider::Aws) && actor.starts_with("arn:") {
            f.set("actor_name", last_segment(actor));
            let resource = actor.splitn(6, ':').nth(5).unwrap_or("");
            if let Some(rest) = resource.strip_prefix("assumed-role/") {
                f.set("actor_role", rest.split('/').next().unwrap_or(""));
            }
            if resource.starts_with("user/") {
                f.set("actor_user", last_segment(resource));
            }
        }

        let evidence: &[Value] = incident
            .get("evidence")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let resources = |e: &Value| -> Vec<(String, String)> {
            e.get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    Some((
                        r.get("kind")?.as_str()?.to_string(),
                        r.get("id")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        };
        let is_restore =
            |e: &Value| e.get("signal").and_then(Value::as_str) == Some("snapshot_restore");
        let find = |restores_first: bool, kinds: &[&str]| -> Option<String> {
            let mut ordered: Vec<&Value> = evidence.iter().filter(|e| is_restore(e)).collect();
            if !restores_first {
                ordered.clear();
            }
            ordered.extend(evidence.iter());
            ordered.into_iter().find_map(|e| {
                resources(e)
                    .into_iter()
                    .find(|(k, _)| kinds.contains(&k.as_str()))
                    .map(|(_, id)| id)
            })
        };
        let snapshot = find(true, &["snapshot"]);
        let image = find(true, &["image", "machine-image"]);
        let restored = evidence.iter().filter(|e| is_restore(e)).find_map(|e| {
            resources(e)
                .into_iter()
                .find(|(k, _)| ["volume", "disk", "image", "machine-image"].contains(&k.as_str()))
                .map(|(_, id)| id)
        });
        let replaced = provider.and_then(|p| {
            evidence.iter().find_map(|e| {
                let op = e.get("operation")?.as_str()?;
                let detaches = pack
                    .entries_for(p, op)
                    .any(|entry| entry.edges.iter().any(|ed| ed.relation == "detached"));
                if !detaches {
                    return None;
                }
                resources(e)
                    .into_iter()
                    .find(|(k, id)| {
                        (k == "volume" || k == "disk")
                            && !restored
                                .as_deref()
                                .is_some_and(|r| r.eq_ignore_ascii_case(id))
                    })
                    .map(|(_, id)| id)
            })
        });
        for (key, name_key, value) in [
            ("snapshot", "snapshot_name", snapshot),
            ("image", "image_name", image),
            ("restored", "restored_name", restored),
            ("replaced", "replaced_name", replaced),
        ] {
            if let Some(v) = value {
                f.set(key, &v);
                f.set(name_key, last_segment(&v));
            }
        }
        f
    }

    /// Sets a value by hand (for callers with more to say than the incident).
    pub fn set(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        if let Some(key) = super::PLACEHOLDERS.iter().find(|p| **p == name) {
            self.values.insert(key, value.to_string());
        }
    }

    /// The same facts with every value passed through `f`: for a medium with its own
    /// escaping (a terminal's control characters), applied before the shell quoting.
    pub fn map_values(&self, f: impl Fn(&str) -> String) -> Facts {
        Facts {
            values: self.values.iter().map(|(k, v)| (*k, f(v))).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The command with every placeholder replaced by its value as one single-quoted word, or
    /// by `'<name>'` when the incident has no value for it.
    pub fn fill(&self, template: &str) -> Filled {
        let mut text = String::with_capacity(template.len() + 64);
        let mut missing = Vec::new();
        // A template that does not parse was refused at load; keep such text as it is.
        let Ok(pieces) = parse(template) else {
            return Filled {
                text: template.to_string(),
                missing,
            };
        };
        for piece in pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Hole(name) => match self.values.get(name) {
                    Some(v) => text.push_str(&single_quote(v)),
                    None => {
                        let key = super::PLACEHOLDERS
                            .iter()
                            .find(|p| **p == name)
                            .expect("parse accepts only known names");
                        if !missing.contains(key) {
                            missing.push(*key);
                        }
                        text.push_str(&format!("'<{name}>'"));
                    }
                },
            }
        }
        Filled { text, missing }
    }
}

/// `s` as one single-quoted bash word: nothing in it is special to the shell.
pub fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
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

/// An RFC 3339 UTC time (`2026-03-01T12:00:00Z`, fractions allowed) moved by whole hours,
/// written back to the second. The pack has no date library, and this is the one sum it needs.
fn shift_hours(t: &str, hours: i64) -> Option<String> {
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !t.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let secs = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss + hours * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

// Howard Hinnant's days-from-civil and its inverse (proleptic Gregorian, day 0 = 1970-01-01).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_shift_across_days_months_and_leap_years() {
        assert_eq!(
            shift_hours("2026-03-01T00:30:00Z", -1).as_deref(),
            Some("2026-02-28T23:30:00Z")
        );
        assert_eq!(
            shift_hours("2024-02-28T23:10:05.123Z", 1).as_deref(),
            Some("2024-02-29T00:10:05Z")
        );
        assert_eq!(
            shift_hours("2025-12-31T23:59:59Z", 1).as_deref(),
            Some("2026-01-01T00:59:59Z")
        );
        assert_eq!(shift_hours("yesterday", 1), None);
        assert_eq!(shift_hours("2026-13-01T00:00:00Z", 1), None);
    }

    #[test]
    fn values_go_in_as_one_quoted_word_and_unknowns_stay_visible() {
        let mut f = Facts::default();
        f.set("actor", "x'; rm -rf / #\n$(id)`id`");
        f.set("target", "i-0abc");
        let out = f.fill("echo {{actor}} {{target}} {{replaced}} {{replaced}}");
        assert_eq!(
            out.text,
            "echo 'x'\\''; rm -rf / #\n$(id)`id`' 'i-0abc' '<replaced>' '<replaced>'"
        );
        assert_eq!(out.missing, ["replaced"]);
    }
}
