//! One pack entry as a Sigma `logsource` and `detection`: the operation as each provider's Sigma
//! taxonomy names it, the entry's `when` conditions on the raw field names, and what could not be
//! said in Sigma, for the rule's description.

use revertwatch_pack::{Condition, Entry, FieldPath, Provider, Root};

use super::yaml::Node;

pub struct Detection {
    pub logsource: Node,
    pub detection: Node,
    /// Sentences for the description: where the rule is looser or narrower than the entry.
    pub notes: Vec<String>,
}

/// Where a pack path lives in the provider's raw record.
enum Target {
    /// A field that holds the value itself.
    Field(String),
    /// A field that holds the body as a JSON string (Azure `properties.requestbody`): the path's
    /// keys can only be looked for as text in it.
    JsonText { field: &'static str, keys: Vec<Key> },
}

struct Key {
    name: String,
    /// The path walked an array here (`items[]`), so the JSON text has `[` or `,` before the
    /// next key, not `{`.
    walks_array: bool,
}

pub fn translate(entry: &Entry) -> Detection {
    let mut notes = Vec::new();
    let (product, service, selection) = selection(entry);
    let mut detection = vec![("selection".to_string(), Node::Map(selection))];
    let mut condition = vec!["selection".to_string()];
    add_when_tests(entry, &mut detection, &mut condition, &mut notes);
    let mut condition = condition.join(" and ");
    add_failure_filter(entry.provider, &mut detection, &mut condition, &mut notes);
    detection.push(("condition".to_string(), Node::text(&condition)));

    Detection {
        logsource: Node::Map(vec![
            ("product".to_string(), Node::plain(product)),
            ("service".to_string(), Node::plain(service)),
        ]),
        detection: Node::Map(detection),
        notes,
    }
}

/// The logsource's product and service, and the selection that names the operation.
fn selection(entry: &Entry) -> (&'static str, &'static str, Vec<(String, Node)>) {
    match entry.provider {
        Provider::Aws => (
            "aws",
            "cloudtrail",
            // The pack is about EC2 and EBS, whose calls CloudTrail logs from ec2.amazonaws.com.
            vec![
                ("eventSource".to_string(), Node::plain("ec2.amazonaws.com")),
                (
                    "eventName".to_string(),
                    Node::text(&sigma_literal(&entry.name)),
                ),
            ],
        ),
        Provider::Azure => (
            "azure",
            "activitylogs",
            // Sigma matches ignore case by default, as Azure's two spellings of a name need.
            vec![(
                "operationName".to_string(),
                Node::text(&sigma_literal(&entry.name)),
            )],
        ),
        Provider::Gcp => (
            "gcp",
            "gcp.audit",
            // GCP writes `v1.` or `beta.` before the method; `endswith` matches either and none.
            vec![(
                "gcp.audit.method_name|endswith".to_string(),
                Node::text(&sigma_literal(without_gcp_version(&entry.name))),
            )],
        ),
    }
}

/// One `when_N` item per `when` test that Sigma can say, each joined to the condition; tests
/// (or paths) it cannot say become notes.
fn add_when_tests(
    entry: &Entry,
    detection: &mut Vec<(String, Node)>,
    condition: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let mut json_text = Vec::new();
    for (i, test) in entry.when.iter().enumerate() {
        let (alternatives, dropped) = condition_node(entry.provider, test, &mut json_text);
        for path in &dropped {
            notes.push(format!(
                "The pack's test on `{path}` has no Sigma field here and is left out{}.",
                if alternatives.is_empty() {
                    ", so this rule matches more calls than the pack entry"
                } else {
                    ", so this rule can miss calls that only that field identifies"
                }
            ));
        }
        if alternatives.is_empty() {
            continue;
        }
        let name = format!("when_{}", i + 1);
        let node = if alternatives.len() == 1 {
            Node::Map(alternatives)
        } else {
            Node::List(
                alternatives
                    .into_iter()
                    .map(|a| Node::Map(vec![a]))
                    .collect(),
            )
        };
        detection.push((name.clone(), node));
        condition.push(name);
    }
    if !json_text.is_empty() {
        notes.push(format!(
            "Azure logs request and response bodies as JSON text, so the tests on them look for \
             text in {} (compact JSON, as Azure writes it).",
            json_text.join(" and ")
        ));
    }
}

/// Leaves failed calls out where the log says which they are, and says so where it does not.
fn add_failure_filter(
    provider: Provider,
    detection: &mut Vec<(String, Node)>,
    condition: &mut String,
    notes: &mut Vec<String>,
) {
    match provider {
        Provider::Aws => {
            // A failed call changes nothing; CloudTrail gives it an errorCode.
            detection.push((
                "filter_error".to_string(),
                Node::Map(vec![("errorCode".to_string(), Node::text("*"))]),
            ));
            condition.push_str(" and not filter_error");
        }
        Provider::Azure | Provider::Gcp => notes.push(
            "Failed calls are not filtered out, and each phase of a long-running operation is \
             its own log entry."
                .to_string(),
        ),
    }
}

/// One `when` test as Sigma alternatives (field → values, any of which may match), plus the
/// paths that have no Sigma field here.
fn condition_node(
    provider: Provider,
    test: &Condition,
    json_text: &mut Vec<&'static str>,
) -> (Vec<(String, Node)>, Vec<String>) {
    let (paths, values): (&[FieldPath], &[String]) = match test {
        Condition::Present(p) => (p, &[]),
        Condition::AnyOf(p, v) | Condition::ContainsAny(p, v) => (p, v),
    };
    let mut alternatives: Vec<(String, Vec<String>)> = Vec::new();
    let mut dropped = Vec::new();
    for path in paths {
        let Some(target) = target(provider, path) else {
            dropped.push(path.as_str().to_string());
            continue;
        };
        let (key, patterns) = match (target, test) {
            // `*` alone is Sigma's "has a value": every backend can say it.
            (Target::Field(f), Condition::Present(_)) => (f, vec!["*".to_string()]),
            (Target::Field(f), Condition::AnyOf(..)) => {
                (f, values.iter().map(|v| sigma_literal(v)).collect())
            }
            (Target::Field(f), Condition::ContainsAny(..)) => (
                format!("{f}|contains"),
                values.iter().map(|v| sigma_literal(v)).collect(),
            ),
            (Target::JsonText { field, keys }, test) => {
                if !json_text.contains(&field) {
                    json_text.push(field);
                }
                let patterns = match test {
                    Condition::Present(_) => vec![json_key_prefix(&keys)],
                    Condition::AnyOf(..) => values
                        .iter()
                        .map(|v| format!("{}{}", json_leaf_key(&keys), json(v)))
                        .collect(),
                    Condition::ContainsAny(..) => values.iter().map(|v| json_inner(v)).collect(),
                };
                (
                    format!("{field}|contains"),
                    patterns.iter().map(|p| sigma_literal(p)).collect(),
                )
            }
        };
        // Two paths into one field (two keys of one JSON body) are one list of alternatives.
        match alternatives.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => {
                for p in patterns {
                    if !list.contains(&p) {
                        list.push(p);
                    }
                }
            }
            None => alternatives.push((key, patterns)),
        }
    }
    let alternatives = alternatives
        .into_iter()
        .map(|(k, mut v)| {
            let node = if v.len() == 1 {
                Node::text(&v.remove(0))
            } else {
                Node::texts(v.iter().map(String::as_str))
            };
            (k, node)
        })
        .collect();
    (alternatives, dropped)
}

