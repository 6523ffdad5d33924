//! The stages shared by `hunt` and `config check`: read inputs in parallel, then merge,
//! annotate and detect over everything at once.

use std::io;
use std::time::Duration;

use anyhow::Context;
use rayon::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, Detection};
use revertwatch_normalize::{annotate, merge_phases, ApiCall, FileReport, Ingest, Selection};
use revertwatch_pack::Pack;

use crate::inputs::Input;

/// Parse and keep what the pack knows.
pub fn selection(pack: &Pack) -> Selection {
    let keep = pack.clone();
    Selection {
        prefilter: Some(pack.prefilter()),
        keep: Box::new(move |provider, op| keep.knows(provider, op)),
        keep_record: pack.reads_records(),
        annotate_with: Some(pack.clone()),
    }
}

/// Reads every input, in parallel, in input order, advancing `progress` (in input bytes) as
/// each one is done.
pub fn read(
    inputs: &[Input],
    selection: Selection,
    limits: Limits,
    threads: Option<usize>,
    progress: Option<&indicatif::ProgressBar>,
) -> anyhow::Result<Vec<FileReport>> {
    let ingest = Ingest { selection, limits };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    Ok(pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let report = match input {
                    Input::File(path) => ingest.read_path(path),
                    Input::Stdin => ingest.read_reader("<stdin>", io::stdin()),
                };
                if let (Some(bar), Input::File(path)) = (progress, input) {
                    bar.inc(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
                }
                report
            })
            .collect()
    }))
}

/// Logical calls (merged, annotated) and what they add up to.
pub fn detect_incidents(
    calls: Vec<ApiCall>,
    pack: &Pack,
    window: Duration,
) -> (Vec<ApiCall>, Detection) {
    let mut calls = merge_phases(calls);
    for call in calls.iter_mut().filter(|c| !c.annotated) {
        annotate(call, pack);
    }
    let detection = detect(&calls, pack, window);
    (calls, detection)
}
