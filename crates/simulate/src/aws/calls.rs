//! The AWS calls that the plan and the schedulers fix in time, and who makes them.

use crate::rng::Rng;

/// How many attacker identities planted scenarios choose from.
pub(crate) const ATTACKERS: usize = 3;

#[derive(Clone, Debug)]
pub(crate) enum Who {
    Attacker(u8),
    Ops,
    DrOperator,
    BackupRestore,
    Scheduler,
    Asg,
    Dlm,
    Backup,
    /// the estate's habit cast (`crate::habits`): owners, patcher, copier, on-call, scheduler v3
    Habit(u16),
}

#[derive(Clone, Debug)]
pub(crate) enum Call {
    Stop {
        who: Who,
        ids: Vec<String>,
    },
    Start {
        who: Who,
        ids: Vec<String>,
    },
    CreateVolume {
        who: Who,
        snap: String,
        vol: String,
        az_key: bool,
        tag: Option<(String, String)>,
    },
    Attach {
        who: Who,
        vol: String,
        inst: String,
        device: String,
    },
    Detach {
        who: Who,
        vol: String,
        inst: String,
        device: String,
    },
    RegisterImage {
        who: Who,
        name: String,
        snap: String,
        ami: String,
    },
    RunInstance {
        who: Who,
        ami: String,
        inst: String,
    },
    ModifyType {
        who: Who,
        inst: String,
        itype: String,
    },
    StartRestoreJob {
        who: Who,
        snap: String,
    },
    DescribeInstances {
        who: Who,
        ids: Vec<String>,
    },
    DescribeSnapshots {
        who: Who,
        snaps: Vec<String>,
    },
    DescribeVolumes {
        who: Who,
        vols: Vec<String>,
    },
    GetCallerIdentity {
        who: Who,
    },
    CreateTags {
        who: Who,
        ids: Vec<String>,
        key: String,
        value: String,
    },
    CreateSnapshot {
        who: Who,
        vol: String,
        snap: String,
    },
    CopySnapshot {
        who: Who,
        src: String,
        dst: String,
        src_region: String,
    },
    /// `CreateReplaceRootVolumeTask` from a snapshot, deleting the replaced volume or not
    ReplaceRootVolume {
        who: Who,
        inst: String,
        snap: String,
        delete: bool,
    },
    AsgRun {
        ids: Vec<String>,
        ami: String,
    },
    AsgTerminate {
        ids: Vec<String>,
    },
}

/// `i-0`, `vol-0`, ... and 16 hex digits, the first of them 0-7: the noise namespace.
pub(crate) fn noise_id(rng: &mut Rng, prefix: &str) -> String {
    let mut v = prefix.as_bytes().to_vec();
    v.extend_from_slice(b"-0");
    v.push(b'0' + rng.below(8) as u8);
    rng.hex(&mut v, 15);
    String::from_utf8(v).expect("ascii")
}
