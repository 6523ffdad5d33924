//! After a soak: nothing lost, nothing duplicated, the same incidents as `hunt`, flat memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::report::{read_report, Report};
use crate::Fallible;

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// serve's base URL (for /incidents).
    #[arg(long)]
    hec: String,
    /// Read /incidents from this file (saved from a finished run) instead of asking serve.
    #[arg(long)]
    incidents: Option<PathBuf>,
    #[arg(long)]
    token: String,
    /// `revertwatch hunt --format jsonl` of the same corpus.
    #[arg(long)]
    hunt: PathBuf,
    /// The corpus's ground-truth.jsonl.
    #[arg(long)]
    truth: PathBuf,
    /// The alerts file serve wrote.
    #[arg(long)]
    alerts: PathBuf,
    /// The run's report (for the RSS samples).
    #[arg(long)]
    report: PathBuf,
    /// The feed that was sent (to tell phantom alerts by their records).
    #[arg(long)]
    feed: PathBuf,
    /// How much RSS may grow and still count as flat: the last minute's mean over the second
    /// minute's (the first is warm-up), the last simulated day's peak over the second day's,
    /// and the drift over the run once the calls held are taken out (see memory.rs).
    #[arg(long, default_value_t = 0.10)]
    rss_tolerance: f64,
    /// serve's --keep-closed. When the run spans more, serve forgets closed incidents that
    /// ended longer than this before their partition's newest call, as it should; every
    /// incident that ended within it of the newest record must be in /incidents. (A partition's
    /// newest call is never newer than the newest record, so serve forgets nothing inside.)
    #[arg(long, value_parser = crate::parse_duration)]
    keep_closed: Option<Duration>,
}

