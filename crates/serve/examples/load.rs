//! Load driver for `revertwatch serve` (scripts/bench-serve runs it): replays a simulated
//! corpus in event-time order over HEC and/or JetStream at a fixed rate, watches the alerts
//! file, `/metrics` and the server's RSS, and reports sustained events/s and the latency from
//! sending the record that completes an incident to its alert line appearing.
//!
//!     cargo run --release -p revertwatch-serve --example load -- prepare --corpus DIR --feed F
//!     cargo run --release -p revertwatch-serve --example load -- stream --nats URL --stream S
//!     cargo run --release -p revertwatch-serve --example load -- run --feed F --rate 5000 ...
//!     cargo run --release -p revertwatch-serve --example load -- verify ...
//!     cargo run --release -p revertwatch-serve --example load -- table REPORT.json...
//!     cargo run --release -p revertwatch-serve --example load -- memory REPORT.json --feed F
//!
//! Every request goes to the addresses it is given (loopback in the bench); every loop is
//! bounded by `--duration` and `--drain`.

#[path = "load/feed.rs"]
mod feed;
#[path = "load/memory.rs"]
mod memory;
#[path = "load/observe.rs"]
mod observe;
#[path = "load/publish.rs"]
mod publish;
#[path = "load/report.rs"]
mod report;
#[path = "load/run.rs"]
mod run;
#[path = "load/send.rs"]
mod send;
#[path = "load/verify.rs"]
mod verify;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

pub type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser)]
#[command(about = "Load driver for `revertwatch serve`")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Order a simulated corpus by event time into a feed file.
    Prepare {
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long)]
        feed: PathBuf,
    },
    /// (Re)create the JetStream stream the feed is published to (`cloudlogs.>`).
    Stream {
        #[arg(long)]
        nats: String,
        #[arg(long)]
        stream: String,
    },
    /// Send the feed at a fixed rate and measure.
    Run(run::RunArgs),
    /// Check a finished run: nothing lost, nothing duplicated, the same incidents as `hunt`.
    Verify(verify::VerifyArgs),
    /// Print run reports as a Markdown table.
    Table { reports: Vec<PathBuf> },
    /// Judge a finished run's memory again (the like-for-like checks of `verify`, and RSS by
    /// simulated day), from its report and feed alone.
    Memory {
        report: PathBuf,
        #[arg(long)]
        feed: PathBuf,
        #[arg(long, default_value_t = 0.10)]
        tolerance: f64,
        /// serve's --keep-closed, when shorter than the run: state fills for that long.
        #[arg(long, value_parser = parse_duration)]
        keep_closed: Option<Duration>,
    },
    /// Print a run's RSS and state samples as a Markdown table.
    Series {
        report: PathBuf,
        /// Seconds between rows.
        #[arg(long, default_value_t = 30.0)]
        every: f64,
    },
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e}"))
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Prepare { corpus, feed } => feed::prepare(&corpus, &feed),
        Command::Stream { nats, stream } => run::create_stream(&nats, &stream),
        Command::Run(args) => run::run(args),
        Command::Verify(args) => verify::verify(args),
        Command::Table { reports } => report::table(&reports),
        Command::Memory {
            report,
            feed,
            tolerance,
            keep_closed,
        } => memory::rejudge(&report, &feed, tolerance, keep_closed),
        Command::Series { report, every } => report::series(&report, every),
    };
    if let Err(e) = result {
        eprintln!("load: error: {e}");
        std::process::exit(1);
    }
}
