//! Where each cloud files its audit logs, as levels of folders below an anchor folder.
//!
//! - CloudTrail: `[prefix/]AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/`
//! - Azure diagnostic settings (Activity Log, container `insights-activity-logs`):
//!   `resourceId=/SUBSCRIPTIONS/<SUB>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json`
//! - GCS log sinks: `cloudaudit.googleapis.com/<log>/YYYY/MM/DD/`

use crate::range::{DateFolder, Grain};

/// The folder layouts a hunt recognises, by the anchor folder each starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// CloudTrail in S3: `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/`.
    CloudTrail,
    /// Azure Activity Log by diagnostic settings: `resourceId=/SUBSCRIPTIONS/<SUB>/y=.../h=HH/m=00/`.
    AzureActivity,
    /// A Cloud Logging sink to GCS: `cloudaudit.googleapis.com/<log>/YYYY/MM/DD/`.
    GcsSink,
}

/// What the next folder level below a point in a layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Below `AWSLogs/`: account ids, or organization ids of organization trails.
    AccountOrOrg,
    /// Below `AWSLogs/<org-id>/`: account ids.
    Account,
    /// One fixed folder name (`CloudTrail`, `SUBSCRIPTIONS`).
    Fixed(&'static str),
    Region,
    /// Azure subscription ids (upper case in the paths).
    Subscription,
    /// GCS sink log names (`activity`, `system_event`, `data_access`, `policy`).
    LogName,
    /// Date folders, from the year down.
    Date,
}

/// GCS sink logs that can hold a revert: Admin Activity (every API call that changes a
/// resource) and System Event (changes Google made). Data Access and Policy Denied logs cannot,
/// and Data Access is often most of a sink's bytes.
pub const GCS_LOGS: &[&str] = &["activity", "system_event"];

