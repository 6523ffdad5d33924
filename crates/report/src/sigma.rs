//! Sigma export of the pack's single-event signals: one rule per `snapshot_restore` or
//! `ephemeral_reset` entry, for SIEMs that run Sigma rather than revertwatch.
//!
//! A Sigma rule sees one log entry at a time, so what it can say is what one entry says: this
//! operation, with these request fields. The lineage (a snapshot's volume attached to the
//! instance that was just stopped) and the scoring over an incident stay in revertwatch; every
//! rule's description says so.
//!
//! Invariants: the output depends only on the pack (the same pack writes the same bytes); a
//! rule's `id` is a hash of its file name, so a rule keeps its id as long as it keeps its file;
//! every string from the pack is escaped for YAML and for Sigma's wildcards.

mod detection;
mod yaml;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use revertwatch_pack::{Entry, Pack, Provider, Signal};
use sha2::{Digest, Sha256};

use yaml::Node;

/// The `date` of every exported rule. Fixed, not today's, so that an export is reproducible; it
/// is the day this export's rule shape was written.
const RULE_DATE: &str = "2026-11-29";

/// The technique every exported rule detects a step of.
const ATTACK_URL: &str = "https://attack.mitre.org/techniques/T1578/004/";

/// pySigma's default filename check wants 10 to 90 characters.
const MAX_FILE_NAME: usize = 90;

/// One exported rule: its file name and its YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaRule {
    /// The file name, within pySigma's length limits.
    pub file_name: String,
    /// The rule as YAML.
    pub text: String,
}

/// Writes one Sigma rule file per exported signal into `dir`; returns how many.
///
/// Files already in `dir` are overwritten when they have an exported rule's name and are
/// otherwise left alone.
pub fn export(pack: &Pack, dir: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let rules = rules(pack);
    for rule in &rules {
        std::fs::write(dir.join(&rule.file_name), &rule.text)?;
    }
    Ok(rules.len())
}

/// The rules for every entry whose signal scores (`snapshot_restore`, `ephemeral_reset`), in pack
/// order. `link` entries score nothing alone, so they have no rule.
pub fn rules(pack: &Pack) -> Vec<SigmaRule> {
    let mut per_stem: BTreeMap<String, usize> = BTreeMap::new();
    let mut titles: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in pack.entries.iter().filter(|e| e.signal != Signal::Link) {
        let stem = file_stem(entry);
        let n = per_stem.entry(stem.clone()).or_insert(0);
        *n += 1;
        let file_stem = format!("{stem}_{n}");
        let mut title = title(entry);
        let seen = titles.entry(title.clone()).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            title = format!("{title} #{seen}");
        }
        out.push(SigmaRule {
            text: rule_text(entry, &title, &uuid_for(&file_stem)),
            file_name: format!("{file_stem}.yml"),
        });
    }
    out
}

fn rule_text(entry: &Entry, title: &str, id: &str) -> String {
    let detection = detection::translate(entry);
    let level = match entry.signal {
        Signal::SnapshotRestore | Signal::EvidenceDestroyed => "medium",
        _ => "low",
    };
    yaml::document(&[
        ("title".into(), Node::text(title)),
        ("id".into(), Node::plain(id)),
        ("status".into(), Node::plain("experimental")),
        (
            "description".into(),
            Node::text(&description(entry, &detection.notes)),
        ),
        (
            "references".into(),
            Node::List(vec![Node::plain(ATTACK_URL)]),
        ),
        ("author".into(), Node::plain("revertwatch")),
        ("date".into(), Node::plain(RULE_DATE)),
        (
            "tags".into(),
            Node::List(vec![
                Node::plain("attack.defense-evasion"),
                Node::plain("attack.t1578.004"),
            ]),
        ),
        ("logsource".into(), detection.logsource),
        ("detection".into(), detection.detection),
        ("falsepositives".into(), false_positives(entry.signal)),
        ("level".into(), Node::plain(level)),
    ])
}

fn provider_label(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure",
        Provider::Gcp => "GCP",
    }
}

fn title(entry: &Entry) -> String {
    let what = entry
        .chain
        .clone()
        .unwrap_or_else(|| entry.signal.as_str().replace('_', " "));
    format!(
        "Cloud Instance Revert Step - {} {} ({what})",
        provider_label(entry.provider),
        entry.name
    )
}

fn description(entry: &Entry, notes: &[String]) -> String {
    let signal = match entry.signal {
        Signal::SnapshotRestore => {
            "revertwatch signal: snapshot restore (something made from a snapshot, image or backup)."
        }
        Signal::EvidenceDestroyed => {
            "revertwatch signal: evidence destroyed (the volume or disk a revert replaced is deleted)."
        }
        _ => "revertwatch signal: ephemeral reset (a stop, start, deallocate or reimage).",
    };
    let mut text = format!("{} {signal}", entry.description.trim());
    for note in notes {
        text.push(' ');
        text.push_str(note);
    }
    text.push_str(
        " Exported from the revertwatch pack; the lineage correlation is not expressible in \
         Sigma: this rule sees one call, while revertwatch follows what the call made to the \
         instance or VM it reaches and escalates when a snapshot restore and an ephemeral reset \
         meet on one machine.",
    );
    text
}

