//! The rule pack: which provider operations matter to T1578.004, what each one signals, and
//! which of its request and response fields give lineage edges. It is data (TOML), embedded in
//! the binary as [`DEFAULT_PACK`] and replaceable or extendable by a user's file.
//!
//! Main types:
//! - [`Pack`], a loaded and checked set of [`Entry`]s (one per provider operation), with the
//!   [`Signal`] each gives and the [`EdgeSpec`]s of its lineage; [`load_default`],
//!   [`load_file`] and [`load_str`] make one, or a [`PackError`] that says where and why;
//! - [`Prefilter`], the byte-level test that skips records naming none of the operations;
//! - [`Playbooks`], the investigation guides and response playbooks per chain
//!   (`playbooks.toml`), and [`Facts`], which fills their command templates, each value as one
//!   quoted shell word.
//!
//! Invariants:
//! - every name, path and resource role in a loaded pack has been checked; evaluation never
//!   fails on a pack, only on missing fields in a record (which simply yield nothing);
//! - operation lookup follows each provider's own naming: exact for AWS, case-insensitive for
//!   Azure, and without the API version prefix (`v1.`, `beta.`) for GCP.
//!
//! ```
//! use revertwatch_pack::{load_default, Facts, Provider};
//!
//! let pack = load_default();
//! assert!(pack.knows(Provider::Gcp, "beta.compute.instances.stop"));
//! assert!(!pack.knows(Provider::Aws, "stopinstances"));
//!
//! // A value from a log goes into a command as one shell word, whatever it holds.
//! let mut facts = Facts::default();
//! facts.set("target", "i-0abc; reboot");
//! let filled = facts.fill("aws ec2 describe-instances --instance-ids {{target}} {{region}}");
//! assert_eq!(
//!     filled.text,
//!     "aws ec2 describe-instances --instance-ids 'i-0abc; reboot' '<region>'"
//! );
//! assert_eq!(filled.missing, ["region"]);
//! ```

#![deny(missing_docs)]

mod error;
mod lineage;
mod load;
mod model;
mod path;
pub mod playbook;
mod prefilter;
pub mod toml_text;

pub use error::PackError;
pub use lineage::MAX_LINEAGE_HOPS;
pub use load::{load_default, load_file, load_str};
pub use model::{
    strings, CallFields, Condition, EdgeSpec, Entry, Lifecycle, Pack, Provider, ResourceSpec,
    Signal, TAKEN_OF,
};
pub use path::{FieldPath, Root};
pub use playbook::{default_playbooks, Facts, PlaybookError, Playbooks};
pub use prefilter::{with_escapes_undone, Prefilter};

/// The default pack's text, as shipped.
pub const DEFAULT_PACK: &str = include_str!("../default-pack.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn default_pack_loads_and_covers_every_provider() {
        let pack = load_default();
        for p in [Provider::Aws, Provider::Azure, Provider::Gcp] {
            assert!(
                pack.entries.iter().any(|e| e.provider == p),
                "{p} has no entries"
            );
        }
        assert!(pack.knows(Provider::Azure, "MICROSOFT.COMPUTE/DISKS/WRITE"));
        assert!(pack.knows(Provider::Gcp, "beta.compute.instances.stop"));
        assert!(pack.knows(Provider::Gcp, "v1.compute.disks.insert"));
        assert!(!pack.knows(Provider::Aws, "stopinstances"));
        assert_eq!(
            pack.entries_for(Provider::Gcp, "v1.compute.instances.insert")
                .count(),
            3
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = load_str(
            "[[operation]]\nprovider = \"aws\"\nname = \n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("p.toml:3:"), "{text}");
    }

    #[test]
    fn undeclared_roles_are_rejected_with_the_entry_line() {
        let text = r#"
[[operation]]
provider = "aws"
name = "AttachVolume"
signal = "link"
subject = "instance"
resources.instance = { kind = "instance", path = "request.instanceId" }
edges = [{ from = "vol", to = "instance", relation = "attached" }]
"#;
        let err = load_str(text, Path::new("p.toml")).unwrap_err().to_string();
        assert!(
            err.starts_with("p.toml:2: operation `AttachVolume`"),
            "{err}"
        );
        assert!(err.contains("`vol`"), "{err}");
    }

    #[test]
    fn an_edge_may_carry_its_own_when_and_a_bad_one_is_refused_with_its_line() {
        let pack = load_default();
        let restore = pack
            .entries_for(Provider::Azure, "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems/recoverypoints/restore/action")
            .next()
            .unwrap();
        assert!(restore.edges.iter().all(|e| e.when.len() == 1));
        let text = r#"
[[operation]]
provider = "aws"
name = "AttachVolume"
signal = "link"
subject = "instance"
resources.instance = { kind = "instance", path = "request.instanceId" }
resources.vol = { kind = "volume", path = "request.volumeId" }
edges = [{ from = "vol", to = "instance", relation = "attached", when = "requestParameters.device" }]
"#;
        let err = load_str(text, Path::new("p.toml")).unwrap_err().to_string();
        assert!(
            err.starts_with("p.toml:2: operation `AttachVolume`"),
            "{err}"
        );
        assert!(err.contains("requestParameters.device"), "{err}");
    }

    #[test]
    fn prefilter_ignores_case_for_azure_names() {
        let pf = load_default().prefilter();
        assert!(pf.is_candidate(br#"{"operationName":"MICROSOFT.COMPUTE/DISKS/WRITE"}"#));
        assert!(pf.is_candidate(br#"{"operationName":"microsoft.compute/disks/write"}"#));
        assert!(pf.is_candidate(br#"{"eventName":"StopInstances"}"#));
        assert!(!pf.is_candidate(br#"{"eventName":"DescribeInstances"}"#));
    }
}
