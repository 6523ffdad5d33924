//! `revertwatch-simulate` writes realistic cloud audit telemetry to a directory: background
//! noise in the shapes and proportions of real AWS CloudTrail, Azure Activity Log and GCP Cloud
//! Audit Logs, with planted T1578.004 (instance revert) scenarios and benign look-alikes, and a
//! `ground-truth.jsonl` that says what a detector should find.
//!
//! # What each container holds
//!
//! | [`Container`] | files | records |
//! |---|---|---|
//! | `aws-s3-gz` | `aws/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz` | `{"Records":[...]}`, one file per 5-minute delivery window (stamped with the window's end), split past ~6 MB; records slightly shuffled, as CloudTrail delivers them |
//! | `aws-jsonl` | `aws-jsonl/<acct>-<region>-<YYYYMMDD>.jsonl` | one CloudTrail record per line, in time order |
//! | `azure-eventhub` | `azure/eventhub/<sub>/<YYYYMMDDHH>.json` | `{"records":[...]}` in the Event Hub / diagnostic-settings schema; each write or action is 2-3 records (Start, Accept, Success) sharing `correlationId`; about half the records spell `operationName` and `resourceId` in UPPER CASE |
//! | `azure-rest` | `azure/rest/<sub>-<YYYYMMDD>.json` | what `az monitor activity-log list` prints: a JSON array of REST-schema objects, keys sorted, indented by 2, newest first |
//! | `gcp-jsonl` | `gcp/cloudaudit.googleapis.com/{activity,data_access}/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json` | LogEntry JSON Lines as a Cloud Storage sink writes them (`S<n>` = the n-th project); long-running operations are a `first` and a `last` entry sharing `operation.id` |
//!
//! # Invariants
//!
//! - **Deterministic per seed.** The same [`Options`] give byte-identical files, whatever the
//!   number of threads: every shard (container, account/region or subscription or project, UTC
//!   day) and every chunk inside it draws from its own sub-seed.
//! - **Constant memory.** Records are rendered from byte templates and streamed; a thread holds
//!   at most one output chunk (one 5-minute S3 object of at most ~6 MB, or one hour of the
//!   `az` listing, which it must reverse), plus the few records of operations still in flight.
//! - **Time.** Every record is in the file of its own time window (5-minute S3 window, hour,
//!   day), planted ones included; the only exception is the later phase of an operation that
//!   ends a few seconds after its UTC day (or, in the `az` listing, its hour), which stays
//!   with the operation's first record.
//! - **Size.** [`Options::size_bytes`] is the target for the uncompressed bytes of all log files
//!   together (split roughly AWS 70 %, Azure 15 %, GCP 15 % over the enabled clouds); the result
//!   is within a record or so per shard of it. The budget is spread over the hours with a daily
//!   activity curve (quieter nights and weekends).
//! - **Ground truth.** Every planted scenario has its own, fresh resource ids, from a namespace
//!   that noise never draws from, so that each expectation in `ground-truth.jsonl` names exactly
//!   one incident. Noise contains benign look-alikes that a detector reports at `review` level
//!   at most (an Instance Scheduler's nightly stop and morning start twelve hours apart, AWS
//!   Backup's daily cross-region `CopySnapshot`, Azure Automation and GCP instance-schedule
//!   stops); no noise forms an `escalate`.
//! - **Habits.** With [`Options::habits`] the run is an estate with habits (dev boxes their
//!   owners stop every evening, schedulers, a patch night, snapshot copies, restore tests,
//!   Auto Scaling, one-offs) and six planted reverts replace the usual scenarios; their calls
//!   draw from their own seeds. One planted revert is made on a dev box by its owner, whose
//!   routine gives that target other incidents too: its expectation names the one that
//!   escalates. Without it, the output is what it was before habits existed, byte for byte.
//! - Files are written (and overwritten) under [`Options::out_dir`]; nothing there is deleted,
//!   so start from an empty directory to compare runs.
//!
//! # Use
//!
//! The main types: [`Options`] say what to write (clouds as [`Cloud`], file formats as
//! [`Container`], accounts, time span, size, seed); [`simulate`] writes it and returns a
//! [`Report`] of totals and the [`Planted`] scenarios; [`SimError`] says why a run failed, and
//! [`ParseNameError`] why a cloud or container name was refused.
//!
//! ```
//! use revertwatch_simulate::{simulate, Cloud, Container, Options, GROUND_TRUTH_FILE};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let opts = Options {
//!     out_dir: dir.path().to_path_buf(),
//!     size_bytes: 200_000,
//!     days: 1,
//!     clouds: vec!["aws".parse::<Cloud>().unwrap()],
//!     containers: vec!["aws-jsonl".parse::<Container>().unwrap()],
//!     ..Options::default()
//! };
//! let report = simulate(&opts).unwrap();
//! assert!(report.records > 0);
//! assert!(report.planted.iter().all(|p| p.cloud == Cloud::Aws));
//! assert!(dir.path().join(GROUND_TRUTH_FILE).exists());
//! assert!("ftp".parse::<Container>().is_err());
//! ```

#![deny(missing_docs)]

use std::time::Instant;

mod aws;
mod azure;
mod emit;
mod error;
mod gcp;
mod habits;
mod json;
mod options;
mod plan;
mod report;
mod rng;
mod scenario;
mod setup;
mod shard;
mod sink;
mod time;

pub use error::SimError;
pub use options::{Cloud, Container, Options, ParseNameError};
pub use report::{Planted, Report};

use error::Result;
use sink::Stats;

/// The ground-truth file's name inside [`Options::out_dir`].
pub const GROUND_TRUTH_FILE: &str = "ground-truth.jsonl";

/// Writes the corpus and `ground-truth.jsonl` under `opts.out_dir`.
pub fn simulate(opts: &Options) -> Result<Report, SimError> {
    let started = Instant::now();
    let setup = setup::Setup::new(opts)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| SimError::io(&opts.out_dir, e))?;
    let plan = plan::build(&setup);
    let shards = shard::shards(&setup, &plan);

    use rayon::prelude::*;
    let results: Vec<Result<Stats>> = shards
        .par_iter()
        .map(|sh| shard::run_shard(&setup, sh))
        .collect();
    let mut report = Report::default();
    for r in results {
        let s = r?;
        report.files += s.files;
        report.records += s.records;
        report.bytes += s.bytes;
        report.compressed_bytes += s.disk_bytes;
    }

    let mut gt = Vec::new();
    for p in &plan.planted {
        serde_json::to_writer(&mut gt, p).expect("serialisable");
        gt.push(b'\n');
    }
    let path = opts.out_dir.join(GROUND_TRUTH_FILE);
    std::fs::write(&path, gt).map_err(|e| SimError::io(&path, e))?;
    report.planted = plan.planted;
    report.elapsed = started.elapsed();
    Ok(report)
}
