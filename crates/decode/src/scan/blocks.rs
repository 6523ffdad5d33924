//! [`is_one_value`] 64 bytes at a time, as simdjson's first stage does: each block becomes
//! bitmasks of quotes, backslashes and brackets; escapes and string extents come out of
//! carries and a prefix XOR instead of a branch per byte, and bracket depth out of popcounts.
//! Only a block that holds enough closing brackets to end the value has its brackets walked.
//!
//! The bitmask reading assumes every backslash escapes, while the exact reading (a loop over
//! bytes that jumps strings) lets a backslash outside a string escape nothing. The two agree up
//! to the first backslash that the bitmask reading places outside a string, so a block with one
//! is read byte by byte instead (never in valid JSON; crafted input gets at most a byte loop's
//! speed on such blocks, no worse than [`super::ValueScan`]).

/// Bits 1, 3, 5...: what [`Carry::escapes`] holds the start of each backslash run against.
const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;

#[cfg(target_arch = "x86_64")]
use super::marks::Haswell;
use super::marks::{Baseline, Kernel};

/// What one block hands the next.
#[derive(Debug, Clone)]
pub(super) struct Carry {
    /// All ones when the previous block ended inside a string, else zero.
    in_string: u64,
    /// 1 when the next block's first byte is escaped (an odd backslash run ended the last one).
    escaped: u64,
    /// Open brackets outside strings; at least 1 between blocks, or the answer is known.
    depth: u64,
    /// The most brackets that may be open at once: one more and the answer is no.
    max_depth: u64,
}

impl Carry {
    /// Bits of the bytes that a backslash before them escapes; bit 0 from the carry. A run of
    /// backslashes escapes every other byte from its start, so the parity of where each run
    /// starts decides: subtracting the run from the alternating bits flips exactly its escapes.
    #[inline(always)]
    pub fn escapes(&mut self, backslash: u64) -> u64 {
        if backslash == 0 {
            return std::mem::take(&mut self.escaped);
        }
        let potential = backslash & !self.escaped;
        let code = ((potential << 1) | ODD_BITS).wrapping_sub(potential) ^ ODD_BITS;
        let escaped = code ^ (backslash | self.escaped);
        self.escaped = (code & backslash) >> 63;
        escaped
    }

    /// Reads one block at `base` of a run whose last byte is at `last`; bytes past `last` are
    /// zero. `opened` has bit 0 set for the first block, whose `{` or `[` is in `depth` already.
    /// Some(answer) once depth returns to 0 or passes the limit.
    #[inline(always)]
    fn block<K: Kernel>(
        &mut self,
        kernel: K,
        bytes: &[u8; 64],
        base: usize,
        last: usize,
        opened: u64,
    ) -> Option<bool> {
        let marks = kernel.marks(bytes);
        let escaped_before = self.escaped;
        let escaped = self.escapes(marks.backslash);
        let in_string = kernel.prefix_xor(marks.quote & !escaped) ^ self.in_string;
        if marks.backslash & !in_string != 0 {
            self.escaped = escaped_before;
            return self.bytewise(bytes, base, last, opened);
        }
        self.in_string = ((in_string as i64) >> 63) as u64;
        let open = marks.open & !in_string & !opened;
        let close = marks.close & !in_string;
        let closes = u64::from(close.count_ones());
        let opens = u64::from(open.count_ones());
        if closes < self.depth && self.depth + opens <= self.max_depth {
            self.depth = self.depth + opens - closes;
            return None;
        }
        let mut brackets = open | close;
        while brackets != 0 {
            let at = brackets.trailing_zeros();
            brackets &= brackets - 1;
            if open >> at & 1 != 0 {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Some(false);
                }
            } else {
                self.depth -= 1;
                if self.depth == 0 {
                    return Some(base + at as usize == last);
                }
            }
        }
        None
    }

    /// The exact reading of one block, from the state the blocks before it left.
    fn bytewise(
        &mut self,
        bytes: &[u8; 64],
        base: usize,
        last: usize,
        opened: u64,
    ) -> Option<bool> {
        let mut in_string = self.in_string != 0;
        let mut escaped = self.escaped != 0;
        for (i, &b) in bytes.iter().enumerate().skip(opened as usize) {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Some(false);
                    }
                }
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(base + i == last);
                    }
                }
                _ => {}
            }
        }
        self.in_string = if in_string { u64::MAX } else { 0 };
        self.escaped = u64::from(escaped);
        None
    }
}

/// See [`super::is_one_value`].
pub(super) fn is_one_value(run: &[u8], max_depth: u64) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(kernel) = Haswell::detect() {
        // SAFETY: `detect` found every feature that `haswell` enables.
        return unsafe { haswell(kernel, run, max_depth) };
    }
    read(Baseline, run, max_depth)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq,popcnt,bmi1")]
fn haswell(kernel: Haswell, run: &[u8], max_depth: u64) -> bool {
    read(kernel, run, max_depth)
}

/// The baseline kernel whatever the CPU, for tests to hold it to the same answers.
#[cfg(test)]
pub(super) fn is_one_value_baseline(run: &[u8], max_depth: u64) -> bool {
    read(Baseline, run, max_depth)
}

#[inline(always)]
fn read<K: Kernel>(kernel: K, run: &[u8], max_depth: u64) -> bool {
    if !matches!(run.first(), Some(b'{') | Some(b'[')) {
        return false;
    }
    let last = run.len() - 1;
    let mut carry = Carry {
        in_string: 0,
        escaped: 0,
        depth: 1,
        max_depth,
    };
    let mut opened = 1;
    let mut base = 0;
    let mut blocks = run.chunks_exact(64);
    for block in &mut blocks {
        let block = block.try_into().expect("chunks_exact hands out 64 bytes");
        if let Some(answer) = carry.block(kernel, block, base, last, opened) {
            return answer;
        }
        opened = 0;
        base += 64;
    }
    let rest = blocks.remainder();
    if rest.is_empty() {
        return false;
    }
    // Zero bytes are none of the marks, so padding changes nothing.
    let mut padded = [0u8; 64];
    padded[..rest.len()].copy_from_slice(rest);
    carry
        .block(kernel, &padded, base, last, opened)
        .unwrap_or(false)
}

#[cfg(test)]
pub(super) fn new_carry(escaped: bool) -> Carry {
    Carry {
        in_string: 0,
        escaped: u64::from(escaped),
        depth: 1,
        max_depth: u64::MAX,
    }
}

#[cfg(test)]
impl Carry {
    pub fn next_escaped(&self) -> bool {
        self.escaped != 0
    }
}
