//! Where a shard's records go: one writer per container format.
//!
//! Every sink counts what it writes ([`Stats`]); a shard's report is its sink's.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Result, SimError};
use crate::time;

pub(crate) mod azure;
pub(crate) mod lines;
pub(crate) mod s3;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    pub files: u64,
    pub records: u64,
    pub bytes: u64,
    pub disk_bytes: u64,
}

pub(crate) trait Sink {
    fn begin_chunk(&mut self, a: i64, b: i64) -> Result<()>;
    /// Takes one record; returns the bytes it adds to the output.
    fn record(&mut self, stream: u8, rec: &[u8]) -> Result<u64>;
    fn end_chunk(&mut self) -> Result<()>;
    fn finish(&mut self) -> Result<()>;
    fn stats(&self) -> Stats;
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
    }
    let f = File::create(path).map_err(|e| SimError::io(path, e))?;
    Ok(BufWriter::with_capacity(256 * 1024, f))
}

fn put(w: &mut BufWriter<File>, path: &Path, bytes: &[u8]) -> Result<()> {
    w.write_all(bytes).map_err(|e| SimError::io(path, e))
}

fn close(mut w: BufWriter<File>, path: &Path) -> Result<()> {
    w.flush().map_err(|e| SimError::io(path, e))
}

/// `YYYY/MM/DD`
fn ymd_dirs(t: i64) -> String {
    let c = time::civil(t);
    format!("{:04}/{:02}/{:02}", c.year, c.month, c.day)
}
