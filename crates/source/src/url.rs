//! `s3://`, `az://` and `gs://` URLs: which store, which bucket or container, which prefix.

use std::fmt;

use crate::error::SourceError;

/// The three clouds whose log archives can be hunted where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cloud {
    /// Amazon S3 (`s3://`).
    S3,
    /// Azure Blob Storage (`az://`).
    Azure,
    /// Google Cloud Storage (`gs://`).
    Gcs,
}

impl Cloud {
    /// The URL scheme without `://`: `s3`, `az` or `gs`.
    pub fn scheme(self) -> &'static str {
        match self {
            Cloud::S3 => "s3",
            Cloud::Azure => "az",
            Cloud::Gcs => "gs",
        }
    }
}

/// A parsed object-store URL. `prefix` is a folder: empty (the whole bucket) or a key prefix
/// made of whole path segments, without leading or trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    /// Which store.
    pub cloud: Cloud,
    /// S3 or GCS bucket, or Azure container.
    pub bucket: String,
    /// Azure storage account, when the URL names it (`az://container@account/...`).
    pub account: Option<String>,
    /// The key prefix: whole path segments, no leading or trailing `/`; empty for the whole bucket.
    pub prefix: String,
}

impl StoreUrl {
    /// Whether a command-line argument is meant as a URL rather than a local path.
    pub fn looks_like_url(arg: &str) -> bool {
        ["s3://", "az://", "gs://"]
            .iter()
            .any(|s| arg.starts_with(s))
    }

    /// Parses `s3://bucket[/prefix]`, `gs://bucket[/prefix]` and
    /// `az://container[@account][/prefix]`.
    pub fn parse(arg: &str) -> Result<StoreUrl, SourceError> {
        let bad = |why| SourceError::BadUrl {
            url: arg.to_string(),
            why,
        };
        let (cloud, rest) = if let Some(rest) = arg.strip_prefix("s3://") {
            (Cloud::S3, rest)
        } else if let Some(rest) = arg.strip_prefix("az://") {
            (Cloud::Azure, rest)
        } else if let Some(rest) = arg.strip_prefix("gs://") {
            (Cloud::Gcs, rest)
        } else {
            return Err(bad(
                "use s3://bucket/prefix, az://container/prefix or gs://bucket/prefix",
            ));
        };
        if rest.contains(['?', '#']) {
            return Err(bad(
                "query strings and fragments are not part of a key prefix",
            ));
        }
        let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let (bucket, account) = match (cloud, authority.split_once('@')) {
            (Cloud::Azure, Some((container, account))) => (container, Some(account)),
            (_, Some(_)) => return Err(bad("`@account` is only for az:// URLs")),
            (_, None) => (authority, None),
        };
        if bucket.is_empty() {
            return Err(bad("the bucket (or container) name is missing"));
        }
        if account.is_some_and(str::is_empty) {
            return Err(bad("the storage account after `@` is empty"));
        }
        if !bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            return Err(bad(
                "a bucket or container name has only letters, digits, `-`, `.` and `_`",
            ));
        }
        let segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(bad("`.` and `..` are not key segments"));
        }
        if segments.iter().any(|s| s.chars().any(char::is_control)) {
            return Err(bad("control characters are not allowed in the prefix"));
        }
        Ok(StoreUrl {
            cloud,
            bucket: bucket.to_string(),
            account: account.map(str::to_string),
            prefix: segments.join("/"),
        })
    }

    /// The URL of a key in this bucket, as a person would type it.
    pub fn key_url(&self, key: &str) -> String {
        format!(
            "{}://{}/{}",
            self.cloud.scheme(),
            self.bucket_display(),
            key
        )
    }

    /// The URL of a folder (a prefix) in this bucket, ending in `/`.
    pub fn folder_url(&self, prefix: &str) -> String {
        if prefix.is_empty() {
            format!("{}://{}/", self.cloud.scheme(), self.bucket_display())
        } else {
            format!(
                "{}://{}/{}/",
                self.cloud.scheme(),
                self.bucket_display(),
                prefix
            )
        }
    }

    fn bucket_display(&self) -> String {
        match &self.account {
            Some(account) => format!("{}@{}", self.bucket, account),
            None => self.bucket.clone(),
        }
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.folder_url(&self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_cloud() {
        let u = StoreUrl::parse("s3://trail-bucket/AWSLogs/111122223333/").unwrap();
        assert_eq!(
            (u.cloud, u.bucket.as_str(), u.prefix.as_str()),
            (Cloud::S3, "trail-bucket", "AWSLogs/111122223333")
        );
        let u = StoreUrl::parse("az://insights-activity-logs@acmelogs").unwrap();
        assert_eq!(u.cloud, Cloud::Azure);
        assert_eq!(u.account.as_deref(), Some("acmelogs"));
        assert_eq!(u.prefix, "");
        let u = StoreUrl::parse("gs://sink//cloudaudit.googleapis.com/activity").unwrap();
        assert_eq!(u.prefix, "cloudaudit.googleapis.com/activity");
        assert_eq!(
            u.to_string(),
            "gs://sink/cloudaudit.googleapis.com/activity/"
        );
    }

    #[test]
    fn rejects_what_is_no_bucket_prefix() {
        for bad in [
            "s3://",
            "s3:///x",
            "http://bucket/x",
            "s3://b@acct/x",
            "az://c@/x",
            "s3://b/../x",
            "s3://b/x?list-type=2",
            "s3://bu cket/",
            "gs://b/a\u{1b}[2J",
        ] {
            assert!(StoreUrl::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
