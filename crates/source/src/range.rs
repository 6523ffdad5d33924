//! `--since` / `--until` as the date folders that can hold those events.
//!
//! Log archives are foldered by date (and Azure's by hour). A range becomes the fewest folders
//! that cover it: whole years, then whole months, then days (then hours), so that a month of
//! CloudTrail is one listing per region rather than thirty.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

/// How far past each end of the range folders are still listed. A log file is filed under the
/// date it was delivered, which for a CloudTrail file can be the day after its first events,
/// and late deliveries happen; a day each way keeps the edges from losing events.
pub const SLACK: Duration = Duration::days(1);

/// The time range asked for; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Earliest event time wanted; `None`: no lower bound.
    pub since: Option<DateTime<Utc>>,
    /// Latest event time wanted; `None`: no upper bound ([`Scope::now`](crate::Scope::now) stands in).
    pub until: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether neither end is set (everything is wanted).
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether an object last written at `modified` can hold events in the range: a log is
    /// written after its events, so one last written (with slack) before `since` cannot.
    pub fn may_hold(&self, modified: DateTime<Utc>) -> bool {
        self.since.is_none_or(|since| modified >= since - SLACK)
    }
}

/// How finely a layout folders by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Day,
    Hour,
}

/// One date folder: a year, a month, a day or an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateFolder {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub hour: Option<u32>,
}

impl DateFolder {
    pub fn year(year: i32) -> DateFolder {
        DateFolder {
            year,
            month: None,
            day: None,
            hour: None,
        }
    }

    /// First and last instant inside this folder.
    pub fn span(&self) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let first_day =
            NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))?;
        let start = first_day.and_hms_opt(self.hour.unwrap_or(0), 0, 0)?;
        let next = match (self.month, self.day, self.hour) {
            (None, _, _) => NaiveDate::from_ymd_opt(self.year + 1, 1, 1)?.and_time(NaiveTime::MIN),
            (Some(m), None, _) => {
                let (y, m) = if m == 12 {
                    (self.year + 1, 1)
                } else {
                    (self.year, m + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)?.and_time(NaiveTime::MIN)
            }
            (Some(_), Some(_), None) => start + Duration::days(1),
            (Some(_), Some(_), Some(_)) => start + Duration::hours(1),
        };
        Some((start, next - Duration::nanoseconds(1)))
    }
}

/// The range widened by [`SLACK`] and cut to `within` (a folder the prefix already names).
/// `floor` stands in for an open `since` (the first year the archive holds); `now` for an open
/// `until`. None when nothing can match.
pub fn bounds(
    range: &TimeRange,
    within: Option<DateFolder>,
    floor: NaiveDateTime,
    now: DateTime<Utc>,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let mut start = range.since.map_or(floor, |s| (s - SLACK).naive_utc());
    let mut end = range
        .until
        .unwrap_or(now)
        .checked_add_signed(SLACK)?
        .naive_utc();
    if let Some((a, b)) = within.and_then(|w| w.span()) {
        start = start.max(a);
        end = end.min(b);
    }
    (start <= end).then_some((start, end))
}

/// The fewest date folders of `grain` that together cover `[start, end]` (whole folders: the
/// edges round outwards), in time order.
pub fn cover(start: NaiveDateTime, end: NaiveDateTime, grain: Grain) -> Vec<DateFolder> {
    let (start, end) = match grain {
        Grain::Day => (
            start.date().and_time(NaiveTime::MIN),
            end.date().and_hms_opt(23, 59, 59).expect("a valid time")
                + Duration::nanoseconds(999_999_999),
        ),
        Grain::Hour => (
            start
                .date()
                .and_hms_opt(start.hour(), 0, 0)
                .expect("a valid time"),
            end.date()
                .and_hms_opt(end.hour(), 59, 59)
                .expect("a valid time")
                + Duration::nanoseconds(999_999_999),
        ),
    };
    let mut out = Vec::new();
    for year in start.year()..=end.year() {
        split(DateFolder::year(year), start, end, grain, &mut out);
    }
    out
}

