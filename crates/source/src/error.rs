//! What can go wrong while naming, listing or fetching objects.

/// Why a URL, a listing or an object could not be used. Keys inside are as the store gave them:
/// escape them before printing them on a terminal.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A URL that [`StoreUrl::parse`](crate::StoreUrl::parse) refused.
    #[error("`{url}` is not an object-store URL: {why}")]
    BadUrl {
        /// The argument, as given.
        url: String,
        /// What is wrong with it, and the forms that are accepted.
        why: &'static str,
    },

    /// The store's client could not be built for a URL (a bad endpoint, missing settings).
    /// Credentials are not checked here: a wrong one fails the first listing instead.
    #[error("cannot set up {url}: {why}")]
    Setup {
        /// The bucket's URL.
        url: String,
        /// The client builder's message.
        why: String,
    },

    /// The AWS profile named by `AWS_PROFILE` (or `default`) could not be read from the shared config or
    /// credentials file.
    #[error("cannot read the AWS profile `{profile}` in {file}: {why}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// The file read (or that should have been), as a path.
        file: String,
        /// What was missing or malformed.
        why: String,
    },

    /// Not one listing of a URL succeeded ([`Client::plan`](crate::Client::plan)): no such
    /// bucket, or no access to it. The first failure is the one reported.
    #[error("cannot list {prefix}: {why}")]
    List {
        /// The URL of the folder whose listing failed.
        prefix: String,
        /// Why it failed.
        why: Fetch,
    },

    /// The client's async runtime could not start; the I/O error's message.
    #[error("cannot start the object-store client: {0}")]
    Runtime(String),
}

/// Why one object or listing failed: the kinds a user acts on differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fetch {
    /// No such object or folder (HTTP 404).
    #[error("not found (deleted or moved since it was listed?)")]
    NotFound,
    /// The credentials are valid but may not read it (HTTP 403).
    #[error("permission denied")]
    Denied,
    /// No credentials, or ones the store does not accept; the first line of the store's
    /// message.
    #[error("not authenticated: {0}")]
    Unauthenticated(String),
    /// Anything else (network, throttling past the retries, a malformed answer); the first
    /// line of the error and its causes.
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
