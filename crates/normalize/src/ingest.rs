//! One input, end to end through decode, prefilter and provider mapping.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use revertwatch_decode::{
    decode, decode_lines, open_path, open_reader, Compression, Layout, Limits,
};
use revertwatch_pack::{Prefilter, Provider};
use serde_json::Value;

use crate::call::{ApiCall, Origin};
use crate::envelope::{may_be_opaque, unwrap, Unwrapped};
use crate::provider::{map, operation_of};
use crate::skip::{Skip, SkipReason};

/// Whether a call to an operation is kept.
pub type Keep = Box<dyn Fn(Provider, &str) -> bool + Send + Sync>;

/// Which records to parse and keep.
pub struct Selection {
    /// Records whose raw bytes this rejects are never parsed. `None` parses every record.
    pub prefilter: Option<Prefilter>,
    /// Whether a call to this operation is kept.
    pub keep: Keep,
    /// Whether calls keep their original record (for `record.` rule paths and seed-spl).
    pub keep_record: bool,
    /// Annotate single-event calls (CloudTrail's) as soon as they are read, so that their
    /// bodies are pruned while the hunt goes on; calls with phases wait for their merge.
    pub annotate_with: Option<revertwatch_pack::Pack>,
}

impl Selection {
    /// What a rule pack reads: records the pack's prefilter passes, calls to the operations
    /// it knows, annotated as read. The original record is kept only when the pack reads
    /// `record.` paths, or when `keep_record` asks for it (a caller that stores records).
    pub fn for_pack(pack: &revertwatch_pack::Pack, keep_record: bool) -> Selection {
        let keep = pack.clone();
        Selection {
            prefilter: Some(pack.prefilter()),
            keep: Box::new(move |provider, op| keep.knows(provider, op)),
            keep_record: keep_record || pack.reads_records(),
            annotate_with: Some(pack.clone()),
        }
    }

    /// Every record parsed, every call kept whole and not annotated: what another pack can be
    /// evaluated on later.
    pub fn everything() -> Selection {
        Selection {
            prefilter: None,
            keep: Box::new(|_, _| true),
            keep_record: true,
            annotate_with: None,
        }
    }
}

/// Why a whole input yielded no calls, when that is not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNote {
    /// Readable text, not JSON: a README or notes beside the logs.
    NotALog,
    /// A CloudTrail digest file (integrity data).
    Digest,
    /// CloudTrail Insights events (statistics, not API calls).
    Insight,
    /// Logs of a kind without audit records (GCP system or data logs).
    OtherLog,
}

impl FileNote {
    /// A short phrase for reports: `not a log`, `CloudTrail digest`, `CloudTrail Insights`, `no audit records`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileNote::NotALog => "not a log",
            FileNote::Digest => "CloudTrail digest",
            FileNote::Insight => "CloudTrail Insights",
            FileNote::OtherLog => "no audit records",
        }
    }
}

/// What reading one input produced.
#[derive(Debug)]
pub struct FileReport {
    /// The input's name, as given (a path's display form for [`Ingest::read_path`]).
    pub source: Arc<str>,
    /// What decode found the input to be; [`Layout::Empty`] when nothing could be read.
    pub layout: Layout,
    /// The compression undone (gzip or none).
    pub compression: Compression,
    /// Decompressed bytes.
    pub bytes: u64,
    /// Records framed.
    pub records: u64,
    /// Records parsed as JSON (the first of each input, and prefilter candidates).
    pub parsed: u64,
    /// Records the prefilter rejected unparsed: none of them names an operation of the pack.
    pub prefiltered: u64,
    /// Records (or lines, or array elements) that could not be read, each with a skip saying
    /// why: not framed (too large, too deep, truncated, not JSON) or not valid JSON. With
    /// `parsed` and `prefiltered` it accounts for every record of the input.
    pub unread: u64,
    /// Phase-level calls kept (before merging).
    pub calls: Vec<ApiCall>,
    /// Records (or regions of the input) not read, and why: framing issues after the records parsed; an input that could not be opened is one skip at offset 0, line 0.
    pub skips: Vec<Skip>,
    /// Why the input yielded no calls, when that is expected rather than a problem; `None` for logs.
    pub note: Option<FileNote>,
}

impl FileReport {
    pub(crate) fn new(source: Arc<str>) -> FileReport {
        FileReport {
            source,
            layout: Layout::Empty,
            compression: Compression::None,
            bytes: 0,
            records: 0,
            parsed: 0,
            prefiltered: 0,
            unread: 0,
            calls: Vec::new(),
            skips: Vec::new(),
            note: None,
        }
    }

    /// Whether anything in this input could not be read.
    pub fn has_skips(&self) -> bool {
        !self.skips.is_empty()
    }
}

/// Reads inputs into [`ApiCall`]s: decode, prefilter, JSON parse, provider mapping. Reading never fails as a whole: problems are [`Skip`]s in the [`FileReport`]. Shared by reference across threads.
pub struct Ingest {
    /// Which records are parsed and which calls kept.
    pub selection: Selection,
    /// What one record may cost (see [`Limits`]).
    pub limits: Limits,
}

impl Ingest {
    /// Reads a file, gzip or not; the report's source is the path's display form.
    pub fn read_path(&self, path: &Path) -> FileReport {
        let source: Arc<str> = Arc::from(path.display().to_string());
        match open_path(path) {
            Ok((reader, compression)) => {
                let mut report = self.read_opened(source, reader, Reading::Whole);
                report.compression = compression;
                report
            }
            Err(e) => unreadable(source, e),
        }
    }

