//! CloudTrail delivers files out of order and records unordered within a file; Azure and GCP
//! are late too. The same records, in any order, split across any files and containers, give
//! the same incidents, ids included.

use std::io::Cursor;
use std::time::Duration;

use proptest::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, event_key, Detector, Horizon, DEFAULT_WINDOW};
use revertwatch_normalize::{logical_calls, ApiCall, Ingest, Selection};
use revertwatch_pack::load_default;
use revertwatch_testkit::cloudtrail::{self, attach, create_volume, cycle};
use revertwatch_testkit::scenario_records;

type Summary = Vec<(String, String, u8, Vec<String>, Vec<String>)>;

fn ingest() -> Ingest {
    let mut selection = Selection::for_pack(&load_default(), false);
    // Annotated only at the merge, as the phases of Azure and GCP calls are.
    selection.annotate_with = None;
    Ingest {
        selection,
        limits: Limits::default(),
    }
}

fn summarise(incidents: Vec<revertwatch_detect::Incident>) -> Summary {
    let mut out: Summary = incidents
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

/// Machines down for days: a stop and its start three days apart; a stop, a volume restored and
/// attached the next day, and a start the day after (a revert); and a machine still down.
fn days_apart() -> Vec<String> {
    vec![
        cycle(
            "StopInstances",
            "2026-03-20T18:00:00Z",
            "i-0d0000000000da001",
        ),
        cycle(
            "StartInstances",
            "2026-03-23T08:00:00Z",
            "i-0d0000000000da001",
        ),
        cycle(
            "StopInstances",
            "2026-03-20T19:00:00Z",
            "i-0d0000000000da002",
        ),
        create_volume("2026-03-21T10:00:00Z", "snap-0d0a", "vol-0d0b"),
        attach("2026-03-21T10:30:00Z", "vol-0d0b", "i-0d0000000000da002"),
        cycle(
            "StartInstances",
            "2026-03-22T09:00:00Z",
            "i-0d0000000000da002",
        ),
        cycle(
            "StopInstances",
            "2026-03-25T09:00:00Z",
            "i-0d0000000000da003",
        ),
    ]
}

/// Every scenario record, and the machines down for days.
fn all_records() -> Vec<String> {
    let mut records = scenario_records();
    records.extend(days_apart());
    records
}

/// Every scenario call, phase by phase, in time order.
fn calls_in_time_order() -> Vec<ApiCall> {
    let text = all_records().join("\n") + "\n";
    let report = ingest().read_reader("all", Cursor::new(text.into_bytes()));
    let mut calls = report.calls;
    calls.sort_by_key(|c| c.time);
    calls
}

/// What the batch detector finds in all of `calls` with this window, and what the detector
/// finds reading them in the given batches, settling wherever it can; and how many settlings.
fn batch_and_closing(
    calls: &[ApiCall],
    cuts: &[usize],
    window: Duration,
) -> (Summary, Summary, usize) {
    let pack = load_default();
    let merged = logical_calls(calls.to_vec(), &pack);
    let batch = summarise(detect(&merged, &pack, window).incidents);
    let horizon = Horizon::new(&pack, window, Duration::ZERO);
    let mut detector = Detector::new(pack, horizon).settle_from(0);
    let mut settled = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&calls.len())) {
        if end <= start {
            continue;
        }
        for call in &calls[start..end] {
            detector.ingest(event_key(call), call.clone());
        }
        if let Some(next) = calls.get(end) {
            settled.extend(detector.settle(next.time).detection.incidents);
        }
        start = end;
    }
    let (open, stats) = detector.finish();
    settled.extend(open.incidents);
    (batch, summarise(settled), stats.closings)
}

#[test]
fn reading_in_time_order_closes_incidents_and_finds_the_same_ones() {
    let calls = calls_in_time_order();
    let every: Vec<usize> = (1..calls.len()).collect();
    let (batch, closing, closings) =
        batch_and_closing(&calls, &every, Duration::from_secs(20 * 60));
    assert!(
        closings > 10,
        "the scenarios are hours apart: {closings} closings"
    );
    assert!(
        batch.iter().any(|i| i.2 == 2),
        "a revert escalates at 20 minutes"
    );
    assert_eq!(closing, batch);
}

