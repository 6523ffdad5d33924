//! Planted scenarios: what happens, when, where, and what a detector should report.
//!
//! Every scenario is built here as a handful of fixed calls with their own fresh resource
//! ids. Planted ids come from a namespace noise never uses (AWS ids whose first hex digit
//! after `-0` is 8-f, Azure VMs named `vm-<word>-<hex>`, GCP instances `<word>-vm-<hex>`), so
//! each expectation names exactly one incident.

use crate::engine::Setup;
use crate::rng::{derive, Rng};
use crate::time::{self, HOUR, MIN, SEC};
use crate::{aws, azure, gcp, Cloud, Container, Planted};

#[derive(Clone, Debug)]
pub(crate) struct Fixed {
    pub t: i64,
    pub call: Call,
}

#[derive(Clone, Debug)]
pub(crate) enum Call {
    Aws(aws::Call),
    Azure(azure::Call),
    Gcp(gcp::Call),
}

pub(crate) struct Plan {
    pub planted: Vec<Planted>,
    /// (container, scope, call)
    pub fixed: Vec<(Container, usize, Fixed)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    FullRevert,
    StopStart,
    AttachFromSnapshot,
    AmiLaunch,
    DiskUnattached,
    Resize,
    BackupUnattached,
}

/// Full reverts planted per cloud: one per ~200 MB of corpus, at least one.
pub(crate) fn full_reverts(size_bytes: u64) -> usize {
    ((size_bytes as f64 / 200e6).round() as usize).max(1)
}

const WORDS: [&str; 16] = [
    "payments",
    "ledger",
    "billing",
    "reporting",
    "crm",
    "intranet",
    "build",
    "jump",
    "hr",
    "invoices",
    "search",
    "gateway",
    "vault",
    "etl",
    "portal",
    "orders",
];

/// `i-0`, `vol-0`, ... followed by 16 hex digits, the first of them 8-f (noise uses 0-7).
pub(crate) fn planted_aws_id(rng: &mut Rng, prefix: &str) -> String {
    let mut v = prefix.as_bytes().to_vec();
    v.extend_from_slice(b"-0");
    v.push(b"89abcdef"[rng.below(8) as usize]);
    rng.hex(&mut v, 15);
    String::from_utf8(v).expect("ascii")
}

fn hex(rng: &mut Rng, n: usize) -> String {
    rng.string(|r, v| r.hex(v, n))
}

pub(crate) fn build(setup: &Setup) -> Plan {
    let mut plan = Plan {
        planted: Vec::new(),
        fixed: Vec::new(),
    };
    let opts = setup.opts;
    if !opts.plant_scenarios {
        return plan;
    }
    let span = setup.end - setup.start;
    let margin = (2 * HOUR).min(span / 10);
    let usable = span - 2 * margin - 20 * MIN;
    let n_full = full_reverts(opts.size_bytes);
    for cloud in Cloud::ALL {
        let Some(primary) = setup.primary(cloud) else {
            continue;
        };
        let mut rng = Rng::new(derive(opts.seed, "plan", cloud as u64));
        let mut kinds = vec![Kind::FullRevert; n_full];
        kinds.push(Kind::StopStart);
        kinds.push(Kind::AttachFromSnapshot);
        match cloud {
            Cloud::Aws => kinds.push(Kind::AmiLaunch),
            Cloud::Azure => kinds.push(Kind::DiskUnattached),
            Cloud::Gcp => {}
        }
        kinds.push(Kind::Resize);
        kinds.push(Kind::BackupUnattached);
        // spread: shuffle the kinds, then give each its own slice of the time range
        for i in (1..kinds.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            kinds.swap(i, j);
        }
        let n = kinds.len();
        for (i, kind) in kinds.into_iter().enumerate() {
            let frac = (i as f64 + 0.15 + 0.7 * rng.f64()) / n as f64;
            let t0 = setup.start + margin + (usable as f64 * frac) as i64;
            // CloudTrail writes whole seconds
            let t0 = if cloud == Cloud::Aws {
                t0 - t0.rem_euclid(SEC)
            } else {
                t0
            };
            let container = match cloud {
                Cloud::Aws if i % 4 == 3 && setup.enabled(Container::AwsJsonl) => {
                    Container::AwsJsonl
                }
                Cloud::Azure if i % 3 == 2 && setup.enabled(Container::AzureRest) => {
                    Container::AzureRest
                }
                _ => primary,
            };
            let scope = rng.below(setup.scopes(container) as u64) as usize;
            let seq = plan.planted.len() + 1;
            let (mut p, calls) = match cloud {
                Cloud::Aws => {
                    let (acct, region) = setup.aws_scope(scope);
                    plant_aws(&mut rng, kind, t0, acct, region)
                }
                Cloud::Azure => plant_azure(&mut rng, kind, t0, &opts.azure_subscriptions[scope]),
                Cloud::Gcp => plant_gcp(&mut rng, kind, t0, &opts.gcp_projects[scope]),
            };
            p.id = format!("{}-{:03}-{}", cloud, seq, p.scenario);
            p.container = container;
            plan.planted.push(p);
            for f in calls {
                plan.fixed.push((container, scope, f));
            }
        }
    }
    plan.planted.sort_by(|a, b| {
        (a.first_event_time.as_str(), a.id.as_str()).cmp(&(b.first_event_time.as_str(), &b.id))
    });
    plan
}

