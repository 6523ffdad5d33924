//! The command line, defined once: help, and later the man page and completions, come from here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod serve;

pub use serve::ServeArgs;

const EXAMPLES: &str = "\
Examples:
  # Hunt a CloudTrail archive (S3 layout, .json.gz) and an Azure export together
  revertwatch hunt ./AWSLogs ./azure-activity.json

  # One JSON object per incident, for a SIEM or jq
  revertwatch hunt ./logs --format jsonl

  # The Splunk seed detection's own per-event rows, to compare with a Splunk search
  revertwatch hunt ./logs --rules seed-spl

  # Per-event rows of the default pack, each with its incident id, as CSV
  revertwatch hunt ./logs --view events --format csv

  # Hunt CloudTrail where it lands, the last week only (S3; az:// and gs:// work too)
  revertwatch hunt s3://trail-bucket --since 7d

  # Read from a pipe
  zcat trail.json.gz | revertwatch hunt -

  # What the rule pack knows, and one entry in full
  revertwatch rules
  revertwatch rules explain CreateVolume

Exit codes: 0 ran; 1 --fail-on matched; 2 usage or configuration error;
3 ran, but some input was skipped as unreadable (see stderr; --allow-skips makes it 0).";

/// Find cloud instance reverts (MITRE ATT&CK T1578.004) in AWS CloudTrail, Azure Activity Log
/// and GCP Cloud Audit Logs.
///
/// An attacker who restores a disk or instance from an old snapshot, or stops and starts it to
/// wipe ephemeral storage, destroys the evidence of what they did. revertwatch follows resource
/// lineage (snapshot -> volume/disk/image -> instance/VM) across calls and reports each revert
/// as one incident: one signal is `review`, a restore plus a reset on one machine is `escalate`.
#[derive(Debug, Parser)]
#[command(name = "revertwatch", version, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Hunt log files, directories and stdin for reverts.
    #[command(after_help = EXAMPLES)]
    Hunt(Box<HuntArgs>),
    /// List the rule pack, or explain one operation.
    Rules(RulesArgs),
    /// Check a tuning file, or list the built-in tuning.
    Config(ConfigArgs),
    /// Write realistic simulated telemetry with planted reverts and look-alikes, and a
    /// ground-truth file listing each planted scenario and the incident it must produce.
    #[command(after_help = SIMULATE_EXAMPLES)]
    Simulate(SimulateArgs),
    /// Detect reverts live: a Splunk-HEC-compatible receiver and NATS JetStream consumer, with
    /// state on disk and alerts when an incident opens or escalates.
    Serve(Box<ServeArgs>),
    /// Print runnable scenario scripts (aws, az, gcloud) with cleanup, to prove the detection
    /// in a sandbox account.
    Kit(crate::kit_cmd::KitArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `revertwatch man > revertwatch.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct HuntArgs {
    /// Files and directories (read recursively) to hunt; `-` reads stdin; s3://bucket/prefix,
    /// az://container[@account]/prefix and gs://bucket/prefix hunt object stores where the logs
    /// live (see the object-store options below). Containers and gzip are recognised from
    /// content: CloudTrail S3 files, JSON Lines, arrays, EventBridge,
    /// CloudWatch Logs subscriptions, lookup-events, Splunk exports, Azure Event Hub, REST,
    /// az CLI and SDK forms, GCP LogEntry and Pub/Sub.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub pack: PackArgs,

    #[command(flatten)]
    pub tuning: TuningArgs,

    /// Output format: `table` for people, `jsonl` and `csv` for tools, `ocsf` (OCSF 1.x
    /// Detection Finding, class 2004, one JSON object per line) for Security Lake and SIEMs,
    /// `html` for a self-contained incident report (use with -o).
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub hec: HecArgs,

    /// `incidents` groups calls into reverts; `events` is the seed's per-event table, each row
    /// with its incident id; `calls` prints every normalized call the pack matched (JSON Lines),
    /// to see what was parsed.
    #[arg(long, value_enum, default_value_t = View::Incidents)]
    pub view: View,

    /// How far apart the calls of one revert may be (e.g. 90m, 6h, 2d). Each lineage hop and
    /// each gap between calls on one machine must fit in it.
    #[arg(long, value_name = "DURATION", default_value = "6h", value_parser = parse_duration)]
    pub window: Duration,

    /// How much older than its file's place in the archive a record may be. Files are read in
    /// the time order their paths give (CloudTrail file names, Azure `y=/m=/d=/h=` and GCS
    /// sink folders, any `YYYY/MM/DD` folders), and an incident is let go once it is more than
    /// one window per lineage hop the rule pack chains, plus one (three with the default pack),
    /// behind the oldest file still to read, less this. Records that arrive later than that
    /// are counted in a warning. CloudTrail delivers within about 15 minutes.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub allowed_lateness: Duration,

    /// Hold every call until the end, so that no file order can change the result: for
    /// archives whose paths do not tell time or whose files hold many days each. Memory grows
    /// with the calls the pack matches (about 2 KB each). `--view calls` implies it.
    #[arg(long)]
    pub hold_all: bool,

    /// Most candidate calls held for correlation (about 2 KB each). Past it, incidents that can
    /// no longer change at the newest call are closed whatever the file order, and then the oldest
    /// calls are let go, with a counted warning: a safety valve for input out of time order.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub max_state_calls: usize,

    /// Most resources whose origin (the snapshot a volume was made from, what a snapshot was
    /// taken of) is kept for the whole hunt, so that a restore made long before the swap that
    /// uses it still joins the machine's incident. Past it the oldest are dropped, counted.
    #[arg(long, value_name = "N", default_value_t = revertwatch_detect::DEFAULT_MAX_PROVENANCE)]
    pub max_provenance: usize,

    /// Close incidents at every batch of files once this many calls are held (tests use it to
    /// exercise closing on small inputs).
    #[arg(long, hide = true, value_name = "CALLS")]
    pub closing_from: Option<usize>,

    /// Also list failed attempts (they never raise a score).
    #[arg(long)]
    pub show_failed: bool,

    /// Also list routine resets in tables, CSV and the HTML report. A reset is routine (severity
    /// `info`) when the same identity (the role a session was issued from, never its session
    /// name) made the same stop or start on the same machine, at about the same time of day
    /// (±90 minutes), on at least 3 earlier days of the 28 before, and the incident has no
    /// restore: an owner's evening stop and morning start. They are counted in the summary and
    /// always in jsonl and ocsf, with their evidence (`routine`).
    #[arg(long)]
    pub show_routine: bool,

    /// Exit 1 when an incident at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Exit 0 even when some input was skipped as unreadable (it is still reported).
    #[arg(long)]
    pub allow_skips: bool,

    /// Skip (and report) records larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_record_bytes: usize,

    /// Skip (and report) records nested deeper than this (real audit records nest about ten
    /// levels; the decoder counts depth, never recurses).
    #[arg(long, value_name = "LEVELS", default_value_t = 128)]
    pub max_depth: u32,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// No summary line and no progress bar on stderr (skipped input is still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Colour in tables: `auto` (on a terminal, unless NO_COLOR is set), `always` or `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub remote: crate::remote_cmd::RemoteArgs,

    #[command(flatten)]
    pub explain: crate::explain_cmd::ExplainArgs,
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// Rule pack: `default`, `seed-spl` (the seed Splunk search, row for row), or a TOML file
    /// that replaces the default pack. See `revertwatch rules`.
    #[arg(long, value_name = "PACK", default_value = "default")]
    pub rules: String,

    /// A TOML pack file applied on top of the chosen pack: its entries replace the pack's
    /// entries for the same operations and add new ones. May be repeated.
    #[arg(long, value_name = "FILE")]
    pub add_rules: Vec<PathBuf>,
}

