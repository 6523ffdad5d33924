//! Reading a tuning file (TOML), with errors that name the line.

use std::path::Path;

use serde::Deserialize;

use revertwatch_pack::toml_text::{line_col, OneOrMany};

use crate::error::TuningError;
use crate::rule::{Action, Glob, Rule, Source};
use crate::window::{parse_clock, parse_day, parse_instant, parse_tz, Range, Recurring};
use revertwatch_pack::Provider;

/// The rules in force: a user's, then the built-ins that are switched on.
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// In the order they are tried: the file's, then the built-ins.
    pub rules: Vec<Rule>,
    /// Built-ins switched off in the file's `[defaults] disable`.
    pub disabled: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default, rename = "rule")]
    rules: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    #[serde(default)]
    disable: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    reason: Option<String>,
    #[serde(default = "suppress")]
    action: Action,
    expires: Option<String>,
    provider: Option<OneOrMany>,
    account: Option<OneOrMany>,
    region: Option<OneOrMany>,
    target: Option<OneOrMany>,
    actor: Option<OneOrMany>,
    actor_type: Option<OneOrMany>,
    invoked_by: Option<OneOrMany>,
    source_ip: Option<OneOrMany>,
    user_agent: Option<OneOrMany>,
    operation: Option<OneOrMany>,
    tag: Option<OneOrMany>,
    #[serde(default)]
    window: Vec<RawWindow>,
    #[serde(default)]
    between: Vec<RawRange>,
    /// The author knows the rule matches every incident in its reach, and says why in `reason`.
    #[serde(default)]
    match_all: bool,
    /// The author knows the rule vouches only through fields the caller writes (user agent,
    /// tags, session names), and says why in `reason`.
    #[serde(default)]
    trusts_caller_fields: bool,
}

fn suppress() -> Action {
    Action::Suppress
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    #[serde(default)]
    days: Vec<String>,
    start: String,
    end: String,
    #[serde(default = "utc")]
    tz: String,
}

fn utc() -> String {
    "UTC".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: String,
    to: String,
}

/// Reads and checks a tuning file; the built-ins are not added (see [`Tuning::with_builtins`]).
pub fn load_file(path: &Path) -> Result<Tuning, TuningError> {
    let text = std::fs::read_to_string(path).map_err(|source| TuningError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    load_str(&text, path, false)
}

/// Checks tuning text read from `file` (named in errors and in each rule's origin); `builtin` marks
/// the rules as built-ins. Every rule is checked: a reason, at least one criterion, unique names.
pub fn load_str(text: &str, file: &Path, builtin: bool) -> Result<Tuning, TuningError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        TuningError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let mut rules = Vec::new();
    for spanned in raw.rules {
        let line = line_col(text, spanned.span().start).0;
        let raw = spanned.into_inner();
        let name = raw.name.clone();
        let origin = format!("{}:{line}", file.display());
        let rule = check(raw, origin, builtin).map_err(|message| TuningError::Invalid {
            file: file.to_path_buf(),
            line,
            rule: name.clone(),
            message,
        })?;
        if rules.iter().any(|r: &Rule| r.name == rule.name) {
            return Err(TuningError::Invalid {
                file: file.to_path_buf(),
                line,
                rule: name,
                message: "another rule has this name; names must be unique so that counts and suppressed_by are unambiguous".into(),
            });
        }
        rules.push(rule);
    }
    Ok(Tuning {
        rules,
        disabled: raw.defaults.disable,
    })
}

fn globs(v: Option<OneOrMany>) -> Result<Vec<Glob>, String> {
    v.map(OneOrMany::into_vec)
        .unwrap_or_default()
        .iter()
        .map(|s| Glob::new(s))
        .collect()
}

