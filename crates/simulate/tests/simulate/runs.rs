//! Whole runs: determinism, the size budget, names and options.

use chrono::{TimeZone, Utc};
use revertwatch_simulate::{Cloud, SimError};

use super::*;

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
