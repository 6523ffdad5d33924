//! The `hunt` pipeline without files or output: bytes through `Ingest`, then merging,
//! lineage and detection, with the default pack and the CLI's default limits.

use std::cell::RefCell;
use std::io::Cursor;
use std::sync::OnceLock;

use revertwatch_decode::{Layout, Limits};
use revertwatch_detect::{detect, Detection, DEFAULT_WINDOW};
use revertwatch_normalize::{logical_calls, ApiCall, FileReport, Ingest, Selection};
use revertwatch_pack::{load_default, Pack};

/// The default pack, loaded once per fuzzing process.
pub fn default_pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(load_default)
}

/// `Ingest` as `hunt` builds it (crates/cli/src/pipeline.rs): prefilter from the pack, keep
/// what the pack knows, annotate single-event calls as they are read.
pub fn ingest_for(pack: &Pack) -> Ingest {
    Ingest {
        selection: Selection::for_pack(pack, false),
        limits: Limits::default(),
    }
}

thread_local! {
    /// Built once per thread (the prefilter's tables cost more than an input); only the
    /// limits change between inputs.
    static FILTERED: RefCell<Ingest> = RefCell::new(ingest_for(default_pack()));
    static UNFILTERED: RefCell<Ingest> = RefCell::new({
        let mut ingest = ingest_for(default_pack());
        ingest.selection.prefilter = None;
        ingest
    });
}

/// Reads one input as `hunt` reads a file or stdin (gzip sniffed from the bytes).
pub fn read(data: &[u8]) -> FileReport {
    read_limited(data, &Limits::default())
}

/// [`read`] under other limits (`--max-record-bytes`, `--max-depth`).
pub fn read_limited(data: &[u8], limits: &Limits) -> FileReport {
    FILTERED.with_borrow_mut(|ingest| {
        ingest.limits = limits.clone();
        ingest.read_reader("fuzz", Cursor::new(data.to_vec()))
    })
}

/// [`read_unfiltered`] under other limits.
pub fn read_unfiltered_limited(data: &[u8], limits: &Limits) -> FileReport {
    UNFILTERED.with_borrow_mut(|ingest| {
        ingest.limits = limits.clone();
        ingest.read_reader("fuzz", Cursor::new(data.to_vec()))
    })
}

/// Reads one input as `hunt` would without its prefilter: every record parsed, the same calls
/// kept. What the prefilter is allowed to change is only how fast this is.
pub fn read_unfiltered(data: &[u8]) -> FileReport {
    read_unfiltered_limited(data, &Limits::default())
}

/// Every call in one input, whole and not yet annotated: what another pack can be evaluated on
/// (as `hunt --rules FILE` reads with that pack).
pub fn read_unannotated(data: &[u8]) -> Vec<ApiCall> {
    let ingest = Ingest {
        selection: Selection::everything(),
        limits: Limits::default(),
    };
    ingest.read_reader("fuzz", Cursor::new(data.to_vec())).calls
}

/// Merges, annotates and detects over `calls`, as `hunt` does after reading every input.
pub fn detect_with(calls: Vec<ApiCall>, pack: &Pack) -> (Vec<ApiCall>, Detection) {
    let calls = logical_calls(calls, pack);
    let detection = detect(&calls, pack, DEFAULT_WINDOW);
    (calls, detection)
}

/// The whole pipeline over one input, checking what every stage promises of its output.
pub fn hunt(data: &[u8]) -> Detection {
    let report = read(data);
    check_report(&report, data);
    let (calls, detection) = detect_with(report.calls, default_pack());
    check_detection(&calls, &detection);
    detection
}

/// What `FileReport` promises whatever the input.
pub fn check_report(report: &FileReport, data: &[u8]) {
    assert!(
        report.parsed <= report.records,
        "parsed {} of {} records",
        report.parsed,
        report.records
    );
    if report.compression == revertwatch_decode::Compression::None {
        match report.layout {
            // Text and binary inputs are told apart by their head; the rest is never read.
            Layout::Text | Layout::Binary => assert!(report.bytes <= data.len() as u64),
            _ => assert_eq!(report.bytes, data.len() as u64, "bytes read"),
        }
        for skip in &report.skips {
            assert!(
                skip.offset <= data.len() as u64,
                "skip beyond the input: {skip}"
            );
        }
        for call in &report.calls {
            assert!(
                call.origin.offset < data.len() as u64,
                "call origin beyond the input"
            );
        }
    }
}

/// What merging and detection promise: sorted calls, sorted incidents, scores that add up,
/// and evidence made of real calls.
pub fn check_detection(calls: &[ApiCall], detection: &Detection) {
    for pair in calls.windows(2) {
        assert!(
            (pair[0].time, &pair[0].event_id) <= (pair[1].time, &pair[1].event_id),
            "merged calls out of order"
        );
    }
    for incident in &detection.incidents {
        assert_eq!(
            incident.suspicion_score,
            incident.is_snapshot_restore + incident.is_ephemeral_reset
        );
        assert!(incident.first_seen <= incident.last_seen);
        assert!(
            !incident.evidence.is_empty(),
            "an incident without evidence"
        );
        for e in &incident.evidence {
            assert!(
                e.event_ids
                    .iter()
                    .all(|id| calls.iter().any(|c| c.event_ids.contains(id))),
                "evidence names no call"
            );
        }
    }
    for pair in detection.incidents.windows(2) {
        assert!(
            pair[0].first_seen >= pair[1].first_seen,
            "incidents are not newest first"
        );
    }
    // Every incident serializes: JSON output must never fail on log content.
    for incident in &detection.incidents {
        serde_json::to_vec(incident).expect("an incident serializes");
    }
}
