//! How long to wait before trying a batch again.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// No wait of our own grows past this, however many retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A `Retry-After` is honoured up to this; a longer one is likely a misconfigured proxy, and a
/// CLI run should not hang on it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait before retry number `retry` (0 for the first retry). A server's `Retry-After` wins;
/// otherwise `base · 2^retry`, capped, with "equal jitter": half of it fixed and half random,
/// so that many revertwatch runs that hit a busy HEC together do not come back together.
pub fn delay(base: Duration, retry: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(after) = retry_after {
        return after.min(MAX_RETRY_AFTER);
    }
    let full = base
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF);
    let half = full / 2;
    half + half.mul_f64(unit_random())
}

/// A number in [0, 1). Jitter needs no quality, only difference between processes and calls:
/// std's per-process random hash keys give that without a dependency.
fn unit_random() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// 128 random bits as a UUID-shaped string (version 4 layout), for HEC's request channel.
pub fn channel_id() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(1);
    let high = hasher.finish();
    hasher.write_u8(2);
    let low = hasher.finish();
    let high = (high & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let low = (low & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_doubling_with_jitter_and_a_cap() {
        let base = Duration::from_millis(100);
        for retry in 0..40 {
            let d = delay(base, retry, None);
            let full = (base * 2u32.saturating_pow(retry.min(20))).min(MAX_BACKOFF);
            assert!(
                d >= full / 2 && d <= full,
                "retry {retry}: {d:?} vs {full:?}"
            );
        }
    }

    #[test]
    fn retry_after_wins_up_to_a_cap() {
        let base = Duration::from_secs(1);
        assert_eq!(delay(base, 3, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(
            delay(base, 0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            delay(base, 0, Some(Duration::from_secs(3600))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn channel_ids_look_like_uuids_and_differ() {
        let a = channel_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, channel_id());
    }
}
