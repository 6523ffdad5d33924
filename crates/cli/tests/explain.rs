//! `hunt --explain INCIDENT`: the incident's evidence timeline, then its investigation guide
//! and response playbook, with each command filled in with the incident's own ids, quoted for
//! the shell and escaped for the terminal.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{fixture, revertwatch};

fn incidents(path: &str) -> Vec<Value> {
    let run = revertwatch(&["hunt", path, "--format", "jsonl", "-q"], None);
    run.expect_code(0);
    run.jsonl()
}

fn explain(path: &str, id: &str) -> String {
    let run = revertwatch(&["hunt", path, "--explain", id, "-q"], None);
    run.expect_code(0);
    run.stdout
}

/// Where each of `parts` first appears in `text`, in order; panics when one is missing or out
/// of order.
fn in_order(text: &str, parts: &[&str]) {
    let mut at = 0;
    for p in parts {
        let found = text[at..]
            .find(p)
            .unwrap_or_else(|| panic!("`{p}` missing (or out of order) in\n{text}"));
        at += found + p.len();
    }
}

#[test]
fn aws_full_revert_timeline_then_guide_with_its_ids() {
    let path = fixture("scenarios/aws/full-revert.json");
    let path = path.to_str().unwrap();
    let found = incidents(path);
    assert_eq!(found.len(), 1);
    let id = found[0]["incident_id"].as_str().unwrap();
    let out = explain(path, id);
    in_order(
        &out,
        &[
            &format!("Incident {id}  ESCALATE (score 2 of 2: snapshot restore + ephemeral reset)"),
            "target      instance i-0a1b2c3d4e5f60004",
            "chains      stop-start, volume-from-snapshot-attached",
            "Evidence, oldest first",
            "StopInstances  [ephemeral_reset, chain stop]",
            "CreateVolume  [snapshot_restore, chain volume-from-snapshot-attached]",
            "volume vol-0aaa000000000004",
            "DetachVolume  [link]",
            "AttachVolume  [link]",
            "StartInstances  [ephemeral_reset, chain start]",
            "What it means",
            "stop-start: ",
            "volume-from-snapshot-attached: ",
            "Investigate",
            "Everything the same actor did around the incident",
            "AttributeKey=Username,AttributeValue='mallory'",
            "Which snapshot was the source",
            "aws ec2 describe-snapshots --region 'us-east-1' --snapshot-ids 'snap-0feedface0000003'",
            "Whether the replaced volume or disk still exists",
            "--volume-ids 'vol-0ccc000000000004'",
            "Respond",
            "Preserve the replaced volume or disk before it is deleted",
            "aws ec2 create-snapshot --region 'us-east-1' --volume-id 'vol-0ccc000000000004'",
            "Snapshot the machine's current state",
            "InstanceId='i-0a1b2c3d4e5f60004'",
            "Revoke the actor's sessions and credentials",
            "aws iam list-access-keys --user-name 'mallory'",
            // an IAM user has no role: that value is left for the analyst, and said so
            "The incident does not say actor_role",
        ],
    );
    // the guide's window is the incident's, widened by an hour each side
    let first = found[0]["first_seen"].as_str().unwrap();
    assert!(first.starts_with("2026-"), "{first}");
    assert!(out.contains("--start-time '2026-"), "{out}");
    // a prefix is enough
    assert_eq!(explain(path, &id[..8]), out);
}

