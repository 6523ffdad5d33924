//! Every `hunt` flag resolved once, before anything is read: the high-level plan the hunt
//! runs (as ripgrep turns its low-level args into high-level ones).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use revertwatch_decode::Limits;
use revertwatch_detect::{seed_spl, Detector, Horizon, Severity};
use revertwatch_normalize::Selection;
use revertwatch_pack::Prefilter;
use revertwatch_report::Format;
use revertwatch_tuning::Tuning;

use crate::args::{ColorChoice, FailOn, FormatArg, HuntArgs, View};
use crate::hec_cmd::Hec;
use crate::inputs::{expand_with, Input};
use crate::packs::{choose, Profile};
use crate::pipeline::Reader;
use crate::tuning_cmd;

/// How the calls are correlated.
pub enum Correlation {
    /// In the time order the input paths give, settling as the hunt goes (bounded state).
    TimeOrdered {
        /// The detector, with the pack and the horizon.
        detector: Box<Detector>,
        /// `--max-state-calls`.
        max_held: usize,
    },
    /// Every call held to the end, then one detection (`--hold-all`, `--view calls`, and the
    /// seed search, which has no incidents).
    HoldAll,
}

/// Where and how the result is written.
pub struct Output {
    pub format: Format,
    pub view: View,
    pub colour: bool,
    pub path: Option<PathBuf>,
    /// Tables, CSV and the report hide the suppressed; machine formats carry every incident.
    pub hide_suppressed: bool,
    /// Tables, CSV and the report hide routine resets (`info`) unless `--show-routine`.
    pub hide_routine: bool,
    pub show_failed: bool,
    /// `--explain ID`: the explanation of one incident instead of the listing.
    pub explain: Option<String>,
}

/// A hunt, fully resolved.
pub struct HuntPlan {
    pub profile: Profile,
    pub tuning: Tuning,
    pub hec: Option<Hec>,
    pub inputs: Vec<Input>,
    pub reader: Reader,
    pub correlation: Correlation,
    pub output: Output,
    pub fail_on: Option<Severity>,
    pub allow_skips: bool,
    pub quiet: bool,
    pub progress: Option<indicatif::ProgressBar>,
    /// The correlation window.
    pub window: std::time::Duration,
    /// For the warnings: what the flags were.
    pub max_state_calls: usize,
    pub max_provenance: usize,
    pub allowed_lateness: std::time::Duration,
}

impl HuntPlan {
    /// Checks every flag and file that needs no network first (pack, tuning, HEC token and
    /// CA), then lists the inputs (object stores included).
    pub fn from_args(args: HuntArgs) -> anyhow::Result<HuntPlan> {
        let profile = choose(&args.pack)?;
        let tuning = tuning_cmd::load(&args.tuning)?;
        // Before the hunt: a missing token or a bad CA file fails now, not after the archives.
        let hec = crate::hec_cmd::prepare(&args.hec)?;
        if hec.is_some() && matches!(profile, Profile::SeedSpl) {
            anyhow::bail!("--hec-url sends incidents, and --rules seed-spl makes none (it prints the seed's rows)");
        }
        let inputs = expand_with(&args.paths, &args.remote, &mut io::stderr().lock())?;
        let limits = Limits {
            max_record_bytes: args.max_record_bytes,
            max_depth: args.max_depth,
        };
        let reader = Reader::new(selection(&profile), limits, args.threads)?;
        let progress = (!args.quiet && io::stderr().is_terminal()).then(|| progress_bar(&inputs));
        Ok(HuntPlan {
            correlation: correlation(&profile, &args),
            output: output(&args),
            fail_on: args.fail_on.map(|f| match f {
                FailOn::Review => Severity::Review,
                FailOn::Escalate => Severity::Escalate,
            }),
            allow_skips: args.allow_skips,
            quiet: args.quiet,
            window: args.window,
            max_state_calls: args.max_state_calls,
            max_provenance: args.max_provenance,
            allowed_lateness: args.allowed_lateness,
            profile,
            tuning,
            hec,
            inputs,
            reader,
            progress,
        })
    }

    /// Opens the output: the file given with `-o`, or stdout.
    pub fn open_output(&self) -> anyhow::Result<io::BufWriter<Box<dyn Write>>> {
        Ok(io::BufWriter::new(match &self.output.path {
            Some(path) => Box::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create `{}`", path.display()))?,
            ),
            None => Box::new(io::stdout().lock()),
        }))
    }
}

fn selection(profile: &Profile) -> Selection {
    match profile {
        Profile::Pack(pack) => Selection::for_pack(pack, false),
        Profile::SeedSpl => Selection {
            prefilter: Some(Prefilter::new(seed_spl::operations())),
            keep: Box::new(seed_spl::keeps),
            // The seed search reads raw fields and runs a regex over the whole record.
            keep_record: true,
            annotate_with: None,
        },
    }
}

fn correlation(profile: &Profile, args: &HuntArgs) -> Correlation {
    match profile {
        Profile::Pack(pack) if !args.hold_all && args.view != View::Calls => {
            // A stopped machine waits for its start over the whole run, as --hold-all does.
            let horizon = Horizon::new(pack, args.window, args.allowed_lateness)
                .with_provenance(std::time::Duration::MAX);
            let detector = Detector::new(pack.clone(), horizon).max_provenance(args.max_provenance);
            Correlation::TimeOrdered {
                detector: Box::new(match args.closing_from {
                    Some(n) => detector.settle_from(n),
                    None => detector,
                }),
                max_held: args.max_state_calls,
            }
        }
        _ => Correlation::HoldAll,
    }
}

fn output(args: &HuntArgs) -> Output {
    let format = match args.format {
        FormatArg::Table => Format::Table,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
        FormatArg::Ocsf => Format::Ocsf,
        FormatArg::Html => Format::Html,
    };
    let colour = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Output {
        hide_suppressed: !matches!(format, Format::Jsonl | Format::Ocsf)
            && !args.tuning.show_suppressed,
        hide_routine: !matches!(format, Format::Jsonl | Format::Ocsf) && !args.show_routine,
        format,
        view: args.view,
        colour,
        path: args.output.clone(),
        show_failed: args.show_failed,
        explain: args.explain.explain.clone(),
    }
}

/// Files, bytes (of input as stored), rate and ETA, on stderr when it is a terminal.
fn progress_bar(inputs: &[Input]) -> indicatif::ProgressBar {
    let total: u64 = inputs.iter().map(Input::stored_size).sum();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} ({msg})",
        )
        .expect("a valid template"),
    );
    bar.set_message(format!("{} files", inputs.len()));
    bar
}
