//! CloudTrail's S3 delivery files.

use std::io::Write;
use std::path::PathBuf;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

use super::{ymd_dirs, Sink, Stats};
use crate::error::{Result, SimError};
use crate::rng::Rng;
use crate::time::{self, MIN};

/// An S3 delivery file is split when it grows past this many uncompressed bytes.
const S3_FILE_CAP: usize = 6 * 1024 * 1024;

/// A gzip member header: no name, mtime 0, OS unknown (as flate2's `GzEncoder` writes it).
const GZ_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// CloudTrail's S3 delivery: one gzip `{"Records":[...]}` per 5-minute window.
///
/// One deflate state is reset and reused for every file (a fresh one per file costs more
/// in allocation and page faults than compressing a small file).
pub(crate) struct S3Sink {
    root: PathBuf,
    acct: String,
    region: String,
    rng: Rng,
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
    stamp: i64,
    gz: Vec<u8>,
    enc: DeflateEncoder<Vec<u8>>,
    made: Option<PathBuf>,
    stats: Stats,
}

impl S3Sink {
    pub(crate) fn new(root: PathBuf, acct: &str, region: &str, seed: u64) -> S3Sink {
        S3Sink {
            root,
            acct: acct.to_string(),
            region: region.to_string(),
            rng: Rng::new(seed),
            buf: Vec::new(),
            spans: Vec::new(),
            stamp: 0,
            gz: Vec::new(),
            enc: DeflateEncoder::new(Vec::new(), Compression::default()),
            made: None,
            stats: Stats::default(),
        }
    }

    fn write_file(&mut self) -> Result<()> {
        let n = self.spans.len();
        if n == 0 {
            return Ok(());
        }
        // Delivery order, not time order: records move a few places.
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..n {
            if self.rng.chance(0.4) {
                let j = i + self.rng.below((n - i).min(12) as u64) as usize;
                order.swap(i, j);
            }
        }
        let mut out = std::mem::take(&mut self.gz);
        out.clear();
        out.extend_from_slice(&GZ_HEADER);
        let mut crc = Crc::new();
        let enc = &mut self.enc;
        let io = (|| -> std::io::Result<Vec<u8>> {
            enc.reset(out)?;
            let mut w = |bytes: &[u8]| {
                crc.update(bytes);
                enc.write_all(bytes)
            };
            w(b"{\"Records\":[")?;
            for (k, &i) in order.iter().enumerate() {
                if k > 0 {
                    w(b",")?;
                }
                let (s, e) = self.spans[i];
                w(&self.buf[s..e])?;
            }
            w(b"]}")?;
            let mut out = enc.reset(Vec::new())?;
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&crc.amount().to_le_bytes());
            Ok(out)
        })();
        let raw = crc.amount() as u64;
        let c = time::civil(self.stamp);
        let mut name = format!(
            "{}_CloudTrail_{}_{:04}{:02}{:02}T{:02}{:02}Z_",
            self.acct, self.region, c.year, c.month, c.day, c.hour, c.minute
        );
        let mut suffix = Vec::with_capacity(16);
        self.rng.alnum(&mut suffix, 16);
        name.push_str(std::str::from_utf8(&suffix).expect("ascii"));
        name.push_str(".json.gz");
        let dir = self.root.join(ymd_dirs(self.stamp));
        let path = dir.join(name);
        self.gz = io.map_err(|e| SimError::io(&path, e))?;
        if self.made.as_ref() != Some(&dir) {
            std::fs::create_dir_all(&dir).map_err(|e| SimError::io(&dir, e))?;
            self.made = Some(dir);
        }
        std::fs::write(&path, &self.gz).map_err(|e| SimError::io(&path, e))?;
        self.stats.files += 1;
        self.stats.records += n as u64;
        self.stats.bytes += raw;
        self.stats.disk_bytes += self.gz.len() as u64;
        self.buf.clear();
        self.spans.clear();
        Ok(())
    }
}

impl Sink for S3Sink {
    fn begin_chunk(&mut self, _a: i64, b: i64) -> Result<()> {
        // named after the delivery: the end of the window, to the minute
        self.stamp = (b + MIN - 1).div_euclid(MIN) * MIN;
        Ok(())
    }
    fn record(&mut self, _stream: u8, rec: &[u8]) -> Result<u64> {
        let s = self.buf.len();
        self.buf.extend_from_slice(rec);
        self.spans.push((s, self.buf.len()));
        if self.buf.len() >= S3_FILE_CAP {
            self.write_file()?;
        }
        Ok(rec.len() as u64 + 1)
    }
    fn end_chunk(&mut self) -> Result<()> {
        self.write_file()
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.stats
    }
}
