//! The revertwatch binary: parse arguments, run a command, map the result to an exit code.

mod args;
mod hunt;
mod inputs;
mod packs;
mod pipeline;
mod rules_cmd;
mod summary;
mod tuning_cmd;

use clap::Parser;

use args::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hunt(args) => hunt::run(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Config(args) => tuning_cmd::run(args),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("revertwatch: error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}
