//! Structured: records of every provider and envelope, built from fuzzer-chosen values, through
//! the `hunt` pipeline. Records built wholly from good values must each come out as a call,
//! whatever strings an attacker put in the fields they control.

#![no_main]

use libfuzzer_sys::fuzz_target;
use revertwatch_fuzz::hunt::{check_detection, check_report, default_pack, detect_with, read};
use revertwatch_fuzz::template::Batch;

fuzz_target!(|batch: Batch| {
    let built = batch.build(default_pack());
    let report = read(&built.bytes);
    check_report(&report, &built.bytes);
    assert!(
        report.calls.len() >= built.must_map,
        "{} clean records gave {} calls; skips: {:?}",
        built.must_map,
        report.calls.len(),
        report.skips
    );
    let (calls, detection) = detect_with(report.calls, default_pack());
    check_detection(&calls, &detection);
});
