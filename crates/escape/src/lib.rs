//! Making attacker-controlled strings inert for the medium they are written to.
//!
//! Every string that came from a log (a user agent, an actor, a tag, an object key) is
//! attacker-controlled. Two functions neutralise one for where it goes:
//!
//! - [`terminal`]: control characters (C0, DEL, C1) and bidirectional overrides become visible
//!   `\u{..}` escapes, for stderr, tables and any line a person reads on a terminal;
//! - [`csv_cell`]: a cell a spreadsheet would run as a formula gets a leading apostrophe;
//! - [`json::to_writer`]: JSON whose strings carry those same characters as `\uXXXX` escapes.
//!
//! Both borrow when there is nothing to change. This crate depends on nothing of revertwatch's,
//! so that the live service (`serve`) and the sinks can escape without the report writers.
//!
//! ```
//! use revertwatch_escape::{csv_cell, terminal};
//!
//! assert_eq!(terminal("curl\x1b]0;pwned\x07"), "curl\\u{1b}]0;pwned\\u{7}");
//! assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
//! assert_eq!(terminal("aws-cli/2.15"), "aws-cli/2.15");
//! ```
#![deny(missing_docs)]

use std::borrow::Cow;

pub mod json;

/// Control characters (C0, DEL, C1), bidirectional overrides and marks, zero-width characters
/// and the Unicode line and paragraph separators become visible `\u{..}` escapes, so a user
/// agent cannot move the cursor, set the title, reorder the line, hide text or start a line.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

pub(crate) fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // bidi embeddings, overrides, isolates and marks
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            // zero-width space, joiners, word joiner and the byte-order mark: invisible text
            | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
            // line and paragraph separators: a new line to some terminals and viewers
            | '\u{2028}' | '\u{2029}'
        )
}

/// A CSV cell that a spreadsheet would evaluate gets a leading apostrophe, the
/// OWASP-recommended defusal; the csv writer then quotes as needed. The same goes for each
/// `;`-separated part: revertwatch joins lists with `;`, and a spreadsheet in a locale whose
/// list separator is `;` splits the cell there and evaluates each part.
///
/// `=`, `@`, tab and CR always start a formula. `-` and `+` start one only when something
/// other than letters, digits, `_` and `.` follows (an operator, a `(`, a `|`, a `!`): a GCP
/// `insertId` such as `-x5uqxdd1ev6` or a signed number is data, and stays as it is, so it
/// still pivots.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if !is_formula(s) && !s.match_indices(';').any(|(i, _)| is_formula(&s[i + 1..])) {
        return Cow::Borrowed(s);
    }
    let parts: Vec<String> = s
        .split(';')
        .map(|p| match is_formula(p) {
            true => format!("'{p}"),
            false => p.to_string(),
        })
        .collect();
    Cow::Owned(parts.join(";"))
}

/// Whether a spreadsheet would evaluate a cell (or a `;`-separated part) that starts here.
fn is_formula(part: &str) -> bool {
    let mut chars = part.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('-' | '+') => {
            let rest = chars.as_str();
            // Only a lone sign or a plain word/number after it is inert; anything else (an
            // operator, a call, a DDE `cmd|`, a reference `A1!`, a space) may evaluate.
            !rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(
            terminal("curl\x1b]0;pwned\x07"),
            "curl\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(terminal("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(terminal("aws-cli/2.15"), "aws-cli/2.15");
    }

    #[test]
    fn invisible_and_line_breaking_characters_are_made_visible() {
        assert_eq!(terminal("ad\u{200b}min"), "ad\\u{200b}min");
        assert_eq!(terminal("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
        assert_eq!(terminal("\u{feff}x\u{2060}"), "\\u{feff}x\\u{2060}");
        assert_eq!(terminal("mallory@contoso.com"), "mallory@contoso.com");
    }

    #[test]
    fn gcp_insert_ids_and_signed_numbers_are_left_as_they_are() {
        assert_eq!(csv_cell("-x5uqxdd1ev6"), "-x5uqxdd1ev6");
        assert_eq!(csv_cell("-1.5"), "-1.5");
        assert_eq!(csv_cell("-"), "-");
        assert_eq!(csv_cell("a;-x5uqxdd1ev6"), "a;-x5uqxdd1ev6");
    }

    #[test]
    fn csv_formulas_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("arn:aws:iam::1:user/a"), "arn:aws:iam::1:user/a");
        // Each part of a `;` list, as a `;`-separator locale splits it.
        assert_eq!(
            csv_cell("10.0.0.1;=cmd|' /C calc'!A0"),
            "10.0.0.1;'=cmd|' /C calc'!A0"
        );
        assert_eq!(csv_cell("a;b;c"), "a;b;c");
        assert_eq!(csv_cell("+1 (555) 0100"), "'+1 (555) 0100");
        assert_eq!(csv_cell("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(csv_cell("-1+1"), "'-1+1");
    }
}
