//! Tuning: each false-positive category of the seed, as realistic logs, is suppressed or
//! downgraded by a rule of examples/tuning.toml or a built-in, while a real revert on the same
//! instance, in the same window, by another actor, still escalates.
//!
//! The logs are the scenario fixtures (tests/fixtures/scenarios) with their identities, ids and
//! times rewritten per case, so every record keeps its real shape.

mod support;

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use support::{example, fixture, revertwatch, Run};

fn load(file: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(fixture(file)).unwrap()).unwrap();
    v.get("Records")
        .or_else(|| v.get("records"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// An AWS identity block, with the source and agent CloudTrail writes beside it.
struct Who {
    identity: Value,
    ip: &'static str,
    agent: &'static str,
    account: &'static str,
}

fn role(
    account: &'static str,
    role: &str,
    session: &str,
    ip: &'static str,
    agent: &'static str,
) -> Who {
    Who {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("AROAEXAMPLEID:{session}"),
            "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            "accountId": account,
            "accessKeyId": "ASIAEXAMPLEKEY",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID", "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "userName": role},
                "attributes": {"creationDate": "2026-03-14T12:00:00Z", "mfaAuthenticated": "false"}
            }
        }),
        ip,
        agent,
        account,
    }
}

fn mallory() -> Who {
    Who {
        identity: json!({"type": "IAMUser", "principalId": "AIDAMALLORY", "arn": "arn:aws:iam::111122223333:user/mallory", "accountId": "111122223333", "accessKeyId": "AKIAMALLORY", "userName": "mallory"}),
        ip: "203.0.113.66",
        agent: "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
        account: "111122223333",
    }
}

/// The AWS full revert (stop, volume from snapshot, detach, attach, start) on `instance`,
/// by `who`, starting at `t0`; `only` keeps some of its calls.
fn aws_revert(
    case: &str,
    instance: &str,
    who: &Who,
    t0: &str,
    only: &[&str],
    tag: Option<(&str, &str)>,
) -> Vec<Value> {
    let base: DateTime<Utc> = "2026-03-14T13:00:00Z".parse().unwrap();
    let t0: DateTime<Utc> = t0.parse().unwrap();
    let mut out = Vec::new();
    for (n, r) in load("scenarios/aws/full-revert.json")
        .into_iter()
        .enumerate()
    {
        let name = r["eventName"].as_str().unwrap().to_string();
        if !only.contains(&name.as_str()) {
            continue;
        }
        let text = r
            .to_string()
            .replace("i-0a1b2c3d4e5f60004", instance)
            .replace("vol-0aaa000000000004", &format!("vol-{case}-new"))
            .replace("vol-0ccc000000000004", &format!("vol-{case}-old"));
        let mut r: Value = serde_json::from_str(&text).unwrap();
        let at: DateTime<Utc> = r["eventTime"].as_str().unwrap().parse().unwrap();
        r["eventTime"] = json!((t0 + (at - base)).format("%Y-%m-%dT%H:%M:%SZ").to_string());
        r["eventID"] = json!(format!("{case}-{n}"));
        r["userIdentity"] = who.identity.clone();
        r["sourceIPAddress"] = json!(who.ip);
        r["userAgent"] = json!(who.agent);
        r["recipientAccountId"] = json!(who.account);
        if let (Some((k, v)), "CreateVolume") = (tag, name.as_str()) {
            r["requestParameters"]["tagSpecificationSet"] =
                json!({"items": [{"resourceType": "volume", "tags": [{"key": k, "value": v}]}]});
        }
        out.push(r);
    }
    out
}

const ALL: &[&str] = &[
    "StopInstances",
    "CreateVolume",
    "DetachVolume",
    "AttachVolume",
    "StartInstances",
];
const RESTORE: &[&str] = &["CreateVolume", "AttachVolume"];
const RESET: &[&str] = &["StopInstances", "StartInstances"];

fn write_records(dir: &Path, name: &str, records: Vec<Value>) {
    std::fs::write(dir.join(name), json!({ "Records": records }).to_string()).unwrap();
}

