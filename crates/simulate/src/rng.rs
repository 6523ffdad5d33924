//! A small deterministic PRNG (SplitMix64) and the id shapes the clouds use.
//!
//! SplitMix64 passes BigCrush, needs one `u64` of state and is very fast; every shard and every
//! chunk derives its own seed with [`derive`], so output never depends on thread scheduling.

const HEX: &[u8; 16] = b"0123456789abcdef";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_ALNUM: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            s: seed ^ 0x6A09_E667_F3BC_C908,
        }
    }

    #[inline]
    pub fn u64(&mut self) -> u64 {
        self.s = self.s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.u64() as u128 * n as u128) >> 64) as u64
    }

    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    #[inline]
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Index into a table of weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as u64) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn chars(&mut self, out: &mut Vec<u8>, n: usize, alphabet: &[u8]) {
        let mut left = n;
        while left > 0 {
            let mut r = self.u64();
            for _ in 0..left.min(8) {
                out.push(alphabet[((r & 0xff) as usize * alphabet.len()) >> 8]);
                r >>= 8;
            }
            left = left.saturating_sub(8);
        }
    }

    pub fn hex(&mut self, out: &mut Vec<u8>, n: usize) {
        let mut left = n;
        while left > 0 {
            let mut r = self.u64();
            for _ in 0..left.min(16) {
                out.push(HEX[(r & 15) as usize]);
                r >>= 4;
            }
            left = left.saturating_sub(16);
        }
    }

    pub fn alnum(&mut self, out: &mut Vec<u8>, n: usize) {
        self.chars(out, n, ALNUM)
    }

    pub fn upper_alnum(&mut self, out: &mut Vec<u8>, n: usize) {
        self.chars(out, n, UPPER_ALNUM)
    }

    pub fn lower_alnum(&mut self, out: &mut Vec<u8>, n: usize) {
        self.chars(out, n, LOWER_ALNUM)
    }

    pub fn b64(&mut self, out: &mut Vec<u8>, n: usize) {
        let mut left = n;
        while left > 0 {
            let mut r = self.u64();
            for _ in 0..left.min(10) {
                out.push(B64[(r & 63) as usize]);
                r >>= 6;
            }
            left = left.saturating_sub(10);
        }
    }

    pub fn digits(&mut self, out: &mut Vec<u8>, n: usize) {
        for i in 0..n {
            let d = if i == 0 {
                1 + self.below(9)
            } else {
                self.below(10)
            };
            out.push(b'0' + d as u8);
        }
    }

    /// A version-4 UUID in its text form.
    pub fn uuid(&mut self) -> Uuid {
        let a = self.u64();
        let b = self.u64();
        let mut h = [0u8; 32];
        for i in 0..16 {
            h[i] = HEX[((a >> (i * 4)) & 15) as usize];
            h[16 + i] = HEX[((b >> (i * 4)) & 15) as usize];
        }
        h[12] = b'4';
        h[16] = b"89ab"[((b >> 62) & 3) as usize];
        let mut s = [b'-'; 36];
        s[0..8].copy_from_slice(&h[0..8]);
        s[9..13].copy_from_slice(&h[8..12]);
        s[14..18].copy_from_slice(&h[12..16]);
        s[19..23].copy_from_slice(&h[16..20]);
        s[24..36].copy_from_slice(&h[20..32]);
        Uuid(s)
    }

    pub fn string(&mut self, f: impl FnOnce(&mut Rng, &mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(self, &mut v);
        String::from_utf8(v).expect("ascii")
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Uuid([u8; 36]);

impl Uuid {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ascii")
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// FNV-1a over the parts, finished with a SplitMix64 round.
pub(crate) fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter() {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    Rng::new(h).u64()
}

/// A sub-seed for one named part of the output.
pub(crate) fn derive(seed: u64, label: &str, n: u64) -> u64 {
    hash(&[&seed.to_le_bytes(), label.as_bytes(), &n.to_le_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let mut r = Rng::new(7);
        for _ in 0..100 {
            let u = r.uuid();
            let s = u.as_str();
            assert_eq!(s.len(), 36);
            assert_eq!(&s[14..15], "4");
            assert!("89ab".contains(&s[19..20]));
            assert_eq!(s.matches('-').count(), 4);
        }
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        let mut r = Rng::new(1);
        for n in 1..50u64 {
            assert!(r.below(n) < n);
        }
        for _ in 0..100 {
            assert!(r.weighted(&[1, 0, 3]) != 1);
        }
    }
}
