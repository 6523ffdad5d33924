//! Tuning: rules that suppress or downgrade incidents, each with a name and a stated reason,
//! and built-in knowledge of benign cloud automation (backup, scheduling, scaling, chaos
//! experiments).
//!
//! Invariants:
//! - nothing vanishes: a suppressed incident keeps every field and carries `suppressed_by`;
//!   the caller decides what to hide;
//! - a rule applies to an incident only when every call in it matches the rule, and every
//!   caller is one of the identities the rule matched: an attacker's call joining a benign
//!   chain keeps the incident live, with a note saying why;
//! - an expired rule never matches; it is reported as expired.

mod apply;
mod builtin;
mod config;
mod error;
mod rule;
mod window;

pub use apply::{apply, Applied, RuleUse};
pub use builtin::{builtin_names, builtins, DEFAULT_TUNING};
pub use config::{load_file, load_str, Tuning};
pub use error::TuningError;
pub use rule::{Action, Rule};
