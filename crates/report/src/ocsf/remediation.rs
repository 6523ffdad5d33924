//! The incident's investigation guide and response playbook as OCSF `remediation`: the steps,
//! each with its command for the incident's cloud filled in with the incident's ids, in `desc`
//! (required by the Remediation object), and the technique's page in `references`.

use std::sync::OnceLock;

use revertwatch_detect::Incident;
use revertwatch_pack::{default_playbooks, load_default, Facts, Pack};
use serde_json::{json, Value};

use super::text;
use super::vocabulary::SUB_TECHNIQUE;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(load_default)
}

/// `None` (left out) for an incident without chains, or whose chains have no guide.
pub fn remediation(i: &Incident) -> Option<Value> {
    let guide = default_playbooks().guide(&i.chains);
    if guide.summaries.is_empty() {
        return None;
    }
    let facts = serde_json::to_value(i)
        .map(|v| Facts::from_incident(&v, pack()))
        .unwrap_or_default();
    let mut desc = String::new();
    for (chain, summary) in &guide.summaries {
        desc.push_str(&format!("{chain}: {summary}\n"));
    }
    let mut unfilled: Vec<&str> = Vec::new();
    for (heading, actions) in [
        ("Investigate", &guide.investigate),
        ("Respond", &guide.respond),
    ] {
        desc.push_str(&format!("\n{heading}:\n"));
        for (n, action) in actions.iter().enumerate() {
            desc.push_str(&format!("{}. {} ({})\n", n + 1, action.title, action.why));
            if let Some(template) = action.command(i.provider) {
                let filled = facts.fill(template);
                for name in filled.missing {
                    if !unfilled.contains(&name) {
                        unfilled.push(name);
                    }
                }
                for line in filled.text.lines() {
                    desc.push_str(&format!("   {line}\n"));
                }
            }
        }
    }
    if !unfilled.is_empty() {
        desc.push_str(&format!(
            "\nThe incident does not say {}: those are left as '<name>' to fill in.\n",
            unfilled.join(", ")
        ));
    }
    Some(json!({
        "desc": text(desc.trim_end()),
        "references": [SUB_TECHNIQUE.2],
    }))
}
