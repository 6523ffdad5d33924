//! The detector at its core: what escalates, where windows end, when an incident settles, and
//! that settling never changes what the batch detector finds.

use std::io::Cursor;
use std::time::Duration;

use chrono::{DateTime, Utc};
use revertwatch_decode::Limits;
use revertwatch_detect::{detect, event_key, Detection, Detector, Horizon, Incident, Severity};
use revertwatch_normalize::{logical_calls, ApiCall, Ingest, Selection};
use revertwatch_pack::load_default;
use revertwatch_testkit::cloudtrail::{attach, copy_snapshot, create_volume, cycle};

const HOUR: Duration = Duration::from_secs(3600);
const I: &str = "i-0abc000000000d001";

fn calls(records: &[String]) -> Vec<ApiCall> {
    let ingest = Ingest {
        selection: Selection::for_pack(&load_default(), false),
        limits: Limits::default(),
    };
    let text = records.join("\n") + "\n";
    let report = ingest.read_reader("test", Cursor::new(text.into_bytes()));
    assert!(report.skips.is_empty(), "{:?}", report.skips);
    report.calls
}

fn batch(records: &[String], window: Duration) -> Detection {
    let pack = load_default();
    detect(&logical_calls(calls(records), &pack), &pack, window)
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn on_target<'a>(d: &'a [Incident], target: &str) -> Vec<&'a Incident> {
    d.iter().filter(|i| i.target == target).collect()
}

/// Runs the detector over `records` in order, settling at each `(after this many records,
/// input has reached this time)`; returns everything it settled and what stayed open.
fn detector_run(records: &[String], window: Duration, settle_at: &[(usize, &str)]) -> Detection {
    let pack = load_default();
    let horizon = Horizon::new(&pack, window, Duration::ZERO);
    let mut detector = Detector::new(pack, horizon);
    let all = calls(records);
    let mut found = Detection::default();
    let mut fed = 0;
    for &(upto, now) in settle_at {
        for call in &all[fed..upto] {
            detector.ingest(event_key(call), call.clone());
        }
        fed = upto;
        found.append(detector.settle(at(now)).detection);
    }
    for call in &all[fed..] {
        detector.ingest(event_key(call), call.clone());
    }
    found.append(detector.finish().0);
    found.sort();
    found
}

fn revert() -> Vec<String> {
    vec![
        cycle("StopInstances", "2026-03-14T02:00:00Z", I),
        create_volume("2026-03-14T02:05:00Z", "snap-0aa1", "vol-0bb1"),
        attach("2026-03-14T02:10:00Z", "vol-0bb1", I),
        cycle("StartInstances", "2026-03-14T02:15:00Z", I),
    ]
}

#[test]
fn stop_volume_from_snapshot_attach_start_is_one_escalation() {
    let d = batch(&revert(), HOUR);
    let on = on_target(&d.incidents, I);
    assert_eq!(on.len(), 1, "{:#?}", d.incidents);
    let i = on[0];
    assert_eq!(i.severity, Severity::Escalate);
    assert_eq!((i.is_snapshot_restore, i.is_ephemeral_reset), (1, 1));
    assert_eq!(i.event_ids.len(), 4);
    assert!(
        i.chains.iter().any(|c| c.contains("volume-from-snapshot")),
        "{:?}",
        i.chains
    );
}

#[test]
fn a_stop_alone_is_a_review() {
    let d = batch(&revert()[..1], HOUR);
    assert_eq!(on_target(&d.incidents, I)[0].severity, Severity::Review);
}

/// On a machine that is running (started, then stopped again), the window splits.
#[test]
fn calls_exactly_one_window_apart_join_and_one_second_more_splits() {
    let joined = [
        cycle("StartInstances", "2026-03-14T02:00:00Z", I),
        cycle("StopInstances", "2026-03-14T03:00:00Z", I),
    ];
    assert_eq!(on_target(&batch(&joined, HOUR).incidents, I).len(), 1);
    let split = [
        cycle("StartInstances", "2026-03-14T02:00:00Z", I),
        cycle("StopInstances", "2026-03-14T03:00:01Z", I),
    ];
    assert_eq!(on_target(&batch(&split, HOUR).incidents, I).len(), 2);
}

