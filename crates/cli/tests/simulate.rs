//! `simulate` writes what `hunt` reads, and every planted scenario comes back as the incident
//! the ground truth says: target, severity, chains and, for a backup service's own restore, the
//! built-in rule that suppresses it. Noise never escalates.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::revertwatch;

#[test]
fn every_planted_scenario_is_found_as_its_ground_truth_says() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let sim = revertwatch(
        &[
            "simulate",
            "--out",
            out.to_str().unwrap(),
            "--size",
            "12MB",
            "--seed",
            "11",
            "--days",
            "3",
        ],
        None,
    );
    sim.expect_code(0);
    assert!(sim.stderr.contains("scenarios planted"), "{}", sim.stderr);

    let truth: Vec<Value> = std::fs::read_to_string(out.join("ground-truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(truth.len() >= 10, "{truth:#?}");
    for cloud in ["aws", "azure", "gcp"] {
        assert!(
            truth
                .iter()
                .any(|t| t["cloud"] == cloud && t["expected_severity"] == "escalate"),
            "no planted full revert on {cloud}"
        );
    }

    let logs: Vec<String> = ["aws", "aws-jsonl", "azure", "gcp"]
        .iter()
        .map(|d| out.join(d).display().to_string())
        .collect();
    let mut args = vec!["hunt"];
    args.extend(logs.iter().map(String::as_str));
    args.extend(["--format", "jsonl"]);
    let hunt = revertwatch(&args, None);
    hunt.expect_code(0);
    assert!(hunt.stderr.contains("0 skipped"), "{}", hunt.stderr);
    let incidents: BTreeMap<String, Value> = hunt
        .jsonl()
        .into_iter()
        .map(|i| (i["target"].as_str().unwrap().to_string(), i))
        .collect();

    for t in &truth {
        let target = t["target"].as_str().unwrap();
        let found = incidents
            .get(target)
            .unwrap_or_else(|| panic!("planted {} not found on {target}", t["id"]));
        assert_eq!(found["severity"], t["expected_severity"], "{}", t["id"]);
        assert_eq!(found["chains"], t["expected_chains"], "{}", t["id"]);
        assert_eq!(found["account"], t["account"], "{}", t["id"]);
        let suppressed = t
            .get("expected_suppressed_by")
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(found["suppressed_by"], suppressed, "{}", t["id"]);
    }
    let planted: Vec<&str> = truth
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for (target, i) in &incidents {
        if i["severity"] == "escalate" {
            assert!(
                planted.contains(&target.as_str()),
                "noise escalated on {target}: {i:#}"
            );
        }
    }
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        revertwatch(
            &[
                "simulate",
                "--out",
                out.to_str().unwrap(),
                "--size",
                "2MB",
                "--seed",
                "5",
                "--containers",
                "aws-jsonl,gcp-jsonl",
            ],
            None,
        )
        .expect_code(0);
        let mut files = Vec::new();
        for e in walk(&out) {
            files.push((
                e.strip_prefix(&out).unwrap().to_path_buf(),
                std::fs::read(&e).unwrap(),
            ));
        }
        files.sort();
        files
    };
    assert_eq!(run("a"), run("b"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn bad_sizes_and_names_say_what_is_expected() {
    let run = revertwatch(&["simulate", "--out", "/tmp/x", "--size", "lots"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("is not a size like 500MB"),
        "{}",
        run.stderr
    );
    let run = revertwatch(
        &["simulate", "--out", "/tmp/x", "--containers", "aws-s3"],
        None,
    );
    run.expect_code(2);
    assert!(run.stderr.contains("aws-s3-gz"), "{}", run.stderr);
}
