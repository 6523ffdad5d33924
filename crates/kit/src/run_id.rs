//! The run id: the one value that ties every resource a script creates to that run.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;

use crate::KitError;

/// A validated run id. It is spliced into resource names, AWS tags, Azure tags and GCP labels,
/// so it is held to the strictest of them: GCP labels and names (lower case, digits, `-`,
/// starting with a letter), short enough that `<run id>-from-image-os` still fits every cloud's
/// name limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId(String);

impl RunId {
    /// A fresh id, `rwk-` and 8 hex digits, different on each call.
    pub fn generate() -> RunId {
        // std's RandomState is seeded per process from the OS; the clock and a counter make
        // two ids from one process differ too.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.write_u128(now);
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        RunId(format!("rwk-{:08x}", h.finish() as u32))
    }

    /// The id as text, as it appears in names, tags and labels.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = KitError;

    fn from_str(s: &str) -> Result<RunId, KitError> {
        let b = s.as_bytes();
        let ok = (4..=24).contains(&b.len())
            && b[0].is_ascii_lowercase()
            && b[b.len() - 1] != b'-'
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
        if ok {
            Ok(RunId(s.to_string()))
        } else {
            Err(KitError::RunId(s.to_string()))
        }
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The bash test the scripts repeat, so that an edited script still refuses a bad id.
#[cfg(test)]
pub(crate) const BASH_CHECK: &str = r"^[a-z][a-z0-9-]{2,22}[a-z0-9]$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_check_run_ids_as_rust_does() {
        let common = include_str!("../bash/common.sh");
        assert!(common.contains(&format!("run_id_pattern='{BASH_CHECK}'")));
    }

    #[test]
    fn generated_ids_are_valid_and_differ() {
        let a = RunId::generate();
        let b = RunId::generate();
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.as_str().parse::<RunId>().unwrap(), id);
        }
    }

    #[test]
    fn ids_that_could_break_a_name_or_a_command_are_refused() {
        for bad in [
            "",
            "abc",
            "Rwk-1234",
            "1rwk",
            "rwk-",
            "rwk_1234",
            "rwk 1234",
            "rwk-1234;rm",
            "rwk-$(id)",
            "rwk-'x'",
            "a-very-long-run-id-that-is-too-long",
        ] {
            assert!(bad.parse::<RunId>().is_err(), "{bad:?} was accepted");
        }
        for good in ["rwk-1a2b3c4d", "test-run-7", "abcd"] {
            assert!(good.parse::<RunId>().is_ok(), "{good:?} was refused");
        }
    }
}