    /// Reads a stream (an object body, stdin), gzip or not, under the name `name`.
    pub fn read_reader<R: Read + Send + 'static>(&self, name: &str, reader: R) -> FileReport {
        let source = Arc::from(name);
        match open_reader(reader) {
            Ok((reader, compression)) => {
                let mut report = self.read_opened(source, reader, Reading::Whole);
                report.compression = compression;
                report
            }
            Err(e) => unreadable(source, e),
        }
    }

    pub(crate) fn read_opened(
        &self,
        source: Arc<str>,
        reader: Box<dyn Read + Send>,
        reading: Reading,
    ) -> FileReport {
        let whole = matches!(reading, Reading::Whole | Reading::Part { first: true });
        let mut report = FileReport::new(source.clone());
        let mut state = FrameState { first: whole };
        // A base64 envelope (Pub/Sub, CloudWatch Logs) hides the names inside it from the
        // prefilter, so each record that may be one is parsed: decided per record, as a
        // stream may mix them with records of any other kind.
        let interest = self
            .selection
            .prefilter
            .as_ref()
            .map(|pf| move |bytes: &[u8]| pf.is_candidate(bytes) || may_be_opaque(bytes));
        let interest_ref = interest.as_ref().map(|f| f as &dyn Fn(&[u8]) -> bool);
        let mut seen = 0u64;
        let mut on_frame = |frame: revertwatch_decode::Frame<'_>| {
            seen += 1;
            if !state.first {
                if let Some(interest) = interest_ref {
                    if !interest(frame.bytes) {
                        report.prefiltered += 1;
                        return;
                    }
                }
            }
            let origin = Origin {
                source: source.clone(),
                offset: frame.offset,
                line: frame.line,
            };
            let value: Value = match serde_json::from_slice(frame.bytes) {
                Ok(v) => v,
                Err(e) => {
                    report.unread += 1;
                    report.skips.push(Skip {
                        offset: frame.offset,
                        line: frame.line + e.line().saturating_sub(1) as u64,
                        reason: SkipReason::Json(e.to_string()),
                    });
                    state.first = false;
                    return;
                }
            };
            report.parsed += 1;
            self.unwrap_into(value, origin, &mut state, &mut report);
            state.first = false;
        };
        let decoded = match reading {
            Reading::Whole => decode(reader, &self.limits, interest_ref, &mut on_frame),
            Reading::Part { .. } => decode_lines(reader, &self.limits, interest_ref, &mut on_frame),
        };
        report.layout = decoded.layout.clone();
        report.bytes = decoded.bytes;
        report.records = decoded.frames;
        // Records the decoder dropped unframed, by the same interest, were never seen here.
        report.prefiltered += decoded.frames - seen;
        for issue in decoded.issues {
            report.unread += u64::from(issue.kind.is_record());
            report.skips.push(Skip {
                offset: issue.offset,
                line: issue.line,
                reason: SkipReason::Decode(issue.kind),
            });
        }
        if decoded.layout == Layout::Text {
            report.note = Some(FileNote::NotALog);
        }
        report
    }

    fn unwrap_into(
        &self,
        value: Value,
        origin: Origin,
        state: &mut FrameState,
        report: &mut FileReport,
    ) {
        let skip = |reason| Skip {
            offset: origin.offset,
            line: origin.line,
            reason,
        };
        match unwrap(value) {
            Err(reason) => report.skips.push(skip(reason)),
            Ok(Unwrapped::Records(records)) => {
                for (provider, record, hint) in records {
                    let Some(op) = operation_of(provider, &record) else {
                        continue;
                    };
                    if !(self.selection.keep)(provider, &op) {
                        continue;
                    }
                    match map(
                        provider,
                        record,
                        &hint,
                        origin.clone(),
                        self.selection.keep_record,
                    ) {
                        Ok(mut call) => {
                            if let (None, Some(pack)) =
                                (&call.correlation, &self.selection.annotate_with)
                            {
                                crate::annotate(&mut call, pack);
                            }
                            report.calls.push(call)
                        }
                        Err(reason) => report.skips.push(skip(reason)),
                    }
                }
            }
            Ok(Unwrapped::Digest) if state.first => report.note = Some(FileNote::Digest),
            Ok(Unwrapped::Insight) if state.first => report.note = Some(FileNote::Insight),
            Ok(Unwrapped::OtherLog) if state.first => report.note = Some(FileNote::OtherLog),
            // A first record that is no log (an export's header object) says nothing of the
            // records after it: each is read, and each that is no log reported.
            Ok(Unwrapped::NotLog) => report.skips.push(skip(SkipReason::NotLog)),
            Ok(_) => {}
        }
    }
}

/// How an input is read: whole, its container sniffed from its first bytes, or as one part of
/// a file already known to be JSON Lines (see [`crate::plan_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    Whole,
    /// `first`: the part that starts the file, whose first record speaks for it.
    Part {
        first: bool,
    },
}

struct FrameState {
    first: bool,
}

pub(crate) fn unreadable(source: Arc<str>, e: std::io::Error) -> FileReport {
    let mut report = FileReport::new(source);
    report.skips.push(Skip {
        offset: 0,
        line: 0,
        reason: SkipReason::Decode(revertwatch_decode::IssueKind::Io(e.to_string())),
    });
    report
}
