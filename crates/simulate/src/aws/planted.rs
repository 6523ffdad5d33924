//! The AWS scenarios: each a handful of calls at fixed times, on fresh planted ids.

use super::calls::{noise_id, Call, Call as C, Who, ATTACKERS};
use crate::emit::Fixed;
use crate::options::Cloud;
use crate::report::Planted;
use crate::rng::Rng;
use crate::scenario::{planted, planted_aws_id, snapshot_day, suppressed, Kind, WORDS};
use crate::time::{self, MIN, SEC};

/// The fresh ids of one scenario, drawn in this order whatever the kind.
struct Ids {
    attacker: Who,
    inst: String,
    snap: String,
    vol: String,
    old: String,
    ami: String,
}

fn at(t: i64, call: C) -> Fixed<Call> {
    Fixed { t, call }
}

fn one(id: &str) -> Vec<String> {
    vec![id.to_string()]
}

pub(crate) fn plant(
    rng: &mut Rng,
    kind: Kind,
    t0: i64,
    acct: &str,
    region: &str,
) -> (Planted, Vec<Fixed<Call>>) {
    let ids = ids(rng);
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
    let s = &ids;
    match kind {
        Kind::FullRevert => {
            let chains = ["stop-start", "volume-from-snapshot-attached"];
            (p("full-revert", &s.inst, true, &chains), full_revert(s, t0))
        }
        Kind::StopStart => (
            p("stop-start", &s.inst, false, &["stop-start"]),
            stop_start(s, t0),
        ),
        Kind::AttachFromSnapshot => {
            let chains = ["volume-from-snapshot-attached"];
            let planted = p("volume-from-snapshot-attach", &s.inst, false, &chains);
            (planted, attach_from_snapshot(s, t0))
        }
        Kind::AmiLaunch => {
            let name = format!("{}-golden-{}", rng.pick(&WORDS), snapshot_day(rng, t0));
            let chains = ["image-from-snapshot-launched"];
            let planted = p("ami-from-snapshot-launch", &s.inst, false, &chains);
            (planted, ami_launch(s, t0, name))
        }
        Kind::Resize => {
            let itype = rng.pick(&["m5.xlarge", "m6i.2xlarge", "c6i.xlarge", "r6i.large"]);
            let planted = p("resize-lookalike", &s.inst, false, &["stop-start"]);
            (planted, resize(s, t0, itype))
        }
        Kind::BackupUnattached => {
            let source = noise_id(rng, "vol");
            let chains = ["volume-from-snapshot"];
            let planted = p("backup-restore-unattached", &s.vol, false, &chains);
            let planted = suppressed(planted, "aws-backup");
            (planted, backup_unattached(s, t0, source))
        }
        Kind::DiskUnattached => unreachable!("not planted on AWS"),
    }
}

/// Stop, swap the root volume for one made from a snapshot, start.
fn full_revert(s: &Ids, t0: i64) -> Vec<Fixed<Call>> {
    let w = || s.attacker.clone();
    let device = || "/dev/xvda".to_string();
    let inst = &s.inst;
    vec![
        at(t0 - 125 * SEC, C::GetCallerIdentity { who: w() }),
        at(
            t0 - 90 * SEC,
            C::DescribeInstances {
                who: w(),
                ids: one(inst),
            },
        ),
        at(
            t0,
            C::Stop {
                who: w(),
                ids: one(inst),
            },
        ),
        at(
            t0 + 50 * SEC,
            C::DescribeSnapshots {
                who: w(),
                snaps: one(&s.snap),
            },
        ),
        at(
            t0 + 2 * MIN,
            C::CreateVolume {
                who: w(),
                snap: s.snap.clone(),
                vol: s.vol.clone(),
                az_key: false,
                tag: None,
            },
        ),
        at(
            t0 + 3 * MIN,
            C::Detach {
                who: w(),
                vol: s.old.clone(),
                inst: inst.clone(),
                device: device(),
            },
        ),
        at(
            t0 + 4 * MIN + 12 * SEC,
            C::DescribeVolumes {
                who: w(),
                vols: vec![s.vol.clone(), s.old.clone()],
            },
        ),
        at(
            t0 + 5 * MIN,
            C::Attach {
                who: w(),
                vol: s.vol.clone(),
                inst: inst.clone(),
                device: device(),
            },
        ),
        at(
            t0 + 8 * MIN,
            C::Start {
                who: w(),
                ids: one(inst),
            },
        ),
        at(
            t0 + 8 * MIN + 40 * SEC,
            C::DescribeInstances {
                who: w(),
                ids: one(inst),
            },
        ),
    ]
}

