//! Container sniffing and record framing.

use std::io::Read;

use crate::issue::{Issue, IssueKind};
use crate::scan::{is_one_value, is_one_value_within, Step, ValueScan};
use crate::window::Window;

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
    pub bytes: &'a [u8],
    /// Byte offset of the record in the decompressed stream.
    pub offset: u64,
    /// 1-based line of the record's first byte.
    pub line: u64,
}

/// What the input turned out to hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Empty,
    /// Readable text that is not JSON (a README beside the logs).
    Text,
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

/// What decoding one input produced, beside the frames handed to the callback.
#[derive(Debug, Default)]
pub struct Decoded {
    pub layout: Layout,
    pub frames: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
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
    let mut framer = Framer {
        w: Window::new(reader),
        limits,
        interest,
        out: Decoded::default(),
        on_frame,
    };
    framer.run();
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
        let Some(first) = self.skip_space(true) else {
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

    /// Skips whitespace (and a UTF-8 byte-order mark at the very start) and returns the next
    /// byte without consuming it.
    fn skip_space(&mut self, at_start: bool) -> Option<u8> {
        if at_start && self.w.offset_of(self.w.pos) == 0 {
            // A short first read (a pipe, a gzip member boundary) must not split the mark.
            while self.w.available().len() < 3 && self.w.fill().is_some() {}
        }
        loop {
            let avail = self.w.available();
            let mut skip = 0;
            if at_start && self.w.offset_of(self.w.pos) == 0 && avail.starts_with(b"\xEF\xBB\xBF") {
                skip = 3;
            }
            while skip < avail.len() && matches!(avail[skip], b' ' | b'\n' | b'\r' | b'\t') {
                skip += 1;
            }
            if skip < avail.len() {
                let b = avail[skip];
                self.w.consume_to(self.w.pos + skip);
                return Some(b);
            }
            self.w.consume_to(self.w.end);
            self.w.fill()?;
        }
    }

    fn not_json(&mut self) {
        // Look at up to 8 KiB to tell a README from a binary blob.
        while self.w.available().len() < 8192 && self.w.fill().is_some() {}
        let head = &self.w.available()[..self.w.available().len().min(8192)];
        let binary = head.contains(&0)
            || matches!(std::str::from_utf8(head), Err(e) if e.error_len().is_some());
        if binary {
            self.out.layout = Layout::Binary;
            self.issue_at(self.w.pos, IssueKind::Binary);
        } else {
            self.out.layout = Layout::Text;
        }
    }

    /// Frames JSON documents one after another. A file usually holds one, but `cat` or `zcat`
    /// of many CloudTrail files (or a gzip of many members) holds one `{"Records":[...]}` after
    /// another, and each must be read. The input's layout is that of its first document.
    fn documents(&mut self) {
        let mut layout = None;
        while let Some(b) = self.skip_space(false) {
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
        let start = self.w.pos;
        let start_offset = self.w.offset_of(start);
        if let Framed::Fatal = self.value(true) {
            return;
        }
        // A first record too large to keep was dropped: assume lines, the common layout.
        let one_line = match start_offset.checked_sub(self.w.offset_of(0)) {
            Some(from) => !self.w.buf[from as usize..self.w.pos].contains(&b'\n'),
            None => true,
        };
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

    /// Frames the elements of an array whose `[` was consumed.
    fn elements(&mut self) {
        // Once the first record is framed, the rest are found by the bytes that open it
        // (`{"eventVersion":`), at memmem speed, instead of walking every byte.
        let mut marker: Option<memchr::memmem::Finder<'static>> = None;
        loop {
            let Some(b) = self.skip_space(false) else {
                self.issue_at(self.w.end, IssueKind::Truncated);
                return;
            };
            match b {
                b']' => {
                    self.w.consume_to(self.w.pos + 1);
                    return;
                }
                b',' => self.w.consume_to(self.w.pos + 1),
                b'{' => {
                    if let Some(m) = &marker {
                        if self.by_marker(m) {
                            continue;
                        }
                    } else {
                        marker = marker_at(self.w.available());
                    }
                    if let Framed::Fatal = self.value(true) {
                        return;
                    }
                }
                _ => {
                    let at = self.w.pos;
                    self.issue_at(at, IssueKind::NotObject);
                    if let Framed::Fatal = self.value(false) {
                        return;
                    }
                }
            }
        }
    }

    /// Frames the element at `w.pos` as running up to the next element that opens with the
    /// same bytes. A string cannot hold those bytes unescaped, so a match is a real object
    /// start; the bytes before it must close the element (`}` and a comma), or this declines
    /// and the element is scanned byte by byte. So does the last element, and one too large.
    fn by_marker(&mut self, marker: &memchr::memmem::Finder<'_>) -> bool {
        let needle = marker.needle().len();
        if !self.w.available().starts_with(marker.needle()) {
            return false;
        }
        let mut start = self.w.pos;
        let mut from = start + needle;
        loop {
            if let Some(k) = marker.find(&self.w.buf[from..self.w.end]) {
                let next = from + k;
                let buf = &self.w.buf;
                let mut end = next;
                while end > start && buf[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                if end == start || buf[end - 1] != b',' {
                    return false;
                }
                end -= 1;
                while end > start && buf[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                if end == start
                    || buf[end - 1] != b'}'
                    || end - start > self.limits.max_record_bytes
                {
                    return false;
                }
                // A run that the caller has no interest in is dropped unparsed; one it wants
                // is checked to be exactly one object (arrays may mix record shapes). A dropped
                // run is checked too, more cheaply: the marker may open an object nested in an
                // array of this record (`[{..},{"eventVersion":..}]`), and dropping up to there
                // would end the records array at the inner `]` and lose every record after it.
                if let Some(interest) = self.interest {
                    if !interest(&buf[start..end]) && is_one_value(&buf[start..end]) {
                        self.w.consume_to(end);
                        self.out.frames += 1;
                        return true;
                    }
                }
                if is_one_value_within(&buf[start..end], self.limits.max_depth) {
                    self.emit(start, end, true);
                    return true;
                }
                return false;
            }
            if self.w.eof || self.w.end - start > self.limits.max_record_bytes {
                return false;
            }
            let searched = self.w.end.saturating_sub(needle - 1).max(from);
            match self.w.fill() {
                Some(shift) => {
                    start -= shift;
                    from = searched - shift;
                }
                None => return false,
            }
        }
    }

    /// Frames one value starting at `w.pos`; emits it when `emit`.
    fn value(&mut self, emit: bool) -> Framed {
        let mut scan = ValueScan::default();
        let mut start = self.w.pos;
        let mut at = start;
        let mut max_depth = self.limits.max_depth;
        let mut too_deep = false;
        loop {
            match scan.step(&self.w.buf[..self.w.end], at, max_depth) {
                Step::Done(end) => {
                    if too_deep {
                        self.w.consume_to(end);
                    } else {
                        self.emit(start, end, emit);
                    }
                    return Framed::Ok;
                }
                Step::TooDeep => {
                    self.issue_at(
                        start,
                        IssueKind::TooDeep {
                            limit: self.limits.max_depth,
                        },
                    );
                    too_deep = true;
                    // Keep counting, without a limit, to find where the value ends.
                    max_depth = u32::MAX;
                    scan = ValueScan::default();
                    at = start;
                }
                Step::More(next) => {
                    if too_deep || next - start > self.limits.max_record_bytes {
                        if !too_deep {
                            self.issue_at(
                                start,
                                IssueKind::TooLarge {
                                    limit: self.limits.max_record_bytes,
                                },
                            );
                        }
                        return self.skip_rest(scan, next, max_depth);
                    }
                    match self.w.fill() {
                        Some(shift) => {
                            start -= shift;
                            at = next - shift;
                        }
                        None => {
                            if self.w.error.is_none() {
                                self.issue_at(start, IssueKind::Truncated);
                            } else {
                                let kind = self.w.error.take().unwrap();
                                self.issue_at(self.w.end, kind);
                            }
                            self.w.consume_to(self.w.end);
                            return Framed::Fatal;
                        }
                    }
                }
            }
        }
    }

    /// Throws away the rest of a value that will not be framed, holding no more than a chunk.
    fn skip_rest(&mut self, mut scan: ValueScan, mut at: usize, max_depth: u32) -> Framed {
        loop {
            self.w.discard_to(at.min(self.w.end));
            match self.w.fill() {
                Some(_) => at = self.w.pos,
                None => {
                    self.w.consume_to(self.w.end);
                    return Framed::Fatal;
                }
            }
            match scan.step(&self.w.buf[..self.w.end], at, max_depth) {
                Step::Done(end) => {
                    self.w.consume_to(end);
                    return Framed::Ok;
                }
                Step::More(next) => at = next,
                Step::TooDeep => unreachable!("skipping runs without a depth limit"),
            }
        }
    }

    fn emit(&mut self, start: usize, end: usize, emit: bool) {
        // The checks on the way here only fire when a record outgrows the window; one that
        // fits in a single read must be held to the limit too.
        if emit && end - start > self.limits.max_record_bytes {
            self.issue_at(
                start,
                IssueKind::TooLarge {
                    limit: self.limits.max_record_bytes,
                },
            );
            self.w.consume_to(end);
            return;
        }
        if emit {
            let frame = Frame {
                bytes: &self.w.buf[start..end],
                offset: self.w.offset_of(start),
                line: self.w.line_of(start),
            };
            (self.on_frame)(frame);
            self.out.frames += 1;
        }
        self.w.consume_to(end);
    }

    /// JSON Lines: one record per line. Lines are not scanned, only checked for their ends,
    /// so that the prefilter sees them at memchr speed.
    fn lines(&mut self) {
        loop {
            if self.w.pos == self.w.end && self.w.fill().is_none() {
                return;
            }
            let avail = self.w.available();
            match memchr::memchr(b'\n', avail) {
                Some(k) => {
                    let end = self.w.pos + k;
                    self.line(self.w.pos, end);
                    self.w.consume_to(end + 1);
                }
                None if self.w.eof => {
                    let end = self.w.end;
                    self.line(self.w.pos, end);
                    self.w.consume_to(end);
                    return;
                }
                None if avail.len() > self.limits.max_record_bytes => {
                    let start = self.w.pos;
                    self.issue_at(
                        start,
                        IssueKind::TooLarge {
                            limit: self.limits.max_record_bytes,
                        },
                    );
                    if !self.skip_line() {
                        return;
                    }
                }
                None => {
                    self.w.fill();
                }
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

    fn line(&mut self, start: usize, end: usize) {
        let raw = &self.w.buf[start..end];
        let lead = raw.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let trail = raw[lead..]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let (s, e) = (start + lead, end - trail);
        if s == e {
            return;
        }
        if self.w.buf[s] != b'{' || self.w.buf[e - 1] != b'}' {
            self.issue_at(s, IssueKind::Syntax("line is not one JSON object".into()));
            return;
        }
        self.emit(s, e, true);
    }

    /// Values one after another, each spanning lines.
    fn stream(&mut self) {
        loop {
            let Some(b) = self.skip_space(false) else {
                return;
            };
            match b {
                b'{' | b'[' => {
                    if let Framed::Fatal = self.value(true) {
                        return;
                    }
                }
                _ => {
                    let at = self.w.pos;
                    self.issue_at(at, IssueKind::Syntax("expected a JSON object".into()));
                    if !self.skip_line() {
                        return;
                    }
                }
            }
        }
    }
}

/// `{"key":` at the start of `buf`, when the object opens that tightly with a plain key.
fn marker_at(buf: &[u8]) -> Option<memchr::memmem::Finder<'static>> {
    let rest = buf.strip_prefix(b"{\"")?;
    let len = rest
        .iter()
        .take(64)
        .position(|&b| b == b'"' || b == b'\\')?;
    if rest[len] != b'"' || rest.get(len + 1) != Some(&b':') || len == 0 {
        return None;
    }
    Some(memchr::memmem::Finder::new(&buf[..2 + len + 2]).into_owned())
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