/// An owner's evening stop and next morning's start, fourteen hours apart, were two reviews
/// (a lone stop and a lone start) because each was more than a window from the other.
#[test]
fn a_stopped_period_longer_than_the_window_is_one_incident_with_its_downtime() {
    let records = [
        cycle("StopInstances", "2026-03-14T18:30:00Z", I),
        cycle("StartInstances", "2026-03-15T08:45:00Z", I),
    ];
    let d = batch(&records, HOUR);
    let on = on_target(&d.incidents, I);
    assert_eq!(on.len(), 1, "{:#?}", d.incidents);
    assert_eq!(on[0].severity, Severity::Review);
    assert_eq!(on[0].chains, ["stop-start"]);
    let down = on[0].downtime.as_ref().expect("a downtime");
    assert_eq!(down.seconds, 14 * 3600 + 15 * 60);
    assert_eq!(down.human, "14h 15m");
    assert!(!down.still_down);
}

/// A stop on Monday, a volume from a snapshot attached on Wednesday, a start on Thursday: one
/// escalation, and the detector that reads them in time order (settling every day) agrees,
/// since a machine still down waits for its start.
#[test]
fn a_restore_while_the_machine_is_down_for_days_joins_its_stop_and_start() {
    let records = [
        cycle("StopInstances", "2026-03-16T17:00:00Z", I),
        create_volume("2026-03-18T10:00:00Z", "snap-0aa1", "vol-0bb1"),
        attach("2026-03-18T10:20:00Z", "vol-0bb1", I),
        cycle("StartInstances", "2026-03-19T09:00:00Z", I),
    ];
    let whole = batch(&records, HOUR);
    let on = on_target(&whole.incidents, I);
    assert_eq!(on.len(), 1, "{:#?}", whole.incidents);
    assert_eq!(on[0].severity, Severity::Escalate);
    let settled = detector_run(
        &records,
        HOUR,
        &[(1, "2026-03-17T17:00:00Z"), (3, "2026-03-18T23:00:00Z")],
    );
    assert_eq!(summary(&settled), summary(&whole));
}

#[test]
fn a_restore_joins_the_swap_however_long_before_it_was_made() {
    // Provenance hops have no time limit: the volume was made from the snapshot a day
    // before it is attached, and the attach is what brings it onto the machine.
    let records = [
        cycle("StopInstances", "2026-03-14T02:55:00Z", I),
        create_volume("2026-03-13T01:59:59Z", "snap-0aa1", "vol-0bb1"),
        attach("2026-03-14T03:00:00Z", "vol-0bb1", I),
    ];
    let d = batch(&records, HOUR);
    let on = on_target(&d.incidents, I);
    assert_eq!(on.len(), 1, "{:#?}", d.incidents);
    assert_eq!(on[0].severity, Severity::Escalate);
    assert_eq!(on[0].first_seen, at("2026-03-13T01:59:59Z"));
}

#[test]
fn the_window_bounds_only_the_calls_on_the_machine() {
    // The attach (the anchor) is more than a window after the start, on a running machine:
    // two clusters. (After a stop the machine is down, and its stop waits for its start.)
    let late = [
        cycle("StartInstances", "2026-03-14T01:59:59Z", I),
        create_volume("2026-03-14T02:50:00Z", "snap-0aa1", "vol-0bb1"),
        attach("2026-03-14T03:00:00Z", "vol-0bb1", I),
    ];
    let d = batch(&late, HOUR);
    let on = on_target(&d.incidents, I);
    assert_eq!(on.len(), 2, "{:#?}", d.incidents);
    assert!(on.iter().all(|i| i.severity == Severity::Review));
}