fn stop_start(s: &Ids, t0: i64) -> Vec<Fixed<Call>> {
    let w = || s.attacker.clone();
    vec![
        at(
            t0 - 48 * SEC,
            C::DescribeInstances {
                who: w(),
                ids: one(&s.inst),
            },
        ),
        at(
            t0,
            C::Stop {
                who: w(),
                ids: one(&s.inst),
            },
        ),
        at(
            t0 + 7 * MIN + 30 * SEC,
            C::Start {
                who: w(),
                ids: one(&s.inst),
            },
        ),
    ]
}

fn attach_from_snapshot(s: &Ids, t0: i64) -> Vec<Fixed<Call>> {
    let w = || s.attacker.clone();
    vec![
        at(
            t0 - 80 * SEC,
            C::DescribeSnapshots {
                who: w(),
                snaps: one(&s.snap),
            },
        ),
        at(
            t0,
            C::CreateVolume {
                who: w(),
                snap: s.snap.clone(),
                vol: s.vol.clone(),
                az_key: true,
                tag: None,
            },
        ),
        at(
            t0 + 22 * SEC,
            C::DescribeVolumes {
                who: w(),
                vols: one(&s.vol),
            },
        ),
        at(
            t0 + 5 * MIN,
            C::Attach {
                who: w(),
                vol: s.vol.clone(),
                inst: s.inst.clone(),
                device: "/dev/sdf".into(),
            },
        ),
    ]
}

fn ami_launch(s: &Ids, t0: i64, name: String) -> Vec<Fixed<Call>> {
    let w = || s.attacker.clone();
    let (snap, ami) = (s.snap.clone(), s.ami.clone());
    vec![
        at(
            t0 - 2 * MIN,
            C::DescribeSnapshots {
                who: w(),
                snaps: one(&s.snap),
            },
        ),
        at(
            t0,
            C::RegisterImage {
                who: w(),
                name,
                snap,
                ami: ami.clone(),
            },
        ),
        at(
            t0 + 10 * MIN,
            C::RunInstance {
                who: w(),
                ami,
                inst: s.inst.clone(),
            },
        ),
        at(
            t0 + 10 * MIN + 35 * SEC,
            C::DescribeInstances {
                who: w(),
                ids: one(&s.inst),
            },
        ),
    ]
}

/// The operator's stop, type change and start: a look-alike of a revert.
fn resize(s: &Ids, t0: i64, itype: &str) -> Vec<Fixed<Call>> {
    let (who, inst) = (|| Who::Ops, &s.inst);
    vec![
        at(
            t0 - 13 * SEC,
            C::DescribeInstances {
                who: who(),
                ids: one(inst),
            },
        ),
        at(
            t0,
            C::Stop {
                who: who(),
                ids: one(inst),
            },
        ),
        at(
            t0 + 2 * MIN,
            C::ModifyType {
                who: who(),
                inst: inst.clone(),
                itype: itype.to_string(),
            },
        ),
        at(
            t0 + 4 * MIN,
            C::Start {
                who: who(),
                ids: one(inst),
            },
        ),
    ]
}

