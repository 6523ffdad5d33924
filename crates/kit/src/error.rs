/// Why a kit script cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    #[error(
        "invalid run id `{0}`: 4 to 24 lower-case letters, digits and hyphens, starting with a \
         letter and not ending with a hyphen (it becomes part of resource names, tags and labels)"
    )]
    /// The run id given (echoed back) is not 4 to 24 characters of `[a-z0-9-]` starting with a letter and not ending with `-`.
    RunId(String),
    #[error(
        "invalid {what} `{value}`: lower-case letters, digits and hyphens only (for example {example})"
    )]
    /// A `--region` value is not a plausible region, location or zone name.
    Region {
        /// What the cloud calls it: `region`, `location` or `zone` (see [`region_word`](crate::region_word)).
        what: &'static str,
        /// The value given, as given.
        value: String,
        /// The cloud's default, offered as an example of a valid value.
        example: &'static str,
    },
    /// The scenario name given matches no [`Scenario::name`](crate::Scenario::name).
    #[error("unknown scenario `{0}` (run `revertwatch kit` to list them)")]
    UnknownScenario(String),
}
