//! Input shaped by an attacker or a careless forwarder, each test named after the symptom it
//! once had: nothing crashes, nothing is lost around it, everything skipped is reported.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::{fixture, revertwatch, Run};

/// The AWS full revert: 10 records, the revert escalates.
fn revert_records() -> Vec<Value> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap(),
    )
    .unwrap();
    v["Records"].as_array().unwrap().clone()
}

fn hunt(path: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["hunt", path.to_str().unwrap(), "--format", "jsonl"];
    args.extend_from_slice(extra);
    revertwatch(&args, None)
}

fn escalations(run: &Run) -> usize {
    run.jsonl()
        .iter()
        .filter(|i| i["severity"] == "escalate")
        .count()
}

/// Longer than the record limit, and deeper than the depth limit only after the cut: the
/// skip once met the depth limit it had been told it would never meet, and panicked a reader.
#[test]
fn a_record_too_large_that_nests_too_deep_after_the_cut_is_skipped_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let deep = "[".repeat(64) + &"]".repeat(64);
    let hostile = format!(
        "{{\"eventName\":\"StopInstances\",\"pad\":\"{}\",\"deep\":{deep}}}",
        "x".repeat(400_000)
    );
    let mut records: Vec<String> = revert_records().iter().map(Value::to_string).collect();
    records.insert(3, hostile);
    let wrapped = format!("{{\"Records\":[{}]}}", records.join(","));
    std::fs::write(dir.path().join("trail.json"), wrapped).unwrap();
    std::fs::write(dir.path().join("trail.jsonl"), records.join("\n") + "\n").unwrap();
    for file in ["trail.json", "trail.jsonl"] {
        let run = hunt(
            &dir.path().join(file),
            &["--max-record-bytes", "100000", "--max-depth", "16"],
        );
        run.expect_code(3);
        assert!(run.stderr.contains("larger than"), "{file}: {}", run.stderr);
        assert_eq!(escalations(&run), 1, "{file}: {}", run.stdout);
    }
}

/// A symlink loop or a dangling link in a log folder once ended the whole hunt with exit 2.
#[cfg(unix)]
#[test]
fn a_bad_directory_entry_is_reported_and_the_rest_of_the_tree_is_hunted() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("a")).unwrap();
    std::fs::write(
        logs.join("a/trail.json"),
        json!({"Records": revert_records()}).to_string(),
    )
    .unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(logs.join("gone"), logs.join("dangling")).unwrap();
    let run = hunt(&logs, &[]);
    run.expect_code(3);
    assert_eq!(escalations(&run), 1, "{}", run.stdout);
    assert!(run.stderr.contains("symbolic link loop"), "{}", run.stderr);
    assert!(run.stderr.contains("dangling"), "{}", run.stderr);
}

/// A 7 MB user agent once took half a minute to lay out as a table; a table now shows the
/// first 512 characters of a field and says how much it left out.
#[test]
fn a_huge_field_is_cut_in_a_table_and_whole_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = revert_records();
    let huge = "A".repeat(2_000_000);
    for r in &mut records {
        r["userIdentity"]["arn"] = json!(format!("arn:aws:iam::111122223333:user/{huge}"));
    }
    let path = dir.path().join("trail.json");
    std::fs::write(&path, json!({"Records": records}).to_string()).unwrap();
    let table = revertwatch(&["hunt", path.to_str().unwrap()], None);
    table.expect_code(0);
    assert!(
        table
            .stdout
            .contains("characters; --format jsonl has it whole"),
        "{}",
        &table.stdout[..table.stdout.len().min(2000)]
    );
    assert!(table.stdout.len() < 200_000, "{}", table.stdout.len());
    let jsonl = hunt(&path, &[]);
    let actors = jsonl.jsonl()[0]["actors"].clone();
    assert!(actors[0].as_str().unwrap().ends_with(&huge));
}

/// A file name is the archive writer's choice: it reached stderr with its terminal escapes.
#[cfg(unix)]
#[test]
fn a_file_name_with_terminal_escapes_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let name = "trail\u{1b}]0;pwned\u{7}\u{202e}.json";
    std::fs::write(dir.path().join(name), b"{\"Records\":[{\"eventName\": ").unwrap();
    let run = hunt(dir.path(), &[]);
    run.expect_code(3);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(!run.stderr.contains('\u{202e}'), "{:?}", run.stderr);
    assert!(run.stderr.contains("\\u{1b}]0;pwned"), "{}", run.stderr);
}

/// A gzip bomb inside a CloudWatch Logs subscription envelope (`awslogs.data`) was inflated
/// without a bound: a 1.4 MB file reached 2.2 GB. It is now refused past 16 MiB, reported, and
/// the records around it are read.
#[test]
fn a_gzip_bomb_in_a_cloudwatch_logs_envelope_is_refused_and_the_rest_is_read() {
    use base64::Engine;
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    gz.write_all(b"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[],\"pad\":\"")
        .unwrap();
    for _ in 0..200 {
        gz.write_all(&zeros).unwrap();
    }
    gz.write_all(b"\"}").unwrap();
    let bomb = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
    let mut lines: Vec<String> = revert_records().iter().map(Value::to_string).collect();
    lines.insert(
        2,
        json!({"awslogs": {"data": bomb}, "eventName": "StopInstances"}).to_string(),
    );
    let path = dir.path().join("subscription.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let run = hunt(&path, &[]);
    run.expect_code(3);
    assert!(run.stderr.contains("gzip bomb"), "{}", run.stderr);
    assert_eq!(escalations(&run), 1, "{}", run.stdout);
}
