use std::path::Path;

use crate::config::load_str;
use crate::rule::Rule;

/// The built-in rules' text, as shipped.
pub const DEFAULT_TUNING: &str = include_str!("../default-tuning.toml");

pub fn builtins() -> Vec<Rule> {
    load_str(DEFAULT_TUNING, Path::new("<built-in>"), true)
        .expect("the built-in tuning is checked by its tests")
        .rules
}

pub fn builtin_names() -> Vec<String> {
    builtins().into_iter().map(|r| r.name).collect()
}
