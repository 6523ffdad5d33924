//! Every `revertwatch ...` command shown in README.md and docs/*.md still parses: each
//! subcommand exists and each flag it names is one that subcommand's `--help` lists. Failures
//! are reported all at once, each with its doc file and line. README.md stays a front door of
//! at most 10,000 bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const README_MAX_BYTES: u64 = 10_000;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// README.md and every docs/*.md, as (path relative to the workspace, text).
fn doc_files() -> Vec<(String, String)> {
    let root = workspace();
    let mut paths = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ is readable")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| PathBuf::from("docs").join(p.file_name().unwrap()))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|rel| {
            let text = std::fs::read_to_string(root.join(&rel))
                .unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            (rel.display().to_string(), text)
        })
        .collect()
}

/// One logical shell line from a fenced code block: its first line number (1-based) and text,
/// with `\` continuations joined and a leading `$ ` prompt removed.
#[derive(Debug)]
struct ShellLine {
    line: usize,
    text: String,
}

fn fenced_shell_lines(text: &str) -> Vec<ShellLine> {
    let mut out = Vec::new();
    let mut block: Option<Vec<(usize, &str)>> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            match block.take() {
                Some(lines) => out.extend(logical_lines(&lines)),
                None => block = Some(Vec::new()),
            }
            continue;
        }
        if let Some(lines) = block.as_mut() {
            lines.push((i + 1, raw));
        }
    }
    out
}

fn logical_lines(block: &[(usize, &str)]) -> Vec<ShellLine> {
    // A block that shows prompts (`$ cmd`) holds output too: only the prompted lines count.
    let prompted = block.iter().any(|(_, l)| l.trim_start().starts_with("$ "));
    let mut out = Vec::new();
    let mut current: Option<ShellLine> = None;
    for &(n, raw) in block {
        let mut piece = raw.trim().to_string();
        if current.is_none() {
            if let Some(rest) = piece.strip_prefix("$ ") {
                piece = rest.to_string();
            } else if prompted {
                continue;
            }
        }
        let continued = piece.ends_with('\\');
        if continued {
            piece.pop();
        }
        let line = current.get_or_insert(ShellLine {
            line: n,
            text: String::new(),
        });
        if !line.text.is_empty() {
            line.text.push(' ');
        }
        line.text.push_str(piece.trim());
        if !continued {
            out.push(current.take().unwrap());
        }
    }
    out.extend(current);
    out
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    /// `|`, `||`, `&&`, `;`, `&`: the end of one simple command.
    Sep,
}

