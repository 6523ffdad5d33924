/// Why a kit script cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    #[error(
        "invalid run id `{0}`: 4 to 24 lower-case letters, digits and hyphens, starting with a \
         letter and not ending with a hyphen (it becomes part of resource names, tags and labels)"
    )]
    RunId(String),
    #[error(
        "invalid {what} `{value}`: lower-case letters, digits and hyphens only (for example {example})"
    )]
    Region {
        what: &'static str,
        value: String,
        example: &'static str,
    },
    #[error("unknown scenario `{0}` (run `revertwatch kit` to list them)")]
    UnknownScenario(String),
}
