//! An estate with habits (issue 17, "the review queue drowns the analyst"): what a real fleet
//! does every day, laid over the background noise, so that a detector's review queue can be
//! measured against the seed search's rows on the same files.
//!
//! On every cloud: dev boxes that their owners stop each weekday evening and start each
//! weekday morning (each owner at their own hours, ±30 minutes a day, now and then forgetting
//! or staying away); prod servers on the cloud's scheduler; one patch night (a patching
//! identity stops and starts a patch group within an hour); Auto Scaling; a few one-off
//! stop/starts a day by the on-call people. On AWS also Data Lifecycle Manager's daily
//! cross-region snapshot copies, a person's weekly copies, and AWS Backup restore testing.
//! Six real reverts are planted over it (three on AWS, one on Azure, two on GCP), among them
//! one prepared the day before, one that deletes the replaced root volume, and one made by a
//! dev box's owner inside the box's own evening stop.
//!
//! Habit calls are fixed calls of the cloud's first container, like the schedulers' calls; they
//! draw from their own seeds, so the estate is the same whatever the size of the noise.

mod aws;
mod azure;
mod gcp;

use crate::plan::Plan;
use crate::rng::{derive, Rng};
use crate::setup::Setup;
use crate::time::{self, DAY, HOUR, MIN, SEC};

/// The habit cast every cloud's renderer appends to its own, indexed by `Who::Habit(k)`.
pub(crate) const PATCHER: u16 = 0;
/// The person who copies snapshots to the other region every week (AWS).
pub(crate) const COPIER: u16 = 1;
/// The two on-call people who stop and start a machine now and then.
pub(crate) const ONCALL: [u16; 2] = [2, 3];
/// The scheduler's own identity where the cloud's renderer has none yet (AWS Instance Scheduler v3).
pub(crate) const SCHEDULER: u16 = 4;
/// Owner `k` of a dev box is `Who::Habit(OWNER0 + k)`.
pub(crate) const OWNER0: u16 = 5;

/// The people of the estate, as `first.last`; owner `k` is `PEOPLE[k]`, the patcher, copier
/// and on-call people come after the owners.
pub(crate) const PEOPLE: [&str; 36] = [
    "priya.raman",
    "tomas.novak",
    "aisha.bello",
    "lukas.meier",
    "mei.tanaka",
    "omar.haddad",
    "sofia.rossi",
    "daniel.kim",
    "elena.petrova",
    "jonas.berg",
    "fatima.zahra",
    "liam.oconnor",
    "ana.silva",
    "noah.fischer",
    "yuki.sato",
    "carlos.mendes",
    "ines.dubois",
    "ravi.shankar",
    "hanna.larsen",
    "marco.bianchi",
    "zoe.walker",
    "arjun.mehta",
    "clara.schmidt",
    "ethan.brooks",
    "leila.nasser",
    "pavel.horak",
    "grace.okafor",
    "samuel.levi",
    "nina.kovac",
    "oscar.lind",
    "patch.bot",
    "r.kumar",
    "jane.doe",
    "sam.ortiz",
    "unused.a",
    "unused.b",
];

/// How many people of `PEOPLE` own a dev box, at most.
pub(crate) const MAX_OWNERS: usize = 30;

/// The login of habit `k` (`Who::Habit(k)`).
pub(crate) fn login(k: u16) -> &'static str {
    match k {
        PATCHER => PEOPLE[30],
        COPIER => PEOPLE[31],
        k if k == ONCALL[0] => PEOPLE[32],
        k if k == ONCALL[1] => PEOPLE[33],
        SCHEDULER => "scheduler",
        k => PEOPLE[(k - OWNER0) as usize % MAX_OWNERS],
    }
}

