//! Every script passes shellcheck (Debian's, installed by scripts/ensure-shellcheck), with no
//! warning of any severity, style included.

mod support;

use std::process::Command;

use support::{ensure_tool, scripts};

#[test]
fn every_script_passes_shellcheck() {
    let bin = ensure_tool("ensure-shellcheck", "the shellcheck test");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (plan, text) in scripts() {
        let file = dir.path().join(revertwatch_kit::file_name(&plan));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    assert_eq!(files.len(), 15);
    let out = Command::new(&bin)
        .args(["--shell=bash", "--severity=style", "--external-sources"])
        .args(&files)
        .output()
        .expect("shellcheck runs");
    assert!(
        out.status.success(),
        "shellcheck found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
