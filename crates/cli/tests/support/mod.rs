//! A small DSL for end-to-end tests: run the real binary on fixture files and read what it
//! printed. Fixtures live in the workspace's `tests/fixtures` and `examples/`; the real public
//! samples in `../shared/data` beside the checkout.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

#[allow(unused_imports)] // each test binary uses some of the support
pub use revertwatch_testkit::{cloudtrail, ensure_tool, free_port, workspace};

pub fn fixture(rel: &str) -> PathBuf {
    workspace().join("tests/fixtures").join(rel)
}

/// The records of a fixture: one per line of a `.jsonl`, else the `Records` or `records`
/// array of a document, or the document's own array.
#[allow(dead_code)]
pub fn fixture_records(rel: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture(rel)).unwrap();
    if rel.ends_with(".jsonl") {
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    let list = v
        .get("Records")
        .or_else(|| v.get("records"))
        .cloned()
        .unwrap_or(v);
    list.as_array().unwrap().clone()
}

pub fn example(rel: &str) -> PathBuf {
    workspace().join("examples").join(rel)
}

/// The real public samples vendored into the repo (`tests/fixtures/real`, with licences).
pub fn vendored_data() -> PathBuf {
    fixture("real")
}

/// The whole set of real public samples, `../shared/data` beside the checkout, when it is
/// there. When it is not, says so on stderr (the test still runs on the vendored samples):
/// a run that covered less must never look like one that covered all.
pub fn shared_data() -> Option<PathBuf> {
    let dir = workspace().join("../shared/data");
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    // Straight to the file descriptor: the test harness captures `eprintln!` of passing
    // tests, and this line must show in CI's log.
    let _ = writeln!(
        std::io::stderr(),
        "note: {} is not present: ran on the vendored samples (tests/fixtures/real) only",
        dir.display()
    );
    None
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// How many incidents in stdout's JSON Lines escalate.
    #[allow(dead_code)]
    pub fn escalations(&self) -> usize {
        self.jsonl()
            .iter()
            .filter(|i| i["severity"] == "escalate")
            .count()
    }

    /// stdout as JSON Lines.
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    /// Panics with everything printed when the exit code is not `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn revertwatch(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revertwatch"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `revertwatch hunt PATH... --format jsonl` plus extra flags.
pub fn hunt_jsonl(paths: &[&Path], extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["hunt".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(["--format".to_string(), "jsonl".to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    revertwatch(&refs, None)
}

/// One expected incident: the end of its target id, its chains (sorted) and its score.
pub struct Expect {
    pub target_suffix: &'static str,
    pub chains: &'static [&'static str],
    pub score: u64,
    /// The tuning rule expected to suppress it (built-ins are on by default).
    pub suppressed_by: Option<&'static str>,
}

/// Hunts one fixture and checks that exactly the expected incidents come out.
pub fn check_scenario(file: &str, expected: &[Expect]) {
    let run = hunt_jsonl(&[&fixture(file)], &[]);
    run.expect_code(0);
    let got = run.jsonl();
    let summary: Vec<String> = got
        .iter()
        .map(|i| format!("{} {} {}", i["target"], i["chains"], i["suspicion_score"]))
        .collect();
    assert_eq!(got.len(), expected.len(), "{file}: incidents {summary:#?}");
    for want in expected {
        let found = got
            .iter()
            .find(|i| i["target"].as_str().unwrap().ends_with(want.target_suffix))
            .unwrap_or_else(|| {
                panic!(
                    "{file}: no incident on *{} in {summary:#?}",
                    want.target_suffix
                )
            });
        let chains: Vec<&str> = found["chains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(
            chains, want.chains,
            "{file}: chains of {}",
            want.target_suffix
        );
        assert_eq!(
            found["suspicion_score"], want.score,
            "{file}: score of {}",
            want.target_suffix
        );
        let severity = if want.score >= 2 {
            "escalate"
        } else {
            "review"
        };
        assert_eq!(
            found["severity"], severity,
            "{file}: severity of {}",
            want.target_suffix
        );
        assert_eq!(
            found["suspicion_score"].as_u64().unwrap(),
            found["is_snapshot_restore"].as_u64().unwrap()
                + found["is_ephemeral_reset"].as_u64().unwrap()
        );
        assert_eq!(
            found["suppressed_by"].as_str(),
            want.suppressed_by,
            "{file}: suppressed_by of {}",
            want.target_suffix
        );
    }
}

/// `scenario!(name, "aws/file.json", ("target-suffix", ["chain"], score [, "suppressing rule"]), ...)`:
/// one test per fixture, with the incidents it must produce (in JSON, suppressed ones too) and
/// nothing else.
#[macro_export]
macro_rules! scenario {
    ($name:ident, $file:expr $(, ($target:expr, [$($chain:expr),*], $score:expr $(, $rule:expr)?))* $(,)?) => {
        #[test]
        fn $name() {
            $crate::support::check_scenario(
                $file,
                &[$($crate::support::Expect {
                    target_suffix: $target,
                    chains: &[$($chain),*],
                    score: $score,
                    suppressed_by: None $(.or(Some($rule)))?,
                }),*],
            );
        }
    };
}