/// A small shell lexer: quotes, backslash escapes, comments, command separators and
/// redirections (dropped together with their target).
fn lex(line: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut drop_next_word = false;
    let mut chars = line.chars().peekable();

    fn finish(toks: &mut Vec<Tok>, word: &mut String, in_word: &mut bool, drop: &mut bool) {
        if *in_word {
            if *drop {
                *drop = false;
            } else {
                toks.push(Tok::Word(std::mem::take(word)));
            }
        }
        word.clear();
        *in_word = false;
    }

    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word)
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            '|' | ';' => {
                finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word);
                while matches!(chars.peek(), Some('|') | Some('&') | Some(';')) {
                    chars.next();
                }
                toks.push(Tok::Sep);
            }
            '&' if chars.peek() == Some(&'>') => {
                // `&>file`: both streams to a file.
                finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word);
                chars.next();
                if chars.peek() == Some(&'>') {
                    chars.next();
                }
                drop_next_word = true;
            }
            '&' => {
                finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word);
                if chars.peek() == Some(&'&') {
                    chars.next();
                }
                toks.push(Tok::Sep);
            }
            '>' | '<' => {
                // `2>` names a file descriptor, not an argument.
                if in_word && word.chars().all(|c| c.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word);
                while matches!(chars.peek(), Some('>') | Some('<')) {
                    chars.next();
                }
                if chars.peek() == Some(&'&') {
                    // `2>&1`: a descriptor, no file to drop.
                    chars.next();
                    while matches!(chars.peek(), Some(c) if c.is_ascii_digit() || *c == '-') {
                        chars.next();
                    }
                } else {
                    drop_next_word = true;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish(&mut toks, &mut word, &mut in_word, &mut drop_next_word);
    toks
}

/// The arguments after `revertwatch` in each simple command of a line that runs it.
fn revertwatch_invocations(line: &str) -> Vec<Vec<String>> {
    let toks = lex(line);
    let mut out = Vec::new();
    for segment in toks.split(|t| *t == Tok::Sep) {
        let mut words: Vec<&str> = segment
            .iter()
            .map(|t| match t {
                Tok::Word(w) => w.as_str(),
                Tok::Sep => unreachable!(),
            })
            .collect();
        // Environment prefixes (`MIMALLOC_PURGE_DELAY=0 revertwatch ...`) and wrappers.
        loop {
            match words.first() {
                Some(w) if is_assignment(w) => {
                    words.remove(0);
                }
                Some(&("time" | "env" | "sudo" | "exec" | "nohup" | "command")) => {
                    words.remove(0);
                    while words.first().is_some_and(|w| w.starts_with('-')) {
                        words.remove(0);
                    }
                }
                _ => break,
            }
        }
        let Some(&program) = words.first() else {
            continue;
        };
        if program == "revertwatch" || program.ends_with("/revertwatch") {
            out.push(words[1..].iter().map(|s| s.to_string()).collect());
        } else if program == "cargo" && words.get(1) == Some(&"run") {
            // `cargo run [cargo flags] -- ARGS` runs the binary with ARGS.
            if let Some(dd) = words.iter().position(|w| *w == "--") {
                out.push(words[dd + 1..].iter().map(|s| s.to_string()).collect());
            }
        }
    }
    out
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// What one (sub)command's `--help` says it accepts.
#[derive(Debug, Default)]
struct Help {
    /// Every `--long` and `-s` option, and whether it takes a value.
    options: BTreeMap<String, bool>,
    subcommands: BTreeSet<String>,
    /// Whether it takes positional arguments besides a subcommand.
    positionals: bool,
}

fn help_for<'a>(path: &[String], cache: &'a mut BTreeMap<Vec<String>, Help>) -> &'a Help {
    if !cache.contains_key(path) {
        let out = Command::new(env!("CARGO_BIN_EXE_revertwatch"))
            .args(path)
            .arg("--help")
            .env("NO_COLOR", "1")
            .output()
            .expect("run revertwatch --help");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "revertwatch {} --help failed: {}",
            path.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        cache.insert(path.to_vec(), parse_help(&text));
    }
    &cache[path]
}

fn parse_help(text: &str) -> Help {
    let mut help = Help::default();
    let mut section = "";
    for line in text.lines() {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            // `revertwatch rules [OPTIONS] [COMMAND]`, `revertwatch hunt [OPTIONS] [PATHS]...`
            help.positionals |= usage.split_whitespace().any(|w| {
                (w.starts_with('<') || w.starts_with('['))
                    && !matches!(
                        w.trim_end_matches("..."),
                        "[OPTIONS]" | "<COMMAND>" | "[COMMAND]"
                    )
            });
            continue;
        }
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line;
            continue;
        }
        let trimmed = line.trim_start();
        if section == "Commands:" && line.starts_with("  ") && !line.starts_with("      ") {
            if let Some(name) = trimmed.split_whitespace().next() {
                help.subcommands.insert(name.to_string());
            }
        }
        // Option lines: `  -o, --output <FILE>`, `      --window <DURATION>`, `  -q, --quiet`.
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && (2..=6).contains(&indent) {
            let head = trimmed.split("  ").next().unwrap_or("");
            let takes_value = head.contains('<') || head.contains('[');
            for word in head.split([',', ' ', '=']) {
                if word.starts_with('-') && word.len() > 1 {
                    help.options.insert(word.to_string(), takes_value);
                }
            }
        }
    }
    help
}

