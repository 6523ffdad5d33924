//! `--format ocsf`: every incident as one OCSF 1.4.0 Detection Finding, checked against the
//! official schema. Validation is outside Rust on purpose: scripts/ensure-ocsf installs the PyPI
//! package ocsf-json-schema (the schema.ocsf.io export, turned into JSON Schema) with
//! jsonschema into target/test-tools/ocsf, and scripts/validate-ocsf.py checks every line and
//! lists what failed. These tests fail, loudly, when that cannot be installed.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::{example, fixture, revertwatch, workspace, Run};

const OCSF_VERSION: &str = "1.4.0";

/// The venv's Python, installing it on first use.
fn ocsf_python() -> PathBuf {
    support::ensure_tool("ensure-ocsf", "OCSF schema validation")
}

/// Validates every line of every file against OCSF; panics with each failure.
fn validate(files: &[PathBuf]) {
    let out = Command::new(ocsf_python())
        .arg(workspace().join("scripts/validate-ocsf.py"))
        .args(["--version", OCSF_VERSION])
        .args(files)
        .output()
        .expect("the validator runs");
    assert!(
        out.status.success(),
        "OCSF validation failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `hunt PATH... --format FORMAT` plus extra flags.
fn hunt(paths: &[&Path], format: &str, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["hunt".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(["--format".into(), format.into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = revertwatch(&refs, None);
    run.expect_code(0);
    run
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for cloud in ["aws", "azure", "gcp"] {
        for entry in std::fs::read_dir(fixture("scenarios").join(cloud)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".json") || name.ends_with(".jsonl") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 30, "scenario fixtures missing: {files:?}");
    files
}

/// Each scenario alone (as the scenario tests hunt it) and the examples, failed attempts shown.
fn corpus() -> Vec<Vec<PathBuf>> {
    let mut runs: Vec<Vec<PathBuf>> = scenario_files().into_iter().map(|f| vec![f]).collect();
    runs.push(vec![example("")]);
    runs
}

/// Findings and incidents of one run, paired in output order.
fn findings_and_incidents(paths: &[PathBuf], extra: &[&str]) -> (Run, Vec<(Value, Value)>) {
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let ocsf = hunt(&refs, "ocsf", extra);
    let jsonl = hunt(&refs, "jsonl", extra);
    let findings = ocsf.jsonl();
    let incidents = jsonl.jsonl();
    assert_eq!(
        findings.len(),
        incidents.len(),
        "{paths:?}: one finding per incident"
    );
    let pairs = findings.into_iter().zip(incidents).collect();
    (ocsf, pairs)
}

fn write_out(dir: &Path, name: &str, run: &Run) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

#[test]
fn every_finding_of_every_scenario_and_example_is_valid_ocsf() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut total = 0;
    for (n, paths) in corpus().iter().enumerate() {
        let (run, pairs) = findings_and_incidents(paths, &["--show-failed"]);
        total += pairs.len();
        let stem = paths[0].file_stem().unwrap().to_string_lossy();
        files.push(write_out(
            dir.path(),
            &format!("{n:02}-{stem}.ocsf.jsonl"),
            &run,
        ));
    }
    assert!(total >= 40, "only {total} findings: the corpus shrank");
    validate(&files);
}

#[test]
fn one_finding_per_incident_with_its_id_class_and_technique() {
    for paths in corpus() {
        let (_, pairs) = findings_and_incidents(&paths, &["--show-failed"]);
        for (f, i) in &pairs {
            let id = &i["incident_id"];
            assert_eq!(f["finding_info"]["uid"], *id, "{f:#}");
            assert_eq!(f["metadata"]["uid"], *id);
            assert_eq!(f["metadata"]["version"], OCSF_VERSION);
            assert_eq!(f["metadata"]["product"]["name"], "revertwatch");
            assert_eq!(f["class_uid"], 2004);
            assert_eq!(f["category_uid"], 2);
            assert_eq!(f["activity_id"], 1);
            assert_eq!(f["type_uid"], 200401);
            let attack = &f["finding_info"]["attacks"][0];
            assert_eq!(attack["sub_technique"]["uid"], "T1578.004", "{f:#}");
            assert_eq!(attack["technique"]["uid"], "T1578");
            assert_eq!(attack["tactic"]["uid"], "TA0005");
            // No chains (failed attempts only): no types.
            let types = f["finding_info"]["types"].as_array().cloned();
            assert_eq!(Value::Array(types.unwrap_or_default()), i["chains"]);
            assert_eq!(f["resources"][0]["uid"], i["target"]);
            assert_eq!(
                f["time"].as_i64().unwrap(),
                millis(i["last_seen"].as_str().unwrap()),
                "time is last_seen in epoch ms"
            );
            // Every evidence call is a related event and an evidences entry.
            let calls = i["evidence"].as_array().unwrap();
            let related = f["finding_info"]["related_events"].as_array().unwrap();
            assert_eq!(related.len(), calls.len());
            assert_eq!(f["evidences"].as_array().unwrap().len(), calls.len());
            for (r, e) in related.iter().zip(calls) {
                assert_eq!(r["uid"], e["event_ids"][0]);
                assert_eq!(r["title"], e["operation"]);
                assert_eq!(
                    r["first_seen_time"].as_i64().unwrap(),
                    millis(e["time"].as_str().unwrap())
                );
            }
            // revertwatch's own fields ride along.
            assert_eq!(f["unmapped"]["suspicion_score"], i["suspicion_score"]);
            assert_eq!(f["unmapped"]["severity"], i["severity"]);
        }
    }
}

#[test]
fn severity_status_and_confidence_follow_the_incident() {
    let mut seen = std::collections::BTreeSet::new();
    for paths in corpus() {
        let (_, pairs) = findings_and_incidents(&paths, &["--show-failed"]);
        for (f, i) in &pairs {
            let (id, name) = match i["severity"].as_str().unwrap() {
                "escalate" => (4, "High"),
                "review" => (3, "Medium"),
                "none" => (2, "Low"),
                other => panic!("severity {other}"),
            };
            assert_eq!(
                (
                    f["severity_id"].as_u64().unwrap(),
                    f["severity"].as_str().unwrap()
                ),
                (id, name),
                "{f:#}"
            );
            let suppressed = i["suppressed_by"].is_string();
            let (status_id, status) = if suppressed {
                (3, "Suppressed")
            } else {
                (1, "New")
            };
            assert_eq!(f["status_id"], status_id, "{f:#}");
            assert_eq!(f["status"], status);
            // Absent in the finding reads as null, as in the incident.
            assert_eq!(f["unmapped"]["suppressed_by"], i["suppressed_by"]);
            assert_eq!(f["is_alert"], !suppressed && i["severity"] != "none");
            let confidence = if i["suspicion_score"] == 2 { 3 } else { 1 };
            assert_eq!(f["confidence_id"], confidence);
            seen.insert((i["severity"].as_str().unwrap().to_string(), suppressed));
        }
    }
    for want in [
        ("escalate", false),
        ("review", false),
        ("review", true),
        ("none", false),
    ] {
        assert!(
            seen.contains(&(want.0.to_string(), want.1)),
            "no {want:?} incident in the corpus: {seen:?}"
        );
    }
}

#[test]
fn downgraded_and_suppressed_escalations_say_which_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tuning.toml");
    std::fs::write(
        &config,
        r#"
[[rule]]
name = "ocsf-test-downgrade"
reason = "test: mallory's AWS revert is vouched for"
action = "downgrade"
provider = "aws"
actor = "arn:aws:iam::111122223333:user/mallory"

[[rule]]
name = "ocsf-test-suppress"
reason = "test: mallory's Azure revert is vouched for"
provider = "azure"
actor = "mallory@*"
"#,
    )
    .unwrap();
    let config_arg = config.display().to_string();
    let paths = [
        fixture("scenarios/aws/full-revert.json"),
        fixture("scenarios/azure/full-revert.json"),
    ];
    let (run, pairs) = findings_and_incidents(&paths, &["--config", &config_arg]);
    let by_provider = |p: &str| {
        pairs
            .iter()
            .find(|(f, _)| f["cloud"]["provider"] == p)
            .unwrap_or_else(|| panic!("no {p} finding"))
            .0
            .clone()
    };
    let aws = by_provider("AWS");
    assert_eq!(aws["severity_id"], 3, "downgraded to review: {aws:#}");
    assert_eq!(aws["confidence_id"], 3, "still a full revert");
    assert_eq!(aws["status_id"], 1);
    assert_eq!(aws["unmapped"]["downgraded_by"], "ocsf-test-downgrade");
    assert!(aws["status_detail"]
        .as_str()
        .unwrap()
        .contains("ocsf-test-downgrade"));
    let azure = by_provider("Azure");
    assert_eq!(azure["severity_id"], 4, "{azure:#}");
    assert_eq!(azure["status_id"], 3);
    assert_eq!(azure["status"], "Suppressed");
    assert_eq!(azure["is_alert"], false);
    assert_eq!(azure["unmapped"]["suppressed_by"], "ocsf-test-suppress");
    validate(&[write_out(dir.path(), "tuned.ocsf.jsonl", &run)]);
}

const HOSTILE_AGENT: &str = "curl/8.5 \"; DROP TABLE incidents;-- \u{1b}]0;x\u{7}";
const HOSTILE_ARN: &str = "arn:aws:iam::111122223333:user/mallory\u{1b}]0;pwned\u{7}";
const HOSTILE_SOURCE: &str = "203.0.113.66\"; DROP TABLE x;--";

#[test]
fn hostile_strings_survive_as_valid_json_and_valid_ocsf() {
    let dir = tempfile::tempdir().unwrap();
    let mut log: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap(),
    )
    .unwrap();
    let long_agent = format!("long/{}", "A".repeat(70_000));
    for record in log["Records"].as_array_mut().unwrap() {
        let stop = record["eventName"] == "StopInstances";
        record["userAgent"] = json!(if stop {
            long_agent.as_str()
        } else {
            HOSTILE_AGENT
        });
        record["userIdentity"]["arn"] = json!(HOSTILE_ARN);
        if stop {
            record["sourceIPAddress"] = json!(HOSTILE_SOURCE);
        }
    }
    let input = dir.path().join("hostile.json");
    std::fs::write(&input, serde_json::to_vec_pretty(&log).unwrap()).unwrap();

    let run = hunt(&[&input], "ocsf", &[]);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
        "raw control characters in the output"
    );
    let findings = run.jsonl();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    let f = &findings[0];
    assert_eq!(f["severity_id"], 4, "the revert still escalates");
    assert_eq!(f["actor"]["user"]["uid"], HOSTILE_ARN);
    let mut agents = 0;
    for e in f["evidences"].as_array().unwrap() {
        let agent = e["http_request"]["user_agent"].as_str().unwrap();
        assert_eq!(e["actor"]["user"]["uid"], HOSTILE_ARN);
        if e["api"]["operation"] == "StopInstances" {
            assert_eq!(agent.chars().count(), 65_535, "cut to OCSF's string limit");
            assert!(agent.starts_with("long/AAA") && agent.ends_with('…'));
            assert_eq!(
                e["src_endpoint"],
                json!({ "name": HOSTILE_SOURCE }),
                "not an address"
            );
        } else {
            assert_eq!(agent, HOSTILE_AGENT, "kept byte for byte");
            agents += 1;
        }
    }
    assert!(agents >= 3);
    assert!(f["observables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["value"] == HOSTILE_AGENT && o["type_id"] == 16));
    validate(&[write_out(dir.path(), "hostile.ocsf.jsonl", &run)]);
}

fn millis(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}
