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
//!
//! The main types: a [`Tuning`] is the rules in force, read by [`load_file`] or [`load_str`]
//! (which check every rule and name the line of any problem) and completed by
//! [`Tuning::with_builtins`]; a [`Rule`] is one of them, with its criteria; [`apply`] marks
//! incidents and returns an [`Applied`], how each rule fared.
//!
//! ```
//! use std::path::Path;
//!
//! use chrono::NaiveDate;
//! use revertwatch_tuning::{apply, load_str};
//!
//! let tuning = load_str(
//!     r#"
//!     [[rule]]
//!     name = "nightly-ops"
//!     reason = "the NightlyOps scheduler stops and starts build machines"
//!     actor = "arn:aws:iam::*:role/NightlyOps"
//!     expires = "2026-12-31"
//!     "#,
//!     Path::new("tuning.toml"),
//!     false,
//! )?
//! .with_builtins(&[]);
//! assert_eq!(tuning.rules[0].name, "nightly-ops");
//!
//! // No incidents, nothing marked; every rule is still accounted for.
//! let today = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
//! let applied = apply(&mut [], &tuning, today);
//! assert_eq!(applied.uses.len(), tuning.rules.len());
//! assert_eq!(applied.suppressed(), 0);
//! # Ok::<(), revertwatch_tuning::TuningError>(())
//! ```

#![deny(missing_docs)]

mod apply;
mod breadth;
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
