//! Where a call lands: the machines its subjects reach and when each was reached (the
//! anchor), or else its subjects themselves.

use chrono::{DateTime, Utc};
use revertwatch_normalize::ApiCall;
use std::time::Duration;

use crate::graph::{node, Graph, Node};

/// A target a call lands on: the node, its kind, the relation of the hop that reached it, and
/// the anchor time its cluster is placed at.
pub(crate) type Landing = (Node, String, Option<String>, DateTime<Utc>);

/// The machines the call's subjects reach, each at its anchor time. A subject that reaches
/// machines only more than `reach` (the horizon's) after the call is also its own target: a
/// time-ordered detector has settled it alone by the time the anchor comes, so the batch
/// detector reports that lone incident too, and the two agree on the set of calls.
pub(crate) fn targets(
    call: &ApiCall,
    graph: &Graph,
    window: Duration,
    hops: usize,
    reach: chrono::Duration,
) -> Vec<Landing> {
    let mut out = Vec::new();
    let mut lone = Vec::new();
    for subject in &call.subjects {
        let start = node(call, subject, None);
        let found = graph.reach(&start, call.time, window, hops);
        if !found.is_empty() && found.iter().all(|(_, _, at)| *at - call.time > reach) {
            lone.push((start, subject.kind.clone(), None, call.time));
        }
        for (reached, via, at) in found {
            let kind = graph.kind(&reached).unwrap_or(&subject.kind).to_string();
            out.push((reached, kind, via, at));
        }
    }
    if out.is_empty() {
        match call.subjects.first() {
            Some(s) => out.push((node(call, s, None), s.kind.clone(), None, call.time)),
            // A call that names nothing it made (a failed create, an async import): key it by
            // its own event so that it is still shown.
            None => out.push((
                (
                    call.provider,
                    String::new(),
                    format!("{}:{}", call.operation, call.event_id),
                ),
                "call".into(),
                None,
                call.time,
            )),
        }
    }
    out.extend(lone);
    out.sort();
    out.dedup();
    out
}
