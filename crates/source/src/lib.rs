//! Object stores as log sources: `s3://`, `az://` and `gs://` URLs, listed through each
//! cloud's log layout so that `--since` / `--until`, accounts and regions become key prefixes,
//! and fetched with a bounded number of requests in flight.
//!
//! The caller gets readers of raw object bytes: decompression and parsing stay in decode and
//! normalize, the same as for local files. Nothing here prints; listings and failures are
//! returned for the caller to report.
//!
//! The main types: a [`StoreUrl`] (parsed from a command-line argument, on one [`Cloud`])
//! names a bucket and prefix; a [`Client`] built with [`Connect`] settings opens it as a
//! [`Bucket`], [`plan`](Client::plan)s what to read for a [`Scope`] (a [`TimeRange`], accounts,
//! regions) through the [`Layout`] it recognises, giving a [`Plan`] of [`Found`] objects, and
//! [`fetch`](Client::fetch)es [`Wanted`] objects as [`Fetched`] [`Body`] readers. Failures are
//! [`SourceError`] for a whole URL and [`Fetch`] for one object or listing. [`time_hint`] reads
//! from a log file's path when its events can begin, so that files can be read in time order.
//!
//! ```
//! use revertwatch_source::{time_hint, Cloud, StoreUrl};
//!
//! let url = StoreUrl::parse("s3://trail-bucket/AWSLogs/111122223333/CloudTrail/").unwrap();
//! assert_eq!(url.cloud, Cloud::S3);
//! assert_eq!(url.bucket, "trail-bucket");
//! assert_eq!(url.prefix, "AWSLogs/111122223333/CloudTrail");
//! assert!(StoreUrl::parse("ftp://elsewhere").is_err());
//!
//! // A CloudTrail file is stamped with the end of its minutes; its events may begin earlier.
//! let key = "AWSLogs/111122223333/CloudTrail/us-east-1/2021/08/02/\
//!            111122223333_CloudTrail_us-east-1_20210802T0205Z_abcdEFGH12345678.json.gz";
//! let hint = time_hint(key).unwrap();
//! assert_eq!(hint.to_rfc3339(), "2021-08-02T01:50:00+00:00");
//! ```

#![deny(missing_docs)]

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
    /// A client with its own two-thread runtime; installs the TLS provider. Opens no connection: the only error is [`SourceError::Runtime`].
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
