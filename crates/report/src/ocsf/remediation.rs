//! The incident's investigation guide and response playbook as OCSF `remediation`: the steps,
//! each with its command for the incident's cloud filled in with the incident's ids, in `desc`
//! (required by the Remediation object), and the technique's page in `references`.

use revertwatch_detect::Incident;
use serde_json::{json, Value};

use super::text;
use super::vocabulary::SUB_TECHNIQUE;
use crate::playbook::{guide, Values};

/// `None` (left out) for an incident without chains, or whose chains have no guide.
pub fn remediation(i: &Incident) -> Option<Value> {
    // JSON escapes what it must; a value shown as logged is what an analyst searches for.
    let guide = guide(i, Values::AsLogged);
    if guide.summaries.is_empty() {
        return None;
    }
    let mut desc = String::new();
    for (chain, summary) in &guide.summaries {
        desc.push_str(&format!("{chain}: {summary}\n"));
    }
    for (heading, steps) in [
        ("Investigate", &guide.investigate),
        ("Respond", &guide.respond),
    ] {
        desc.push_str(&format!("\n{heading}:\n"));
        for (n, step) in steps.iter().enumerate() {
            desc.push_str(&format!("{}. {} ({})\n", n + 1, step.title, step.why));
            for line in step.command.iter().flat_map(|c| c.lines()) {
                desc.push_str(&format!("   {line}\n"));
            }
        }
    }
    if !guide.unfilled.is_empty() {
        desc.push_str(&format!(
            "\nThe incident does not say {}: those are left as '<name>' to fill in.\n",
            guide.unfilled.join(", ")
        ));
    }
    Some(json!({
        "desc": text(desc.trim_end()),
        "references": [SUB_TECHNIQUE.2],
    }))
}
