//! Batches the engine could not process: written aside, as they came, so that one poisoned
//! batch neither stops `serve` nor comes back forever from a forwarder's retries.
//!
//! One JSON Lines file per batch, one line per piece, each line whole on its own: when the
//! batch was received, the panic's message, the piece's origin, scope and source, and its
//! bytes (`bytes` when they are UTF-8, `bytes_base64` otherwise). Replaying a file is posting
//! its `bytes` again once the cause is fixed.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::engine::Piece;
use crate::error::ServeError;

pub struct DeadLetter {
    dir: PathBuf,
    /// Files written by this process, so that two batches in the same microsecond differ.
    written: u64,
}

impl DeadLetter {
    /// Creates the directory now, so that a path that cannot work stops the start.
    pub fn open(dir: &Path) -> Result<DeadLetter, ServeError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            ServeError::Config(format!(
                "cannot create the dead-letter directory `{}`: {e}",
                dir.display()
            ))
        })?;
        Ok(DeadLetter {
            dir: dir.to_path_buf(),
            written: 0,
        })
    }

    /// Writes one batch and syncs it: once this returns, the batch may be acknowledged.
    pub fn write(
        &mut self,
        pieces: &[Piece],
        why: &str,
        received: DateTime<Utc>,
    ) -> Result<PathBuf, ServeError> {
        self.written += 1;
        let name = format!(
            "batch-{}-{}-{}.jsonl",
            received.format("%Y%m%dT%H%M%S%.6fZ"),
            std::process::id(),
            self.written
        );
        let path = self.dir.join(name);
        let fail = |e: std::io::Error| {
            ServeError::Config(format!(
                "cannot write the dead-letter file `{}`: {e}",
                path.display()
            ))
        };
        let mut out = Vec::new();
        let received = received.to_rfc3339_opts(SecondsFormat::Micros, true);
        for piece in pieces {
            let mut line = json!({
                "received": received,
                "panic": why,
                "origin": piece.origin,
                "scope": piece.scope,
                "source": piece.source.as_str(),
            });
            match std::str::from_utf8(&piece.bytes) {
                Ok(text) => line["bytes"] = json!(text),
                Err(_) => {
                    let b64 = base64::engine::general_purpose::STANDARD.encode(&piece.bytes);
                    line["bytes_base64"] = json!(b64);
                }
            }
            serde_json::to_writer(&mut out, &line).map_err(|e| fail(e.into()))?;
            out.push(b'\n');
        }
        let mut file = std::fs::File::create_new(&path).map_err(fail)?;
        file.write_all(&out).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        // The new name must survive a crash too.
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(fail)?;
        Ok(path)
    }
}

/// The message a panic carried, when it is text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
