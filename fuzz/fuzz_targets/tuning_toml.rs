//! A tuning file from arbitrary text. One that loads must apply to real incidents (the AWS
//! full-revert scenario) without failing, and apply never removes an incident.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use revertwatch_detect::Incident;
use revertwatch_tuning::{apply, load_str};

fn incidents() -> &'static Vec<Incident> {
    static INCIDENTS: OnceLock<Vec<Incident>> = OnceLock::new();
    INCIDENTS.get_or_init(|| {
        let data = include_bytes!("../../tests/fixtures/scenarios/aws/full-revert.json");
        let detection = revertwatch_fuzz::hunt::hunt(data);
        assert!(
            !detection.incidents.is_empty(),
            "the scenario holds incidents"
        );
        detection.incidents
    })
}

fuzz_target!(|text: &str| {
    let Ok(tuning) = load_str(text, Path::new("fuzz.toml"), false) else {
        return;
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date");
    for tuning in [tuning.clone(), tuning.with_builtins(&[])] {
        let mut tuned = incidents().clone();
        let applied = apply(&mut tuned, &tuning, today);
        assert_eq!(tuned.len(), incidents().len(), "tuning removed an incident");
        assert_eq!(applied.uses.len(), tuning.rules.len());
        for (before, after) in incidents().iter().zip(&tuned) {
            assert_eq!(before.incident_id, after.incident_id);
            assert_eq!(before.evidence.len(), after.evidence.len());
            assert!(
                after.severity <= before.severity,
                "tuning raised a severity"
            );
        }
    }
});