/// AWS Backup restores a volume that nobody attaches: suppressed, never alerted.
fn backup_unattached(s: &Ids, t0: i64, source: String) -> Vec<Fixed<Call>> {
    vec![
        at(
            t0 - 2 * MIN,
            C::StartRestoreJob {
                who: Who::DrOperator,
                snap: s.snap.clone(),
            },
        ),
        at(
            t0,
            C::CreateVolume {
                who: Who::BackupRestore,
                snap: s.snap.clone(),
                vol: s.vol.clone(),
                az_key: false,
                tag: Some(("aws:backup:source-resource".into(), source)),
            },
        ),
        at(
            t0 + 3 * MIN + 55 * SEC,
            C::DescribeVolumes {
                who: Who::DrOperator,
                vols: one(&s.vol),
            },
        ),
    ]
}

/// A revert prepared the day before (issue 17, "a pause"): the volume is made from the snapshot
/// at `t_restore`, and swapped in as root between a stop at `t_stop` and a start five minutes
/// later, the next afternoon.
pub(crate) fn prepared_revert(
    rng: &mut Rng,
    t_restore: i64,
    t_stop: i64,
    acct: &str,
) -> (Planted, Vec<Fixed<Call>>) {
    let s = ids(rng);
    let w = || s.attacker.clone();
    let device = || "/dev/xvda".to_string();
    let chains = ["stop-start", "volume-from-snapshot-attached"];
    let first = time::iso_string(t_restore, 0);
    let p = planted(
        Cloud::Aws,
        "prepared-revert",
        s.inst.clone(),
        true,
        &chains,
        acct,
        first,
    );
    let calls = vec![
        at(
            t_restore - 95 * SEC,
            C::DescribeSnapshots {
                who: w(),
                snaps: one(&s.snap),
            },
        ),
        at(
            t_restore,
            C::CreateVolume {
                who: w(),
                snap: s.snap.clone(),
                vol: s.vol.clone(),
                az_key: false,
                tag: None,
            },
        ),
        at(
            t_stop,
            C::Stop {
                who: w(),
                ids: one(&s.inst),
            },
        ),
        at(
            t_stop + 2 * MIN,
            C::Detach {
                who: w(),
                vol: s.old.clone(),
                inst: s.inst.clone(),
                device: device(),
            },
        ),
        at(
            t_stop + 3 * MIN + 10 * SEC,
            C::Attach {
                who: w(),
                vol: s.vol.clone(),
                inst: s.inst.clone(),
                device: device(),
            },
        ),
        at(
            t_stop + 5 * MIN,
            C::Start {
                who: w(),
                ids: one(&s.inst),
            },
        ),
    ];
    (p, calls)
}

/// A revert in one call: `CreateReplaceRootVolumeTask` from a snapshot with
/// `DeleteReplacedRootVolume`, which reboots the instance and deletes the evidence.
pub(crate) fn replace_root(rng: &mut Rng, t0: i64, acct: &str) -> (Planted, Vec<Fixed<Call>>) {
    let s = ids(rng);
    let w = || s.attacker.clone();
    let first = time::iso_string(t0, 0);
    let chains = ["root-volume-replaced"];
    let p = planted(
        Cloud::Aws,
        "root-replaced-evidence-deleted",
        s.inst.clone(),
        true,
        &chains,
        acct,
        first,
    );
    let calls = vec![
        at(
            t0 - 70 * SEC,
            C::DescribeInstances {
                who: w(),
                ids: one(&s.inst),
            },
        ),
        at(
            t0 - 40 * SEC,
            C::DescribeSnapshots {
                who: w(),
                snaps: one(&s.snap),
            },
        ),
        at(
            t0,
            C::ReplaceRootVolume {
                who: w(),
                inst: s.inst.clone(),
                snap: s.snap.clone(),
                delete: true,
            },
        ),
    ];
    (p, calls)
}

/// A scenario's fresh ids, drawn as `plant` draws them.
fn ids(rng: &mut Rng) -> Ids {
    Ids {
        attacker: Who::Attacker(rng.below(ATTACKERS as u64) as u8),
        inst: planted_aws_id(rng, "i"),
        snap: planted_aws_id(rng, "snap"),
        vol: planted_aws_id(rng, "vol"),
        old: planted_aws_id(rng, "vol"),
        ami: planted_aws_id(rng, "ami"),
    }
}