/// Azure: deallocate + start of `vm` by the Chaos Studio experiment identity; with `mallory`,
/// her disk from snapshot and OS-disk swap on the same VM too.
fn azure_chaos(case: &str, vm: &str, with_mallory: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let chaos_claims = json!({
        "aud": "https://management.core.windows.net/",
        "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "appid": "5b8f3b2f-6a31-4d7e-9a87-2c1f0e3d4b5a",
        "idtyp": "app",
        "http://schemas.microsoft.com/identity/claims/objectidentifier": "9c1a7d1e-1111-4c4c-8d8d-0e0e0e0e0e0e",
        "xms_mirid": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-chaos/providers/Microsoft.Chaos/experiments/vm-shutdown-gameday"
    });
    for (n, r) in load("scenarios/azure/stop-start.json")
        .into_iter()
        .enumerate()
    {
        let text = r
            .to_string()
            .replace("vm-web01", vm)
            .replace("VM-WEB01", &vm.to_uppercase());
        let mut r: Value = serde_json::from_str(&text).unwrap();
        r["identity"]["claims"] = chaos_claims.clone();
        r["callerIpAddress"] = json!("52.168.10.20");
        r["eventDataId"] = json!(format!("{case}-{n}"));
        r["correlationId"] = json!(format!("{case}-{}", r["correlationId"].as_str().unwrap()));
        out.push(r);
    }
    if with_mallory {
        for (n, r) in load("scenarios/azure/full-revert.json")
            .into_iter()
            .enumerate()
        {
            let op = r["operationName"].as_str().unwrap().to_ascii_lowercase();
            if !(op.ends_with("disks/write") || op.ends_with("virtualmachines/write")) {
                continue;
            }
            let text = r
                .to_string()
                .replace("vm-web03", vm)
                .replace("VM-WEB03", &vm.to_uppercase());
            let mut r: Value = serde_json::from_str(&text).unwrap();
            // Her calls land while the experiment runs: between its deallocate and start.
            let at: DateTime<Utc> = r["time"].as_str().unwrap().parse().unwrap();
            r["time"] = json!((at - Duration::hours(3)).to_rfc3339());
            r["eventDataId"] = json!(format!("{case}-m{n}"));
            r["correlationId"] = json!(format!("{case}-{}", r["correlationId"].as_str().unwrap()));
            out.push(r);
        }
    }
    out
}

fn hunt(dir: &Path, extra: &[&str]) -> Run {
    let config = example("tuning.toml");
    let mut args = vec![
        "hunt",
        dir.to_str().unwrap(),
        "--format",
        "jsonl",
        "--config",
        config.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    revertwatch(&args, None)
}

fn on<'a>(incidents: &'a [Value], target: &str) -> &'a Value {
    let found: Vec<&Value> = incidents
        .iter()
        .filter(|i| i["target"].as_str().unwrap().ends_with(target))
        .collect();
    assert_eq!(found.len(), 1, "incidents on {target}: {found:#?}");
    found[0]
}

fn assert_tuned(i: &Value, severity: &str, suppressed: Option<&str>, downgraded: Option<&str>) {
    assert_eq!(i["severity"], severity, "{i:#}");
    assert_eq!(i["suppressed_by"].as_str(), suppressed, "{i:#}");
    assert_eq!(i["downgraded_by"].as_str(), downgraded, "{i:#}");
}

/// A benign revert and, on another instance, the same benign calls joined by mallory's.
fn benign_and_mixed(
    dir: &Path,
    case: &str,
    who: impl Fn() -> Who,
    t0: &str,
    benign: &[&str],
    tag: Option<(&str, &str)>,
) {
    let benign_instance = format!("i-0a1b2c3d4e5f6{case}a");
    let mixed_instance = format!("i-0a1b2c3d4e5f6{case}b");
    let mut mixed = aws_revert(
        &format!("{case}b"),
        &mixed_instance,
        &who(),
        t0,
        benign,
        tag,
    );
    let later: DateTime<Utc> = t0.parse::<DateTime<Utc>>().unwrap() + Duration::minutes(1);
    // Her calls on the machine are logged in the account that owns it (a machine is keyed by
    // account: the same instance id in another account is another machine).
    let owner = who().account;
    mixed.extend(
        aws_revert(
            &format!("{case}m"),
            &mixed_instance,
            &mallory(),
            &later.to_rfc3339(),
            RESTORE,
            None,
        )
        .into_iter()
        .map(|mut r| {
            r["recipientAccountId"] = json!(owner);
            r
        }),
    );
    write_records(
        dir,
        &format!("{case}-benign.json"),
        aws_revert(
            &format!("{case}a"),
            &benign_instance,
            &who(),
            t0,
            benign,
            tag,
        ),
    );
    write_records(dir, &format!("{case}-mixed.json"), mixed);
}

