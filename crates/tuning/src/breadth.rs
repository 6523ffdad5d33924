//! What a rule can leave out. A rule none of whose criteria can exclude an incident silences
//! everything in its reach (`provider = "aws"` alone, `actor = "*"`, `source_ip = "0.0.0.0/0"`,
//! a window of the whole week); one that vouches only through fields the caller writes itself
//! (a user agent, a tag, a role session name) silences whatever an attacker dresses up to
//! match. Both are refused at load unless the rule says so out loud.

use chrono::{Duration, NaiveTime};

use crate::rule::{Glob, Rule, Source};

/// How far a rule reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Breadth {
    /// At least one criterion the caller cannot choose can exclude an incident.
    Narrow,
    /// No criterion can exclude an incident.
    Everything,
    /// Only criteria the caller chooses can exclude an incident: these.
    CallerChosen(Vec<&'static str>),
}

pub(crate) fn breadth(rule: &Rule) -> Breadth {
    // A provider only scopes a rule: `provider = "aws"` alone is every AWS incident.
    let trusted = [
        ("account", narrows(&rule.account)),
        ("region", narrows(&rule.region)),
        ("target", narrows(&rule.target)),
        (
            "actor",
            narrows(&rule.actor) && !rule.actor.iter().all(session_only),
        ),
        ("actor_type", narrows(&rule.actor_type)),
        ("invoked_by", narrows(&rule.invoked_by)),
        ("source_ip", narrows_sources(&rule.source_ip)),
        ("operation", narrows(&rule.operation)),
        ("window", narrows_windows(rule)),
        ("between", narrows_ranges(rule)),
    ];
    if trusted.iter().any(|(_, n)| *n) {
        return Breadth::Narrow;
    }
    let chosen: Vec<&'static str> = [
        ("user_agent", narrows(&rule.user_agent)),
        (
            "tag",
            !rule.tag.is_empty() && !rule.tag.iter().any(|(k, v)| all_stars(k) && all_stars(v)),
        ),
        ("actor (a role session name)", narrows(&rule.actor)),
    ]
    .into_iter()
    .filter(|(_, n)| *n)
    .map(|(name, _)| name)
    .collect();
    if chosen.is_empty() {
        Breadth::Everything
    } else {
        Breadth::CallerChosen(chosen)
    }
}

fn all_stars(g: &Glob) -> bool {
    g.as_str().chars().all(|c| c == '*')
}

/// A criterion narrows when it is given and none of its patterns matches everything.
fn narrows(globs: &[Glob]) -> bool {
    !globs.is_empty() && !globs.iter().any(all_stars)
}

fn narrows_sources(sources: &[Source]) -> bool {
    !sources.is_empty()
        && !sources.iter().any(|s| match s {
            Source::Net(net) => net.prefix_len() == 0,
            Source::Name(g) => all_stars(g),
        })
}

/// A window narrows unless one of them is every day, all day.
fn narrows_windows(rule: &Rule) -> bool {
    let whole_day = NaiveTime::from_hms_opt(23, 59, 0).expect("a time");
    !rule.windows.is_empty()
        && !rule.windows.iter().any(|w| {
            let every_day = w.days.is_empty() || w.days.len() >= 7;
            let all_day = w.start == NaiveTime::MIN && w.end >= whole_day;
            every_day && all_day
        })
}

/// A `between` is for a change window; one of a year or more is no window at all.
fn narrows_ranges(rule: &Rule) -> bool {
    !rule.between.is_empty()
        && rule
            .between
            .iter()
            .all(|r| r.to - r.from < Duration::days(366))
}

/// An actor glob that names no role, only the session part of an assumed-role ARN
/// (`arn:aws:sts::*:assumed-role/*/ci-*`): the caller names its own session.
fn session_only(g: &Glob) -> bool {
    let s = g.as_str();
    let Some((_, after)) = s.split_once("assumed-role/") else {
        return false;
    };
    match after.split_once('/') {
        Some((role, session)) => {
            role.chars().all(|c| c == '*') && !session.chars().all(|c| c == '*')
        }
        None => false,
    }
}
