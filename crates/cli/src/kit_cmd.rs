//! `revertwatch kit`: the scenario scripts, printed. Nothing here runs a cloud command: the
//! user reads the script and runs it, and even then it is a dry run until `--execute`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use revertwatch_kit::{
    default_region, plan, region_word, render, Plan, Provider, RunId, Scenario, Settings, CLOUDS,
};

const KIT_EXAMPLES: &str = "\
Examples:
  # The scenarios, with the seed test each one carries out
  revertwatch kit

  # The full revert on AWS, as a script (a dry run until you pass it --execute)
  revertwatch kit full-revert --cloud aws -o full-revert-aws.sh
  bash full-revert-aws.sh              # prints the steps, runs nothing
  bash full-revert-aws.sh --execute    # performs it in your signed-in SANDBOX account

  # The telemetry each step should leave, without the script
  revertwatch kit stop-start --cloud gcp --telemetry";

#[derive(Debug, Args)]
#[command(after_help = KIT_EXAMPLES)]
pub struct KitArgs {
    /// The scenario to print (see the list that `revertwatch kit` prints).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// The cloud whose CLI the script uses.
    #[arg(long, value_enum)]
    pub cloud: Option<CloudArg>,

    /// The run id that every resource is tagged with: 4-24 lower-case letters, digits and
    /// hyphens, starting with a letter (default: a fresh `rwk-xxxxxxxx`).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,

    /// AWS region, Azure location or GCP zone (default: us-east-1, eastus, us-central1-a).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Write the script to this file (made executable) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print only (the default, and the only mode: `kit` never runs a cloud command, and the
    /// script it prints is itself a dry run until it is given `--execute`).
    #[arg(long)]
    pub dry_run: bool,

    /// Print the telemetry each step should leave, instead of the script.
    #[arg(long)]
    pub telemetry: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CloudArg {
    Aws,
    Azure,
    Gcp,
}

impl From<CloudArg> for Provider {
    fn from(c: CloudArg) -> Provider {
        match c {
            CloudArg::Aws => Provider::Aws,
            CloudArg::Azure => Provider::Azure,
            CloudArg::Gcp => Provider::Gcp,
        }
    }
}

pub fn run(args: KitArgs) -> anyhow::Result<i32> {
    let Some(name) = &args.scenario else {
        list(&mut io::stdout().lock())?;
        return Ok(0);
    };
    let scenario: Scenario = name.parse()?;
    let Some(cloud) = args.cloud.map(Provider::from) else {
        anyhow::bail!("choose the cloud: --cloud aws, --cloud azure or --cloud gcp");
    };
    let plan = plan(scenario, cloud);
    if args.telemetry {
        telemetry(&mut io::stdout().lock(), &plan)?;
        return Ok(0);
    }
    let run_id = match &args.run_id {
        Some(id) => id.parse::<RunId>()?,
        None => RunId::generate(),
    };
    let settings = Settings::new(cloud, run_id, args.region.as_deref())?;
    let script = render(&plan, &settings);
    match &args.output {
        None => io::stdout().lock().write_all(script.as_bytes())?,
        Some(path) => {
            std::fs::write(path, &script)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            make_executable(path)?;
            eprintln!(
                "revertwatch: wrote {} (run {}, {} {}). `bash {0}` is a dry run; \
                 `bash {0} --execute` performs it in your signed-in account: use a sandbox.",
                path.display(),
                settings.run_id,
                region_word(cloud),
                settings.region,
            );
        }
    }
    Ok(0)
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make `{}` executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}

fn list(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Scenario scripts: each one performs a revert in a sandbox with the cloud's own CLI,"
    )?;
    writeln!(
        out,
        "says the telemetry to expect at each step, and deletes everything it made on exit."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<28} {:<6} {:<9} CHAINS",
        "SCENARIO", "SEED", "SEVERITY"
    )?;
    for scenario in Scenario::ALL {
        let seed = scenario
            .seed_test()
            .map(|n| format!("test {n}"))
            .unwrap_or_else(|| "-".into());
        for cloud in CLOUDS {
            let p = plan(scenario, cloud);
            writeln!(
                out,
                "{:<28} {:<6} {:<9} {:<6} {}",
                scenario.name(),
                seed,
                p.severity,
                cloud.as_str(),
                p.chains.join(", ")
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Print one: revertwatch kit SCENARIO --cloud aws|azure|gcp [--run-id ID] [--region R] [-o FILE]"
    )?;
    writeln!(
        out,
        "Default regions: aws {}, azure {}, gcp {} (a zone).",
        default_region(Provider::Aws),
        default_region(Provider::Azure),
        default_region(Provider::Gcp)
    )?;
    Ok(())
}

fn telemetry(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    writeln!(
        out,
        "{} on {}: {}",
        plan.scenario,
        plan.cloud,
        plan.scenario.title()
    )?;
    for (i, step) in plan.steps.iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, step.title)?;
        for t in &step.telemetry {
            let chain = t
                .chain
                .map(|c| format!(" => chain {c}"))
                .unwrap_or_default();
            writeln!(out, "   {} {}{chain}", t.service, t.operation)?;
            writeln!(out, "      {}", t.detail)?;
        }
    }
    writeln!(
        out,
        "Expected incident: chains {}, severity {}.",
        plan.chains.join(", "),
        plan.severity
    )?;
    if let Some(sim) = plan.simulated_as {
        writeln!(
            out,
            "`revertwatch simulate` plants the same calls as its `{sim}` scenario."
        )?;
    }
    Ok(())
}
