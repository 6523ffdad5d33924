//! `revertwatch hunt`: plan (every flag resolved once), read (inputs in parallel through
//! decode and normalize, detected in time order or all at once), emit (tuning, output, the
//! summary and the exit code).

mod emit;
mod plan;

use std::io::{self, Write};

use revertwatch_detect::Detection;
use revertwatch_normalize::{ApiCall, FileReport};

use crate::args::HuntArgs;
use crate::pipeline;
use crate::summary::Summary;

use plan::Correlation;
pub use plan::HuntPlan;

/// How many problems to print per input before summing up the rest.
const SKIPS_SHOWN_PER_FILE: usize = 10;

/// What the reading stage hands on: the calls (when held to the end) and the detection (when
/// made as the hunt went).
pub struct Found {
    pub calls: Vec<ApiCall>,
    pub detection: Option<Detection>,
}

/// Runs a hunt and returns its exit code.
pub fn run(args: HuntArgs) -> anyhow::Result<i32> {
    let mut plan = HuntPlan::from_args(args)?;
    let mut summary = Summary::default();
    let found = read(&mut plan, &mut summary)?;
    if let Some(bar) = &plan.progress {
        bar.finish_and_clear();
    }
    warn_about_state(&plan, &summary, &mut io::stderr())?;
    emit::emit(plan, found, summary)
}

/// Reads every input; reports each file's skips as its batch is done.
fn read(plan: &mut HuntPlan, summary: &mut Summary) -> anyhow::Result<Found> {
    // Locked per write, not for the whole hunt: a worker that printed while the main thread
    // held the lock would wait forever.
    let mut err = io::stderr();
    let mut take = |summary: &mut Summary, report: &FileReport| {
        summary.add_file(report);
        report_skips(&mut err, report)
    };
    let inputs = std::mem::take(&mut plan.inputs);
    match std::mem::replace(&mut plan.correlation, Correlation::HoldAll) {
        Correlation::TimeOrdered { detector, max_held } => {
            let (detection, stats) = pipeline::correlate_in_time_order(
                &plan.reader,
                inputs,
                *detector,
                max_held,
                plan.progress.as_ref(),
                &mut |report| take(summary, report),
            )?;
            summary.late = stats.late;
            summary.evicted = stats.evicted;
            summary.conflicting_ids = stats.conflicting_ids;
            summary.provenance_dropped = stats.provenance_dropped;
            summary.held_peak = (stats.closings > 0).then_some(stats.peak_held);
            Ok(Found {
                calls: Vec::new(),
                detection: Some(detection),
            })
        }
        Correlation::HoldAll => {
            let mut calls = Vec::new();
            for mut report in plan.reader.read(&inputs, plan.progress.as_ref()) {
                take(summary, &report)?;
                calls.append(&mut report.calls);
            }
            summary.conflicting_ids = revertwatch_normalize::conflicting_event_ids(&calls);
            Ok(Found {
                calls,
                detection: None,
            })
        }
    }
}

/// Says when bounded state may have cost exactness, and how to get it back.
fn warn_about_state(plan: &HuntPlan, summary: &Summary, err: &mut dyn Write) -> io::Result<()> {
    if summary.evicted > 0 {
        writeln!(
            err,
            "revertwatch: warning: incident state went over --max-state-calls ({}); evicted the {} oldest calls: \
             incidents around them may be incomplete.",
            plan.max_state_calls, summary.evicted
        )?;
    }
    if summary.conflicting_ids > 0 {
        writeln!(
            err,
            "revertwatch: warning: {} event ids came with different content (another outcome, \
             caller or resource); each record was kept as its own event. A resend repeats an id \
             with the same content; this does not.",
            summary.conflicting_ids
        )?;
    }
    if summary.provenance_dropped > 0 {
        writeln!(
            err,
            "revertwatch: warning: resource origins went over --max-provenance ({}); dropped the {} oldest: \
             a restore made from them before the swap that uses it may show as its own review.",
            plan.max_provenance, summary.provenance_dropped
        )?;
    }
    if summary.late > 0 {
        writeln!(
            err,
            "revertwatch: warning: {} calls were older than their file's place in time order allows \
             (--allowed-lateness {}); incidents around them may be split or missed. \
             Rerun with --hold-all, or a larger --allowed-lateness.",
            summary.late,
            humantime::format_duration(plan.allowed_lateness)
        )?;
    }
    Ok(())
}

fn report_skips(err: &mut dyn Write, report: &FileReport) -> io::Result<()> {
    // A file name is whatever the archive's writer chose: terminal escapes and bidi
    // characters in it must not reach the analyst's terminal as themselves.
    let source = revertwatch_report::escape::terminal(&report.source);
    for skip in report.skips.iter().take(SKIPS_SHOWN_PER_FILE) {
        let skip = skip.to_string();
        writeln!(
            err,
            "revertwatch: skipped {source}: {}",
            revertwatch_report::escape::terminal(&skip)
        )?;
    }
    if report.skips.len() > SKIPS_SHOWN_PER_FILE {
        writeln!(
            err,
            "revertwatch: skipped {source}: ... and {} more",
            report.skips.len() - SKIPS_SHOWN_PER_FILE
        )?;
    }
    Ok(())
}
