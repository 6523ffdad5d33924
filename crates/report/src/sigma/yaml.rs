//! Just enough YAML to write Sigma rules by hand: block mappings, block sequences and
//! double-quoted scalars. Every string that came from a pack (names, descriptions, values) is
//! written double-quoted and escaped, so no quote, colon, `#`, newline or control character in it
//! can end the scalar early or change the document's structure.

use std::fmt::Write;

/// A YAML value as we write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text that is already YAML: a [`quoted`] string, or a plain constant of ours.
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Any string, quoted and escaped.
    pub fn text(s: &str) -> Node {
        Node::Scalar(quoted(s))
    }

    /// A constant we control that YAML reads as the same string (`medium`, `aws`, a date).
    pub fn plain(s: &str) -> Node {
        debug_assert!(is_plain_safe(s), "not a safe plain scalar: {s:?}");
        Node::Scalar(s.to_string())
    }

    pub fn texts<'a>(items: impl IntoIterator<Item = &'a str>) -> Node {
        Node::List(items.into_iter().map(Node::text).collect())
    }
}

/// A YAML double-quoted scalar holding exactly `s`.
///
/// Besides `"` and `\`, this escapes what PyYAML refuses even inside quotes (C0 controls but
/// tab, DEL, C1 controls, U+FFFE/U+FFFF), what YAML 1.1 reads as a line break (NEL, U+2028,
/// U+2029), and bidirectional controls and the BOM, which would make the file read differently
/// from what it means.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let n = c as u32;
                let _ = match n {
                    0..=0xff => write!(out, "\\x{n:02x}"),
                    0x100..=0xffff => write!(out, "\\u{n:04x}"),
                    _ => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
                | '\u{fffe}'
                | '\u{ffff}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Plain scalars we write ourselves: a conservative set that YAML reads as a string (or, for a
/// date, as the date Sigma wants) whatever the parser's version.
fn is_plain_safe(s: &str) -> bool {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    first_ok
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '|' | ':'))
        && !s.contains(": ")
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
}

/// A mapping key: plain when that is unambiguous, quoted otherwise.
fn key(k: &str) -> String {
    if is_plain_safe(k) && !k.contains(':') {
        k.to_string()
    } else {
        quoted(k)
    }
}

/// The document for a top-level mapping, with 4-space indents as in the SigmaHQ rules.
pub fn document(root: &[(String, Node)]) -> String {
    let mut out = String::new();
    for (k, v) in root {
        entry(&mut out, k, v, 0);
    }
    out
}

fn entry(out: &mut String, k: &str, v: &Node, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Node::Scalar(s) => {
            let _ = writeln!(out, "{pad}{}: {s}", key(k));
        }
        Node::List(items) if items.is_empty() => {
            let _ = writeln!(out, "{pad}{}: []", key(k));
        }
        Node::Map(entries) if entries.is_empty() => {
            let _ = writeln!(out, "{pad}{}: {{}}", key(k));
        }
        Node::List(items) => {
            let _ = writeln!(out, "{pad}{}:", key(k));
            for item in items {
                list_item(out, item, indent + 4);
            }
        }
        Node::Map(entries) => {
            let _ = writeln!(out, "{pad}{}:", key(k));
            for (k, v) in entries {
                entry(out, k, v, indent + 4);
            }
        }
    }
}

fn list_item(out: &mut String, item: &Node, indent: usize) {
    let pad = " ".repeat(indent);
    match item {
        Node::Scalar(s) => {
            let _ = writeln!(out, "{pad}- {s}");
        }
        Node::List(items) if items.is_empty() => {
            let _ = writeln!(out, "{pad}- []");
        }
        Node::Map(entries) if entries.is_empty() => {
            let _ = writeln!(out, "{pad}- {{}}");
        }
        Node::List(items) => {
            let _ = writeln!(out, "{pad}-");
            for item in items {
                list_item(out, item, indent + 4);
            }
        }
        Node::Map(entries) => {
            // The mapping's keys line up two columns in, after the `- ` of its first line.
            let mut body = String::new();
            for (k, v) in entries {
                entry(&mut body, k, v, indent + 2);
            }
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&body[indent + 2..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_colons_hashes_and_backslashes_stay_inside_the_scalar() {
        assert_eq!(quoted(r#"a "b": c # d"#), r#""a \"b\": c # d""#);
        assert_eq!(quoted(r"C:\path\*"), r#""C:\\path\\*""#);
        assert_eq!(
            quoted("- [x]: {y}, &z *w !t |"),
            r#""- [x]: {y}, &z *w !t |""#
        );
        assert_eq!(quoted("it's"), r#""it's""#);
        assert_eq!(quoted(""), r#""""#);
    }

    #[test]
    fn line_breaks_controls_and_bidi_are_escaped() {
        assert_eq!(quoted("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(quoted("\u{1b}[31m\u{7f}\u{85}"), r#""\x1b[31m\x7f\x85""#);
        assert_eq!(quoted("x\u{2028}y\u{2029}"), r#""x\u2028y\u2029""#);
        assert_eq!(quoted("\u{202e}evil\u{2066}"), r#""\u202eevil\u2066""#);
        assert_eq!(quoted("\u{feff}\u{ffff}"), r#""\ufeff\uffff""#);
        // Ordinary non-ASCII text is kept as it is.
        assert_eq!(quoted("Größe – 日本"), "\"Größe – 日本\"");
    }

    #[test]
    fn keys_are_plain_only_when_unambiguous() {
        assert_eq!(
            key("requestParameters.snapshotId"),
            "requestParameters.snapshotId"
        );
        assert_eq!(
            key("gcp.audit.method_name|endswith"),
            "gcp.audit.method_name|endswith"
        );
        assert_eq!(key("a: b"), r#""a: b""#);
        assert_eq!(key("yes"), r#""yes""#);
        assert_eq!(key("#x"), r##""#x""##);
    }

    #[test]
    fn nests_mappings_and_lists_with_sigma_indents() {
        let doc = document(&[
            ("title".into(), Node::text("T: \"x\"")),
            (
                "detection".into(),
                Node::Map(vec![
                    (
                        "selection".into(),
                        Node::Map(vec![("eventName".into(), Node::text("A"))]),
                    ),
                    (
                        "when_1".into(),
                        Node::List(vec![
                            Node::Map(vec![("f|contains".into(), Node::texts(["a", "b"]))]),
                            Node::Map(vec![("g".into(), Node::text("*"))]),
                        ]),
                    ),
                    ("condition".into(), Node::text("selection and when_1")),
                ]),
            ),
            (
                "tags".into(),
                Node::List(vec![Node::plain("attack.t1578.004")]),
            ),
        ]);
        assert_eq!(
            doc,
            "title: \"T: \\\"x\\\"\"\n\
             detection:\n\
            \x20   selection:\n\
            \x20       eventName: \"A\"\n\
            \x20   when_1:\n\
            \x20       - f|contains:\n\
            \x20             - \"a\"\n\
            \x20             - \"b\"\n\
            \x20       - g: \"*\"\n\
            \x20   condition: \"selection and when_1\"\n\
             tags:\n\
            \x20   - attack.t1578.004\n"
        );
    }
}
