//! Alerts appended to a JSON Lines file, one object per line, fsynced before success.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use crate::{Alert, Delivery, Sink, SinkError};

/// A file that never holds an alert twice: it learns the ids already in it when opened, so a
/// repeat (after a crash between writing and the outbox commit) is dropped here.
pub struct JsonlFileSink {
    path: PathBuf,
    name: String,
    file: File,
    seen: HashSet<String>,
}

impl JsonlFileSink {
    /// Opens `path` for append (creating it), and reads which alerts it already has.
    pub fn open(path: PathBuf) -> Result<JsonlFileSink, SinkError> {
        let fail = |source| SinkError::File {
            path: path.clone(),
            source,
        };
        let mut seen = HashSet::new();
        if let Ok(existing) = File::open(&path) {
            for line in BufReader::new(existing).lines() {
                let line = line.map_err(fail)?;
                seen.insert(Alert::parse(line.as_bytes()).id);
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        Ok(JsonlFileSink {
            name: path.display().to_string(),
            path,
            file,
            seen,
        })
    }
}

impl Sink for JsonlFileSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// One write and one fsync for the whole batch.
    fn send(&mut self, batch: &[Alert<'_>]) -> Result<Delivery, SinkError> {
        let mut buf = Vec::new();
        let mut ids = Vec::new();
        for alert in batch {
            if self.seen.contains(&alert.id) || ids.contains(&&alert.id) {
                continue;
            }
            buf.extend_from_slice(alert.json);
            buf.push(b'\n');
            ids.push(&alert.id);
        }
        if buf.is_empty() {
            return Ok(Delivery::default());
        }
        let fail = |source| SinkError::File {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&buf).map_err(fail)?;
        self.file.sync_data().map_err(fail)?;
        let sent = ids.len();
        self.seen.extend(ids.into_iter().cloned());
        Ok(Delivery {
            sent,
            batches: 1,
            retries: 0,
        })
    }
}
