//! A user's rule pack (`--rules`, `--add-rules`) from arbitrary text. A pack that loads is fully
//! checked, so building its prefilter, looking operations up and evaluating it over real calls
//! must never fail.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use revertwatch_normalize::ApiCall;
use revertwatch_pack::{load_str, Provider};

/// Calls of the bundled scenarios (every provider), read once.
fn calls() -> &'static Vec<ApiCall> {
    static CALLS: OnceLock<Vec<ApiCall>> = OnceLock::new();
    CALLS.get_or_init(|| {
        let mut calls = Vec::new();
        for fixture in [
            &include_bytes!("../../tests/fixtures/scenarios/aws/full-revert.json")[..],
            &include_bytes!("../../tests/fixtures/scenarios/azure/full-revert.json")[..],
            &include_bytes!("../../tests/fixtures/scenarios/gcp/full-revert.jsonl")[..],
        ] {
            calls.extend(revertwatch_fuzz::hunt::read_unannotated(fixture));
        }
        assert!(!calls.is_empty(), "the scenarios hold calls");
        calls
    })
}

fuzz_target!(|text: &str| {
    let Ok(pack) = load_str(text, Path::new("fuzz.toml")) else {
        return;
    };
    let prefilter = pack.prefilter();
    for entry in &pack.entries {
        assert!(
            pack.knows(entry.provider, &entry.name),
            "{} {}",
            entry.provider,
            entry.name
        );
        assert!(pack.entries_for(entry.provider, &entry.name).count() > 0);
        let record = serde_json::json!({ "eventName": entry.name }).to_string();
        prefilter.is_candidate(record.as_bytes());
    }
    for provider in [Provider::Aws, Provider::Azure, Provider::Gcp] {
        for op in [
            "StopInstances",
            "microsoft.compute/disks/write",
            "v1.compute.disks.insert",
            text,
        ] {
            let _ = pack.entries_for(provider, op).count();
        }
    }
    prefilter.is_candidate(text.as_bytes());
    // Evaluate it the way `hunt --rules` would: the pack alone, and on top of the default.
    // `--add-rules` refuses an extension that chains too many lineage hops; so does this.
    let mut extended = revertwatch_fuzz::hunt::default_pack().clone();
    let extended = extended.extend(pack.clone()).is_ok().then_some(extended);
    for pack in std::iter::once(&pack).chain(extended.as_ref()) {
        let (calls, detection) = revertwatch_fuzz::hunt::detect_with(calls().clone(), pack);
        revertwatch_fuzz::hunt::check_detection(&calls, &detection);
    }
});
