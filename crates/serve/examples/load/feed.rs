//! The live feed: every record of a simulated corpus, ordered by event time as a live source
//! delivers them, written once as a flat file that each run reads back in a second.
//!
//! One line per record: `provider \t account \t event id \t event time (ns) \t record JSON`.
//! Records are framed by the same decoder `hunt` uses, so every container `simulate` writes
//! (`{"Records":[...]}`, `{"records":[...]}`, `{"value":[...]}`, arrays, JSON Lines, gzip)
//! is read the way `hunt` reads it.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::DateTime;
use revertwatch_decode::{decode, open_path, Limits};
use serde_json::Value;

use crate::Fallible;

/// One record of the feed, pointing into the feed file's bytes.
pub struct Record {
    pub partition: usize,
    pub event_id: String,
    pub time_ns: i64,
    pub json: std::ops::Range<usize>,
}

/// The feed as read back: the file's bytes, the records in order, and the partitions
/// (provider and account) they belong to.
pub struct Feed {
    pub bytes: Vec<u8>,
    pub records: Vec<Record>,
    /// `(provider, account)`, indexed by [`Record::partition`].
    pub partitions: Vec<(String, String)>,
}

impl Feed {
    pub fn json(&self, i: usize) -> &[u8] {
        &self.bytes[self.records[i].json.clone()]
    }

    /// Record index by event id.
    pub fn index(&self, n: usize) -> HashMap<&str, usize> {
        self.records[..n]
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.event_id.is_empty())
            .map(|(i, r)| (r.event_id.as_str(), i))
            .collect()
    }

    pub fn read(path: &Path) -> Fallible<Feed> {
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut records = Vec::new();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut partitions = Vec::new();
        let mut start = 0;
        for line in bytes.split(|b| *b == b'\n') {
            let line_start = start;
            start += line.len() + 1;
            if line.is_empty() {
                continue;
            }
            let mut fields = line.splitn(5, |b| *b == b'\t');
            let mut next = || {
                fields
                    .next()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
            };
            let (Some(provider), Some(account), Some(event_id), Some(time)) =
                (next(), next(), next(), next())
            else {
                return Err(format!("{}: a line without its 5 fields", path.display()).into());
            };
            let prefix = provider.len() + account.len() + event_id.len() + time.len() + 4;
            let key = (provider, account);
            let partition = *index.entry(key.clone()).or_insert_with(|| {
                partitions.push(key);
                partitions.len() - 1
            });
            records.push(Record {
                partition,
                event_id,
                time_ns: time.parse().unwrap_or(0),
                json: line_start + prefix..line_start + line.len(),
            });
        }
        Ok(Feed {
            bytes,
            records,
            partitions,
        })
    }
}

/// Reads every log file under `corpus` and writes the time-ordered feed to `out`.
pub fn prepare(corpus: &Path, out: &Path) -> Fallible<()> {
    let mut files = Vec::new();
    walk(corpus, &mut files)?;
    files.sort();
    let mut rows: Vec<(i64, usize, Vec<u8>)> = Vec::new();
    let mut unreadable = 0u64;
    for file in &files {
        if file.file_name().is_some_and(|n| n == "ground-truth.jsonl") {
            continue;
        }
        let (reader, _) = open_path(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut last_time = 0i64;
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
            row.extend_from_slice(&json);
            rows.push((time, rows.len(), row));
        });
    }
    if rows.is_empty() {
        return Err(format!("no records under {}", corpus.display()).into());
    }
    rows.sort_by_key(|r| (r.0, r.1));
    let mut w = BufWriter::new(
        fs::File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?,
    );
    for (_, _, row) in &rows {
        w.write_all(row)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let span_h = (rows[rows.len() - 1].0 - rows[0].0) as f64 / 3.6e12;
    eprintln!(
        "load: feed of {} records from {} files ({} unreadable), spanning {span_h:.1} h of event time, in {}",
        rows.len(),
        files.len(),
        unreadable,
        out.display()
    );
    Ok(())
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
