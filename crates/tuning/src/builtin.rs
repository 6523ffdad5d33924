use std::path::Path;

use crate::config::{load_str, Tuning};
use crate::rule::Rule;

/// The built-in rules' text, as shipped.
pub const DEFAULT_TUNING: &str = include_str!("../default-tuning.toml");

/// The built-in rules, checked and in file order; each matches only a cloud service's own calls.
pub fn builtins() -> Vec<Rule> {
    load_str(DEFAULT_TUNING, Path::new("<built-in>"), true)
        .expect("the built-in tuning is checked by its tests")
        .rules
}

/// The built-in rules' names, as `--disable-builtin` and `[defaults] disable` take them.
pub fn builtin_names() -> Vec<String> {
    builtins().into_iter().map(|r| r.name).collect()
}

// Here rather than beside `Tuning` so that the built-ins, which are read by the loader,
// depend on it and not the other way round.
impl Tuning {
    /// Adds the built-in rules, less those switched off here or in `also_disabled`.
    pub fn with_builtins(mut self, also_disabled: &[String]) -> Tuning {
        let off: Vec<String> = self.disabled.iter().chain(also_disabled).cloned().collect();
        self.rules
            .extend(builtins().into_iter().filter(|r| !off.contains(&r.name)));
        self
    }
}