/// A start, then a snapshot copied, a volume made from the copy, and the volume attached, each
/// most of a window after the last. The copy and the volume join the attach that brings them
/// onto the machine; the start, more than a window before the attach on a running machine, is
/// its own review. The detector, settling before the attach arrives, agrees with the batch.
#[test]
fn a_restore_two_hops_back_joins_its_attach_and_the_detector_agrees() {
    let records = [
        cycle("StartInstances", "2026-03-14T00:00:00Z", I),
        copy_snapshot("2026-03-14T00:50:00Z", "snap-0aa0", "snap-0aa1"),
        create_volume("2026-03-14T01:45:00Z", "snap-0aa1", "vol-0bb1"),
        attach("2026-03-14T02:40:00Z", "vol-0bb1", I),
    ];
    let whole = batch(&records, HOUR);
    let on = on_target(&whole.incidents, I);
    assert_eq!(on.len(), 2, "{:#?}", whole.incidents);
    assert!(on
        .iter()
        .any(|i| i.is_snapshot_restore == 1 && i.chains == ["volume-from-snapshot-attached"]));
    // Input reaches 02:30 before the attach arrives.
    let settled = detector_run(&records, HOUR, &[(3, "2026-03-14T02:30:00Z")]);
    assert_eq!(summary(&settled), summary(&whole));
}

/// The restore is made days before the stop, swap and start. The detector has settled it as a
/// lone review and let it go long before; the store brings it back to the machine's incident,
/// and the lone review is reported once, in both ways.
#[test]
fn a_restore_days_before_its_swap_escalates_with_a_detector_that_let_it_go() {
    let records = [
        create_volume("2026-03-10T08:55:00Z", "snap-0aa1", "vol-0bb1"),
        cycle("StopInstances", "2026-03-14T16:31:00Z", I),
        attach("2026-03-14T16:33:00Z", "vol-0bb1", I),
        cycle("StartInstances", "2026-03-14T16:36:00Z", I),
    ];
    let whole = batch(&records, HOUR);
    let on = on_target(&whole.incidents, I);
    assert_eq!(on.len(), 1, "{:#?}", whole.incidents);
    assert_eq!(on[0].severity, Severity::Escalate);
    assert_eq!(
        on_target(&whole.incidents, "vol-0bb1").len(),
        1,
        "the lone restore"
    );
    let settled = detector_run(&records, HOUR, &[(1, "2026-03-14T16:30:00Z")]);
    assert_eq!(summary(&settled), summary(&whole));
}

#[test]
fn an_incident_settles_only_once_the_horizon_has_passed_its_last_call() {
    let pack = load_default();
    let horizon = Horizon::new(&pack, HOUR, Duration::ZERO);
    let reach = horizon.reach();
    let mut detector = Detector::new(pack, horizon);
    for call in calls(&revert()) {
        detector.ingest(event_key(&call), call);
    }
    let last = at("2026-03-14T02:15:00Z");
    let early = detector.settle(last + reach);
    assert!(early.detection.incidents.is_empty(), "settled at the edge");
    assert_eq!(detector.held(), 4);
    let settled = detector.settle(last + reach + chrono::Duration::seconds(1));
    assert_eq!(settled.detection.incidents.len(), 1);
    assert_eq!(settled.released.len(), 4);
    assert_eq!(detector.held(), 0);
    // A stop that arrives afterwards on the same machine is a new incident, not a reopening.
    let stop = calls(&[cycle("StopInstances", "2026-03-14T02:16:00Z", I)]);
    detector.ingest(event_key(&stop[0]), stop[0].clone());
    assert_eq!(detector.stats().late, 1);
    let open = detector.open().incidents.clone();
    assert_eq!(open.len(), 1);
    assert_ne!(
        open[0].incident_id,
        settled.detection.incidents[0].incident_id
    );
}

#[test]
fn a_duplicate_delivery_is_held_once() {
    let pack = load_default();
    let horizon = Horizon::new(&pack, HOUR, Duration::ZERO);
    let mut detector = Detector::new(pack, horizon);
    let twice = calls(&[revert()[0].clone(), revert()[0].clone()]);
    assert!(detector.ingest(event_key(&twice[0]), twice[0].clone()));
    assert!(!detector.ingest(event_key(&twice[1]), twice[1].clone()));
    assert_eq!(detector.held(), 1);
    assert_eq!(detector.stats().duplicates, 1);
}

#[test]
fn an_incident_reads_back_from_its_own_json() {
    let d = batch(&revert(), HOUR);
    for incident in &d.incidents {
        let json = serde_json::to_string(incident).unwrap();
        let back: Incident = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, incident);
    }
    let row = serde_json::to_value(&d.events[0]).unwrap();
    assert_eq!(row["outcome"], "success");
}

