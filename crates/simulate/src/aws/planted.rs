//! The AWS scenarios: each a handful of calls at fixed times, on fresh planted ids.

use super::calls::{noise_id, Call, Call as C, Who, ATTACKERS};
use crate::emit::Fixed;
use crate::options::Cloud;
use crate::report::Planted;
use crate::rng::Rng;
use crate::scenario::{planted, planted_aws_id, snapshot_day, suppressed, Kind, WORDS};
use crate::time::{self, MIN, SEC};

pub(crate) fn plant(
    rng: &mut Rng,
    kind: Kind,
    t0: i64,
    acct: &str,
    region: &str,
) -> (Planted, Vec<Fixed<Call>>) {
    let attacker = Who::Attacker(rng.below(ATTACKERS as u64) as u8);
    let inst = planted_aws_id(rng, "i");
    let snap = planted_aws_id(rng, "snap");
    let vol = planted_aws_id(rng, "vol");
    let old = planted_aws_id(rng, "vol");
    let ami = planted_aws_id(rng, "ami");
    let a = |t: i64, c: C| Fixed { t, call: c };
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
            let source = noise_id(rng, "vol");
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