/// One estate holding every case: each benign revert, and on another instance the same benign
/// calls joined by mallory's. Written once per test binary; each case is its own test so that
/// one failure hides none of the others.
fn estate() -> &'static Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tuning-estate");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        write_estate(&dir);
        dir
    })
}

fn write_estate(d: &Path) {
    // 1. DR runbook with a change ticket (downgraded).
    benign_and_mixed(
        d,
        "dr",
        || {
            role(
                "111122223333",
                "DR-Runbook",
                "jdoe",
                "198.51.100.20",
                "aws-cli/2.15.30",
            )
        },
        "2026-03-14T13:00:00Z",
        ALL,
        Some(("ChangeTicket", "CHG-1234")),
    );
    // 2. Backup restore testing, Saturday 23:30 in Berlin (suppressed).
    benign_and_mixed(
        d,
        "drill",
        || {
            role(
                "111122223333",
                "PlatformDRDrill",
                "drill-bot",
                "198.51.100.21",
                "Boto3/1.34.0",
            )
        },
        "2026-03-14T22:30:00Z",
        ALL,
        None,
    );
    // 3. CI/CD environment reset in staging (suppressed).
    benign_and_mixed(
        d,
        "ci",
        || {
            role(
                "444455556666",
                "GitHubActions-StagingDeploy",
                "run-8812",
                "198.51.100.22",
                "APN/1.0 HashiCorp/1.0 Terraform/1.7.4",
            )
        },
        "2026-03-14T10:00:00Z",
        ALL,
        None,
    );
    // 4. Patch rollback on one night (downgraded).
    benign_and_mixed(
        d,
        "patch",
        || {
            role(
                "111122223333",
                "OpsAdmin",
                "jane.doe",
                "198.51.100.23",
                "console.ec2.amazonaws.com",
            )
        },
        "2026-03-14T21:00:00Z",
        ALL,
        None,
    );
    // 5a. AWS FIS stops and starts (built-in, suppressed).
    let fis = || Who {
        identity: json!({"type": "AssumedRole", "principalId": "AROAFIS:EXP123", "arn": "arn:aws:sts::111122223333:assumed-role/FISExperimentRole/EXPabc123", "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/FISExperimentRole", "userName": "FISExperimentRole"}, "attributes": {"creationDate": "2026-03-14T15:00:00Z", "mfaAuthenticated": "false"}},
            "invokedBy": "fis.amazonaws.com"}),
        ip: "fis.amazonaws.com",
        agent: "fis.amazonaws.com",
        account: "111122223333",
    };
    benign_and_mixed(d, "fis", fis, "2026-03-14T15:00:00Z", RESET, None);
    // 5b. A team's own chaos tool, by role and source network.
    benign_and_mixed(
        d,
        "gameday",
        || {
            role(
                "111122223333",
                "GameDayChaos",
                "chaos",
                "10.42.3.7",
                "Boto3/1.34.0",
            )
        },
        "2026-03-14T16:00:00Z",
        RESET,
        None,
    );
    // 5c. Azure Chaos Studio (built-in, suppressed).
    std::fs::write(
        d.join("chaos-benign.json"),
        json!({"records": azure_chaos("chaosa", "vm-chaos-a", false)}).to_string(),
    )
    .unwrap();
    std::fs::write(
        d.join("chaos-mixed.json"),
        json!({"records": azure_chaos("chaosb", "vm-chaos-b", true)}).to_string(),
    )
    .unwrap();
    // An expired rule does not apply.
    write_records(
        d,
        "migration.json",
        aws_revert(
            "mig",
            "i-0a1b2c3d4e5f6miga",
            &role(
                "111122223333",
                "Migration",
                "m",
                "198.51.100.24",
                "aws-cli/2.15.30",
            ),
            "2026-03-14T09:00:00Z",
            ALL,
            None,
        ),
    );
}

/// The estate hunted with examples/tuning.toml and the built-ins.
fn tuned() -> &'static (Run, Vec<Value>) {
    static RUN: std::sync::OnceLock<(Run, Vec<Value>)> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let run = hunt(estate(), &[]);
        run.expect_code(0);
        let all = run.jsonl();
        (run, all)
    })
}

fn incident(target: &str) -> &'static Value {
    on(&tuned().1, target)
}

