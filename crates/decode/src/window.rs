use std::io::{self, Read};

use crate::issue::IssueKind;

const CHUNK: usize = 256 * 1024;

/// A sliding buffer over a reader. Bytes before `pos` are consumed; the buffer is compacted
/// before each refill, so it only ever holds the record being framed plus one chunk.
pub(crate) struct Window<R> {
    reader: R,
    pub buf: Vec<u8>,
    pub pos: usize,
    pub end: usize,
    pub eof: bool,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Newlines seen before `buf[pos]`.
    lines: u64,
    pub error: Option<IssueKind>,
}

impl<R: Read> Window<R> {
    pub fn new(reader: R) -> Self {
        let mut buf = SPARE.with(|spare| std::mem::take(&mut *spare.borrow_mut()));
        if buf.len() < CHUNK {
            buf.resize(CHUNK, 0);
        }
        Window {
            reader,
            buf,
            pos: 0,
            end: 0,
            eof: false,
            base: 0,
            lines: 0,
            error: None,
        }
    }

    pub fn offset_of(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    /// 1-based line of `buf[index]`, for `index >= pos`.
    pub fn line_of(&self, index: usize) -> u64 {
        let extra = memchr::memchr_iter(b'\n', &self.buf[self.pos..index.max(self.pos)]).count();
        self.lines + extra as u64 + 1
    }

    pub fn available(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Marks everything before `index` as consumed.
    pub fn consume_to(&mut self, index: usize) {
        debug_assert!(index >= self.pos && index <= self.end);
        self.lines += memchr::memchr_iter(b'\n', &self.buf[self.pos..index]).count() as u64;
        self.pos = index;
    }

    /// Reads more bytes. Returns how far indices shifted left by compaction, or `None` at the
    /// end of the input (or on a read error, kept in `error`).
    pub fn fill(&mut self) -> Option<usize> {
        if self.eof {
            return None;
        }
        let shift = self.pos;
        if shift > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += shift as u64;
            self.end -= shift;
            self.pos = 0;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            let grown = (self.buf.len() * 2).max(self.end + CHUNK);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return if shift > 0 { Some(shift) } else { None };
                }
                Ok(n) => {
                    self.end += n;
                    return Some(shift);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.eof = true;
                    self.error = Some(classify(&e));
                    return if shift > 0 { Some(shift) } else { None };
                }
            }
        }
    }

    /// Drops consumed bytes without keeping them, for skipping an oversized record.
    pub fn discard_to(&mut self, index: usize) {
        self.consume_to(index);
    }
}

thread_local! {
    /// The last window's buffer, kept for the next input on this thread: archives are
    /// thousands of small files, and zeroing a fresh buffer for each one is measurable.
    static SPARE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A buffer grown for one huge record is not kept.
const SPARE_LIMIT: usize = 4 * CHUNK;

impl<R> Drop for Window<R> {
    fn drop(&mut self) {
        if self.buf.len() <= SPARE_LIMIT {
            let buf = std::mem::take(&mut self.buf);
            SPARE.with(|spare| *spare.borrow_mut() = buf);
        }
    }
}

fn classify(e: &io::Error) -> IssueKind {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            IssueKind::Gzip(e.to_string())
        }
        _ => IssueKind::Io(e.to_string()),
    }
}
