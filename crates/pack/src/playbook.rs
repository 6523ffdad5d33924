//! Investigation guides and response playbooks, per chain type: data beside the rule pack
//! (`playbooks.toml`), embedded in the binary as [`DEFAULT_PLAYBOOKS`].
//!
//! Invariants:
//! - every step a chain names exists, and every command's `{{placeholder}}` is a known name
//!   that stands outside shell quotes and comments, so that [`Facts::fill`] can put any string
//!   there, quoted as one word, and the command still does only what it says;
//! - a loaded set never fails at use: an unknown chain is reported as missing, an unknown value
//!   is left as a quoted `<name>` for the analyst to fill in.

mod fill;
mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::Provider;
use crate::toml_text::line_col;

pub use fill::{single_quote, Facts, Filled};
pub use template::PLACEHOLDERS;

/// The playbooks' text, as shipped.
pub const DEFAULT_PLAYBOOKS: &str = include_str!("../playbooks.toml");

/// A playbook file that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// The file is not valid TOML, or not in the playbooks' shape.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The playbooks file, as given.
        file: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, in TOML's words.
        message: String,
    },
    /// A step that lacks its title, its why or any command.
    #[error("{file}:{line}: step `{step}`: {message}")]
    Step {
        /// The playbooks file, as given.
        file: PathBuf,
        /// 1-based line of the step.
        line: usize,
        /// The step's name.
        step: String,
        /// What is wrong with it.
        message: String,
    },
    /// A command template that cannot be filled safely.
    #[error("{file}:{line}: step `{step}`, {cloud} command: {message}")]
    Command {
        /// The playbooks file, as given.
        file: PathBuf,
        /// 1-based line of the step.
        line: usize,
        /// The step's name.
        step: String,
        /// The cloud the command is for.
        cloud: Provider,
        /// What is wrong with it.
        message: String,
    },
    /// A chain without a summary or steps, or naming a step that does not exist.
    #[error("{file}:{line}: chain `{chain}`: {message}")]
    Chain {
        /// The playbooks file, as given.
        file: PathBuf,
        /// 1-based line of the chain.
        line: usize,
        /// The chain label.
        chain: String,
        /// What is wrong with it.
        message: String,
    },
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The playbooks file, as given.
        file: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
}

/// One thing to look at or to do, with its command for each cloud that has one.
#[derive(Debug, Clone)]
pub struct Action {
    /// The step's name in the file (`[step.NAME]`).
    pub name: String,
    /// What to do, in a few words.
    pub title: String,
    /// Why it matters.
    pub why: String,
    commands: BTreeMap<Provider, String>,
    /// Where the step stands in its file: guides list steps in that order.
    order: usize,
}

impl Action {
    /// The command template for `cloud`, trimmed; fill it with [`Facts::fill`].
    pub fn command(&self, cloud: Provider) -> Option<&str> {
        self.commands.get(&cloud).map(|s| s.trim())
    }
}

/// What one chain means, what to look at and what to do.
#[derive(Debug, Clone)]
pub struct ChainGuide {
    /// The chain label, as incidents carry it.
    pub chain: String,
    /// What the chain means.
    pub summary: String,
    /// Names of the steps to investigate, most urgent first.
    pub investigate: Vec<String>,
    /// Names of the steps to respond, most urgent first.
    pub respond: Vec<String>,
}

/// A loaded, checked set of guides and playbooks.
#[derive(Debug, Clone)]
pub struct Playbooks {
    steps: BTreeMap<String, Action>,
    chains: BTreeMap<String, ChainGuide>,
}

/// The guide for one incident: each of its chains' summaries, and the union of their steps in
/// the order the file defines them (most urgent first), whatever the order of the chains.
#[derive(Debug, Clone)]
pub struct Guide<'a> {
    /// Each known chain with its summary.
    pub summaries: Vec<(&'a str, &'a str)>,
    /// Chains the playbooks have no entry for (a user's own pack entries).
    pub missing: Vec<String>,
    /// Steps to investigate, most urgent first.
    pub investigate: Vec<&'a Action>,
    /// Steps to respond, most urgent first.
    pub respond: Vec<&'a Action>,
}

impl Playbooks {
    /// The guide for the chain `name`, if the playbooks have one.
    pub fn chain(&self, name: &str) -> Option<&ChainGuide> {
        self.chains.get(name)
    }