fn planted(
    cloud: Cloud,
    scenario: &str,
    target: String,
    escalate: bool,
    chains: &[&str],
    account: &str,
    first: String,
) -> Planted {
    let mut chains: Vec<String> = chains.iter().map(|c| c.to_string()).collect();
    chains.sort();
    Planted {
        id: String::new(),
        cloud,
        scenario: scenario.to_string(),
        target,
        expected_severity: if escalate { "escalate" } else { "review" }.to_string(),
        expected_chains: chains,
        account: account.to_string(),
        first_event_time: first,
        container: Container::AwsS3Gz,
        expected_suppressed_by: None,
    }
}

/// A planted benign look-alike that a built-in tuning rule is expected to suppress.
fn suppressed(mut planted: Planted, rule: &str) -> Planted {
    planted.expected_suppressed_by = Some(rule.to_string());
    planted
}

fn at(t: i64, call: Call) -> Fixed {
    Fixed { t, call }
}

/// `YYYYMMDD` of a day some weeks before `t`: the age of a pre-attack snapshot.
fn snapshot_day(rng: &mut Rng, t: i64) -> String {
    let c = time::civil(t - (7 + rng.below(50) as i64) * time::DAY);
    format!("{:04}{:02}{:02}", c.year, c.month, c.day)
}

