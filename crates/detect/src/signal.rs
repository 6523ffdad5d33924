use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::{Entry, Lifecycle, Pack, Signal};

/// What the pack says of one call.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The strongest signal among the entries whose conditions hold.
    pub signal: Signal,
    /// Every signal among the entries whose conditions hold (a root volume replaced with its
    /// old volume deleted is a restore and evidence destroyed), strongest last.
    pub signals: Vec<Signal>,
    /// The chain label of the entry that gave the signal.
    pub chain: Option<String>,
    /// The chain labels of the other scoring entries whose signal holds.
    pub more_chains: Vec<String>,
    /// The chain label of the entry that says the call destroyed evidence, if one holds.
    pub destroyed_chain: Option<String>,
    /// Chain labels by the relation through which the call's product reached an instance.
    pub reached: Vec<(String, String)>,
    /// False for failed calls: they are evidence and never score.
    pub counts: bool,
    /// What the call did to the life of the machine it names, if it succeeded.
    pub lifecycle: Option<Lifecycle>,
}

impl Classified {
    /// Whether one of the call's signals is `signal`.
    pub fn has(&self, signal: Signal) -> bool {
        self.signals.contains(&signal)
    }

    /// Whether the call scores in the seed's formula (a restore or a reset): only such a call
    /// makes an incident of its own.
    pub fn scores(&self) -> bool {
        self.signals.iter().any(|s| s.scores())
    }
}

/// Every signal of the call's pack entries whose conditions hold (the union: each entry
/// contributes its own), the strongest as the call's signal; `None` for operations the pack
/// does not know.
pub fn classify(call: &ApiCall, pack: &Pack) -> Option<Classified> {
    let mut best: Option<&Entry> = None;
    let mut known = false;
    let mut holding: Vec<&Entry> = Vec::new();
    for entry in pack.entries_for(call.provider, &call.operation) {
        known = true;
        let holds = entry.holds(call);
        let signal = if holds { entry.signal } else { Signal::Link };
        if holds && entry.signal != Signal::Link {
            holding.push(entry);
        }
        if best.is_none_or(|b| signal > effective(b, call)) {
            best = Some(entry);
        }
    }
    if !known {
        return None;
    }
    let entry = best?;
    let signal = effective(entry, call);
    let mut signals: Vec<Signal> = holding.iter().map(|e| e.signal).collect();
    signals.push(signal);
    signals.sort();
    signals.dedup();
    let mut more_chains: Vec<String> = holding
        .iter()
        .filter(|e| !std::ptr::eq(**e, entry) && e.signal.scores())
        .filter_map(|e| e.chain.clone())
        .collect();
    let destroyed_chain = holding
        .iter()
        .find(|e| e.signal == Signal::EvidenceDestroyed)
        .map(|e| e.chain.clone().unwrap_or_else(|| e.name.clone()));
    more_chains.sort();
    more_chains.dedup();
    Some(Classified {
        signal,
        signals,
        chain: (signal != Signal::Link)
            .then(|| entry.chain.clone())
            .flatten(),
        more_chains,
        destroyed_chain,
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
    if entry.holds(call) {
        entry.signal
    } else {
        Signal::Link
    }
}
