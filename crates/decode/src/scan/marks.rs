//! The bytes of a 64-byte block that matter to the block scan, as bitmasks, and the prefix
//! XOR that turns quotes into string extents: per instruction set, behind [`Kernel`].

/// The quotes, backslashes and brackets of one 64-byte block, bit `i` for byte `i`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Marks {
    pub quote: u64,
    pub backslash: u64,
    pub open: u64,
    pub close: u64,
}

/// One instruction set's way to read a block. A value of the type is the evidence that the
/// CPU has that set, which is what lets the methods be safe.
pub(super) trait Kernel: Copy {
    fn marks(self, bytes: &[u8; 64]) -> Marks;
    /// Bit `i` set when an odd number of bits `0..=i` are.
    fn prefix_xor(self, bits: u64) -> u64;
}

/// What every CPU of the target has: SSE2 on x86_64, plain code elsewhere.
#[derive(Debug, Clone, Copy)]
pub(super) struct Baseline;

impl Kernel for Baseline {
    #[inline(always)]
    fn marks(self, bytes: &[u8; 64]) -> Marks {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86_64 baseline: every x86_64 CPU has it.
            unsafe { sse2(bytes) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            bytewise(bytes)
        }
    }

    #[inline(always)]
    fn prefix_xor(self, mut bits: u64) -> u64 {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        bits ^= bits << 32;
        bits
    }
}

/// AVX2 for the marks, carry-less multiplication for the prefix XOR, and popcnt for the
/// depth, which the x86_64 baseline lacks (its `count_ones` is a dozen instructions).
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(super) struct Haswell(());

#[cfg(target_arch = "x86_64")]
impl Haswell {
    /// The features listed here must be the ones the block scan enables for this kernel.
    pub fn detect() -> Option<Haswell> {
        let found = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("pclmulqdq")
            && std::is_x86_feature_detected!("popcnt")
            && std::is_x86_feature_detected!("bmi1");
        found.then_some(Haswell(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Kernel for Haswell {
    #[inline(always)]
    fn marks(self, bytes: &[u8; 64]) -> Marks {
        // SAFETY: a Haswell exists only once `detect` found AVX2.
        unsafe { avx2(bytes) }
    }

    #[inline(always)]
    fn prefix_xor(self, bits: u64) -> u64 {
        // SAFETY: a Haswell exists only once `detect` found PCLMULQDQ.
        unsafe { clmul_prefix_xor(bits) }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn sse2(bytes: &[u8; 64]) -> Marks {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // `{` and `[` differ only in bit 0x20, and so do `}` and `]`: one compare each after
    // setting that bit.
    let fold = _mm_set1_epi8(0x20);
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let open = _mm_set1_epi8(b'{' as i8);
    let close = _mm_set1_epi8(b'}' as i8);
    let mut marks = Marks::default();
    for (k, lane) in bytes.chunks_exact(16).enumerate() {
        // SAFETY: `lane` is 16 readable bytes (chunks_exact), all that loadu reads, and loadu
        // has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
        let folded = _mm_or_si128(v, fold);
        let at = 16 * k;
        marks.quote |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u16 as u64) << at;
        marks.backslash |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) as u16 as u64) << at;
        marks.open |= (_mm_movemask_epi8(_mm_cmpeq_epi8(folded, open)) as u16 as u64) << at;
        marks.close |= (_mm_movemask_epi8(_mm_cmpeq_epi8(folded, close)) as u16 as u64) << at;
    }
    marks
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(bytes: &[u8; 64]) -> Marks {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    let fold = _mm256_set1_epi8(0x20);
    let quote = _mm256_set1_epi8(b'"' as i8);
    let backslash = _mm256_set1_epi8(b'\\' as i8);
    let open = _mm256_set1_epi8(b'{' as i8);
    let close = _mm256_set1_epi8(b'}' as i8);
    let mut marks = Marks::default();
    for (k, lane) in bytes.chunks_exact(32).enumerate() {
        // SAFETY: `lane` is 32 readable bytes (chunks_exact), all that loadu reads, and loadu
        // has no alignment requirement.
        let v = unsafe { _mm256_loadu_si256(lane.as_ptr().cast()) };
        let folded = _mm256_or_si256(v, fold);
        let at = 32 * k;
        marks.quote |= (_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)) as u32 as u64) << at;
        marks.backslash |=
            (_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)) as u32 as u64) << at;
        marks.open |= (_mm256_movemask_epi8(_mm256_cmpeq_epi8(folded, open)) as u32 as u64) << at;
        marks.close |= (_mm256_movemask_epi8(_mm256_cmpeq_epi8(folded, close)) as u32 as u64) << at;
    }
    marks
}

/// Multiplying by all ones without carries XORs every bit into all the bits above it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
fn clmul_prefix_xor(bits: u64) -> u64 {
    use std::arch::x86_64::{
        _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set1_epi8, _mm_set_epi64x,
    };
    let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, bits as i64), _mm_set1_epi8(-1), 0);
    _mm_cvtsi128_si64(product) as u64
}

/// The portable classification; on x86_64 only tests use it, to check the vector ones.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn bytewise(bytes: &[u8; 64]) -> Marks {
    let mut marks = Marks::default();
    for (i, &b) in bytes.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => marks.quote |= bit,
            b'\\' => marks.backslash |= bit,
            b'{' | b'[' => marks.open |= bit,
            b'}' | b']' => marks.close |= bit,
            _ => {}
        }
    }
    marks
}
