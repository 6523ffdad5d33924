//! The review queue on an estate with habits (issue 17, item 8): `simulate --habits` writes
//! days of a fleet that stops its dev boxes every evening, runs schedulers, patches one night,
//! copies snapshots and tests its backups, with six real reverts planted; `hunt` reads it
//! through the binary, and the seed search (`--rules seed-spl`) tables its rows on the same
//! files. The target: every planted revert escalates, nothing else escalates, and the live
//! review items (severity review, not suppressed, not info) are at most a tenth of the seed's
//! rows. That target is held on a quarter (90 days): a habit needs three earlier days before it
//! is routine, so the first days of every rhythm stay reviews, and on a fortnight they are a
//! third of the queue. `scripts/review-queue` prints the same figures for any seed and length.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;
use support::{hunt_jsonl, revertwatch};

/// What an analyst would face, measured once for the tests of this file.
#[derive(Debug)]
struct Queue {
    days: &'static str,
    planted: Vec<String>,
    /// planted reverts without an escalation on their target
    missed: Vec<String>,
    /// escalations beyond one per planted target
    other_escalations: Vec<String>,
    reviews: usize,
    info: usize,
    suppressed: usize,
    seed_rows: usize,
}

impl Queue {
    fn ratio(&self) -> f64 {
        self.reviews as f64 / self.seed_rows.max(1) as f64
    }

    fn figures(&self) -> String {
        format!(
            "review queue ({} days, habits): planted reverts escalated {}/{}; other escalations {}; \
             live reviews {}; info {}; suppressed {}; seed-spl rows {}; reviews/seed rows {:.1} %",
            self.days,
            self.planted.len() - self.missed.len(),
            self.planted.len(),
            self.other_escalations.len(),
            self.reviews,
            self.info,
            self.suppressed,
            self.seed_rows,
            100.0 * self.ratio()
        )
    }
}

/// Fourteen days, as the issue's own estate.
fn fortnight() -> &'static Queue {
    static QUEUE: OnceLock<Queue> = OnceLock::new();
    QUEUE.get_or_init(|| measure("14", "20MB"))
}

/// Ninety days: the months an analyst hunts.
fn quarter() -> &'static Queue {
    static QUEUE: OnceLock<Queue> = OnceLock::new();
    QUEUE.get_or_init(|| measure("90", "130MB"))
}

fn measure(days: &'static str, size: &str) -> Queue {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate");
    let o = out.to_str().unwrap();
    let sim = revertwatch(
        &[
            "simulate", "--habits", "--out", o, "--days", days, "--size", size,
        ],
        None,
    );
    sim.expect_code(0);
    let truth: Vec<Value> = std::fs::read_to_string(out.join("ground-truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logs: Vec<PathBuf> = ["aws", "aws-jsonl", "azure", "gcp"]
        .iter()
        .map(|d| out.join(d))
        .collect();
    let paths: Vec<&std::path::Path> = logs.iter().map(PathBuf::as_path).collect();
    let hunt = hunt_jsonl(&paths, &[]);
    hunt.expect_code(0);
    assert!(hunt.stderr.contains("0 skipped"), "{}", hunt.stderr);
    let seed = hunt_jsonl(&paths, &["--rules", "seed-spl"]);
    seed.expect_code(0);
    let incidents = hunt.jsonl();

    let mut escalated: BTreeMap<&str, usize> = BTreeMap::new();
    for i in incidents.iter().filter(|i| i["severity"] == "escalate") {
        *escalated.entry(i["target"].as_str().unwrap()).or_default() += 1;
    }
    let planted: Vec<String> = truth
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    assert!(
        truth.iter().all(|t| t["expected_severity"] == "escalate"),
        "the estate plants only reverts"
    );
    let missed = truth
        .iter()
        .filter(|t| !escalated.contains_key(t["target"].as_str().unwrap()))
        .map(|t| format!("{} on {}", t["id"], t["target"]))
        .collect();
    let other_escalations = escalated
        .iter()
        .flat_map(|(target, n)| {
            let allowed = usize::from(planted.iter().any(|p| p == target));
            std::iter::repeat_n(target.to_string(), n.saturating_sub(allowed))
        })
        .collect();
    let live = |i: &&Value| i["suppressed_by"].is_null();
    Queue {
        days,
        planted,
        missed,
        other_escalations,
        reviews: incidents
            .iter()
            .filter(live)
            .filter(|i| i["severity"] == "review")
            .count(),
        info: incidents.iter().filter(|i| i["severity"] == "info").count(),
        suppressed: incidents
            .iter()
            .filter(|i| !i["suppressed_by"].is_null())
            .count(),
        seed_rows: seed.stdout.lines().count(),
    }
}

/// Straight to the file descriptor, so that the figures show for passing tests too.
fn print_figures(q: &Queue) {
    let _ = writeln!(std::io::stderr(), "{}", q.figures());
}

#[test]
fn an_estate_with_habits_escalates_nothing_but_its_planted_reverts() {
    for q in [fortnight(), quarter()] {
        print_figures(q);
        assert_eq!(q.planted.len(), 6, "{q:#?}");
        assert!(q.seed_rows > 500, "the habits make seed rows: {q:#?}");
        assert!(
            q.other_escalations.is_empty(),
            "escalations that are no planted revert: {:#?}\n{}",
            q.other_escalations,
            q.figures()
        );
    }
}

#[test]
fn every_revert_planted_in_an_estate_with_habits_escalates() {
    for q in [fortnight(), quarter()] {
        print_figures(q);
        assert!(
            q.missed.is_empty(),
            "not escalated: {:#?}\n{}",
            q.missed,
            q.figures()
        );
    }
}

#[test]
fn the_review_queue_of_a_quarter_with_habits_is_at_most_a_tenth_of_the_seed_rows() {
    let q = quarter();
    print_figures(q);
    assert!(q.ratio() <= 0.10, "{}", q.figures());
}

/// On a fortnight the first three days of every habit cannot be routine yet: the queue is
/// about a third of the seed's rows (it was 141 % before stopped periods and routine resets).
#[test]
fn the_review_queue_of_a_fortnight_with_habits_is_well_under_the_seed_rows() {
    let q = fortnight();
    print_figures(q);
    assert!(q.ratio() <= 0.40, "{}", q.figures());
}
