//! `revertwatch kit`: the scripts it prints.
//!
//! - Every AWS script runs for real, start to finish, against the moto server (scripts/ensure-moto
//!   installs moto[server] and awscli), and leaves no resource behind: also when a step fails and
//!   when the run is interrupted.
//! - The telemetry each script says its revert leaves is what `revertwatch simulate` plants for
//!   the same scenario, checked through `simulate` and `hunt`.
//!
//! The Azure and GCP scripts have no emulator to run against; crates/kit/tests check them with
//! shellcheck, a dry run under bash, and a static check that every resource they create is
//! deleted by their cleanup.

mod support;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use revertwatch_kit::{plan, plans, Provider, Scenario};
use serde_json::Value;
use support::revertwatch;

// ------------------------------------------------------------------ the moto server

/// The venv's bin directory (moto_server, aws), installing it on first use.
fn moto_bin() -> PathBuf {
    support::ensure_tool("ensure-moto", "the kit's moto runs")
}

/// One moto server on a free loopback port, for one test; killed (by its pid) on drop.
struct Moto {
    child: Child,
    port: u16,
    bin: PathBuf,
    home: tempfile::TempDir,
}

impl Moto {
    fn start() -> Moto {
        let bin = moto_bin();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let home = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(home.path().join("moto.log")).unwrap();
        let child = Command::new(bin.join("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            port,
            bin,
            home,
        };
        // Ready when it answers; a server that never does is a broken install, not a slow one.
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on port {port}:\n{}",
                std::fs::read_to_string(moto.home.path().join("moto.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// A command with the environment the scripts run in: moto's endpoint, fake credentials,
    /// no user config, the venv's `aws` first on PATH (or `path_first` before it).
    fn command(&self, program: &Path, path_first: Option<&Path>) -> Command {
        let mut path = String::new();
        if let Some(p) = path_first {
            path.push_str(&format!("{}:", p.display()));
        }
        path.push_str(&format!("{}:/usr/bin:/bin", self.bin.display()));
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", self.home.path())
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            )
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", self.home.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("no-credentials"),
            );
        cmd
    }

    fn aws(&self, args: &[&str]) -> String {
        let out = self
            .command(&self.bin.join("aws"), None)
            .args(args)
            .args(["--region", "us-east-1", "--output", "text"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Every instance (not terminated), volume, snapshot and image the account has. (Not its
    /// tags: moto keeps the tags of deleted resources, as AWS shows a terminated instance's for
    /// an hour.)
    fn inventory(&self) -> Inventory {
        let words = |args: &[&str]| -> BTreeSet<String> {
            self.aws(args)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        };
        Inventory {
            instances: words(&[
                "ec2",
                "describe-instances",
                "--filters",
                "Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down",
                "--query",
                "Reservations[].Instances[].InstanceId",
            ]),
            volumes: words(&["ec2", "describe-volumes", "--query", "Volumes[].VolumeId"]),
            snapshots: words(&[
                "ec2",
                "describe-snapshots",
                "--owner-ids",
                "self",
                "--query",
                "Snapshots[].SnapshotId",
            ]),
            images: words(&[
                "ec2",
                "describe-images",
                "--owners",
                "self",
                "--query",
                "Images[].ImageId",
            ]),
        }
    }

    /// Writes the scenario's script with `revertwatch kit` and runs it with `--execute`.
    fn run_kit(&self, scenario: Scenario, run_id: &str, path_first: Option<&Path>) -> Output {
        let file = self.home.path().join(format!("{}.sh", scenario.name()));
        revertwatch(
            &[
                "kit",
                scenario.name(),
                "--cloud",
                "aws",
                "--run-id",
                run_id,
                "-o",
                file.to_str().unwrap(),
            ],
            None,
        )
        .expect_code(0);
        self.command(Path::new("bash"), path_first)
            .arg(&file)
            .arg("--execute")
            .stdin(Stdio::null())
            .output()
            .expect("bash runs")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Inventory {
    instances: BTreeSet<String>,
    volumes: BTreeSet<String>,
    snapshots: BTreeSet<String>,
    images: BTreeSet<String>,
}

impl Inventory {
    /// Panics with what was added or removed (moto's account holds hundreds of public
    /// snapshots, so the sets themselves are too long to read).
    fn assert_same_as(&self, before: &Inventory, what: &str) {
        let mut diff = Vec::new();
        for (kind, now, then) in [
            ("instances", &self.instances, &before.instances),
            ("volumes", &self.volumes, &before.volumes),
            ("snapshots", &self.snapshots, &before.snapshots),
            ("images", &self.images, &before.images),
        ] {
            let added: Vec<_> = now.difference(then).collect();
            let removed: Vec<_> = then.difference(now).collect();
            if !added.is_empty() || !removed.is_empty() {
                diff.push(format!(
                    "{kind}: left behind {added:?}, removed {removed:?}"
                ));
            }
        }
        assert!(diff.is_empty(), "{what}:\n{}", diff.join("\n"));
    }
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An `aws` placed before the real one: it runs `action` when the command line contains
/// `trigger`, and otherwise hands over to the real CLI.
fn aws_wrapper(dir: &Path, real: &Path, trigger: &str, action: &str) -> PathBuf {
    let bin = dir.join("wrapper-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = bin.join("aws");
    std::fs::write(
        &path,
        format!(
            "#!/bin/bash\nif [[ \" $* \" == *' {trigger} '* ]]; then\n{action}\nfi\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

// ------------------------------------------------------------------ AWS scripts on moto

/// Runs one scenario's script on its own moto server, start to finish, and checks that it did
/// its work and left nothing behind.
fn aws_script_runs_and_leaves_nothing_behind(scenario: Scenario) {
    let moto = Moto::start();
    let plan = plan(scenario, Provider::Aws);
    let before = moto.inventory();
    let run_id = format!("rwk-moto-{}", scenario.seed_test().unwrap_or(5));
    let out = moto.run_kit(scenario, &run_id, None);
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "{scenario} on moto: {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    // it did the work: each step's telemetry was announced and its commands ran
    for (step, t) in plan.telemetry() {
        assert!(
            stdout.contains(&format!("   expect: {} {}", t.service, t.operation)),
            "{scenario}: `{}` not announced in\n{stdout}",
            step.title
        );
    }
    assert!(stdout.contains("Expected: revertwatch hunt reports one incident on "));
    let made = |op: &str| plan.telemetry().any(|(_, t)| t.operation == op);
    if made("CreateSnapshot") {
        assert!(
            stdout.contains("+ aws ec2 delete-snapshot --region us-east-1 --snapshot-id snap-"),
            "{scenario}: the cleanup deleted no snapshot:\n{stdout}"
        );
    }
    if made("RegisterImage") {
        assert!(
            stdout.contains("+ aws ec2 deregister-image --region us-east-1 --image-id ami-"),
            "{scenario}: the cleanup deregistered no image:\n{stdout}"
        );
    }
    if made("RunInstances") {
        assert!(
            stdout.contains("+ aws ec2 terminate-instances --region us-east-1 --instance-ids i-"),
            "{scenario}: the cleanup terminated no instance:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!(
            "Cleanup done: nothing tagged revertwatch-kit-run={run_id} in us-east-1 is left."
        )),
        "{stdout}"
    );
    moto.inventory().assert_same_as(&before, scenario.name());
}

#[test]
fn aws_stop_start_runs_on_moto() {
    aws_script_runs_and_leaves_nothing_behind(Scenario::StopStart);
}

#[test]
fn aws_attach_from_snapshot_runs_on_moto() {
    aws_script_runs_and_leaves_nothing_behind(Scenario::AttachFromSnapshot);
}

#[test]
fn aws_disk_from_snapshot_runs_on_moto() {
    aws_script_runs_and_leaves_nothing_behind(Scenario::DiskFromSnapshot);
}

#[test]
fn aws_image_from_snapshot_launch_runs_on_moto() {
    aws_script_runs_and_leaves_nothing_behind(Scenario::ImageFromSnapshotLaunch);
}

#[test]
fn aws_full_revert_runs_on_moto() {
    aws_script_runs_and_leaves_nothing_behind(Scenario::FullRevert);
}

#[test]
fn a_failed_step_still_cleans_up_everything() {
    let moto = Moto::start();
    let before = moto.inventory();
    // the full revert fails after it has made an instance, a snapshot, a restored volume, and
    // detached the root volume: the second attach-volume call is refused
    let wrapper = aws_wrapper(
        moto.home.path(),
        &moto.bin.join("aws"),
        "attach-volume",
        "echo 'An error occurred (IncorrectState) when calling the AttachVolume operation: injected by the test' >&2\nexit 254",
    );
    let out = moto.run_kit(Scenario::FullRevert, "rwk-fail-attach", Some(&wrapper));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(254), "{stdout}\n{stderr}");
    assert!(stderr.contains("injected by the test"), "{stderr}");
    assert!(
        stderr.contains("run rwk-fail-attach ended with status 254"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("== Step 7 of 7"),
        "it went on after the failure"
    );
    assert!(stdout.contains("+ aws ec2 delete-volume --region us-east-1 --volume-id vol-"));
    assert!(stdout.contains("Cleanup done"), "{stdout}");
    moto.inventory()
        .assert_same_as(&before, "the failed full revert");
}

#[test]
fn an_interrupted_run_still_cleans_up_everything() {
    let moto = Moto::start();
    let before = moto.inventory();
    // SIGTERM to the script while it waits for the instance to stop
    let wrapper = aws_wrapper(
        moto.home.path(),
        &moto.bin.join("aws"),
        "instance-stopped",
        "kill -TERM \"$PPID\"\nexit 0",
    );
    let out = moto.run_kit(Scenario::StopStart, "rwk-interrupted", Some(&wrapper));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(143), "{stdout}\n{stderr}");
    assert!(!stdout.contains("== Step 3 of 3"), "{stdout}");
    assert!(
        stdout.contains("+ aws ec2 terminate-instances --region us-east-1 --instance-ids i-"),
        "{stdout}"
    );
    assert!(stdout.contains("Cleanup done"), "{stdout}");
    moto.inventory()
        .assert_same_as(&before, "the interrupted stop-start");
}

// ------------------------------------------------------------------ the CLI

#[test]
fn kit_lists_the_scenarios_and_prints_a_script_only() {
    let run = revertwatch(&["kit"], None);
    run.expect_code(0);
    for s in Scenario::ALL {
        assert!(run.stdout.contains(s.name()), "{}", run.stdout);
    }
    assert!(run.stdout.contains("full-revert"));
    assert!(run.stdout.contains("test 4"));

    let run = revertwatch(
        &[
            "kit",
            "stop-start",
            "--cloud",
            "gcp",
            "--run-id",
            "rwk-cli-1",
            "--region",
            "europe-west1-b",
            "--dry-run",
        ],
        None,
    );
    run.expect_code(0);
    assert!(run.stdout.starts_with("#!/usr/bin/env bash\n"));
    assert!(run
        .stdout
        .contains("RUN_ID='rwk-cli-1'\nZONE='europe-west1-b'\n"));
    assert!(run.stdout.contains("trap cleanup EXIT"));

    // two runs get two run ids
    let a = revertwatch(&["kit", "full-revert", "--cloud", "azure"], None);
    let b = revertwatch(&["kit", "full-revert", "--cloud", "azure"], None);
    let id = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("RUN_ID="))
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&a.stdout), id(&b.stdout));

    let run = revertwatch(
        &["kit", "full-revert", "--cloud", "aws", "--telemetry"],
        None,
    );
    run.expect_code(0);
    assert!(
        run.stdout.contains("ec2.amazonaws.com DetachVolume"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`full-revert` scenario"),
        "{}",
        run.stdout
    );
}

#[test]
fn kit_refuses_what_it_cannot_write_safely() {
    for (args, want) in [
        (
            &[
                "kit",
                "stop-start",
                "--cloud",
                "aws",
                "--run-id",
                "rwk-$(id)",
            ][..],
            "invalid run id",
        ),
        (
            &[
                "kit",
                "stop-start",
                "--cloud",
                "aws",
                "--region",
                "us-east-1;id",
            ][..],
            "invalid region",
        ),
        (
            &["kit", "stop-start", "--cloud", "gcp", "--region", "Zone A"][..],
            "invalid zone",
        ),
        (&["kit", "stop-start"][..], "choose the cloud"),
        (
            &["kit", "teleport", "--cloud", "aws"][..],
            "unknown scenario `teleport`",
        ),
    ] {
        let run = revertwatch(args, None);
        run.expect_code(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn kit_writes_an_executable_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fr.sh");
    let run = revertwatch(
        &[
            "kit",
            "full-revert",
            "--cloud",
            "aws",
            "-o",
            file.to_str().unwrap(),
        ],
        None,
    );
    run.expect_code(0);
    assert!(run.stderr.contains("is a dry run"), "{}", run.stderr);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("set -euo pipefail"));
}

// ------------------------------------------------------------------ kit vs simulate

/// The kit's expected telemetry for each scenario is what `simulate` plants for it: the
/// incident `hunt` finds for the planted scenario has exactly the operations the script's
/// revert steps say they leave, in the same order, and the chains and severity it expects.
#[test]
fn the_expected_telemetry_is_what_simulate_plants() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    revertwatch(
        &[
            "simulate",
            "--out",
            out.to_str().unwrap(),
            "--size",
            "2MB",
            "--seed",
            "11",
        ],
        None,
    )
    .expect_code(0);
    let truth: Vec<Value> = std::fs::read_to_string(out.join("ground-truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let hunt = revertwatch(
        &[
            "hunt",
            out.join("aws").to_str().unwrap(),
            out.join("aws-jsonl").to_str().unwrap(),
            out.join("azure").to_str().unwrap(),
            out.join("gcp").to_str().unwrap(),
            "--format",
            "jsonl",
            "--quiet",
        ],
        None,
    );
    hunt.expect_code(0);
    let incidents = hunt.jsonl();
    let mut compared = 0;
    let mut not_planted = Vec::new();
    for plan in plans() {
        let Some(name) = plan.simulated_as else {
            not_planted.push(format!("{} on {}", plan.scenario, plan.cloud));
            continue;
        };
        let planted = truth
            .iter()
            .find(|t| t["cloud"] == plan.cloud.as_str() && t["scenario"] == name)
            .unwrap_or_else(|| panic!("simulate planted no `{name}` on {}", plan.cloud));
        let chains: Vec<&str> = planted["expected_chains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(chains, plan.chains, "{} on {}", plan.scenario, plan.cloud);
        assert_eq!(planted["expected_severity"], plan.severity);
        let incident = incidents
            .iter()
            .find(|i| i["target"] == planted["target"])
            .unwrap_or_else(|| panic!("no incident for {planted}"));
        let found: Vec<String> = incident["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().to_string())
            .collect();
        let mut expected: Vec<String> = Vec::new();
        for t in plan.revert_telemetry() {
            if !expected.iter().any(|e| e == t.operation) {
                expected.push(t.operation.to_string());
            }
        }
        let norm = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|o| match plan.cloud {
                    // Azure writes operation names in either case
                    Provider::Azure => o.to_ascii_lowercase(),
                    _ => o.clone(),
                })
                .collect()
        };
        assert_eq!(
            norm(&found),
            norm(&expected),
            "{} on {}: the script's revert steps and simulate's planted calls differ",
            plan.scenario,
            plan.cloud
        );
        let got_chains: Vec<&str> = incident["chains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(got_chains, plan.chains);
        compared += 1;
    }
    assert_eq!(compared, 13, "plans compared with simulate");
    // simulate plants no image-from-snapshot launch on Azure or GCP (see the README)
    assert_eq!(
        not_planted,
        [
            "image-from-snapshot-launch on azure",
            "image-from-snapshot-launch on gcp"
        ]
    );
}