fn check(raw: RawRule, origin: String, builtin: bool) -> Result<Rule, String> {
    if raw.name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    let reason = raw.reason.filter(|r| !r.trim().is_empty()).ok_or(
        "`reason` is required: say why these incidents are benign, so that the next analyst can judge",
    )?;
    let (match_all, trusts_caller_fields) = (raw.match_all, raw.trusts_caller_fields);
    let rule = Rule {
        name: raw.name,
        reason,
        action: raw.action,
        expires: expiry(raw.expires)?,
        builtin,
        origin,
        provider: providers(raw.provider)?,
        account: globs(raw.account)?,
        region: globs(raw.region)?,
        target: globs(raw.target)?,
        actor: globs(raw.actor)?,
        actor_type: globs(raw.actor_type)?,
        invoked_by: globs(raw.invoked_by)?,
        source_ip: sources(raw.source_ip)?,
        user_agent: globs(raw.user_agent)?,
        operation: globs(raw.operation)?,
        tag: tags(raw.tag)?,
        windows: windows(raw.window)?,
        between: ranges(raw.between)?,
    };
    if matches_everything(&rule) {
        return Err("the rule matches everything; give it at least one criterion".into());
    }
    match crate::breadth::breadth(&rule) {
        crate::breadth::Breadth::Everything if !match_all => Err(
            "no criterion of this rule can leave an incident out (a provider alone, `*`, 0.0.0.0/0, \
             every day all day, or a `between` of a year or more), so it would silence every \
             incident in its reach; narrow it, or set `match_all = true` and say why in `reason`"
                .into(),
        ),
        crate::breadth::Breadth::CallerChosen(fields) if !trusts_caller_fields => Err(format!(
            "the rule vouches only through {}, which the caller writes itself: an attacker can \
             copy them; add an identity the caller cannot choose (a role ARN, invoked_by, an \
             account), or set `trusts_caller_fields = true` and say why in `reason`",
            fields.join(" and ")
        )),
        _ => Ok(rule),
    }
}

fn expiry(expires: Option<String>) -> Result<Option<chrono::NaiveDate>, String> {
    expires
        .map(|d| {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| format!("`expires = \"{d}\"` is not a date like 2026-12-31"))
        })
        .transpose()
}

fn providers(v: Option<OneOrMany>) -> Result<Vec<Provider>, String> {
    v.map(OneOrMany::into_vec)
        .unwrap_or_default()
        .iter()
        .map(|p| match p.to_ascii_lowercase().as_str() {
            "aws" => Ok(Provider::Aws),
            "azure" => Ok(Provider::Azure),
            "gcp" => Ok(Provider::Gcp),
            other => Err(format!("`provider = \"{other}\"`: use aws, azure or gcp")),
        })
        .collect()
}

fn tags(v: Option<OneOrMany>) -> Result<Vec<(Glob, Glob)>, String> {
    v.map(OneOrMany::into_vec)
        .unwrap_or_default()
        .iter()
        .map(|t| {
            let (k, v) = t
                .split_once('=')
                .ok_or(format!("`tag = \"{t}\"` must be key=value (globs allowed)"))?;
            Ok((Glob::new(k.trim())?, Glob::new(v.trim())?))
        })
        .collect()
}

fn windows(raw: Vec<RawWindow>) -> Result<Vec<Recurring>, String> {
    raw.into_iter()
        .map(|w| {
            let (start, end) = (parse_clock(&w.start)?, parse_clock(&w.end)?);
            if start == end {
                return Err(format!(
                    "the window {} to {} is empty or the whole day; for the whole day leave out `window`",
                    w.start, w.end
                ));
            }
            Ok(Recurring {
                days: w
                    .days
                    .iter()
                    .map(|d| parse_day(d))
                    .collect::<Result<_, _>>()?,
                start,
                end,
                tz: parse_tz(&w.tz)?,
            })
        })
        .collect()
}

fn ranges(raw: Vec<RawRange>) -> Result<Vec<Range>, String> {
    raw.into_iter()
        .map(|r| {
            let range = Range {
                from: parse_instant(&r.from)?,
                to: parse_instant(&r.to)?,
            };
            if range.to <= range.from {
                return Err(format!(
                    "`between` ends ({}) before it starts ({})",
                    r.to, r.from
                ));
            }
            Ok(range)
        })
        .collect()
}

fn sources(v: Option<OneOrMany>) -> Result<Vec<Source>, String> {
    v.map(OneOrMany::into_vec)
        .unwrap_or_default()
        .iter()
        .map(|s| Source::new(s))
        .collect()
}

/// A rule with no criterion at all would silence every incident: refused at load.
fn matches_everything(rule: &Rule) -> bool {
    rule.provider.is_empty()
        && rule.account.is_empty()
        && rule.region.is_empty()
        && rule.target.is_empty()
        && rule.actor.is_empty()
        && rule.actor_type.is_empty()
        && rule.invoked_by.is_empty()
        && rule.source_ip.is_empty()
        && rule.user_agent.is_empty()
        && rule.operation.is_empty()
        && rule.tag.is_empty()
        && rule.windows.is_empty()
        && rule.between.is_empty()
}