#[test]
fn gcp_and_azure_commands_get_their_own_ids() {
    let path = fixture("scenarios/gcp/full-revert.jsonl");
    let path = path.to_str().unwrap();
    let id = incidents(path)[0]["incident_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = explain(path, &id);
    in_order(
        &out,
        &[
            "gcloud compute snapshots describe 'web-4-snap-20260101' --project 'acme-prod'",
            "ZONE='us-central1-a'",
            "gcloud compute instances describe 'web-4' --zone 'us-central1-a' --project 'acme-prod'",
            "gcloud compute machine-images create revertwatch-evidence-",
            "gcloud iam service-accounts disable 'mallory@acme-corp.example'",
        ],
    );

    let path = fixture("scenarios/azure/full-revert.json");
    let path = path.to_str().unwrap();
    let id = incidents(path)[0]["incident_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = explain(path, &id);
    in_order(
        &out,
        &[
            "disk-from-snapshot-swapped: ",
            "az monitor activity-log list --caller 'mallory@contoso.onmicrosoft.com'",
            "az snapshot show --ids '/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourcegroups/rg-prod/providers/microsoft.compute/snapshots/snap-web03-20260101'",
            "az disk list --resource-group 'rg-prod'",
            "az lock create --name revertwatch-evidence --lock-type CanNotDelete --resource '<replaced>'",
        ],
    );
}

#[test]
fn filled_commands_are_valid_shell() {
    let path = fixture("scenarios/aws/full-revert.json");
    let path = path.to_str().unwrap();
    let id = incidents(path)[0]["incident_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = explain(path, &id);
    // the commands are the lines indented by seven spaces; each step's block must parse
    let mut blocks: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in out.lines() {
        if let Some(cmd) = line.strip_prefix("       ") {
            cur.push_str(cmd);
            cur.push('\n');
        } else if !cur.is_empty() {
            blocks.push(std::mem::take(&mut cur));
        }
    }
    assert!(blocks.len() >= 8, "{blocks:?}");
    for block in blocks {
        let check = Command::new("bash")
            .args(["-n", "-c", &block])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "not valid bash:\n{block}\n{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn hostile_values_are_quoted_for_the_shell_and_escaped_for_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("scenarios/aws/full-revert.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let hostile = "evil'$(touch pwned)\u{1b}]0;owned\u{7}";
    for r in v["Records"].as_array_mut().unwrap() {
        r["userIdentity"]["arn"] = Value::String(format!(
            "arn:aws:sts::111122223333:assumed-role/{hostile}/s"
        ));
        r["userAgent"] = Value::String(hostile.into());
    }
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let path = path.to_str().unwrap();
    let id = incidents(path)[0]["incident_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = explain(path, &id);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    // the role, quoted as one word: its quote closed and reopened, the rest literal
    let quoted = "--role-name 'evil'\\''$(touch pwned)\\u{1b}]0;owned\\u{7}'";
    assert!(out.contains(quoted), "{out}");
    // and the quoted command, run, passes it as one argument and runs nothing
    let line = out
        .lines()
        .find(|l| l.contains("aws iam put-role-policy"))
        .unwrap()
        .trim()
        .trim_end_matches('\\')
        .to_string();
    let printed = Command::new("bash")
        .arg("-c")
        .arg(format!("aws() {{ printf '%s\\n' \"$4\"; }}; {line}"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout),
        "evil'$(touch pwned)\\u{1b}]0;owned\\u{7}\n"
    );
    assert!(!dir.path().join("pwned").exists());
}

#[test]
fn an_unknown_or_ambiguous_id_is_a_usage_error() {
    let dir = fixture("scenarios/aws");
    let dir = dir.to_str().unwrap();
    let run = revertwatch(&["hunt", dir, "--explain", "rw-nothing", "-q"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("no incident `rw-nothing`"),
        "{}",
        run.stderr
    );
    let run = revertwatch(&["hunt", dir, "--explain", "rw-", "-q"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("names"), "{}", run.stderr);
    assert!(run.stderr.contains("give more of the id"), "{}", run.stderr);
    let run = revertwatch(&["hunt", dir, "--explain", "\u{1b}[2J", "-q"], None);
    run.expect_code(2);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn the_guide_is_in_the_html_report_and_in_ocsf() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("scenarios/aws/full-revert.json");
    let path = path.to_str().unwrap();
    let html = dir.path().join("report.html");
    revertwatch(
        &[
            "hunt",
            path,
            "--format",
            "html",
            "-o",
            html.to_str().unwrap(),
            "-q",
        ],
        None,
    )
    .expect_code(0);
    let html = std::fs::read_to_string(html).unwrap();
    in_order(
        &html,
        &[
            "<details class=\"playbook\"><summary><h4>Investigate and respond</h4>",
            "<span class=\"chip\">stop-start</span> The machine was stopped",
            "<h5>Investigate</h5>",
            "<pre class=\"cmd\"><code>aws ec2 describe-snapshots --region &#39;us-east-1&#39; --snapshot-ids &#39;snap-0feedface0000003&#39; \\\n",
            "<h5>Respond</h5>",
            "aws ec2 create-snapshot --region &#39;us-east-1&#39; --volume-id &#39;vol-0ccc000000000004&#39;",
        ],
    );

    let run = revertwatch(&["hunt", path, "--format", "ocsf", "-q"], None);
    run.expect_code(0);
    let finding = &run.jsonl()[0];
    let remediation = &finding["remediation"];
    let desc = remediation["desc"].as_str().unwrap();
    in_order(
        desc,
        &[
            "stop-start: ",
            "volume-from-snapshot-attached: ",
            "Investigate:\n1. Everything the same actor did around the incident",
            "Respond:\n1. Preserve the replaced volume or disk before it is deleted",
            "   aws ec2 create-snapshot --region 'us-east-1' --volume-id 'vol-0ccc000000000004' \\\n",
        ],
    );
    assert_eq!(
        remediation["references"][0],
        "https://attack.mitre.org/techniques/T1578/004/"
    );
}
