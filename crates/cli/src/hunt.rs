//! `revertwatch hunt`: inputs in parallel through decode and normalize, then detection over
//! everything at once (so that input order cannot change the result), then output.

use std::io::{self, BufWriter, Write};

use anyhow::Context;
use rayon::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, seed_spl, Severity};
use revertwatch_normalize::{annotate, merge_phases, FileReport, Ingest, Selection};
use revertwatch_pack::Prefilter;
use revertwatch_report::{write_events, write_incidents, Format};

use crate::args::{FailOn, FormatArg, HuntArgs, View};
use crate::inputs::{expand, Input};
use crate::packs::{choose, Profile};
use crate::summary::Summary;

/// How many problems to print per input before summing up the rest.
const SKIPS_SHOWN_PER_FILE: usize = 10;

pub fn run(args: HuntArgs) -> anyhow::Result<i32> {
    let profile = choose(&args.pack)?;
    let inputs = expand(&args.paths)?;
    let selection = match &profile {
        Profile::Pack(pack) => {
            let pack = pack.clone();
            Selection {
                prefilter: Some(pack.prefilter()),
                keep: Box::new(move |provider, op| pack.knows(provider, op)),
            }
        }
        Profile::SeedSpl => Selection {
            prefilter: Some(Prefilter::new(seed_spl::literals())),
            keep: Box::new(seed_spl::keeps),
        },
    };
    let ingest = Ingest {
        selection,
        limits: Limits {
            max_record_bytes: args.max_record_bytes,
            ..Limits::default()
        },
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let reports: Vec<FileReport> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| match input {
                Input::File(path) => ingest.read_path(path),
                Input::Stdin => ingest.read_reader("<stdin>", io::stdin()),
            })
            .collect()
    });

    let mut summary = Summary::default();
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let mut calls = Vec::new();
    for report in reports {
        summary.add_file(&report);
        report_skips(&mut err, &report)?;
        calls.extend(report.calls);
    }

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let format = match args.format {
        FormatArg::Table => Format::Table,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
    };
    let mut worst: Option<Severity> = None;
    let written = match &profile {
        Profile::SeedSpl => {
            let rows = seed_spl::rows(&calls);
            if !rows.is_empty() {
                worst = Some(Severity::Review);
            }
            summary.seed_rows = Some(rows.len());
            write_events(&mut out, &rows, format)
        }
        Profile::Pack(pack) => {
            let mut calls = merge_phases(calls);
            for call in &mut calls {
                annotate(call, pack);
            }
            let detection = detect(&calls, pack, args.window);
            let mut incidents = detection.incidents;
            for i in &incidents {
                match i.severity {
                    Severity::Escalate => summary.escalate += 1,
                    Severity::Review => summary.review += 1,
                    Severity::None => summary.failed_only += 1,
                }
                if i.severity > Severity::None {
                    worst = worst.max(Some(i.severity));
                }
            }
            if !args.show_failed {
                incidents.retain(|i| i.severity > Severity::None);
            }
            match args.view {
                View::Calls => write_calls(&mut out, &calls),
                View::Incidents => write_incidents(&mut out, &incidents, format),
                View::Events => {
                    let mut rows = detection.events;
                    if !args.show_failed {
                        rows.retain(|r| r.outcome != "failure");
                    }
                    write_events(&mut out, &rows, format)
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

fn write_calls(out: &mut dyn Write, calls: &[revertwatch_normalize::ApiCall]) -> io::Result<()> {
    for call in calls {
        serde_json::to_writer(&mut *out, call)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
