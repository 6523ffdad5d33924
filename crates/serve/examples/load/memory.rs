//! Is serve's memory flat? A leak shows as growth across repeated cycles of the same work, so
//! the checks compare like with like: each simulated day's peak once state has filled (over
//! the first day, or over --keep-closed when serve forgets closed incidents within the run),
//! and the trend of RSS once the calls held are accounted for (RSS swings with them over the
//! simulated day and night; that is state, not a leak). The same trend of the heap the
//! program holds (`revertwatch_heap_bytes`) tells a leak from an allocator keeping pages.

use crate::feed::Feed;
use crate::observe::Sample;
use crate::report::Report;
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
    pub peak_heap_mb: f64,
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

fn heap_mb(s: &Sample) -> f64 {
    s.heap_kb as f64 / 1024.0
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
                peak_heap_mb: 0.0,
                full: Some(day) != last_day,
            });
        }
        let d = out.last_mut().expect("pushed");
        d.to_s = s.t_s;
        d.peak_mb = d.peak_mb.max(mb(s));
        d.peak_calls = d.peak_calls.max(s.state_calls);
        d.peak_heap_mb = d.peak_heap_mb.max(heap_mb(s));
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

/// The simulated days state takes to fill: the first, or all of --keep-closed's and one more
/// when serve forgets closed incidents within the run.
pub fn fill_days(keep_closed: Option<std::time::Duration>, feed: &Feed) -> i64 {
    let span_ns = match (feed.records.first(), feed.records.last()) {
        (Some(a), Some(b)) => b.time_ns - a.time_ns,
        _ => 0,
    };
    match keep_closed {
        Some(k) if (k.as_nanos() as i64) < span_ns => {
            (k.as_nanos() as u64).div_ceil(DAY_NS as u64) as i64 + 1
        }
        _ => 1,
    }
}

/// Least squares over the samples taken while sending, once state has filled, of `measure`
/// (RSS, or the heap the program holds).
pub fn trend(
    report: &Report,
    feed: &Feed,
    fill: i64,
    measure: fn(&Sample) -> f64,
) -> Option<Trend> {
    let rows: Vec<(f64, f64, f64)> = report
        .samples
        .iter()
        .filter(|s| measure(s) > 0.0 && day_of(s, report, feed).is_some_and(|d| d >= fill))
        .map(|s| (s.state_calls as f64, s.t_s / 60.0, measure(s)))
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
    fill: i64,
) -> (Vec<(String, String, bool)>, Vec<Day>) {
    let days = days(report, feed);
    let mut rows = Vec::new();
    // Simulated weeks have quiet days (weekends), so one day against another is not like for
    // like; the busiest day of the later half against the busiest of the earlier half is.
    let full: Vec<&Day> = days.iter().filter(|d| d.full && d.day >= fill).collect();
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
            "RSS flat by simulated day (state fills over the first {fill} simulated day(s), not judged): the busiest day's peak in the later half of the days within {:.0} % of the earlier half's",
            tolerance * 100.0
        ),
        if judged {
            format!(
                "daily peaks (MB), days {}–{}: {} | days {}–{}: {}; {:.0} → {:.0} MB ({:+.1} %)",
                fill + 1,
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
            "the run has fewer than two full simulated days after state filled: not judged".into()
        },
        judged && l <= e * (1.0 + tolerance),
    ));
    rows.push(trend_row("RSS", trend(report, feed, fill, mb), tolerance));
    // The allocator keeps freed pages for reuse, so RSS can creep while nothing leaks; the heap
    // the program holds cannot. Judged only when serve publishes it.
    if report.samples.iter().any(|s| s.heap_kb > 0) {
        rows.push(trend_row(
            "heap held",
            trend(report, feed, fill, heap_mb),
            tolerance,
        ));
    }
    (rows, days)
}

fn trend_row(what: &str, t: Option<Trend>, tolerance: f64) -> (String, String, bool) {
    (
        format!(
            "{what} trend once state has filled, calls held taken out (least squares: {what} = base + per call × calls + drift × minutes): drift over the run within {:.0} % of the mean",
            tolerance * 100.0
        ),
        match &t {
            Some(t) => format!(
                "{} samples, {:.0}–{:.0} s: base {:.1} MB, {:.2} kB per call held, drift {:+.3} MB/min ({:+.1} MB over the span, {:+.1} % of the mean {:.1} MB); R² {:.2}",
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
            None => "too few samples once state has filled: not judged".into(),
        },
        t.as_ref().is_some_and(|t| {
            (t.drift_mb_per_min * (t.to_s - t.from_s) / 60.0).abs() <= t.mean_mb * tolerance
        }),
    )
}

/// `load memory`: the memory rows and the per-day table of a finished run.
pub fn rejudge(
    report: &std::path::Path,
    feed: &std::path::Path,
    tolerance: f64,
    keep_closed: Option<std::time::Duration>,
) -> Fallible<()> {
    let report = crate::report::read_report(report)?;
    let feed = Feed::read(feed)?;
    let fill = fill_days(keep_closed, &feed);
    let (rows, days) = checks(&report, &feed, tolerance, fill);
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
        "| simulated day | sent (s) | peak RSS | mean RSS | peak heap held | peak calls held | mean calls held |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for d in days {
        println!(
            "| {}{} | {:.0}–{:.0} | {:.0} MB | {:.0} MB | {:.1} MB | {} | {:.0} |",
            d.day + 1,
            if d.full { "" } else { " (part)" },
            d.from_s,
            d.to_s,
            d.peak_mb,
            d.mean_mb,
            d.peak_heap_mb,
            d.peak_calls,
            d.mean_calls
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{fill_days, solve, DAY_NS};
    use crate::feed::{Feed, Record};
    use std::time::Duration;

    #[test]
    fn state_fills_over_keep_closed_only_when_the_run_outlasts_it() {
        let span = |days: i64| Feed {
            bytes: None,
            records: [0, days * DAY_NS]
                .into_iter()
                .map(|time_ns| Record::at(0, time_ns))
                .collect(),
            partitions: Vec::new(),
        };
        let week = Some(Duration::from_secs(7 * 86_400));
        assert_eq!(fill_days(None, &span(35)), 1);
        assert_eq!(fill_days(week, &span(35)), 8);
        assert_eq!(
            fill_days(Some(Duration::from_secs(36 * 3600)), &span(35)),
            3
        );
        // Kept longer than the run: closed incidents never go, the first day fills the rest.
        assert_eq!(fill_days(week, &span(6)), 1);
    }

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
