//! Command templates: `{{name}}` placeholders in bash, and where they may stand.

/// Every placeholder a command may use (playbooks.toml documents each).
pub const PLACEHOLDERS: &[&str] = &[
    "account",
    "region",
    "zone",
    "resource_group",
    "vault_name",
    "target",
    "target_name",
    "actor",
    "actor_name",
    "actor_role",
    "actor_user",
    "window_start",
    "window_end",
    "snapshot",
    "snapshot_name",
    "restored",
    "restored_name",
    "replaced",
    "replaced_name",
    "image",
    "image_name",
    "incident_id",
];

/// A piece of a template: text as written, or a placeholder's name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Hole(&'a str),
}

/// Splits a template into text and placeholders, checking that each placeholder is known and
/// stands where a quoted word can go: outside single and double quotes, and outside comments.
/// Inside quotes, the quotes added around a value would end the template's own; in a comment, a
/// value with a newline would end the comment and run.
pub(crate) fn parse(template: &str) -> Result<Vec<Piece<'_>>, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Plain,
        Single,
        Double,
        Comment,
    }
    let bytes = template.as_bytes();
    let mut pieces = Vec::new();
    let mut state = State::Plain;
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if bytes[i..].starts_with(b"{{") {
            let Some(len) = template[i + 2..].find("}}") else {
                return Err("a `{{` is not closed by `}}`".into());
            };
            let name = &template[i + 2..i + 2 + len];
            if PLACEHOLDERS.contains(&name) {
                let place = match state {
                    State::Plain => None,
                    State::Single => Some("inside single quotes"),
                    State::Double => Some("inside double quotes"),
                    State::Comment => Some("in a comment"),
                };
                if let Some(place) = place {
                    return Err(format!(
                        "`{{{{{name}}}}}` is {place}: a placeholder must stand outside quotes and comments"
                    ));
                }
                pieces.push(Piece::Text(&template[text_start..i]));
                pieces.push(Piece::Hole(name));
                i += 2 + len + 2;
                text_start = i;
                continue;
            }
            if name.bytes().all(|c| c.is_ascii_lowercase() || c == b'_') {
                return Err(format!(
                    "unknown placeholder `{{{{{name}}}}}` (known: {})",
                    PLACEHOLDERS.join(", ")
                ));
            }
        }
        match (state, b) {
            (State::Plain, b'\'') => state = State::Single,
            (State::Plain, b'"') => state = State::Double,
            (State::Plain | State::Double, b'\\') => i += 1,
            (State::Plain, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                state = State::Comment
            }
            (State::Single, b'\'') | (State::Double, b'"') => state = State::Plain,
            (State::Comment, b'\n') => state = State::Plain,
            _ => {}
        }
        i += 1;
    }
    match state {
        State::Single => return Err("a single quote is not closed".into()),
        State::Double => return Err("a double quote is not closed".into()),
        _ => {}
    }
    pieces.push(Piece::Text(&template[text_start..]));
    Ok(pieces)
}

pub(crate) fn check(template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err("is empty".into());
    }
    parse(template).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_quotes_split_out() {
        let p = parse("aws ec2 x --id {{target}} --f Name=a,Values={{image}} 'q{x}'").unwrap();
        assert_eq!(
            p,
            [
                Piece::Text("aws ec2 x --id "),
                Piece::Hole("target"),
                Piece::Text(" --f Name=a,Values="),
                Piece::Hole("image"),
                Piece::Text(" 'q{x}'"),
            ]
        );
    }

    #[test]
    fn placeholders_in_quotes_comments_or_unknown_are_refused() {
        for (t, why) in [
            ("echo '{{actor}}'", "inside single quotes"),
            ("echo \"a {{actor}}\"", "inside double quotes"),
            ("# ask {{actor}}\necho", "in a comment"),
            ("echo {{nobody}}", "unknown placeholder"),
            ("echo 'open", "not closed"),
            ("echo {{actor", "not closed"),
        ] {
            let err = parse(t).unwrap_err();
            assert!(err.contains(why), "{t}: {err}");
        }
        // a quote escaped outside quotes, and a `#` inside a word, start nothing
        assert!(parse("echo \\' {{actor}} a#b {{target}}").is_ok());
        // JSON braces are not placeholders
        assert!(parse("x --doc \"{\\\"a\\\":{\\\"b\\\":1}}\"").is_ok());
    }
}
