//! The playbooks held against the rule pack: every chain the pack can produce has a guide and a
//! playbook, with a command on each cloud the chain occurs on; and every filled command keeps
//! hostile incident values inert.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use revertwatch_pack::playbook::{load_playbooks_str, PLACEHOLDERS};
use revertwatch_pack::{default_playbooks, load_default, Facts, PlaybookError, Provider};

/// Every chain label the default pack can give an incident, with the clouds it occurs on:
/// each entry's `chain` and `reached` labels, and `stop-start`, which detection composes from
/// a `stop` and a `start` on one target.
fn producible() -> BTreeMap<String, BTreeSet<Provider>> {
    let pack = load_default();
    let mut out: BTreeMap<String, BTreeSet<Provider>> = BTreeMap::new();
    for e in &pack.entries {
        for label in e.chain.iter().chain(e.reached.values()) {
            out.entry(label.clone()).or_default().insert(e.provider);
        }
    }
    let stops = out.get("stop").cloned().unwrap_or_default();
    let starts = out.get("start").cloned().unwrap_or_default();
    let both: BTreeSet<Provider> = stops.intersection(&starts).copied().collect();
    assert!(!both.is_empty());
    out.insert("stop-start".into(), both);
    out
}

#[test]
fn every_chain_the_pack_can_produce_has_a_guide_and_a_playbook() {
    let books = default_playbooks();
    let chains = producible();
    assert!(chains.len() >= 25, "{chains:?}");
    for (chain, clouds) in &chains {
        let guide = books
            .chain(chain)
            .unwrap_or_else(|| panic!("no guide or playbook for chain `{chain}`"));
        assert!(!guide.summary.trim().is_empty());
        assert!(
            !guide.investigate.is_empty(),
            "{chain}: nothing to investigate"
        );
        assert!(!guide.respond.is_empty(), "{chain}: nothing to do");
        for step in guide.investigate.iter().chain(&guide.respond) {
            let action = books.action(step).unwrap();
            for cloud in clouds {
                assert!(
                    action.command(*cloud).is_some(),
                    "chain `{chain}` occurs on {cloud}, but its step `{step}` has no {cloud} command"
                );
            }
        }
    }
}

#[test]
fn the_playbooks_hold_nothing_the_pack_cannot_produce() {
    let books = default_playbooks();
    let chains = producible();
    let mut used = BTreeSet::new();
    for guide in books.chains() {
        assert!(
            chains.contains_key(&guide.chain),
            "playbook for `{}`, which no pack entry produces",
            guide.chain
        );
        used.extend(guide.investigate.iter().chain(&guide.respond).cloned());
    }
    for action in books.actions() {
        assert!(
            used.contains(&action.name),
            "step `{}` is used by no chain",
            action.name
        );
    }
}

#[test]
fn the_guides_cover_what_an_analyst_needs_for_a_revert() {
    let books = default_playbooks();
    // the list: the actor's other calls, the replaced volume, the source snapshot; and
    // preserve the replaced volume, snapshot the current state, revoke the session
    let g = books.guide(&["stop-start".into(), "volume-from-snapshot-attached".into()]);
    let investigate: Vec<&str> = g.investigate.iter().map(|a| a.name.as_str()).collect();
    let respond: Vec<&str> = g.respond.iter().map(|a| a.name.as_str()).collect();
    for s in ["actor-activity", "replaced-disk", "snapshot-origin"] {
        assert!(investigate.contains(&s), "{investigate:?}");
    }
    for s in ["preserve-replaced", "snapshot-current", "revoke-session"] {
        assert!(respond.contains(&s), "{respond:?}");
    }
    // steps shared by the two chains are listed once
    assert_eq!(
        investigate
            .iter()
            .filter(|s| **s == "actor-activity")
            .count(),
        1
    );
    assert_eq!(g.summaries.len(), 2);
    let g = books.guide(&["my-own-chain".into()]);
    assert_eq!(g.missing, ["my-own-chain"]);
}

