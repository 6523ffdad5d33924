//! Loading tuning for a hunt, and `revertwatch config`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use revertwatch_tuning::{apply, builtins, load_file, Applied, Tuning};

use crate::args::{ConfigAction, ConfigArgs, TuningArgs};
use crate::inputs::expand;
use crate::packs::{choose, Profile};
use crate::pipeline;
use revertwatch_normalize::Selection;

/// The default tuning file, when one exists.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REVERTWATCH_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))?;
    let p = base.join("revertwatch/tuning.toml");
    p.is_file().then_some(p)
}

pub fn load(args: &TuningArgs) -> anyhow::Result<Tuning> {
    let file = args.config.clone().or_else(default_path);
    let user = match &file {
        Some(f) => load_file(f)?,
        None => Tuning::default(),
    };
    let known = revertwatch_tuning::builtin_names();
    for name in &args.disable_builtin {
        if !known.contains(name) {
            anyhow::bail!(
                "--disable-builtin {name}: no such built-in; `revertwatch config builtins` lists them"
            );
        }
    }
    // A typo here would leave on the built-in its author meant to switch off, in silence.
    for name in &user.disabled {
        if !known.contains(name) {
            anyhow::bail!(
                "{}: [defaults] disable names `{name}`, which is no built-in; `revertwatch config builtins` lists them",
                file.as_deref().map_or("tuning".into(), |f| f.display().to_string())
            );
        }
    }
    Ok(if args.no_default_tuning {
        user
    } else {
        user.with_builtins(&args.disable_builtin)
    })
}

pub fn run(args: ConfigArgs) -> anyhow::Result<i32> {
    let mut out = io::stdout().lock();
    match args.action {
        ConfigAction::Builtins => {
            for r in builtins() {
                writeln!(out, "{:<28} {:<9} {}", r.name, r.action.as_str(), r.reason)?;
            }
            Ok(0)
        }
        ConfigAction::Check {
            file,
            logs,
            pack,
            window,
        } => {
            let tuning = load_file(&file).with_context(|| format!("in {}", file.display()))?;
            let today = chrono::Utc::now().date_naive();
            writeln!(out, "{}: {} rules", file.display(), tuning.rules.len())?;
            for r in &tuning.rules {
                let state = match r.expires {
                    Some(d) if d < today => format!("EXPIRED {d}"),
                    Some(d) => format!("expires {d}"),
                    None => "no expiry".into(),
                };
                writeln!(
                    out,
                    "  {:<28} {:<9} {:<20} {}",
                    r.name,
                    r.action.as_str(),
                    state,
                    r.reason
                )?;
            }
            if logs.is_empty() {
                return Ok(0);
            }
            let Profile::Pack(pack) = choose(&pack)? else {
                anyhow::bail!("config check needs a rule pack, not seed-spl");
            };
            let reports =
                pipeline::Reader::new(Selection::for_pack(&pack, false), Default::default(), None)?
                    .read(&expand(&logs)?, None);
            let calls = reports.into_iter().flat_map(|r| r.calls).collect();
            let mut incidents = pipeline::detect_incidents(calls, &pack, window).1.incidents;
            let applied: Applied = apply(&mut incidents, &tuning, today);
            let mut unused = 0;
            for u in &applied.uses {
                let what = if u.expired {
                    "expired: matches nothing".to_string()
                } else if u.applied == 0 && u.refused == 0 {
                    unused += 1;
                    "UNUSED: matched no incident in these logs".to_string()
                } else {
                    format!(
                        "{} {} ({} matched only in part)",
                        u.action.as_str(),
                        u.applied,
                        u.refused
                    )
                };
                writeln!(out, "  {:<28} {what}", u.name)?;
            }
            writeln!(
                out,
                "{} incidents in the logs; {unused} unused rules",
                incidents.len()
            )?;
            Ok(0)
        }
    }
}
