//! Which folders to list for a URL: the layout the prefix (or the bucket's top level) shows,
//! the accounts, regions and subscriptions in it, and the date folders the time range needs.
//! Nothing is listed whole when a prefix allows less.

use std::future::Future;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures_util::stream::{self, StreamExt};

use crate::error::Fetch;
use crate::layout::{Layout, Level, GCS_LOGS};
use crate::range::{bounds, cover, DateFolder, TimeRange};

/// What the hunt asked for besides the URL.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The events' time range (`--since` / `--until`); date folders outside it (with [`SLACK`](crate::SLACK)) are not listed.
    pub range: TimeRange,
    /// AWS account ids and Azure subscription ids to keep (empty: all).
    pub accounts: Vec<String>,
    /// AWS regions to keep (empty: all).
    pub regions: Vec<String>,
    /// Stands in for an open `until`.
    pub now: DateTime<Utc>,
    /// Listings in flight at once.
    pub max_requests: usize,
}

/// One object a listing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The object's full key (not relative to the URL's prefix).
    pub key: String,
    /// Its size in bytes, as stored (compressed, for `.gz`).
    pub size: u64,
    /// When it was last written.
    pub modified: DateTime<Utc>,
}

/// One level below a folder.
#[derive(Debug, Default)]
pub struct Entries {
    /// Names of the folders directly below (one segment each).
    pub dirs: Vec<String>,
    /// Objects directly in the folder.
    pub objects: Vec<Found>,
}

/// Lists a bucket. Folders are given without a trailing `/`; `""` is the top.
pub trait Lister: Sync {
    /// One level below `folder` (a delimiter listing).
    fn children(&self, folder: &str) -> impl Future<Output = Result<Entries, Fetch>> + Send;
    /// Every object below `folder`, at any depth.
    fn everything(&self, folder: &str) -> impl Future<Output = Result<Vec<Found>, Fetch>> + Send;
}

/// How deep one listing went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// One level, to find accounts, regions, subscriptions, log names or years.
    OneLevel,
    /// Everything below.
    All,
}

/// One listing made, for `--verbose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The folder listed, relative to the bucket (`""` is the top).
    pub folder: String,
    /// Whether it was one level or everything below.
    pub depth: Depth,
    /// Folders it found directly below (0 for an [`Depth::All`] listing).
    pub dirs: usize,
    /// Objects it found.
    pub objects: usize,
}

/// What to fetch, and how it was found.
#[derive(Debug, Default)]
pub struct Plan {
    /// Sorted by key, without duplicates.
    pub objects: Vec<Found>,
    /// Every listing that succeeded, in the order made.
    pub listings: Vec<Listing>,
    /// The layout recognised, if any.
    pub layout: Option<Layout>,
    /// Folders not listed, and why (siblings of a layout's anchor, digests, other services).
    pub passed_over: Vec<(String, &'static str)>,
    /// Folders whose listing failed.
    pub failures: Vec<(String, Fetch)>,
    /// Objects listed but not fetched: last written before `--since` (less the slack).
    pub too_old: usize,
    /// Date folders the range asked for (after the slack), for `--verbose`.
    pub date_folders: usize,
}

/// Plans the hunt of `prefix` (a folder, `""` for the whole bucket).
pub async fn plan<L: Lister>(lister: &L, prefix: &str, scope: &Scope) -> Plan {
    let mut planner = Planner {
        lister,
        scope,
        plan: Plan::default(),
        whole: Vec::new(),
    };
    planner.start(prefix).await;
    planner.list_whole().await;
    let mut plan = planner.plan;
    plan.objects.sort_by(|a, b| a.key.cmp(&b.key));
    plan.objects.dedup_by(|a, b| a.key == b.key);
    plan
}

struct Planner<'a, L> {
    lister: &'a L,
    scope: &'a Scope,
    plan: Plan,
    /// Folders to list whole, at the end and concurrently.
    whole: Vec<String>,
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

impl<L: Lister> Planner<'_, L> {
    async fn start(&mut self, prefix: &str) {
        let segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
        let Some(anchor) = segments
            .iter()
            .position(|s| Layout::from_anchor(s).is_some())
        else {
            return self.discover(prefix).await;
        };
        let layout = Layout::from_anchor(segments[anchor]).expect("found above");
        self.plan.layout = Some(layout);
        let mut level = layout.first();
        let mut used = anchor + 1;
        while used < segments.len() && level != Level::Date {
            if !layout.fits(level, segments[used]) {
                // Inside the anchor, but not where the logs are (a digest, another service):
                // the user named it, so list it.
                self.whole.push(prefix.to_string());
                return;
            }
            level = layout.next(level, segments[used]);
            used += 1;
        }
        let at = segments[..used].join("/");
        if level != Level::Date {
            return self.descend(layout, vec![(at, level)]).await;
        }
        let rest = &segments[used..];
        let (within, dated) = layout.parse_date(rest);
        if dated < rest.len() {
            self.whole.push(prefix.to_string());
        } else {
            self.dates(layout, &at, within).await;
        }
    }

    /// The prefix names no layout: look one level down for an anchor; without one, list it all.
    async fn discover(&mut self, prefix: &str) {
        let Some(entries) = self.children(prefix).await else {
            return;
        };
        let anchors: Vec<(Layout, &String)> = entries
            .dirs
            .iter()
            .filter_map(|d| Layout::from_anchor(d).map(|l| (l, d)))
            .collect();
        if anchors.is_empty() {
            self.whole.push(prefix.to_string());
            return;
        }
        for dir in &entries.dirs {
            if Layout::from_anchor(dir).is_none() {
                self.plan.passed_over.push((
                    join(prefix, dir),
                    "beside a log layout's folder, and no log layout itself",
                ));
            }
        }
        self.keep(entries.objects);
        self.plan.layout = anchors.first().map(|(l, _)| *l);
        for (layout, dir) in anchors {
            let at = join(prefix, dir);
            self.descend(layout, vec![(at, layout.first())]).await;
        }
    }