fn plant_aws(
    rng: &mut Rng,
    kind: Kind,
    t0: i64,
    acct: &str,
    region: &str,
) -> (Planted, Vec<Fixed>) {
    use aws::{Call as C, Who};
    let attacker = Who::Attacker(rng.below(aws::ATTACKERS as u64) as u8);
    let inst = planted_aws_id(rng, "i");
    let snap = planted_aws_id(rng, "snap");
    let vol = planted_aws_id(rng, "vol");
    let old = planted_aws_id(rng, "vol");
    let ami = planted_aws_id(rng, "ami");
    let a = |t: i64, c: C| at(t, Call::Aws(c));
    let w = || attacker.clone();
    let first = time::iso_string(t0, 0);
    let p = |scenario: &str, target: &String, escalate: bool, chains: &[&str]| {
        planted(
            Cloud::Aws,
            scenario,
            target.clone(),
            escalate,
            chains,
            acct,
            first.clone(),
        )
    };
    let _ = region;
    match kind {
        Kind::FullRevert => (
            p(
                "full-revert",
                &inst,
                true,
                &["stop-start", "volume-from-snapshot-attached"],
            ),
            vec![
                a(t0 - 125 * SEC, C::GetCallerIdentity { who: w() }),
                a(
                    t0 - 90 * SEC,
                    C::DescribeInstances {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
                a(
                    t0,
                    C::Stop {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
                a(
                    t0 + 50 * SEC,
                    C::DescribeSnapshots {
                        who: w(),
                        snaps: vec![snap.clone()],
                    },
                ),
                a(
                    t0 + 2 * MIN,
                    C::CreateVolume {
                        who: w(),
                        snap: snap.clone(),
                        vol: vol.clone(),
                        az_key: false,
                        tag: None,
                    },
                ),
                a(
                    t0 + 3 * MIN,
                    C::Detach {
                        who: w(),
                        vol: old.clone(),
                        inst: inst.clone(),
                        device: "/dev/xvda".into(),
                    },
                ),
                a(
                    t0 + 4 * MIN + 12 * SEC,
                    C::DescribeVolumes {
                        who: w(),
                        vols: vec![vol.clone(), old.clone()],
                    },
                ),
                a(
                    t0 + 5 * MIN,
                    C::Attach {
                        who: w(),
                        vol: vol.clone(),
                        inst: inst.clone(),
                        device: "/dev/xvda".into(),
                    },
                ),
                a(
                    t0 + 8 * MIN,
                    C::Start {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
                a(
                    t0 + 8 * MIN + 40 * SEC,
                    C::DescribeInstances {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
            ],
        ),
        Kind::StopStart => (
            p("stop-start", &inst, false, &["stop-start"]),
            vec![
                a(
                    t0 - 48 * SEC,
                    C::DescribeInstances {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
                a(
                    t0,
                    C::Stop {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
                a(
                    t0 + 7 * MIN + 30 * SEC,
                    C::Start {
                        who: w(),
                        ids: vec![inst.clone()],
                    },
                ),
            ],
        ),
        Kind::AttachFromSnapshot => (
            p(
                "volume-from-snapshot-attach",
                &inst,
                false,
                &["volume-from-snapshot-attached"],
            ),
            vec![
                a(
                    t0 - 80 * SEC,
                    C::DescribeSnapshots {
                        who: w(),
                        snaps: vec![snap.clone()],
                    },
                ),
                a(
                    t0,
                    C::CreateVolume {
                        who: w(),
                        snap: snap.clone(),
                        vol: vol.clone(),
                        az_key: true,
                        tag: None,
                    },
                ),
                a(
                    t0 + 22 * SEC,
                    C::DescribeVolumes {
                        who: w(),
                        vols: vec![vol.clone()],
                    },
                ),
                a(
                    t0 + 5 * MIN,
                    C::Attach {
                        who: w(),
                        vol: vol.clone(),
                        inst: inst.clone(),
                        device: "/dev/sdf".into(),
                    },
                ),
            ],
        ),
        Kind::AmiLaunch => {
            let name = format!("{}-golden-{}", rng.pick(&WORDS), snapshot_day(rng, t0));
            (
                p(
                    "ami-from-snapshot-launch",
                    &inst,
                    false,
                    &["image-from-snapshot-launched"],
                ),
                vec![
                    a(
                        t0 - 2 * MIN,
                        C::DescribeSnapshots {
                            who: w(),
                            snaps: vec![snap.clone()],
                        },
                    ),
                    a(
                        t0,
                        C::RegisterImage {
                            who: w(),
                            name,
                            snap: snap.clone(),
                            ami: ami.clone(),
                        },
                    ),
                    a(
                        t0 + 10 * MIN,
                        C::RunInstance {
                            who: w(),
                            ami: ami.clone(),
                            inst: inst.clone(),
                        },
                    ),
                    a(
                        t0 + 10 * MIN + 35 * SEC,
                        C::DescribeInstances {
                            who: w(),
                            ids: vec![inst.clone()],
                        },
                    ),
                ],
            )
        }
        Kind::Resize => {
            let itype = rng.pick(&["m5.xlarge", "m6i.2xlarge", "c6i.xlarge", "r6i.large"]);
            (
                p("resize-lookalike", &inst, false, &["stop-start"]),
                vec![
                    a(
                        t0 - 13 * SEC,
                        C::DescribeInstances {
                            who: Who::Ops,
                            ids: vec![inst.clone()],
                        },
                    ),
                    a(
                        t0,
                        C::Stop {
                            who: Who::Ops,
                            ids: vec![inst.clone()],
                        },
                    ),
                    a(
                        t0 + 2 * MIN,
                        C::ModifyType {
                            who: Who::Ops,
                            inst: inst.clone(),
                            itype: itype.to_string(),
                        },
                    ),
                    a(
                        t0 + 4 * MIN,
                        C::Start {
                            who: Who::Ops,
                            ids: vec![inst.clone()],
                        },
                    ),
                ],
            )
        }
        Kind::BackupUnattached => {
            let source = aws::noise_id(rng, "vol");
            (
                suppressed(
                    p(
                        "backup-restore-unattached",
                        &vol,
                        false,
                        &["volume-from-snapshot"],
                    ),
                    "aws-backup",
                ),
                vec![
                    a(
                        t0 - 2 * MIN,
                        C::StartRestoreJob {
                            who: Who::DrOperator,
                            snap: snap.clone(),
                        },
                    ),
                    a(
                        t0,
                        C::CreateVolume {
                            who: Who::BackupRestore,
                            snap: snap.clone(),
                            vol: vol.clone(),
                            az_key: false,
                            tag: Some(("aws:backup:source-resource".into(), source)),
                        },
                    ),
                    a(
                        t0 + 3 * MIN + 55 * SEC,
                        C::DescribeVolumes {
                            who: Who::DrOperator,
                            vols: vec![vol.clone()],
                        },
                    ),
                ],
            )
        }
        Kind::DiskUnattached => unreachable!("not planted on AWS"),
    }
}

fn plant_azure(rng: &mut Rng, kind: Kind, t0: i64, sub: &str) -> (Planted, Vec<Fixed>) {
    use azure::{Call as C, Who};
    let attacker = Who::Attacker(rng.below(azure::ATTACKERS as u64) as u8);
    let word = *rng.pick(&WORDS);
    let rg = format!("rg-{word}-prod");
    let vm = format!("vm-{word}-{}", hex(rng, 4));
    let own_disk = azure::os_disk_name(&vm, rng);
    let snap_id = azure::arm_id(
        sub,
        &rg,
        "Microsoft.Compute",
        "snapshots",
        &format!("{vm}-snap-{}", snapshot_day(rng, t0)),
    );
    let vm_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "virtualMachines", &vm);
    let first = time::iso_string(t0, 7);
    let lower_sub = sub.to_ascii_lowercase();
    let p = |scenario: &str, target: &str, escalate: bool, chains: &[&str]| {
        planted(
            Cloud::Azure,
            scenario,
            target.to_ascii_lowercase(),
            escalate,
            chains,
            &lower_sub,
            first.clone(),
        )
    };
    let a = |t: i64, c: C| at(t, Call::Azure(c));
    let w = || attacker.clone();
    let jitter = |rng: &mut Rng| rng.below(SEC as u64) as i64;
    match kind {
        Kind::FullRevert => {
            let disk = format!("{vm}-os-restored");
            let disk_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
            // the PUT body spells the resource group in upper case, as ARM clients do
            let body_ref = disk_id.replace(&format!("/{rg}/"), &format!("/{}/", rg.to_uppercase()));
            (
                p(
                    "full-revert",
                    &vm_id,
                    true,
                    &["stop-start", "disk-from-snapshot-swapped"],
                ),
                vec![
                    a(
                        t0,
                        C::Deallocate {
                            who: w(),
                            rg: rg.clone(),
                            vm: vm.clone(),
                        },
                    ),
                    a(
                        t0 + 2 * MIN + 8 * SEC + jitter(rng),
                        C::DiskFromSnapshot {
                            who: w(),
                            rg: rg.clone(),
                            disk: disk.clone(),
                            source: snap_id.clone(),
                            restore: false,
                        },
                    ),
                    a(
                        t0 + 5 * MIN + jitter(rng),
                        C::VmWrite {
                            who: w(),
                            rg: rg.clone(),
                            vm: vm.clone(),
                            size: "Standard_D2s_v5".into(),
                            os_disk_name: disk,
                            os_disk_id: body_ref,
                            data_disk_id: None,
                            from_image: false,
                        },
                    ),
                    a(
                        t0 + 8 * MIN + jitter(rng),
                        C::Start {
                            who: w(),
                            rg: rg.clone(),
                            vm: vm.clone(),
                        },
                    ),
                ],
            )
        }
        Kind::StopStart => (
            p("stop-start", &vm_id, false, &["stop-start"]),
            vec![
                a(
                    t0,
                    C::Deallocate {
                        who: w(),
                        rg: rg.clone(),
                        vm: vm.clone(),
                    },
                ),
                a(
                    t0 + 7 * MIN + jitter(rng),
                    C::Start {
                        who: w(),
                        rg: rg.clone(),
                        vm: vm.clone(),
                    },
                ),
            ],
        ),
        Kind::AttachFromSnapshot => {
            let disk = format!("{vm}-data-restored");
            let disk_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
            let own_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &own_disk);
            (
                p(
                    "disk-from-snapshot-attach",
                    &vm_id,
                    false,
                    &["disk-from-snapshot-attached"],
                ),
                vec![
                    a(
                        t0,
                        C::DiskFromSnapshot {
                            who: w(),
                            rg: rg.clone(),
                            disk,
                            source: snap_id,
                            restore: false,
                        },
                    ),
                    a(
                        t0 + 5 * MIN + jitter(rng),
                        C::VmWrite {
                            who: w(),
                            rg,
                            vm,
                            size: "Standard_D4s_v5".into(),
                            os_disk_name: own_disk,
                            os_disk_id: own_id,
                            data_disk_id: Some(disk_id),
                            from_image: true,
                        },
                    ),
                ],
            )
        }
        Kind::DiskUnattached => {
            let disk = format!("{vm}-restored");
            let disk_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
            (
                p(
                    "disk-from-snapshot",
                    &disk_id,
                    false,
                    &["disk-from-snapshot"],
                ),
                vec![a(
                    t0,
                    C::DiskFromSnapshot {
                        who: w(),
                        rg,
                        disk,
                        source: snap_id,
                        restore: false,
                    },
                )],
            )
        }
        Kind::Resize => {
            let own_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &own_disk)
                .replace("/resourceGroups/", "/resourcegroups/");
            (
                p("resize-lookalike", &vm_id, false, &["stop-start"]),
                vec![
                    a(
                        t0,
                        C::Deallocate {
                            who: Who::Ops,
                            rg: rg.clone(),
                            vm: vm.clone(),
                        },
                    ),
                    a(
                        t0 + 2 * MIN + jitter(rng),
                        C::VmWrite {
                            who: Who::Ops,
                            rg: rg.clone(),
                            vm: vm.clone(),
                            size: "Standard_D8s_v5".into(),
                            os_disk_name: own_disk,
                            os_disk_id: own_id,
                            data_disk_id: None,
                            from_image: true,
                        },
                    ),
                    a(
                        t0 + 4 * MIN + jitter(rng),
                        C::Start {
                            who: Who::Ops,
                            rg,
                            vm,
                        },
                    ),
                ],
            )
        }
        Kind::BackupUnattached => {
            let c = time::civil(t0);
            let disk = format!(
                "{vm}-osdisk-{:04}{:02}{:02}-{:02}{:02}{:02}",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            let disk_id = azure::arm_id(sub, &rg, "Microsoft.Compute", "disks", &disk);
            let rpc = format!("AzureBackup_{vm}_{}", rng.string(|r, v| r.digits(v, 14)));
            let rp = rng.uuid();
            let source = format!(
                "/subscriptions/{sub}/resourceGroups/AzureBackupRG_eastus_1/providers/Microsoft.Compute/restorePointCollections/{rpc}/restorePoints/{rp}/diskRestorePoints/{own_disk}_{}",
                rng.uuid()
            );
            (
                suppressed(
                    p(
                        "backup-restore-unattached",
                        &disk_id,
                        false,
                        &["disk-from-snapshot"],
                    ),
                    "azure-backup",
                ),
                vec![a(
                    t0,
                    C::DiskFromSnapshot {
                        who: Who::BackupService,
                        rg,
                        disk,
                        source,
                        restore: true,
                    },
                )],
            )
        }
        Kind::AmiLaunch => unreachable!("not planted on Azure"),
    }
}

fn plant_gcp(rng: &mut Rng, kind: Kind, t0: i64, project: &str) -> (Planted, Vec<Fixed>) {
    use gcp::{Call as C, Who};
    let attacker = Who::Attacker(rng.below(gcp::ATTACKERS as u64) as u8);
    let inst = format!("{}-vm-{}", rng.pick(&WORDS), hex(rng, 4));
    let zone = rng.pick(&gcp::ZONES).to_string();
    let snap = format!("{inst}-snap-{}", snapshot_day(rng, t0));
    let inst_id = format!("projects/{project}/zones/{zone}/instances/{inst}");
    let first = time::iso_string(t0, 6);
    let p = |scenario: &str, target: &str, escalate: bool, chains: &[&str]| {
        planted(
            Cloud::Gcp,
            scenario,
            target.to_string(),
            escalate,
            chains,
            project,
            first.clone(),
        )
    };
    let a = |t: i64, c: C| at(t, Call::Gcp(c));
    let w = || attacker.clone();
    let jitter = |rng: &mut Rng| rng.below(SEC as u64) as i64;
    match kind {
        Kind::FullRevert => {
            let disk = format!("{inst}-boot-restored");
            (
                p(
                    "full-revert",
                    &inst_id,
                    true,
                    &["stop-start", "disk-from-snapshot-attached"],
                ),
                vec![
                    a(
                        t0,
                        C::Stop {
                            who: w(),
                            zone: zone.clone(),
                            inst: inst.clone(),
                        },
                    ),
                    a(
                        t0 + 2 * MIN + jitter(rng),
                        C::DiskFromSnapshot {
                            who: w(),
                            zone: zone.clone(),
                            disk: disk.clone(),
                            snap,
                            labels: false,
                        },
                    ),
                    a(
                        t0 + 3 * MIN + jitter(rng),
                        C::Detach {
                            who: w(),
                            zone: zone.clone(),
                            inst: inst.clone(),
                            device: "persistent-disk-0".into(),
                        },
                    ),
                    a(
                        t0 + 5 * MIN + jitter(rng),
                        C::Attach {
                            who: w(),
                            zone: zone.clone(),
                            inst: inst.clone(),
                            disk,
                            device: "persistent-disk-0".into(),
                            boot: true,
                        },
                    ),
                    a(
                        t0 + 8 * MIN + jitter(rng),
                        C::Start {
                            who: w(),
                            zone,
                            inst,
                        },
                    ),
                ],
            )
        }
        Kind::StopStart => (
            p("stop-start", &inst_id, false, &["stop-start"]),
            vec![
                a(
                    t0,
                    C::Stop {
                        who: w(),
                        zone: zone.clone(),
                        inst: inst.clone(),
                    },
                ),
                a(
                    t0 + 7 * MIN + jitter(rng),
                    C::Start {
                        who: w(),
                        zone,
                        inst,
                    },
                ),
            ],
        ),
        Kind::AttachFromSnapshot => {
            let disk = format!("{inst}-restored");
            (
                p(
                    "disk-from-snapshot-attach",
                    &inst_id,
                    false,
                    &["disk-from-snapshot-attached"],
                ),
                vec![
                    a(
                        t0,
                        C::DiskFromSnapshot {
                            who: w(),
                            zone: zone.clone(),
                            disk: disk.clone(),
                            snap,
                            labels: false,
                        },
                    ),
                    a(
                        t0 + 5 * MIN + jitter(rng),
                        C::Attach {
                            who: w(),
                            zone,
                            inst,
                            disk,
                            device: "restored".into(),
                            boot: false,
                        },
                    ),
                ],
            )
        }
        Kind::Resize => {
            let mt = rng
                .pick(&["n2-standard-8", "e2-standard-8", "c3-standard-4"])
                .to_string();
            (
                p("resize-lookalike", &inst_id, false, &["stop-start"]),
                vec![
                    a(
                        t0,
                        C::Stop {
                            who: Who::Ops,
                            zone: zone.clone(),
                            inst: inst.clone(),
                        },
                    ),
                    a(
                        t0 + 2 * MIN + jitter(rng),
                        C::SetMachineType {
                            who: Who::Ops,
                            zone: zone.clone(),
                            inst: inst.clone(),
                            mt,
                        },
                    ),
                    a(
                        t0 + 4 * MIN + jitter(rng),
                        C::Start {
                            who: Who::Ops,
                            zone,
                            inst,
                        },
                    ),
                ],
            )
        }
        Kind::BackupUnattached => {
            let disk = format!("{inst}-restore-test");
            let disk_id = format!("projects/{project}/zones/{zone}/disks/{disk}");
            (
                p(
                    "backup-restore-unattached",
                    &disk_id,
                    false,
                    &["disk-from-snapshot"],
                ),
                vec![a(
                    t0,
                    C::DiskFromSnapshot {
                        who: Who::DrSa,
                        zone,
                        disk,
                        snap,
                        labels: true,
                    },
                )],
            )
        }
        Kind::AmiLaunch | Kind::DiskUnattached => unreachable!("not planted on GCP"),
    }
}