#[test]
fn a_dr_runbook_with_a_change_ticket_is_downgraded() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6dra"),
        "review",
        None,
        Some("dr-runbook-change-ticket"),
    );
}

#[test]
fn backup_restore_testing_on_its_schedule_is_suppressed() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6drilla"),
        "escalate",
        Some("platform-dr-drill"),
        None,
    );
}

#[test]
fn a_ci_reset_in_staging_is_suppressed() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6cia"),
        "escalate",
        Some("staging-ci-reset"),
        None,
    );
}

#[test]
fn a_patch_rollback_on_its_night_is_downgraded() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6patcha"),
        "review",
        None,
        Some("patch-rollback-2026-03-14"),
    );
}

#[test]
fn aws_fis_is_suppressed_by_its_builtin() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6fisa"),
        "review",
        Some("aws-fis"),
        None,
    );
}

#[test]
fn a_teams_own_chaos_tool_is_suppressed_by_role_and_network() {
    assert_tuned(
        incident("i-0a1b2c3d4e5f6gamedaya"),
        "review",
        Some("gameday-chaos-tool"),
        None,
    );
}

#[test]
fn azure_chaos_studio_is_suppressed_by_its_builtin_unless_someone_else_joins() {
    assert_tuned(
        incident("virtualmachines/vm-chaos-a"),
        "review",
        Some("azure-chaos-studio"),
        None,
    );
    let chaos = incident("virtualmachines/vm-chaos-b");
    assert_tuned(chaos, "escalate", None, None);
    assert!(
        chaos["tuning_notes"][0]
            .as_str()
            .unwrap()
            .contains("azure-chaos-studio"),
        "{chaos:#}"
    );
}

#[test]
fn an_expired_rule_does_not_apply_and_says_so() {
    assert_tuned(incident("i-0a1b2c3d4e5f6miga"), "escalate", None, None);
    let stderr = &tuned().0.stderr;
    assert!(
        stderr.contains("EXPIRED rules not applied: q4-migration"),
        "{stderr}"
    );
}

