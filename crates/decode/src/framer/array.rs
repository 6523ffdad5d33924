//! Records inside a JSON array (bare, or wrapped in `{"Records":[...]}`): after the first,
//! each is found by the bytes that open it rather than by walking every byte.

use std::io::Read;

use crate::issue::IssueKind;
use crate::scan::{is_one_value, is_one_value_within};

use super::{Framed, Framer};

impl<R: Read> Framer<'_, '_, R> {
    /// Frames the elements of an array whose `[` was consumed.
    pub(super) fn elements(&mut self) {
        // Once the first record is framed, the rest are found by the bytes that open it
        // (`{"eventVersion":`), at memmem speed, instead of walking every byte.
        let mut marker: Option<memchr::memmem::Finder<'static>> = None;
        loop {
            let Some(b) = self.skip_space() else {
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
