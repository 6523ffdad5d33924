//! Hunting object stores (s3://, az://, gs://): the flags, and turning URLs into the objects to
//! fetch. Listing and fetching live in the source crate; this file decides what to say.

use std::io::Write;
use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::Args;
use revertwatch_report::escape::terminal;
use revertwatch_source::{Bucket, Client, Connect, Depth, Plan, Scope, StoreUrl, TimeRange};

/// The help heading of these flags (set per flag: a struct-level heading would carry over to
/// the flags flattened after this struct).
const HEADING: &str = "Object stores (s3://, az://, gs://)";

#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// Hunt only the object-store folders that can hold events from this time on: a date
    /// (2026-03-01, from midnight UTC), an RFC 3339 time, or a duration before now (36h, 7d).
    /// In a known layout (CloudTrail's AWSLogs/, Azure's resourceId=/, a GCS sink's
    /// cloudaudit.googleapis.com/) only the date folders in range are listed (by day; by hour
    /// for Azure), with a day of slack on each side: a log file sits under the day it was
    /// delivered, which can be the day after its first events. Objects last written more than a
    /// day before it are not fetched. It chooses objects, not events: every event in a chosen
    /// object is hunted.
    #[arg(long, value_name = "WHEN", value_parser = parse_since, help_heading = HEADING)]
    pub since: Option<DateTime<Utc>>,

    /// Hunt only the object-store folders that can hold events up to this time (a date counts
    /// to its end; a duration is before now), with the same day of slack.
    #[arg(long, value_name = "WHEN", value_parser = parse_until, help_heading = HEADING)]
    pub until: Option<DateTime<Utc>>,

    /// AWS account ids (CloudTrail's AWSLogs/<account>/, organization trails too) or Azure
    /// subscription ids (resourceId=/SUBSCRIPTIONS/<id>/) to hunt; comma-separated or repeated.
    /// Default: every one the bucket holds. GCS sink paths name no project, so it does not
    /// narrow them.
    #[arg(long = "account", value_name = "ID", value_delimiter = ',', help_heading = HEADING)]
    pub accounts: Vec<String>,

    /// AWS regions to hunt in CloudTrail's layout (us-east-1,eu-west-1); comma-separated or
    /// repeated. Default: every region the trail wrote. Azure and GCS paths have no region.
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',', help_heading = HEADING)]
    pub regions: Vec<String>,

    /// Send object-store requests here instead of the cloud's own endpoint: an S3-compatible
    /// store (MinIO, Ceph, moto: http://127.0.0.1:5000), Azurite (the account URL,
    /// http://127.0.0.1:10000/devstoreaccount1) or a GCS emulator. http:// is allowed only
    /// when given here or in the cloud's own variable (AWS_ENDPOINT_URL,
    /// AZURE_STORAGE_ENDPOINT, GOOGLE_BASE_URL), which work too.
    #[arg(long, value_name = "URL", help_heading = HEADING)]
    pub endpoint: Option<String>,

    /// Object-store requests in flight at once (listings, and objects being fetched but not
    /// yet read). Each object is decompressed while it downloads.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=512), help_heading = HEADING)]
    pub max_requests: u16,

    /// Retries of a failed request, or of a transfer cut off midway (it resumes where it
    /// stopped), with exponential backoff from 100 ms to 5 s. An object that still fails is
    /// reported with its key and skipped (exit 3), and the hunt goes on.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = HEADING)]
    pub retries: u8,

    /// Say on stderr which layout each URL showed, each folder listed (and how deep), each
    /// folder passed over and why, and what will be fetched.
    #[arg(long, help_heading = HEADING)]
    pub verbose: bool,
}

impl Default for RemoteArgs {
    fn default() -> RemoteArgs {
        RemoteArgs {
            since: None,
            until: None,
            accounts: Vec::new(),
            regions: Vec::new(),
            endpoint: None,
            max_requests: 16,
            retries: 4,
            verbose: false,
        }
    }
}

impl RemoteArgs {
    /// The flags that only mean something for URLs.
    fn narrowing(&self) -> Option<&'static str> {
        [
            (self.since.is_some(), "--since"),
            (self.until.is_some(), "--until"),
            (!self.accounts.is_empty(), "--account"),
            (!self.regions.is_empty(), "--region"),
            (self.endpoint.is_some(), "--endpoint"),
        ]
        .into_iter()
        .find_map(|(set, name)| set.then_some(name))
    }
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    parse_when(s, NaiveTime::MIN)
}

fn parse_until(s: &str) -> Result<DateTime<Utc>, String> {
    parse_when(
        s,
        NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("a valid time"),
    )
}

/// A date (at `time_of_day`), an RFC 3339 time, or a duration before now.
fn parse_when(s: &str, time_of_day: NaiveTime) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(date.and_time(time_of_day).and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(ago) = humantime::parse_duration(s) {
        let ago = chrono::Duration::from_std(ago).map_err(|e| e.to_string())?;
        return Utc::now()
            .checked_sub_signed(ago)
            .ok_or_else(|| format!("{s} before now is before any log"));
    }
    Err(format!(
        "`{s}` is not a date (2026-03-01), an RFC 3339 time (2026-03-01T12:00:00Z) or a duration (36h, 7d)"
    ))
}

