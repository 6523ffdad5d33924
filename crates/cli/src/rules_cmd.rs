//! `revertwatch rules`: the catalog, for detection engineers.

use std::io::{self, Write};

use revertwatch_pack::{Condition, Entry, DEFAULT_PACK};

use crate::args::{RulesAction, RulesArgs};
use crate::packs::{choose, Profile};

/// Runs `rules` (list, explain, dump or export) and returns the exit code.
pub fn run(args: RulesArgs) -> anyhow::Result<i32> {
    let mut out = io::stdout().lock();
    if let Some(RulesAction::Dump) = args.action {
        out.write_all(DEFAULT_PACK.as_bytes())?;
        return Ok(0);
    }
    let Profile::Pack(pack) = choose(&args.pack)? else {
        seed_lists(&mut out)?;
        return Ok(0);
    };
    match args.action {
        None => list(&mut out, &pack)?,
        Some(RulesAction::Explain { operation }) => {
            let found: Vec<&Entry> = pack
                .entries
                .iter()
                .filter(|e| {
                    pack.entries_for(e.provider, &operation)
                        .any(|x| std::ptr::eq(x, *e))
                })
                .collect();
            if found.is_empty() {
                eprintln!(
                    "revertwatch: no entry for `{operation}`; `revertwatch rules` lists them all"
                );
                return Ok(2);
            }
            for e in found {
                explain(&mut out, e)?;
            }
        }
        Some(RulesAction::Dump) => {}
        Some(RulesAction::Export { format: _, dir }) => {
            let n = revertwatch_report::sigma::export(&pack, &dir)?;
            eprintln!("revertwatch: wrote {n} Sigma rules to {}", dir.display());
        }
    }
    Ok(0)
}

/// `--rules seed-spl` has no pack: its lists are the seed's own.
fn seed_lists(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "seed-spl is the seed Splunk search transcribed; its lists are:"
    )?;
    writeln!(
        out,
        "  AWS:   {}",
        revertwatch_detect::seed_spl::AWS_EVENTS.join(", ")
    )?;
    writeln!(
        out,
        "  Azure: {}",
        revertwatch_detect::seed_spl::AZURE_OPERATIONS.join(", ")
    )
}

fn list(out: &mut dyn Write, pack: &revertwatch_pack::Pack) -> io::Result<()> {
    writeln!(
        out,
        "{:<6} {:<17} {:<34} OPERATION",
        "CLOUD", "SIGNAL", "CHAIN"
    )?;
    for e in &pack.entries {
        let chain = e.chain.as_deref().unwrap_or("-");
        let when = if e.when.is_empty() {
            ""
        } else {
            "  (conditional)"
        };
        writeln!(
            out,
            "{:<6} {:<17} {:<34} {}{when}",
            e.provider.as_str(),
            e.signal.as_str(),
            chain,
            e.name
        )?;
    }
    writeln!(
        out,
        "\n{} entries from {}. `revertwatch rules explain OPERATION` shows one in full;\n`revertwatch rules dump` prints the default pack to copy and extend (--add-rules FILE).",
        pack.entries.len(),
        pack.source
    )
}

fn explain(out: &mut dyn Write, e: &Entry) -> io::Result<()> {
    writeln!(out, "{} {} (pack line {})", e.provider, e.name, e.line)?;
    writeln!(out, "  {}", e.description)?;
    writeln!(out, "  signal:   {}", e.signal.as_str())?;
    for c in &e.when {
        writeln!(out, "  when:     {}", condition(c))?;
    }
    if !e.when.is_empty() {
        writeln!(out, "            (otherwise the call is only a link)")?;
    }
    if let Some(chain) = &e.chain {
        writeln!(out, "  chain:    {chain}")?;
    }
    for (relation, label) in &e.reached {
        writeln!(out, "  reached:  via {relation} -> {label}")?;
    }
    writeln!(out, "  subject:  {}", e.subject)?;
    for (role, spec) in &e.resources {
        writeln!(
            out,
            "  resource: {role} ({}) at {}",
            spec.kind,
            paths(&spec.paths)
        )?;
    }
    for edge in &e.edges {
        writeln!(
            out,
            "  edge:     {} -[{}]-> {}",
            edge.from, edge.relation, edge.to
        )?;
        for c in &edge.when {
            writeln!(out, "            when {}", condition(c))?;
        }
    }
    writeln!(out)
}

fn condition(c: &Condition) -> String {
    match c {
        Condition::Present(p) => format!("has a value at {}", paths(p)),
        Condition::AnyOf(p, v) => format!("{} is one of {}", paths(p), v.join(", ")),
        Condition::ContainsAny(p, v) => {
            format!("{} contains one of {}", paths(p), v.join(", "))
        }
    }
}

fn paths(p: &[revertwatch_pack::FieldPath]) -> String {
    p.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" | ")
}
