//! An incident's investigation guide and response playbook, filled in: what its chains mean,
//! the steps to investigate and respond, and each step's command for the incident's cloud with
//! the incident's ids in it. The HTML report, OCSF's `remediation` and `hunt --explain` all
//! render this one [`FilledGuide`], so that the three cannot disagree on a command.
//!
//! The guarantee is the pack's ([`revertwatch_pack::playbook`]): a placeholder stands outside
//! quotes and comments, and a value goes in as one single-quoted shell word, so whatever a log
//! put in an id, the command does only what it says.

mod facts;

use std::sync::OnceLock;

use revertwatch_detect::Incident;
use revertwatch_pack::playbook::Action;
use revertwatch_pack::{default_playbooks, load_default, Pack};

use crate::escape::terminal;

pub use facts::from_incident;

/// What the values are made of before they are quoted for the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// As the log gave them: for JSON, which escapes what it must itself.
    AsLogged,
    /// With control and bidi characters made visible, as everything from a log on a screen
    /// is: the only line breaks left in a command are then the template's own.
    Visible,
}

/// One step, with its command filled in.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    /// What to do, in a few words.
    pub title: &'a str,
    /// Why it matters for this kind of incident.
    pub why: &'a str,
    /// The command for the incident's cloud, or `None` when the step has none there.
    pub command: Option<String>,
}

/// The guide for one incident, ready to render.
#[derive(Debug, Clone)]
pub struct FilledGuide<'a> {
    /// Each chain the playbooks know, with what it means.
    pub summaries: Vec<(&'a str, &'a str)>,
    /// Chains the playbooks have no entry for (a user's own pack entries).
    pub missing: Vec<String>,
    /// Steps to investigate, most urgent first.
    pub investigate: Vec<Step<'a>>,
    /// Steps to respond, most urgent first.
    pub respond: Vec<Step<'a>>,
    /// Placeholders the incident gave no value for, each once, in the order the steps use
    /// them: they are left in the commands as `'<name>'`.
    pub unfilled: Vec<&'static str>,
}

/// The default pack, for which calls detach a disk. The report is handed incidents only; the
/// pack's meaning of `detached` does not change with a user's extra entries.
fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(load_default)
}

/// The shipped playbooks' guide for `incident`, filled with its values.
pub fn guide(incident: &Incident, values: Values) -> FilledGuide<'static> {
    let guide = default_playbooks().guide(&incident.chains);
    let facts = from_incident(incident, pack());
    let facts = match values {
        Values::AsLogged => facts,
        Values::Visible => facts.map_values(|v| terminal(v).into_owned()),
    };
    let mut unfilled: Vec<&'static str> = Vec::new();
    let mut fill = |actions: &[&'static Action]| -> Vec<Step<'static>> {
        actions
            .iter()
            .map(|action| {
                let command = action.command(incident.provider).map(|template| {
                    let filled = facts.fill(template);
                    for name in filled.missing {
                        if !unfilled.contains(&name) {
                            unfilled.push(name);
                        }
                    }
                    filled.text
                });
                Step {
                    title: &action.title,
                    why: &action.why,
                    command,
                }
            })
            .collect()
    };
    let investigate = fill(&guide.investigate);
    let respond = fill(&guide.respond);
    FilledGuide {
        summaries: guide.summaries,
        missing: guide.missing,
        investigate,
        respond,
        unfilled,
    }
}