fn jsonl(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

type Verdict = (String, String, String);

/// What an incident is judged to be, as the acceptance criteria compare it.
fn verdicts(incidents: &[Value]) -> BTreeSet<Verdict> {
    incidents
        .iter()
        .map(|i| (s(i, "incident_id"), s(i, "severity"), s(i, "suppressed_by")))
        .collect()
}

/// What the soak left behind, read once.
struct Soak {
    served: Vec<Value>,
    hunted: Vec<Value>,
    truth: Vec<Value>,
    alerts: Vec<Value>,
    feed: crate::feed::Feed,
    /// Incidents whose last call is older than this may be forgotten; newer ones must be held.
    forget_before: Option<i64>,
}

impl Soak {
    fn may_forget(&self, i: &Value) -> bool {
        self.forget_before.is_some_and(|line| {
            chrono::DateTime::parse_from_rfc3339(&s(i, "last_seen"))
                .is_ok_and(|t| t.timestamp_nanos_opt().is_some_and(|t| t < line))
        })
    }
}

/// The table being filled: one row per check (what, what was found, passed), and the
/// failures worth naming one by one.
#[derive(Default)]
struct Checks {
    rows: Vec<(String, String, bool)>,
    failures: Vec<String>,
}

pub fn verify(args: VerifyArgs) -> Fallible<()> {
    let feed = crate::feed::Feed::read(&args.feed)?;
    let forget_before = args.keep_closed.and_then(|k| {
        let newest = feed.records.last()?.time_ns;
        let line = newest - k.as_nanos() as i64;
        (line > feed.records.first()?.time_ns).then_some(line)
    });
    let soak = Soak {
        served: served(&args)?,
        hunted: jsonl(&std::fs::read(&args.hunt)?),
        truth: jsonl(&std::fs::read(&args.truth)?),
        alerts: jsonl(&std::fs::read(&args.alerts)?),
        feed,
        forget_before,
    };
    let mut c = Checks::default();
    let extra = same_incidents(&mut c, &soak, args.keep_closed);
    planted(&mut c, &soak);
    alerted(&mut c, &soak);
    phantoms(&mut c, &soak, &extra);
    strays(&mut c, &soak);
    let report = read_report(&args.report)?;
    let fill = crate::memory::fill_days(args.keep_closed, &soak.feed);
    rss_flat(&mut c, &report, &soak.feed, fill, args.rss_tolerance);
    let (memory_rows, days) = crate::memory::checks(&report, &soak.feed, args.rss_tolerance, fill);
    c.rows.extend(memory_rows);
    let lost = report.hec_records_lost + report.nats_publish_failed;
    c.rows.push((
        "records the driver could not hand over (HEC non-2xx other than the planted 400s, failed publishes)".into(),
        lost.to_string(),
        lost == 0,
    ));
    c.rows.push((
        "serve drained everything (JetStream lag 0, no alert pending) after sending".into(),
        report.drained.to_string(),
        report.drained,
    ));

    crate::memory::print_checks(&c.rows, &days);
    for f in &c.failures {
        eprintln!("load: verify: {f}");
    }
    if c.rows.iter().all(|r| r.2) {
        Ok(())
    } else {
        Err("the soak failed a check (see the table)".into())
    }
}

/// `/incidents`, from serve or from the file it was saved to.
fn served(args: &VerifyArgs) -> Fallible<Vec<Value>> {
    if let Some(file) = &args.incidents {
        return Ok(jsonl(&std::fs::read(file)?));
    }
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut reply = agent
        .get(format!("{}/incidents", args.hec))
        .header("Authorization", &format!("Splunk {}", args.token))
        .call()?;
    if reply.status() != 200 {
        return Err(format!("/incidents answered HTTP {}", reply.status()).into());
    }
    Ok(jsonl(&reply.body_mut().read_to_vec()?))
}

/// `/incidents` against `hunt`, but for what serve may have forgotten. Returns the incidents
/// serve has and hunt does not.
fn same_incidents(c: &mut Checks, soak: &Soak, keep_closed: Option<Duration>) -> Vec<Verdict> {
    let (sv, hv) = (verdicts(&soak.served), verdicts(&soak.hunted));
    let forgettable = verdicts(
        &soak
            .hunted
            .iter()
            .filter(|i| soak.may_forget(i))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let missing: Vec<_> = hv
        .difference(&sv)
        .filter(|v| !forgettable.contains(*v))
        .collect();
    let forgotten = hv.difference(&sv).count() - missing.len();
    let extra: Vec<Verdict> = sv.difference(&hv).cloned().collect();
    c.rows.push((
        match keep_closed {
            Some(k) if soak.forget_before.is_some() => format!(
                "`/incidents` = `hunt --format jsonl` (incident_id, severity, suppressed_by), but for incidents that ended more than --keep-closed {} before the newest record, which serve may have forgotten",
                humantime::format_duration(k)
            ),
            _ => "`/incidents` = `hunt --format jsonl` (incident_id, severity, suppressed_by)".into(),
        },
        format!(
            "{} served, {} hunted; {} missing, {} extra{}",
            sv.len(),
            hv.len(),
            missing.len(),
            extra.len(),
            if soak.forget_before.is_some() {
                format!("; {forgotten} older ones forgotten as --keep-closed says")
            } else {
                String::new()
            }
        ),
        missing.is_empty() && extra.is_empty(),
    ));
    if soak.forget_before.is_some() {
        // Forgetting is what keeps state bounded: a run past --keep-closed must show some.
        c.rows.push((
            "serve forgets closed incidents past --keep-closed (some of those `hunt` finds older than it are gone from `/incidents`)".into(),
            format!("{forgotten} of {} forgotten", forgettable.len()),
            forgettable.is_empty() || forgotten > 0,
        ));
    }
    for m in missing.iter().take(5) {
        c.failures.push(format!("hunt has {m:?}, serve does not"));
    }
    for x in extra.iter().take(5) {
        c.failures.push(format!("serve has {x:?}, hunt does not"));
    }
    extra
}

/// Every planted scenario found as ground truth says.
fn planted(c: &mut Checks, soak: &Soak) {
    let by_target: BTreeMap<String, &Value> =
        soak.served.iter().map(|i| (s(i, "target"), i)).collect();
    // A planted scenario serve has forgotten is judged on hunt's incident, the same detection.
    let forgotten_by_target: BTreeMap<String, &Value> = soak
        .hunted
        .iter()
        .filter(|i| soak.may_forget(i))
        .map(|i| (s(i, "target"), i))
        .collect();
    let mut found = 0;
    let mut found_forgotten = 0;
    for t in &soak.truth {
        let want = |k: &str, got: &Value| s(t, k) == s(got, k);
        let matches = |i: &&Value| {
            s(i, "severity") == s(t, "expected_severity")
                && i["chains"] == t["expected_chains"]
                && want("account", i)
                && s(i, "suppressed_by") == s(t, "expected_suppressed_by")
        };
        let target = s(t, "target");
        let ok = match by_target.get(&target) {
            Some(i) => matches(i),
            None => {
                let old = forgotten_by_target.get(&target).is_some_and(matches);
                found_forgotten += usize::from(old);
                old
            }
        };
        if ok {
            found += 1;
        } else {
            c.failures.push(format!(
                "planted {} ({}) is not in /incidents as ground truth says",
                s(t, "id"),
                s(t, "target")
            ));
        }
    }
    c.rows.push((
        "every planted scenario (ground-truth.jsonl) in `/incidents`, with its severity, chains, account and suppression (or, once forgotten after --keep-closed, in `hunt`)".into(),
        format!(
            "{found} of {}{}",
            soak.truth.len(),
            if found_forgotten > 0 {
                format!(" ({found_forgotten} of them forgotten by serve, found in hunt)")
            } else {
                String::new()
            }
        ),
        found == soak.truth.len() && !soak.truth.is_empty(),
    ));
}

/// Each alert once; every live incident alerted in its final severity; no quiet one alerted.
fn alerted(c: &mut Checks, soak: &Soak) {
    let (alerts, hunted) = (&soak.alerts, &soak.hunted);
    let mut ids = BTreeSet::new();
    let repeated = alerts
        .iter()
        .filter(|a| !ids.insert(s(a, "alert_id")))
        .count();
    c.rows.push((
        "no alert_id twice in the alerts file".into(),
        format!("{} alerts, {repeated} repeated", alerts.len()),
        repeated == 0,
    ));
    let alerted: BTreeSet<(String, String)> = alerts
        .iter()
        .map(|a| (s(a, "incident_id"), s(a, "severity")))
        .collect();
    let live: Vec<&Value> = hunted
        .iter()
        .filter(|i| i["suppressed_by"].is_null() && s(i, "severity") != "none")
        .collect();
    let unalerted: Vec<String> = live
        .iter()
        .filter(|i| !alerted.contains(&(s(i, "incident_id"), s(i, "severity"))))
        .map(|i| s(i, "incident_id"))
        .collect();
    c.rows.push((
        "every live incident of `hunt` alerted in its final severity".into(),
        format!("{} live, {} not alerted", live.len(), unalerted.len()),
        unalerted.is_empty(),
    ));
    // The rest of the whole run, forgotten by serve or not: what `hunt` suppresses or rates
    // below review was never alerted under its id.
    let alerted_ids: BTreeSet<String> = alerts.iter().map(|a| s(a, "incident_id")).collect();
    let quiet: Vec<&Value> = hunted
        .iter()
        .filter(|i| !i["suppressed_by"].is_null() || s(i, "severity") == "none")
        .collect();
    let wrongly_alerted: Vec<String> = quiet
        .iter()
        .map(|i| s(i, "incident_id"))
        .filter(|id| alerted_ids.contains(id))
        .collect();
    c.rows.push((
        "no alert for an incident `hunt` suppresses or rates below review".into(),
        format!(
            "{} suppressed or below review, {} alerted",
            quiet.len(),
            wrongly_alerted.len()
        ),
        wrongly_alerted.is_empty(),
    ));
    for w in wrongly_alerted.iter().take(5) {
        c.failures.push(format!(
            "incident {w} was alerted, and hunt suppresses it or rates it none"
        ));
    }
    for u in unalerted.iter().take(5) {
        c.failures.push(format!(
            "incident {u} was never alerted in its final severity"
        ));
    }
}

fn event_ids(a: &Value) -> Vec<String> {
    a["event_ids"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Alerts, and extra incidents, made only of later phases of calls serve already closed.
fn phantoms(c: &mut Checks, soak: &Soak, extra: &[Verdict]) {
    let feed = &soak.feed;
    let keyed: Vec<(String, Vec<String>)> = soak
        .alerts
        .iter()
        .map(|a| (s(a, "incident_id"), event_ids(a)))
        .collect();
    let index = feed.index(feed.records.len());
    let later_only = |events: &[String]| {
        !events.is_empty()
            && events.iter().all(|e| {
                index
                    .get(e.as_str())
                    .is_some_and(|i| crate::feed::later_phase(feed.json(*i)))
            })
    };
    let phantom = crate::report::phantoms(
        feed,
        &index,
        keyed.iter().map(|(i, e)| (i.as_str(), &e[..])),
    );
    let phantoms = phantom.iter().filter(|p| **p).count();
    c.rows.push((
        "phantom alerts: an incident made only of later phases (Azure Accept/Success, GCP `last`) or of events already alerted in another incident".into(),
        phantoms.to_string(),
        phantoms == 0,
    ));
    let phantom_extra = extra
        .iter()
        .filter(|v| {
            soak.served
                .iter()
                .find(|i| s(i, "incident_id") == v.0)
                .is_some_and(|i| later_only(&event_ids(i)))
        })
        .count();
    c.rows.push((
        "of the extra incidents in `/incidents`, those made only of later phases".into(),
        format!("{phantom_extra} of {}", extra.len()),
        phantom_extra == 0,
    ));
}

/// An alert on a partial incident is replaced when the incident grows under another id: the
/// later alert lists it in `supersedes`. Those are accounted for; any other alert for an
/// incident `hunt` does not have is not.
fn strays(c: &mut Checks, soak: &Soak) {
    let hunted_ids: BTreeSet<String> = soak.hunted.iter().map(|i| s(i, "incident_id")).collect();
    let superseded: BTreeSet<String> = soak
        .alerts
        .iter()
        .flat_map(|a| a["supersedes"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let not_hunted: Vec<&Value> = soak
        .alerts
        .iter()
        .filter(|a| !hunted_ids.contains(&s(a, "incident_id")))
        .collect();
    let strays = not_hunted
        .iter()
        .filter(|a| !superseded.contains(&s(a, "incident_id")))
        .count();
    c.rows.push((
        "alerts for incidents `hunt` does not have, and that no later alert supersedes".into(),
        format!(
            "{strays} (besides {} superseded by a later alert as their incident grew)",
            not_hunted.len() - strays
        ),
        strays == 0,
    ));
}

/// RSS over one stretch of the run: (sum, lowest, highest, samples), in MB.
fn rss_over(report: &Report, from: f64, to: f64) -> (f64, f64, f64, usize) {
    report
        .samples
        .iter()
        .filter(|x| x.t_s >= from && x.t_s <= to && x.rss_kb > 0)
        .map(|x| x.rss_kb as f64 / 1024.0)
        .fold((0.0f64, f64::MAX, 0.0f64, 0usize), |(sum, lo, hi, n), v| {
            (sum + v, lo.min(v), hi.max(v), n + 1)
        })
}

fn mean(sum: f64, n: usize) -> f64 {
    sum / n.max(1) as f64
}

/// The strict memory check: the last minute's mean RSS within tolerance of a minute once
/// state has filled.
fn rss_flat(c: &mut Checks, report: &Report, feed: &crate::feed::Feed, fill: i64, tolerance: f64) {
    // The first minute warms up; when serve forgets closed incidents within the run, state
    // grows until --keep-closed has passed, so the comparison starts once it has.
    let filled_s = crate::memory::days(report, feed)
        .iter()
        .find(|d| d.day >= fill)
        .map_or(60.0, |d| d.from_s.max(60.0));
    let (f_sum, f_lo, f_hi, f_n) = rss_over(report, 0.0, 60.0);
    let (w_sum, w_lo, w_hi, w_n) = rss_over(report, filled_s, filled_s + 60.0);
    let (l_sum, l_lo, l_hi, l_n) = rss_over(report, report.send_s - 60.0, report.send_s);
    // The two minutes must not overlap, or the check compares a minute with itself.
    let apart = filled_s + 60.0 <= report.send_s - 60.0;
    let flat =
        apart && w_n > 0 && l_n > 0 && mean(l_sum, l_n) <= mean(w_sum, w_n) * (1.0 + tolerance);
    let span = |lo: f64, hi: f64, sum: f64, n: usize| {
        format!(
            "{:.0}–{:.0} MB (mean {:.0})",
            if n > 0 { lo } else { 0.0 },
            hi,
            mean(sum, n)
        )
    };
    let judged = if w_n == 0 || !apart {
        "the run is too short to judge (it needs two minutes after state filled): ".to_string()
    } else {
        String::new()
    };
    c.rows.push((
        format!(
            "RSS flat (strict): last minute's mean within {:.0} % of the first minute's after warm-up and state filled (from {filled_s:.0} s)",
            tolerance * 100.0
        ),
        format!(
            "{judged}first minute {}; from {filled_s:.0} s {}; last minute {}",
            span(f_lo, f_hi, f_sum, f_n),
            span(w_lo, w_hi, w_sum, w_n),
            span(l_lo, l_hi, l_sum, l_n)
        ),
        flat,
    ));
}
