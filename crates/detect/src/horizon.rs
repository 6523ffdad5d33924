//! How long a call can still change an incident: computed once, from the pack and the flags,
//! for every path that detects over time (`hunt` in time order, `serve`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_pack::Pack;

use crate::downtime::PROVENANCE_HORIZON;

/// The window, the lateness allowed, and the lineage hops the pack chains.
///
/// A call joins a cluster of calls on a target only within one window of the cluster's last
/// call. A new call can also pull older calls onto a target: each lineage hop reaches at most
/// one window back, so a call at `t` pulls calls no older than `t - hops × window`, and those
/// in turn join clusters no older than one window more. An incident that ended
/// `(hops + 1) × window` before the oldest call still to come is therefore final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    window: Duration,
    lateness: Duration,
    hops: usize,
    /// How long a stopped machine's incident waits for its start.
    provenance: Duration,
}

impl Horizon {
    /// The horizon for `pack`'s lineage with this window and allowed lateness.
    pub fn new(pack: &Pack, window: Duration, lateness: Duration) -> Horizon {
        Horizon {
            window,
            lateness,
            hops: pack.lineage_hops(),
            provenance: PROVENANCE_HORIZON,
        }
    }

    /// The same horizon, with stopped machines waiting this long for their start
    /// (`serve --provenance-horizon`; `hunt` waits its whole run, `Duration::MAX`).
    pub fn with_provenance(mut self, provenance: Duration) -> Horizon {
        self.provenance = provenance;
        self
    }

    /// How long a stopped machine's incident waits for its start.
    pub fn provenance(&self) -> Duration {
        self.provenance
    }

    /// Incidents that end with their machine down are final once their last call is before
    /// this: no start can join them any more. None while that is before the first time.
    pub fn down_cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let provenance = chrono::Duration::from_std(self.provenance).ok()?;
        self.watermark(now)?.checked_sub_signed(provenance)
    }

    /// The correlation window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How late a call may arrive behind the newest time seen and still be placed exactly.
    pub fn lateness(&self) -> Duration {
        self.lateness
    }

    /// How far behind the oldest call still to come an incident must end to be final:
    /// `(hops + 1) × window`, saturating rather than overflowing.
    pub fn reach(&self) -> chrono::Duration {
        let windows = u32::try_from(self.hops + 1).unwrap_or(u32::MAX);
        self.window
            .checked_mul(windows)
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .unwrap_or(chrono::Duration::MAX)
    }

    /// The oldest time a call still to come may have, once input has reached `now`; None when
    /// the lateness reaches before the first representable time.
    pub fn watermark(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let lateness = chrono::Duration::from_std(self.lateness).ok()?;
        now.checked_sub_signed(lateness)
    }

    /// Incidents whose last call is before this are final once input has reached `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.watermark(now)?.checked_sub_signed(self.reach())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revertwatch_pack::load_default;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_cutoff_is_one_window_per_hop_and_one_more_behind_the_watermark() {
        let pack = load_default();
        let h = Horizon::new(&pack, Duration::from_secs(3600), Duration::from_secs(600));
        let hops = pack.lineage_hops() as i64;
        assert_eq!(
            h.cutoff(at("2026-03-03T12:00:00Z")).unwrap(),
            at("2026-03-03T11:50:00Z") - chrono::Duration::hours(hops + 1)
        );
    }

    #[test]
    fn extreme_times_and_windows_never_overflow() {
        let pack = load_default();
        let huge = Horizon::new(&pack, Duration::MAX, Duration::MAX);
        assert_eq!(huge.reach(), chrono::Duration::MAX);
        assert_eq!(huge.cutoff(Utc::now()), None);
        let h = Horizon::new(&pack, Duration::from_secs(3600), Duration::ZERO);
        assert_eq!(h.cutoff(DateTime::<Utc>::MIN_UTC), None);
        assert!(h.cutoff(DateTime::<Utc>::MAX_UTC).is_some());
    }
}