/// The object-store client and the settings fetching needs; shared by every remote input.
pub struct Remote {
    pub client: Client,
    pub max_requests: usize,
}

/// One object to hunt.
pub struct RemoteObject {
    pub remote: Arc<Remote>,
    pub bucket: Arc<Bucket>,
    pub key: String,
    pub size: u64,
    /// `s3://bucket/key`, escaped for the terminal (keys are attacker-influenced).
    pub name: String,
}

impl std::fmt::Debug for RemoteObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// What the URLs expand to: objects to fetch, and folders that could not be listed (each is
/// reported as a skip).
#[derive(Default)]
pub struct Expanded {
    pub objects: Vec<RemoteObject>,
    pub unlisted: Vec<(String, String)>,
}

/// Lists every URL. A URL whose listing fails outright (no such bucket, no credentials) is an
/// error, as a missing local path is; a folder that fails deeper down is reported and skipped.
pub fn expand(urls: &[&str], args: &RemoteArgs, err: &mut dyn Write) -> anyhow::Result<Expanded> {
    if urls.is_empty() {
        if let Some(flag) = args.narrowing() {
            bail!("{flag} is for object-store URLs (s3://, az://, gs://), and none was given");
        }
        return Ok(Expanded::default());
    }
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since > until {
            bail!("--since {since} is after --until {until}");
        }
    }
    let client = Client::new(Connect {
        endpoint: args.endpoint.clone(),
        retries: args.retries.into(),
    })?;
    let remote = Arc::new(Remote {
        client,
        max_requests: args.max_requests.into(),
    });
    let scope = Scope {
        range: TimeRange {
            since: args.since,
            until: args.until,
        },
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
        now: Utc::now(),
        max_requests: args.max_requests.into(),
    };
    let mut out = Expanded::default();
    for url in urls {
        let url = StoreUrl::parse(url)?;
        let bucket = remote.client.open(&url)?;
        let plan = remote
            .client
            .plan(&bucket, &scope)
            .with_context(|| format!("cannot hunt {}", terminal(&url.to_string())))?;
        if args.verbose {
            say_plan(err, &bucket, &plan, &scope)?;
        }
        for (folder, why) in &plan.failures {
            let name = terminal(&bucket.url.folder_url(folder)).into_owned();
            let reason = terminal(&format!("cannot list: {why}")).into_owned();
            out.unlisted.push((name, reason));
        }
        for found in plan.objects {
            out.objects.push(RemoteObject {
                remote: remote.clone(),
                bucket: bucket.clone(),
                name: terminal(&bucket.key_url(&found.key)).into_owned(),
                key: found.key,
                size: found.size,
            });
        }
    }
    Ok(out)
}

fn say_plan(
    err: &mut dyn Write,
    bucket: &Bucket,
    plan: &Plan,
    scope: &Scope,
) -> std::io::Result<()> {
    let url = &bucket.url;
    let layout = plan
        .layout
        .map_or("no known log layout: listed whole".to_string(), |l| {
            format!("{} layout", l.name())
        });
    writeln!(err, "revertwatch: {}: {layout}", terminal(&url.to_string()))?;
    if !scope.range.is_open() {
        let show = |t: Option<DateTime<Utc>>| t.map_or("open".to_string(), |t| t.to_rfc3339());
        writeln!(
            err,
            "revertwatch:   range {} .. {} (folders listed with {} h of slack each side): {} date folders",
            show(scope.range.since),
            show(scope.range.until),
            revertwatch_source::SLACK.num_hours(),
            plan.date_folders
        )?;
    }
    for listing in &plan.listings {
        let depth = match listing.depth {
            Depth::OneLevel => format!(
                "one level: {} folder{},",
                listing.dirs,
                if listing.dirs == 1 { "" } else { "s" }
            ),
            Depth::All => "everything below:".to_string(),
        };
        writeln!(
            err,
            "revertwatch:   listed {} ({depth} {} objects)",
            terminal(&url.folder_url(&listing.folder)),
            listing.objects
        )?;
    }
    for (folder, why) in &plan.passed_over {
        writeln!(
            err,
            "revertwatch:   not listed {}: {why}",
            terminal(&url.folder_url(folder))
        )?;
    }
    let bytes: u64 = plan.objects.iter().map(|o| o.size).sum();
    writeln!(
        err,
        "revertwatch:   {} listings; {} objects to fetch ({:.1} MB){}",
        plan.listings.len(),
        plan.objects.len(),
        bytes as f64 / 1e6,
        if plan.too_old > 0 {
            format!(
                "; {} last written before --since (less the slack), not fetched",
                plan.too_old
            )
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_whole_days_and_durations_count_back() {
        assert_eq!(
            parse_since("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_until("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T23:59:59.999999999+00:00"
        );
        assert_eq!(
            parse_since("2026-03-01T12:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T10:00:00+00:00"
        );
        let ago = Utc::now() - parse_since("36h").unwrap();
        assert!((35..=36).contains(&ago.num_hours()), "{ago}");
        assert!(parse_since("yesterday").is_err());
    }
}
