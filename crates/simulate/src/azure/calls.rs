//! The Azure calls that the plan and the schedulers fix in time, and who makes them.

use crate::rng::Rng;

pub(crate) const ATTACKERS: usize = 2;

#[derive(Clone, Debug)]
pub(crate) enum Who {
    Attacker(u8),
    Ops,
    BackupService,
    Automation,
    /// the estate's habit cast (`crate::habits`): owners, patcher, on-call
    Habit(u16),
}

#[derive(Clone, Debug)]
pub(crate) enum Call {
    Deallocate {
        who: Who,
        rg: String,
        vm: String,
    },
    Start {
        who: Who,
        rg: String,
        vm: String,
    },
    /// disks/write with createOption Copy (from a snapshot) or Restore (from a restore point)
    DiskFromSnapshot {
        who: Who,
        rg: String,
        disk: String,
        source: String,
        restore: bool,
    },
    VmWrite {
        who: Who,
        rg: String,
        vm: String,
        size: String,
        os_disk_name: String,
        os_disk_id: String,
        data_disk_id: Option<String>,
        from_image: bool,
    },
}

pub(crate) fn arm_id(sub: &str, rg: &str, provider: &str, kind: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{kind}/{name}")
}

/// `<vm>_OsDisk_1_<32 hex>`, the name Azure gives a VM's first OS disk.
pub(crate) fn os_disk_name(vm: &str, rng: &mut Rng) -> String {
    format!("{vm}_OsDisk_1_{}", rng.string(|r, v| r.hex(v, 32)))
}
