//! When a log file's events happened, as far as its path tells: what lets a hunt read an
//! archive in time order and let go of incidents that can no longer change.
//!
//! - CloudTrail names each file after the end of the minutes it covers
//!   (`<account>_CloudTrail_<region>_20210802T0205Z_<random>.json.gz`); the real archives in
//!   `shared/data` hold events up to ten minutes before that stamp.
//! - Azure diagnostic settings write one blob an hour: `y=2026/m=03/d=04/h=05/m=00/PT1H.json`.
//! - GCS sinks write hourly files in day folders: `2026/03/04/05:00:00_05:59:59_S0.json`.
//! - Anything else under `YYYY/MM/DD` folders is taken to hold that day.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// How long before the stamp in its name a CloudTrail file's events may begin: the file covers
/// five minutes, and delivery adds a few more.
const CLOUDTRAIL_SPAN: Duration = Duration::minutes(15);

/// The earliest time the path says the file's events can have, if it says anything. Records
/// may still be older by a delivery delay; the caller allows for that.
pub fn time_hint(path: &str) -> Option<DateTime<Utc>> {
    let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let name = *segments.last()?;
    cloudtrail_stamp(name)
        .map(|t| t - CLOUDTRAIL_SPAN)
        .or_else(|| azure_hour(&segments))
        .or_else(|| compact_stamp(name))
        .or_else(|| {
            let day = date_folders(&segments[..segments.len() - 1])?;
            Some(gcs_hour(day, name).unwrap_or_else(|| day.and_hms_opt(0, 0, 0).expect("midnight")))
        })
        .map(|t| t.and_utc())
}

/// `20210802T0205Z` between underscores, in a name with `_CloudTrail_` in it.
fn cloudtrail_stamp(name: &str) -> Option<NaiveDateTime> {
    if !name.contains("_CloudTrail_") {
        return None;
    }
    name.split('_')
        .find_map(|part| NaiveDateTime::parse_from_str(part, "%Y%m%dT%H%MZ").ok())
}

/// `y=YYYY/m=MM/d=DD/h=HH` in that order.
fn azure_hour(segments: &[&str]) -> Option<NaiveDateTime> {
    segments.windows(4).find_map(|w| {
        let y = number(w[0].strip_prefix("y=")?, 4)?;
        let m = number(w[1].strip_prefix("m=")?, 2)?;
        let d = number(w[2].strip_prefix("d=")?, 2)?;
        let h = number(w[3].strip_prefix("h=")?, 2)?;
        NaiveDate::from_ymd_opt(y as i32, m, d)?.and_hms_opt(h, 0, 0)
    })
}

/// A name that ends in a date or an hour before its extension: `2026030405.json`,
/// `111122223333-us-east-1-20260304.jsonl.gz` (Event Hub captures and exports named by hour or
/// day).
fn compact_stamp(name: &str) -> Option<NaiveDateTime> {
    let (stem, _) = name.split_once('.')?;
    let stem = stem.rsplit(['-', '_']).next()?;
    if !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day = NaiveDate::parse_from_str(stem.get(..8)?, "%Y%m%d").ok()?;
    match stem.len() {
        8 => day.and_hms_opt(0, 0, 0),
        10 => day.and_hms_opt(number(&stem[8..], 2)?, 0, 0),
        _ => None,
    }
}

/// The last `YYYY/MM/DD` run of folders.
fn date_folders(folders: &[&str]) -> Option<NaiveDate> {
    folders.windows(3).rev().find_map(|w| {
        let y = number(w[0], 4)?;
        let m = number(w[1], 2)?;
        let d = number(w[2], 2)?;
        NaiveDate::from_ymd_opt(y as i32, m, d)
    })
}

/// `05:00:00_05:59:59_S0.json`: the hour a GCS sink file holds.
fn gcs_hour(day: NaiveDate, name: &str) -> Option<NaiveDateTime> {
    let (start, rest) = name.split_once('_')?;
    let (end, _) = rest.split_once('_')?;
    let start = chrono::NaiveTime::parse_from_str(start, "%H:%M:%S").ok()?;
    chrono::NaiveTime::parse_from_str(end, "%H:%M:%S").ok()?;
    Some(day.and_time(start))
}

fn number(s: &str, width: usize) -> Option<u32> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn each_cloud_layout_gives_its_time() {
        assert_eq!(
            time_hint("a/us-west-1/2021/08/02/342082656213_CloudTrail_us-west-1_20210802T0205Z_agyJ5h4Tso1aSQNq.json.gz"),
            at("2021-08-02T01:50:00Z")
        );
        assert_eq!(
            time_hint("insights-activity-logs/resourceId=/SUBSCRIPTIONS/X/y=2026/m=03/d=04/h=05/m=00/PT1H.json"),
            at("2026-03-04T05:00:00Z")
        );
        assert_eq!(
            time_hint("s/cloudaudit.googleapis.com/activity/2026/03/04/05:00:00_05:59:59_S0.json"),
            at("2026-03-04T05:00:00Z")
        );
        assert_eq!(
            time_hint("azure/eventhub/0b1f6471/2026030405.json"),
            at("2026-03-04T05:00:00Z")
        );
        assert_eq!(
            time_hint("aws-jsonl/111122223333-us-east-1-20260304.jsonl"),
            at("2026-03-04T00:00:00Z")
        );
        assert_eq!(
            time_hint("exports/2026/03/04/calls.jsonl"),
            at("2026-03-04T00:00:00Z")
        );
    }

    #[test]
    fn paths_without_a_date_say_nothing() {
        assert_eq!(time_hint("exports/calls.jsonl"), None);
        assert_eq!(time_hint("2026/03/04"), None);
        assert_eq!(time_hint("logs/2026/13/04/x.json"), None);
        assert_eq!(time_hint("x/y=2026/m=02/d=30/h=01/PT1H.json"), None);
        assert_eq!(time_hint(""), None);
        assert_eq!(time_hint("exports/12345678901.json"), None);
        assert_eq!(time_hint("exports/20261399.json"), None);
        assert_eq!(time_hint("exports/2026030405"), None);
    }
}
