//! Applying tuning to incidents.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use revertwatch_detect::{Incident, Severity};

use crate::config::Tuning;
use crate::rule::{Action, Rule};

/// How one rule fared over a hunt.
#[derive(Debug, Clone)]
pub struct RuleUse {
    /// The rule's name, as in `suppressed_by`.
    pub name: String,
    /// What the rule does to an incident it applies to.
    pub action: Action,
    /// Why the matched incidents are benign, as the rule states it.
    pub reason: String,
    /// Whether the rule is one of the built-ins.
    pub builtin: bool,
    /// `file:line` of the rule.
    pub origin: String,
    /// Whether the rule had expired on the day of the hunt; an expired rule applied to nothing.
    pub expired: bool,
    /// Incidents it suppressed or downgraded.
    pub applied: usize,
    /// Incidents it matched in part, and so left live.
    pub refused: usize,
}

/// What applying the tuning did, rule by rule, in the order the rules were tried.
#[derive(Debug, Default)]
pub struct Applied {
    /// One entry per rule in force, expired ones included.
    pub uses: Vec<RuleUse>,
}

impl Applied {
    /// Incidents suppressed, over all rules.
    pub fn suppressed(&self) -> usize {
        self.count(Action::Suppress)
    }

    /// Incidents downgraded from `escalate` to `review`, over all rules.
    pub fn downgraded(&self) -> usize {
        self.count(Action::Downgrade)
    }

    fn count(&self, action: Action) -> usize {
        self.uses
            .iter()
            .filter(|u| u.action == action)
            .map(|u| u.applied)
            .sum()
    }
}

enum Verdict {
    Applies,
    /// Some calls fit, others do not: the note says which.
    Partial(String),
    No,
}

/// Marks incidents with `suppressed_by` / `downgraded_by`; never removes one. Rules are tried
/// in order (the user's first, then built-ins); suppression wins over downgrading.
pub fn apply(incidents: &mut [Incident], tuning: &Tuning, today: NaiveDate) -> Applied {
    let mut uses: Vec<RuleUse> = tuning
        .rules
        .iter()
        .map(|r| RuleUse {
            name: r.name.clone(),
            action: r.action,
            reason: r.reason.clone(),
            builtin: r.builtin,
            origin: r.origin.clone(),
            expired: r.is_expired(today),
            applied: 0,
            refused: 0,
        })
        .collect();
    for incident in incidents.iter_mut() {
        for action in [Action::Suppress, Action::Downgrade] {
            for (n, rule) in tuning.rules.iter().enumerate() {
                if rule.action != action || uses[n].expired {
                    continue;
                }
                match verdict(rule, incident) {
                    Verdict::Applies => match action {
                        Action::Suppress if incident.suppressed_by.is_none() => {
                            incident.suppressed_by = Some(rule.name.clone());
                            uses[n].applied += 1;
                        }
                        Action::Downgrade
                            if incident.downgraded_by.is_none()
                                && incident.suppressed_by.is_none()
                                && incident.severity == Severity::Escalate =>
                        {
                            incident.severity = Severity::Review;
                            incident.downgraded_by = Some(rule.name.clone());
                            uses[n].applied += 1;
                        }
                        _ => {}
                    },
                    Verdict::Partial(note) => {
                        uses[n].refused += 1;
                        incident.tuning_notes.push(note);
                    }
                    Verdict::No => {}
                }
            }
        }
    }
    Applied { uses }
}

fn verdict(rule: &Rule, incident: &Incident) -> Verdict {
    if !rule.fits_incident(incident) {
        return Verdict::No;
    }
    // The identities the rule vouches for: callers of calls that fit it (and carry its tag).
    let vouched: BTreeSet<&str> = incident
        .evidence
        .iter()
        .filter(|e| rule.fits_call(e) && rule.tagged(e))
        .map(|e| e.actor.as_str())
        .collect();
    if vouched.is_empty() {
        return Verdict::No;
    }
    let outside: Vec<String> = incident
        .evidence
        .iter()
        .filter(|e| !(rule.fits_call(e) && vouched.contains(e.actor.as_str())))
        .map(|e| {
            format!(
                "{} by {}",
                e.operation,
                if e.actor.is_empty() {
                    "an unknown actor"
                } else {
                    &e.actor
                }
            )
        })
        .collect();
    if outside.is_empty() {
        return Verdict::Applies;
    }
    let mut outside = outside;
    outside.dedup();
    Verdict::Partial(format!(
        "not {} by `{}`: {} of {} calls are outside it ({})",
        match rule.action {
            Action::Suppress => "suppressed",
            Action::Downgrade => "downgraded",
        },
        rule.name,
        outside.len(),
        incident.evidence.len(),
        outside.join("; ")
    ))
}