/// `Priya Raman` of `priya.raman`.
pub(crate) fn display(login: &str) -> String {
    login
        .split('.')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The size of a cloud's habit cast, given its number of dev-box owners.
pub(crate) fn cast_size(owners: usize) -> usize {
    OWNER0 as usize + owners.min(MAX_OWNERS)
}

/// The habit cast the AWS renderer builds: none unless the run has habits.
pub(crate) fn aws_cast(setup: &Setup) -> usize {
    if setup.opts.habits {
        cast_size(aws::OWNERS)
    } else {
        0
    }
}

/// The habit cast the Azure renderer appends to its identities.
pub(crate) fn azure_cast(setup: &Setup) -> usize {
    if setup.opts.habits {
        cast_size(azure::OWNERS)
    } else {
        0
    }
}

/// The habit cast the GCP renderer appends to its principals.
pub(crate) fn gcp_cast(setup: &Setup) -> usize {
    if setup.opts.habits {
        cast_size(gcp::OWNERS)
    } else {
        0
    }
}

/// A power change at a time: `start` or stop (or deallocate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Toggle {
    pub t: i64,
    pub start: bool,
}

/// The days of the run: midnight of each UTC day that overlaps `[start, end)`.
pub(crate) fn days(setup: &Setup) -> Vec<i64> {
    let mut out = Vec::new();
    let mut d = setup.start.div_euclid(DAY) * DAY;
    while d < setup.end {
        out.push(d);
        d += DAY;
    }
    out
}

/// Up to `n` seconds either side, in whole seconds.
pub(crate) fn jitter(r: &mut Rng, n: i64) -> i64 {
    (r.below(2 * n as u64 + 1) as i64 - n) * SEC
}

/// A dev box's owner: stops it on weekday evenings and starts it on weekday mornings, each at
/// the owner's own hour ±30 minutes; forgets to stop it now and then, and now and then does not
/// come in (the box stays stopped until the next working morning).
pub(crate) fn owner_toggles(r: &mut Rng, days: &[i64], start: i64, end: i64) -> Vec<Toggle> {
    let morning = 7 * HOUR + 30 * MIN + r.below(120) as i64 * MIN;
    let evening = 17 * HOUR + r.below(150) as i64 * MIN;
    let mut running = false;
    let mut out = Vec::new();
    for &d in days {
        if time::weekday(d) >= 5 {
            continue;
        }
        let away = r.chance(0.05);
        let forgets = r.chance(0.08);
        let (m, e) = (jitter(r, 30 * 60), jitter(r, 30 * 60));
        if !running && !away {
            out.push(Toggle {
                t: d + morning + m,
                start: true,
            });
            running = true;
        }
        if running && !forgets && !away {
            out.push(Toggle {
                t: d + evening + e,
                start: false,
            });
            running = false;
        }
    }
    out.retain(|x| x.t >= start && x.t < end);
    out
}

/// The day of the patch night: the first weekday at or after the middle of the run.
pub(crate) fn patch_day(days: &[i64]) -> Option<i64> {
    days[days.len() / 2..]
        .iter()
        .copied()
        .find(|d| time::weekday(*d) < 5)
}

/// The weekday `k` days into the run, or the next one.
pub(crate) fn weekday_at(days: &[i64], k: usize) -> Option<i64> {
    days.get(k.min(days.len().saturating_sub(1))..)?
        .iter()
        .copied()
        .find(|d| time::weekday(*d) < 5)
}

/// The habits of every enabled cloud, and (when scenarios are planted) their reverts.
/// Fixed calls of one cloud's habits, by container and scope.
pub(crate) type Out = Vec<(
    crate::options::Container,
    usize,
    crate::emit::Fixed<crate::plan::Call>,
)>;

/// Adds `call` at time `t` in scope `at`.
pub(crate) fn add_fixed(
    out: &mut Out,
    at: (crate::options::Container, usize),
    t: i64,
    call: crate::plan::Call,
) {
    out.push((at.0, at.1, crate::emit::Fixed { t, call }));
}

pub(crate) fn build(setup: &Setup, plan: &mut Plan) {
    let seed = derive(setup.opts.seed, "habits", 0);
    aws::build(setup, plan, derive(seed, "aws", 0));
    azure::build(setup, plan, derive(seed, "azure", 0));
    gcp::build(setup, plan, derive(seed, "gcp", 0));
}
