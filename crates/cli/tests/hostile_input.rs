//! Input shaped by an attacker or a careless forwarder, each test named after the symptom it
//! once had: nothing crashes, nothing is lost around it, everything skipped is reported.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::{fixture, hunt_jsonl, revertwatch, Run};

/// The AWS full revert: 10 records, the revert escalates.
fn revert_records() -> Vec<Value> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap(),
    )
    .unwrap();
    v["Records"].as_array().unwrap().clone()
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
        let run = hunt_jsonl(
            &[dir.path().join(file).as_ref()],
            &["--max-record-bytes", "100000", "--max-depth", "16"],
        );
        run.expect_code(3);
        assert!(run.stderr.contains("larger than"), "{file}: {}", run.stderr);
        assert_eq!(run.escalations(), 1, "{file}: {}", run.stdout);
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
    let run = hunt_jsonl(&[logs.as_ref()], &[]);
    run.expect_code(3);
    assert_eq!(run.escalations(), 1, "{}", run.stdout);
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
    let jsonl = hunt_jsonl(&[path.as_ref()], &[]);
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
    let run = hunt_jsonl(&[dir.path()], &[]);
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
    let run = hunt_jsonl(&[path.as_ref()], &[]);
    run.expect_code(3);
    assert!(run.stderr.contains("gzip bomb"), "{}", run.stderr);
    assert_eq!(run.escalations(), 1, "{}", run.stdout);
}

// ---------------------------------------------------------------- tuning that aims at all

fn config_check(dir: &Path, rule: &str) -> Run {
    let path = dir.join("tuning.toml");
    std::fs::write(&path, rule).unwrap();
    revertwatch(&["config", "check", path.to_str().unwrap()], None)
}

const REASON: &str = "reason = \"the platform team's own automation\"\n";

/// Rules that once suppressed every incident of a provider, or of all of them, in silence.
#[test]
fn a_rule_that_matches_everything_is_refused_unless_it_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let broad = [
        "provider = \"aws\"",
        "provider = [\"aws\", \"azure\", \"gcp\"]",
        "actor = \"*\"",
        "provider = \"aws\"\nsource_ip = \"0.0.0.0/0\"",
        "between = [{ from = \"1970-01-01T00:00:00Z\", to = \"2100-01-01T00:00:00Z\" }]",
        "window = [{ start = \"00:00\", end = \"23:59\" }]",
    ];
    let mut wrong = Vec::new();
    for criteria in broad {
        let rule = format!("[[rule]]\nname = \"broad\"\n{REASON}{criteria}\n");
        let refused = config_check(dir.path(), &rule);
        if refused.code != 2 || !refused.stderr.contains("match_all = true") {
            wrong.push(format!("{criteria}: {} {}", refused.code, refused.stderr));
        }
        let owned = config_check(dir.path(), &format!("{rule}match_all = true\n"));
        if owned.code != 0 {
            wrong.push(format!("{criteria} + match_all: {}", owned.stderr));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A user agent, a tag or a role session name is written by the caller: a rule that vouches
/// only through them is an attacker's costume.
#[test]
fn a_rule_that_trusts_only_caller_chosen_fields_is_refused_unless_it_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = [
        "user_agent = \"*terraform*\"",
        "tag = \"ChangeTicket=CHG-*\"",
        "actor = \"arn:aws:sts::*:assumed-role/*/ci-*\"",
    ];
    let mut wrong = Vec::new();
    for criteria in chosen {
        let rule = format!("[[rule]]\nname = \"costume\"\n{REASON}{criteria}\n");
        let refused = config_check(dir.path(), &rule);
        if refused.code != 2 || !refused.stderr.contains("trusts_caller_fields = true") {
            wrong.push(format!("{criteria}: {} {}", refused.code, refused.stderr));
        }
        let owned = config_check(dir.path(), &format!("{rule}trusts_caller_fields = true\n"));
        if owned.code != 0 {
            wrong.push(format!(
                "{criteria} + trusts_caller_fields: {}",
                owned.stderr
            ));
        }
    }
    // With a role the caller cannot choose, the same tag narrows honestly.
    let honest = "[[rule]]\nname = \"dr\"\nreason = \"DR runbook\"\nactor = \"arn:aws:sts::111122223333:assumed-role/DR-Runbook/*\"\ntag = \"ChangeTicket=CHG-*\"\n";
    let ok = config_check(dir.path(), honest);
    if ok.code != 0 {
        wrong.push(format!("role + tag: {}", ok.stderr));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_typo_in_disable_an_empty_window_and_an_empty_pack_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `hunt` adds the built-ins, and checks the names the file switches off.
    let tuning = dir.path().join("tuning.toml");
    std::fs::write(&tuning, "[defaults]\ndisable = [\"aws-bakup\"]\n").unwrap();
    let hunt_typo = revertwatch(
        &[
            "hunt",
            fixture("scenarios/aws").to_str().unwrap(),
            "--config",
            tuning.to_str().unwrap(),
        ],
        None,
    );
    hunt_typo.expect_code(2);
    assert!(
        hunt_typo.stderr.contains("aws-bakup"),
        "{}",
        hunt_typo.stderr
    );
    let empty_window = config_check(
        dir.path(),
        &format!("[[rule]]\nname = \"w\"\n{REASON}actor = \"arn:aws:iam::1:role/Ops\"\nwindow = [{{ start = \"00:00\", end = \"00:00\" }}]\n"),
    );
    empty_window.expect_code(2);
    assert!(
        empty_window.stderr.contains("empty or the whole day"),
        "{}",
        empty_window.stderr
    );
    let pack = dir.path().join("empty-pack.toml");
    std::fs::write(&pack, "# nothing yet\n").unwrap();
    let empty_pack = revertwatch(
        &[
            "hunt",
            fixture("scenarios/aws").to_str().unwrap(),
            "--rules",
            pack.to_str().unwrap(),
        ],
        None,
    );
    empty_pack.expect_code(2);
    assert!(
        empty_pack.stderr.contains("no [[operation]]"),
        "{}",
        empty_pack.stderr
    );
}

/// A JSON Lines file whose first line is not JSON (a comment, a header, or a file cut
/// mid-record) was called "not a log", and every record in it was dropped with exit 0.
#[test]
fn json_lines_below_a_first_line_that_is_not_json_are_read_and_the_line_reported() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = revert_records().iter().map(Value::to_string).collect();
    let firsts = [
        "# exported from the SIEM on 2026-03-15".to_string(),
        "eventTime,eventName,userIdentity".to_string(),
        format!("\"x\":\"{}\"}},\"requestID\":\"cut\"}}", "y".repeat(20_000)),
    ];
    for (n, first) in firsts.iter().enumerate() {
        let path = dir.path().join(format!("export-{n}.jsonl"));
        std::fs::write(&path, format!("{first}\n{}\n", records.join("\n"))).unwrap();
        let run = hunt_jsonl(&[path.as_ref()], &[]);
        run.expect_code(3);
        assert!(run.stderr.contains("line 1"), "{n}: {}", run.stderr);
        assert!(!run.stderr.contains("not a log"), "{n}: {}", run.stderr);
        assert_eq!(run.escalations(), 1, "{n}: {}", run.stdout);
    }
}

/// CSV lists are joined with `;`: in a locale whose list separator is `;`, a spreadsheet
/// splits the cell there, and a part that starts with `=` ran as a formula.
#[test]
fn each_part_of_a_csv_list_is_defused() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = revert_records();
    for r in records
        .iter_mut()
        .filter(|r| r["eventName"] == "StartInstances")
    {
        r["sourceIPAddress"] = json!("=cmd|' /C calc'!A0");
    }
    let path = dir.path().join("trail.json");
    std::fs::write(&path, json!({"Records": records}).to_string()).unwrap();
    let run = revertwatch(&["hunt", path.to_str().unwrap(), "--format", "csv"], None);
    run.expect_code(0);
    assert!(run.stdout.contains(";'=cmd|"), "{}", run.stdout);
    assert!(!run.stdout.contains(";=cmd"), "{}", run.stdout);
}