impl Layout {
    /// The folder name the layout starts at: `AWSLogs`, `resourceId=` or `cloudaudit.googleapis.com`.
    pub fn anchor(self) -> &'static str {
        match self {
            Layout::CloudTrail => "AWSLogs",
            Layout::AzureActivity => "resourceId=",
            Layout::GcsSink => "cloudaudit.googleapis.com",
        }
    }

    /// The layout whose anchor is exactly `segment` (one path segment, case-sensitive); `None` for any other folder.
    pub fn from_anchor(segment: &str) -> Option<Layout> {
        [Layout::CloudTrail, Layout::AzureActivity, Layout::GcsSink]
            .into_iter()
            .find(|l| l.anchor() == segment)
    }

    /// How finely its folders split time: by hour for Azure, by day otherwise.
    pub fn grain(self) -> Grain {
        match self {
            Layout::AzureActivity => Grain::Hour,
            Layout::CloudTrail | Layout::GcsSink => Grain::Day,
        }
    }

    /// A human name for messages (`CloudTrail`, `Cloud Audit Logs sink`...).
    pub fn name(self) -> &'static str {
        match self {
            Layout::CloudTrail => "CloudTrail",
            Layout::AzureActivity => "Azure Activity Log (diagnostic settings)",
            Layout::GcsSink => "Cloud Audit Logs sink",
        }
    }

    /// The level below the anchor, and below each later level. `org` says whether the level
    /// just passed was an organization id.
    pub fn first(self) -> Level {
        match self {
            Layout::CloudTrail => Level::AccountOrOrg,
            Layout::AzureActivity => Level::Fixed("SUBSCRIPTIONS"),
            Layout::GcsSink => Level::LogName,
        }
    }

    /// The level after `level` once `segment` filled it.
    pub fn next(self, level: Level, segment: &str) -> Level {
        match (self, level) {
            (Layout::CloudTrail, Level::AccountOrOrg) if is_org_id(segment) => Level::Account,
            (Layout::CloudTrail, Level::AccountOrOrg | Level::Account) => {
                Level::Fixed("CloudTrail")
            }
            (Layout::CloudTrail, Level::Fixed(_)) => Level::Region,
            (Layout::CloudTrail, Level::Region) => Level::Date,
            (Layout::AzureActivity, Level::Fixed(_)) => Level::Subscription,
            (Layout::AzureActivity, Level::Subscription) => Level::Date,
            (Layout::GcsSink, Level::LogName) => Level::Date,
            (_, other) => other,
        }
    }

    /// Whether `segment` is something this level holds.
    pub fn fits(self, level: Level, segment: &str) -> bool {
        match level {
            Level::AccountOrOrg => is_account_id(segment) || is_org_id(segment),
            Level::Account => is_account_id(segment),
            Level::Fixed(name) => segment.eq_ignore_ascii_case(name),
            Level::Region => is_region(segment),
            Level::Subscription => {
                segment.len() == 36 && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            }
            Level::LogName => !segment.is_empty(),
            Level::Date => true,
        }
    }

    /// The folder name of one date part: `2026`, `03` (CloudTrail, GCS) or `y=2026`, `m=03`,
    /// `d=04`, `h=05` (Azure).
    pub fn date_segment(self, part: DatePart, value: u32) -> String {
        match (self, part) {
            (Layout::AzureActivity, DatePart::Year) => format!("y={value}"),
            (Layout::AzureActivity, DatePart::Month) => format!("m={value:02}"),
            (Layout::AzureActivity, DatePart::Day) => format!("d={value:02}"),
            (Layout::AzureActivity, DatePart::Hour) => format!("h={value:02}"),
            (_, DatePart::Year) => format!("{value}"),
            (_, _) => format!("{value:02}"),
        }
    }

    /// The path of a date folder below the date root, without a trailing `/`.
    pub fn date_path(self, folder: &DateFolder) -> String {
        let mut parts = vec![self.date_segment(DatePart::Year, folder.year as u32)];
        for (part, value) in [
            (DatePart::Month, folder.month),
            (DatePart::Day, folder.day),
            (DatePart::Hour, folder.hour),
        ] {
            if let Some(v) = value {
                parts.push(self.date_segment(part, v));
            }
        }
        parts.join("/")
    }

    /// Reads date segments (in order, from the year) that a prefix already names. Stops at the
    /// first that is not a date part; returns the folder and how many segments it used.
    pub fn parse_date(self, segments: &[&str]) -> (Option<DateFolder>, usize) {
        let grain_parts: &[DatePart] = match self.grain() {
            Grain::Hour => &[
                DatePart::Year,
                DatePart::Month,
                DatePart::Day,
                DatePart::Hour,
            ],
            Grain::Day => &[DatePart::Year, DatePart::Month, DatePart::Day],
        };
        let mut values = Vec::new();
        for (segment, part) in segments.iter().zip(grain_parts) {
            match self.read_date_segment(*part, segment) {
                Some(v) => values.push(v),
                None => break,
            }
        }
        let Some(&year) = values.first() else {
            return (None, 0);
        };
        let folder = DateFolder {
            year: year as i32,
            month: values.get(1).copied(),
            day: values.get(2).copied(),
            hour: values.get(3).copied(),
        };
        match folder.span() {
            Some(_) => (Some(folder), values.len()),
            None => (None, 0),
        }
    }

    /// The year a year folder names (to find where an archive starts).
    pub fn read_year(self, segment: &str) -> Option<i32> {
        self.read_date_segment(DatePart::Year, segment)
            .map(|y| y as i32)
    }

    fn read_date_segment(self, part: DatePart, segment: &str) -> Option<u32> {
        let digits = match self {
            Layout::AzureActivity => {
                let key = match part {
                    DatePart::Year => "y=",
                    DatePart::Month => "m=",
                    DatePart::Day => "d=",
                    DatePart::Hour => "h=",
                };
                segment.strip_prefix(key)?
            }
            _ => segment,
        };
        let width = if part == DatePart::Year { 4 } else { 2 };
        if digits.len() != width || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = digits.parse().ok()?;
        let ok = match part {
            DatePart::Year => (1970..=9999).contains(&v),
            DatePart::Month => (1..=12).contains(&v),
            DatePart::Day => (1..=31).contains(&v),
            DatePart::Hour => v < 24,
        };
        ok.then_some(v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Year,
    Month,
    Day,
    Hour,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `o-` and 10 to 32 lower-case letters or digits (the Organizations id pattern).
fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`: letters and dashes, then a
/// number.
fn is_region(s: &str) -> bool {
    let Some((head, number)) = s.rsplit_once('-') else {
        return false;
    };
    !head.is_empty()
        && head.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_the_cloudtrail_levels_with_and_without_an_organization() {
        let l = Layout::CloudTrail;
        let mut level = l.first();
        for seg in ["111122223333", "CloudTrail", "us-east-1"] {
            assert!(l.fits(level, seg), "{seg} at {level:?}");
            level = l.next(level, seg);
        }
        assert_eq!(level, Level::Date);
        let mut level = l.first();
        for seg in ["o-exampleorgid", "111122223333", "CloudTrail", "eu-west-1"] {
            assert!(l.fits(level, seg), "{seg} at {level:?}");
            level = l.next(level, seg);
        }
        assert_eq!(level, Level::Date);
        assert!(!l.fits(Level::Fixed("CloudTrail"), "CloudTrail-Digest"));
        assert!(!l.fits(Level::AccountOrOrg, "o-short"));
        assert!(!l.fits(Level::Region, "2026"));
    }

    #[test]
    fn azure_date_folders_are_key_value_and_hourly() {
        let l = Layout::AzureActivity;
        let folder = DateFolder {
            month: Some(3),
            day: Some(4),
            hour: Some(5),
            ..DateFolder::year(2026)
        };
        assert_eq!(l.date_path(&folder), "y=2026/m=03/d=04/h=05");
        let (parsed, used) = l.parse_date(&["y=2026", "m=03", "d=04", "h=05", "m=00"]);
        assert_eq!((parsed, used), (Some(folder), 4));
        assert_eq!(l.parse_date(&["2026", "03"]), (None, 0));
        assert!(l.fits(Level::Subscription, "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590"));
    }

    #[test]
    fn day_layouts_read_plain_numbers() {
        let l = Layout::GcsSink;
        let (parsed, used) = l.parse_date(&["2026", "02", "30"]);
        // February 30th is no folder: the prefix is not a date at all.
        assert_eq!((parsed, used), (None, 0));
        let (parsed, used) = l.parse_date(&["2026", "02", "x"]);
        assert_eq!(used, 2);
        assert_eq!(l.date_path(&parsed.unwrap()), "2026/02");
    }
}
