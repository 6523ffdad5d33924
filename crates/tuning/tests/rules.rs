//! Tuning at its core: each matcher, the safety rule and expiry, on incidents that the real
//! pipeline (ingest, merge, detect) makes of small CloudTrail trails.
//!
//! The trail is one stop and start of an instance, the seed's first test: by default both
//! calls come from an assumed-role session of `NightlyOps`, on a Saturday evening (UTC),
//! from 10.20.30.40 with the AWS CLI.

use std::io::Cursor;
use std::path::Path;

use chrono::NaiveDate;
use revertwatch_detect::{detect, Incident, DEFAULT_WINDOW};
use revertwatch_normalize::{logical_calls, Ingest, Selection};
use revertwatch_pack::load_default;
use revertwatch_tuning::{apply, load_str, Tuning};

const ACCOUNT: &str = "111122223333";
const INSTANCE: &str = "i-0a1b2c3d4e5f60718";

/// Who makes a call, as CloudTrail's `userIdentity` and request fields say.
#[derive(Clone)]
struct Caller {
    identity: String,
    source_ip: &'static str,
    user_agent: &'static str,
}

/// A session of the `NightlyOps` role, as a scheduler's calls look.
fn nightly_ops() -> Caller {
    Caller {
        identity: format!(
            r#"{{"type": "AssumedRole", "principalId": "AROAEXAMPLEOPS:nightly",
                "arn": "arn:aws:sts::{ACCOUNT}:assumed-role/NightlyOps/nightly",
                "accountId": "{ACCOUNT}",
                "sessionContext": {{"sessionIssuer": {{"type": "Role",
                    "principalId": "AROAEXAMPLEOPS",
                    "arn": "arn:aws:iam::{ACCOUNT}:role/NightlyOps",
                    "accountId": "{ACCOUNT}", "userName": "NightlyOps"}}}}}}"#
        ),
        source_ip: "10.20.30.40",
        user_agent: "aws-cli/2.15.30 Python/3.11.8",
    }
}

/// An IAM user from outside the company's networks.
fn mallory() -> Caller {
    Caller {
        identity: format!(
            r#"{{"type": "IAMUser", "principalId": "AIDAQ7RZKX4M2VN8LP3EW",
                "arn": "arn:aws:iam::{ACCOUNT}:user/mallory", "accountId": "{ACCOUNT}",
                "userName": "mallory"}}"#
        ),
        source_ip: "203.0.113.66",
        user_agent: "Boto3/1.34.0",
    }
}

/// AWS Backup acting through its service-linked role: CloudTrail names the service in
/// `invokedBy` and writes it in place of a source address.
fn aws_backup() -> Caller {
    Caller {
        identity: format!(
            r#"{{"type": "AssumedRole", "principalId": "AROAEXAMPLEBACKUP:AWSBackup",
                "arn": "arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForBackup/AWSBackup",
                "accountId": "{ACCOUNT}", "invokedBy": "backup.amazonaws.com",
                "sessionContext": {{"sessionIssuer": {{"type": "Role",
                    "principalId": "AROAEXAMPLEBACKUP",
                    "arn": "arn:aws:iam::{ACCOUNT}:role/aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup",
                    "accountId": "{ACCOUNT}", "userName": "AWSServiceRoleForBackup"}}}}}}"#
        ),
        source_ip: "backup.amazonaws.com",
        user_agent: "backup.amazonaws.com",
    }
}

/// One EC2 call on the instance at `time` (RFC 3339).
fn ec2(operation: &str, time: &str, caller: &Caller) -> String {
    let state = if operation == "StopInstances" {
        "stopping"
    } else {
        "pending"
    };
    format!(
        r#"{{"eventVersion": "1.09", "userIdentity": {identity},
            "eventTime": "{time}", "eventSource": "ec2.amazonaws.com",
            "eventName": "{operation}", "awsRegion": "eu-central-1",
            "sourceIPAddress": "{ip}", "userAgent": "{ua}",
            "requestParameters": {{"instancesSet": {{"items": [{{"instanceId": "{INSTANCE}"}}]}}}},
            "responseElements": {{"instancesSet": {{"items": [{{"instanceId": "{INSTANCE}",
                "currentState": {{"name": "{state}"}}}}]}}}},
            "eventID": "{operation}-{time}", "eventType": "AwsApiCall",
            "recipientAccountId": "{ACCOUNT}"}}"#,
        identity = caller.identity.replace('\n', " "),
        ip = caller.source_ip,
        ua = caller.user_agent,
    )
}

