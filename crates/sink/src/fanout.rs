//! Every alert sink of a `serve`, fed from one outbox: each sink is sent only the alerts it
//! does not have yet, so a sink that is down delays the others' nothing and repeats nothing.

use std::collections::HashSet;
use std::fmt;

use crate::{Alert, Sink, SinkError};

/// A list of sinks, and for each the alerts of the current outbox it already took. The outbox
/// keeps an alert until every sink has it; when a send reaches them all, they are forgotten
/// here too, so this holds no more than the outbox does.
#[derive(Default)]
pub struct Fanout {
    sinks: Vec<Held>,
}

struct Held {
    sink: Box<dyn Sink + Send>,
    has: HashSet<Vec<u8>>,
}

/// One sink's failure in a [`Fanout::send`].
#[derive(Debug)]
pub struct SinkFailure {
    /// The sink's name.
    pub sink: String,
    /// What went wrong.
    pub error: SinkError,
}

impl fmt::Display for SinkFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alert sink {}: {}", self.sink, self.error)
    }
}

impl Fanout {
    /// Adds a sink; sinks are sent to in the order added.
    pub fn push(&mut self, sink: Box<dyn Sink + Send>) {
        self.sinks.push(Held {
            sink,
            has: HashSet::new(),
        });
    }

    /// No sink at all: alerts have nowhere to go.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }

    /// Sends each sink the alerts of `batch` it lacks. `Ok` means every sink has all of them
    /// (the caller may drop them from its outbox); otherwise each failing sink is named, every
    /// sink was tried, and the same batch should be sent again later.
    pub fn send(&mut self, batch: &[Alert<'_>]) -> Result<(), Vec<SinkFailure>> {
        let mut failures = Vec::new();
        for held in &mut self.sinks {
            let missing: Vec<Alert<'_>> = batch
                .iter()
                .filter(|a| !held.has.contains(key(a)))
                .cloned()
                .collect();
            if missing.is_empty() {
                continue;
            }
            let taken = match held.sink.send(&missing) {
                Ok(_) => missing.len(),
                Err(error) => {
                    let taken = error.sent().incidents.min(missing.len());
                    failures.push(SinkFailure {
                        sink: held.sink.name().to_string(),
                        error,
                    });
                    taken
                }
            };
            held.has
                .extend(missing[..taken].iter().map(|a| key(a).to_vec()));
        }
        if !failures.is_empty() {
            return Err(failures);
        }
        for held in &mut self.sinks {
            for alert in batch {
                held.has.remove(key(alert));
            }
        }
        Ok(())
    }
}

/// What tells two alerts apart: the id, or the bytes of one that has none.
fn key<'a>(alert: &'a Alert<'_>) -> &'a [u8] {
    if alert.id.is_empty() {
        alert.json
    } else {
        alert.id.as_bytes()
    }
}
