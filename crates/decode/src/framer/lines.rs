//! Top-level records one after another, outside any array: JSON Lines, and values that span
//! lines (pretty-printed objects).

use std::io::Read;

use crate::issue::IssueKind;

use super::{Framed, Framer};

impl<R: Read> Framer<'_, '_, R> {
    /// JSON Lines: one record per line. Lines are not scanned, only checked for their ends,
    /// so that the prefilter sees them at memchr speed.
    pub(super) fn lines(&mut self) {
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

    fn line(&mut self, start: usize, end: usize) {
        let raw = &self.w.buf[start..end];
        let lead = super::leading_space(raw);
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
    pub(super) fn stream(&mut self) {
        loop {
            let Some(b) = self.skip_space() else {
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