/// 2026-03-14 is a Saturday: 22:10 UTC is 23:10 in Berlin.
const STOP_AT: &str = "2026-03-14T22:10:00Z";
const START_AT: &str = "2026-03-14T22:40:00Z";

/// The incident detection makes of these records; the trail must make exactly one.
fn incident(records: &[String]) -> Incident {
    let pack = load_default();
    let ingest = Ingest {
        selection: Selection::for_pack(&pack, false),
        limits: Default::default(),
    };
    let text = records.join("\n") + "\n";
    let report = ingest.read_reader("trail.jsonl", Cursor::new(text.into_bytes()));
    assert!(report.skips.is_empty(), "{:?}", report.skips);
    let calls = logical_calls(report.calls, &pack);
    let mut incidents = detect(&calls, &pack, DEFAULT_WINDOW).incidents;
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    incidents.remove(0)
}

/// A stop and a start, by `stopper` and `starter`.
fn stop_start(stopper: &Caller, starter: &Caller) -> Incident {
    incident(&[
        ec2("StopInstances", STOP_AT, stopper),
        ec2("StartInstances", START_AT, starter),
    ])
}

fn tuning(rules: &str) -> Tuning {
    load_str(rules, Path::new("tuning.toml"), false).expect("the test's tuning loads")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

/// The incident after one rule named `r`, with `criteria`, is applied.
fn tuned(mut incident: Incident, criteria: &str) -> Incident {
    let rules = format!("[[rule]]\nname = \"r\"\nreason = \"known automation\"\n{criteria}\n");
    apply(
        std::slice::from_mut(&mut incident),
        &tuning(&rules),
        today(),
    );
    incident
}

fn suppressed(incident: &Incident) -> bool {
    incident.suppressed_by.as_deref() == Some("r")
}

#[test]
fn an_actor_glob_matches_the_callers_arn() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"actor = "arn:aws:sts::*:assumed-role/NightlyOps/*""#,
    );
    assert!(suppressed(&i));
    assert!(i.tuning_notes.is_empty());
}

#[test]
fn an_actor_glob_matches_the_role_a_session_was_issued_from() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"actor = "arn:aws:iam::111122223333:role/nightlyops""#,
    );
    assert!(
        suppressed(&i),
        "globs ignore case, and the issuer stands for its sessions"
    );
}

#[test]
fn an_actor_the_rule_does_not_name_leaves_the_incident_untouched() {
    let i = tuned(
        stop_start(&mallory(), &mallory()),
        r#"actor = "arn:aws:iam::*:role/NightlyOps""#,
    );
    assert_eq!(i.suppressed_by, None);
    assert!(
        i.tuning_notes.is_empty(),
        "no call fits: nothing to explain"
    );
}

#[test]
fn an_actor_type_glob_matches_the_identity_type() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"actor_type = "AssumedRole""#,
    );
    assert!(suppressed(&i));
    let i = tuned(
        stop_start(&mallory(), &mallory()),
        r#"actor_type = "AssumedRole""#,
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn invoked_by_matches_the_service_acting_for_the_caller() {
    let i = tuned(
        stop_start(&aws_backup(), &aws_backup()),
        r#"invoked_by = "backup.amazonaws.com""#,
    );
    assert!(suppressed(&i));
}

#[test]
fn invoked_by_never_matches_a_call_no_service_made() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        "invoked_by = \"*\"\nmatch_all = true",
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn a_user_agent_glob_matches_the_callers_agent() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        "user_agent = \"aws-cli/*\"\ntrusts_caller_fields = true",
    );
    assert!(suppressed(&i));
    let i = tuned(
        stop_start(&mallory(), &mallory()),
        "user_agent = \"aws-cli/*\"\ntrusts_caller_fields = true",
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn a_source_network_contains_the_callers_address() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"source_ip = "10.0.0.0/8""#,
    );
    assert!(suppressed(&i));
}

#[test]
fn an_address_outside_the_source_network_does_not_match() {
    let i = tuned(
        stop_start(&mallory(), &mallory()),
        r#"source_ip = ["10.0.0.0/8", "192.0.2.7"]"#,
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn a_source_name_matches_the_service_cloudtrail_writes_for_an_address() {
    let i = tuned(
        stop_start(&aws_backup(), &aws_backup()),
        r#"source_ip = "*.amazonaws.com""#,
    );
    assert!(suppressed(&i));
}

#[test]
fn a_provider_matches_only_its_own_cloud() {
    let aws = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        "provider = \"AWS\"\nmatch_all = true",
    );
    assert!(suppressed(&aws));
    let gcp = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        "provider = [\"gcp\", \"azure\"]\nmatch_all = true",
    );
    assert_eq!(gcp.suppressed_by, None);
}

#[test]
fn an_account_glob_matches_the_incidents_account() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"account = "1111*""#,
    );
    assert!(suppressed(&i));
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"account = "444455556666""#,
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn region_and_target_globs_match_where_the_incident_happened() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"region = "eu-*"
target = "*i-0a1b2c3d4e5f60718*""#,
    );
    assert!(suppressed(&i));
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"region = "us-*""#,
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn an_operation_list_must_cover_every_call() {
    let all = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"operation = ["StopInstances", "StartInstances"]"#,
    );
    assert!(suppressed(&all));
    let stop_only = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"operation = "StopInstances""#,
    );
    assert_eq!(stop_only.suppressed_by, None);
    assert_eq!(stop_only.tuning_notes.len(), 1);
    assert!(
        stop_only.tuning_notes[0].contains("StartInstances"),
        "{:?}",
        stop_only.tuning_notes
    );
}

#[test]
fn a_maintenance_window_matches_calls_in_its_local_hours() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"[[rule.window]]
days = ["sat"]
start = "23:00"
end = "02:00"
tz = "Europe/Berlin""#,
    );
    assert!(
        suppressed(&i),
        "22:10 and 22:40 UTC are 23:10 and 23:40 in Berlin"
    );
}

#[test]
fn a_window_on_other_days_does_not_match() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"[[rule.window]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "22:00"
end = "23:59""#,
    );
    assert_eq!(i.suppressed_by, None);
}

#[test]
fn a_one_off_range_matches_calls_inside_it() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"[[rule.between]]
from = "2026-03-14"
to = "2026-03-15""#,
    );
    assert!(suppressed(&i));
}

#[test]
fn a_range_that_ends_before_a_call_leaves_the_incident_live_with_a_note() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"[[rule.between]]
from = "2026-03-14T22:00:00Z"
to = "2026-03-14T22:30:00Z""#,
    );
    assert_eq!(
        i.suppressed_by, None,
        "the end is exclusive and the start came later"
    );
    assert_eq!(i.tuning_notes.len(), 1);
}

#[test]
fn an_attackers_call_joining_a_vouched_chain_keeps_the_incident_live() {
    let i = tuned(
        stop_start(&nightly_ops(), &mallory()),
        r#"actor = "arn:aws:iam::*:role/NightlyOps""#,
    );
    assert_eq!(i.suppressed_by, None);
    assert_eq!(i.tuning_notes.len(), 1);
    assert!(
        i.tuning_notes[0].contains("StartInstances by arn:aws:iam::111122223333:user/mallory"),
        "the note names the call and caller outside the rule: {:?}",
        i.tuning_notes
    );
}

#[test]
fn a_call_that_fits_the_criteria_still_needs_a_vouched_caller() {
    // Both callers fit the time range, but only the one that carries the tag is vouched for.
    let i = tuned(
        stop_start(&nightly_ops(), &mallory()),
        r#"tag = "Schedule=*"
[[rule.between]]
from = "2026-03-14"
to = "2026-03-15""#,
    );
    assert_eq!(i.suppressed_by, None);
    assert!(
        i.tuning_notes.is_empty(),
        "no call carries the tag: nothing vouched"
    );
}

#[test]
fn a_rule_applies_when_every_caller_is_vouched_for() {
    let i = tuned(
        stop_start(&nightly_ops(), &aws_backup()),
        r#"actor = ["arn:aws:iam::*:role/NightlyOps", "*AWSServiceRoleForBackup*"]"#,
    );
    assert!(suppressed(&i));
}

#[test]
fn an_expired_rule_never_matches_and_is_reported_expired() {
    let mut incidents = vec![stop_start(&nightly_ops(), &nightly_ops())];
    let rules = tuning(
        r#"[[rule]]
name = "r"
reason = "the migration ran that week"
expires = "2026-03-19"
actor = "arn:aws:iam::*:role/NightlyOps""#,
    );
    let applied = apply(&mut incidents, &rules, today());
    assert_eq!(incidents[0].suppressed_by, None);
    assert!(incidents[0].tuning_notes.is_empty());
    assert!(applied.uses[0].expired);
    assert_eq!(applied.suppressed(), 0);
}

#[test]
fn a_rule_still_holds_on_its_expiry_date() {
    let i = tuned(
        stop_start(&nightly_ops(), &nightly_ops()),
        r#"expires = "2026-03-20"
actor = "arn:aws:iam::*:role/NightlyOps""#,
    );
    assert!(suppressed(&i));
}

#[test]
fn suppression_keeps_every_field_of_the_incident() {
    let before = stop_start(&nightly_ops(), &nightly_ops());
    let mut after = tuned(before.clone(), r#"actor_type = "AssumedRole""#);
    assert!(suppressed(&after));
    after.suppressed_by = None;
    assert_eq!(after, before);
}

#[test]
fn the_built_in_aws_backup_rule_suppresses_the_backup_services_calls() {
    let mut incidents = vec![stop_start(&aws_backup(), &aws_backup())];
    let rules = Tuning::default().with_builtins(&[]);
    let applied = apply(&mut incidents, &rules, today());
    assert_eq!(incidents[0].suppressed_by.as_deref(), Some("aws-backup"));
    assert_eq!(applied.suppressed(), 1);
}

#[test]
fn a_switched_off_built_in_does_not_apply() {
    let mut incidents = vec![stop_start(&aws_backup(), &aws_backup())];
    let rules = Tuning::default().with_builtins(&["aws-backup".to_string()]);
    apply(&mut incidents, &rules, today());
    assert_eq!(incidents[0].suppressed_by, None);
}

/// An ordinary role whose caller names its session (and its user agent) after what each
/// built-in looks for. None of the built-ins may vouch for it: a session name is the caller's
/// own choice.
#[test]
fn no_builtin_vouches_for_a_session_named_after_it() {
    let mut wrong = Vec::new();
    for rule in revertwatch_tuning::builtins() {
        for session in [
            rule.name.clone(),
            "InstanceScheduler-SchedulerMain".into(),
            "prod-Scheduler-Role-111122223333-us-east-1".into(),
            "aws-service-role/drs.amazonaws.com/x".into(),
            "imagebuilder.amazonaws.com".into(),
            "backup.amazonaws.com".into(),
            "fis.amazonaws.com".into(),
        ] {
            let caller = Caller {
                identity: format!(
                    r#"{{"type": "AssumedRole", "principalId": "AROAEXAMPLEADM:{session}",
                        "arn": "arn:aws:sts::{ACCOUNT}:assumed-role/Admin/{session}",
                        "accountId": "{ACCOUNT}",
                        "sessionContext": {{"sessionIssuer": {{"type": "Role",
                            "principalId": "AROAEXAMPLEADM",
                            "arn": "arn:aws:iam::{ACCOUNT}:role/Admin",
                            "accountId": "{ACCOUNT}", "userName": "Admin"}}}}}}"#
                ),
                source_ip: "203.0.113.66",
                user_agent: "aws-cli/2.15.30 InstanceScheduler Managed Instance Group",
            };
            let mut incidents = vec![stop_start(&caller, &caller)];
            let tuning = revertwatch_tuning::Tuning::default().with_builtins(&[]);
            revertwatch_tuning::apply(&mut incidents, &tuning, today());
            if let Some(by) = &incidents[0].suppressed_by {
                wrong.push(format!("session `{session}`: suppressed by {by}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A session of a role, with the role's path: how a service-linked role's calls look.
fn role_session(role_path_and_name: &str, session: &str) -> Caller {
    let name = role_path_and_name.rsplit('/').next().unwrap();
    Caller {
        identity: format!(
            r#"{{"type": "AssumedRole", "principalId": "AROAEXAMPLESVC:{session}",
                "arn": "arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
                "accountId": "{ACCOUNT}",
                "sessionContext": {{"sessionIssuer": {{"type": "Role",
                    "principalId": "AROAEXAMPLESVC",
                    "arn": "arn:aws:iam::{ACCOUNT}:role/{role_path_and_name}",
                    "accountId": "{ACCOUNT}", "userName": "{name}"}}}}}}"#
        ),
        source_ip: "drs.amazonaws.com",
        user_agent: "drs.amazonaws.com",
    }
}

/// The services that restore as part of their own work are vouched for by the role AWS gives
/// them, and Instance Scheduler v3 by its `<namespace>-Scheduler-Role`; the same session names
/// on an ordinary role are not (the test above).
#[test]
fn the_service_roles_of_drs_image_builder_and_scheduler_v3_are_vouched_for() {
    for (role, session, builtin) in [
        (
            "aws-service-role/drs.amazonaws.com/AWSServiceRoleForElasticDisasterRecovery",
            "ElasticDisasterRecovery",
            "aws-elastic-disaster-recovery",
        ),
        (
            "aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder",
            "Ec2ImageBuilderIntegrationService",
            "aws-image-builder",
        ),
        (
            "prod-Scheduler-Role",
            "prod-Scheduler-Role-111122223333-us-east-1",
            "aws-instance-scheduler",
        ),
    ] {
        let caller = role_session(role, session);
        let mut incidents = vec![stop_start(&caller, &caller)];
        let tuning = revertwatch_tuning::Tuning::default().with_builtins(&[]);
        revertwatch_tuning::apply(&mut incidents, &tuning, today());
        assert_eq!(
            incidents[0].suppressed_by.as_deref(),
            Some(builtin),
            "{role}"
        );
    }
}

/// Instance Scheduler v3 (AWS Solutions SO0030, v3.x) acts from the role its stack names
/// `<namespace>-Scheduler-Role`, in sessions named `<role>-<account>-<region>`. The built-in
/// vouches for that role; a session given the same name on an ordinary role, or a role that
/// only contains the name, is not vouched for, because the session name is the caller's choice.
#[test]
fn an_instance_scheduler_v3_session_is_vouched_for_and_its_name_on_another_role_is_not() {
    let tuning = revertwatch_tuning::Tuning::default().with_builtins(&[]);
    let v3 = |role: &str, session: &str| {
        let mut c = role_session(role, session);
        c.source_ip = "3.236.118.42";
        c.user_agent = "Boto3/1.34.51 md/Botocore#1.34.51 exec-env/AWS_Lambda_python3.11 AwsSolution/SO0030/v3.0.5";
        c
    };
    let verdict = |caller: &Caller| {
        let mut incidents = vec![stop_start(caller, caller)];
        revertwatch_tuning::apply(&mut incidents, &tuning, today());
        incidents.remove(0).suppressed_by
    };
    for ns in ["prod", "is-v3", "acme-eu"] {
        let role = format!("{ns}-Scheduler-Role");
        let session = format!("{role}-{ACCOUNT}-eu-central-1");
        let scheduler = v3(&role, &session);
        assert!(
            scheduler
                .identity
                .contains(&format!("assumed-role/{role}/{session}")),
            "the session's ARN is the v3 shape"
        );
        assert_eq!(
            verdict(&scheduler).as_deref(),
            Some("aws-instance-scheduler"),
            "{role}"
        );
        for (role, session) in [
            ("Admin".to_string(), session.clone()),
            ("Admin".to_string(), role.clone()),
            (format!("{role}-Admin"), session.clone()),
            (format!("{role}/Admin"), session.clone()),
        ] {
            assert_eq!(
                verdict(&v3(&role, &session)),
                None,
                "role `{role}`, session `{session}` must not be vouched for"
            );
        }
    }
}