const SIMULATE_EXAMPLES: &str = "\
Examples:
  # 100 MB across all clouds and containers, then hunt it (the ground truth is beside the logs)
  revertwatch simulate --out /tmp/sim
  revertwatch hunt /tmp/sim/aws /tmp/sim/azure /tmp/sim/gcp

  # A 1 GB CloudTrail archive in the S3 layout (.json.gz), two accounts, a month
  revertwatch simulate --out /tmp/ct --size 1GB --containers aws-s3-gz \\
      --aws-accounts 111122223333,444455556666 --start 2026-02-01 --days 28";

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Directory to write into (created; existing files are left in place).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Total uncompressed size of the logs: 500MB, 5GB, 1.5G, or bytes.
    #[arg(long, default_value = "100MB", value_parser = parse_size)]
    pub size: u64,
    /// Seed: the same seed and options write the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First day (YYYY-MM-DD or RFC 3339, UTC).
    #[arg(long, default_value = "2026-03-01")]
    pub start: String,
    /// Number of days to spread the logs over.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Clouds to write (aws, azure, gcp); default: those of --containers, or all.
    #[arg(long, value_delimiter = ',')]
    pub clouds: Vec<String>,
    /// Containers to write: aws-s3-gz, aws-jsonl, azure-eventhub, azure-rest, gcp-jsonl; default: all
    /// of the chosen clouds.
    #[arg(long, value_delimiter = ',')]
    pub containers: Vec<String>,
    /// AWS account ids.
    #[arg(long, value_delimiter = ',', default_value = "111122223333")]
    pub aws_accounts: Vec<String>,
    /// AWS regions.
    #[arg(long, value_delimiter = ',', default_value = "us-east-1,us-west-2")]
    pub aws_regions: Vec<String>,
    /// Azure subscription ids.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
    )]
    pub azure_subscriptions: Vec<String>,
    /// GCP project ids.
    #[arg(long, value_delimiter = ',', default_value = "acme-prod")]
    pub gcp_projects: Vec<String>,
    /// Background noise only: plant no scenarios.
    #[arg(long)]
    pub no_scenarios: bool,
    /// An estate with habits, to measure the review queue (issue 17): dev boxes their owners
    /// stop every weekday evening and start every morning (±30 min), prod servers on
    /// Instance Scheduler v3 / Azure Automation / GCP instance schedules, one patch night,
    /// DLM's daily and a person's weekly snapshot copies, AWS Backup restore testing, Auto
    /// Scaling, a few one-off stop/starts a day, and six planted reverts (one prepared the day
    /// before, one deleting the replaced volume, one by a dev box's owner) instead of the usual
    /// scenarios. Use with --days 14; see scripts/review-queue.
    #[arg(long)]
    pub habits: bool,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 500MB, 5GB or 1.5G"))?;
    let scale = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "K" | "KB" => 1e3,
        "M" | "MB" => 1e6,
        "G" | "GB" => 1e9,
        "T" | "TB" => 1e12,
        "KIB" => 1024.0,
        "MIB" => 1024.0 * 1024.0,
        "GIB" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}` (use B, KB, MB, GB, TB, or KiB, MiB, GiB)"
            ))
        }
    };
    Ok((n * scale) as u64)
}

/// Sending incidents to Splunk's HTTP Event Collector, beside the normal output.
#[derive(Debug, Args)]
pub struct HecArgs {
    /// Send incidents to this Splunk HEC (e.g. https://splunk.example.com:8088); they go to
    /// /services/collector/event with sourcetype revertwatch:incident. The token comes from
    /// --hec-token-file or $REVERTWATCH_HEC_TOKEN, never from a flag.
    #[arg(long, value_name = "URL")]
    pub hec_url: Option<String>,
    /// File holding the HEC token (one line).
    #[arg(long, value_name = "FILE")]
    pub hec_token_file: Option<PathBuf>,
    /// HEC index to write to (default: the token's default index).
    #[arg(long, value_name = "INDEX")]
    pub hec_index: Option<String>,
    /// Extra CA certificate (PEM) to trust for the HEC's TLS, e.g. a private CA.
    #[arg(long, value_name = "FILE")]
    pub hec_ca: Option<PathBuf>,
    /// Incidents per HEC request.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub hec_batch: usize,
}

#[derive(Debug, Args)]
pub struct TuningArgs {
    /// Tuning file (TOML) of suppress/downgrade rules. Default: $REVERTWATCH_CONFIG, else
    /// $XDG_CONFIG_HOME/revertwatch/tuning.toml (~/.config/revertwatch/tuning.toml) if it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Switch off all built-in tuning (backup services, schedulers, auto scaling, chaos tools),
    /// to see everything it hides.
    #[arg(long)]
    pub no_default_tuning: bool,

    /// Switch off one built-in tuning rule (see `revertwatch config builtins`). May be repeated.
    #[arg(long, value_name = "NAME")]
    pub disable_builtin: Vec<String>,

    /// Show suppressed incidents in tables and CSV too (JSON always has them, with
    /// `suppressed_by`).
    #[arg(long)]
    pub show_suppressed: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate a tuning file; with logs, also say which rules matched nothing in them.
    Check {
        /// The tuning file.
        file: PathBuf,
        /// Logs to try the rules on (files, directories, `-`).
        #[arg(value_name = "LOGS")]
        logs: Vec<PathBuf>,
        #[command(flatten)]
        pack: PackArgs,
        /// Correlation window, as for hunt.
        #[arg(long, value_name = "DURATION", default_value = "6h", value_parser = parse_duration)]
        window: Duration,
    },
    /// List the built-in tuning rules and their reasons.
    Builtins,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,

    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Show every entry for one operation (e.g. CreateVolume,
    /// Microsoft.Compute/disks/write, compute.disks.insert).
    Explain {
        /// The operation, as the provider names it.
        operation: String,
    },
    /// Print the default pack's TOML, to copy and edit.
    Dump,
    /// Write the pack's single-event signals as rules for other tools.
    Export {
        /// What to write: `sigma` (one YAML rule per operation signal).
        #[arg(long, value_enum, default_value_t = ExportFormat::Sigma)]
        format: ExportFormat,
        /// Directory to write the rules into (created if missing).
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Sigma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Jsonl,
    Csv,
    Ocsf,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum View {
    Incidents,
    Events,
    Calls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Review,
    Escalate,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration like 90m, 6h or 2d: {e}"))
}
