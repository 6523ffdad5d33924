//! The command line as a pipeline sees it: exit codes, colour, completions, man page, output
//! files, and clean output when piped.

mod support;

use support::{example, fixture, revertwatch};

#[test]
fn fail_on_sets_exit_1_for_pipelines() {
    let revert = fixture("scenarios/aws/full-revert.json");
    let stop = fixture("scenarios/aws/stop-start.json");
    revertwatch(
        &["hunt", revert.to_str().unwrap(), "--fail-on", "escalate"],
        None,
    )
    .expect_code(1);
    revertwatch(
        &["hunt", stop.to_str().unwrap(), "--fail-on", "escalate"],
        None,
    )
    .expect_code(0);
    revertwatch(
        &["hunt", stop.to_str().unwrap(), "--fail-on", "review"],
        None,
    )
    .expect_code(1);
    // A suppressed incident does not fail the pipeline.
    let scheduler = fixture("scenarios/aws/scheduler-nightly-stop.json");
    revertwatch(
        &["hunt", scheduler.to_str().unwrap(), "--fail-on", "review"],
        None,
    )
    .expect_code(0);
}

#[test]
fn colour_is_off_when_piped_and_on_only_when_asked() {
    let revert = fixture("scenarios/aws/full-revert.json");
    let piped = revertwatch(&["hunt", revert.to_str().unwrap()], None);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);
    assert!(
        !piped.stderr.contains('\x1b'),
        "no progress bar or colour on a pipe: {}",
        piped.stderr
    );
    let forced = revertwatch(
        &["hunt", revert.to_str().unwrap(), "--color", "always"],
        None,
    );
    assert!(
        forced.stdout.contains("\x1b[1m\x1b[31mESCALATE"),
        "{}",
        forced.stdout
    );
    let never = revertwatch(
        &["hunt", revert.to_str().unwrap(), "--color", "never"],
        None,
    );
    assert!(!never.stdout.contains('\x1b'));
}

#[test]
fn completions_and_man_page_come_from_the_same_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let run = revertwatch(&["completions", shell], None);
        run.expect_code(0);
        assert!(run.stdout.contains("hunt"), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("no-default-tuning"), "{shell}");
    }
    let man = revertwatch(&["man"], None);
    man.expect_code(0);
    assert!(man.stdout.contains(".TH revertwatch 1"), "{}", man.stdout);
    assert!(man.stdout.contains("T1578.004"));
}

#[test]
fn output_goes_to_a_file_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("incidents.jsonl");
    let run = revertwatch(
        &[
            "hunt",
            example("").to_str().unwrap(),
            "--format",
            "jsonl",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(0);
    assert!(run.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 18);
}

#[test]
fn errors_say_what_to_do_next() {
    let run = revertwatch(&["hunt", "examples", "--window", "soon"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("is not a duration like 90m, 6h or 2d"),
        "{}",
        run.stderr
    );
    let run = revertwatch(
        &[
            "hunt",
            example("").to_str().unwrap(),
            "--view",
            "events",
            "--format",
            "html",
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("use them with --view incidents"),
        "{}",
        run.stderr
    );
}