    /// Walks a layout's levels down to its date folders, in name order.
    async fn descend(&mut self, layout: Layout, mut work: Vec<(String, Level)>) {
        while let Some((at, level)) = work.pop() {
            match level {
                Level::Date => self.dates(layout, &at, None).await,
                Level::Fixed(name) => work.push((join(&at, name), layout.next(level, name))),
                Level::Region if !self.scope.regions.is_empty() => {
                    for region in &self.scope.regions {
                        work.push((join(&at, region), layout.next(level, region)));
                    }
                }
                Level::AccountOrOrg
                | Level::Account
                | Level::Region
                | Level::Subscription
                | Level::LogName => {
                    let Some(entries) = self.children(&at).await else {
                        continue;
                    };
                    for dir in entries.dirs.iter().rev() {
                        let path = join(&at, dir);
                        if !layout.fits(level, dir) {
                            self.plan
                                .passed_over
                                .push((path, "not where this layout keeps its logs"));
                        } else if level == Level::LogName && !GCS_LOGS.contains(&dir.as_str()) {
                            self.plan.passed_over.push((
                                path,
                                "a log that holds no reverts (name it in the URL to hunt it)",
                            ));
                        } else if !self.wanted_account(level, dir) {
                            self.plan.passed_over.push((path, "not one of --account"));
                        } else {
                            work.push((path, layout.next(level, dir)));
                        }
                    }
                }
            }
        }
    }

    fn wanted_account(&self, level: Level, dir: &str) -> bool {
        let accounts = &self.scope.accounts;
        match level {
            Level::Account | Level::Subscription => {
                accounts.is_empty() || accounts.iter().any(|a| a.eq_ignore_ascii_case(dir))
            }
            // An organization folder holds accounts: decided one level down.
            Level::AccountOrOrg => {
                dir.starts_with("o-") || accounts.is_empty() || accounts.iter().any(|a| a == dir)
            }
            _ => true,
        }
    }

    /// The date folders below `root` that the range needs (`within`: a date the prefix named).
    async fn dates(&mut self, layout: Layout, root: &str, within: Option<DateFolder>) {
        let named = match within {
            Some(folder) => join(root, &layout.date_path(&folder)),
            None => root.to_string(),
        };
        if self.scope.range.is_open() {
            self.whole.push(named);
            return;
        }
        let floor = match (self.scope.range.since, within) {
            (None, None) => {
                // An open start: the archive's first year, from one listing.
                let Some(entries) = self.children(root).await else {
                    return;
                };
                match entries
                    .dirs
                    .iter()
                    .filter_map(|d| layout.read_year(d))
                    .min()
                {
                    Some(year) => NaiveDate::from_ymd_opt(year, 1, 1)
                        .expect("a valid year")
                        .and_time(NaiveTime::MIN),
                    None => return,
                }
            }
            _ => chrono::NaiveDateTime::MIN,
        };
        let Some((start, end)) = bounds(&self.scope.range, within, floor, self.scope.now) else {
            return;
        };
        for folder in cover(start, end, layout.grain()) {
            self.plan.date_folders += 1;
            self.whole.push(join(root, &layout.date_path(&folder)));
        }
    }

    async fn children(&mut self, folder: &str) -> Option<Entries> {
        match self.lister.children(folder).await {
            Ok(entries) => {
                self.plan.listings.push(Listing {
                    folder: folder.to_string(),
                    depth: Depth::OneLevel,
                    dirs: entries.dirs.len(),
                    objects: entries.objects.len(),
                });
                Some(entries)
            }
            Err(e) => {
                self.plan.failures.push((folder.to_string(), e));
                None
            }
        }
    }

    async fn list_whole(&mut self) {
        let mut pending = std::mem::take(&mut self.whole);
        while !pending.is_empty() {
            let lister = self.lister;
            let results: Vec<(String, Result<Vec<Found>, Fetch>)> = stream::iter(pending)
                .map(|folder| async move {
                    let result = lister.everything(&folder).await;
                    (folder, result)
                })
                .buffered(self.scope.max_requests.max(1))
                .collect()
                .await;
            pending = Vec::new();
            for (folder, result) in results {
                match result {
                    Ok(found) => {
                        self.plan.listings.push(Listing {
                            folder,
                            depth: Depth::All,
                            dirs: 0,
                            objects: found.len(),
                        });
                        self.keep(found);
                    }
                    // One unreadable entry (a key the client cannot parse, a page that breaks)
                    // fails the whole listing: list the folder's subfolders one by one, so that
                    // only the smallest folder holding it is lost.
                    Err(Fetch::Other(_)) => {
                        if let Some(entries) = self.children(&folder).await {
                            self.keep(entries.objects);
                            pending.extend(entries.dirs.iter().map(|d| join(&folder, d)));
                        }
                    }
                    Err(e) => self.plan.failures.push((folder, e)),
                }
            }
        }
    }

    fn keep(&mut self, found: Vec<Found>) {
        for object in found {
            if self.scope.range.may_hold(object.modified) {
                self.plan.objects.push(object);
            } else {
                self.plan.too_old += 1;
            }
        }
    }
}
