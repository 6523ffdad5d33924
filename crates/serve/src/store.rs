//! Incident state on disk, in redb: the candidate records each partition holds, the state
//! each incident was last alerted in, and the alerts not yet delivered (the outbox).
//!
//! Every batch is one write transaction, committed (fsync'd) before the batch is acknowledged,
//! so a crash at any point leaves either the whole batch or none of it.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::error::ServeError;

/// `<partition>\0<event key>` -> the record as received, with its origin (JSON).
const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");
/// `<partition>\0<incident id>` -> the severity last alerted (1 review, 2 escalate).
const EMITTED: TableDefinition<&str, u8> = TableDefinition::new("emitted");
/// `<partition>\0<incident id>` -> an incident whose calls aged out of state (JSON), kept
/// for `--keep-closed` so that `/incidents` still shows it.
const CLOSED: TableDefinition<&str, &[u8]> = TableDefinition::new("closed");
/// `<partition>\0<hash of the reset>` -> a reset seen (JSON): the evidence routine resets are
/// judged on, kept after the calls themselves are let go (28 days, bounded per machine).
const ROUTINE: TableDefinition<&str, &[u8]> = TableDefinition::new("routine");
/// `<partition>\0<provenance key>\0<event key>` -> the record of a call that made provenance
/// (a snapshot taken, a volume restored), as received: kept after its call is let go, until
/// `--provenance-horizon`, so that a restore weeks before its swap still joins the machine.
const PROVENANCE: TableDefinition<&str, &[u8]> = TableDefinition::new("provenance");
/// Sequence -> one alert (JSON), until every alert sink has it.
const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");

/// redb's page cache. Its default (1 GiB) would let a large state file's pages pile up in
/// serve's memory over days; the engine keeps what detection needs in its own maps and only
/// inserts and removes here, so a cache for the B-tree's upper levels is enough and the OS page
/// cache serves the rest. Measured in docs/RELIABILITY.md (Soak): 4 MiB against 32 MiB lowered
/// serve's RSS by about 12 MB on an 18-36 MB state file, and throughput held.
const CACHE_BYTES: usize = 4 * 1024 * 1024;

pub struct Store {
    db: Database,
    path: PathBuf,
}

/// What one batch changes, written in one transaction.
#[derive(Default)]
pub struct Changes {
    pub put_records: Vec<(String, Vec<u8>)>,
    pub drop_records: Vec<String>,
    pub put_emitted: Vec<(String, u8)>,
    pub drop_emitted: Vec<String>,
    pub alerts: Vec<Vec<u8>>,
    pub put_closed: Vec<(String, Vec<u8>)>,
    pub drop_closed: Vec<String>,
    pub put_routine: Vec<(String, Vec<u8>)>,
    pub drop_routine: Vec<String>,
    /// Held records that stay as provenance: `(<partition>\0<event key>, <provenance key>)`,
    /// moved from the held records in the same transaction.
    pub keep_provenance: Vec<(String, String)>,
    /// Provenance facts that expired: `<partition>\0<provenance key>`, with all their records.
    pub drop_provenance: Vec<String>,
    /// Partitions whose every record and emitted state go (a partition handed to this
    /// instance is rebuilt from its stream).
    pub clear_prefixes: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.put_records.is_empty()
            && self.drop_records.is_empty()
            && self.put_emitted.is_empty()
            && self.drop_emitted.is_empty()
            && self.alerts.is_empty()
            && self.put_closed.is_empty()
            && self.drop_closed.is_empty()
            && self.put_routine.is_empty()
            && self.drop_routine.is_empty()
            && self.keep_provenance.is_empty()
            && self.drop_provenance.is_empty()
            && self.clear_prefixes.is_empty()
    }
}

/// Everything held, as read back at start.
#[derive(Default)]
pub struct Loaded {
    pub records: Vec<(String, Vec<u8>)>,
    pub emitted: Vec<(String, u8)>,
    pub closed: Vec<(String, Vec<u8>)>,
    pub routine: Vec<(String, Vec<u8>)>,
    /// `(<partition>\0<provenance key>\0<event key>, record)`, in key order.
    pub provenance: Vec<(String, Vec<u8>)>,
}

