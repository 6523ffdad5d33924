//! The workspace, and the scripts that install what a test needs. Shared with the kit crate's
//! tests (by path: test support cannot be a dependency).

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
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
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}
