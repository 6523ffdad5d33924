//! Raw bytes through the whole `hunt` pipeline (gzip sniffing, framing, prefilter, envelopes,
//! provider mapping, phase merging, lineage, detection), checking each stage's promises, and
//! that the prefilter only saves work: on input that reads cleanly, reading every record finds
//! the same calls.

#![no_main]

use libfuzzer_sys::fuzz_target;
use revertwatch_fuzz::hunt;
use revertwatch_normalize::{FileReport, SkipReason};

/// The calls of a report, by where they were read and what they are.
fn calls(report: &FileReport) -> Vec<(u64, String, String)> {
    let mut calls: Vec<_> = report
        .calls
        .iter()
        .map(|c| (c.origin.offset, c.event_id.clone(), c.operation.clone()))
        .collect();
    calls.sort();
    calls
}

fuzz_target!(|data: &[u8]| {
    let (limits, data) = revertwatch_fuzz::limits(data);
    let filtered = hunt::read_limited(data, &limits);
    hunt::check_report(&filtered, data);
    let found = calls(&filtered);
    let (merged, detection) = hunt::detect_with(filtered.calls, hunt::default_pack());
    hunt::check_detection(&merged, &detection);

    // Escaped names and base64 envelopes are no exception: the prefilter passes them.
    let unfiltered = hunt::read_unfiltered_limited(data, &limits);
    // Broken input may be framed differently with and without the prefilter (a dropped run is
    // checked by its braces only): compare where every record read cleanly.
    let broken = unfiltered
        .skips
        .iter()
        .any(|s| matches!(s.reason, SkipReason::Decode(_) | SkipReason::Json(_)));
    if broken {
        return;
    }
    assert_eq!(
        found,
        calls(&unfiltered),
        "the prefilter changed which calls were read"
    );
});
