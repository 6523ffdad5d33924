//! End-to-end checks of the simulator: determinism, containers, ground truth, size.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use revertwatch_simulate::{simulate, Cloud, Container, Options, Planted, Report, SimError};
use serde_json::Value;

const MB: u64 = 1_000_000;

/// Every file under `root` (relative path → bytes, gzip decoded), ground truth left out.
fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let raw = std::fs::read(&path).unwrap();
            let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
                let mut v = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut v)
                    .unwrap();
                v
            } else {
                raw
            };
            out.insert(rel, bytes);
        }
    }
    out
}

fn raw_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn container_of(rel: &str) -> Option<Container> {
    if rel.starts_with("aws/AWSLogs/") {
        Some(Container::AwsS3Gz)
    } else if rel.starts_with("aws-jsonl/") {
        Some(Container::AwsJsonl)
    } else if rel.starts_with("azure/eventhub/") {
        Some(Container::AzureEventHub)
    } else if rel.starts_with("azure/rest/") {
        Some(Container::AzureRest)
    } else if rel.starts_with("gcp/cloudaudit.googleapis.com/") {
        Some(Container::GcpJsonl)
    } else {
        None
    }
}

fn small(out: PathBuf, seed: u64) -> Options {
    Options {
        out_dir: out,
        size_bytes: 2 * MB,
        seed,
        days: 1,
        aws_regions: vec!["eu-west-1".into()],
        ..Options::default()
    }
}

struct Corpus {
    dir: PathBuf,
    report: Report,
    files: BTreeMap<String, Vec<u8>>,
}

/// One 20 MB corpus with default options, shared by the tests that read it.
fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("simulate-20mb");
        let _ = std::fs::remove_dir_all(&dir);
        // two days keep the file count (and the test) small; the budget is what is tested
        let opts = Options {
            out_dir: dir.clone(),
            size_bytes: 20 * MB,
            days: 2,
            ..Options::default()
        };
        let report = simulate(&opts).expect("simulate");
        let mut files = read_tree(&dir);
        files.remove("ground-truth.jsonl");
        Corpus { dir, report, files }
    })
}

/// The records of one file, parsed as the container it is in.
fn records(rel: &str, bytes: &[u8]) -> Vec<Value> {
    let c = container_of(rel).unwrap_or_else(|| panic!("{rel}: not in any container's layout"));
    let lines = || -> Vec<Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{rel}: {e}")))
            .collect()
    };
    match c {
        Container::AwsS3Gz => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let obj = v.as_object().unwrap();
            assert_eq!(obj.len(), 1, "{rel}: only Records");
            obj["Records"].as_array().expect("Records array").clone()
        }
        Container::AwsJsonl | Container::GcpJsonl => lines(),
        Container::AzureEventHub => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            v["records"].as_array().expect("records array").clone()
        }
        Container::AzureRest => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            v.as_array().expect("a bare array").clone()
        }
    }
}

