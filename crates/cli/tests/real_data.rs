//! Real public samples: every file reads, the seed profile matches a hand count of what the
//! seed SPL would return, and the default pack raises nothing to escalate (there is no revert
//! in these logs) while losing no row the seed would show. Each test runs on the samples
//! vendored into the repo, and on the whole of `../shared/data` when it is beside the checkout.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use support::{hunt_jsonl, shared_data, vendored_data};

/// A set of real samples and what holds on it.
struct Set {
    dir: PathBuf,
    files: usize,
    reviews: Option<usize>,
    /// Counted by hand (scripts/seed_spl_count.py re-derives it): AWS records whose eventName
    /// is in the seed list, errorCode empty, and SuspicionScore > 0. ModifyVolume, AttachVolume
    /// and RunInstances score 0 in the SPL and are filtered out by its `where`. The Azure sample
    /// is all `Started` events, which the seed's Succeeded filter drops; the SPL has no GCP half.
    seed_rows: &'static [(&'static str, usize)],
}

fn sets() -> Vec<Set> {
    let mut sets = vec![Set {
        dir: vendored_data(),
        files: 96,
        reviews: Some(3),
        seed_rows: &[
            ("RegisterImage", 1),
            ("StartInstances", 1),
            ("StopInstances", 2),
        ],
    }];
    if let Some(dir) = shared_data() {
        sets.push(Set {
            dir,
            files: 4002,
            reviews: None,
            seed_rows: &[
                ("RegisterImage", 1),
                ("StartInstances", 5),
                ("StopInstances", 5),
            ],
        });
    }
    sets
}

#[test]
fn seed_spl_profile_matches_the_hand_count_on_real_logs() {
    for set in sets() {
        let run = hunt_jsonl(&[&set.dir], &["--rules", "seed-spl"]);
        run.expect_code(0);
        assert!(run.stderr.contains("0 skipped"), "{}", run.stderr);
        let rows = run.jsonl();
        let mut per_op: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rows {
            *per_op
                .entry(r["operation"].as_str().unwrap().to_string())
                .or_default() += 1;
            assert!(r["suspicion_score"].as_u64().unwrap() > 0);
            assert!(r["incident_id"].is_null());
        }
        let expected: BTreeMap<String, usize> = set
            .seed_rows
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        assert_eq!(per_op, expected, "{}", set.dir.display());
        // The SPL's coalesce finds no volumeId/instanceId/imageId in these requests.
        assert!(
            rows.iter().all(|r| r["target_resource"] == "unknown"),
            "{}",
            run.stdout
        );
        // `sort - _time`
        let times: Vec<&str> = rows.iter().map(|r| r["time"].as_str().unwrap()).collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted);
    }
}

#[test]
fn default_pack_reads_every_real_file_and_escalates_nothing() {
    for set in sets() {
        let run = hunt_jsonl(&[&set.dir], &[]);
        run.expect_code(0);
        assert!(
            run.stderr.contains(&format!("{} files", set.files)),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("0 skipped"), "{}", run.stderr);
        let incidents = run.jsonl();
        assert!(
            incidents.iter().all(|i| i["severity"] == "review"),
            "{}",
            run.stdout
        );
        assert!(!incidents.is_empty());
        if let Some(n) = set.reviews {
            assert_eq!(incidents.len(), n, "{}", run.stdout);
        }
    }
}

#[test]
fn no_row_the_seed_would_show_goes_missing_from_the_incidents() {
    for set in sets() {
        let seed = hunt_jsonl(&[&set.dir], &["--rules", "seed-spl"]).jsonl();
        let incidents = hunt_jsonl(&[&set.dir], &[]).jsonl();
        for row in seed {
            let id = &row["event_id"];
            assert!(
                incidents
                    .iter()
                    .any(|i| i["event_ids"].as_array().unwrap().contains(id)),
                "seed row {row} is in no incident"
            );
        }
    }
}
