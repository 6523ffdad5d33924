//! `serve` judges routine resets on the resets it has seen, and keeps that evidence in its
//! state: the calls it came from are let go once their incidents close, and a restart must not
//! turn an owner's habit back into reviews.

#[path = "support/live.rs"]
mod live;
mod support;

use live::{alerts, token_file, Record, Server};
use revertwatch_testkit::lifecycle::{cycle, Caller};
use serde_json::Value;

const BOX: &str = "i-0dev0000000000b01";
const OWNER: Caller = Caller::User("dana");

/// The owner's evening stops on March `days` at 18:30, each with the next morning's start.
fn nights(days: std::ops::RangeInclusive<u32>) -> Vec<Record> {
    days.flat_map(|day| {
        [
            cycle(
                OWNER,
                "StopInstances",
                &format!("2026-03-{day:02}T18:30:00Z"),
                BOX,
            ),
            cycle(
                OWNER,
                "StartInstances",
                &format!("2026-03-{:02}T08:15:00Z", day + 1),
                BOX,
            ),
        ]
    })
    .map(|line| {
        let json: Value = serde_json::from_str(&line).unwrap();
        Record {
            time: json["eventTime"].as_str().unwrap().to_string(),
            provider: "aws",
            account: "111122223333".into(),
            json,
        }
    })
    .collect()
}

#[test]
fn routine_evidence_survives_a_restart() {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state");
    let alerts_file = work.path().join("alerts.jsonl");
    let tokens = token_file(work.path());
    let args = [
        "--state-dir",
        state.to_str().unwrap(),
        "--hec-token-file",
        tokens.to_str().unwrap(),
        "--alerts-jsonl",
        alerts_file.to_str().unwrap(),
    ];
    let first = Server::start(&args, work.path(), "first");
    assert_eq!(first.post_events(&nights(1..=6)).0, 200);
    assert!(first.stop().success());

    let second = Server::start(&args, work.path(), "second");
    assert_eq!(second.post_events(&nights(12..=12)).0, 200);
    let incidents = second.incidents();
    let last = incidents
        .iter()
        .find(|i| i["first_seen"] == "2026-03-12T18:30:00Z")
        .unwrap_or_else(|| panic!("{incidents:#?}"));
    assert_eq!(last["severity"], "info", "{last:#}");
    assert_eq!(last["routine"]["times_seen"], 6);
    assert_eq!(last["routine"]["first_seen"], "2026-03-01T18:30:00Z");
    assert!(second.stop().success());
    let id = last["incident_id"].as_str().unwrap();
    let sent = alerts(&alerts_file);
    assert!(
        !sent.iter().any(|a| a["incident_id"] == id),
        "a routine reset is not alerted"
    );
    // The first nights, with no habit yet, were reviews and alerted.
    assert!(sent
        .iter()
        .any(|a| a["first_seen"] == "2026-03-01T18:30:00Z"));
}
