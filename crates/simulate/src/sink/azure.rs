//! Azure's two shapes: Event Hub message bodies and the `az` listing.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use super::{close, create, put, Sink, Stats};
use crate::error::Result;
use crate::json;
use crate::time;

pub(crate) struct EventHubSink {
    root: PathBuf,
    path: PathBuf,
    w: Option<BufWriter<File>>,
    stats: Stats,
}

impl EventHubSink {
    pub(crate) fn new(root: PathBuf) -> EventHubSink {
        EventHubSink {
            root,
            path: PathBuf::new(),
            w: None,
            stats: Stats::default(),
        }
    }
}

impl Sink for EventHubSink {
    fn begin_chunk(&mut self, a: i64, _b: i64) -> Result<()> {
        let c = time::civil(a);
        self.path = self.root.join(format!(
            "{:04}{:02}{:02}{:02}.json",
            c.year, c.month, c.day, c.hour
        ));
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let sep: &[u8] = match self.w {
            None => {
                self.w = Some(create(&self.path)?);
                self.stats.files += 1;
                b"{\"records\":["
            }
            Some(_) => b",",
        };
        let w = self.w.as_mut().expect("opened");
        put(w, &self.path, sep)?;
        put(w, &self.path, rec)?;
        let n = (sep.len() + rec.len()) as u64;
        self.stats.records += 1;
        self.stats.bytes += n;
        self.stats.disk_bytes += n;
        Ok(rec.len() as u64 + 1)
    }
    fn end_chunk(&mut self) -> Result<()> {
        if let Some(mut w) = self.w.take() {
            put(&mut w, &self.path, b"]}")?;
            self.stats.bytes += 2;
            self.stats.disk_bytes += 2;
            close(w, &self.path)?;
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

/// `az monitor activity-log list` output for one day: a pretty array, newest first. Chunks
/// arrive newest hour first; each chunk is held and written in reverse.
pub(crate) struct RestSink {
    path: PathBuf,
    w: Option<BufWriter<File>>,
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
    stats: Stats,
}

impl RestSink {
    pub(crate) fn new(path: PathBuf) -> RestSink {
        RestSink {
            path,
            w: None,
            buf: Vec::new(),
            spans: Vec::new(),
            stats: Stats::default(),
        }
    }
}

impl Sink for RestSink {
    fn begin_chunk(&mut self, _a: i64, _b: i64) -> Result<()> {
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let s = self.buf.len();
        json::pretty(&mut self.buf, rec, 1);
        self.spans.push((s, self.buf.len()));
        Ok((self.buf.len() - s) as u64 + 4)
    }
    fn end_chunk(&mut self) -> Result<()> {
        for i in (0..self.spans.len()).rev() {
            let sep: &[u8] = match self.w {
                None => {
                    self.w = Some(create(&self.path)?);
                    self.stats.files += 1;
                    b"[\n  "
                }
                Some(_) => b",\n  ",
            };
            let (s, e) = self.spans[i];
            let w = self.w.as_mut().expect("opened");
            put(w, &self.path, sep)?;
            put(w, &self.path, &self.buf[s..e])?;
            let n = (sep.len() + e - s) as u64;
            self.stats.records += 1;
            self.stats.bytes += n;
            self.stats.disk_bytes += n;
        }
        self.buf.clear();
        self.spans.clear();
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        if let Some(mut w) = self.w.take() {
            put(&mut w, &self.path, b"\n]\n")?;
            self.stats.bytes += 3;
            self.stats.disk_bytes += 3;
            close(w, &self.path)?;
        }
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}
