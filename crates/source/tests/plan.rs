//! The planner against an in-memory bucket that counts its listings: which folders a hunt
//! lists for each cloud's layout, with and without a time range, accounts and regions.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use revertwatch_source::{Depth, Entries, Fetch, Found, Lister, Scope, TimeRange};

/// Keys with their last-modified times; every listing is recorded.
struct Bucket {
    keys: BTreeMap<String, DateTime<Utc>>,
    listed: Mutex<Vec<(Depth, String)>>,
    denied: Vec<String>,
}

impl Bucket {
    fn new(keys: &[&str]) -> Bucket {
        Bucket {
            keys: keys
                .iter()
                .map(|k| (k.to_string(), at("2026-03-20T00:00:00Z")))
                .collect(),
            listed: Mutex::default(),
            denied: Vec::new(),
        }
    }

    fn listed(&self) -> Vec<String> {
        self.listed
            .lock()
            .unwrap()
            .iter()
            .map(|(d, f)| {
                format!(
                    "{}{f}/",
                    if *d == Depth::OneLevel {
                        "dir "
                    } else {
                        "all "
                    }
                )
            })
            .collect()
    }

    fn check(&self, depth: Depth, folder: &str) -> Result<String, Fetch> {
        self.listed
            .lock()
            .unwrap()
            .push((depth, folder.to_string()));
        if self.denied.iter().any(|d| d == folder) {
            return Err(Fetch::Denied);
        }
        Ok(if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        })
    }
}

impl Lister for Bucket {
    async fn children(&self, folder: &str) -> Result<Entries, Fetch> {
        let prefix = self.check(Depth::OneLevel, folder)?;
        let mut entries = Entries::default();
        for (key, modified) in self.keys.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            if !rest.contains('/') && rest.contains('\u{1b}') {
                return Err(unparsable());
            }
            match rest.split_once('/') {
                Some((dir, _)) => {
                    if entries.dirs.last().map(String::as_str) != Some(dir) {
                        entries.dirs.push(dir.to_string());
                    }
                }
                None => entries.objects.push(Found {
                    key: key.clone(),
                    size: 1,
                    modified: *modified,
                }),
            }
        }
        Ok(entries)
    }

    async fn everything(&self, folder: &str) -> Result<Vec<Found>, Fetch> {
        let prefix = self.check(Depth::All, folder)?;
        let found: Vec<Found> = self
            .keys
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, m)| Found {
                key: k.clone(),
                size: 1,
                modified: *m,
            })
            .collect();
        // Like object_store, one key it cannot parse fails the whole listing.
        if found.iter().any(|f| f.key.contains('\u{1b}')) {
            return Err(unparsable());
        }
        Ok(found)
    }
}

