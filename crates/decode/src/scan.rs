//! A resumable scanner that finds where one JSON value ends without parsing it.
//!
//! It tracks only string state and container depth, in a loop, so input nesting costs a
//! counter, never stack. It does not validate: the parser that later reads candidate records
//! does that, and reports what is wrong with the record's position.

mod blocks;
mod marks;
#[cfg(test)]
mod one_value_tests;

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
    /// A scan resumed inside an object whose `{` was already passed.
    pub fn inside_object() -> ValueScan {
        ValueScan {
            depth: 1,
            started: true,
            ..ValueScan::default()
        }
    }

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
                // The first byte is the scalar's own even when it is a delimiter (a stray `}`
                // or `]`), so every value takes at least one byte and framing moves on.
                Some(_) => {
                    self.scalar = true;
                    i += 1;
                }
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

/// Whether `run` is exactly one JSON object or array: its brackets, outside strings, close for
/// the first time at its last byte. The same reading as [`ValueScan`] without a depth limit,
/// 64 bytes at a time with bitmasks ([`blocks`]), which keeps it near memchr speed whatever the
/// strings in the records. Runs dropped unparsed get this exact reading: a cheaper
/// brace count was tried and is unsafe, because braces inside strings (a user agent ending in
/// `}}}`) can balance a run cut at an inner object that opens like a record, and an attacker
/// who controls one call could hide the calls after it.
pub(crate) fn is_one_value(run: &[u8]) -> bool {
    blocks::is_one_value(run, u64::MAX)
}

/// [`is_one_value`] that also holds the value to [`ValueScan`]'s depth limit: the same answer
/// as a [`ValueScan::step`] from `run[0]` with `max_depth` ending at `Done(run.len())`, when
/// `run` opens with a bracket.
pub(crate) fn is_one_value_within(run: &[u8], max_depth: u32) -> bool {
    blocks::is_one_value(run, u64::from(max_depth))
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
    fn one_value_agrees_with_the_scanner() {
        for (run, one) in [
            (r#"{"a":"}\"{"}"#, true),
            (r#"{"a":"\\"}"#, true),
            (r#"[1,[2,{"c":[]}]]"#, true),
            (r#"{"a":1},{"b":2}"#, false),
            (r#"{"a":[{"b":1}"#, false),
            (r#"{"a":"\"#, false),
            (r#"{"a":"x\""#, false),
            (r#"{"a":1}}"#, false),
            ("1", false),
            ("", false),
        ] {
            assert_eq!(is_one_value(run.as_bytes()), one, "{run}");
            let scanned = matches!(
                ValueScan::default().step(run.as_bytes(), 0, u32::MAX),
                Step::Done(n) if n == run.len()
            );
            assert_eq!(scanned && run.starts_with(['{', '[']), one, "{run}");
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
