//! Is serve's memory flat? A leak shows as growth across repeated cycles of the same work, so
//! the checks compare like with like: each simulated day's peak after the first day (state
//! fills over its first horizon), and the trend of RSS once the calls held are accounted for
//! (RSS swings with them over the simulated day and night; that is state, not a leak).

use crate::feed::Feed;
use crate::observe::Sample;
use crate::run::Report;
use crate::Fallible;

const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// One simulated day of event time, as the samples taken while it was sent saw it.
pub struct Day {
    pub day: i64,
    pub from_s: f64,
    pub to_s: f64,
    pub peak_mb: f64,
    pub mean_mb: f64,
    pub peak_calls: u64,
    pub mean_calls: f64,
    /// Whether the whole day was sent (the last one may be cut short).
    pub full: bool,
}

/// RSS = base + per_call × calls + drift × minutes, by least squares.
pub struct Trend {
    pub samples: usize,
    pub from_s: f64,
    pub to_s: f64,
    pub base_mb: f64,
    pub per_call_kb: f64,
    pub drift_mb_per_min: f64,
    pub mean_mb: f64,
    pub r2: f64,
}

/// The event-time day each sample was taken in: the pacer sends record i at i / rate.
fn day_of(sample: &Sample, report: &Report, feed: &Feed) -> Option<i64> {
    let n = report.records.min(feed.records.len());
    if n == 0 || sample.t_s > report.send_s {
        return None;
    }
    let i = ((sample.t_s * report.offered_rate) as usize).min(n - 1);
    Some((feed.records[i].time_ns - feed.records[0].time_ns).div_euclid(DAY_NS))
}

fn mb(s: &Sample) -> f64 {
    s.rss_kb as f64 / 1024.0
}

pub fn days(report: &Report, feed: &Feed) -> Vec<Day> {
    let n = report.records.min(feed.records.len());
    let last_day = n
        .checked_sub(1)
        .map(|i| (feed.records[i].time_ns - feed.records[0].time_ns).div_euclid(DAY_NS));
    let mut out: Vec<Day> = Vec::new();
    for s in report.samples.iter().filter(|s| s.rss_kb > 0) {
        let Some(day) = day_of(s, report, feed) else {
            continue;
        };
        if out.last().is_none_or(|d| d.day != day) {
            out.push(Day {
                day,
                from_s: s.t_s,
                to_s: s.t_s,
                peak_mb: 0.0,
                mean_mb: 0.0,
                peak_calls: 0,
                mean_calls: 0.0,
                full: Some(day) != last_day,
            });
        }
        let d = out.last_mut().expect("pushed");
        d.to_s = s.t_s;
        d.peak_mb = d.peak_mb.max(mb(s));
        d.peak_calls = d.peak_calls.max(s.state_calls);
    }
    for d in &mut out {
        let inside: Vec<&Sample> = report
            .samples
            .iter()
            .filter(|s| s.rss_kb > 0 && s.t_s >= d.from_s && s.t_s <= d.to_s)
            .collect();
        let len = inside.len().max(1) as f64;
        d.mean_mb = inside.iter().map(|s| mb(s)).sum::<f64>() / len;
        d.mean_calls = inside.iter().map(|s| s.state_calls as f64).sum::<f64>() / len;
    }
    out
}

/// Least squares over the samples taken while sending, after the first simulated day.
pub fn trend(report: &Report, feed: &Feed) -> Option<Trend> {
    let rows: Vec<(f64, f64, f64)> = report
        .samples
        .iter()
        .filter(|s| s.rss_kb > 0 && day_of(s, report, feed).is_some_and(|d| d >= 1))
        .map(|s| (s.state_calls as f64, s.t_s / 60.0, mb(s)))
        .collect();
    if rows.len() < 10 {
        return None;
    }
    // Normal equations for y = a + b·calls + c·minutes.
    let mut m = [[0.0f64; 4]; 3];
    for &(x1, x2, y) in &rows {
        let v = [1.0, x1, x2];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += v[i] * v[j];
            }
            m[i][3] += v[i] * y;
        }
    }
    let [a, b, c] = solve(m)?;
    let mean = rows.iter().map(|r| r.2).sum::<f64>() / rows.len() as f64;
    let total: f64 = rows.iter().map(|r| (r.2 - mean).powi(2)).sum();
    let residual: f64 = rows
        .iter()
        .map(|&(x1, x2, y)| (y - (a + b * x1 + c * x2)).powi(2))
        .sum();
    Some(Trend {
        samples: rows.len(),
        from_s: rows[0].1 * 60.0,
        to_s: rows[rows.len() - 1].1 * 60.0,
        base_mb: a,
        per_call_kb: b * 1024.0,
        drift_mb_per_min: c,
        mean_mb: mean,
        r2: if total > 0.0 {
            1.0 - residual / total
        } else {
            0.0
        },
    })
}

/// Gaussian elimination with partial pivoting on a 3×4 augmented matrix.
fn solve(mut m: [[f64; 4]; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let lead = m[col];
        for (row, line) in m.iter_mut().enumerate() {
            if row != col {
                let f = line[col] / lead[col];
                for (x, l) in line.iter_mut().zip(lead).skip(col) {
                    *x -= f * l;
                }
            }
        }
    }
    Some([m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]])
}