fn false_positives(signal: Signal) -> Node {
    let mut list = vec![
        "Disaster recovery runbooks restoring instances from approved snapshots (check for a change ticket)",
        "Backup and restore testing, DR drills",
        "CI/CD pipelines resetting development or staging environments to known-good snapshots",
        "Patch rollbacks after a failed update or a breaking configuration change",
        "Chaos engineering experiments (AWS Fault Injection Service, Azure Chaos Studio) that stop and restart instances",
    ];
    if signal == Signal::EphemeralReset {
        list.push("Instance schedulers that stop machines out of hours and start them again");
    }
    Node::texts(list)
}

/// `<provider>_<operation>`: lower case, runs of anything but letters and digits as one `_`,
/// shortened with a hash of the full name when the file name would pass pySigma's length limit.
fn file_stem(entry: &Entry) -> String {
    let mut op = String::new();
    for c in entry.name.chars() {
        if c.is_ascii_alphanumeric() {
            op.push(c.to_ascii_lowercase());
        } else if !op.ends_with('_') && !op.is_empty() {
            op.push('_');
        }
    }
    while op.ends_with('_') {
        op.pop();
    }
    if op.is_empty() {
        op.push_str("operation");
    }
    let provider = entry.provider.as_str();
    // `_NN.yml` leaves room for up to 99 rules for one operation.
    let room = MAX_FILE_NAME - provider.len() - 1 - "_99.yml".len();
    if op.len() > room {
        let hash = hex(&Sha256::digest(entry.name.as_bytes())[..4]);
        let mut head = op[..room - hash.len() - 1].to_string();
        while head.ends_with('_') {
            head.pop();
        }
        op = format!("{head}_{hash}");
    }
    format!("{provider}_{op}")
}

/// A name-based UUID (version 5 and RFC 4122 variant bits, over SHA-256 rather than SHA-1).
fn uuid_for(file_stem: &str) -> String {
    let digest = Sha256::digest(format!("revertwatch sigma rule\0{file_stem}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pack(toml: &str) -> Pack {
        revertwatch_pack::load_str(toml, Path::new("test.toml")).expect("test pack loads")
    }

    #[test]
    fn odd_characters_in_names_and_descriptions_are_escaped() {
        let p = pack(
            r#"
[[operation]]
provider = "aws"
name = "Create\"Volume: #1 *x?"
signal = "snapshot_restore"
when = [{ path = "request.snapshotId", any_of = ["it's: \"q\" \\ *"] }]
description = "Line one: \"quoted\" # not a comment\nline two \u202e"
subject = "volume"
resources.volume = { kind = "volume", path = "response.volumeId" }
"#,
        );
        let rules = rules(&p);
        assert_eq!(rules.len(), 1);
        let text = &rules[0].text;
        assert_eq!(rules[0].file_name, "aws_create_volume_1_x_1.yml");
        assert!(
            text.contains(
                r#"title: "Cloud Instance Revert Step - AWS Create\"Volume: #1 *x? (snapshot restore)""#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"description: "Line one: \"quoted\" # not a comment\nline two \u202e revertwatch signal"#),
            "{text}"
        );
        // Sigma wildcards in names and values are escaped for Sigma, then for YAML.
        assert!(
            text.contains(r#"eventName: "Create\"Volume: #1 \\*x\\?""#),
            "{text}"
        );
        assert!(
            text.contains(r#"requestParameters.snapshotId: "it's: \"q\" \\\\ \\*""#),
            "{text}"
        );
        // Nothing but the escaped forms: no raw newline or bidi control inside a scalar.
        assert!(!text.contains('\u{202e}'));
        assert!(text.lines().all(|l| l.starts_with(' ') || l.contains(':')));
    }

    #[test]
    fn default_pack_exports_every_scoring_entry_deterministically() {
        let p = revertwatch_pack::load_default();
        let first = rules(&p);
        let scoring = p
            .entries
            .iter()
            .filter(|e| e.signal != Signal::Link)
            .count();
        assert_eq!(first.len(), scoring);
        assert_eq!(first, rules(&p));
        let mut names: Vec<&str> = first.iter().map(|r| r.file_name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), first.len(), "file names are unique");
        for r in &first {
            assert!(
                (10..=MAX_FILE_NAME).contains(&r.file_name.len()),
                "{}",
                r.file_name
            );
        }
        let gcp = first
            .iter()
            .find(|r| r.file_name == "gcp_compute_instances_insert_2.yml")
            .unwrap();
        assert!(gcp
            .text
            .contains("gcp.audit.request.disks.initializeParams.sourceSnapshot: \"*\""));
    }

    #[test]
    fn ids_are_name_based_uuids() {
        let id = uuid_for("aws_stopinstances_1");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "5");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(id, uuid_for("aws_stopinstances_1"));
        assert_ne!(id, uuid_for("aws_stopinstances_2"));
    }
}
