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
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: step `{step}`: {message}")]
    Step {
        file: PathBuf,
        line: usize,
        step: String,
        message: String,
    },
    #[error("{file}:{line}: step `{step}`, {cloud} command: {message}")]
    Command {
        file: PathBuf,
        line: usize,
        step: String,
        cloud: Provider,
        message: String,
    },
    #[error("{file}:{line}: chain `{chain}`: {message}")]
    Chain {
        file: PathBuf,
        line: usize,
        chain: String,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}

/// One thing to look at or to do, with its command for each cloud that has one.
#[derive(Debug, Clone)]
pub struct Action {
    pub name: String,
    pub title: String,
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
    pub chain: String,
    pub summary: String,
    pub investigate: Vec<String>,
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
    pub summaries: Vec<(&'a str, &'a str)>,
    /// Chains the playbooks have no entry for (a user's own pack entries).
    pub missing: Vec<String>,
    pub investigate: Vec<&'a Action>,
    pub respond: Vec<&'a Action>,
}

impl Playbooks {
    pub fn chain(&self, name: &str) -> Option<&ChainGuide> {
        self.chains.get(name)
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.steps.get(name)
    }

    pub fn chains(&self) -> impl Iterator<Item = &ChainGuide> {
        self.chains.values()
    }

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

pub fn load_playbooks_file(path: &Path) -> Result<Playbooks, PlaybookError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlaybookError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    load_playbooks_str(&text, path)
}

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
        let order = spanned.span().start;
        let line = line_col(text, order).0;
        let s = spanned.into_inner();
        let step_err = |message: &str| PlaybookError::Step {
            file: file.to_path_buf(),
            line,
            step: name.clone(),
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
                step: name.clone(),
                cloud,
                message,
            })?;
            commands.insert(cloud, command);
        }
        if commands.is_empty() {
            return Err(step_err("has no command for any cloud"));
        }
        let action = Action {
            name: name.clone(),
            title: s.title,
            why: s.why,
            commands,
            order,
        };
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
