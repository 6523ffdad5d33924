//! Container sniffing and record framing.

use std::io::Read;

use crate::issue::{Issue, IssueKind};
use crate::scan::{Step, ValueScan};
use crate::window::Window;

mod array;
mod lines;
mod value;

/// Bounds on what one record may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A record larger than this is skipped and reported (CloudTrail caps events at 256 KB; the
    /// default leaves room for fat Azure bodies while keeping hostile lines out of memory).
    pub max_record_bytes: usize,
    /// Deeper nesting is skipped and reported. Real audit records nest about ten levels.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 16 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// One record as it sits in the input, with where it starts.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The record's bytes, from its first byte to its last (no surrounding whitespace or comma).
    pub bytes: &'a [u8],
    /// Byte offset of the record in the decompressed stream.
    pub offset: u64,
    /// 1-based line of the record's first byte.
    pub line: u64,
}

/// What the input turned out to hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// Nothing but whitespace.
    #[default]
    Empty,
    /// Readable text that is not JSON (a README beside the logs).
    Text,
    /// Not text (reported as an issue).
    Binary,
    /// `{"<key>":[ record, ... ]}`: CloudTrail S3 files, Event Hub captures, REST pages.
    Wrapped(&'static str),
    /// `[ record, ... ]`.
    Array,
    /// One JSON object per line.
    Lines,
    /// JSON values one after another, spanning lines (pretty-printed objects).
    Stream,
}

/// Whether a line after the first of `head` is one whole JSON object with a string key, as a
/// JSON Lines record is. Prose and scripts beside logs (a README, the generator of a fixture)
/// may open a dict on a line, but do not close it there.
fn later_line_is_an_object(head: &[u8]) -> bool {
    head.split(|b| *b == b'\n').skip(1).any(|line| {
        let line = line[leading_space(line)..].trim_ascii_end();
        line.starts_with(b"{\"") && line.ends_with(b"}") && crate::scan::is_one_value(line)
    })
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes at the start of `buf` are whitespace or byte-order marks.
fn leading_space(buf: &[u8]) -> usize {
    let mut skip = 0;
    loop {
        while skip < buf.len() && matches!(buf[skip], b' ' | b'\n' | b'\r' | b'\t') {
            skip += 1;
        }
        if !buf[skip..].starts_with(BOM) {
            return skip;
        }
        skip += BOM.len();
    }
}

/// What decoding one input produced, beside the frames handed to the callback.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The layout of the input's first document.
    pub layout: Layout,
    /// Records framed, those the interest dropped unparsed included.
    pub frames: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// What could not be read, in input order.
    pub issues: Vec<Issue>,
}

/// Keys whose array value holds the records, when they open the top-level object.
const WRAPPERS: [&str; 4] = ["Records", "records", "value", "Events"];

/// A cheap test of a record's raw bytes: may it matter to the caller? Records it rejects may
/// be dropped without being delimited exactly, which is what makes big arrays fast.
pub type Interest<'a> = &'a dyn Fn(&[u8]) -> bool;

