//! One large JSON Lines file read as several parts at once.
//!
//! A whole file is one task, so a single 10 GB export would use one core while the others
//! wait. Plain (uncompressed) JSON Lines can be cut at any newline: each part is framed, parsed
//! and mapped alone, and the reports are joined with offsets and line numbers made whole-file
//! again. Anything else (gzip, arrays, wrapped records) stays one task: its records cannot be
//! found from the middle.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use crate::envelope::is_opaque;
use crate::ingest::{FileReport, Ingest, Reading};

/// Below this a file is read whole: parts would cost more in setup than they save.
pub const MIN_PART_BYTES: u64 = 8 * 1024 * 1024;

/// How much of the head is read to tell JSON Lines from other containers.
const SNIFF_BYTES: usize = 64 * 1024;

/// Byte ranges `[start, end)` that cut `path` into up to `parts` pieces at newlines, when it is
/// plain JSON Lines of at least two parts' worth; None to read it whole.
pub fn plan_parts(
    ingest: &Ingest,
    path: &Path,
    parts: usize,
) -> io::Result<Option<Vec<(u64, u64)>>> {
    let len = std::fs::metadata(path)?.len();
    if parts < 2 || len < 2 * MIN_PART_BYTES {
        return Ok(None);
    }
    let mut file = File::open(path)?;
    let mut head = vec![0; SNIFF_BYTES];
    let n = read_up_to(&mut file, &mut head)?;
    if !is_json_lines(&head[..n]) || !first_is_plain(ingest, &head[..n]) {
        return Ok(None);
    }
    let parts = parts.min((len / MIN_PART_BYTES) as usize);
    let mut cuts = vec![0u64];
    for k in 1..parts {
        let at = len * k as u64 / parts as u64;
        if let Some(next) = next_line_start(&mut file, at.max(*cuts.last().unwrap()), len)? {
            if next > *cuts.last().unwrap() && next < len {
                cuts.push(next);
            }
        }
    }
    cuts.push(len);
    cuts.dedup();
    Ok(Some(cuts.windows(2).map(|w| (w[0], w[1])).collect()))
}

impl Ingest {
    /// Reads bytes `[start, end)` of a plain file (one of [`plan_parts`]), with offsets and lines
    /// counted from the start of the part, and the number of newlines in it.
    pub fn read_part(&self, path: &Path, start: u64, end: u64) -> (FileReport, u64) {
        let source: Arc<str> = Arc::from(path.display().to_string());
        let opened = File::open(path).and_then(|mut f| {
            f.seek(SeekFrom::Start(start))?;
            Ok(f)
        });
        let newlines = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let report = match opened {
            Ok(file) => {
                let counted = CountLines {
                    inner: file.take(end - start),
                    newlines: newlines.clone(),
                };
                // A part's first line says nothing of the file, which was found to be JSON
                // Lines once, by `plan_parts`: junk there is reported, not taken for the format.
                let reading = Reading::Part { first: start == 0 };
                self.read_opened(source, Box::new(counted), reading)
            }
            Err(e) => crate::ingest::unreadable(source, e),
        };
        (report, newlines.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl FileReport {
    /// Appends the report of the part that follows this one; `before` is the byte offset and
    /// the number of lines in the file before that part.
    pub fn append_part(&mut self, mut next: FileReport, before: (u64, u64)) {
        let (offset, lines) = before;
        for call in &mut next.calls {
            call.origin.offset += offset;
            call.origin.line += lines;
        }
        for skip in &mut next.skips {
            skip.offset += offset;
            if skip.line > 0 {
                skip.line += lines;
            }
        }
        self.bytes += next.bytes;
        self.records += next.records;
        self.parsed += next.parsed;
        self.prefiltered += next.prefiltered;
        self.unread += next.unread;
        self.calls.append(&mut next.calls);
        self.skips.append(&mut next.skips);
        self.note = self.note.or(next.note);
    }
}

/// The first line start at or after `at` (the byte after a newline).
fn next_line_start(file: &mut File, at: u64, len: u64) -> io::Result<Option<u64>> {
    if at == 0 {
        return Ok(Some(0));
    }
    // Start one byte early: if that byte is a newline, `at` itself starts a line.
    let mut pos = at - 1;
    file.seek(SeekFrom::Start(pos))?;
    let mut buf = vec![0; 64 * 1024];
    while pos < len {
        let n = read_up_to(file, &mut buf)?;
        if n == 0 {
            break;
        }
        if let Some(k) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(pos + k as u64 + 1));
        }
        pos += n as u64;
    }
    Ok(None)
}

/// Whether the first record speaks for no other. A base64 envelope (CloudWatch Logs, Pub/Sub)
/// makes every later record a candidate, and a first record that is no audit log makes the
/// whole file none: a part that starts later would know neither.
fn first_is_plain(ingest: &Ingest, head: &[u8]) -> bool {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let plain = serde_json::from_slice::<serde_json::Value>(line).is_ok_and(|v| !is_opaque(&v));
    let read = ingest.read_reader("head", io::Cursor::new(line.to_vec()));
    plain && read.skips.is_empty() && read.note.is_none()
}

/// Plain (not gzip) text whose first two lines are each one JSON object.
fn is_json_lines(head: &[u8]) -> bool {
    if head.starts_with(&[0x1f, 0x8b]) {
        return false;
    }
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty());
    let object = |l: &[u8]| l.first() == Some(&b'{') && l.last() == Some(&b'}');
    matches!((lines.next(), lines.next()), (Some(a), Some(b)) if object(a) && object(b))
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Counts the newlines that pass through, so that the next part's line numbers can continue
/// from this one's.
struct CountLines<R> {
    inner: R,
    newlines: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let count = memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        self.newlines
            .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use revertwatch_decode::Limits;
    use revertwatch_pack::load_default;

