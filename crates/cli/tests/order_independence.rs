//! CloudTrail delivers files out of order and records unordered within a file; Azure and GCP
//! are late too. The same records, in any order, split across any files and containers, give
//! the same incidents, ids included.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, DEFAULT_WINDOW};
use revertwatch_normalize::{annotate, merge_phases, Ingest, Selection};
use revertwatch_pack::load_default;
use serde_json::Value;

/// Every record of every scenario fixture, all three clouds.
fn all_records() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios");
    let mut out = Vec::new();
    for cloud in ["aws", "azure", "gcp"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(cloud))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            match f.extension().and_then(|e| e.to_str()) {
                Some("jsonl") => out.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_string),
                ),
                Some("json") => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    let list = v.get("Records").or_else(|| v.get("records")).unwrap();
                    out.extend(list.as_array().unwrap().iter().map(|r| r.to_string()));
                }
                _ => {}
            }
        }
    }
    out
}

type Summary = Vec<(String, String, u8, Vec<String>, Vec<String>)>;

/// Runs the hunt pipeline over in-memory inputs, each either JSON Lines or a `{"Records":[…]}`
/// style wrapper, and summarises the incidents.
fn incidents(inputs: &[(Vec<String>, bool)]) -> Summary {
    let pack = load_default();
    let keep_pack = pack.clone();
    let ingest = Ingest {
        selection: Selection {
            prefilter: Some(pack.prefilter()),
            keep: Box::new(move |p, op| keep_pack.knows(p, op)),
            keep_record: false,
            annotate_with: None,
        },
        limits: Limits::default(),
    };
    let mut calls = Vec::new();
    for (n, (records, wrapped)) in inputs.iter().enumerate() {
        let bytes = if *wrapped {
            format!("{{\"records\":[{}]}}", records.join(",")).into_bytes()
        } else {
            (records.join("\n") + "\n").into_bytes()
        };
        let report = ingest.read_reader(&format!("input-{n}"), Cursor::new(bytes));
        assert!(report.skips.is_empty(), "{:?}", report.skips);
        calls.extend(report.calls);
    }
    let mut calls = merge_phases(calls);
    for c in &mut calls {
        annotate(c, &pack);
    }
    let mut out: Summary = detect(&calls, &pack, DEFAULT_WINDOW)
        .incidents
        .into_iter()
        .map(|i| {
            (
                i.incident_id,
                i.target,
                i.suspicion_score,
                i.chains,
                i.event_ids,
            )
        })
        .collect();
    out.sort();
    out
}

fn baseline() -> &'static Summary {
    static BASE: std::sync::OnceLock<Summary> = std::sync::OnceLock::new();
    BASE.get_or_init(|| incidents(&[(all_records(), false)]))
}

#[test]
fn baseline_has_every_kind_of_incident() {
    let base = baseline();
    assert_eq!(
        base.iter().filter(|i| i.2 == 2).count(),
        3,
        "three full reverts escalate"
    );
    assert!(base.len() > 20);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn shuffled_and_resplit_input_gives_the_same_incidents(
        shuffled in Just(all_records()).prop_shuffle(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        wrapped in proptest::collection::vec(any::<bool>(), 7),
    ) {
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(shuffled.len())).collect();
        points.sort();
        points.dedup();
        let mut inputs = Vec::new();
        let mut start = 0;
        for (k, &p) in points.iter().chain(std::iter::once(&shuffled.len())).enumerate() {
            if p > start {
                inputs.push((shuffled[start..p].to_vec(), wrapped[k % wrapped.len()]));
                start = p;
            }
        }
        prop_assert_eq!(&incidents(&inputs), baseline());
    }
}
