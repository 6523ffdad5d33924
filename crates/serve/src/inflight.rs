//! One budget of bytes for every HEC request at once: bodies as sent and as inflated, held
//! from the moment they are read until their batch is committed (or refused).
//!
//! Each request's own caps bound one request; this bounds them all together, queue included.
//! A request that cannot get its bytes within a short wait is answered 503 (HEC's "busy", with
//! `Retry-After`), which a forwarder retries: nothing it sent is acknowledged and lost.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::metrics::Metrics;

/// The budget is counted in KiB: a semaphore's permits are counted in `u32` per acquisition.
const UNIT: usize = 1024;

pub struct Budget {
    permits: Arc<Semaphore>,
    /// The budget, in bytes.
    pub bytes: usize,
    /// How long a request waits for bytes before it is refused.
    wait: Duration,
    metrics: Arc<Metrics>,
}

/// The bytes one request holds; given back when dropped.
pub struct Held<'a> {
    budget: &'a Budget,
    permit: Option<OwnedSemaphorePermit>,
    deadline: Instant,
}

/// The budget had no room within the wait.
#[derive(Debug)]
pub struct Exhausted;

impl Budget {
    pub fn new(bytes: usize, wait: Duration, metrics: Arc<Metrics>) -> Budget {
        let units = bytes.div_ceil(UNIT).clamp(1, Semaphore::MAX_PERMITS);
        Budget {
            permits: Arc::new(Semaphore::new(units)),
            bytes: units * UNIT,
            wait,
            metrics,
        }
    }

    /// An empty hold, whose waits together last at most the budget's wait.
    pub fn hold(&self) -> Held<'_> {
        Held {
            budget: self,
            permit: None,
            deadline: Instant::now() + self.wait,
        }
    }

    fn publish(&self) {
        let total = self.bytes / UNIT;
        let used = (total.saturating_sub(self.permits.available_permits()) * UNIT) as u64;
        self.metrics.inflight_bytes.store(used, Relaxed);
        self.metrics.inflight_peak.fetch_max(used, Relaxed);
    }
}

impl Held<'_> {
    /// Takes `bytes` more, waiting (until the hold's deadline) for others to give some back.
    pub async fn grow(&mut self, bytes: usize) -> Result<(), Exhausted> {
        let units = bytes.div_ceil(UNIT);
        if units == 0 {
            return Ok(());
        }
        let budget = self.budget;
        let n = u32::try_from(units).map_err(|_| Exhausted)?;
        let acquire = budget.permits.clone().acquire_many_owned(n);
        let permit = match tokio::time::timeout_at(self.deadline, acquire).await {
            Ok(Ok(p)) => p,
            _ => {
                budget.metrics.inflight_refused.fetch_add(1, Relaxed);
                return Err(Exhausted);
            }
        };
        match &mut self.permit {
            Some(held) => held.merge(permit),
            None => self.permit = Some(permit),
        }
        budget.publish();
        Ok(())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            drop(permit);
            self.budget.publish();
        }
    }
}
