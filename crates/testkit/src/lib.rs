//! Test support shared by revertwatch's crates (a dev-dependency only): CloudTrail records
//! made to order ([`cloudtrail`]), the scenario fixtures as records ([`scenario_records`]),
//! the scripts that install what a test needs ([`ensure_tool`]) and free loopback ports
//! ([`free_port`]).
//!
//! ```
//! let stop = revertwatch_testkit::cloudtrail::ec2("StopInstances", 1, 0, &["i-0a"]);
//! assert!(stop.contains("\"eventName\":\"StopInstances\""));
//! ```

#![deny(missing_docs)]

pub mod cloudtrail;
pub mod lifecycle;
pub mod reference;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace exists")
}

/// Runs `scripts/<name>` (test tooling that installs a service or tool on first use) and
/// returns the path it prints. Panics with the script's own reasons: a test that needs the
/// tool must fail loudly, never skip.
pub fn ensure_tool(name: &str, needed_for: &str) -> PathBuf {
    let script = workspace().join("scripts").join(name);
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "scripts/{name} could not provide what {needed_for} needs:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).expect("a path").trim())
}

/// A free loopback port (a race with other processes is possible, and harmless in tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a loopback port")
        .port()
}

/// Every record of every scenario fixture (`tests/fixtures/scenarios/{aws,azure,gcp}`), one
/// JSON text each, files in name order.
pub fn scenario_records() -> Vec<String> {
    let root = workspace().join("tests/fixtures/scenarios");
    let mut out = Vec::new();
    for cloud in ["aws", "azure", "gcp"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(cloud))
            .expect("the scenario fixtures")
            .map(|e| e.expect("a fixture").path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("a fixture");
            match f.extension().and_then(|e| e.to_str()) {
                Some("jsonl") => out.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_string),
                ),
                Some("json") => {
                    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                    let list = v
                        .get("Records")
                        .or_else(|| v.get("records"))
                        .and_then(|l| l.as_array())
                        .expect("a record list");
                    out.extend(list.iter().map(|r| r.to_string()));
                }
                _ => {}
            }
        }
    }
    out
}