/// A scratch directory, removed on drop (the pack has no dev-dependencies to lean on).
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("revertwatch-pack-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A bin directory of stand-ins for the cloud CLIs: each writes its arguments, one per
/// line between markers, to `argv.log`.
fn recording_clis(dir: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for cli in ["aws", "az", "gcloud", "curl"] {
        let path = bin.join(cli);
        std::fs::write(
            &path,
            format!(
                "#!/bin/bash\nfor a in \"$@\"; do printf '<<%s>>\\n' \"$a\"; done >> '{}'\n",
                dir.join("argv.log").display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn every_filled_command_runs_with_hostile_values_as_plain_arguments() {
    let dir = TempDir::new("filled-commands");
    let bin = recording_clis(dir.path());
    let hostile = "x'\"; touch PWNED; $(touch PWNED2) `touch PWNED3` \n#";
    let mut facts = Facts::default();
    for name in PLACEHOLDERS {
        facts.set(name, &format!("{name}-{hostile}"));
    }
    let books = default_playbooks();
    let mut ran = 0;
    for action in books.actions() {
        for cloud in [Provider::Aws, Provider::Azure, Provider::Gcp] {
            let Some(template) = action.command(cloud) else {
                continue;
            };
            let filled = facts.fill(template);
            assert!(filled.missing.is_empty());
            let _ = std::fs::remove_file(dir.path().join("argv.log"));
            let out = Command::new("bash")
                .arg("-c")
                .arg(&filled.text)
                .current_dir(dir.path())
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{} ({cloud}) does not run:\n{}\n{}",
                action.name,
                filled.text,
                String::from_utf8_lossy(&out.stderr)
            );
            for marker in ["PWNED", "PWNED2", "PWNED3"] {
                assert!(
                    !dir.path().join(marker).exists(),
                    "{} ({cloud}): a value ran as code:\n{}",
                    action.name,
                    filled.text
                );
            }
            // each value reached the CLI whole, as (part of) one argument
            let log = std::fs::read_to_string(dir.path().join("argv.log")).unwrap_or_default();
            for name in PLACEHOLDERS {
                if template.contains(&format!("{{{{{name}}}}}")) {
                    assert!(
                        log.contains(&format!("{name}-{hostile}")),
                        "{} ({cloud}): `{name}` did not reach the CLI whole:\n{log}",
                        action.name
                    );
                }
            }
            ran += 1;
        }
    }
    assert!(ran >= 40, "only {ran} commands ran");
}

#[test]
fn broken_playbooks_are_refused_with_where_and_why() {
    let file = Path::new("p.toml");
    let step = "[step.a]\ntitle = \"t\"\nwhy = \"w\"\naws = \"echo {{target}}\"\n";
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                "{step}[chain.stop]\nsummary = \"s\"\ninvestigate = [\"a\"]\nrespond = [\"b\"]\n"
            ),
            "p.toml:5: chain `stop`: names the unknown step `b`",
        ),
        (
            "[step.a]\ntitle = \"t\"\nwhy = \"w\"\naws = \"echo '{{target}}'\"\n".into(),
            "p.toml:1: step `a`, aws command: `{{target}}` is inside single quotes",
        ),
        (
            "[step.a]\ntitle = \"t\"\nwhy = \"w\"\ngcp = \"echo {{who}}\"\n".into(),
            "p.toml:1: step `a`, gcp command: unknown placeholder `{{who}}`",
        ),
        (
            "[step.a]\ntitle = \"t\"\nwhy = \"w\"\n".into(),
            "p.toml:1: step `a`: has no command for any cloud",
        ),
        (
            format!("{step}[chain.stop]\nsummary = \"s\"\ninvestigate = []\nrespond = [\"a\"]\n"),
            "p.toml:5: chain `stop`: needs a summary",
        ),
        ("[step.a]\ntitle = \n".into(), "p.toml:2:"),
        ("[chain.x]\nsummery = \"s\"\n".into(), "p.toml:"),
    ];
    for (text, want) in cases {
        let err = load_playbooks_str(&text, file).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(want),
            "{msg:?} does not start with {want:?}"
        );
        assert!(!matches!(err, PlaybookError::Io { .. }));
    }
}
