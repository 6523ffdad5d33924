//! A resumable scanner that finds where one JSON value ends without parsing it.
//!
//! It tracks only string state and container depth, in a loop, so input nesting costs a
//! counter, never stack. It does not validate: the parser that later reads candidate records
//! does that, and reports what is wrong with the record's position.

/// Scanner state, kept between refills of the window.
#[derive(Debug, Default, Clone)]
pub(crate) struct ValueScan {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// A bare scalar (number, literal) at the top level: ends at a delimiter.
    scalar: bool,
    started: bool,
}

pub(crate) enum Step {
    /// The value ends just before this index.
    Done(usize),
    /// Ran out of bytes; call again from this index with more data.
    More(usize),
    TooDeep,
}

impl ValueScan {
    /// Scans `buf[from..]`, where `from` is the value's first byte on the first call.
    pub fn step(&mut self, buf: &[u8], from: usize, max_depth: u32) -> Step {
        let mut i = from;
        if !self.started {
            self.started = true;
            match buf.get(i) {
                Some(b'{') | Some(b'[') => {
                    self.depth = 1;
                    i += 1;
                }
                Some(b'"') => {
                    self.in_string = true;
                    i += 1;
                }
                Some(_) => self.scalar = true,
                None => return Step::More(i),
            }
        }
        if self.scalar {
            while i < buf.len() {
                match buf[i] {
                    b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' => return Step::Done(i),
                    _ => i += 1,
                }
            }
            return Step::More(i);
        }
        // A tight loop over a byte-class table: JSON records are dense with short strings,
        // where a call into memchr per string costs more than it saves.
        let mut in_string = self.in_string;
        let mut escaped = self.escaped;
        let mut depth = self.depth;
        while i < buf.len() {
            let b = buf[i];
            i += 1;
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        self.in_string = false;
                        return Step::Done(i);
                    }
                }
                continue;
            }
            match CLASS[b as usize] {
                QUOTE => in_string = true,
                OPEN => {
                    depth += 1;
                    if depth > max_depth {
                        return Step::TooDeep;
                    }
                }
                CLOSE => {
                    depth -= 1;
                    if depth == 0 {
                        self.depth = 0;
                        return Step::Done(i);
                    }
                }
                _ => {}
            }
        }
        self.in_string = in_string;
        self.escaped = escaped;
        self.depth = depth;
        Step::More(i)
    }
}

const QUOTE: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = QUOTE;
    t[b'{' as usize] = OPEN;
    t[b'[' as usize] = OPEN;
    t[b'}' as usize] = CLOSE;
    t[b']' as usize] = CLOSE;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn end_of(s: &str) -> Option<usize> {
        match ValueScan::default().step(s.as_bytes(), 0, 64) {
            Step::Done(n) => Some(n),
            _ => None,
        }
    }

    #[test]
    fn finds_the_end_of_objects_with_tricky_strings() {
        assert_eq!(end_of(r#"{"a":"}\"{"}, {"b":1}"#), Some(12));
        assert_eq!(end_of(r#"{"a":"\\"}x"#), Some(10));
        assert_eq!(end_of(r#"[1,[2,{"c":[]}]] "#), Some(16));
        assert_eq!(end_of(r#""str\"ing" ,"#), Some(10));
        assert_eq!(end_of("123,"), Some(3));
    }

    #[test]
    fn resumes_across_split_input() {
        let whole = br#"{"k":"va\"lue","n":{"x":[1,2]}}"#;
        for cut in 1..whole.len() {
            let mut scan = ValueScan::default();
            let first = scan.step(&whole[..cut], 0, 64);
            let resumed = match first {
                Step::Done(n) => n,
                Step::More(at) => match scan.step(whole, at, 64) {
                    Step::Done(n) => n,
                    _ => panic!("no end after resuming at {cut}"),
                },
                Step::TooDeep => panic!("too deep"),
            };
            assert_eq!(resumed, whole.len(), "cut at {cut}");
        }
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            ValueScan::default().step(deep.as_bytes(), 0, 128),
            Step::TooDeep
        ));
    }
}
