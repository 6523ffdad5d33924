//! The GCP scenarios: each a handful of calls at fixed times, on fresh planted names.

use super::calls::{Call, Call as C, Who, ATTACKERS, ZONES};
use crate::emit::Fixed;
use crate::options::Cloud;
use crate::report::Planted;
use crate::rng::Rng;
use crate::scenario::{hex, planted, snapshot_day, Kind, WORDS};
use crate::time::{self, MIN, SEC};

/// The names every scenario draws, in this order, before its kind's own.
struct Scene<'a> {
    attacker: Who,
    inst: String,
    zone: String,
    snap: String,
    inst_id: String,
    project: &'a str,
    rec: Record<'a>,
}

/// What the ground-truth record of a scenario shares with the others of the project.
struct Record<'a> {
    first: String,
    project: &'a str,
}

impl Record<'_> {
    fn p(&self, scenario: &str, target: &str, escalate: bool, chains: &[&str]) -> Planted {
        planted(
            Cloud::Gcp,
            scenario,
            target.to_string(),
            escalate,
            chains,
            self.project,
            self.first.clone(),
        )
    }
}

fn at(t: i64, call: C) -> Fixed<Call> {
    Fixed { t, call }
}

/// Up to a second more, so that the calls do not fall on whole seconds.
fn jitter(rng: &mut Rng) -> i64 {
    rng.below(SEC as u64) as i64
}

pub(crate) fn plant(
    rng: &mut Rng,
    kind: Kind,
    t0: i64,
    project: &str,
) -> (Planted, Vec<Fixed<Call>>) {
    let attacker = Who::Attacker(rng.below(ATTACKERS as u64) as u8);
    let inst = format!("{}-vm-{}", rng.pick(&WORDS), hex(rng, 4));
    let zone = rng.pick(&ZONES).to_string();
    let snap = format!("{inst}-snap-{}", snapshot_day(rng, t0));
    let inst_id = format!("projects/{project}/zones/{zone}/instances/{inst}");
    let rec = Record {
        first: time::iso_string(t0, 6),
        project,
    };
    let s = Scene {
        attacker,
        inst,
        zone,
        snap,
        inst_id,
        project,
        rec,
    };
    match kind {
        Kind::FullRevert => full_revert(s, rng, t0),
        Kind::StopStart => stop_start(s, rng, t0),
        Kind::AttachFromSnapshot => attach_from_snapshot(s, rng, t0),
        Kind::Resize => resize(s, rng, t0),
        Kind::BackupUnattached => backup_unattached(s, t0),
        Kind::AmiLaunch | Kind::DiskUnattached => unreachable!("not planted on GCP"),
    }
}

fn full_revert(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        inst,
        zone,
        snap,
        inst_id,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    let disk = format!("{inst}-boot-restored");
    (
        rec.p(
            "full-revert",
            &inst_id,
            true,
            &["stop-start", "disk-from-snapshot-attached"],
        ),
        vec![
            at(
                t0,
                C::Stop {
                    who: w(),
                    zone: zone.clone(),
                    inst: inst.clone(),
                },
            ),
            at(
                t0 + 2 * MIN + jitter(rng),
                C::DiskFromSnapshot {
                    who: w(),
                    zone: zone.clone(),
                    disk: disk.clone(),
                    snap,
                    labels: false,
                },
            ),
            at(
                t0 + 3 * MIN + jitter(rng),
                C::Detach {
                    who: w(),
                    zone: zone.clone(),
                    inst: inst.clone(),
                    device: "persistent-disk-0".into(),
                },
            ),
            at(
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
            at(
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

fn stop_start(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        inst,
        zone,
        inst_id,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    (
        rec.p("stop-start", &inst_id, false, &["stop-start"]),
        vec![
            at(
                t0,
                C::Stop {
                    who: w(),
                    zone: zone.clone(),
                    inst: inst.clone(),
                },
            ),
            at(
                t0 + 7 * MIN + jitter(rng),
                C::Start {
                    who: w(),
                    zone,
                    inst,
                },
            ),
        ],
    )
}

fn attach_from_snapshot(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        attacker,
        inst,
        zone,
        snap,
        inst_id,
        rec,
        ..
    } = s;
    let w = || attacker.clone();
    let disk = format!("{inst}-restored");
    (
        rec.p(
            "disk-from-snapshot-attach",
            &inst_id,
            false,
            &["disk-from-snapshot-attached"],
        ),
        vec![
            at(
                t0,
                C::DiskFromSnapshot {
                    who: w(),
                    zone: zone.clone(),
                    disk: disk.clone(),
                    snap,
                    labels: false,
                },
            ),
            at(
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

fn resize(s: Scene, rng: &mut Rng, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        inst,
        zone,
        inst_id,
        rec,
        ..
    } = s;
    let mt = rng
        .pick(&["n2-standard-8", "e2-standard-8", "c3-standard-4"])
        .to_string();
    (
        rec.p("resize-lookalike", &inst_id, false, &["stop-start"]),
        vec![
            at(
                t0,
                C::Stop {
                    who: Who::Ops,
                    zone: zone.clone(),
                    inst: inst.clone(),
                },
            ),
            at(
                t0 + 2 * MIN + jitter(rng),
                C::SetMachineType {
                    who: Who::Ops,
                    zone: zone.clone(),
                    inst: inst.clone(),
                    mt,
                },
            ),
            at(
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

fn backup_unattached(s: Scene, t0: i64) -> (Planted, Vec<Fixed<Call>>) {
    let Scene {
        inst,
        zone,
        snap,
        project,
        rec,
        ..
    } = s;
    let disk = format!("{inst}-restore-test");
    let disk_id = format!("projects/{project}/zones/{zone}/disks/{disk}");
    (
        rec.p(
            "backup-restore-unattached",
            &disk_id,
            false,
            &["disk-from-snapshot"],
        ),
        vec![at(
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
