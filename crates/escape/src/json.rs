//! JSON that is safe to print on a terminal and still means the same.
//!
//! serde_json escapes only what JSON requires (`"`, `\` and C0 controls). A C1 control
//! (`\u{9b}` is a one-byte CSI to many terminals), a bidi override or a zero-width character
//! in a user agent passes through raw, so `hunt --format jsonl` on a terminal could be made to
//! move the cursor or reorder a line. These characters are written as `\uXXXX` instead: JSON
//! readers decode them back to the very same string, so nothing is lost for a SIEM.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::is_dangerous;

/// Writes `value` as compact JSON with every character [`crate::terminal`] would escape written
/// as a `\uXXXX` escape.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, TerminalSafe);
    value.serialize(&mut ser)
}

/// [`to_writer`] into a `Vec`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// serde_json's compact layout (every other `Formatter` method keeps its default).
struct TerminalSafe;

impl Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_dangerous(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every dangerous character is in the Basic Multilingual Plane: one escape.
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_characters_become_json_escapes_that_read_back_the_same() {
        let ua = "curl\u{9b}31m\u{202e}gpj.exe\u{200b}\u{2028}x\x1b";
        let json = String::from_utf8(to_vec(&serde_json::json!({ "ua": ua })).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"ua":"curl\u009b31m\u202egpj.exe\u200b\u2028x\u001b"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["ua"], ua);
    }

    #[test]
    fn ordinary_text_is_written_as_serde_json_writes_it() {
        let v = serde_json::json!({ "a": "mallory@contoso.com", "b": [1, "é\"\\"] });
        assert_eq!(to_vec(&v).unwrap(), serde_json::to_vec(&v).unwrap());
    }
}