pub fn key(partition: &str, item: &str) -> String {
    format!("{partition}\0{item}")
}

pub fn split_key(key: &str) -> (&str, &str) {
    key.split_once('\0').unwrap_or(("", key))
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, ServeError> {
        std::fs::create_dir_all(dir).map_err(|e| ServeError::StateDir(dir.to_path_buf(), e))?;
        let path = dir.join("state.redb");
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|e| ServeError::store(&path, e.into()))?;
        let store = Store { db, path };
        // Create the tables, so that a read of a fresh store finds them.
        store.write(Changes::default())?;
        Ok(store)
    }

    /// Everything held, or (`only`) what the named partitions hold.
    pub fn load(&self, only: Option<&BTreeSet<String>>) -> Result<Loaded, ServeError> {
        let e = |err| ServeError::store(&self.path, err);
        let txn = self.db.begin_read().map_err(|x| e(x.into()))?;
        let records = txn.open_table(RECORDS).map_err(|x| e(x.into()))?;
        let emitted = txn.open_table(EMITTED).map_err(|x| e(x.into()))?;
        let closed = txn.open_table(CLOSED).map_err(|x| e(x.into()))?;
        let routine = txn.open_table(ROUTINE).map_err(|x| e(x.into()))?;
        let provenance = txn.open_table(PROVENANCE).map_err(|x| e(x.into()))?;
        let mut loaded = Loaded::default();
        let ranges: Vec<(String, Option<String>)> = match only {
            None => vec![(String::new(), None)],
            Some(parts) => parts
                .iter()
                .map(|p| (format!("{p}\0"), Some(format!("{p}\u{1}"))))
                .collect(),
        };
        for (start, end) in &ranges {
            let end = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let range: (Bound<&str>, Bound<&str>) = (Bound::Included(start.as_str()), end);
            for row in records.range::<&str>(range).map_err(|x| e(x.into()))? {
                let (k, v) = row.map_err(|x| e(x.into()))?;
                let row = (k.value().to_string(), v.value().to_vec());
                loaded.records.push(row);
            }
            for row in emitted.range::<&str>(range).map_err(|x| e(x.into()))? {
                let (k, v) = row.map_err(|x| e(x.into()))?;
                loaded.emitted.push((k.value().to_string(), v.value()));
            }
            for row in closed.range::<&str>(range).map_err(|x| e(x.into()))? {
                let (k, v) = row.map_err(|x| e(x.into()))?;
                let row = (k.value().to_string(), v.value().to_vec());
                loaded.closed.push(row);
            }
            for row in routine.range::<&str>(range).map_err(|x| e(x.into()))? {
                let (k, v) = row.map_err(|x| e(x.into()))?;
                let row = (k.value().to_string(), v.value().to_vec());
                loaded.routine.push(row);
            }
            for row in provenance.range::<&str>(range).map_err(|x| e(x.into()))? {
                let (k, v) = row.map_err(|x| e(x.into()))?;
                let row = (k.value().to_string(), v.value().to_vec());
                loaded.provenance.push(row);
            }
        }
        Ok(loaded)
    }

    /// Commits one batch's changes; returns the outbox sequence numbers of its alerts.
    pub fn write(&self, changes: Changes) -> Result<Vec<u64>, ServeError> {
        let e = |err| ServeError::store(&self.path, err);
        let txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        let mut seqs = Vec::with_capacity(changes.alerts.len());
        {
            let mut records = txn.open_table(RECORDS).map_err(|x| e(x.into()))?;
            let mut emitted = txn.open_table(EMITTED).map_err(|x| e(x.into()))?;
            let mut outbox = txn.open_table(OUTBOX).map_err(|x| e(x.into()))?;
            let mut closed = txn.open_table(CLOSED).map_err(|x| e(x.into()))?;
            let mut routine = txn.open_table(ROUTINE).map_err(|x| e(x.into()))?;
            let mut provenance = txn.open_table(PROVENANCE).map_err(|x| e(x.into()))?;
            for prefix in &changes.clear_prefixes {
                let start = format!("{prefix}\0");
                let end = format!("{prefix}\u{1}");
                records
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
                emitted
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
                closed
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
                routine
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
                provenance
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
            }
            // Puts first: a reset seen and aged out within one batch ends up gone.
            for (k, v) in &changes.put_routine {
                routine
                    .insert(k.as_str(), v.as_slice())
                    .map_err(|x| e(x.into()))?;
            }
            for k in &changes.drop_routine {
                routine.remove(k.as_str()).map_err(|x| e(x.into()))?;
            }
            for fact in &changes.drop_provenance {
                let start = format!("{fact}\0");
                let end = format!("{fact}\u{1}");
                provenance
                    .retain_in(start.as_str()..end.as_str(), |_, _| false)
                    .map_err(|x| e(x.into()))?;
            }
            for (k, v) in &changes.put_closed {
                closed
                    .insert(k.as_str(), v.as_slice())
                    .map_err(|x| e(x.into()))?;
            }
            for k in &changes.drop_closed {
                closed.remove(k.as_str()).map_err(|x| e(x.into()))?;
            }
            for (k, v) in &changes.put_records {
                records
                    .insert(k.as_str(), v.as_slice())
                    .map_err(|x| e(x.into()))?;
            }
            for (held, fact) in &changes.keep_provenance {
                let (part, event) = split_key(held);
                let record = records
                    .remove(held.as_str())
                    .map_err(|x| e(x.into()))?
                    .map(|v| v.value().to_vec());
                if let Some(record) = record {
                    let at = format!("{}\0{event}", key(part, fact));
                    provenance
                        .insert(at.as_str(), record.as_slice())
                        .map_err(|x| e(x.into()))?;
                }
            }
            for k in &changes.drop_records {
                records.remove(k.as_str()).map_err(|x| e(x.into()))?;
            }
            for (k, v) in &changes.put_emitted {
                emitted.insert(k.as_str(), *v).map_err(|x| e(x.into()))?;
            }
            for k in &changes.drop_emitted {
                emitted.remove(k.as_str()).map_err(|x| e(x.into()))?;
            }
            let next = outbox
                .last()
                .map_err(|x| e(x.into()))?
                .map_or(0, |(k, _)| k.value() + 1);
            for (seq, alert) in (next..).zip(&changes.alerts) {
                outbox
                    .insert(seq, alert.as_slice())
                    .map_err(|x| e(x.into()))?;
                seqs.push(seq);
            }
        }
        txn.commit().map_err(|x| e(x.into()))?;
        Ok(seqs)
    }

    /// Alerts not yet delivered everywhere, oldest first.
    pub fn outbox(&self) -> Result<Vec<(u64, Vec<u8>)>, ServeError> {
        let e = |err| ServeError::store(&self.path, err);
        let txn = self.db.begin_read().map_err(|x| e(x.into()))?;
        let outbox = txn.open_table(OUTBOX).map_err(|x| e(x.into()))?;
        let mut out = Vec::new();
        for row in outbox.iter().map_err(|x| e(x.into()))? {
            let (k, v) = row.map_err(|x| e(x.into()))?;
            out.push((k.value(), v.value().to_vec()));
        }
        Ok(out)
    }

    pub fn outbox_len(&self) -> Result<u64, ServeError> {
        let e = |err| ServeError::store(&self.path, err);
        let txn = self.db.begin_read().map_err(|x| e(x.into()))?;
        let outbox = txn.open_table(OUTBOX).map_err(|x| e(x.into()))?;
        outbox.len().map_err(|x| e(x.into()))
    }

    pub fn delivered(&self, seqs: &[u64]) -> Result<(), ServeError> {
        if seqs.is_empty() {
            return Ok(());
        }
        let e = |err| ServeError::store(&self.path, err);
        let txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        {
            let mut outbox = txn.open_table(OUTBOX).map_err(|x| e(x.into()))?;
            for s in seqs {
                outbox.remove(*s).map_err(|x| e(x.into()))?;
            }
        }
        txn.commit().map_err(|x| e(x.into()))
    }

    /// Bytes of the state file, for /metrics.
    pub fn file_bytes(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
}
