//! Bad input never crashes and never loses the good input around it: each problem is reported
//! with the file, the line or byte offset and the reason; the rest is read; the exit code is 3.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{fixture, revertwatch, Run};

/// The AWS full revert as JSON Lines: 10 records, the revert escalates.
fn revert_lines() -> Vec<String> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap(),
    )
    .unwrap();
    v["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect()
}

fn hunt(paths: &[&Path]) -> Run {
    let mut args = vec!["hunt".to_string()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(["--format".into(), "jsonl".into()]);
    revertwatch(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Good records, then `bad` as line `at + 1`, then the remaining good records.
fn with_bad_line(bad: &str, at: usize) -> Vec<u8> {
    let mut lines = revert_lines();
    lines.insert(at, bad.to_string());
    (lines.join("\n") + "\n").into_bytes()
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut text = revert_lines().join("\n").into_bytes();
    // Pad with read-only noise so that the cut falls after the revert's records.
    for _ in 0..200 {
        text.extend_from_slice(b"\n{\"eventName\":\"DescribeInstances\",\"eventTime\":\"2026-03-14T14:00:00Z\",\"eventSource\":\"ec2.amazonaws.com\",\"padding\":\"");
        text.extend(std::iter::repeat_n(b'x', 300));
        text.extend_from_slice(b"\"}");
    }
    enc.write_all(&text).unwrap();
    let gz = enc.finish().unwrap();
    let path = write(dir.path(), "cut.json.gz", &gz[..gz.len() * 3 / 4]);
    let run = hunt(&[&path]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1, "records before the cut are lost");
    assert!(run.stderr.contains("cut.json.gz"), "{}", run.stderr);
    assert!(
        run.stderr.contains("gzip stream is corrupt or truncated"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_json_line_is_reported_by_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.jsonl",
        &with_bad_line(r#"{"eventName":"StopInstances",,"eventTime":}"#, 4),
    );
    let run = hunt(&[&path]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr.contains("bad.jsonl: line 5, byte"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("invalid JSON"), "{}", run.stderr);
}

#[test]
fn a_line_that_is_not_an_object_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "garbage.jsonl",
        &with_bad_line("this is not json at all", 2),
    );
    let run = hunt(&[&path]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr.contains("garbage.jsonl: line 3"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_that_is_no_log_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "package.json",
        br#"{"name": "dashboard", "version": "1.0.0", "dependencies": {}}"#,
    );
    let good = fixture("scenarios/aws/full-revert.json");
    let run = hunt(&[&path, &good]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr
            .contains("package.json: line 1, byte 0: JSON, but not a CloudTrail"),
        "{}",
        run.stderr
    );
}

#[test]
fn empty_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.json", b"");
    let run = hunt(&[&path, &fixture("scenarios/aws/full-revert.json")]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr
            .contains("empty.json: line 1, byte 0: empty file"),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = write(dir.path(), "core.dump", &bytes);
    let run = hunt(&[&path, &fixture("scenarios/aws/full-revert.json")]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr
            .contains("core.dump: line 1, byte 0: binary data"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_in_a_record_is_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = with_bad_line("PLACEHOLDER", 3);
    let bad = b"{\"eventName\":\"StopInstances\",\"userAgent\":\"\xff\xfe\"}";
    let at = bytes.windows(11).position(|w| w == b"PLACEHOLDER").unwrap();
    bytes.splice(at..at + 11, bad.iter().copied());
    let path = write(dir.path(), "latin1.jsonl", &bytes);
    let run = hunt(&[&path]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr.contains("latin1.jsonl: line 4"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_100_mb_line_is_skipped_without_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut huge = String::with_capacity(100 * 1024 * 1024 + 64);
    huge.push_str("{\"eventName\":\"StopInstances\",\"pad\":\"");
    huge.extend(std::iter::repeat_n('a', 100 * 1024 * 1024));
    huge.push_str("\"}");
    let path = write(dir.path(), "huge.jsonl", &with_bad_line(&huge, 5));
    drop(huge);
    let run = hunt(&[&path]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1);
    assert!(run.stderr.contains("huge.jsonl: line 6"), "{}", run.stderr);
    assert!(
        run.stderr.contains("larger than the 16777216-byte limit"),
        "{}",
        run.stderr
    );
}

#[test]
fn nesting_100_000_levels_deep_neither_overflows_nor_hides_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let deep_array = "[".repeat(100_000) + &"]".repeat(100_000);
    let only_deep = write(dir.path(), "deep.json", deep_array.as_bytes());
    let deep_record = format!("{{\"eventName\":\"StopInstances\",\"x\":{deep_array}}}");
    let deep_line = write(
        dir.path(),
        "deep-line.jsonl",
        &with_bad_line(&deep_record, 2),
    );
    let deep_element = {
        let mut recs = revert_lines();
        recs.insert(3, deep_record.clone());
        format!("{{\"Records\":[{}]}}", recs.join(","))
    };
    let deep_in_records = write(dir.path(), "deep-records.json", deep_element.as_bytes());
    let run = hunt(&[&only_deep, &deep_line, &deep_in_records]);
    run.expect_code(3);
    // The revert is in both files: the same records, so one incident.
    assert_eq!(run.escalations(), 1);
    assert!(
        run.stderr
            .contains("deep.json: line 1, byte 1: record nests deeper than 128 levels"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("deep-line.jsonl: line 3"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("deep-records.json: line 1, byte"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_readme_beside_the_logs_is_counted_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        b"# Logs exported for case 4711\n\nSee the ticket.\n",
    );
    std::fs::copy(
        fixture("scenarios/aws/full-revert.json"),
        dir.path().join("trail.json"),
    )
    .unwrap();
    let run = hunt(&[dir.path()]);
    run.expect_code(0);
    assert_eq!(run.escalations(), 1);
    assert!(run.stderr.contains("1 not a log"), "{}", run.stderr);
}

#[test]
fn allow_skips_exits_zero_but_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.json", b"   \n");
    let run = revertwatch(&["hunt", path.to_str().unwrap(), "--allow-skips"], None);
    run.expect_code(0);
    assert!(run.stderr.contains("empty.json"), "{}", run.stderr);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let run = revertwatch(&["hunt", "/nonexistent/AWSLogs"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot read `/nonexistent/AWSLogs`"),
        "{}",
        run.stderr
    );
}

/// `--max-depth` is a limit the user sets: a candidate nested past it is reported with its
/// line and skipped, and the revert around it still escalates.
#[test]
fn max_depth_skips_only_the_deep_record() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        r#"{{"eventVersion":"1.08","eventName":"StopInstances","eventSource":"ec2.amazonaws.com","requestParameters":{}1{}}}"#,
        r#"{"a":"#.repeat(20),
        "}".repeat(20)
    );
    let path = write(dir.path(), "deep.jsonl", &with_bad_line(&deep, 4));
    let p = path.display().to_string();
    let run = revertwatch(
        &["hunt", &p, "--format", "jsonl", "--max-depth", "12"],
        None,
    );
    run.expect_code(3);
    assert_eq!(run.escalations(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("line 5"), "{}", run.stderr);
    // The same file within the default limit reads whole.
    let run = revertwatch(&["hunt", &p, "--format", "jsonl"], None);
    assert_eq!(run.escalations(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("deeper"), "{}", run.stderr);
}
