//! `hunt` reads archives in the time order their paths give and lets go of incidents that can
//! no longer change. Whole simulated archives of every cloud, through the binary: the result is
//! the one `--hold-all` gives, and a file older than its path says is reported, not absorbed.

mod support;

use std::path::{Path, PathBuf};

use support::{hunt_jsonl, revertwatch};

/// A simulated archive of three days, every cloud and container, made once per test binary.
fn archive() -> &'static Path {
    static DIR: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("sim");
        revertwatch(
            &[
                "simulate",
                "--out",
                out.to_str().unwrap(),
                "--size",
                "12MB",
                "--days",
                "3",
                "--seed",
                "11",
            ],
            None,
        )
        .expect_code(0);
        (tmp, out)
    })
    .1
}

/// `--closing-from 0` closes at every batch of files, so that closing runs on a small archive
/// as it does on a large one; `-j 1` makes the batches small.
#[test]
fn reading_in_time_order_finds_what_holding_everything_finds() {
    let root = archive();
    let everything = [
        root.join("aws"),
        root.join("azure"),
        root.join("gcp"),
        root.join("aws-jsonl"),
    ];
    let cases: Vec<(&str, Vec<&Path>)> = vec![
        ("aws", vec![&everything[0]]),
        ("azure", vec![&everything[1]]),
        ("gcp", vec![&everything[2]]),
        // JSON Lines named by day (`…-20260301.jsonl`), read among the others.
        ("all", everything.iter().map(PathBuf::as_path).collect()),
    ];
    for (name, paths) in cases {
        for view in ["incidents", "events"] {
            let common = ["--show-failed", "--view", view, "-j", "1"];
            let held = hunt_jsonl(&paths, &[&common[..], &["--hold-all"]].concat());
            held.expect_code(0);
            let closing = hunt_jsonl(&paths, &[&common[..], &["--closing-from", "0"]].concat());
            closing.expect_code(0);
            assert!(
                closing.stderr.contains("held at once"),
                "{name}: nothing was let go before the end: {}",
                closing.stderr
            );
            assert!(
                !closing.stderr.contains("warning"),
                "{name}: {}",
                closing.stderr
            );
            assert!(!held.jsonl().is_empty(), "{name} {view}: nothing found");
            assert_eq!(closing.stdout, held.stdout, "{name} {view}");
        }
    }
}

/// CloudTrail's file name says when its records happened. Files whose records are two days
/// older than their names say arrive after their incidents may have closed: the hunt says so.
#[test]
fn files_older_than_their_paths_say_are_reported() {
    let root = archive();
    let day_one = root.join("aws/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01");
    let tmp = tempfile::tempdir().unwrap();
    let trail = tmp
        .path()
        .join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/03");
    std::fs::create_dir_all(&trail).unwrap();
    for (n, entry) in std::fs::read_dir(&day_one).unwrap().enumerate() {
        let name =
            format!("111122223333_CloudTrail_us-east-1_20260303T2355Z_misfiled{n:07}.json.gz");
        std::fs::copy(entry.unwrap().path(), trail.join(name)).unwrap();
    }
    let run = hunt_jsonl(
        &[&root.join("aws"), tmp.path()],
        &["--closing-from", "0", "-j", "1"],
    );
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("calls were older than their file's place in time order allows"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--hold-all"), "{}", run.stderr);
    let held = hunt_jsonl(&[&root.join("aws"), tmp.path()], &["--hold-all"]);
    assert!(!held.stderr.contains("warning"), "{}", held.stderr);
}

/// Past `--max-state-calls` the oldest calls go, and the hunt says how many; below it nothing
/// is said.
#[test]
fn state_over_the_cap_is_evicted_with_a_counted_warning() {
    let fixtures = support::fixture("scenarios");
    let capped = hunt_jsonl(&[&fixtures], &["--max-state-calls", "5"]);
    capped.expect_code(0);
    let warning = capped
        .stderr
        .lines()
        .find(|l| l.contains("went over --max-state-calls (5); evicted the"))
        .unwrap_or_else(|| panic!("no eviction warning: {}", capped.stderr));
    let evicted: usize = warning
        .split("evicted the ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(evicted > 10, "{warning}");
    let roomy = hunt_jsonl(&[&fixtures], &["--max-state-calls", "1000"]);
    roomy.expect_code(0);
    assert!(!roomy.stderr.contains("warning"), "{}", roomy.stderr);
    assert!(roomy.jsonl().len() > capped.jsonl().len());
}