fn split(
    folder: DateFolder,
    start: NaiveDateTime,
    end: NaiveDateTime,
    grain: Grain,
    out: &mut Vec<DateFolder>,
) {
    let Some((a, b)) = folder.span() else { return };
    if b < start || a > end {
        return;
    }
    let finest = match grain {
        Grain::Day => folder.day.is_some(),
        Grain::Hour => folder.hour.is_some(),
    };
    if (a >= start && b <= end) || finest {
        out.push(folder);
        return;
    }
    match (folder.month, folder.day) {
        (None, _) => (1..=12).for_each(|m| {
            split(
                DateFolder {
                    month: Some(m),
                    ..folder
                },
                start,
                end,
                grain,
                out,
            )
        }),
        (Some(_), None) => (1..=31).for_each(|d| {
            split(
                DateFolder {
                    day: Some(d),
                    ..folder
                },
                start,
                end,
                grain,
                out,
            )
        }),
        (Some(_), Some(_)) => (0..24).for_each(|h| {
            split(
                DateFolder {
                    hour: Some(h),
                    ..folder
                },
                start,
                end,
                grain,
                out,
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn show(folders: &[DateFolder]) -> Vec<String> {
        folders
            .iter()
            .map(|f| {
                let mut s = format!("{}", f.year);
                for part in [f.month, f.day, f.hour].into_iter().flatten() {
                    s.push_str(&format!("/{part:02}"));
                }
                s
            })
            .collect()
    }

    fn days(since: &str, until: &str, grain: Grain) -> Vec<String> {
        let range = TimeRange {
            since: Some(at(since)),
            until: Some(at(until)),
        };
        let (a, b) = bounds(&range, None, NaiveDateTime::MIN, at("2030-01-01T00:00:00Z")).unwrap();
        show(&cover(a, b, grain))
    }

    #[test]
    fn one_day_lists_three_day_folders_with_the_slack() {
        assert_eq!(
            days("2026-03-04T00:00:00Z", "2026-03-04T23:59:59Z", Grain::Day),
            ["2026/03/03", "2026/03/04", "2026/03/05"]
        );
    }

    #[test]
    fn whole_months_and_years_are_one_folder() {
        assert_eq!(
            days("2025-01-02T00:00:00Z", "2026-03-01T12:00:00Z", Grain::Day),
            ["2025", "2026/01", "2026/02", "2026/03/01", "2026/03/02"]
        );
        assert_eq!(
            days("2026-02-28T10:00:00Z", "2026-03-31T00:00:00Z", Grain::Day),
            ["2026/02/27", "2026/02/28", "2026/03", "2026/04/01"]
        );
    }

    #[test]
    fn hours_at_the_edges_for_hourly_layouts() {
        assert_eq!(
            days("2026-03-04T21:30:00Z", "2026-03-05T01:10:00Z", Grain::Hour),
            [
                "2026/03/03/21",
                "2026/03/03/22",
                "2026/03/03/23",
                "2026/03/04",
                "2026/03/05",
                "2026/03/06/00",
                "2026/03/06/01"
            ]
        );
    }

    #[test]
    fn a_folder_named_in_the_prefix_cuts_the_range() {
        let range = TimeRange {
            since: Some(at("2026-01-15T00:00:00Z")),
            until: None,
        };
        let within = DateFolder {
            month: Some(3),
            ..DateFolder::year(2026)
        };
        let (a, b) = bounds(
            &range,
            Some(within),
            NaiveDateTime::MIN,
            at("2026-03-10T08:00:00Z"),
        )
        .unwrap();
        // Open until = now + slack: the 10th and the 11th, inside March.
        assert_eq!(
            show(&cover(a, b, Grain::Day)),
            [
                "2026/03/01",
                "2026/03/02",
                "2026/03/03",
                "2026/03/04",
                "2026/03/05",
                "2026/03/06",
                "2026/03/07",
                "2026/03/08",
                "2026/03/09",
                "2026/03/10",
                "2026/03/11"
            ]
        );
        let before = TimeRange {
            since: None,
            until: Some(at("2026-01-01T00:00:00Z")),
        };
        assert!(bounds(
            &before,
            Some(within),
            NaiveDateTime::MIN,
            at("2026-03-10T08:00:00Z")
        )
        .is_none());
    }

    #[test]
    fn leap_days_and_month_ends_exist_only_when_real() {
        let got = days("2024-02-27T00:00:00Z", "2024-03-01T00:00:00Z", Grain::Day);
        assert_eq!(
            got,
            [
                "2024/02/26",
                "2024/02/27",
                "2024/02/28",
                "2024/02/29",
                "2024/03/01",
                "2024/03/02"
            ]
        );
    }

    #[test]
    fn old_objects_cannot_hold_new_events() {
        let range = TimeRange {
            since: Some(at("2026-03-04T00:00:00Z")),
            until: None,
        };
        assert!(!range.may_hold(at("2026-03-02T23:00:00Z")));
        assert!(range.may_hold(at("2026-03-03T01:00:00Z")));
        assert!(TimeRange::default().may_hold(at("1999-01-01T00:00:00Z")));
    }
}
