//! Making log strings safe, and short enough, to place in HTML and SVG.

use std::fmt;
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use revertwatch_normalize::format_time;

/// A log-derived string as HTML text or as a double- or single-quoted attribute value.
///
/// Control and bidirectional-override characters are first made visible (as on a terminal, so a
/// user agent cannot reorder what the analyst reads), then `& < > " '` become entities. The
/// result is inert in text, in attributes, and inside inline SVG; it must never be placed in a
/// script, a style, or a URL attribute, and the report never does.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let visible = crate::escape::terminal(self.0);
        let mut rest: &str = &visible;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A log-derived string with a line-break opportunity (`<wbr>`) after each `/`, `.` and `:`,
/// so long ARNs, resource paths and operation names wrap where a reader expects.
pub struct Breakable<'a>(pub &'a str);

impl fmt::Display for Breakable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['/', '.', ':']) {
            write!(f, "{}<wbr>", Esc(&rest[..=at]))?;
            rest = &rest[at + 1..];
        }
        write!(f, "{}", Esc(rest))
    }
}

/// A time as `<time>`: seconds shown, the exact RFC 3339 value in the tooltip.
pub fn write_time(out: &mut dyn Write, t: &DateTime<Utc>) -> io::Result<()> {
    let exact = format_time(t);
    write!(
        out,
        "<time datetime=\"{exact}\" title=\"{exact}\">{}</time>",
        t.format("%Y-%m-%d %H:%M:%S")
    )
}

/// The part of a resource id or ARN that names the thing: the text after the last `/`
/// (Azure and GCP paths, ARNs with a resource path), else the id itself.
pub fn tail(id: &str) -> &str {
    let trimmed = id.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(at) if at + 1 < trimmed.len() => &trimmed[at + 1..],
        _ => trimmed,
    }
}

/// An operation name short enough for a graph label: the last two segments of an Azure
/// (`virtualMachines/write`) or GCP (`instances.attachDisk`) name; AWS names are already short.
pub fn short_operation(op: &str) -> &str {
    let sep = if op.contains('/') { '/' } else { '.' };
    match op.rmatch_indices(sep).nth(1) {
        Some((at, _)) => &op[at + 1..],
        None => op,
    }
}

/// Who called, short enough for a graph label: an ARN's resource path without its type
/// (`user/mallory` → `mallory`, `assumed-role/Ops/s1` → `Ops/s1`); UPNs and e-mails stay whole.
pub fn short_actor(actor: &str) -> &str {
    if !actor.starts_with("arn:") {
        return actor;
    }
    let resource = actor.rsplit(':').next().unwrap_or(actor);
    match resource.split_once('/') {
        Some((_, path)) if !path.is_empty() => path,
        _ => resource,
    }
}

/// At most `max` characters, the middle replaced by `…` when longer: both the start and the end
/// of an id tell ids apart.
pub fn shorten(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max || max < 5 {
        return s.to_string();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(count - tail));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markup_character_is_escaped() {
        let hostile = r#"<script>x='1'</script>"><svg onload=alert(1)>&amp;"#;
        assert_eq!(
            Esc(hostile).to_string(),
            "&lt;script&gt;x=&#39;1&#39;&lt;/script&gt;&quot;&gt;&lt;svg onload=alert(1)&gt;&amp;amp;"
        );
    }

    #[test]
    fn breaks_are_offered_between_escaped_pieces() {
        assert_eq!(Breakable("a/<b>.c").to_string(), "a/<wbr>&lt;b&gt;.<wbr>c");
    }

    #[test]
    fn control_and_bidi_characters_are_made_visible() {
        assert_eq!(Esc("a\u{202e}b\n").to_string(), "a\\u{202e}b\\u{a}");
    }

    #[test]
    fn ids_and_operations_are_shortened_for_display() {
        assert_eq!(
            tail("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"),
            "d1"
        );
        assert_eq!(tail("i-0abc"), "i-0abc");
        assert_eq!(
            short_operation("Microsoft.Compute/virtualMachines/write"),
            "virtualMachines/write"
        );
        assert_eq!(
            short_operation("v1.compute.instances.attachDisk"),
            "instances.attachDisk"
        );
        assert_eq!(short_operation("AttachVolume"), "AttachVolume");
        assert_eq!(shorten("abcdefghij", 7), "abc…hij");
        assert_eq!(shorten("abc", 7), "abc");
        assert_eq!(short_actor("arn:aws:iam::1:user/mallory"), "mallory");
        assert_eq!(short_actor("arn:aws:sts::1:assumed-role/Ops/s1"), "Ops/s1");
        assert_eq!(short_actor("alice@example.com"), "alice@example.com");
    }
}
