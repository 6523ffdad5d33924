//! `revertwatch hunt`: inputs in parallel through decode and normalize, then detection and
//! tuning over everything at once (so that input order cannot change the result), then output.

use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::Context;
use revertwatch_decode::Limits;
use revertwatch_detect::{seed_spl, Detector, Horizon, Severity};
use revertwatch_normalize::{ApiCall, FileReport, Outcome, Selection};
use revertwatch_pack::Prefilter;
use revertwatch_report::Format;
use revertwatch_tuning::apply;

use crate::args::{ColorChoice, FailOn, FormatArg, HuntArgs, View};
use crate::inputs::expand_with;
use crate::inputs::Input;
use crate::packs::{choose, Profile};
use crate::pipeline;
use crate::summary::Summary;
use crate::tuning_cmd;

/// How many problems to print per input before summing up the rest.
const SKIPS_SHOWN_PER_FILE: usize = 10;

pub fn run(args: HuntArgs) -> anyhow::Result<i32> {
    let profile = choose(&args.pack)?;
    let tuning = tuning_cmd::load(&args.tuning)?;
    // Before the hunt: a missing token or a bad CA file fails now, not after the archives.
    let hec = crate::hec_cmd::prepare(&args.hec)?;
    if hec.is_some() && matches!(profile, Profile::SeedSpl) {
        anyhow::bail!("--hec-url sends incidents, and --rules seed-spl makes none (it prints the seed's rows)");
    }
    // Object-store URLs are listed here: after the checks that need no network.
    let inputs = expand_with(&args.paths, &args.remote, &mut io::stderr().lock())?;
    let selection = match &profile {
        Profile::Pack(pack) => Selection::for_pack(pack, false),
        Profile::SeedSpl => Selection {
            prefilter: Some(Prefilter::new(seed_spl::operations())),
            keep: Box::new(seed_spl::keeps),
            // The seed search reads raw fields and runs a regex over the whole record.
            keep_record: true,
            annotate_with: None,
        },
    };
    let limits = Limits {
        max_record_bytes: args.max_record_bytes,
        max_depth: args.max_depth,
    };
    let progress = (!args.quiet && io::stderr().is_terminal()).then(|| progress_bar(&inputs));
    let reader = pipeline::Reader::new(selection, limits, args.threads)?;
    let mut summary = Summary::default();
    // Locked per write, not for the whole hunt: a worker that printed while the main thread
    // held the lock would wait forever.
    let mut err = io::stderr();
    let mut take = |summary: &mut Summary, report: &FileReport| {
        summary.add_file(report);
        report_skips(&mut err, report)
    };
    let mut calls = Vec::new();
    let mut detection = None;
    match &profile {
        Profile::Pack(pack) if !args.hold_all && args.view != View::Calls => {
            let horizon = Horizon::new(pack, args.window, args.allowed_lateness);
            let detector = match args.closing_from {
                Some(n) => Detector::new(pack.clone(), horizon).settle_from(n),
                None => Detector::new(pack.clone(), horizon),
            };
            let (found, stats) = pipeline::correlate_in_time_order(
                &reader,
                inputs,
                detector,
                args.max_state_calls,
                progress.as_ref(),
                &mut |report| take(&mut summary, report),
            )?;
            summary.late = stats.late;
            summary.evicted = stats.evicted;
            summary.held_peak = (stats.closings > 0).then_some(stats.peak_held);
            detection = Some(found);
        }
        _ => {
            for mut report in reader.read(&inputs, progress.as_ref()) {
                take(&mut summary, &report)?;
                calls.append(&mut report.calls);
            }
        }
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    if summary.evicted > 0 {
        writeln!(
            err,
            "revertwatch: warning: incident state went over --max-state-calls ({}); evicted the {} oldest calls: \
             incidents around them may be incomplete.",
            args.max_state_calls, summary.evicted
        )?;
    }
    if summary.late > 0 {
        writeln!(
            err,
            "revertwatch: warning: {} calls were older than their file's place in time order allows \
             (--allowed-lateness {}); incidents around them may be split or missed. \
             Rerun with --hold-all, or a larger --allowed-lateness.",
            summary.late,
            humantime::format_duration(args.allowed_lateness)
        )?;
    }

    let colour = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut out: BufWriter<Box<dyn Write>> = BufWriter::new(match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create `{}`", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    });
    let format = match args.format {
        FormatArg::Table => Format::Table,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
        FormatArg::Ocsf => Format::Ocsf,
        FormatArg::Html => Format::Html,
    };
    let output = format.output(colour);
    // Machine formats carry every incident; tables, CSV and the report hide the suppressed.
    let hide_suppressed =
        !matches!(format, Format::Jsonl | Format::Ocsf) && !args.tuning.show_suppressed;
    let mut worst: Option<Severity> = None;
    let written = match &profile {
        Profile::SeedSpl => {
            let rows = seed_spl::rows(&calls);
            if !rows.is_empty() {
                worst = Some(Severity::Review);
            }
            summary.seed_rows = Some(rows.len());
            output.events(&mut out, &rows)
        }
        Profile::Pack(pack) => {
            let detection = match detection {
                Some(found) => found,
                None => {
                    let (merged, found) = pipeline::detect_incidents(calls, pack, args.window);
                    calls = merged;
                    found
                }
            };
            let mut incidents = detection.incidents;
            let applied = apply(&mut incidents, &tuning, chrono::Utc::now().date_naive());
            summary.add_tuning(&applied);
            for i in &incidents {
                if i.suppressed_by.is_some() {
                    continue;
                }
                match i.severity {
                    Severity::Escalate => summary.escalate += 1,
                    Severity::Review => summary.review += 1,
                    Severity::None => summary.failed_only += 1,
                }
                if i.severity > Severity::None {
                    worst = worst.max(Some(i.severity));
                }
            }
            if let Some(wanted) = &args.explain.explain {
                crate::explain_cmd::write(&mut out, wanted, &incidents, &calls)?;
                out.flush().context("cannot write output")?;
                return Ok(0);
            }
            // Before the retain below: the HEC gets what jsonl prints, suppressed ones too.
            if let Some(hec) = &hec {
                let line = hec.send(&incidents, args.show_failed)?;
                if !args.quiet {
                    writeln!(err, "revertwatch: {line}")?;
                }
            }
            incidents.retain(|i| {
                (args.show_failed || i.severity > Severity::None)
                    && !(hide_suppressed && i.suppressed_by.is_some())
            });
            match args.view {
                View::Calls => write_calls(&mut out, &calls),
                View::Incidents => output.incidents(&mut out, &incidents),
                View::Events => {
                    let mut rows = detection.events;
                    for row in &mut rows {
                        if let Some(i) = incidents
                            .iter()
                            .find(|i| Some(&i.incident_id) == row.incident_id.as_ref())
                        {
                            row.suppressed_by = i.suppressed_by.clone();
                        }
                    }
                    let shown: Vec<&str> =
                        incidents.iter().map(|i| i.incident_id.as_str()).collect();
                    rows.retain(|r| {
                        (args.show_failed || r.outcome != Outcome::Failure)
                            && r.incident_id
                                .as_deref()
                                .is_some_and(|id| shown.contains(&id))
                    });
                    output.events(&mut out, &rows)
                }
            }
        }
    };
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(0),
        other => other.context("cannot write output")?,
    }
    if !args.quiet {
        writeln!(err, "{summary}")?;
    }
    let threshold = args.fail_on.map(|f| match f {
        FailOn::Review => Severity::Review,
        FailOn::Escalate => Severity::Escalate,
    });
    Ok(match (threshold, worst) {
        (Some(t), Some(w)) if w >= t => 1,
        _ if summary.skipped_records > 0 && !args.allow_skips => 3,
        _ => 0,
    })
}

fn report_skips(err: &mut dyn Write, report: &FileReport) -> io::Result<()> {
    for skip in report.skips.iter().take(SKIPS_SHOWN_PER_FILE) {
        writeln!(err, "revertwatch: skipped {}: {}", report.source, skip)?;
    }
    if report.skips.len() > SKIPS_SHOWN_PER_FILE {
        writeln!(
            err,
            "revertwatch: skipped {}: ... and {} more",
            report.source,
            report.skips.len() - SKIPS_SHOWN_PER_FILE
        )?;
    }
    Ok(())
}

fn write_calls(out: &mut dyn Write, calls: &[ApiCall]) -> io::Result<()> {
    for call in calls {
        serde_json::to_writer(&mut *out, call)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Files, bytes (of input as stored), rate and ETA, on stderr when it is a terminal.
fn progress_bar(inputs: &[Input]) -> indicatif::ProgressBar {
    let total: u64 = inputs.iter().map(Input::stored_size).sum();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} ({msg})",
        )
        .expect("a valid template"),
    );
    bar.set_message(format!("{} files", inputs.len()));
    bar
}