fn summary(d: &Detection) -> Vec<(String, String, Severity, Vec<String>)> {
    let mut out: Vec<_> = d
        .incidents
        .iter()
        .map(|i| {
            (
                i.incident_id.clone(),
                i.target.clone(),
                i.severity,
                i.event_ids.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Records without an event id whose record was not kept are told apart by where they were
/// read: a minified array puts them all on line 1, at different offsets.
#[test]
fn records_without_an_event_id_on_one_line_are_all_held() {
    let mut calls = calls(&revert()[..2]);
    for (n, call) in calls.iter_mut().enumerate() {
        call.event_id.clear();
        call.record = std::sync::Arc::new(serde_json::Value::Null);
        call.origin.line = 1;
        call.origin.offset = 100 * n as u64;
    }
    assert_ne!(event_key(&calls[0]), event_key(&calls[1]));
}

/// An AWS instance stopped and then terminated never comes back (its id is never re-used): its
/// incident must not wait for a start, or a long-running detector would hold every terminated
/// instance's calls to the provenance horizon.
#[test]
fn a_terminated_instance_no_longer_waits_for_its_start() {
    let mut pack = load_default();
    let terminate = revertwatch_pack::load_str(
        r#"compute_kinds = ["instance"]
[[operation]]
provider = "aws"
name = "TerminateInstances"
signal = "ephemeral_reset"
lifecycle = "delete"
chain = "terminated"
description = "Terminates instances."
subject = "instance"
resources.instance = { kind = "instance", path = ["request.instancesSet.items[].instanceId"] }
"#,
        std::path::Path::new("terminate.toml"),
    )
    .unwrap();
    pack.extend(terminate).unwrap();
    let ingest = Ingest {
        selection: Selection::for_pack(&pack, false),
        limits: Limits::default(),
    };
    let records = [
        cycle("StopInstances", "2026-03-14T02:00:00Z", I),
        cycle("TerminateInstances", "2026-03-14T03:00:00Z", I),
    ];
    let text = records.join("\n") + "\n";
    let all = ingest
        .read_reader("t", Cursor::new(text.into_bytes()))
        .calls;
    assert_eq!(all.len(), 2);
    let whole = detect(&logical_calls(all.clone(), &pack), &pack, HOUR);
    let down = whole.incidents[0].downtime.as_ref().unwrap();
    assert!(!down.still_down, "{down:?}");
    assert_eq!(down.periods[0].started, None);
    let mut detector = Detector::new(pack.clone(), Horizon::new(&pack, HOUR, Duration::ZERO));
    for call in all {
        detector.ingest(event_key(&call), call);
    }
    let settled = detector.settle(at("2026-03-15T03:00:00Z"));
    assert_eq!(settled.detection.incidents.len(), 1);
    assert_eq!(detector.held(), 0);
}

/// A GCP instance deleted, then created again under its name from a machine image three days
/// later. The detector let the delete go long before (it makes no incident alone); the
/// provenance store keeps it, and the new machine's calls recall it: one escalation, as the
/// batch finds.
#[test]
fn a_name_created_again_days_after_its_delete_recalls_the_delete_from_the_store() {
    use revertwatch_testkit::lifecycle::{gcp_delete, gcp_insert_from_machine_image};
    let vm = "projects/acme-prod/zones/us-central1-a/instances/web-9";
    let who = "mallory@acme-corp.example";
    let records = [
        gcp_delete(who, "2026-03-10T10:00:00Z", vm),
        gcp_insert_from_machine_image(who, "2026-03-13T09:00:00Z", vm, "web-9-mi"),
    ];
    let whole = batch(&records, HOUR);
    assert_eq!(whole.incidents.len(), 1, "{:#?}", whole.incidents);
    assert_eq!(whole.incidents[0].severity, Severity::Escalate);
    assert!(!whole.incidents[0].new_machine);
    let settled = detector_run(&records, HOUR, &[(1, "2026-03-12T00:00:00Z")]);
    assert_eq!(summary(&settled), summary(&whole));
    // Deleted for good: no incident either way.
    assert!(batch(&records[..1], HOUR).incidents.is_empty());
    assert!(
        detector_run(&records[..1], HOUR, &[(1, "2026-03-12T00:00:00Z")])
            .incidents
            .is_empty()
    );
}
