//! What an incident says about its machine's life, in words, for every format a person reads
//! (table, HTML, `--explain`): whether it was new, how long it was down, and why a reset is
//! routine. Every string here may hold log-derived text: the caller escapes for its medium.

use revertwatch_detect::Incident;
use revertwatch_normalize::format_time;

/// One line per fact, each starting with its label (`new machine`, `downtime`, `routine`).
pub fn notes(i: &Incident) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if i.new_machine {
        out.push((
            "new machine",
            "launched in this incident by the identity that restored onto it: a review at most"
                .to_string(),
        ));
    }
    if let Some(d) = &i.downtime {
        let periods = d.periods.len();
        out.push((
            "downtime",
            format!(
                "{} ({} seconds) over {periods} stopped period{}",
                d.human,
                d.seconds,
                if periods == 1 { "" } else { "s" }
            ),
        ));
    }
    if let Some(r) = &i.routine {
        out.push((
            "routine",
            format!(
                "{} reset it on {} earlier days at about this time since {} ({})",
                r.actor,
                r.times_seen,
                format_time(&r.first_seen),
                r.usual_hours.join("; ")
            ),
        ));
    }
    out
}

/// Why the incident has the severity it has, beyond its score: `new machine`, `routine`.
pub fn qualifier(i: &Incident) -> Option<&'static str> {
    if i.routine.is_some() {
        Some("routine")
    } else if i.new_machine {
        Some("new machine")
    } else {
        None
    }
}
