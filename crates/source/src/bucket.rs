//! One bucket or container, opened with its cloud's credential chain, and listed through
//! object_store.

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path;
use object_store::{BackoffConfig, ObjectMeta, ObjectStore, RetryConfig};

use crate::aws_profile;
use crate::error::{Fetch, SourceError};
use crate::plan::{Entries, Found, Lister};
use crate::url::{Cloud, StoreUrl};

/// How to reach the stores.
#[derive(Debug, Clone, Default)]
pub struct Connect {
    /// Overrides the service endpoint: an S3-compatible store, or an emulator (for Azurite,
    /// the account URL `http://127.0.0.1:10000/devstoreaccount1`).
    pub endpoint: Option<String>,
    /// Retries of a failed request (or of a body cut off mid-transfer), with exponential
    /// backoff from 100 ms up to 5 s.
    pub retries: usize,
}

/// An opened bucket (or container).
#[derive(Debug)]
pub struct Bucket {
    /// The URL it was opened with; its prefix is where a hunt starts.
    pub url: StoreUrl,
    pub(crate) store: Arc<dyn ObjectStore>,
}

impl Bucket {
    /// The `s3://bucket/key` form of a key.
    pub fn key_url(&self, key: &str) -> String {
        self.url.key_url(key)
    }
}

fn retry(connect: &Connect) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: connect.retries,
        retry_timeout: Duration::from_secs(120),
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

pub(crate) async fn open(url: &StoreUrl, connect: &Connect) -> Result<Bucket, SourceError> {
    let store: Arc<dyn ObjectStore> = match url.cloud {
        Cloud::S3 => Arc::new(s3(url, connect).await?),
        Cloud::Azure => Arc::new(azure(url, connect)?),
        Cloud::Gcs => Arc::new(gcs(url, connect)?),
    };
    Ok(Bucket {
        url: url.clone(),
        store,
    })
}

fn setup(url: &StoreUrl, why: String) -> SourceError {
    SourceError::Setup {
        url: url.to_string(),
        why,
    }
}

/// Emulators and S3-compatible stores on a private network are often plain HTTP.
fn is_http(endpoint: Option<&str>) -> bool {
    endpoint.is_some_and(|e| e.starts_with("http://"))
}

async fn s3(url: &StoreUrl, connect: &Connect) -> Result<object_store::aws::AmazonS3, SourceError> {
    let mut b = AmazonS3Builder::from_env()
        .with_bucket_name(&url.bucket)
        .with_retry(retry(connect));
    if let Some(endpoint) = &connect.endpoint {
        b = b.with_endpoint(endpoint);
    }
    let endpoint = b.get_config_value(&AmazonS3ConfigKey::Endpoint);
    if is_http(endpoint.as_deref()) {
        b = b.with_allow_http(true);
    }
    let mut region = b
        .get_config_value(&AmazonS3ConfigKey::Region)
        .or_else(|| b.get_config_value(&AmazonS3ConfigKey::DefaultRegion));
    if let Some(profile) = aws_profile::load(&env)? {
        b = with_profile_keys(b, &profile).map_err(|why| setup(url, why))?;
        region = region.or(profile.region);
    }
    if region.is_none() && endpoint.is_none() {
        // A bucket answers only in its own region: ask S3 where it is.
        region = object_store::aws::resolve_bucket_region(&url.bucket, &Default::default())
            .await
            .ok();
    }
    if let Some(region) = region {
        b = b.with_region(region);
    }
    b.build().map_err(|e| setup(url, e.to_string()))
}

/// The profile's keys, unless the environment already holds credentials (which win, as they
/// do for the AWS CLI).
fn with_profile_keys(
    mut b: AmazonS3Builder,
    profile: &aws_profile::Profile,
) -> Result<AmazonS3Builder, String> {
    let keys_in_env = b
        .get_config_value(&AmazonS3ConfigKey::AccessKeyId)
        .is_some()
        || b.get_config_value(&AmazonS3ConfigKey::WebIdentityTokenFile)
            .is_some();
    if keys_in_env {
        return Ok(b);
    }
    if let Some(how) = &profile.indirect {
        return Err(format!(
            "the AWS profile gets its credentials from {how}, which revertwatch does not run; \
             export them first: eval \"$(aws configure export-credentials --format env)\""
        ));
    }
    if let (Some(id), Some(secret)) = (&profile.access_key_id, &profile.secret_access_key) {
        b = b.with_access_key_id(id).with_secret_access_key(secret);
        if let Some(token) = &profile.session_token {
            b = b.with_token(token);
        }
    }
    Ok(b)
}

