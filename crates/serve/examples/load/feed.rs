//! The live feed: every record of a simulated corpus, ordered by event time as a live source
//! delivers them, written once as a flat file that each run reads back in a second.
//!
//! One line per record: `provider \t account \t event id \t event time (ns) \t record JSON`.
//! Records are framed by the same decoder `hunt` uses, so every container `simulate` writes
//! (`{"Records":[...]}`, `{"records":[...]}`, `{"value":[...]}`, arrays, JSON Lines, gzip)
//! is read the way `hunt` reads it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::DateTime;
use flate2::{bufread::GzDecoder, write::GzEncoder, Compression};
use memmap2::Mmap;
use revertwatch_decode::{decode, open_path, Limits};
use serde_json::Value;

use crate::Fallible;

/// One record of the feed, pointing into the feed file's bytes. Kept small: a two-hour soak's
/// feed holds ten million of them.
pub struct Record {
    pub partition: u32,
    pub time_ns: i64,
    /// Where the line's event id starts in the feed.
    id_start: u64,
    id_len: u32,
    /// Where the record's JSON starts, counted from `id_start`, and its length.
    json_from_id: u32,
    json_len: u32,
}

impl Record {
    #[cfg(test)]
    pub fn at(partition: u32, time_ns: i64) -> Record {
        Record {
            partition,
            time_ns,
            id_start: 0,
            id_len: 0,
            json_from_id: 0,
            json_len: 0,
        }
    }
}

/// The feed as read back: the file, mapped rather than read (a two-hour soak's feed is larger
/// than the machine's memory), the records in order, and the partitions (provider and
/// account) they belong to.
pub struct Feed {
    pub bytes: Option<Mmap>,
    pub records: Vec<Record>,
    /// `(provider, account)`, indexed by [`Record::partition`].
    pub partitions: Vec<(String, String)>,
}

impl Feed {
    fn map(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or(&[])
    }

    pub fn json(&self, i: usize) -> &[u8] {
        let r = &self.records[i];
        let start = r.id_start as usize + r.json_from_id as usize;
        &self.map()[start..start + r.json_len as usize]
    }

    pub fn event_id(&self, i: usize) -> &str {
        let r = &self.records[i];
        let start = r.id_start as usize;
        // prepare writes ids from JSON strings, so they are UTF-8.
        std::str::from_utf8(&self.map()[start..start + r.id_len as usize]).unwrap_or("")
    }

    /// Record index by event id.
    pub fn index(&self, n: usize) -> HashMap<&str, usize> {
        (0..n.min(self.records.len()))
            .map(|i| (self.event_id(i), i))
            .filter(|(id, _)| !id.is_empty())
            .collect()
    }

    pub fn read(path: &Path) -> Fallible<Feed> {
        let file =
            fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Safety: the feed is written once by `prepare` and only read afterwards.
        let bytes = unsafe { Mmap::map(&file) }
            .map_err(|e| format!("cannot map {}: {e}", path.display()))?;
        let mut records = Vec::new();
        let mut index: BTreeMap<(&[u8], &[u8]), u32> = BTreeMap::new();
        let mut partitions = Vec::new();
        let mut start = 0;
        for line in bytes.split(|b| *b == b'\n') {
            let line_start = start;
            start += line.len() + 1;
            if line.is_empty() {
                continue;
            }
            let mut fields = line.splitn(5, |b| *b == b'\t');
            let (Some(provider), Some(account), Some(event_id), Some(time), Some(_)) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                return Err(format!("{}: a line without its 5 fields", path.display()).into());
            };
            let partition = *index.entry((provider, account)).or_insert_with(|| {
                let text = |f: &[u8]| String::from_utf8_lossy(f).into_owned();
                partitions.push((text(provider), text(account)));
                (partitions.len() - 1) as u32
            });
            let id_start = line_start + provider.len() + account.len() + 2;
            let json_start = id_start + event_id.len() + time.len() + 2;
            records.push(Record {
                partition,
                time_ns: std::str::from_utf8(time)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0),
                id_start: id_start as u64,
                id_len: event_id.len() as u32,
                json_from_id: (json_start - id_start) as u32,
                json_len: (line_start + line.len() - json_start) as u32,
            });
        }
        drop(index);
        Ok(Feed {
            bytes: Some(bytes),
            records,
            partitions,
        })
    }
}

/// Bytes of rows sorted in memory at a time; the rest wait on disk in sorted runs.
const RUN_BYTES: usize = 512 << 20;

/// Reads every log file under `corpus` and writes the time-ordered feed to `out`.
///
/// A soak's corpus is larger than memory, so rows are sorted a run at a time into gzip files
/// beside `out` and the runs merged. Rows are ordered by (event time, order read), as one
/// stable sort of them all would order them: each run is sorted by that, and the merge breaks
/// ties of time by run, whose rows were all read before the next run's.
pub fn prepare(corpus: &Path, out: &Path) -> Fallible<()> {
    prepare_in_runs(corpus, out, RUN_BYTES)
}