/// One stop of two machines: the first is started ten minutes later, and its incident closes;
/// the second keeps stopping and starting every five hours, so its incident stays open and
/// keeps the shared stop held. The stop alone on the first machine must not come back as a
/// second incident.
#[test]
fn a_call_shared_with_an_open_incident_does_not_reopen_a_closed_one() {
    let records = cloudtrail::shared_stop();
    let text = records.join("\n") + "\n";
    let mut calls = ingest()
        .read_reader("shared", Cursor::new(text.into_bytes()))
        .calls;
    calls.sort_by_key(|c| c.time);
    let every: Vec<usize> = (1..calls.len()).collect();
    let (batch, closing, closings) = batch_and_closing(&calls, &every, DEFAULT_WINDOW);
    assert!(closings > 0);
    assert_eq!(batch.len(), 2, "{batch:?}");
    assert_eq!(closing, batch);
}

/// Runs the hunt pipeline over in-memory inputs, each either JSON Lines or a `{"Records":[…]}`
/// style wrapper, and summarises the incidents.
fn incidents(inputs: &[(Vec<String>, bool)]) -> Summary {
    let pack = load_default();
    let ingest = ingest();
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
    let calls = logical_calls(calls, &pack);
    summarise(detect(&calls, &pack, DEFAULT_WINDOW).incidents)
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
        4,
        "three full reverts escalate, and the one made while its machine was down for days"
    );
    let down: Vec<_> = base
        .iter()
        .filter(|i| i.1.starts_with("i-0d0000000000da"))
        .collect();
    assert_eq!(down.len(), 3, "one incident per stopped period: {down:#?}");
    assert!(base.len() > 20);
}

/// A restore made days before the swap that brings it onto a machine, a copy of a snapshot
/// weeks before that, a snapshot taken before the copy, and every scenario call around them:
/// the detector lets the restore go long before the swap arrives.
fn calls_with_a_restore_days_before_its_anchor() -> Vec<ApiCall> {
    let inst = "i-0abc000000000e001";
    let mut records = all_records();
    records.extend([
        cloudtrail::call(
            "CreateSnapshot",
            "2026-02-20T06:00:00Z",
            serde_json::json!({"volumeId": "vol-0abc0000000e0001"}),
            serde_json::json!({"snapshotId": "snap-0abc0000000e0001", "volumeId": "vol-0abc0000000e0001", "startTime": 1771567200000u64}),
        ),
        cloudtrail::copy_snapshot("2026-03-01T06:00:00Z", "snap-0abc0000000e0001", "snap-0abc0000000e0002"),
        cloudtrail::create_volume("2026-03-09T08:55:00Z", "snap-0abc0000000e0002", "vol-0abc0000000e0003"),
        cloudtrail::cycle("StopInstances", "2026-03-14T16:31:00Z", inst),
        cloudtrail::attach("2026-03-14T16:33:00Z", "vol-0abc0000000e0003", inst),
        cloudtrail::cycle("StartInstances", "2026-03-14T16:36:00Z", inst),
    ]);
    let text = records.join("\n") + "\n";
    let mut calls = ingest()
        .read_reader("all", Cursor::new(text.into_bytes()))
        .calls;
    calls.sort_by_key(|c| c.time);
    calls
}

#[test]
fn a_restore_days_before_its_anchor_escalates_both_ways() {
    let calls = calls_with_a_restore_days_before_its_anchor();
    let every: Vec<usize> = (1..calls.len()).collect();
    let (batch, closing, _) = batch_and_closing(&calls, &every, DEFAULT_WINDOW);
    assert!(
        batch
            .iter()
            .any(|i| i.1 == "i-0abc000000000e001" && i.2 == 2),
        "{batch:#?}"
    );
    assert_eq!(closing, batch);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_restore_days_before_its_anchor_gives_the_same_incidents_in_any_batches(
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        minutes in prop::sample::select(vec![10u64, 45, 360]),
    ) {
        let calls = calls_with_a_restore_days_before_its_anchor();
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(calls.len())).collect();
        points.sort();
        points.dedup();
        let (batch, closing, _) = batch_and_closing(&calls, &points, Duration::from_secs(minutes * 60));
        prop_assert_eq!(closing, batch);
    }

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

    #[test]
    fn time_ordered_input_in_any_batches_gives_the_same_incidents(
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        minutes in prop::sample::select(vec![10u64, 20, 45, 90, 360]),
    ) {
        let calls = calls_in_time_order();
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(calls.len())).collect();
        points.sort();
        points.dedup();
        let (batch, closing, _) = batch_and_closing(&calls, &points, Duration::from_secs(minutes * 60));
        prop_assert_eq!(closing, batch);
    }
}
