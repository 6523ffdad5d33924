//! The GCP calls that the plan and the schedulers fix in time, and who makes them.

pub(crate) const ATTACKERS: usize = 2;
pub(crate) const ZONES: [&str; 3] = ["us-central1-a", "us-central1-b", "us-central1-c"];

#[derive(Clone, Debug)]
pub(crate) enum Who {
    Attacker(u8),
    Ops,
    DrSa,
    Scheduler,
    /// the estate's habit cast (`crate::habits`): owners, patcher, on-call
    Habit(u16),
}

#[derive(Clone, Debug)]
pub(crate) enum Call {
    Stop {
        who: Who,
        zone: String,
        inst: String,
    },
    Start {
        who: Who,
        zone: String,
        inst: String,
    },
    DiskFromSnapshot {
        who: Who,
        zone: String,
        disk: String,
        snap: String,
        labels: bool,
    },
    Detach {
        who: Who,
        zone: String,
        inst: String,
        device: String,
    },
    Attach {
        who: Who,
        zone: String,
        inst: String,
        disk: String,
        device: String,
        boot: bool,
    },
    SetMachineType {
        who: Who,
        zone: String,
        inst: String,
        mt: String,
    },
    CreateSnapshot {
        who: Who,
        zone: String,
        disk: String,
        snap: String,
    },
}

impl Call {
    /// Who makes the call.
    pub(crate) fn who_mut(&mut self) -> &mut Who {
        match self {
            Call::Stop { who, .. }
            | Call::Start { who, .. }
            | Call::DiskFromSnapshot { who, .. }
            | Call::Detach { who, .. }
            | Call::Attach { who, .. }
            | Call::SetMachineType { who, .. }
            | Call::CreateSnapshot { who, .. } => who,
        }
    }
}
