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
use revertwatch_report::escape::terminal;
use revertwatch_source::Wanted;

use crate::inputs::Input;
use crate::remote_cmd::RemoteObject;

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

/// Reads every input, in parallel, and returns the reports in input order, advancing
/// `progress` (in input bytes as stored) as each one is done.
///
/// Local inputs are read one task per file. Objects are fetched with at most `--max-requests`
/// in flight, and each is decoded by a worker while its body is still arriving; workers take
/// objects in the order their requests started, so none waits behind one not yet requested.
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
    let done = |input: &Input, report: FileReport| {
        if let Some(bar) = progress {
            bar.inc(input.stored_size());
        }
        report
    };
    let mut reports: Vec<Option<FileReport>> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let report = match input {
                    Input::File(path) => ingest.read_path(path),
                    Input::Stdin => ingest.read_reader("<stdin>", io::stdin()),
                    Input::Unlisted { name, reason } => {
                        ingest.read_reader(name, Unreadable(reason.clone()))
                    }
                    Input::Object(_) => return None,
                };
                Some(done(input, report))
            })
            .collect()
    });
    let objects: Vec<(usize, &RemoteObject)> = inputs
        .iter()
        .enumerate()
        .filter_map(|(i, input)| match input {
            Input::Object(o) => Some((i, o)),
            _ => None,
        })
        .collect();
    if let Some((_, first)) = objects.first() {
        let remote = &first.remote;
        let wanted = objects
            .iter()
            .map(|(_, o)| Wanted {
                bucket: o.bucket.clone(),
                key: o.key.clone(),
            })
            .collect();
        let arrivals = remote.client.fetch(wanted, remote.max_requests);
        let fetched: Vec<(usize, FileReport)> = pool.install(|| {
            arrivals
                .into_iter()
                .par_bridge()
                .map(|fetched| {
                    let (at, object) = objects[fetched.index];
                    let report = ingest.read_reader(&object.name, Escaped(fetched.body));
                    (at, done(&inputs[at], report))
                })
                .collect()
        });
        for (at, report) in fetched {
            reports[at] = Some(report);
        }
    }
    Ok(reports.into_iter().flatten().collect())
}

/// Object-store errors can quote a key, which is attacker-influenced: escape them before they
/// become a skip reason on the terminal.
struct Escaped<R>(R);

impl<R: io::Read> io::Read for Escaped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), terminal(&e.to_string()).into_owned()))
    }
}

/// A reader that fails at once: a folder that could not be listed becomes a skipped input with
/// its reason, counted and reported like an unreadable file.
struct Unreadable(String);

impl io::Read for Unreadable {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other(self.0.clone()))
    }
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
