//! What can go wrong while naming, listing or fetching objects.

/// Why a URL, a listing or an object could not be used. Keys inside are as the store gave them:
/// escape them before printing them on a terminal.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("`{url}` is not an object-store URL: {why}")]
    BadUrl { url: String, why: &'static str },

    #[error("cannot set up {url}: {why}")]
    Setup { url: String, why: String },

    #[error("cannot read the AWS profile `{profile}` in {file}: {why}")]
    Profile {
        profile: String,
        file: String,
        why: String,
    },

    #[error("cannot list {prefix}: {why}")]
    List { prefix: String, why: Fetch },

    #[error("cannot start the object-store client: {0}")]
    Runtime(String),
}

/// Why one object or listing failed: the kinds a user acts on differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fetch {
    #[error("not found (deleted or moved since it was listed?)")]
    NotFound,
    #[error("permission denied")]
    Denied,
    #[error("not authenticated: {0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Other(String),
}

impl Fetch {
    /// Sorts object_store's error into the kinds above, keeping the first line of its message
    /// (later lines repeat the request and the body the store returned).
    pub(crate) fn from_store(e: &object_store::Error) -> Fetch {
        match e {
            object_store::Error::NotFound { .. } => Fetch::NotFound,
            object_store::Error::PermissionDenied { .. } => Fetch::Denied,
            object_store::Error::Unauthenticated { source, .. } => {
                Fetch::Unauthenticated(first_line(&source.to_string()))
            }
            other => Fetch::Other(first_line(&chain(other))),
        }
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}