fn ground_truth(dir: &Path) -> Vec<Planted> {
    std::fs::read_to_string(dir.join("ground-truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let a = simulate(&small(tmp.path().join("a"), 7)).unwrap();
    let b = simulate(&small(tmp.path().join("b"), 7)).unwrap();
    let c = simulate(&small(tmp.path().join("c"), 8)).unwrap();
    let ta = raw_tree(&tmp.path().join("a"));
    let tb = raw_tree(&tmp.path().join("b"));
    let tc = raw_tree(&tmp.path().join("c"));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between two runs with one seed");
    }
    assert_eq!((a.files, a.records, a.bytes), (b.files, b.records, b.bytes));
    assert_eq!(a.planted, b.planted);
    // another seed: other names (S3 suffixes) and other contents
    assert_ne!(ta.keys().collect::<Vec<_>>(), tc.keys().collect::<Vec<_>>());
    let same_name_diff = ta
        .iter()
        .filter(|(k, v)| tc.get(*k).is_some_and(|w| w != *v))
        .count();
    assert!(same_name_diff > 0, "a different seed must change contents");
    assert_ne!(a.planted, c.planted);
}

#[test]
fn every_file_parses_in_its_container() {
    let c = corpus();
    let mut seen: HashMap<Container, usize> = HashMap::new();
    let mut unordered_s3 = 0;
    let mut ids = HashSet::new();
    let mut upper = 0usize;
    let mut eh = 0usize;
    let mut az_ops: HashMap<String, Vec<String>> = HashMap::new();
    let mut gcp_ops: HashMap<String, Vec<&'static str>> = HashMap::new();
    for (rel, bytes) in &c.files {
        let container = container_of(rel).unwrap();
        *seen.entry(container).or_default() += 1;
        let recs = records(rel, bytes);
        assert!(!recs.is_empty(), "{rel}: empty");
        match container {
            Container::AwsS3Gz | Container::AwsJsonl => {
                if container == Container::AwsS3Gz {
                    let name = rel.rsplit('/').next().unwrap();
                    assert!(name.starts_with("111122223333_CloudTrail_"), "{rel}");
                    assert!(name.ends_with(".json.gz"), "{rel}");
                    let times: Vec<&str> = recs
                        .iter()
                        .map(|r| r["eventTime"].as_str().unwrap())
                        .collect();
                    if times.windows(2).any(|w| w[0] > w[1]) {
                        unordered_s3 += 1;
                    }
                }
                for r in &recs {
                    for key in [
                        "eventVersion",
                        "eventTime",
                        "eventSource",
                        "eventName",
                        "awsRegion",
                    ] {
                        assert!(r[key].is_string(), "{rel}: {key} in {r}");
                    }
                    assert!(r["userIdentity"]["type"].is_string(), "{rel}: {r}");
                    assert_eq!(r["recipientAccountId"], "111122223333");
                    let id = r["eventID"].as_str().unwrap().to_string();
                    assert!(ids.insert(id), "{rel}: duplicate eventID");
                    if r.get("errorCode").is_some() {
                        assert!(r["responseElements"].is_null(), "{rel}: {r}");
                    }
                }
            }
            Container::AzureEventHub => {
                // <sub>/<YYYYMMDDHH>.json holds that hour (a day's last file may run over)
                let stem = &rel[rel.len() - "YYYYMMDDHH.json".len()..][..10];
                for r in &recs {
                    let time = r["time"].as_str().unwrap();
                    let hour: String = time[..13].chars().filter(|c| c.is_ascii_digit()).collect();
                    assert!(
                        hour == stem || (stem.ends_with("23") && &time[11..15] == "00:0"),
                        "{rel}: {time}"
                    );
                    eh += 1;
                    let op = r["operationName"].as_str().unwrap();
                    if op == op.to_uppercase() {
                        upper += 1;
                    }
                    let kind = r["resultType"].as_str().unwrap();
                    assert!(
                        ["Start", "Accept", "Success", "Failure"].contains(&kind),
                        "{r}"
                    );
                    assert!(r["identity"]["claims"].is_object());
                    let id = r["eventDataId"].as_str().unwrap().to_string();
                    assert!(ids.insert(id), "{rel}: duplicate eventDataId");
                    az_ops
                        .entry(r["correlationId"].as_str().unwrap().to_string())
                        .or_default()
                        .push(kind.to_string());
                    if let Some(body) = r["properties"]["responseBody"].as_str() {
                        serde_json::from_str::<Value>(body).expect("responseBody is JSON");
                    }
                }
            }
            Container::AzureRest => {
                let times: Vec<&str> = recs
                    .iter()
                    .map(|r| r["eventTimestamp"].as_str().unwrap())
                    .collect();
                assert!(
                    times.windows(2).all(|w| w[0] >= w[1]) || times.len() < 2,
                    "{rel}: az lists newest first"
                );
                for r in &recs {
                    assert!(r["operationName"]["value"].is_string());
                    assert!(r["status"]["value"].is_string());
                    assert!(r["httpRequest"]["clientIpAddress"].is_string());
                    let id = r["eventDataId"].as_str().unwrap().to_string();
                    assert!(ids.insert(id), "{rel}: duplicate eventDataId");
                    let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
                    let mut sorted = keys.clone();
                    sorted.sort();
                    assert_eq!(keys, sorted, "az prints keys sorted");
                }
                assert!(std::str::from_utf8(bytes)
                    .unwrap()
                    .starts_with("[\n  {\n    \"authorization\": {"));
            }
            Container::GcpJsonl => {
                let log = if rel.contains("/activity/") {
                    "activity"
                } else {
                    assert!(rel.contains("/data_access/"), "{rel}");
                    "data_access"
                };
                assert!(rel.ends_with("_S0.json"), "{rel}");
                for r in &recs {
                    assert!(r["logName"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("%2F{log}")));
                    assert!(r["protoPayload"]["methodName"].is_string());
                    assert!(r["timestamp"].as_str().unwrap().ends_with('Z'));
                    let id = r["insertId"].as_str().unwrap().to_string();
                    assert!(ids.insert(id), "{rel}: duplicate insertId");
                    if let Some(op) = r.get("operation") {
                        let which = if op["first"] == true { "first" } else { "last" };
                        gcp_ops
                            .entry(op["id"].as_str().unwrap().to_string())
                            .or_default()
                            .push(which);
                    }
                }
            }
        }
    }
    for container in Container::ALL {
        assert!(
            seen.get(&container).copied().unwrap_or(0) > 0,
            "no {container} files"
        );
    }
    assert!(unordered_s3 > 0, "S3 delivery files are not in time order");
    let frac = upper as f64 / eh as f64;
    assert!((0.35..0.65).contains(&frac), "upper-case share {frac}");
    for (corr, phases) in &az_ops {
        assert!((2..=3).contains(&phases.len()), "{corr}: {phases:?}");
        assert!(phases.iter().any(|p| p == "Start"), "{corr}: {phases:?}");
        assert!(
            phases.iter().any(|p| p == "Success" || p == "Failure"),
            "{corr}"
        );
    }
    for (op, parts) in &gcp_ops {
        let mut parts = parts.clone();
        parts.sort();
        assert_eq!(parts, ["first", "last"], "{op}");
    }
}

#[test]
fn ground_truth_lists_every_planted_scenario() {
    let c = corpus();
    let gt = ground_truth(&c.dir);
    assert_eq!(gt, c.report.planted, "file and report agree");
    let mut ids = HashSet::new();
    for p in &gt {
        assert!(ids.insert(p.id.clone()), "{}: id twice", p.id);
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
        // the target is in the records of its container, and so is the first call's time
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
    // at least one of each scenario on each cloud; full reverts scale with size (min 1)
    let want: [(Cloud, &[&str]); 3] = [
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
    for (cloud, scenarios) in want {
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

#[test]
fn size_budget_is_honoured() {
    let c = corpus();
    let bytes: u64 = c.files.values().map(|v| v.len() as u64).sum();
    assert_eq!(
        bytes, c.report.bytes,
        "the report counts what is on disk, uncompressed"
    );
    let records: u64 = c
        .files
        .iter()
        .map(|(rel, b)| records(rel, b).len() as u64)
        .sum();
    assert_eq!(records, c.report.records);
    assert_eq!(c.files.len() as u64, c.report.files);
    let target = 20.0 * MB as f64;
    let off = (bytes as f64 - target).abs() / target;
    assert!(off < 0.10, "{bytes} bytes is {:.1}% off 20 MB", off * 100.0);
    assert!(c.report.compressed_bytes < c.report.bytes);
    // roughly AWS 70 %, Azure 15 %, GCP 15 %
    let share = |cl: Cloud| {
        c.files
            .iter()
            .filter(|(rel, _)| container_of(rel).unwrap().cloud() == cl)
            .map(|(_, v)| v.len() as f64)
            .sum::<f64>()
            / bytes as f64
    };
    assert!(
        (0.65..0.75).contains(&share(Cloud::Aws)),
        "aws {}",
        share(Cloud::Aws)
    );
    assert!(
        (0.12..0.18).contains(&share(Cloud::Azure)),
        "azure {}",
        share(Cloud::Azure)
    );
    assert!(
        (0.12..0.18).contains(&share(Cloud::Gcp)),
        "gcp {}",
        share(Cloud::Gcp)
    );
}

#[test]
fn names_round_trip() {
    for c in Cloud::ALL {
        assert_eq!(c.to_string().parse::<Cloud>().unwrap(), c);
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
    }
    for c in Container::ALL {
        assert_eq!(c.to_string().parse::<Container>().unwrap(), c);
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
        let back: Container = serde_json::from_str(&format!("\"{c}\"")).unwrap();
        assert_eq!(back, c);
    }
    let names: Vec<String> = Container::ALL.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        names,
        [
            "aws-s3-gz",
            "aws-jsonl",
            "azure-eventhub",
            "azure-rest",
            "gcp-jsonl"
        ]
    );
    assert_eq!("AWS".parse::<Cloud>().unwrap(), Cloud::Aws);
    let err = "s3".parse::<Container>().unwrap_err();
    assert!(err.to_string().contains("aws-s3-gz"), "{err}");
    assert!("oracle".parse::<Cloud>().is_err());
}

#[test]
fn bad_options_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = small(tmp.path().join("x"), 1);
    let bad = [
        Options {
            days: 0,
            ..base.clone()
        },
        Options {
            containers: vec![],
            ..base.clone()
        },
        Options {
            clouds: vec![Cloud::Gcp],
            containers: vec![Container::AwsS3Gz],
            ..base.clone()
        },
        Options {
            aws_regions: vec![],
            ..base.clone()
        },
        Options {
            gcp_projects: vec!["../escape".into()],
            ..base.clone()
        },
        Options {
            aws_regions: vec!["us-east-1".into(), "us-east-1".into()],
            ..base.clone()
        },
    ];
    for o in bad {
        assert!(matches!(simulate(&o), Err(SimError::Options(_))), "{o:?}");
    }
}

#[test]
fn one_cloud_without_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        out_dir: tmp.path().to_path_buf(),
        size_bytes: MB,
        days: 1,
        start: Utc.with_ymd_and_hms(2026, 3, 2, 6, 30, 0).unwrap(),
        clouds: vec![Cloud::Gcp],
        plant_scenarios: false,
        ..Options::default()
    };
    let r = simulate(&opts).unwrap();
    assert!(r.planted.is_empty());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("ground-truth.jsonl")).unwrap(),
        ""
    );
    let files = read_tree(tmp.path());
    assert!(files
        .keys()
        .all(|k| k == "ground-truth.jsonl" || k.starts_with("gcp/")));
    // a range that starts mid-day still lands in the right hourly files
    for (rel, bytes) in files.iter().filter(|(k, _)| k.starts_with("gcp/")) {
        let hour = &rel[rel.len() - "HH:00:00_HH:59:59_S0.json".len()..][..2];
        for r in records(rel, bytes) {
            let ts = r["timestamp"].as_str().unwrap();
            assert!(
                ("2026-03-02T06:30:00".."2026-03-03T06:31").contains(&ts),
                "{ts}"
            );
            // an operation's last entry that falls past the end of the shard's day stays in
            // the day's last file; every other entry is in the file of its own hour
            if !(r["operation"]["last"] == true && ts.starts_with("2026-03-03T00:0")) {
                assert_eq!(&ts[11..13], hour, "{rel}: {ts}");
            }
        }
    }
}

