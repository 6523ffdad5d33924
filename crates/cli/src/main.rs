//! The revertwatch binary: parse arguments, run a command, map the result to an exit code.

mod args;
mod explain_cmd;
mod heap;
mod hec_cmd;
mod hunt;
mod inputs;
mod kit_cmd;
mod packs;
mod pipeline;
mod remote_cmd;
mod rules_cmd;
mod serve_cmd;
mod simulate_cmd;
mod summary;
mod tuning_cmd;

use clap::Parser;

// Hunts free many short-lived parse trees between the calls they keep; mimalloc keeps that
// from fragmenting the heap (measured: see docs/PERFORMANCE.md). Counted so that `serve` can
// tell held memory from memory the allocator keeps (`revertwatch_heap_bytes`).
#[global_allocator]
static ALLOCATOR: heap::Counted<mimalloc::MiMalloc> = heap::Counted(mimalloc::MiMalloc);

use args::{Cli, Command};

fn main() {
    heap::no_huge_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hunt(args) => hunt::run(*args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Config(args) => tuning_cmd::run(args),
        Command::Simulate(args) => simulate_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(*args),
        Command::Kit(args) => kit_cmd::run(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "revertwatch", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
            .render(&mut std::io::stdout())
            .map(|_| 0)
            .map_err(Into::into),
    };
    let code = match result {
        Ok(code) => code,
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            0
        }
        Err(e) => {
            eprintln!("revertwatch: error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}