fn azure(
    url: &StoreUrl,
    connect: &Connect,
) -> Result<object_store::azure::MicrosoftAzure, SourceError> {
    let mut b = MicrosoftAzureBuilder::from_env()
        .with_container_name(&url.bucket)
        .with_retry(retry(connect));
    if let Some(account) = &url.account {
        b = b.with_account(account);
    }
    if let Some(endpoint) = &connect.endpoint {
        b = b.with_endpoint(endpoint.clone());
    }
    if is_http(
        connect
            .endpoint
            .as_deref()
            .or(env("AZURE_STORAGE_ENDPOINT").as_deref()),
    ) {
        b = b.with_allow_http(true);
    }
    if azure_cli_is_the_credential() {
        b = b.with_use_azure_cli(true);
    }
    b.build().map_err(|e| setup(url, e.to_string()))
}

fn gcs(
    url: &StoreUrl,
    connect: &Connect,
) -> Result<object_store::gcp::GoogleCloudStorage, SourceError> {
    let mut b = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(&url.bucket)
        .with_retry(retry(connect));
    if let Some(endpoint) = &connect.endpoint {
        b = b.with_base_url(endpoint);
        if is_http(Some(endpoint)) {
            b = b.with_client_options(object_store::ClientOptions::new().with_allow_http(true));
        }
    }
    b.build().map_err(|e| setup(url, e.to_string()))
}

/// The Azure chain: a key, SAS, token, service principal, workload identity or emulator set in
/// the environment; else a logged-in Azure CLI (`az login`); else the managed identity of the
/// machine. `AZURE_USE_AZURE_CLI` decides the CLI step explicitly.
fn azure_cli_is_the_credential() -> bool {
    if std::env::var_os("AZURE_USE_AZURE_CLI").is_some() {
        return false; // object_store reads it itself.
    }
    let explicit = std::env::vars_os().any(|(k, _)| {
        k.to_str().is_some_and(|k| {
            [
                "AZURE_STORAGE_ACCOUNT_KEY",
                "AZURE_STORAGE_ACCESS_KEY",
                "AZURE_STORAGE_MASTER_KEY",
                "AZURE_STORAGE_SAS_KEY",
                "AZURE_STORAGE_SAS_TOKEN",
                "AZURE_STORAGE_TOKEN",
                "AZURE_CLIENT_SECRET",
                "AZURE_FEDERATED_TOKEN_FILE",
                "AZURE_STORAGE_USE_EMULATOR",
                "AZURE_SKIP_SIGNATURE",
                "IDENTITY_ENDPOINT",
                "MSI_ENDPOINT",
            ]
            .contains(&k)
        })
    });
    let logged_in = env("HOME").is_some_and(|home| {
        let config = env("AZURE_CONFIG_DIR").unwrap_or_else(|| format!("{home}/.azure"));
        std::path::Path::new(&config)
            .join("azureProfile.json")
            .is_file()
    });
    !explicit && logged_in
}

fn folder_path(folder: &str) -> Result<Option<Path>, Fetch> {
    if folder.is_empty() {
        return Ok(None);
    }
    Path::parse(folder)
        .map(Some)
        .map_err(|e| Fetch::Other(format!("not a key prefix: {e}")))
}

fn found(meta: ObjectMeta) -> Found {
    Found {
        key: meta.location.to_string(),
        size: meta.size,
        modified: meta.last_modified,
    }
}

impl Lister for Bucket {
    async fn children(&self, folder: &str) -> Result<Entries, Fetch> {
        let prefix = folder_path(folder)?;
        let listed = self
            .store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(|e| Fetch::from_store(&e))?;
        Ok(Entries {
            dirs: listed
                .common_prefixes
                .iter()
                .filter_map(|p| p.filename().map(str::to_string))
                .collect(),
            objects: listed.objects.into_iter().map(found).collect(),
        })
    }

    async fn everything(&self, folder: &str) -> Result<Vec<Found>, Fetch> {
        let prefix = folder_path(folder)?;
        self.store
            .list(prefix.as_ref())
            .map_ok(found)
            .try_collect()
            .await
            .map_err(|e| Fetch::from_store(&e))
    }
}
