//! Who makes GCP calls: principals, their user agents, and the callers of the noise.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum UaKind {
    GcloudLinux,
    GcloudMac,
    Console,
    Python,
    Terraform,
    GoStorage,
    Mig,
    None,
}

pub(super) struct Principal {
    pub(super) email: String,
    pub(super) subject: String,
    pub(super) ip: Option<String>,
    pub(super) network: bool,
    pub(super) ua: UaKind,
}

// principals
pub(super) const ALICE: usize = 0;
pub(super) const BOB: usize = 1;
pub(super) const TF: usize = 2;
pub(super) const APP: usize = 3;
pub(super) const MIG: usize = 4;
pub(super) const SYSTEM: usize = 5;
pub(super) const ATTACKER0: usize = 6;
pub(super) const OPS: usize = 8;
pub(super) const DR: usize = 9;