#[test]
fn a_real_revert_beside_each_benign_one_still_escalates_with_a_note() {
    let mut wrong = Vec::new();
    for mixed in ["dr", "drill", "ci", "patch", "fis", "gameday"] {
        let i = incident(&format!("i-0a1b2c3d4e5f6{mixed}b"));
        let notes = i["tuning_notes"].as_array().unwrap();
        let noted = notes.iter().any(|n| {
            n.as_str()
                .unwrap()
                .contains("arn:aws:iam::111122223333:user/mallory")
        });
        let live = i["severity"] == "escalate"
            && i["suppressed_by"].is_null()
            && i["downgraded_by"].is_null();
        if !(noted && live) {
            wrong.push(format!("{mixed}: {i:#}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_summary_counts_what_each_rule_did() {
    let stderr = &tuned().0.stderr;
    assert!(stderr.contains("aws-fis suppress 1"), "{stderr}");
    assert!(
        stderr.contains("dr-runbook-change-ticket downgrade 1"),
        "{stderr}"
    );
}

fn table(extra: &[&str]) -> Run {
    let config = example("tuning.toml");
    let mut args = vec![
        "hunt",
        estate().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    revertwatch(&args, None)
}

#[test]
fn the_table_hides_the_suppressed_and_says_why_the_mixed_stayed_live() {
    let table = table(&[]);
    assert!(
        !table.stdout.contains("i-0a1b2c3d4e5f6fisa"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("i-0a1b2c3d4e5f6fisb"));
    assert!(
        table
            .stdout
            .contains("tuning:  not suppressed by `aws-fis`"),
        "{}",
        table.stdout
    );
}

#[test]
fn show_suppressed_lists_them_with_their_rule() {
    let shown = table(&["--show-suppressed"]);
    assert!(
        shown.stdout.contains("suppressed by: aws-fis"),
        "{}",
        shown.stdout
    );
}

#[test]
fn no_default_tuning_shows_what_the_builtins_hid_and_only_that() {
    let raw = hunt(estate(), &["--no-default-tuning"]).jsonl();
    for target in ["i-0a1b2c3d4e5f6fisa", "virtualmachines/vm-chaos-a"] {
        assert_tuned(on(&raw, target), "review", None, None);
    }
    assert_eq!(
        on(&raw, "i-0a1b2c3d4e5f6cia")["suppressed_by"],
        "staging-ci-reset",
        "user rules still apply"
    );
}

#[test]
fn disable_builtin_turns_off_that_one_only() {
    let one_off = hunt(estate(), &["--disable-builtin", "aws-fis"]).jsonl();
    assert!(on(&one_off, "i-0a1b2c3d4e5f6fisa")["suppressed_by"].is_null());
    assert_eq!(
        on(&one_off, "virtualmachines/vm-chaos-a")["suppressed_by"],
        "azure-chaos-studio"
    );
}

#[test]
fn config_check_validates_and_reports_unused_and_expired_rules() {
    let run = revertwatch(
        &["config", "check", example("tuning.toml").to_str().unwrap()],
        None,
    );
    run.expect_code(0);
    assert!(run.stdout.contains("6 rules"), "{}", run.stdout);
    assert!(run.stdout.contains("EXPIRED 2025-12-31"), "{}", run.stdout);

    let with_logs = revertwatch(
        &[
            "config",
            "check",
            example("tuning.toml").to_str().unwrap(),
            fixture("scenarios/aws/full-revert.json").to_str().unwrap(),
        ],
        None,
    );
    with_logs.expect_code(0);
    assert!(
        with_logs
            .stdout
            .contains("staging-ci-reset             UNUSED"),
        "{}",
        with_logs.stdout
    );
    assert!(
        with_logs
            .stdout
            .contains("q4-migration                 expired"),
        "{}",
        with_logs.stdout
    );
}

#[test]
fn bad_tuning_files_name_the_line_and_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.toml");
    let check = |text: &str, want: &str| {
        std::fs::write(&f, text).unwrap();
        let run = revertwatch(&["config", "check", f.to_str().unwrap()], None);
        run.expect_code(2);
        assert!(run.stderr.contains(want), "want {want:?} in {}", run.stderr);
    };
    check(
        "[[rule]]\nname = \"x\"\nactor = \"a\"\n",
        "t.toml:1: rule `x`: `reason` is required",
    );
    check(
        "[[rule]]\nname = \"x\"\nreason = \"r\"\n",
        "the rule matches everything",
    );
    check(
        "[[rule]]\nname = \"x\"\nreason = \"r\"\nsource_ip = \"10.0.0.0/33\"\n",
        "t.toml:1: rule `x`",
    );
    check("[[rule]]\nname = \"x\"\nreason = \"r\"\nactor = \"a\"\nwindow = [{ start = \"25:00\", end = \"01:00\" }]\n", "`25:00` is not a time of day");
    check("[[rule]]\nname = \"x\"\nreason = \"r\"\nactor = \"a\"\nwindow = [{ start = \"22:00\", end = \"01:00\", tz = \"Mars/Olympus\" }]\n", "`Mars/Olympus` is not an IANA time zone");
    check(
        "[[rule]]\nname = \"x\"\nreason = \"r\"\nactor = \"a\"\nexpires = \"soon\"\n",
        "`expires = \"soon\"` is not a date",
    );
    check(
        "[[rule]]\nname = \"x\"\nreason = \"r\"\nactor = \"a\"\nacter = \"typo\"\n",
        "t.toml:5:1",
    );
    let run = revertwatch(
        &[
            "hunt",
            fixture("scenarios/aws/stop-start.json").to_str().unwrap(),
            "--disable-builtin",
            "aws-nope",
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("revertwatch config builtins"),
        "{}",
        run.stderr
    );
}

#[test]
fn builtins_are_listed_with_their_reasons() {
    let run = revertwatch(&["config", "builtins"], None);
    run.expect_code(0);
    for name in [
        "aws-backup",
        "aws-dlm",
        "aws-autoscaling",
        "aws-fis",
        "aws-instance-scheduler",
        "aws-elastic-disaster-recovery",
        "aws-image-builder",
        "azure-backup",
        "azure-chaos-studio",
        "gcp-managed-instance-groups",
    ] {
        assert!(run.stdout.contains(name), "{name} missing:\n{}", run.stdout);
    }
}

/// The strings a built-in rule is about: its name and every value it matches, made into a valid
/// role session name (`[\w+=,.@-]`, at most 64 characters).
fn builtin_names() -> Vec<(String, Vec<String>)> {
    let text =
        std::fs::read_to_string(support::workspace().join("crates/tuning/default-tuning.toml"))
            .unwrap();
    let mut rules: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if line.starts_with("[[rule]]") {
            rules.push((String::new(), Vec::new()));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let Some(rule) = rules.last_mut() else {
            continue;
        };
        for quoted in value.split('"').skip(1).step_by(2) {
            let session: String = quoted
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
                .take(64)
                .collect();
            if key.trim() == "name" {
                rule.0 = quoted.to_string();
            }
            if session.len() >= 2 && key.trim() != "reason" {
                rule.1.push(session);
            }
        }
    }
    rules
}

/// Built-ins vouch only for what a caller cannot choose (invokedBy, the session issuer's role,
/// app ids, service agents). A role session, user agent or resource tag named after a built-in
/// on an ordinary role is the caller's own choice: every such revert must still escalate.
#[test]
fn a_role_session_named_after_a_builtin_is_not_vouched_for() {
    let dir = tempfile::tempdir().unwrap();
    let rules = builtin_names();
    assert!(rules.len() >= 10, "{rules:?}");
    let mut cases = 0;
    for (r, (name, sessions)) in rules.iter().enumerate() {
        assert!(!sessions.is_empty(), "{name}");
        for (s, session) in sessions.iter().enumerate() {
            // The whole revert, and the stop/start alone (some built-ins cover only those).
            for (k, calls) in [ALL, RESET].into_iter().enumerate() {
                let case = format!("{r:02}{s:02}{k}");
                let instance = format!("i-0b1b2c3d4{case}");
                let who = role("111122223333", "Developer", session, "198.51.100.7", "x");
                let mut records =
                    aws_revert(&case, &instance, &who, "2026-03-14T13:00:00Z", calls, None);
                for rec in &mut records {
                    rec["userAgent"] = json!(session);
                }
                write_records(dir.path(), &format!("{case}.json"), records);
            }
            cases += 1;
        }
    }
    let run = revertwatch(
        &["hunt", dir.path().to_str().unwrap(), "--format", "jsonl"],
        None,
    );
    run.expect_code(0);
    let incidents = run.jsonl();
    let vouched: Vec<&Value> = incidents
        .iter()
        .filter(|i| !i["suppressed_by"].is_null() || !i["downgraded_by"].is_null())
        .collect();
    assert!(vouched.is_empty(), "{vouched:#?}");
    assert_eq!(incidents.len(), 2 * cases, "{}", run.stdout);
    assert_eq!(run.escalations(), cases, "{}", run.stdout);
}

/// Azure Site Recovery's failover makes disks from its replica snapshots as its own app
/// (Hyper-V Recovery Manager); the same calls by a user are a restore, not ASR's.
#[test]
fn azure_site_recovery_is_suppressed_by_its_app_id_only() {
    let dir = tempfile::tempdir().unwrap();
    let asr = "b8340c3b-9267-498f-b21a-15d5547fd85e";
    let mut records = Vec::new();
    for (who, vm) in [("asr", "vm-asr01"), ("user", "vm-asr02")] {
        for (n, r) in load("scenarios/azure/backup-restore.json")
            .into_iter()
            .enumerate()
        {
            if !r["operationName"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("Microsoft.Compute/disks/write")
            {
                continue;
            }
            let text = r.to_string().replace("vm-web06", vm);
            let mut r: Value = serde_json::from_str(&text).unwrap();
            if who == "asr" {
                r["identity"]["claims"]["appid"] = json!(asr);
            } else {
                r["identity"]["claims"] = json!({
                    "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "site.recovery@contoso.example",
                    "name": "Azure Site Recovery",
                });
            }
            r["eventDataId"] = json!(format!("{who}-{n}"));
            r["correlationId"] = json!(format!("{who}-{}", r["correlationId"].as_str().unwrap()));
            records.push(r);
        }
    }
    std::fs::write(
        dir.path().join("activity.json"),
        json!({ "records": records }).to_string(),
    )
    .unwrap();
    let run = revertwatch(
        &["hunt", dir.path().to_str().unwrap(), "--format", "jsonl"],
        None,
    );
    run.expect_code(0);
    let incidents = run.jsonl();
    assert_tuned(
        on(&incidents, "vm-asr01-osdisk-20260314-160512"),
        "review",
        Some("azure-site-recovery"),
        None,
    );
    assert_tuned(
        on(&incidents, "vm-asr02-osdisk-20260314-160512"),
        "review",
        None,
        None,
    );
}
