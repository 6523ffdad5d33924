//! The fuzz workspace (`fuzz/`, its own cargo workspace so that `cargo test --workspace`
//! never builds libFuzzer into the tests) must still compile: a target broken by an API
//! change would otherwise go unnoticed until someone fuzzes. `cargo check` of its bins is
//! the cheap proof; it builds into its own target directory so as not to fight the outer
//! build over the lock.

use std::path::Path;
use std::process::Command;

/// Whether `tool` is an executable on PATH.
fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

#[test]
fn the_fuzz_targets_compile() {
    let root = revertwatch_testkit::workspace();
    let manifest = root.join("fuzz/Cargo.toml");
    // libfuzzer-sys compiles libFuzzer (C++) in its build script, even under `cargo check`.
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    assert!(
        Path::new(&cxx).is_file() || on_path(&cxx),
        "checking the fuzz targets needs a C++ compiler ({cxx}) for libfuzzer-sys; install one \
         (apt-get install g++) or set CXX"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-check");
    let out = Command::new(cargo)
        .args(["check", "--bins", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the fuzz targets in {} do not compile (`cargo check --bins` there):\n{}",
        manifest.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