fn unparsable() -> Fetch {
    Fetch::Other("Encountered object with invalid path".into())
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn scope(since: Option<&str>, until: Option<&str>) -> Scope {
    Scope {
        range: TimeRange {
            since: since.map(at),
            until: until.map(at),
        },
        accounts: Vec::new(),
        regions: Vec::new(),
        now: at("2026-03-31T12:00:00Z"),
        max_requests: 4,
    }
}

fn run(bucket: &Bucket, prefix: &str, scope: &Scope) -> revertwatch_source::Plan {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(revertwatch_source::plan(bucket, prefix, scope))
}

fn keys(plan: &revertwatch_source::Plan) -> Vec<&str> {
    plan.objects.iter().map(|o| o.key.as_str()).collect()
}

const TRAIL: &[&str] = &[
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/a.json.gz",
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/04/b.json.gz",
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05/c.json.gz",
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/09/d.json.gz",
    "AWSLogs/111122223333/CloudTrail/us-west-2/2026/03/05/e.json.gz",
    "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/05/digest.json.gz",
    "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/03/05/flow.log.gz",
    "AWSLogs/444455556666/CloudTrail/us-east-1/2026/03/05/f.json.gz",
    "AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/eu-west-1/2026/03/05/g.json.gz",
    "elb/2026/03/05/lb.log",
];

#[test]
fn cloudtrail_range_lists_only_the_date_folders_with_a_day_of_slack() {
    let bucket = Bucket::new(TRAIL);
    let plan = run(
        &bucket,
        "",
        &scope(Some("2026-03-05T00:00:00Z"), Some("2026-03-05T23:00:00Z")),
    );
    assert_eq!(
        keys(&plan),
        [
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/04/b.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05/c.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-west-2/2026/03/05/e.json.gz",
            "AWSLogs/444455556666/CloudTrail/us-east-1/2026/03/05/f.json.gz",
            "AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/eu-west-1/2026/03/05/g.json.gz",
        ]
    );
    let listed = bucket.listed();
    // Discovery one level at a time, then three day folders per region; never the whole bucket,
    // never the digest or flow-log folders, never a day outside the range and its slack.
    assert_eq!(listed[..2], ["dir /", "dir AWSLogs/"]);
    assert!(listed
        .iter()
        .all(|l| l != "all /" && !l.contains("Digest") && !l.contains("vpcflowlogs")));
    let days: Vec<&String> = listed.iter().filter(|l| l.starts_with("all ")).collect();
    assert_eq!(days.len(), 4 * 3, "{listed:#?}");
    assert!(days.iter().all(|l| ["03/04/", "03/05/", "03/06/"]
        .iter()
        .any(|d| l.ends_with(d))));
    assert_eq!(
        plan.passed_over.len(),
        1,
        "elb/ is beside AWSLogs/: {:?}",
        plan.passed_over
    );
}

#[test]
fn account_and_region_narrow_without_listing_regions() {
    let bucket = Bucket::new(TRAIL);
    let mut s = scope(Some("2026-03-05T00:00:00Z"), Some("2026-03-05T23:00:00Z"));
    s.accounts = vec!["111122223333".into()];
    s.regions = vec!["us-east-1".into()];
    let plan = run(&bucket, "AWSLogs", &s);
    assert_eq!(keys(&plan).len(), 2);
    assert_eq!(
        bucket.listed(),
        [
            "dir AWSLogs/",
            "dir AWSLogs/o-a1b2c3d4e5/",
            "all AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/04/",
            "all AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05/",
            "all AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/06/",
        ]
    );
}

#[test]
fn organization_trails_and_prefixes_inside_the_layout() {
    let bucket = Bucket::new(TRAIL);
    let plan = run(
        &bucket,
        "AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail",
        &scope(None, None),
    );
    assert_eq!(
        keys(&plan),
        ["AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/eu-west-1/2026/03/05/g.json.gz"]
    );
    assert_eq!(
        bucket.listed(),
        [
            "dir AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/",
            "all AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/eu-west-1/",
        ]
    );

    // A month named in the URL bounds the range.
    let bucket = Bucket::new(TRAIL);
    let plan = run(
        &bucket,
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03",
        &scope(Some("2026-03-09T00:00:00Z"), None),
    );
    assert_eq!(
        keys(&plan),
        ["AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/09/d.json.gz"]
    );
    assert!(
        bucket.listed().iter().all(|l| l.contains("/2026/03/")),
        "{:#?}",
        bucket.listed()
    );
}

#[test]
fn a_prefix_outside_any_layout_is_listed_under_itself_only() {
    let bucket = Bucket::new(TRAIL);
    let plan = run(
        &bucket,
        "AWSLogs/111122223333/vpcflowlogs",
        &scope(None, None),
    );
    assert_eq!(keys(&plan).len(), 1);
    assert_eq!(bucket.listed(), ["all AWSLogs/111122223333/vpcflowlogs/"]);

    let bucket = Bucket::new(TRAIL);
    let plan = run(&bucket, "elb", &scope(Some("2026-03-05T00:00:00Z"), None));
    assert_eq!(keys(&plan), ["elb/2026/03/05/lb.log"]);
    assert_eq!(bucket.listed(), ["dir elb/", "all elb/"]);
}

#[test]
fn an_open_start_begins_at_the_first_year_in_the_archive() {
    let bucket = Bucket::new(&[
        "AWSLogs/111122223333/CloudTrail/us-east-1/2025/12/31/old.json.gz",
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/02/01/mid.json.gz",
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05/new.json.gz",
    ]);
    let plan = run(
        &bucket,
        "AWSLogs/111122223333/CloudTrail/us-east-1",
        &scope(None, Some("2026-02-15T00:00:00Z")),
    );
    assert_eq!(keys(&plan).len(), 2);
    let listed = bucket.listed();
    assert_eq!(listed[0], "dir AWSLogs/111122223333/CloudTrail/us-east-1/");
    assert_eq!(
        listed[1],
        "all AWSLogs/111122223333/CloudTrail/us-east-1/2025/"
    );
    assert_eq!(
        listed[2],
        "all AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/"
    );
    assert_eq!(
        listed.len(),
        3 + 16,
        "2026/02/01 ..= 2026/02/16: {listed:#?}"
    );
}

#[test]
fn azure_lists_hours_at_the_edges_and_days_between() {
    let sub = "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590";
    let other = "11111111-2222-3333-4444-555555555555";
    let key = |s: &str, d: u32, h: u32| {
        format!("resourceId=/SUBSCRIPTIONS/{s}/y=2026/m=03/d={d:02}/h={h:02}/m=00/PT1H.json")
    };
    let owned: Vec<String> = [
        (sub, 3, 22),
        (sub, 3, 23),
        (sub, 4, 10),
        (sub, 5, 2),
        (sub, 5, 3),
        (other, 4, 10),
    ]
    .iter()
    .map(|(s, d, h)| key(s, *d, *h))
    .collect();
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    let bucket = Bucket::new(&refs);
    // A range that ends (with its slack) before it starts lists nothing below the subscriptions.
    let mut s = scope(Some("2026-03-10T00:00:00Z"), Some("2026-03-01T00:00:00Z"));
    s.accounts = vec![sub.to_ascii_lowercase()];
    let plan = run(&bucket, "", &s);
    assert!(plan.objects.is_empty());
    assert!(
        bucket.listed().iter().all(|l| l.starts_with("dir ")),
        "{:#?}",
        bucket.listed()
    );

    let bucket = Bucket::new(&refs);
    s.range = TimeRange {
        since: Some(at("2026-03-04T23:00:00Z")),
        until: Some(at("2026-03-05T01:30:00Z")),
    };
    let plan = run(&bucket, "", &s);
    assert_eq!(
        keys(&plan),
        [
            key(sub, 3, 23),
            key(sub, 4, 10),
            key(sub, 5, 2),
            key(sub, 5, 3)
        ]
    );
    let listed: Vec<String> = bucket
        .listed()
        .into_iter()
        .filter(|l| l.starts_with("all "))
        .collect();
    let root = format!("all resourceId=/SUBSCRIPTIONS/{sub}/y=2026/m=03");
    assert_eq!(
        listed,
        [
            format!("{root}/d=03/h=23/"),
            format!("{root}/d=04/"),
            format!("{root}/d=05/"),
            format!("{root}/d=06/h=00/"),
            format!("{root}/d=06/h=01/"),
        ]
    );
    assert!(plan.passed_over.iter().any(|(p, _)| p.contains(other)));
}

#[test]
fn gcs_sinks_hunt_activity_and_system_event_logs() {
    let bucket = Bucket::new(&[
        "cloudaudit.googleapis.com/activity/2026/03/05/10:00:00_10:59:59_S0.json",
        "cloudaudit.googleapis.com/data_access/2026/03/05/10:00:00_10:59:59_S0.json",
        "cloudaudit.googleapis.com/system_event/2026/03/05/10:00:00_10:59:59_S0.json",
        "cloudaudit.googleapis.com/activity/2026/03/09/10:00:00_10:59:59_S0.json",
    ]);
    let plan = run(
        &bucket,
        "",
        &scope(Some("2026-03-05T00:00:00Z"), Some("2026-03-05T12:00:00Z")),
    );
    assert_eq!(
        keys(&plan),
        [
            "cloudaudit.googleapis.com/activity/2026/03/05/10:00:00_10:59:59_S0.json",
            "cloudaudit.googleapis.com/system_event/2026/03/05/10:00:00_10:59:59_S0.json",
        ]
    );
    assert!(plan
        .passed_over
        .iter()
        .any(|(p, _)| p.ends_with("data_access")));
    // Named in the URL, data_access is hunted.
    let bucket = Bucket::new(&["cloudaudit.googleapis.com/data_access/2026/03/05/x.json"]);
    assert_eq!(
        run(
            &bucket,
            "cloudaudit.googleapis.com/data_access",
            &scope(None, None)
        )
        .objects
        .len(),
        1
    );
}

#[test]
fn a_denied_folder_is_a_failure_and_the_rest_goes_on() {
    let mut bucket = Bucket::new(TRAIL);
    bucket.denied = vec!["AWSLogs/444455556666/CloudTrail".into()];
    let plan = run(&bucket, "AWSLogs", &scope(None, None));
    assert_eq!(
        plan.failures,
        [("AWSLogs/444455556666/CloudTrail".to_string(), Fetch::Denied)]
    );
    assert!(keys(&plan).iter().any(|k| k.contains("111122223333")));
}

#[test]
fn objects_written_before_the_range_are_not_fetched() {
    let mut bucket = Bucket::new(&["exports/a.json", "exports/b.json"]);
    bucket
        .keys
        .insert("exports/a.json".into(), at("2026-01-01T00:00:00Z"));
    let plan = run(
        &bucket,
        "exports",
        &scope(Some("2026-03-01T00:00:00Z"), None),
    );
    assert_eq!(keys(&plan), ["exports/b.json"]);
    assert_eq!(plan.too_old, 1);
}

#[test]
fn a_key_that_breaks_a_listing_costs_only_its_own_folder() {
    let mut names: Vec<&str> = TRAIL.to_vec();
    names.push("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05/evil\u{1b}]0;x\u{7}.json.gz");
    let bucket = Bucket::new(&names);
    let mut s = scope(None, None);
    s.accounts = vec!["111122223333".into()];
    let plan = run(&bucket, "AWSLogs", &s);
    assert_eq!(
        plan.failures,
        [(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/05".to_string(),
            unparsable()
        )]
    );
    let got = keys(&plan);
    for key in TRAIL
        .iter()
        .filter(|k| k.contains("111122223333/CloudTrail/"))
    {
        assert_eq!(
            got.contains(key),
            !key.contains("us-east-1/2026/03/05"),
            "{key}"
        );
    }
}