    use super::*;
    use crate::ingest::Selection;

    fn ingest() -> Ingest {
        let pack = load_default();
        let keep = pack.clone();
        Ingest {
            selection: Selection {
                prefilter: Some(pack.prefilter()),
                keep: Box::new(move |p, op| keep.knows(p, op)),
                keep_record: false,
                annotate_with: Some(pack),
            },
            limits: Limits::default(),
        }
    }

    fn record(n: usize) -> String {
        let op = if n.is_multiple_of(50) {
            "StopInstances"
        } else {
            "DescribeInstances"
        };
        format!(
            r#"{{"eventVersion":"1.09","eventTime":"2026-03-14T10:{:02}:00Z","eventSource":"ec2.amazonaws.com","eventName":"{op}","awsRegion":"us-east-1","recipientAccountId":"111122223333","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"}},"requestParameters":{{"instancesSet":{{"items":[{{"instanceId":"i-{n:017x}"}}]}}}},"eventID":"e-{n}","pad":"{}"}}"#,
            n % 60,
            "x".repeat(n % 700)
        )
    }

    /// 20 MB of JSON Lines with a broken line every 20,000 records and a blank line or two.
    fn big_file() -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut out = std::io::BufWriter::new(f.as_file_mut());
        let mut n = 0;
        let mut written = 0;
        while written < 20_000_000 {
            let line = match n % 20_000 {
                19_999 => {
                    r#"{"eventVersion":"1.09","eventName":"StopInstances", broken"#.to_string()
                }
                9_999 => String::new(),
                _ => record(n),
            };
            written += line.len() + 1;
            writeln!(out, "{line}").unwrap();
            n += 1;
        }
        out.flush().unwrap();
        drop(out);
        f
    }

    #[test]
    fn parts_read_alone_and_joined_equal_the_whole() {
        let ingest = ingest();
        let file = big_file();
        let parts = plan_parts(&ingest, file.path(), 3).unwrap().expect("split");
        assert_eq!(
            parts.len(),
            2,
            "20 MB makes two parts of at least 8 MiB: {parts:?}"
        );
        let bytes = std::fs::read(file.path()).unwrap();
        for (start, _) in &parts[1..] {
            assert_eq!(bytes[*start as usize - 1], b'\n', "cut after a newline");
        }
        let whole = ingest.read_path(file.path());
        let (mut joined, mut lines) = ingest.read_part(file.path(), parts[0].0, parts[0].1);
        for (start, end) in &parts[1..] {
            let (next, newlines) = ingest.read_part(file.path(), *start, *end);
            joined.append_part(next, (*start, lines));
            lines += newlines;
        }
        let at = |r: &FileReport| -> Vec<(String, u64, u64)> {
            r.calls
                .iter()
                .map(|c| (c.event_id.clone(), c.origin.offset, c.origin.line))
                .collect()
        };
        assert!(whole.calls.len() > 100);
        assert_eq!(at(&joined), at(&whole));
        let skips = |r: &FileReport| -> Vec<(u64, u64)> {
            r.skips.iter().map(|s| (s.offset, s.line)).collect()
        };
        assert!(!whole.skips.is_empty());
        assert_eq!(skips(&joined), skips(&whole));
        assert_eq!((joined.bytes, joined.records), (whole.bytes, whole.records));
    }

    #[test]
    fn only_large_plain_json_lines_are_split() {
        let ingest = ingest();
        let small = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(small.path(), format!("{}\n{}\n", record(0), record(1))).unwrap();
        assert_eq!(plan_parts(&ingest, small.path(), 2).unwrap(), None);
        let big = big_file();
        assert_eq!(
            plan_parts(&ingest, big.path(), 1).unwrap(),
            None,
            "one worker"
        );
        let array = tempfile::NamedTempFile::new().unwrap();
        let body: Vec<String> = (0..20_000).map(record).collect();
        std::fs::write(array.path(), format!("[{}]", body.join(",\n"))).unwrap();
        assert_eq!(
            plan_parts(&ingest, array.path(), 2).unwrap(),
            None,
            "an array"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&std::fs::read(big.path()).unwrap()).unwrap();
        let gzipped = tempfile::NamedTempFile::new().unwrap();
        let mut packed = gz.finish().unwrap();
        packed.resize(17 * 1024 * 1024, b'\n');
        std::fs::write(gzipped.path(), packed).unwrap();
        assert_eq!(
            plan_parts(&ingest, gzipped.path(), 2).unwrap(),
            None,
            "gzip"
        );
    }
}
