//! `serve` keeps a held call's original record in memory only when the rule pack reads
//! `record.` paths (otherwise the record is on disk alone: it was most of a held call's memory).
//! A pack that does read them must see the record on every call, also on the calls read back
//! from the state after a restart. (Found while making held calls small: see
//! docs/RELIABILITY.md, Soak.)

#[path = "support/live.rs"]
mod live;
mod support;

use live::{token_file, verdicts, Corpus, Server};
use serde_json::Value;
use support::hunt_jsonl;

/// Azure's deallocate and start with their VM found only through the whole record. Azure calls
/// come in phases and are annotated when their phases merge, at each detection, so the record
/// must still be held then (a CloudTrail call is annotated as it is read and would not show it).
const RECORD_RULES: &str = r#"
[[operation]]
provider = "azure"
name = "Microsoft.Compute/virtualMachines/deallocate/action"
signal = "ephemeral_reset"
chain = "stop"
description = "Deallocates a VM (VM read from the whole record)."
subject = "vm"
resources.vm = { kind = "vm", path = "record.resourceId" }

[[operation]]
provider = "azure"
name = "Microsoft.Compute/virtualMachines/start/action"
signal = "ephemeral_reset"
chain = "start"
description = "Starts a VM (VM read from the whole record)."
subject = "vm"
resources.vm = { kind = "vm", path = "record.resourceId" }
"#;

fn has_azure_chain(incidents: &[Value], chain: &str) -> bool {
    incidents.iter().any(|i| {
        i["provider"] == "azure"
            && i["chains"]
                .as_array()
                .is_some_and(|c| c.iter().any(|x| x == chain))
    })
}

#[test]
fn a_pack_reading_records_sees_them_across_a_restart() {
    let corpus = Corpus::simulate("2MB", 11);
    let work = tempfile::tempdir().unwrap();
    let rules = work.path().join("record-rules.toml");
    std::fs::write(&rules, RECORD_RULES).unwrap();
    let rules = rules.to_str().unwrap();

    let dirs = corpus.log_dirs();
    let paths: Vec<&std::path::Path> = dirs.iter().map(|p| p.as_path()).collect();
    let run = hunt_jsonl(&paths, &["--add-rules", rules]);
    run.expect_code(0);
    let hunted = run.jsonl();
    // The rules must matter, or this test could not fail.
    assert!(
        has_azure_chain(&hunted, "stop") && has_azure_chain(&hunted, "start"),
        "the corpus has no Azure stop/start incident under the record rules"
    );

    let state = work.path().join("state");
    let alerts = work.path().join("alerts.jsonl");
    let tokens = token_file(work.path());
    let args = [
        "--state-dir",
        state.to_str().unwrap(),
        "--hec-token-file",
        tokens.to_str().unwrap(),
        "--alerts-jsonl",
        alerts.to_str().unwrap(),
        "--add-rules",
        rules,
        // Nothing ages out, so every call of the first half is read back after the restart.
        "--allowed-lateness",
        "30d",
    ];
    // The restart falls in the middle of the corpus: the second half completes incidents whose
    // first calls were only read back from the state.
    let second = Server::across_a_restart(&args, work.path(), &corpus.feed);
    assert_eq!(verdicts(&second.incidents()), verdicts(&hunted));
    assert!(second.stop().success());
}
