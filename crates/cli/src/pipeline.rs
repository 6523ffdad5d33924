//! The stages shared by `hunt` and `config check`: read inputs in parallel, then merge,
//! annotate and detect, over everything at once or in time order as the inputs are read.

use std::io;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, event_key, Detection, Detector, DetectorStats};
use revertwatch_normalize::{logical_calls, plan_parts, ApiCall, FileReport, Ingest, Selection};
use revertwatch_pack::Pack;
use revertwatch_report::escape::terminal;
use revertwatch_source::{time_hint, Wanted};

use crate::inputs::Input;
use crate::remote_cmd::RemoteObject;

/// Decoding and normalizing, on a pool of worker threads.
pub struct Reader {
    ingest: Ingest,
    pool: rayon::ThreadPool,
}

impl Reader {
    pub fn new(
        selection: Selection,
        limits: Limits,
        threads: Option<usize>,
    ) -> anyhow::Result<Reader> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(0))
            .build()
            .context("cannot start worker threads")?;
        Ok(Reader {
            ingest: Ingest { selection, limits },
            pool,
        })
    }

    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Reads every input, in parallel, and returns the reports in input order, advancing
    /// `progress` (in input bytes as stored) as each one is done.
    ///
    /// Local inputs are read one task per file, except plain JSON Lines files of 16 MiB or
    /// more, which are read as one part per worker and joined. Objects are fetched with at most
    /// `--max-requests` in flight, and each is decoded by a worker while its body is still
    /// arriving; workers take objects in the order their requests started, so none waits
    /// behind one not yet requested.
    pub fn read(
        &self,
        inputs: &[Input],
        progress: Option<&indicatif::ProgressBar>,
    ) -> Vec<FileReport> {
        let mut reports = self.pool.install(|| self.read_local(inputs, progress));
        self.read_objects(inputs, progress, &mut reports);
        reports.into_iter().flatten().collect()
    }

    /// Files, folders that could not be listed, and stdin: a report per input in input order
    /// (None for objects, read apart).
    fn read_local(
        &self,
        inputs: &[Input],
        progress: Option<&indicatif::ProgressBar>,
    ) -> Vec<Option<FileReport>> {
        let ingest = &self.ingest;
        let threads = self.threads();
        // A large plain JSON Lines file is read as a part per worker, then joined.
        let tasks: Vec<(usize, Option<(u64, u64)>)> = inputs
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, input)| {
                let parts = match input {
                    Input::File(path) => plan_parts(ingest, path, threads).ok().flatten(),
                    _ => None,
                };
                match parts {
                    Some(parts) => parts.into_iter().map(|p| (i, Some(p))).collect(),
                    None => vec![(i, None)],
                }
            })
            .collect();
        let read: Vec<PartRead> = tasks
            .into_par_iter()
            .map(|(i, part)| {
                let read = read_part(ingest, &inputs[i], part);
                if let (Some(bar), Some(_)) = (progress, &read) {
                    bar.inc(part.map_or_else(|| inputs[i].stored_size(), |(s, e)| e - s));
                }
                match read {
                    Some((report, newlines)) => PartRead(i, part, Some(report), newlines),
                    None => PartRead(i, part, None, 0),
                }
            })
            .collect();
        join_parts(inputs.len(), read)
    }

    /// Objects, fetched with at most `--max-requests` in flight, each decoded while its body
    /// is still arriving; workers take them in the order their requests started.
    fn read_objects(
        &self,
        inputs: &[Input],
        progress: Option<&indicatif::ProgressBar>,
        reports: &mut [Option<FileReport>],
    ) {
        let objects: Vec<(usize, &RemoteObject)> = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, input)| match input {
                Input::Object(o) => Some((i, o)),
                _ => None,
            })
            .collect();
        let Some((_, first)) = objects.first() else {
            return;
        };
        let remote = &first.remote;
        let wanted = objects
            .iter()
            .map(|(_, o)| Wanted {
                bucket: o.bucket.clone(),
                key: o.key.clone(),
            })
            .collect();
        let arrivals = remote.client.fetch(wanted, remote.max_requests);
        let ingest = &self.ingest;
        let fetched: Vec<(usize, FileReport)> = self.pool.install(|| {
            arrivals
                .into_iter()
                .par_bridge()
                .map(|fetched| {
                    let (at, object) = objects[fetched.index];
                    let report = ingest.read_reader(&object.name, Escaped(fetched.body));
                    if let Some(bar) = progress {
                        bar.inc(inputs[at].stored_size());
                    }
                    (at, report)
                })
                .collect()
        });
        for (at, report) in fetched {
            reports[at] = Some(report);
        }
    }
}

