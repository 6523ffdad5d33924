//! Rendering every script once, and reading one as bash reads it.
#![allow(dead_code)]

use revertwatch_kit::{plans, render, Plan, RunId, Settings};

#[allow(unused_imports)] // each test binary uses some of the support
pub use revertwatch_testkit::{ensure_tool, workspace};

pub const RUN_ID: &str = "rwk-test0001";

/// Every plan with its script, rendered with the test run id and the default region.
pub fn scripts() -> Vec<(Plan, String)> {
    plans()
        .map(|p| {
            let run_id: RunId = RUN_ID.parse().unwrap();
            let settings = Settings::new(p.cloud, run_id, None).unwrap();
            let text = render(&p, &settings);
            (p, text)
        })
        .collect()
}

/// The script's logical lines: continuation lines joined, comments and blank lines dropped.
pub fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if cur.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            continue;
        }
        cur.push_str(trimmed);
        out.push(std::mem::take(&mut cur));
    }
    out
}

/// The body of the bash function `name`, from `name() {` to the `}` that closes it at the
/// start of a line.
pub fn function_body<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("\n{name}() {{\n"))
        .unwrap_or_else(|| panic!("no function {name} in the script"));
    let rest = &text[start + 1..];
    let end = rest.find("\n}\n").expect("the function closes");
    &rest[..end]
}

/// The part of the script after the traps are set: the steps.
pub fn steps_part(text: &str) -> &str {
    let at = text
        .find("trap cleanup EXIT")
        .expect("the EXIT trap is set");
    &text[at..]
}
