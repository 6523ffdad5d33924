//! The ground truth: every planted scenario listed, found, and apart from the noise.

use std::collections::HashSet;

use revertwatch_simulate::Cloud;

use super::*;

#[test]
fn ground_truth_lists_every_planted_scenario() {
    let c = corpus();
    let gt = ground_truth(&c.dir);
    assert_eq!(gt, c.report.planted, "file and report agree");
    let mut ids = HashSet::new();
    for p in &gt {
        assert!(ids.insert(p.id.clone()), "{}: id twice", p.id);
        fields(p);
        found(c, p);
    }
    // at least one of each scenario on each cloud; full reverts scale with size (min 1)
    for (cloud, scenarios) in WANT {
        for s in scenarios {
            assert!(
                gt.iter().any(|p| p.cloud == cloud && p.scenario == *s),
                "{cloud}: no {s}"
            );
        }
    }
    let targets: HashSet<&str> = gt.iter().map(|p| p.target.as_str()).collect();
    assert_eq!(
        targets.len(),
        gt.len(),
        "each planted scenario has its own target"
    );
}

/// Planted AWS ids have 8-f as the first hex digit after `-0`; noise never does, so no planted
/// target (or any of its resources) shows up in noise.
#[test]
fn noise_never_uses_the_planted_id_namespace() {
    let c = corpus();
    let gt = ground_truth(&c.dir);
    let planted_targets: HashSet<&str> = gt.iter().map(|p| p.target.as_str()).collect();
    let mut planted_instances = HashSet::new();
    for bytes in c.files.values() {
        let text = std::str::from_utf8(bytes).unwrap();
        let mut rest = text;
        while let Some(at) = rest.find("\"i-0") {
            let id = &rest[at + 1..];
            let end = id.find('"').unwrap_or(id.len());
            let id = &id[..end];
            if id.len() == 19 && "89abcdef".contains(&id[3..4]) {
                planted_instances.insert(id.to_string());
            }
            rest = &rest[at + 4..];
        }
    }
    for id in &planted_instances {
        // planted instances are targets, or instances a scenario only reads about
        assert!(
            planted_targets.contains(id.as_str()),
            "{id}: a planted-namespace instance that is no target"
        );
    }
    let aws_targets = gt
        .iter()
        .filter(|p| p.cloud == Cloud::Aws && p.target.starts_with("i-"))
        .count();
    assert_eq!(planted_instances.len(), aws_targets);
}

/// A planted scenario's fields agree with each other and with the options.
fn fields(p: &Planted) {
    assert_eq!(p.container.cloud(), p.cloud, "{}", p.id);
    let escalate = p.scenario == "full-revert";
    assert_eq!(
        p.expected_severity,
        if escalate { "escalate" } else { "review" },
        "{}",
        p.id
    );
    assert!(!p.expected_chains.is_empty());
    let mut sorted = p.expected_chains.clone();
    sorted.sort();
    assert_eq!(sorted, p.expected_chains);
    assert!(
        p.first_event_time.starts_with("2026-03-0"),
        "{}",
        p.first_event_time
    );
    match p.cloud {
        Cloud::Aws => {
            assert_eq!(p.account, "111122223333");
            assert!(p.target.starts_with("i-0") || p.target.starts_with("vol-0"));
        }
        Cloud::Azure => {
            assert_eq!(p.target, p.target.to_lowercase());
            assert!(p.target.starts_with(
                "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourcegroups/"
            ));
            assert!(p.target.contains("/providers/microsoft.compute/"));
        }
        Cloud::Gcp => assert!(p
            .target
            .starts_with("projects/acme-prod/zones/us-central1-")),
    }
}

/// The target is in the records of its container, and so is the first call's time.
fn found(c: &Corpus, p: &Planted) {
    let texts = || {
        c.files
            .iter()
            .filter(|(rel, _)| container_of(rel) == Some(p.container))
            .map(|(_, b)| std::str::from_utf8(b).unwrap())
    };
    let hit = texts().any(|text| {
        if p.cloud == Cloud::Azure {
            text.to_lowercase().contains(&p.target)
        } else {
            text.contains(&p.target)
        }
    });
    assert!(
        hit,
        "{}: {} not in any {} file",
        p.id, p.target, p.container
    );
    assert!(
        texts().any(|text| text.contains(&p.first_event_time)),
        "{}: no record at {}",
        p.id,
        p.first_event_time
    );
}

/// The scenarios planted on each cloud, at least once each.
const WANT: [(Cloud, &[&str]); 3] = [
    (
        Cloud::Aws,
        &[
            "full-revert",
            "stop-start",
            "volume-from-snapshot-attach",
            "ami-from-snapshot-launch",
            "resize-lookalike",
            "backup-restore-unattached",
        ],
    ),
    (
        Cloud::Azure,
        &[
            "full-revert",
            "stop-start",
            "disk-from-snapshot-attach",
            "disk-from-snapshot",
            "resize-lookalike",
            "backup-restore-unattached",
        ],
    ),
    (
        Cloud::Gcp,
        &[
            "full-revert",
            "stop-start",
            "disk-from-snapshot-attach",
            "resize-lookalike",
            "backup-restore-unattached",
        ],
    ),
];
