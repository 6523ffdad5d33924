//! Every script, run by bash as a user would run it first: a dry run. It must print every step,
//! its command and the telemetry to expect, show the cleanup it would do, and run no cloud
//! command at all (the cloud CLIs here are traps that record any call).

mod support;

use std::path::Path;
use std::process::Command;

use support::{scripts, RUN_ID};

/// A bin directory whose `aws`, `az`, `gcloud` and `ssh-keygen` record that they ran and fail.
fn trap_clis(dir: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for cli in ["aws", "az", "gcloud", "ssh-keygen"] {
        let path = bin.join(cli);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho \"{cli} $*\" >> '{}'\nexit 97\n",
                dir.join("called").display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn bash(script: &Path, args: &[&str], path_env: &str) -> std::process::Output {
    Command::new("bash")
        .arg(script)
        .args(args)
        .env("PATH", path_env)
        .env_remove("CLOUDSDK_CORE_PROJECT")
        .output()
        .expect("bash runs")
}

#[test]
fn dry_runs_print_every_step_and_run_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = trap_clis(dir.path());
    let path_env = format!("{}:/usr/bin:/bin", bin.display());
    for (plan, text) in scripts() {
        let file = dir.path().join(revertwatch_kit::file_name(&plan));
        std::fs::write(&file, &text).unwrap();
        for args in [&[][..], &["--dry-run"][..]] {
            let out = bash(&file, args, &path_env);
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "{} on {}: exit {:?}\n{stdout}\n{stderr}",
                plan.scenario,
                plan.cloud,
                out.status
            );
            assert!(
                !dir.path().join("called").exists(),
                "{} on {}: a dry run called a cloud CLI: {}",
                plan.scenario,
                plan.cloud,
                std::fs::read_to_string(dir.path().join("called")).unwrap_or_default()
            );
            // every step in order, each with its telemetry before its commands
            let mut at = 0;
            for (i, step) in plan.steps.iter().enumerate() {
                let header = format!("== Step {} of {}: {}", i + 1, plan.steps.len(), step.title);
                let found = stdout[at..]
                    .find(&header)
                    .unwrap_or_else(|| panic!("missing `{header}` in\n{stdout}"));
                at += found + header.len();
                for t in &step.telemetry {
                    let line = format!("   expect: {} {}", t.service, t.operation);
                    let found = stdout[at..].find(&line).unwrap_or_else(|| {
                        panic!("missing `{line}` after `{header}` in\n{stdout}")
                    });
                    at += found + line.len();
                }
                let command = stdout[at..].find("\n   + ");
                assert!(command.is_some(), "{header}: no command shown");
            }
            assert!(stdout.contains("== Cleanup: delete everything"), "{stdout}");
            assert!(
                stdout.contains("Dry run: nothing was created and nothing was deleted."),
                "{stdout}"
            );
            assert!(stdout.contains(&format!("run {RUN_ID}")), "{stdout}");
        }
    }
}

#[test]
fn the_dry_run_shows_the_deletes_the_cleanup_would_make() {
    let dir = tempfile::tempdir().unwrap();
    let bin = trap_clis(dir.path());
    let path_env = format!("{}:/usr/bin:/bin", bin.display());
    for (plan, text) in scripts() {
        let file = dir.path().join(revertwatch_kit::file_name(&plan));
        std::fs::write(&file, &text).unwrap();
        let out = bash(&file, &[], &path_env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let cleanup = &stdout[stdout.find("== Cleanup").unwrap()..];
        let wanted: &[&str] = match plan.cloud {
            revertwatch_kit::Provider::Aws => &[
                "+ aws ec2 terminate-instances",
                "+ aws ec2 deregister-image",
                "+ aws ec2 delete-volume",
                "+ aws ec2 delete-snapshot",
            ],
            revertwatch_kit::Provider::Azure => &[
                "+ az group delete --name rg-rwk-test0001 --yes",
                "+ az resource delete --ids",
            ],
            revertwatch_kit::Provider::Gcp => &[
                "+ gcloud compute instances delete",
                "+ gcloud compute images delete",
                "+ gcloud compute disks delete",
                "+ gcloud compute snapshots delete",
            ],
        };
        for w in wanted {
            assert!(
                cleanup.contains(w),
                "{}: `{w}` not in\n{cleanup}",
                plan.scenario
            );
        }
    }
}

#[test]
fn bad_arguments_a_bad_run_id_and_a_missing_cli_stop_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, text) = scripts()
        .into_iter()
        .find(|(p, _)| p.cloud == revertwatch_kit::Provider::Aws)
        .unwrap();
    let file = dir.path().join(revertwatch_kit::file_name(&plan));
    std::fs::write(&file, &text).unwrap();

    let out = bash(&file, &["--exectue"], "/usr/bin:/bin");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));

    // without an `aws` on PATH, --execute stops at once, with no cleanup to do
    let empty = dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = bash(&file, &["--execute"], &format!("{}:/bin", empty.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("aws not found"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("== Cleanup"));

    // an id edited into something that would break a name or a command is refused by bash too
    for bad in ["rwk-$(touch pwned)", "Rwk-1", "rwk 1", "a"] {
        let edited = text.replace(
            &format!("RUN_ID='{RUN_ID}'"),
            &format!("RUN_ID='{}'", bad.replace('\'', "")),
        );
        let bad_file = dir.path().join("edited.sh");
        std::fs::write(&bad_file, edited).unwrap();
        let out = Command::new("bash")
            .arg(&bad_file)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid RUN_ID"));
        assert!(!dir.path().join("pwned").exists());
    }
}
