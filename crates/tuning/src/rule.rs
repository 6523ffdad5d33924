//! One compiled tuning rule and how it matches.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use glob::{MatchOptions, Pattern};
use ipnet::IpNet;
use revertwatch_detect::{Evidence, Incident};
use revertwatch_pack::Provider;

use crate::window::{Range, Recurring};

/// What a rule does to the incidents it applies to; neither removes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Hide the incident (it stays in JSON with `suppressed_by`).
    Suppress,
    /// Lower `escalate` to `review` (with `downgraded_by`).
    Downgrade,
}

impl Action {
    /// The action as tuning files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Suppress => "suppress",
            Action::Downgrade => "downgrade",
        }
    }
}

/// A glob that ignores case: `*` matches any run of characters, `/` and `:` included.
#[derive(Debug, Clone)]
pub struct Glob(Pattern);

const GLOB: MatchOptions = MatchOptions {
    case_sensitive: false,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl Glob {
    /// A glob, or why `s` is not one (in words for the tuning file's author).
    pub fn new(s: &str) -> Result<Glob, String> {
        Pattern::new(s)
            .map(Glob)
            .map_err(|e| format!("`{s}` is not a valid glob: {e}"))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the whole of `s` matches, case ignored.
    pub fn matches(&self, s: &str) -> bool {
        self.0.matches_with(s, GLOB)
    }
}

/// A source address test: a network, one address, or (for service names such as
/// `backup.amazonaws.com` that CloudTrail writes in place of an IP) a glob.
#[derive(Debug, Clone)]
pub enum Source {
    /// A network (a single address is a /32 or /128): matches addresses inside it.
    Net(IpNet),
    /// A glob on what CloudTrail writes in place of an address.
    Name(Glob),
}

impl Source {
    /// A network, an address or a name glob, or why `s` is none of them.
    pub fn new(s: &str) -> Result<Source, String> {
        if let Ok(net) = s.parse::<IpNet>() {
            return Ok(Source::Net(net));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Source::Net(IpNet::from(ip)));
        }
        if s.contains('/') {
            return Err(format!(
                "`{s}` is not a valid network (like 10.0.0.0/8 or 2001:db8::/32)"
            ));
        }
        Glob::new(s).map(Source::Name)
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            Source::Net(net) => value.parse::<IpAddr>().is_ok_and(|ip| net.contains(&ip)),
            Source::Name(g) => g.matches(value),
        }
    }
}

/// A tuning rule, checked when loaded. Empty criteria do not restrict.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique among the rules in force; incidents name it in `suppressed_by` / `downgraded_by`.
    pub name: String,
    /// Why the incidents it matches are benign; never empty.
    pub reason: String,
    /// What it does to an incident it applies to.
    pub action: Action,
    /// The last day it holds; from the day after, it matches nothing.
    pub expires: Option<NaiveDate>,
    /// Whether it is one of the built-ins.
    pub builtin: bool,
    /// `file:line` of the rule.
    pub origin: String,
    /// The clouds of the incident.
    pub provider: Vec<Provider>,
    /// The incident's account, subscription or project.
    pub account: Vec<Glob>,
    /// The incident's region, location or zone.
    pub region: Vec<Glob>,
    /// The incident's target instance or VM.
    pub target: Vec<Glob>,
    /// Matches the actor's id or the role its session was issued from.
    pub actor: Vec<Glob>,
    /// The caller's identity type (IAMUser, AssumedRole, ServicePrincipal...).
    pub actor_type: Vec<Glob>,
    /// The service acting for the caller; a call no service made never matches.
    pub invoked_by: Vec<Glob>,
    /// Where the call came from.
    pub source_ip: Vec<Source>,
    /// The caller's user agent.
    pub user_agent: Vec<Glob>,
    /// The operation, as the provider names it.
    pub operation: Vec<Glob>,
    /// `key=value` globs on tags and labels seen in the incident's calls.
    pub tag: Vec<(Glob, Glob)>,
    /// Weekly windows a call's time must fall in (any of them).
    pub windows: Vec<Recurring>,
    /// One-off ranges a call's time must fall in (any of them).
    pub between: Vec<Range>,
}

fn any(globs: &[Glob], value: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.matches(value))
}

impl Rule {
    /// Whether `today` is past the rule's last day.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// The incident-wide criteria: where it happened and on what.
    pub fn fits_incident(&self, i: &Incident) -> bool {
        (self.provider.is_empty() || self.provider.contains(&i.provider))
            && any(&self.account, &i.account)
            && any(&self.region, &i.region)
            && any(&self.target, &i.target)
    }

    /// The per-call criteria: who, from where, what, when.
    pub fn fits_call(&self, e: &Evidence) -> bool {
        let actor_ok = self.actor.is_empty()
            || self.actor.iter().any(|g| {
                g.matches(&e.actor) || e.session_issuer.as_deref().is_some_and(|s| g.matches(s))
            });
        let invoked_ok = self.invoked_by.is_empty()
            || e.invoked_by
                .as_deref()
                .is_some_and(|v| self.invoked_by.iter().any(|g| g.matches(v)));
        actor_ok
            && invoked_ok
            && any(&self.actor_type, &e.actor_type)
            && (self.source_ip.is_empty() || self.source_ip.iter().any(|s| s.matches(&e.source_ip)))
            && any(&self.user_agent, &e.user_agent)
            && any(&self.operation, &e.operation)
            && self.in_time(&e.time)
    }

    /// Whether the call carries a tag the rule asks for (true when it asks for none).
    pub fn tagged(&self, e: &Evidence) -> bool {
        self.tag.is_empty()
            || e.tags.iter().any(|(k, v)| {
                self.tag
                    .iter()
                    .any(|(gk, gv)| gk.matches(k) && gv.matches(v))
            })
    }

    fn in_time(&self, t: &DateTime<Utc>) -> bool {
        (self.windows.is_empty() || self.windows.iter().any(|w| w.contains(t)))
            && (self.between.is_empty() || self.between.iter().any(|r| r.contains(t)))
    }
}