fn prepare_in_runs(corpus: &Path, out: &Path, run_bytes: usize) -> Fallible<()> {
    let mut files = Vec::new();
    walk(corpus, &mut files)?;
    files.sort();
    let runs_dir = out.with_extension("runs");
    let _ = fs::remove_dir_all(&runs_dir);
    fs::create_dir_all(&runs_dir).map_err(|e| format!("{}: {e}", runs_dir.display()))?;
    let mut runs = Runs {
        dir: runs_dir.clone(),
        paths: Vec::new(),
        rows: Vec::new(),
        bytes: 0,
        run_bytes,
    };
    let mut unreadable = 0u64;
    let (mut count, mut first, mut last) = (0u64, i64::MAX, i64::MIN);
    for file in &files {
        if file.file_name().is_some_and(|n| n == "ground-truth.jsonl") {
            continue;
        }
        let (reader, _) = open_path(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut last_time = 0i64;
        let mut failed = None;
        decode(reader, &Limits::default(), None, &mut |frame| {
            let Ok(value) = serde_json::from_slice::<Value>(frame.bytes) else {
                unreadable += 1;
                return;
            };
            let shape = Shape::of(&value);
            // A record without a readable time keeps its place after the one before it.
            let time = shape.time_ns.unwrap_or(last_time);
            last_time = time;
            let json = if frame.bytes.contains(&b'\n') || frame.bytes.contains(&b'\r') {
                serde_json::to_vec(&value).unwrap_or_default()
            } else {
                frame.bytes.to_vec()
            };
            count += 1;
            first = first.min(time);
            last = last.max(time);
            if let Err(e) = runs.push(time, row(&shape, time, &json)) {
                failed.get_or_insert(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
    }
    if count == 0 {
        return Err(format!("no records under {}", corpus.display()).into());
    }
    runs.spill()?;
    merge(&runs.paths, out)?;
    let _ = fs::remove_dir_all(&runs_dir);
    let span_h = (last - first) as f64 / 3.6e12;
    eprintln!(
        "load: feed of {} records from {} files ({} unreadable), spanning {span_h:.1} h of event time, in {}",
        count,
        files.len(),
        unreadable,
        out.display()
    );
    Ok(())
}

/// `provider \t account \t event id \t time \t json`, without the newline.
fn row(shape: &Shape, time: i64, json: &[u8]) -> Vec<u8> {
    let mut row = Vec::with_capacity(json.len() + 96);
    for field in [shape.provider, &shape.account, &shape.event_id] {
        row.extend(
            field
                .bytes()
                .map(|b| if b == b'\t' || b == b'\n' { b' ' } else { b }),
        );
        row.push(b'\t');
    }
    row.extend_from_slice(time.to_string().as_bytes());
    row.push(b'\t');
    row.extend_from_slice(json);
    row
}

/// Rows gathered in memory, spilled as sorted gzip runs.
struct Runs {
    dir: PathBuf,
    paths: Vec<PathBuf>,
    rows: Vec<(i64, Vec<u8>)>,
    bytes: usize,
    run_bytes: usize,
}

impl Runs {
    fn push(&mut self, time: i64, row: Vec<u8>) -> Fallible<()> {
        self.bytes += row.len();
        self.rows.push((time, row));
        if self.bytes >= self.run_bytes {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Fallible<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        // Stable: rows of one time keep the order they were read in.
        self.rows.sort_by_key(|r| r.0);
        let path = self.dir.join(format!("{:05}.gz", self.paths.len()));
        let file = fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut w = GzEncoder::new(BufWriter::new(file), Compression::fast());
        for (_, row) in self.rows.drain(..) {
            w.write_all(&row)?;
            w.write_all(b"\n")?;
        }
        w.finish()?.flush()?;
        self.paths.push(path);
        self.bytes = 0;
        Ok(())
    }
}

/// Merges sorted runs into `out`, ties of time going to the earlier run.
fn merge(paths: &[PathBuf], out: &Path) -> Fallible<()> {
    let mut readers = Vec::new();
    for path in paths {
        let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        readers.push(BufReader::with_capacity(
            1 << 20,
            GzDecoder::new(BufReader::new(file)),
        ));
    }
    let mut w = BufWriter::with_capacity(
        1 << 20,
        fs::File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?,
    );
    let mut lines: Vec<Vec<u8>> = vec![Vec::new(); readers.len()];
    let mut heap = BinaryHeap::new();
    for run in 0..readers.len() {
        if let Some(time) = next_line(&mut readers[run], &mut lines[run])? {
            heap.push(Reverse((time, run)));
        }
    }
    while let Some(Reverse((_, run))) = heap.pop() {
        w.write_all(&lines[run])?;
        if let Some(time) = next_line(&mut readers[run], &mut lines[run])? {
            heap.push(Reverse((time, run)));
        }
    }
    w.flush()?;
    Ok(())
}

/// Reads a run's next row, newline included, and returns its time.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Fallible<Option<i64>> {
    line.clear();
    if reader.read_until(b'\n', line)? == 0 {
        return Ok(None);
    }
    let time = line
        .split(|b| *b == b'\t')
        .nth(3)
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| t.parse().ok())
        .ok_or("a sorted run lost a row's time")?;
    Ok(Some(time))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Fallible<()> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// What the driver needs to know about a record: where it goes and how alerts name it.
struct Shape {
    provider: &'static str,
    account: String,
    event_id: String,
    time_ns: Option<i64>,
}

impl Shape {
    /// CloudTrail has `eventTime`, Cloud Audit Logs a `protoPayload`; the rest is Azure
    /// Activity Log (Event Hub or REST schema).
    fn of(v: &Value) -> Shape {
        let s = |path: &[&str]| {
            let mut at = v;
            for k in path {
                at = at.get(*k)?;
            }
            at.as_str().map(str::to_string)
        };
        let (provider, account, event_id, time) = if v.get("eventTime").is_some() {
            (
                "aws",
                s(&["recipientAccountId"]).or_else(|| s(&["userIdentity", "accountId"])),
                s(&["eventID"]),
                s(&["eventTime"]),
            )
        } else if v.get("protoPayload").is_some() || v.get("insertId").is_some() {
            let project = s(&["resource", "labels", "project_id"])
                .or_else(|| s(&["logName"]).and_then(|l| l.split('/').nth(1).map(str::to_string)));
            ("gcp", project, s(&["insertId"]), s(&["timestamp"]))
        } else {
            let sub = s(&["subscriptionId"]).or_else(|| {
                s(&["resourceId"]).and_then(|r| r.split('/').nth(2).map(str::to_string))
            });
            let time = s(&["time"]).or_else(|| s(&["eventTimestamp"]));
            (
                "azure",
                sub.map(|x| x.to_lowercase()),
                s(&["eventDataId"]),
                time,
            )
        };
        let time_ns = time
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .and_then(|t| t.timestamp_nanos_opt());
        Shape {
            provider,
            account: account.unwrap_or_else(|| "unknown".into()),
            event_id: event_id.unwrap_or_default(),
            time_ns,
        }
    }
}

/// Whether a record is a later phase of an operation: an Azure Accept or Success (its Start
/// comes first), or a GCP `operation.last` entry of an operation with a `first`. Alone, such
/// a record is only ever what is left of a call whose first phase is gone.
pub fn later_phase(json: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(json) else {
        return false;
    };
    if let Some(op) = v.get("operation") {
        return op.get("last").and_then(Value::as_bool) == Some(true)
            && op.get("first").and_then(Value::as_bool) != Some(true);
    }
    let result = v
        .get("resultType")
        .or_else(|| v.get("status").and_then(|s| s.get("value")))
        .and_then(Value::as_str);
    // Event Hub records say `Start`, the REST schema `Started`.
    let first = |r: &str| r.eq_ignore_ascii_case("start") || r.eq_ignore_ascii_case("started");
    v.get("correlationId").is_some() && result.is_some_and(|r| !first(r))
}

#[cfg(test)]
mod tests {
    use super::{prepare_in_runs, Feed};
    use std::fs;

    /// Records out of order across and within files, and records of one time from several
    /// files: the feed must be what one stable sort of every row gives, however many runs
    /// it was sorted in.
    #[test]
    fn a_feed_larger_than_a_run_is_ordered_as_one_sort_orders_it() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        fs::create_dir_all(corpus.join("gcp")).unwrap();
        let line = |id: &str, minute: u32| {
            format!(
                r#"{{"insertId":"{id}","timestamp":"2026-03-01T00:{minute:02}:00Z","resource":{{"labels":{{"project_id":"p"}}}},"protoPayload":{{}}}}"#
            )
        };
        let a = [("a1", 5), ("a2", 1), ("a3", 3), ("a4", 1)];
        let b = [("b1", 1), ("b2", 5), ("b3", 0), ("b4", 3)];
        for (name, rows) in [("a.jsonl", a), ("b.jsonl", b)] {
            let text: Vec<String> = rows.iter().map(|(id, m)| line(id, *m)).collect();
            fs::write(corpus.join("gcp").join(name), text.join("\n") + "\n").unwrap();
        }
        let whole = dir.path().join("whole.feed");
        let by_row = dir.path().join("by-row.feed");
        let by_three = dir.path().join("by-three.feed");
        prepare_in_runs(&corpus, &whole, usize::MAX).unwrap();
        prepare_in_runs(&corpus, &by_row, 1).unwrap();
        prepare_in_runs(&corpus, &by_three, 3 * 200).unwrap();
        let feed = Feed::read(&by_row).unwrap();
        let ids: Vec<&str> = (0..feed.records.len()).map(|i| feed.event_id(i)).collect();
        assert_eq!(ids, ["b3", "a2", "a4", "b1", "a3", "b4", "a1", "b2"]);
        assert!(feed.json(0).starts_with(br#"{"insertId":"b3""#));
        assert!(feed.json(7).ends_with(b"}"));
        assert_eq!(feed.partitions, [("gcp".to_string(), "p".to_string())]);
        assert_eq!(fs::read(&whole).unwrap(), fs::read(&by_row).unwrap());
        assert_eq!(fs::read(&whole).unwrap(), fs::read(&by_three).unwrap());
        assert!(!dir.path().join("by-row.runs").exists());
    }
}