/// `cargo test -p revertwatch-simulate --release -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn timing_200mb() {
    let tmp = tempfile::tempdir().unwrap();
    for (label, containers) in [
        ("all containers (S3 files gzipped)", Container::ALL.to_vec()),
        (
            "no gzip (all but aws-s3-gz)",
            vec![
                Container::AwsJsonl,
                Container::AzureEventHub,
                Container::AzureRest,
                Container::GcpJsonl,
            ],
        ),
    ] {
        let dir = tmp.path().join(label.split(' ').next().unwrap());
        let opts = Options {
            out_dir: dir.clone(),
            size_bytes: 200 * MB,
            containers,
            ..Options::default()
        };
        let r = simulate(&opts).unwrap();
        let secs = r.elapsed.as_secs_f64();
        println!(
            "{label}: {:.1} MB uncompressed ({:.1} MB on disk), {} files, {} records in {:.2} s = {:.1} MB/s on {} threads",
            r.bytes as f64 / 1e6,
            r.compressed_bytes as f64 / 1e6,
            r.files,
            r.records,
            secs,
            r.bytes as f64 / 1e6 / secs,
            rayon::current_num_threads()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn an_empty_budget_still_plants() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        out_dir: tmp.path().to_path_buf(),
        size_bytes: 0,
        days: 1,
        ..Options::default()
    };
    let r = simulate(&opts).unwrap();
    // one full revert per cloud, and the rest of the seed's scenarios and look-alikes
    assert_eq!(r.planted.len(), 17);
    assert!(r.records > 0 && r.bytes < 2 * MB, "{r:?}");
    for (rel, bytes) in read_tree(tmp.path()) {
        if rel != "ground-truth.jsonl" {
            records(&rel, &bytes);
        }
    }
}
