//! What a hunt read and found, counted per stage: the stderr summary line.

use std::fmt;

use revertwatch_normalize::{FileNote, FileReport};
use revertwatch_tuning::Applied;

#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub bytes: u64,
    pub parsed: u64,
    pub prefiltered: u64,
    pub unread: u64,
    pub calls: usize,
    pub notes: Vec<(FileNote, usize)>,
    pub skipped_records: usize,
    pub files_with_skips: usize,
    pub escalate: usize,
    pub review: usize,
    /// Routine resets (severity info).
    pub info: usize,
    pub failed_only: usize,
    pub suppressed: usize,
    pub downgraded: usize,
    /// Per rule: (name, action, incidents it applied to).
    pub by_rule: Vec<(String, &'static str, usize)>,
    pub expired_rules: Vec<String>,
    /// Rows of `--rules seed-spl`, which has events and no incidents.
    pub seed_rows: Option<usize>,
    /// Calls older than their file's place in time order allowed.
    pub late: usize,
    /// Event ids that came with more than one content: kept apart as separate events.
    pub conflicting_ids: usize,
    /// Calls let go unfinished past `--max-state-calls`.
    pub evicted: usize,
    /// Resource origins dropped past `--max-provenance`.
    pub provenance_dropped: usize,
    /// The most calls held at once, when reading in time order let some go before the end.
    pub held_peak: Option<usize>,
}

impl Summary {
    pub fn add_tuning(&mut self, applied: &Applied) {
        self.suppressed = applied.suppressed();
        self.downgraded = applied.downgraded();
        for u in &applied.uses {
            if u.applied > 0 {
                self.by_rule
                    .push((u.name.clone(), u.action.as_str(), u.applied));
            }
            if u.expired {
                self.expired_rules.push(u.name.clone());
            }
        }
    }

    pub fn add_file(&mut self, report: &FileReport) {
        self.files += 1;
        self.bytes += report.bytes;
        self.parsed += report.parsed;
        self.prefiltered += report.prefiltered;
        self.unread += report.unread;
        self.calls += report.calls.len();
        if let Some(note) = report.note {
            match self.notes.iter_mut().find(|(n, _)| *n == note) {
                Some((_, count)) => *count += 1,
                None => self.notes.push((note, 1)),
            }
        }
        if report.has_skips() {
            self.files_with_skips += 1;
            self.skipped_records += report.skips.len();
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "revertwatch: {} files, {:.1} MB, {} records ({} parsed, {} prefiltered, {} unreadable), {} calls",
            self.files,
            self.bytes as f64 / 1e6,
            self.parsed + self.prefiltered + self.unread,
            self.parsed,
            self.prefiltered,
            self.unread,
            self.calls
        )?;
        if let Some(peak) = self.held_peak {
            write!(f, " (at most {peak} held at once)")?;
        }
        for (note, count) in &self.notes {
            write!(f, "; {count} {}", note.as_str())?;
        }
        if self.skipped_records > 0 {
            write!(
                f,
                "; SKIPPED {} unreadable in {} files",
                self.skipped_records, self.files_with_skips
            )?;
        } else {
            write!(f, "; 0 skipped")?;
        }
        write!(
            f,
            "; incidents: {} escalate, {} review, {} info",
            self.escalate, self.review, self.info
        )?;
        if self.failed_only > 0 {
            write!(f, ", {} failed-only", self.failed_only)?;
        }
        write!(f, "; {} suppressed", self.suppressed)?;
        if self.downgraded > 0 {
            write!(f, ", {} downgraded", self.downgraded)?;
        }
        if !self.by_rule.is_empty() {
            let parts: Vec<String> = self
                .by_rule
                .iter()
                .map(|(n, a, c)| format!("{n} {a} {c}"))
                .collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        if !self.expired_rules.is_empty() {
            write!(
                f,
                "; EXPIRED rules not applied: {}",
                self.expired_rules.join(", ")
            )?;
        }
        Ok(())
    }
}
