//! Stopped periods: a machine's stop paired with its next start, however long after (up to
//! the provenance horizon). While a machine is down, the window does not split the calls on
//! it: an owner's evening stop and morning start are one incident, and so are a stop on
//! Monday, a root swap on Wednesday and a start on Thursday.

use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_pack::{Lifecycle, Provider};
use serde::{Deserialize, Serialize};

/// How long the calls on a machine may be apart and still be one incident while the machine
/// is down, in `serve` (its `--provenance-horizon` default). `hunt` pairs over its whole run.
pub const PROVENANCE_HORIZON: Duration = Duration::from_secs(400 * 24 * 3600);

/// One stopped period of an incident's machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedPeriod {
    /// When it went down (a stop, deallocate or delete).
    #[serde(serialize_with = "revertwatch_normalize::serialize_time")]
    pub stopped: DateTime<Utc>,
    /// When it came back (a start, or a launch under the same name); none while still down
    /// or when it never came back (terminated).
    #[serde(
        default,
        serialize_with = "serialize_maybe_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub started: Option<DateTime<Utc>>,
    /// Seconds between the two; none when it did not come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

/// How long an incident's machine was down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Downtime {
    /// Seconds down, over the periods that ended.
    pub seconds: u64,
    /// The same, for people (`13h 30m`), with `, still down` when the last period has not ended.
    pub human: String,
    /// Whether the machine is still down at the incident's last call.
    pub still_down: bool,
    /// Each stopped period, oldest first.
    pub periods: Vec<StoppedPeriod>,
}

fn serialize_maybe_time<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => revertwatch_normalize::serialize_time(t, s),
        None => s.serialize_none(),
    }
}

/// What a call that names the machine itself does to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// It goes down (a stop; a delete where the name can be given again).
    Down,
    /// It is deleted where its name can be given again (GCP, Azure): a machine created again
    /// under its name, however much later, is the same machine. Unlike a stop, a delete does
    /// not hold an incident open (that held every scale-in of a managed group for the whole
    /// hunt): the provenance store keeps it, and the machine's next call recalls it.
    Deleted,
    /// It comes back (a start, or a launch under the same name).
    Up,
    /// It is gone for good: an AWS instance id is never re-used, so a terminated instance's
    /// stopped period ends there, and its incident no longer waits for a start.
    Gone,
}

/// [`Effect`] of a successful call with this lifecycle. A delete takes a machine down only
/// where its name can be given again (GCP, Azure).
pub(crate) fn effect(provider: Provider, lifecycle: Option<Lifecycle>) -> Option<Effect> {
    Some(match lifecycle? {
        Lifecycle::Stop => Effect::Down,
        Lifecycle::Delete if provider == Provider::Aws => Effect::Gone,
        Lifecycle::Delete => Effect::Deleted,
        Lifecycle::Start | Lifecycle::Launch => Effect::Up,
    })
}

/// Walks a target's calls in time order: whether the machine is down, and the periods so far.
#[derive(Default)]
pub(crate) struct Uptime {
    down_since: Option<DateTime<Utc>>,
    /// Down because deleted: the window, not the provenance horizon, bounds the wait.
    deleted: bool,
    periods: Vec<StoppedPeriod>,
}

impl Uptime {
    /// Whether a call `gap` after the last one still belongs with it: within the window, or
    /// while the machine is stopped or deleted, within the provenance horizon. A deleted
    /// machine does not hold its incident open ([`Uptime::downtime`]): the provenance store
    /// keeps the delete, and a machine created again under its name recalls it.
    pub fn joins(&self, gap: chrono::Duration, window: Duration, provenance: Duration) -> bool {
        let within = |d: Duration| chrono::Duration::from_std(d).map_or(true, |d| gap <= d);
        within(window) || (self.down_since.is_some() && within(provenance))
    }

    /// Takes a call on the machine itself into account ([`effect`]'s answer).
    pub fn step(&mut self, at: DateTime<Utc>, effect: Option<Effect>) {
        match (effect, self.down_since) {
            (Some(Effect::Down), None) => self.down_since = Some(at),
            (Some(Effect::Deleted), None) => {
                self.down_since = Some(at);
                self.deleted = true;
            }
            (Some(Effect::Up), Some(since)) => {
                self.periods.push(StoppedPeriod {
                    stopped: since,
                    started: Some(at),
                    seconds: u64::try_from((at - since).num_seconds()).ok(),
                });
                self.down_since = None;
                self.deleted = false;
            }
            (Some(Effect::Gone), Some(since)) => {
                self.periods.push(StoppedPeriod {
                    stopped: since,
                    started: None,
                    seconds: None,
                });
                self.down_since = None;
            }
            _ => {}
        }
    }

    /// The downtime of the calls stepped through, if the machine went down at all.
    pub fn downtime(mut self) -> Option<Downtime> {
        // A deleted machine is not "still down": the provenance store keeps its delete.
        let still_down = self.down_since.is_some() && !self.deleted;
        if let Some(since) = self.down_since {
            self.periods.push(StoppedPeriod {
                stopped: since,
                started: None,
                seconds: None,
            });
        }
        if self.periods.is_empty() {
            return None;
        }
        let seconds = self.periods.iter().filter_map(|p| p.seconds).sum();
        let mut human = human(seconds);
        if still_down {
            human.push_str(", still down");
        }
        Some(Downtime {
            seconds,
            human,
            still_down,
            periods: self.periods,
        })
    }
}

/// `2d 3h`, `13h 30m`, `4m 10s`: the two largest units.
pub(crate) fn human(seconds: u64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut parts = Vec::new();
    let mut left = seconds;
    for (size, name) in units {
        if left >= size || (parts.is_empty() && size == 1) {
            parts.push(format!("{}{name}", left / size));
            left %= size;
        }
        if parts.len() == 2 {
            break;
        }
        if !parts.is_empty() && left == 0 {
            break;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn durations_read_in_their_two_largest_units() {
        assert_eq!(human(0), "0s");
        assert_eq!(human(59), "59s");
        assert_eq!(human(3600), "1h");
        assert_eq!(human(13 * 3600 + 30 * 60 + 5), "13h 30m");
        assert_eq!(human(2 * 86_400 + 3 * 3600), "2d 3h");
    }
}