/// Reads one local input, or one part of it: the report and the newlines in the range. None
/// for an object (read apart).
fn read_part(
    ingest: &Ingest,
    input: &Input,
    part: Option<(u64, u64)>,
) -> Option<(FileReport, u64)> {
    Some(match (input, part) {
        (Input::File(path), Some((start, end))) => ingest.read_part(path, start, end),
        (Input::File(path), None) => (ingest.read_path(path), 0),
        (Input::Stdin, _) => (ingest.read_reader("<stdin>", io::stdin()), 0),
        (Input::Unlisted { name, reason }, _) => {
            (ingest.read_reader(name, Unreadable(reason.clone())), 0)
        }
        (Input::Object(_), _) => return None,
    })
}

/// Joins the parts of each input into one report, with whole-file offsets and line numbers.
fn join_parts(inputs: usize, read: Vec<PartRead>) -> Vec<Option<FileReport>> {
    let mut whole: Vec<Option<FileReport>> = (0..inputs).map(|_| None).collect();
    let mut lines_before = 0;
    for PartRead(i, part, report, newlines) in read {
        let Some(report) = report else { continue };
        match part {
            Some((start, _)) if start > 0 => {
                let first = whole[i].as_mut().expect("parts are read in order");
                first.append_part(report, (start, lines_before));
                lines_before += newlines;
            }
            _ => {
                whole[i] = Some(report);
                lines_before = newlines;
            }
        }
    }
    whole
}

/// Reads the inputs in the time order their paths give and detects as it goes with
/// `detector`, which settles incidents that can no longer change: state stays bounded by the
/// horizon, not by the archive. At most `max_held` calls are held (the oldest are evicted,
/// and counted, past it). Each report goes to `each` as its batch of files is done.
pub fn correlate_in_time_order(
    reader: &Reader,
    mut inputs: Vec<Input>,
    mut detector: Detector,
    max_held: usize,
    progress: Option<&indicatif::ProgressBar>,
    each: &mut dyn FnMut(&FileReport) -> io::Result<()>,
) -> anyhow::Result<(Detection, DetectorStats)> {
    // Inputs whose paths tell no time come first, so that they hold back no settling after
    // them; a stable sort keeps the order given among equals.
    let mut hinted: Vec<(Option<DateTime<Utc>>, Input)> =
        inputs.drain(..).map(|i| (hint(&i), i)).collect();
    hinted.sort_by_key(|(hint, _)| *hint);
    let (hints, inputs): (Vec<_>, Vec<_>) = hinted.into_iter().unzip();
    // Big enough that every worker stays busy through a batch, small enough that a batch
    // spans little event time.
    let batch = (reader.threads() * 32).max(64);
    let bounds: Vec<(usize, usize)> = (0..inputs.len())
        .step_by(batch)
        .map(|start| (start, (start + batch).min(inputs.len())))
        .collect();
    let mut settled = Detection::default();
    // The workers read the next batch while this thread detects over the last one, so that a
    // settling does not leave them idle.
    std::thread::scope(|scope| {
        let read = |(start, end): (usize, usize)| {
            let inputs = &inputs[start..end];
            scope.spawn(move || reader.read(inputs, progress))
        };
        let mut next = bounds.first().map(|b| read(*b));
        for (k, (_, end)) in bounds.iter().enumerate() {
            let reports = next
                .take()
                .expect("a read per batch")
                .join()
                .map_err(|_| anyhow::anyhow!("a reader thread failed"))?;
            next = bounds.get(k + 1).map(|b| read(*b));
            for report in reports {
                each(&report).context("cannot write to stderr")?;
                for call in report.calls {
                    detector.ingest(event_key(&call), call);
                }
                if detector.held() > max_held {
                    settled.append(detector.evict_oldest(max_held).detection);
                }
            }
            if let Some(Some(now)) = hints.get(*end) {
                if detector.due() {
                    settled.append(detector.settle(*now).detection);
                }
            }
        }
        Ok::<(), anyhow::Error>(())
    })?;
    let (open, stats) = detector.finish();
    settled.append(open);
    settled.sort();
    Ok((settled, stats))
}

fn hint(input: &Input) -> Option<DateTime<Utc>> {
    match input {
        Input::File(path) => time_hint(&path.to_string_lossy()),
        Input::Object(object) => time_hint(&object.key),
        Input::Stdin | Input::Unlisted { .. } => None,
    }
}

/// What one task read: the input, the byte range of it (None: all of it), the report (None for
/// objects, read apart) and the newlines in the range.
struct PartRead(usize, Option<(u64, u64)>, Option<FileReport>, u64);

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
    let calls = logical_calls(calls, pack);
    let detection = detect(&calls, pack, window);
    (calls, detection)
}
