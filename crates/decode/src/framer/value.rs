//! Delimiting one JSON value under the limits: emitted when it fits, reported and skipped
//! (holding no more than a read chunk) when it does not.

use std::io::Read;

use crate::issue::IssueKind;
use crate::scan::{Step, ValueScan};

use super::{Frame, Framed, Framer};

impl<R: Read> Framer<'_, '_, R> {
    /// Frames one value starting at `w.pos`; emits it when `emit`.
    pub(super) fn value(&mut self, emit: bool) -> Framed {
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
                        return self.skip_rest(scan, next);
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
    /// It counts nesting without a limit: the value is skipped whole however deep it goes
    /// after the cut (a value too large is reported once, as too large).
    fn skip_rest(&mut self, mut scan: ValueScan, mut at: usize) -> Framed {
        loop {
            self.w.discard_to(at.min(self.w.end));
            match self.w.fill() {
                Some(_) => at = self.w.pos,
                None => {
                    self.w.consume_to(self.w.end);
                    return Framed::Fatal;
                }
            }
            match scan.step(&self.w.buf[..self.w.end], at, u32::MAX) {
                Step::Done(end) => {
                    self.w.consume_to(end);
                    return Framed::Ok;
                }
                Step::More(next) => at = next,
                // Not reachable without a limit; should it be, the input ends, never a panic.
                Step::TooDeep => {
                    self.w.consume_to(self.w.end);
                    return Framed::Fatal;
                }
            }
        }
    }

    pub(super) fn emit(&mut self, start: usize, end: usize, emit: bool) {
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
}
