//! The GCP scenarios: each a handful of calls at fixed times, on fresh planted names.

use super::calls::{Call, Call as C, Who, ATTACKERS, ZONES};
use crate::emit::Fixed;
use crate::options::Cloud;
use crate::report::Planted;
use crate::rng::Rng;
use crate::scenario::{hex, planted, snapshot_day, Kind, WORDS};
use crate::time::{self, MIN, SEC};

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
    let a = |t: i64, c: C| Fixed { t, call: c };
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
