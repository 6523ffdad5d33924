//! Times as nanoseconds since the Unix epoch (UTC), the text forms each cloud writes, and the
//! daily activity curve that spreads the size budget over the hours.

pub(crate) const SEC: i64 = 1_000_000_000;
pub(crate) const MIN: i64 = 60 * SEC;
pub(crate) const HOUR: i64 = 60 * MIN;
pub(crate) const DAY: i64 = 24 * HOUR;

/// Relative activity per UTC hour: quiet nights, a long working day across Europe and the US.
const HOURLY: [f64; 24] = [
    0.45, 0.40, 0.38, 0.36, 0.36, 0.40, 0.50, 0.65, 0.80, 0.90, 1.00, 1.10, 1.25, 1.40, 1.50, 1.55,
    1.55, 1.50, 1.40, 1.20, 1.00, 0.80, 0.65, 0.50,
];
const WEEKEND: f64 = 0.6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn civil(t: i64) -> Civil {
    let days = t.div_euclid(DAY);
    let rest = t.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    let secs = rest / SEC;
    Civil {
        year,
        month,
        day,
        hour: (secs / 3600) as u32,
        minute: ((secs / 60) % 60) as u32,
        second: (secs % 60) as u32,
        nanos: (rest % SEC) as u32,
    }
}

/// 0 = Monday.
pub(crate) fn weekday(t: i64) -> u32 {
    // 1970-01-01 was a Thursday.
    ((t.div_euclid(DAY) + 3).rem_euclid(7)) as u32
}

#[inline]
fn d2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn d4(out: &mut Vec<u8>, v: i64) {
    let v = v.clamp(0, 9999) as u32;
    d2(out, v / 100);
    d2(out, v % 100);
}

/// `YYYY-MM-DD`
pub(crate) fn date(out: &mut Vec<u8>, c: &Civil) {
    d4(out, c.year);
    out.push(b'-');
    d2(out, c.month);
    out.push(b'-');
    d2(out, c.day);
}

/// `YYYYMMDD`
pub(crate) fn date_compact(out: &mut Vec<u8>, c: &Civil) {
    d4(out, c.year);
    d2(out, c.month);
    d2(out, c.day);
}

/// `HH:MM:SS`
pub(crate) fn clock(out: &mut Vec<u8>, c: &Civil) {
    d2(out, c.hour);
    out.push(b':');
    d2(out, c.minute);
    out.push(b':');
    d2(out, c.second);
}

/// `YYYY-MM-DDTHH:MM:SS` then `digits` fraction digits (none when 0), then `Z`.
pub(crate) fn iso(out: &mut Vec<u8>, t: i64, digits: u32) {
    let c = civil(t);
    date(out, &c);
    out.push(b'T');
    clock(out, &c);
    if digits > 0 {
        out.push(b'.');
        let mut n = c.nanos;
        let mut buf = [b'0'; 9];
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&buf[..digits.min(9) as usize]);
    }
    out.push(b'Z');
}

pub(crate) fn iso_string(t: i64, digits: u32) -> String {
    let mut v = Vec::with_capacity(32);
    iso(&mut v, t, digits);
    String::from_utf8(v).expect("ascii")
}

/// `YYYY-MM-DDTHH:MM:SS.mmm-07:00`, as Compute Engine writes operation times (Pacific).
pub(crate) fn pacific_ms(out: &mut Vec<u8>, t: i64) {
    let local = t - 7 * HOUR;
    let c = civil(local);
    date(out, &c);
    out.push(b'T');
    clock(out, &c);
    out.push(b'.');
    let ms = c.nanos / 1_000_000;
    out.push(b'0' + (ms / 100) as u8);
    d2(out, ms % 100);
    out.extend_from_slice(b"-07:00");
}

/// `Mar 1, 2026, 7:12:44 PM`, the STS credential expiration form.
pub(crate) fn sts_expiration(out: &mut Vec<u8>, t: i64) {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = civil(t);
    let (h12, ampm) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    use std::io::Write;
    let _ = write!(
        out,
        "{} {}, {}, {}:{:02}:{:02} {}",
        M[(c.month - 1) as usize],
        c.day,
        c.year,
        h12,
        c.minute,
        c.second,
        ampm
    );
}

/// Activity density (per hour) at the hour containing `t`.
fn density(t: i64) -> f64 {
    let h = civil(t).hour as usize;
    let w = if weekday(t) >= 5 { WEEKEND } else { 1.0 };
    HOURLY[h] * w
}

/// Activity mass over `[a, b)`, in density-hours.
pub(crate) fn mass(a: i64, b: i64) -> f64 {
    let mut m = 0.0;
    let mut t = a;
    while t < b {
        let next = ((t.div_euclid(HOUR)) + 1) * HOUR;
        let end = next.min(b);
        m += density(t) * (end - t) as f64 / HOUR as f64;
        t = end;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2026-03-01T00:00:00Z
        let t = 1_772_323_200 * SEC;
        assert_eq!(iso_string(t, 0), "2026-03-01T00:00:00Z");
        assert_eq!(
            iso_string(t + 13 * HOUR + 5 * SEC + 123_456_789, 7),
            "2026-03-01T13:00:05.1234567Z"
        );
        assert_eq!(weekday(t), 6); // a Sunday
        let mut v = Vec::new();
        pacific_ms(&mut v, t + 500_000_000);
        assert_eq!(v, b"2026-02-28T17:00:00.500-07:00");
        let mut v = Vec::new();
        sts_expiration(&mut v, t + 19 * HOUR + 12 * MIN + 44 * SEC);
        assert_eq!(v, b"Mar 1, 2026, 7:12:44 PM");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn mass_adds_up() {
        let t = 1_772_323_200 * SEC;
        let whole = mass(t, t + DAY);
        let parts: f64 = (0..288)
            .map(|i| mass(t + i * 5 * MIN, t + (i + 1) * 5 * MIN))
            .sum();
        assert!((whole - parts).abs() < 1e-9);
    }
}