/// The raw field a pack path reads, per provider; `None` when the record has no such field or a
/// key cannot be a Sigma field name.
fn target(provider: Provider, path: &FieldPath) -> Option<Target> {
    let keys = keys(path)?;
    let dotted = || {
        keys.iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    };
    let under = |prefix: &str| Target::Field(format!("{prefix}.{}", dotted()));
    Some(match (provider, path.root) {
        (Provider::Aws, Root::Request) => under("requestParameters"),
        (Provider::Aws, Root::Response) => under("responseElements"),
        // CloudTrail has no single resource id per record.
        (Provider::Aws, Root::Resource) => return None,
        (Provider::Azure, Root::Request) => Target::JsonText {
            field: "properties.requestbody",
            keys,
        },
        (Provider::Azure, Root::Response) => Target::JsonText {
            field: "properties.responseBody",
            keys,
        },
        (Provider::Azure, Root::Resource) => Target::Field("resourceId".to_string()),
        (Provider::Gcp, Root::Request) => under("gcp.audit.request"),
        (Provider::Gcp, Root::Response) => under("gcp.audit.response"),
        (Provider::Gcp, Root::Resource) => Target::Field("gcp.audit.resource_name".to_string()),
        (_, Root::Record) if keys.is_empty() => return None,
        (_, Root::Record) => Target::Field(dotted()),
    })
}

/// The path's keys after its root. `None` when a key holds something a Sigma field name cannot
/// (`|` starts a modifier; spaces, quotes and the like have no agreed meaning in backends).
fn keys(path: &FieldPath) -> Option<Vec<Key>> {
    let mut out = Vec::new();
    for segment in path.as_str().split('.').skip(1) {
        let (name, walks_array) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '$'))
        {
            return None;
        }
        out.push(Key {
            name: name.to_string(),
            walks_array,
        });
    }
    Some(out)
}

/// Text that starts a non-empty string value at the path in compact JSON: the last key, with
/// its parent's key when the parent is an object (`"snapshot":{"id":"`), since a bare `"id":"`
/// would match almost any body.
fn json_key_prefix(keys: &[Key]) -> String {
    format!("{}\"", json_key_prefix_bare(keys))
}

fn json_key_prefix_bare(keys: &[Key]) -> String {
    match keys {
        [] => String::new(),
        [leaf] => format!("{}:", json(&leaf.name)),
        [.., parent, leaf] if !parent.walks_array => {
            format!("{}:{{{}:", json(&parent.name), json(&leaf.name))
        }
        [.., leaf] => format!("{}:", json(&leaf.name)),
    }
}

/// `"leaf":`, for a test on the value: the key and its value are distinctive enough together,
/// and they do not depend on the order of keys in the body.
fn json_leaf_key(keys: &[Key]) -> String {
    keys.last()
        .map(|leaf| format!("{}:", json(&leaf.name)))
        .unwrap_or_default()
}

/// `s` as a JSON string, quotes included.
fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// `s` as it appears inside a JSON string, without the quotes.
fn json_inner(s: &str) -> String {
    let quoted = json(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// A Sigma value that matches `s` literally: `*` and `?` are Sigma wildcards and `\` escapes them.
pub fn sigma_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `v1.compute.disks.insert` → `compute.disks.insert`, as the pack looks GCP methods up.
fn without_gcp_version(method: &str) -> &str {
    match method.split_once('.') {
        Some((first, rest))
            if first == "beta"
                || first == "alpha"
                || (first.len() >= 2
                    && first.starts_with('v')
                    && first.as_bytes()[1].is_ascii_digit()) =>
        {
            rest
        }
        _ => method,
    }
}