/// The like-for-like checks, as rows of the verify table, and the per-day table.
pub fn checks(
    report: &Report,
    feed: &Feed,
    tolerance: f64,
) -> (Vec<(String, String, bool)>, Vec<Day>) {
    let days = days(report, feed);
    let mut rows = Vec::new();
    // Simulated weeks have quiet days (weekends), so one day against another is not like for
    // like; the busiest day of the later half against the busiest of the earlier half is.
    let full: Vec<&Day> = days.iter().filter(|d| d.full && d.day >= 1).collect();
    let (early, late) = full.split_at(full.len() / 2);
    let busiest = |half: &[&Day]| half.iter().map(|d| d.peak_mb).fold(0.0f64, f64::max);
    let (e, l) = (busiest(early), busiest(late));
    let judged = !early.is_empty() && !late.is_empty();
    let peaks = |half: &[&Day]| {
        half.iter()
            .map(|d| format!("{:.0}", d.peak_mb))
            .collect::<Vec<_>>()
            .join(", ")
    };
    rows.push((
        format!(
            "RSS flat by simulated day (the first fills state): the busiest day's peak in the later half of the days within {:.0} % of the earlier half's",
            tolerance * 100.0
        ),
        if judged {
            format!(
                "daily peaks (MB), days 2–{}: {} | days {}–{}: {}; {:.0} → {:.0} MB ({:+.1} %)",
                early.last().map_or(0, |d| d.day + 1),
                peaks(early),
                late.first().map_or(0, |d| d.day + 1),
                late.last().map_or(0, |d| d.day + 1),
                peaks(late),
                e,
                l,
                (l / e - 1.0) * 100.0
            )
        } else {
            "the run has fewer than three full simulated days: not judged".into()
        },
        judged && l <= e * (1.0 + tolerance),
    ));
    let t = trend(report, feed);
    rows.push((
        format!(
            "RSS trend after the first simulated day, calls held taken out (least squares: RSS = base + per call × calls + drift × minutes): drift over the run within {:.0} % of mean RSS",
            tolerance * 100.0
        ),
        match &t {
            Some(t) => format!(
                "{} samples, {:.0}–{:.0} s: base {:.0} MB, {:.1} kB per call held, drift {:+.2} MB/min ({:+.1} MB over the span, {:+.1} % of the mean {:.0} MB); R² {:.2}",
                t.samples,
                t.from_s,
                t.to_s,
                t.base_mb,
                t.per_call_kb,
                t.drift_mb_per_min,
                t.drift_mb_per_min * (t.to_s - t.from_s) / 60.0,
                t.drift_mb_per_min * (t.to_s - t.from_s) / 60.0 / t.mean_mb * 100.0,
                t.mean_mb,
                t.r2
            ),
            None => "too few samples after the first simulated day: not judged".into(),
        },
        t.as_ref().is_some_and(|t| {
            (t.drift_mb_per_min * (t.to_s - t.from_s) / 60.0).abs() <= t.mean_mb * tolerance
        }),
    ));
    (rows, days)
}

/// `load memory`: the memory rows and the per-day table of a finished run.
pub fn rejudge(report: &std::path::Path, feed: &std::path::Path, tolerance: f64) -> Fallible<()> {
    let report = crate::run::read_report(report)?;
    let feed = Feed::read(feed)?;
    let (rows, days) = checks(&report, &feed, tolerance);
    print_checks(&rows, &days);
    Ok(())
}

/// The checks as a Markdown table, then the per-day table.
pub fn print_checks(rows: &[(String, String, bool)], days: &[Day]) {
    println!("| check | result | ok |");
    println!("|---|---|---|");
    for (check, result, ok) in rows {
        println!(
            "| {check} | {result} | {} |",
            if *ok { "yes" } else { "**NO**" }
        );
    }
    println!();
    print_days(days);
}

pub fn print_days(days: &[Day]) {
    println!(
        "| simulated day | sent (s) | peak RSS | mean RSS | peak calls held | mean calls held |"
    );
    println!("|---:|---|---:|---:|---:|---:|");
    for d in days {
        println!(
            "| {}{} | {:.0}–{:.0} | {:.0} MB | {:.0} MB | {} | {:.0} |",
            d.day + 1,
            if d.full { "" } else { " (part)" },
            d.from_s,
            d.to_s,
            d.peak_mb,
            d.mean_mb,
            d.peak_calls,
            d.mean_calls
        );
    }
}

#[cfg(test)]
mod tests {
    use super::solve;

    #[test]
    fn least_squares_recovers_an_exact_plane() {
        // y = 80 + 0.005·calls + 1.5·minutes, sampled off any grid.
        let rows: Vec<(f64, f64)> = (0..40)
            .map(|i| ((i * 97 % 3400) as f64, i as f64 * 0.5))
            .collect();
        let mut m = [[0.0f64; 4]; 3];
        for &(calls, minutes) in &rows {
            let v = [1.0, calls, minutes];
            let y = 80.0 + 0.005 * calls + 1.5 * minutes;
            for i in 0..3 {
                for j in 0..3 {
                    m[i][j] += v[i] * v[j];
                }
                m[i][3] += v[i] * y;
            }
        }
        let [a, b, c] = solve(m).unwrap();
        assert!((a - 80.0).abs() < 1e-6 && (b - 0.005).abs() < 1e-9 && (c - 1.5).abs() < 1e-6);
    }
}
