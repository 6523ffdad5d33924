use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::{Entry, Lifecycle, Pack, Signal};

/// What the pack says of one call.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The strongest signal among the entries whose conditions hold.
    pub signal: Signal,
    /// The chain label of the entry that gave the signal.
    pub chain: Option<String>,
    /// Chain labels by the relation through which the call's product reached an instance.
    pub reached: Vec<(String, String)>,
    /// False for failed calls: they are evidence and never score.
    pub counts: bool,
    /// What the call did to the life of the machine it names, if it succeeded.
    pub lifecycle: Option<Lifecycle>,
}

/// The strongest signal among the call's pack entries whose conditions hold; `None` for
/// operations the pack does not know.
pub fn classify(call: &ApiCall, pack: &Pack) -> Option<Classified> {
    let mut best: Option<&Entry> = None;
    let mut known = false;
    for entry in pack.entries_for(call.provider, &call.operation) {
        known = true;
        let holds = entry.when.iter().all(|c| c.holds(call));
        let signal = if holds { entry.signal } else { Signal::Link };
        if best.is_none_or(|b| signal > effective(b, call)) {
            best = Some(entry);
        }
    }
    if !known {
        return None;
    }
    let entry = best?;
    let signal = effective(entry, call);
    Some(Classified {
        signal,
        chain: (signal != Signal::Link)
            .then(|| entry.chain.clone())
            .flatten(),
        reached: entry
            .reached
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        counts: call.outcome != Outcome::Failure,
        lifecycle: (call.outcome != Outcome::Failure)
            .then(|| {
                // Every entry of an operation does the same to the machine; any that says so.
                entry.lifecycle.or_else(|| {
                    pack.entries_for(call.provider, &call.operation)
                        .find_map(|e| e.lifecycle)
                })
            })
            .flatten(),
    })
}

fn effective(entry: &Entry, call: &ApiCall) -> Signal {
    if entry.when.iter().all(|c| c.holds(call)) {
        entry.signal
    } else {
        Signal::Link
    }
}