fn shown(path: &[String]) -> String {
    std::iter::once("revertwatch".to_string())
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks one invocation; returns what is wrong with it.
fn check(args: &[String], cache: &mut BTreeMap<Vec<String>, Help>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut positional_seen = false;
    let mut i = 0;
    let mut options_ended = false;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let help = help_for(&path, cache);
        if !options_ended && arg == "--" {
            options_ended = true;
            continue;
        }
        if !options_ended && arg.starts_with("--") {
            let name = arg.split('=').next().unwrap();
            match help.options.get(name) {
                None => problems.push(format!("`{}` has no flag {name}", shown(&path))),
                Some(&takes_value) => {
                    if takes_value && !arg.contains('=') {
                        i += 1;
                    }
                }
            }
            continue;
        }
        if !options_ended
            && arg.len() > 1
            && arg.starts_with('-')
            && arg.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic())
        {
            let name = &arg[..2];
            match help.options.get(name) {
                None => problems.push(format!("`{}` has no flag {name}", shown(&path))),
                Some(&takes_value) => {
                    if takes_value && arg.len() == 2 {
                        i += 1;
                    }
                }
            }
            continue;
        }
        if !positional_seen && help.subcommands.contains(arg.as_str()) {
            path.push(arg.clone());
            continue;
        }
        if !help.positionals {
            problems.push(format!(
                "`{}` has no subcommand {arg:?} (it has: {})",
                shown(&path),
                help.subcommands
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            // Nothing after an unknown subcommand can be checked.
            break;
        }
        positional_seen = true;
    }
    problems
}

#[test]
fn every_command_in_the_docs_still_parses() {
    let mut cache = BTreeMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut checked_readme = 0;
    for (file, text) in doc_files() {
        for line in fenced_shell_lines(&text) {
            for args in revertwatch_invocations(&line.text) {
                checked += 1;
                println!("{file}:{}: revertwatch {}", line.line, args.join(" "));
                if file == "README.md" {
                    checked_readme += 1;
                }
                for problem in check(&args, &mut cache) {
                    failures.push(format!(
                        "{file}:{}: {problem}\n    {}",
                        line.line, line.text
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} doc command problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The extraction itself must keep finding the commands, or this test proves nothing.
    assert!(checked >= 30, "only {checked} commands found in the docs");
    assert!(
        checked_readme >= 2,
        "only {checked_readme} commands found in README.md"
    );
}

#[test]
fn the_readme_is_a_front_door() {
    let readme = workspace().join("README.md");
    let len = std::fs::metadata(&readme).unwrap().len();
    assert!(
        len <= README_MAX_BYTES,
        "README.md is {len} bytes; keep it at most {README_MAX_BYTES} and move detail into docs/"
    );
    let text = std::fs::read_to_string(&readme).unwrap();
    for command in ["cargo run -- hunt examples", "cargo test --workspace"] {
        assert!(text.contains(command), "README.md lost `{command}`");
    }
}

#[test]
fn the_extractor_reads_shell_as_a_shell_would() {
    let lines = fenced_shell_lines(
        "text\n```sh\n$ FOO=1 revertwatch hunt a \\\n    --since 7d | jq . > out.json 2>&1  # note\n\
         $ zcat x.gz | revertwatch hunt - && echo done\nsome output\n```\n\
         ```\nrevertwatch: 25 files, 0.3 MB\n```\n\
         ```sh\ncargo run -- hunt examples        # bundled\nrevertwatch kit -o 'a b.sh' >fr.sh\n```\n",
    );
    let found: Vec<(usize, Vec<Vec<String>>)> = lines
        .iter()
        .map(|l| (l.line, revertwatch_invocations(&l.text)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![
            (3, vec![s(&["hunt", "a", "--since", "7d"])]),
            (5, vec![s(&["hunt", "-"])]),
            (12, vec![s(&["hunt", "examples"])]),
            (13, vec![s(&["kit", "-o", "a b.sh"])]),
        ]
    );
}
