//! Byte-level JSON writing: records are written from templates, not built as values.

/// Writes `s` as the inside of a JSON string (without the quotes).
pub(crate) fn escaped(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let rep: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&s[start..i]);
                out.extend_from_slice(format!("\\u{:04x}", b).as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

/// Re-indents one compact JSON value the way Python's `json.dumps(indent=2)` (and so the `az`
/// CLI) prints it, starting at `level` levels of indentation. Empty objects and arrays stay
/// `{}` / `[]`.
pub(crate) fn pretty(out: &mut Vec<u8>, compact: &[u8], level: usize) {
    let mut depth = level;
    let mut in_str = false;
    let mut esc = false;
    let mut i = 0;
    let nl = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        for _ in 0..depth {
            out.extend_from_slice(b"  ");
        }
    };
    while i < compact.len() {
        let b = compact[i];
        if in_str {
            out.push(b);
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_str = true;
                out.push(b);
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                if compact.get(i + 1) == Some(&close) {
                    out.push(b);
                    out.push(close);
                    i += 2;
                    continue;
                }
                out.push(b);
                depth += 1;
                nl(out, depth);
            }
            b'}' | b']' => {
                depth -= 1;
                nl(out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                nl(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut v = Vec::new();
        escaped(&mut v, b"a\"b\\c\nd\x01");
        assert_eq!(v, b"a\\\"b\\\\c\\nd\\u0001");
    }

    #[test]
    fn pretty_matches_python() {
        let mut v = Vec::new();
        pretty(&mut v, br#"{"a":[1,{"b":"x,{y}:"}],"c":{},"d":[]}"#, 0);
        let want = "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,{y}:\"\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}";
        assert_eq!(String::from_utf8(v).unwrap(), want);
        let parsed: serde_json::Value = serde_json::from_str(want).unwrap();
        assert_eq!(parsed["a"][1]["b"], "x,{y}:");
    }
}