/// A forged failure that reuses the restore's eventID: the two were one call, which took the
/// failure's outcome, so the restore no longer scored and the revert was only a review (or,
/// read in time order, whichever record came first won).
#[test]
fn a_failed_twin_sharing_the_restores_event_id_does_not_hide_the_restore() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = revert_records();
    let mut twin = records
        .iter()
        .find(|r| r["eventName"] == "CreateVolume")
        .unwrap()
        .clone();
    twin["errorCode"] = json!("Client.UnauthorizedOperation");
    twin["errorMessage"] = json!("You are not authorized to perform this operation.");
    twin["responseElements"] = Value::Null;
    // After the real record and before it: neither order may hide the restore.
    for (n, at_end) in [true, false].into_iter().enumerate() {
        let mut all = records.clone();
        if at_end {
            all.push(twin.clone());
        } else {
            all.insert(0, twin.clone());
        }
        let path = dir.path().join(format!("trail-{n}.json"));
        std::fs::write(&path, json!({ "Records": all }).to_string()).unwrap();
        for extra in [&[][..], &["--hold-all"][..]] {
            let run = hunt_jsonl(&[path.as_ref()], extra);
            run.expect_code(0);
            assert_eq!(run.escalations(), 1, "{n} {extra:?}: {}", run.stdout);
            assert!(
                run.stderr
                    .contains("1 event ids came with different content"),
                "{n} {extra:?}: {}",
                run.stderr
            );
        }
    }
    // A resend (the same record twice) is one call, and no warning.
    let twice = records
        .iter()
        .find(|r| r["eventName"] == "CreateVolume")
        .unwrap()
        .clone();
    records.push(twice);
    let path = dir.path().join("resent.json");
    std::fs::write(&path, json!({ "Records": records }).to_string()).unwrap();
    let run = hunt_jsonl(&[path.as_ref()], &[]);
    run.expect_code(0);
    let incidents = run.jsonl();
    assert_eq!(run.escalations(), 1, "{}", run.stdout);
    let restores = incidents[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "CreateVolume")
        .count();
    assert_eq!(restores, 1, "{}", run.stdout);
    assert!(!run.stderr.contains("different content"), "{}", run.stderr);
}
