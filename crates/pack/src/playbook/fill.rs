//! Filling a command with values: each value goes in as one single-quoted shell word. Which
//! values an incident gives is the report's business (`revertwatch_report::playbook`); here
//! the values are only names and strings, so that the quoting is checked in one place.

use std::collections::BTreeMap;

use super::template::{parse, Piece, PLACEHOLDERS};

/// The values an incident gives the placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    values: BTreeMap<&'static str, String>,
}

/// A filled command, and the placeholders the incident had no value for (left as `'<name>'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// The command, ready to paste into bash.
    pub text: String,
    /// The placeholders without a value, each once, in the order they first appear.
    pub missing: Vec<&'static str>,
}

impl Facts {
    /// Sets the value of the placeholder `name`; an empty value, or a name that is no
    /// placeholder, sets nothing (so that an unknown stays visible as `'<name>'`).
    pub fn set(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        if let Some(key) = PLACEHOLDERS.iter().find(|p| **p == name) {
            self.values.insert(key, value.to_string());
        }
    }

    /// The same facts with every value passed through `f`: for a medium with its own
    /// escaping (a terminal's control characters), applied before the shell quoting.
    pub fn map_values(&self, f: impl Fn(&str) -> String) -> Facts {
        Facts {
            values: self.values.iter().map(|(k, v)| (*k, f(v))).collect(),
        }
    }

    /// The value of the placeholder `name`, if one was set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The command with every placeholder replaced by its value as one single-quoted word, or
    /// by `'<name>'` when the incident has no value for it.
    pub fn fill(&self, template: &str) -> Filled {
        let mut text = String::with_capacity(template.len() + 64);
        let mut missing = Vec::new();
        // A template that does not parse was refused at load; keep such text as it is.
        let Ok(pieces) = parse(template) else {
            return Filled {
                text: template.to_string(),
                missing,
            };
        };
        for piece in pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Hole(name) => match self.values.get(name) {
                    Some(v) => text.push_str(&single_quote(v)),
                    None => {
                        let key = PLACEHOLDERS
                            .iter()
                            .find(|p| **p == name)
                            .expect("parse accepts only known names");
                        if !missing.contains(key) {
                            missing.push(*key);
                        }
                        text.push_str(&format!("'<{name}>'"));
                    }
                },
            }
        }
        Filled { text, missing }
    }
}

/// `s` as one single-quoted bash word: nothing in it is special to the shell.
pub fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_in_as_one_quoted_word_and_unknowns_stay_visible() {
        let mut f = Facts::default();
        f.set("actor", "x'; rm -rf / #\n$(id)`id`");
        f.set("target", "i-0abc");
        let out = f.fill("echo {{actor}} {{target}} {{replaced}} {{replaced}}");
        assert_eq!(
            out.text,
            "echo 'x'\\''; rm -rf / #\n$(id)`id`' 'i-0abc' '<replaced>' '<replaced>'"
        );
        assert_eq!(out.missing, ["replaced"]);
    }
}
