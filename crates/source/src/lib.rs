//! Object stores as log sources: `s3://`, `az://` and `gs://` URLs, listed through each
//! cloud's log layout so that `--since` / `--until`, accounts and regions become key prefixes,
//! and fetched with a bounded number of requests in flight.
//!
//! The caller gets readers of raw object bytes: decompression and parsing stay in decode and
//! normalize, the same as for local files. Nothing here prints; listings and failures are
//! returned for the caller to report.

mod aws_profile;
mod bucket;
mod error;
mod fetch;
mod hint;
mod layout;
mod plan;
mod range;
mod url;

use std::sync::Arc;

pub use bucket::{Bucket, Connect};
pub use error::{Fetch, SourceError};
pub use fetch::{Body, Fetched, Wanted};
pub use hint::time_hint;
pub use layout::{Layout, GCS_LOGS};
pub use plan::{plan, Depth, Entries, Found, Lister, Listing, Plan, Scope};
pub use range::{TimeRange, SLACK};
pub use url::{Cloud, StoreUrl};

/// Makes ring the process's TLS provider, unless one is already set. reqwest is built without
/// a provider of its own (ring is already in the tree; aws-lc would be a C build), so every
/// process that makes an object_store client calls this first; [`Client::new`] does.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The object-store side of a hunt: its own small async runtime behind a blocking interface,
/// so that callers on plain threads (rayon) need no async code.
pub struct Client {
    runtime: tokio::runtime::Runtime,
    connect: Connect,
}

impl Client {
    pub fn new(connect: Connect) -> Result<Client, SourceError> {
        install_tls_provider();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("revertwatch-fetch")
            .enable_all()
            .build()
            .map_err(|e| SourceError::Runtime(e.to_string()))?;
        Ok(Client { runtime, connect })
    }

    /// Opens a bucket with its cloud's credentials. Credentials are checked by the first
    /// request, not here.
    pub fn open(&self, url: &StoreUrl) -> Result<Arc<Bucket>, SourceError> {
        self.runtime
            .block_on(bucket::open(url, &self.connect))
            .map(Arc::new)
    }

    /// Lists what a hunt of `bucket`'s prefix needs. When not one listing succeeded the URL
    /// cannot be hunted at all (no such bucket, no credentials): that is the error.
    pub fn plan(&self, bucket: &Bucket, scope: &Scope) -> Result<Plan, SourceError> {
        let plan = self
            .runtime
            .block_on(plan::plan(bucket, &bucket.url.prefix, scope));
        if plan.listings.is_empty() {
            if let Some((folder, why)) = plan.failures.first() {
                return Err(SourceError::List {
                    prefix: bucket.url.folder_url(folder),
                    why: why.clone(),
                });
            }
        }
        Ok(plan)
    }

    /// Starts fetching; see [`Fetched`]. The receiver ends when every body was handed over.
    pub fn fetch(
        &self,
        wanted: Vec<Wanted>,
        max_requests: usize,
    ) -> std::sync::mpsc::Receiver<Fetched> {
        fetch::start(self.runtime.handle(), wanted, max_requests)
    }
}
