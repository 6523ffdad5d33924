//! When a rule holds: recurring maintenance windows in a named time zone, and one-off ranges.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A weekly window, `start`..`end` local time on `days` (an end before the start runs past
/// midnight into the next day).
#[derive(Debug, Clone)]
pub struct Recurring {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub tz: Tz,
}

impl Recurring {
    pub fn contains(&self, t: &DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.tz);
        let time = local.time();
        let day = local.weekday();
        if self.start <= self.end {
            self.on(day) && time >= self.start && time < self.end
        } else {
            // Wraps midnight: the evening part belongs to its day, the morning part to the day before.
            (self.on(day) && time >= self.start) || (self.on(day.pred()) && time < self.end)
        }
    }

    fn on(&self, day: Weekday) -> bool {
        self.days.is_empty() || self.days.contains(&day)
    }
}

/// A one-off range, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    pub fn contains(&self, t: &DateTime<Utc>) -> bool {
        *t >= self.from && *t < self.to
    }
}

pub fn parse_day(s: &str) -> Result<Weekday, String> {
    s.parse::<Weekday>()
        .map_err(|_| format!("`{s}` is not a day of the week (mon, tue, ...)"))
}

pub fn parse_clock(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| format!("`{s}` is not a time of day like 22:00"))
}

pub fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>()
        .map_err(|_| format!("`{s}` is not an IANA time zone like Europe/Berlin or UTC"))
}

/// A date (`2026-03-14`, midnight UTC) or an RFC 3339 time.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap()))
        .map_err(|_| format!("`{s}` is not a date (2026-03-14) or an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_window_past_midnight_in_berlin() {
        let w = Recurring {
            days: vec![Weekday::Sat],
            start: parse_clock("22:00").unwrap(),
            end: parse_clock("04:00").unwrap(),
            tz: parse_tz("Europe/Berlin").unwrap(),
        };
        // 2026-03-14 is a Saturday; Berlin is UTC+1 in March before the switch.
        assert!(w.contains(&at("2026-03-14T21:30:00Z")));
        assert!(w.contains(&at("2026-03-15T02:59:00Z")));
        assert!(!w.contains(&at("2026-03-15T03:00:00Z")));
        assert!(!w.contains(&at("2026-03-14T20:59:00Z")));
        assert!(
            !w.contains(&at("2026-03-13T21:30:00Z")),
            "Friday is not in the window"
        );
    }
}