/// Frames every record of `reader`, calling `on_frame` for each, in input order. With an
/// `interest`, records it rejects may be skipped instead of handed to `on_frame`.
pub fn decode<R: Read>(
    reader: R,
    limits: &Limits,
    interest: Option<Interest<'_>>,
    on_frame: &mut dyn FnMut(Frame<'_>),
) -> Decoded {
    frame_with(reader, limits, interest, on_frame, |framer| framer.run())
}

/// Frames `reader` as JSON Lines whatever its first line holds: for a part of a file already
/// known to be JSON Lines (a large file read a part per worker), whose first line says nothing
/// about the file. Every line that is not one JSON object is an issue with its line.
pub fn decode_lines<R: Read>(
    reader: R,
    limits: &Limits,
    interest: Option<Interest<'_>>,
    on_frame: &mut dyn FnMut(Frame<'_>),
) -> Decoded {
    frame_with(reader, limits, interest, on_frame, |framer| {
        framer.out.layout = Layout::Lines;
        framer.lines();
        if let Some(kind) = framer.w.error.take() {
            framer.issue_at(framer.w.end, kind);
        }
    })
}

fn frame_with<R: Read>(
    reader: R,
    limits: &Limits,
    interest: Option<Interest<'_>>,
    on_frame: &mut dyn FnMut(Frame<'_>),
    how: fn(&mut Framer<'_, '_, R>),
) -> Decoded {
    let mut framer = Framer {
        w: Window::new(reader),
        limits,
        interest,
        out: Decoded::default(),
        on_frame,
    };
    how(&mut framer);
    let Framer { w, mut out, .. } = framer;
    out.bytes = w.offset_of(w.end);
    out
}

struct Framer<'l, 'f, R> {
    w: Window<R>,
    limits: &'l Limits,
    interest: Option<Interest<'l>>,
    out: Decoded,
    on_frame: &'f mut dyn FnMut(Frame<'_>),
}

enum Framed {
    Ok,
    /// The value could not be delimited and nothing after it can be trusted.
    Fatal,
}

impl<R: Read> Framer<'_, '_, R> {
    fn run(&mut self) {
        let Some(first) = self.skip_space() else {
            self.end_without_data();
            return;
        };
        match first {
            b'[' | b'{' => self.documents(),
            _ => self.not_json(),
        }
        if let Some(kind) = self.w.error.take() {
            self.issue_at(self.w.end, kind);
        }
    }

    fn end_without_data(&mut self) {
        match self.w.error.take() {
            Some(kind) => self.issue_at(self.w.end, kind),
            None if self.w.offset_of(self.w.end) == 0 => {
                self.issue_at(self.w.end, IssueKind::Empty)
            }
            // Only whitespace: as empty as a file gets, and just as suspicious in a log store.
            None => self.issue_at(self.w.end, IssueKind::Empty),
        }
    }

    fn issue_at(&mut self, index: usize, kind: IssueKind) {
        let issue = Issue {
            offset: self.w.offset_of(index),
            line: self.w.line_of(index),
            kind,
        };
        self.out.issues.push(issue);
    }

    /// Skips whitespace and UTF-8 byte-order marks, and returns the next byte without
    /// consuming it. A mark may open any document, not only the first: `cat` of files saved
    /// with one, a later gzip member, a line appended by a tool that writes one.
    fn skip_space(&mut self) -> Option<u8> {
        loop {
            let avail = self.w.available();
            let skip = leading_space(avail);
            if skip < avail.len() {
                let rest = &avail[skip..];
                if rest.len() < BOM.len() && BOM.starts_with(rest) && !self.w.eof {
                    // A mark cut by a short read: read on before judging it.
                    self.w.consume_to(self.w.pos + skip);
                    self.w.fill();
                    continue;
                }
                let b = rest[0];
                self.w.consume_to(self.w.pos + skip);
                return Some(b);
            }
            self.w.consume_to(self.w.end);
            self.w.fill()?;
        }
    }

    fn not_json(&mut self) {
        // Look at up to 8 KiB to tell a README from a binary blob, and up to 64 KiB for JSON
        // Lines below a first line that is not JSON (a fragment of a large record, say).
        while self.w.available().len() < 65536 && self.w.fill().is_some() {}
        let avail = self.w.available();
        let head = &avail[..avail.len().min(8192)];
        let binary = head.contains(&0)
            || matches!(std::str::from_utf8(head), Err(e) if e.error_len().is_some());
        if binary {
            self.out.layout = Layout::Binary;
            self.issue_at(self.w.pos, IssueKind::Binary);
        } else if later_line_is_an_object(&avail[..avail.len().min(65536)]) {
            // A header or comment line, or a file cut mid-record, above JSON Lines: calling it
            // "not a log" would drop every record below in silence. Each line that is not an
            // object is reported; the records are read.
            self.out.layout = Layout::Lines;
            self.lines();
        } else {
            self.out.layout = Layout::Text;
        }
    }

    /// Frames JSON documents one after another. A file usually holds one, but `cat` or `zcat`
    /// of many CloudTrail files (or a gzip of many members) holds one `{"Records":[...]}` after
    /// another, and each must be read. The input's layout is that of its first document.
    fn documents(&mut self) {
        let mut layout = None;
        while let Some(b) = self.skip_space() {
            match b {
                b'[' => {
                    self.out.layout = Layout::Array;
                    self.w.consume_to(self.w.pos + 1);
                    self.elements();
                }
                b'{' => self.object_start(),
                _ => {
                    let at = self.w.pos;
                    self.issue_at(
                        at,
                        IssueKind::Syntax("expected a JSON object or array".into()),
                    );
                    if !self.skip_line() {
                        break;
                    }
                }
            }
            layout.get_or_insert_with(|| self.out.layout.clone());
        }
        if let Some(layout) = layout {
            self.out.layout = layout;
        }
    }

    fn object_start(&mut self) {
        while self.w.available().len() < 512 && self.w.fill().is_some() {}
        if let Some((key, value_at)) = first_key(self.w.available()) {
            if let Some(wrapper) = WRAPPERS.iter().find(|w| **w == key) {
                self.out.layout = Layout::Wrapped(wrapper);
                self.w.consume_to(self.w.pos + value_at + 1);
                self.elements();
                self.wrapper_end();
                return;
            }
        }
        // A top-level object: JSON Lines when the first object fits on its first line.
        // Compared by line number, which the window counts through what it discards: whether
        // the first record's bytes are still buffered depends on how the reader split the
        // input, and the layout must not.
        let start_line = self.w.line_of(self.w.pos);
        if let Framed::Fatal = self.value(true) {
            return;
        }
        let one_line = self.w.line_of(self.w.pos) == start_line;
        if one_line {
            self.out.layout = Layout::Lines;
            self.lines();
        } else {
            self.out.layout = Layout::Stream;
            self.stream();
        }
    }

    /// Skips what follows the records array in its wrapping object: its `}`, or more keys
    /// first (the REST API's `nextLink`). Nothing there is a record, so nothing is reported when
    /// the input ends inside it.
    fn wrapper_end(&mut self) {
        let mut scan = ValueScan::inside_object();
        let mut at = self.w.pos;
        loop {
            match scan.step(&self.w.buf[..self.w.end], at, u32::MAX) {
                Step::Done(end) => {
                    self.w.consume_to(end);
                    return;
                }
                Step::More(next) => {
                    self.w.discard_to(next);
                    if self.w.fill().is_none() {
                        self.w.consume_to(self.w.end);
                        return;
                    }
                    at = self.w.pos;
                }
                Step::TooDeep => unreachable!("skipping runs without a depth limit"),
            }
        }
    }

    /// Drops bytes up to and including the next newline. False at the end of the input.
    fn skip_line(&mut self) -> bool {
        loop {
            if let Some(k) = memchr::memchr(b'\n', self.w.available()) {
                self.w.discard_to(self.w.pos + k + 1);
                return true;
            }
            self.w.discard_to(self.w.end);
            if self.w.fill().is_none() {
                return false;
            }
        }
    }
}

/// The first key of the object starting at `buf[0] == b'{'`, and the index of its value's first
/// byte when that value is an array.
fn first_key(buf: &[u8]) -> Option<(&str, usize)> {
    let mut i = 1;
    let skip = |i: &mut usize| {
        while *i < buf.len() && buf[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip(&mut i);
    if buf.get(i) != Some(&b'"') {
        return None;
    }
    let key_start = i + 1;
    let key_len = memchr::memchr2(b'"', b'\\', &buf[key_start..])?;
    if buf[key_start + key_len] != b'"' {
        return None;
    }
    i = key_start + key_len + 1;
    skip(&mut i);
    if buf.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    skip(&mut i);
    if buf.get(i) != Some(&b'[') {
        return None;
    }
    let key = std::str::from_utf8(&buf[key_start..key_start + key_len]).ok()?;
    Some((key, i))
}