    /// The step `name`, if the playbooks have one.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.steps.get(name)
    }

    /// Every chain's guide, by name.
    pub fn chains(&self) -> impl Iterator<Item = &ChainGuide> {
        self.chains.values()
    }

    /// Every step, by name.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.steps.values()
    }

    /// The guide for an incident with these chains.
    pub fn guide<'a>(&'a self, chains: &[String]) -> Guide<'a> {
        let mut guide = Guide {
            summaries: Vec::new(),
            missing: Vec::new(),
            investigate: Vec::new(),
            respond: Vec::new(),
        };
        for name in chains {
            let Some(c) = self.chains.get(name) else {
                guide.missing.push(name.clone());
                continue;
            };
            guide.summaries.push((&c.chain, &c.summary));
            for (names, into) in [
                (&c.investigate, &mut guide.investigate),
                (&c.respond, &mut guide.respond),
            ] {
                for n in names {
                    let action = &self.steps[n];
                    if !into.iter().any(|a| a.name == action.name) {
                        into.push(action);
                    }
                }
            }
        }
        guide.investigate.sort_by_key(|a| a.order);
        guide.respond.sort_by_key(|a| a.order);
        guide
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    #[serde(default)]
    step: BTreeMap<String, toml::Spanned<RawStep>>,
    #[serde(default)]
    chain: BTreeMap<String, toml::Spanned<RawChain>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: String,
    why: String,
    aws: Option<String>,
    azure: Option<String>,
    gcp: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChain {
    summary: String,
    investigate: Vec<String>,
    respond: Vec<String>,
}

/// The shipped playbooks, loaded once.
pub fn default_playbooks() -> &'static Playbooks {
    static DEFAULT: OnceLock<Playbooks> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        load_playbooks_str(DEFAULT_PLAYBOOKS, Path::new("<default playbooks>"))
            .expect("the default playbooks are checked by their tests")
    })
}

/// Reads and checks the playbooks at `path`.
pub fn load_playbooks_file(path: &Path) -> Result<Playbooks, PlaybookError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlaybookError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    load_playbooks_str(&text, path)
}

/// Checks the playbooks in `text`; `file` names it in errors.
pub fn load_playbooks_str(text: &str, file: &Path) -> Result<Playbooks, PlaybookError> {
    let raw: RawBook = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        PlaybookError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let mut steps = BTreeMap::new();
    for (name, spanned) in raw.step {
        let action = load_step(&name, spanned, text, file)?;
        steps.insert(name, action);
    }
    let mut chains = BTreeMap::new();
    for (name, spanned) in raw.chain {
        let line = line_col(text, spanned.span().start).0;
        let c = spanned.into_inner();
        let chain_err = |message: String| PlaybookError::Chain {
            file: file.to_path_buf(),
            line,
            chain: name.clone(),
            message,
        };
        if c.summary.trim().is_empty() || c.investigate.is_empty() || c.respond.is_empty() {
            return Err(chain_err(
                "needs a summary, and at least one step to investigate and one to respond".into(),
            ));
        }
        for step in c.investigate.iter().chain(&c.respond) {
            if !steps.contains_key(step) {
                return Err(chain_err(format!("names the unknown step `{step}`")));
            }
        }
        chains.insert(
            name.clone(),
            ChainGuide {
                chain: name,
                summary: c.summary,
                investigate: c.investigate,
                respond: c.respond,
            },
        );
    }
    Ok(Playbooks { steps, chains })
}

/// One `[step.NAME]`, checked: a title, a why, and at least one command that can be filled
/// safely.
fn load_step(
    name: &str,
    spanned: toml::Spanned<RawStep>,
    text: &str,
    file: &Path,
) -> Result<Action, PlaybookError> {
    let order = spanned.span().start;
    let line = line_col(text, order).0;
    let s = spanned.into_inner();
    let step_err = |message: &str| PlaybookError::Step {
        file: file.to_path_buf(),
        line,
        step: name.to_string(),
        message: message.to_string(),
    };
    if s.title.trim().is_empty() || s.why.trim().is_empty() {
        return Err(step_err("needs a title and a why"));
    }
    let mut commands = BTreeMap::new();
    for (cloud, command) in [
        (Provider::Aws, s.aws),
        (Provider::Azure, s.azure),
        (Provider::Gcp, s.gcp),
    ] {
        let Some(command) = command else { continue };
        template::check(&command).map_err(|message| PlaybookError::Command {
            file: file.to_path_buf(),
            line,
            step: name.to_string(),
            cloud,
            message,
        })?;
        commands.insert(cloud, command);
    }
    if commands.is_empty() {
        return Err(step_err("has no command for any cloud"));
    }
    Ok(Action {
        name: name.to_string(),
        title: s.title,
        why: s.why,
        commands,
        order,
    })
}
