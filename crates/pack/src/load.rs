//! Reading a pack from TOML, and checking it before anything evaluates it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::toml_text::{line_col, OneOrMany};

use crate::error::PackError;
use crate::model::{Condition, EdgeSpec, Entry, Lifecycle, Pack, Provider, ResourceSpec, Signal};
use crate::path::FieldPath;
use crate::DEFAULT_PACK;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    #[serde(default)]
    compute_kinds: Vec<String>,
    #[serde(default, rename = "operation")]
    operations: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    provider: Provider,
    name: String,
    signal: Signal,
    when: Option<RawWhen>,
    chain: Option<String>,
    lifecycle: Option<Lifecycle>,
    #[serde(default)]
    reached: BTreeMap<String, String>,
    subject: String,
    resources: BTreeMap<String, RawResource>,
    #[serde(default)]
    edges: Vec<RawEdge>,
    taken_at: Option<OneOrMany>,
    #[serde(default)]
    description: String,
}

/// `when = "path"` or `["path", "alt"]`: one presence test over alternative paths.
/// `when = {path, any_of}` or a list of such tables: every test must hold.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawWhen {
    Paths(OneOrMany),
    Test(RawTest),
    Tests(Vec<RawTest>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    path: OneOrMany,
    any_of: Option<Vec<String>>,
    contains_any: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    kind: String,
    path: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdge {
    from: String,
    to: String,
    relation: String,
    when: Option<RawWhen>,
    from_region: Option<OneOrMany>,
}

/// The pack shipped in the binary.
pub fn load_default() -> Pack {
    load_str(DEFAULT_PACK, Path::new("<default pack>"))
        .expect("the default pack is checked by its tests")
}

/// Reads and checks the pack at `path`.
pub fn load_file(path: &Path) -> Result<Pack, PackError> {
    let text = std::fs::read_to_string(path).map_err(|source| PackError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    load_str(&text, path)
}

/// Checks the pack in `text`; `file` names it in errors.
pub fn load_str(text: &str, file: &Path) -> Result<Pack, PackError> {
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        PackError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    if raw.operations.is_empty() {
        // An empty file would run a hunt that detects nothing and exits 0.
        return Err(PackError::Invalid {
            file: file.to_path_buf(),
            line: 1,
            operation: String::new(),
            message: "the pack has no [[operation]]: it would detect nothing".into(),
        });
    }
    let mut entries = Vec::with_capacity(raw.operations.len());
    for spanned in raw.operations {
        let line = line_col(text, spanned.span().start).0;
        let raw = spanned.into_inner();
        let name = raw.name.clone();
        let entry = check(raw, line).map_err(|message| PackError::Invalid {
            file: file.to_path_buf(),
            line,
            operation: name,
            message,
        })?;
        entries.push(entry);
    }
    let compute_kinds = if raw.compute_kinds.is_empty() {
        vec!["instance".to_string(), "vm".to_string()]
    } else {
        raw.compute_kinds
    };
    let mut pack = Pack::new(entries, compute_kinds, file.display().to_string());
    pack.check_lineage()?;
    Ok(pack)
}

fn check(raw: RawEntry, line: usize) -> Result<Entry, String> {
    if raw.name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    let mut resources = BTreeMap::new();
    for (role, r) in raw.resources {
        let paths = paths(r.path)?;
        resources.insert(
            role,
            ResourceSpec {
                kind: r.kind,
                paths,
            },
        );
    }
    if !resources.contains_key(&raw.subject) {
        return Err(format!(
            "`subject = \"{}\"` names no resource; declared: {}",
            raw.subject,
            names(&resources)
        ));
    }
    let mut edges = Vec::new();
    for e in raw.edges {
        for end in [&e.from, &e.to] {
            if !resources.contains_key(end) {
                return Err(format!(
                    "edge {} -> {} names resource `{end}`, which is not declared; declared: {}",
                    e.from,
                    e.to,
                    names(&resources)
                ));
            }
        }
        let from_region = match e.from_region {
            Some(p) => paths(p)?,
            None => Vec::new(),
        };
        edges.push(EdgeSpec {
            from: e.from,
            to: e.to,
            relation: e.relation,
            when: conditions(e.when)?,
            from_region,
        });
    }
    // On a link entry, `when` says when its resources and edges apply.
    let when = conditions(raw.when)?;
    let taken_at = match raw.taken_at {
        Some(p) => paths(p)?,
        None => Vec::new(),
    };
    Ok(Entry {
        provider: raw.provider,
        name: raw.name,
        signal: raw.signal,
        when,
        chain: raw.chain,
        lifecycle: raw.lifecycle,
        reached: raw.reached,
        subject: raw.subject,
        resources,
        edges,
        taken_at,
        description: raw.description,
        line,
    })
}

fn conditions(raw: Option<RawWhen>) -> Result<Vec<Condition>, String> {
    let tests = match raw {
        None => Vec::new(),
        Some(RawWhen::Paths(p)) => vec![RawTest {
            path: p,
            any_of: None,
            contains_any: None,
        }],
        Some(RawWhen::Test(t)) => vec![t],
        Some(RawWhen::Tests(t)) => t,
    };
    let mut when = Vec::new();
    for t in tests {
        when.push(match (t.any_of, t.contains_any) {
            (None, None) => Condition::Present(paths(t.path)?),
            (Some(v), None) => Condition::AnyOf(paths(t.path)?, v),
            (None, Some(v)) => Condition::ContainsAny(paths(t.path)?, v),
            _ => return Err("a `when` test takes `any_of` or `contains_any`, not both".into()),
        });
    }
    Ok(when)
}

fn paths(p: OneOrMany) -> Result<Vec<FieldPath>, String> {
    let list = p.into_vec();
    if list.is_empty() {
        return Err("an empty path list".into());
    }
    list.iter().map(|s| FieldPath::parse(s)).collect()
}

fn names(resources: &BTreeMap<String, ResourceSpec>) -> String {
    resources.keys().cloned().collect::<Vec<_>>().join(", ")
}
