//! JSON Lines files: AWS JSON Lines and the GCP Cloud Storage sink.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use super::{close, create, put, ymd_dirs, Sink, Stats};
use crate::error::Result;
use crate::time::{self, HOUR};

pub(crate) struct LinesSink {
    path: PathBuf,
    w: Option<BufWriter<File>>,
    stats: Stats,
}

impl LinesSink {
    pub(crate) fn new(path: PathBuf) -> LinesSink {
        LinesSink {
            path,
            w: None,
            stats: Stats::default(),
        }
    }
}

impl Sink for LinesSink {
    fn begin_chunk(&mut self, _a: i64, _b: i64) -> Result<()> {
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        if self.w.is_none() {
            self.w = Some(create(&self.path)?);
            self.stats.files += 1;
        }
        let w = self.w.as_mut().expect("opened");
        put(w, &self.path, rec)?;
        put(w, &self.path, b"\n")?;
        let n = rec.len() as u64 + 1;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(n)
    }
    fn end_chunk(&mut self) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        match self.w.take() {
            Some(w) => close(w, &self.path),
            None => Ok(()),
        }
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// A Cloud Storage log sink: hourly JSON Lines objects per log (stream 0 = activity, stream
/// 1 = data_access), shard `S<n>` = the n-th project.
pub(crate) struct GcpSink {
    root: PathBuf,
    shard: usize,
    hour: i64,
    w: [Option<(BufWriter<File>, PathBuf)>; 2],
    stats: Stats,
}

impl GcpSink {
    pub(crate) fn new(root: PathBuf, shard: usize) -> GcpSink {
        GcpSink {
            root,
            shard,
            hour: 0,
            w: [None, None],
            stats: Stats::default(),
        }
    }
}

impl Sink for GcpSink {
    fn begin_chunk(&mut self, a: i64, _b: i64) -> Result<()> {
        self.hour = a.div_euclid(HOUR) * HOUR;
        Ok(())
    }
    fn record(&mut self, stream: u8, rec: &[u8]) -> Result<u64> {
        let slot = &mut self.w[stream as usize & 1];
        if slot.is_none() {
            let log = if stream == 0 {
                "activity"
            } else {
                "data_access"
            };
            let h = time::civil(self.hour).hour;
            let path = self
                .root
                .join(log)
                .join(ymd_dirs(self.hour))
                .join(format!("{h:02}:00:00_{h:02}:59:59_S{}.json", self.shard));
            *slot = Some((create(&path)?, path));
            self.stats.files += 1;
        }
        let (w, path) = slot.as_mut().expect("opened");
        put(w, path, rec)?;
        put(w, path, b"\n")?;
        let n = rec.len() as u64 + 1;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(n)
    }
    fn end_chunk(&mut self) -> Result<()> {
        for slot in self.w.iter_mut() {
            if let Some((w, path)) = slot.take() {
                close(w, &path)?;
            }
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}
