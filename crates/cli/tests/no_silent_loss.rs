//! Input that once lost records in silence (exit 0, "0 skipped" or "not a log"), each test
//! named after the symptom: every record is read, or it is reported with its place.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;
use serde_json::{json, Value};
use support::{fixture_records, hunt_jsonl, revertwatch, Run};

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| r.to_string() + "\n").collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

const BOM: &str = "\u{feff}";

// ------------------------------------------------------------------ split parts (4)

/// A large JSON Lines file is read as a part per worker; a part whose first line was junk
/// was dropped whole as "not a log" with exit 0 under `-j 2`, while `-j 1` found the revert.
#[test]
fn a_part_of_a_split_json_lines_file_that_starts_with_a_junk_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let filler = support::cloudtrail::ec2("DescribeInstances", 1, 0, &["i-0f"]);
    let revert = fixture_records("scenarios/aws/full-revert.json");
    // Junk longer than the 64 KiB a sniffer looks at: the cut-off tail of a huge record, or
    // its head (which opens an object that never closes).
    let pad = "x".repeat(70_000);
    let junk = [
        format!("\"eventVersion\":\"1.09\",\"pad\":\"{pad}\"}}"),
        format!("{{\"eventVersion\":\"1.09\",\"pad\":\"{pad}\""),
    ];
    let revert: Vec<String> = revert.iter().map(Value::to_string).collect();
    let fillers = (17 << 20) / (filler.len() + 1);
    for (k, junk) in junk.iter().enumerate() {
        // Two parts, cut at the first line that starts at or after the middle: only filler
        // lies before it, so the junk line goes there and the revert right after it.
        let total = fillers * (filler.len() + 1)
            + junk.len()
            + 1
            + revert.iter().map(|l| l.len() + 1).sum::<usize>();
        let cut = (total / 2).div_ceil(filler.len() + 1);
        let mut body = vec![filler.clone(); fillers];
        body.insert(cut, junk.clone());
        for (n, line) in revert.iter().enumerate() {
            body.insert(cut + 1 + n, line.clone());
        }
        let path = dir.path().join(format!("trail{k}.jsonl"));
        std::fs::write(&path, body.join("\n") + "\n").unwrap();
        for jobs in ["1", "2"] {
            let run = hunt_jsonl(&[path.as_ref()], &["-j", jobs]);
            run.expect_code(3);
            assert_eq!(run.escalations(), 1, "junk {k}, -j {jobs}: {}", run.stderr);
            assert!(
                run.stderr.contains(&format!("line {}, ", cut + 1)),
                "junk {k}, -j {jobs}: the junk line is reported with its line: {}",
                run.stderr
            );
            assert!(
                !run.stderr.contains("not a log"),
                "junk {k}, -j {jobs}: {}",
                run.stderr
            );
        }
    }
}

// ------------------------------------------------------------------ escapes (5)

/// The prefilter read operation names byte for byte: a name, or the key before it, written
/// with JSON escapes (`\/` in Azure resource types, as some exporters write them; `\u0049`;
/// `"event\u004eame"`) was rejected unparsed, though the JSON parser reads it as the name.
#[test]
fn an_operation_name_written_with_json_escapes_is_not_prefiltered_away() {
    let dir = tempfile::tempdir().unwrap();
    let aws = lines(&fixture_records("scenarios/aws/full-revert.json"));
    let azure = lines(&fixture_records("scenarios/azure/full-revert.json"));
    let variants = [
        ("slash.jsonl", azure.replace('/', "\\/")),
        (
            "u-escape-azure.jsonl",
            azure
                .replace("Microsoft.Compute", "Microsoft.\\u0043ompute")
                .replace("MICROSOFT.COMPUTE", "MICROSOFT.\\u0043OMPUTE"),
        ),
        (
            "u-escape-aws.jsonl",
            aws.replace("Instances\"", "\\u0049nstances\"")
                .replace("Volume\"", "Vol\\u0075me\""),
        ),
        (
            "escaped-key.jsonl",
            aws.replace("\"eventName\"", "\"event\\u004eame\""),
        ),
        (
            "escaped-azure-key.jsonl",
            azure.replace("\"operationName\"", "\"operation\\u004eame\""),
        ),
    ];
    for (name, text) in variants {
        assert!(text.contains('\\'), "{name}: the variant escapes something");
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let run = hunt_jsonl(&[path.as_ref()], &[]);
        run.expect_code(0);
        assert_eq!(run.escalations(), 1, "{name}: {}", run.stderr);
    }
}

// ------------------------------------------------------------------ stream boundaries (6)

