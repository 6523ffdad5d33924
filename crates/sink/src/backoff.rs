//! How long to wait before trying a request again, and the loop that does the trying: one
//! policy for every HTTP sink (HEC and webhook), so that a busy server is treated alike.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// No wait of our own grows past this, however many retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A `Retry-After` is honoured up to this; a longer one is likely a misconfigured proxy, and a
/// CLI run should not hang on it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How hard to try one request before giving up on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; it doubles with each retry (with jitter, capped at [`MAX_BACKOFF`]).
    pub backoff_base: Duration,
    /// The longest `Retry-After` waited for; a longer one is cut to this.
    pub max_retry_after: Duration,
}

/// What one attempt came to, when it did not fail for good.
pub(crate) enum Attempt {
    Done,
    /// The server may take it later: `last` says what it answered, `after` its `Retry-After`.
    Later {
        last: String,
        after: Option<Duration>,
    },
}

/// The retry budget ran out; `last` is the last answer.
pub(crate) struct GaveUp {
    pub attempts: u32,
    pub last: String,
}

/// Makes `attempt` until it is done, fails for good (its error), or the retries run out
/// (`Ok(Err(GaveUp))`). Sleeps between attempts; adds each retry to `retries`.
pub(crate) fn retrying<E>(
    policy: &RetryPolicy,
    retries: &mut u32,
    mut attempt: impl FnMut() -> Result<Attempt, E>,
) -> Result<Result<(), GaveUp>, E> {
    let mut retry = 0;
    loop {
        match attempt()? {
            Attempt::Done => return Ok(Ok(())),
            Attempt::Later { after, .. } if retry < policy.max_retries => {
                let wait = delay(policy.backoff_base, retry, after, policy.max_retry_after);
                std::thread::sleep(wait);
                retry += 1;
                *retries += 1;
            }
            Attempt::Later { last, .. } => {
                return Ok(Err(GaveUp {
                    attempts: retry + 1,
                    last,
                }))
            }
        }
    }
}

/// The wait before retry number `retry` (0 for the first retry). A server's `Retry-After` wins,
/// up to `max_after`; otherwise `base · 2^retry`, capped, with "equal jitter": half of it fixed
/// and half random, so that many revertwatch runs that hit a busy HEC together do not come back
/// together.
pub(crate) fn delay(
    base: Duration,
    retry: u32,
    retry_after: Option<Duration>,
    max_after: Duration,
) -> Duration {
    if let Some(after) = retry_after {
        return after.min(max_after);
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
pub(crate) fn channel_id() -> String {
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
            let d = delay(base, retry, None, MAX_RETRY_AFTER);
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
        assert_eq!(
            delay(base, 3, Some(Duration::ZERO), MAX_RETRY_AFTER),
            Duration::ZERO
        );
        assert_eq!(
            delay(base, 0, Some(Duration::from_secs(2)), MAX_RETRY_AFTER),
            Duration::from_secs(2)
        );
        assert_eq!(
            delay(base, 0, Some(Duration::from_secs(3600)), MAX_RETRY_AFTER),
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