/// A UTF-8 byte-order mark is skipped at the start of a stream, but one later in it (`cat`
/// of two files, the second saved with a BOM; a second gzip member; a JSON Lines line) lost
/// the document or line it opened.
#[test]
fn a_bom_after_the_first_byte_of_a_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let aws = fixture_records("scenarios/aws/full-revert.json");
    let (a, b) = aws.split_at(4);
    let doc = |recs: &[Value]| json!({ "Records": recs }).to_string();
    let cat = format!("{}\n{BOM}{}\n", doc(a), doc(b));
    let mut members = gzip(doc(a).as_bytes());
    members.extend(gzip(format!("{BOM}{}", doc(b)).as_bytes()));
    let jsonl: String = aws
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let bom = if k % 3 == 2 { BOM } else { "" };
            format!("{bom}{r}\n")
        })
        .collect();
    let pretty: String = aws
        .iter()
        .map(|r| format!("{BOM}{}\n", serde_json::to_string_pretty(r).unwrap()))
        .collect();
    let variants: [(&str, Vec<u8>); 4] = [
        ("cat.json", cat.into_bytes()),
        ("members.json.gz", members),
        ("bom-lines.jsonl", jsonl.into_bytes()),
        ("bom-pretty.json", pretty.into_bytes()),
    ];
    for (name, bytes) in variants {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let run = hunt_jsonl(&[path.as_ref()], &[]);
        run.expect_code(0);
        assert_eq!(run.escalations(), 1, "{name}: {}", run.stderr);
    }
}

/// `hunt -` whose first read returns one byte of a gzip stream: the sniffer judged the
/// magic from that byte alone and called the input "binary data".
#[test]
fn gzip_on_stdin_whose_first_read_is_one_byte_is_read() {
    let trail = json!({ "Records": fixture_records("scenarios/aws/full-revert.json") }).to_string();
    let packed = gzip(trail.as_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_revertwatch"))
        .args(["hunt", "-", "--format", "jsonl"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        pipe.write_all(&packed[..1]).unwrap();
        pipe.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let _ = pipe.write_all(&packed[1..]);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    run.expect_code(0);
    assert_eq!(run.escalations(), 1, "{}", run.stderr);
}

// ------------------------------------------------------------------ Pub/Sub (9)

/// Whether records were base64 envelopes (Pub/Sub push, CloudWatch Logs subscriptions) was
/// decided by an input's first record: Pub/Sub messages after a record of another kind were
/// prefiltered away unread, with "0 skipped" and exit 0.
#[test]
fn pubsub_messages_after_another_format_in_one_stream_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let b64 = |v: &Value| base64::engine::general_purpose::STANDARD.encode(v.to_string());
    let pushes: Vec<Value> = fixture_records("scenarios/gcp/full-revert.jsonl")
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({"message": {"data": b64(r), "messageId": i.to_string(), "publishTime": r["timestamp"]},
                   "subscription": "projects/acme-prod/subscriptions/revertwatch"})
        })
        .collect();
    let describe: Value = serde_json::from_str(&support::cloudtrail::ec2(
        "DescribeInstances",
        1,
        0,
        &["i-0f"],
    ))
    .unwrap();
    let mut mixed = vec![describe];
    mixed.extend(pushes);
    let path = dir.path().join("mixed.jsonl");
    std::fs::write(&path, lines(&mixed)).unwrap();
    let run = hunt_jsonl(&[path.as_ref()], &[]);
    run.expect_code(0);
    assert_eq!(run.escalations(), 1, "{}", run.stderr);
    let stdin = revertwatch(
        &["hunt", "-", "--format", "jsonl"],
        Some(lines(&mixed).as_bytes()),
    );
    stdin.expect_code(0);
    assert_eq!(stdin.escalations(), 1, "stdin: {}", stdin.stderr);
}

/// An export's first object that is no log (a header: who exported, when) made the whole
/// input "not a log": it was reported, and every record after it dropped unread.
#[test]
fn records_after_a_first_record_that_is_no_log_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut with_header = vec![json!({"exported_by": "siem-export", "version": 2})];
    with_header.extend(fixture_records("scenarios/aws/full-revert.json"));
    let jsonl = dir.path().join("export.jsonl");
    std::fs::write(&jsonl, lines(&with_header)).unwrap();
    let wrapped = dir.path().join("export.json");
    std::fs::write(&wrapped, json!({ "Records": with_header }).to_string()).unwrap();
    for path in [jsonl, wrapped] {
        let run = hunt_jsonl(&[path.as_ref()], &[]);
        run.expect_code(3);
        assert_eq!(run.escalations(), 1, "{}: {}", path.display(), run.stderr);
        assert!(run.stderr.contains("not a CloudTrail"), "{}", run.stderr);
    }
}
