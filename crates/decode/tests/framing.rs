//! Framing edge cases: which bytes become records, with and without an interest test.

use revertwatch_decode::{decode, Interest, IssueKind, Layout, Limits};

fn frames(input: &str, interest: Option<Interest<'_>>) -> (Vec<String>, Layout, Vec<IssueKind>) {
    let mut out = Vec::new();
    let d = decode(input.as_bytes(), &Limits::default(), interest, &mut |f| {
        out.push(String::from_utf8(f.bytes.to_vec()).unwrap())
    });
    (
        out,
        d.layout,
        d.issues.into_iter().map(|i| i.kind).collect(),
    )
}

#[test]
fn wrapped_records_are_framed_one_by_one() {
    let (f, layout, issues) = frames(
        r#"{"Records":[{"eventVersion":"1","a":1}, {"eventVersion":"2"} ,{"eventVersion":"3","s":"}{\""}]}"#,
        None,
    );
    assert_eq!(layout, Layout::Wrapped("Records"));
    assert!(issues.is_empty());
    assert_eq!(
        f,
        [
            r#"{"eventVersion":"1","a":1}"#,
            r#"{"eventVersion":"2"}"#,
            r#"{"eventVersion":"3","s":"}{\""}"#
        ]
    );
}

#[test]
fn a_nested_object_that_opens_like_a_record_does_not_split_it() {
    let nested = r#"{"eventVersion":"1","items":[{"a":1},{"eventVersion":"x"}]}"#;
    let input =
        format!(r#"{{"Records":[{{"eventVersion":"0"}},{nested},{{"eventVersion":"2"}}]}}"#);
    let keep_all = |_: &[u8]| true;
    let (f, _, issues) = frames(&input, Some(&keep_all));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(
        f,
        [r#"{"eventVersion":"0"}"#, nested, r#"{"eventVersion":"2"}"#]
    );
}

#[test]
fn records_of_different_shapes_in_one_array_are_each_framed() {
    let input = r#"[{"eventVersion":"1"},{"time":"t","operationName":"x"},{"insertId":"g"},{"eventVersion":"2"}]"#;
    let keep_all = |_: &[u8]| true;
    let (f, layout, _) = frames(input, Some(&keep_all));
    assert_eq!(layout, Layout::Array);
    assert_eq!(f.len(), 4, "{f:?}");
}

#[test]
fn uninteresting_records_are_dropped_but_counted() {
    let input = r#"{"Records":[{"eventVersion":"1","eventName":"Describe"},{"eventVersion":"1","eventName":"Stop"},{"eventVersion":"1","eventName":"Get"},{"eventVersion":"1","eventName":"List"}]}"#;
    let wants_stop = |b: &[u8]| b.windows(4).any(|w| w == b"Stop");
    let mut seen = Vec::new();
    let d = decode(
        input.as_bytes(),
        &Limits::default(),
        Some(&wants_stop),
        &mut |f| seen.push(f.bytes.len()),
    );
    assert_eq!(d.frames, 4, "every record is counted");
    // The first record always reaches the caller (it tells what the input is), and the last
    // is delimited by scanning, so it is handed over too; `Get` is dropped unparsed.
    assert_eq!(seen.len(), 3);
}

#[test]
fn json_lines_and_pretty_streams_are_told_apart() {
    let (f, layout, _) = frames("{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}", None);
    assert_eq!(layout, Layout::Lines);
    assert_eq!(f.len(), 3);
    let (f, layout, _) = frames("{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n", None);
    assert_eq!(layout, Layout::Stream);
    assert_eq!(f.len(), 2);
}

#[test]
fn truncation_inside_a_record_is_reported_after_the_good_ones() {
    let (f, _, issues) = frames(
        r#"{"Records":[{"eventVersion":"1"},{"eventVersion":"2","x":"#,
        None,
    );
    assert_eq!(f, [r#"{"eventVersion":"1"}"#]);
    assert_eq!(issues, [IssueKind::Truncated]);
}

#[test]
fn text_binary_and_empty_inputs_are_classified() {
    assert_eq!(frames("# notes\nnot json\n", None).1, Layout::Text);
    let (_, layout, issues) = frames("\u{0}\u{1}binary", None);
    assert_eq!(layout, Layout::Binary);
    assert_eq!(issues, [IssueKind::Binary]);
    assert_eq!(frames("", None).2, [IssueKind::Empty]);
    assert_eq!(frames("\u{feff}{\"a\":1}", None).0, ["{\"a\":1}"]);
}

/// Found by `fuzz/` (decode_frames): a closing bracket where an array element should start
/// was framed as an empty value, so framing never moved on and filled memory with issues.
#[test]
fn regression_fuzz_decode_stray_closing_bracket_in_array() {
    for input in ["[}\n@", " [}<", "[1,}]", "{\"Records\":[}]}"] {
        // On a worker thread, so that the old endless loop fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(frames(input, None).2));
        let issues = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("{input:?}: framing does not finish"));
        assert!(
            issues.contains(&IssueKind::NotObject),
            "{input:?}: {issues:?}"
        );
        assert!(issues.len() < 5, "{input:?}: {issues:?}");
    }
}

/// Found triaging a `fuzz/` decode_frames failure: with an interest, the run up to the next
/// `{"eventVersion":` was dropped unchecked, but that marker can open an object nested in an
/// array of the record (an attacker's bucket policy, say). The record was cut there, its inner
/// `]` ended the records array, and every record after it was lost without a word.
#[test]
fn regression_fuzz_decode_marker_nested_in_a_dropped_record() {
    let nested = r#"{"eventVersion":"1","requestParameters":{"policy":{"Statement":[{"Sid":"a"},{"eventVersion":"x"}]}},"eventName":"StopInstances"}"#;
    let after = r#"{"eventVersion":"2","eventName":"StartInstances"}"#;
    let first = r#"{"eventVersion":"0"}"#;
    let input = format!(r#"{{"Records":[{first},{nested},{after}]}}"#);
    let wanted = |r: &[u8]| r.windows(9).any(|w| w == b"Instances");
    let (f, _, issues) = frames(&input, Some(&wanted));
    assert!(issues.is_empty(), "{issues:?}");
    // The first record is framed to learn the marker, wanted or not.
    assert_eq!(f, [first, nested, after]);
}

/// Found by `fuzz/` (decode_frames): framing stopped at the end of the first JSON document,
/// so `zcat *.json.gz > all.json` (or `cat` of the .gz files, one multi-member gzip) of
/// CloudTrail files read the first file's records and silently dropped every other file's.
#[test]
fn regression_fuzz_decode_concatenated_documents() {
    let a = r#"{"eventVersion":"1"}"#;
    let b = r#"{"eventVersion":"2"}"#;
    for input in [
        format!(r#"{{"Records":[{a}]}}{{"Records":[{b}]}}"#),
        format!("{{\"Records\":[{a}]}}\n{{\"Records\":[{b}]}}\n"),
        format!(r#"{{"value":[{a}],"nextLink":"https://x/?$skiptoken=1"}} {{"value":[{b}]}}"#),
        format!("[{a}]\n[{b}]"),
        format!("[{a}]{{\"Records\":[{b}]}}"),
    ] {
        let (f, _, issues) = frames(&input, None);
        assert!(issues.is_empty(), "{input}: {issues:?}");
        assert_eq!(f, [a, b], "{input}");
    }
    let junk = format!("{{\"Records\":[{a}]}}\nnot json\n{{\"Records\":[{b}]}}");
    let (f, layout, issues) = frames(&junk, None);
    assert_eq!(layout, Layout::Wrapped("Records"));
    assert_eq!(f, [a, b]);
    assert!(
        matches!(&issues[..], [IssueKind::Syntax(_)]),
        "a line of junk between documents is reported and skipped: {issues:?}"
    );
}

/// Hands out its bytes one at a time, as a slow pipe may.
struct OneByte<'a>(&'a [u8]);

impl std::io::Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(buf.len()).min(1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// Found by `fuzz/` (decode_frames): the UTF-8 byte-order mark was looked for in the first
/// read only, so a reader that returned fewer than three bytes first made a log "binary".
#[test]
fn regression_fuzz_decode_byte_order_mark_split_across_reads() {
    let input = "\u{feff}{\"Records\":[{\"eventVersion\":\"1\"}]}";
    let mut f = Vec::new();
    let d = decode(
        OneByte(input.as_bytes()),
        &Limits::default(),
        None,
        &mut |fr| f.push(fr.bytes.to_vec()),
    );
    assert_eq!(d.layout, Layout::Wrapped("Records"), "{:?}", d.issues);
    assert_eq!(f, [br#"{"eventVersion":"1"}"#.to_vec()]);
}

/// An attacker's call that nests an object opening like a record (in a bucket policy) and
/// balances the braces with its user agent must not hide the calls after it.
#[test]
fn regression_fuzz_decode_brace_balanced_bait_does_not_hide_later_records() {
    let first = r#"{"eventVersion":"0"}"#;
    let bait = r#"{"eventVersion":"1","userAgent":"x }}}","requestParameters":{"bucketPolicy":{"Statement":[{"Sid":"a"},{"eventVersion":"x"}]}},"eventName":"PutBucketPolicy"}"#;
    let after = r#"{"eventVersion":"2","eventName":"StartInstances"}"#;
    let input = format!(r#"{{"Records":[{first},{bait},{after}]}}"#);
    let wanted = |r: &[u8]| r.windows(9).any(|w| w == b"Instances");
    let (f, _, issues) = frames(&input, Some(&wanted));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(f.first().map(String::as_str), Some(first));
    assert_eq!(f.last().map(String::as_str), Some(after), "{f:?}");
}

/// A record over `max_record_bytes` that still fits in one read used to pass: the limit was
/// only checked when a record outgrew the decoder's window.
#[test]
fn regression_max_record_bytes_holds_below_the_window() {
    let limits = Limits {
        max_record_bytes: 100,
        ..Limits::default()
    };
    let big = format!(r#"{{"eventVersion":"1","pad":"{}"}}"#, "x".repeat(200));
    let small = r#"{"eventVersion":"2"}"#;
    let inputs = [
        format!(r#"{{"Records":[{small},{big},{small}]}}"#),
        format!("[{small},{big},{small}]"),
        format!("{small}\n{big}\n{small}\n"),
        format!("{small}\n{big}\n{small}"),
    ];
    for input in inputs {
        let mut out = Vec::new();
        let d = decode(input.as_bytes(), &limits, None, &mut |f| {
            out.push(String::from_utf8(f.bytes.to_vec()).unwrap())
        });
        assert_eq!(out, [small, small], "{input}");
        let kinds: Vec<IssueKind> = d.issues.into_iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [IssueKind::TooLarge { limit: 100 }], "{input}");
    }
}

/// Hands out its bytes in reads of varying sizes, as `decode_frames` does.
struct Trickle<'a> {
    data: &'a [u8],
    turn: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const SIZES: [usize; 6] = [1, 7, 64, 300, 4096, 3];
        let n = SIZES[self.turn % SIZES.len()]
            .min(buf.len())
            .min(self.data.len());
        self.turn += 1;
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Found by `decode_frames` under small limits: when a pretty-printed first record is dropped
/// as too deep, whether its bytes were still in the buffer (how the reader split the input)
/// decided between JSON Lines and a stream, and so whether the records after it were framed.
#[test]
fn regression_fuzz_decode_layout_after_a_dropped_first_record_ignores_read_sizes() {
    let pad = "x".repeat(8000);
    let input = format!(
        "{{\n  \"a\": {{\"b\": {{\"c\": 1}}}},\n  \"pad\": \"{pad}\"\n}}\n{{\n  \"eventName\": \"StopInstances\"\n}}\n"
    );
    let limits = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    let collect = |reader: &mut dyn std::io::Read| {
        let mut out = Vec::new();
        let d = decode(reader, &limits, None, &mut |f| {
            out.push((f.offset, f.bytes.to_vec()))
        });
        (
            out,
            d.layout,
            d.issues.into_iter().map(|i| i.kind).collect::<Vec<_>>(),
        )
    };
    let whole = collect(&mut input.as_bytes());
    let trickled = collect(&mut Trickle {
        data: input.as_bytes(),
        turn: 0,
    });
    assert_eq!(whole, trickled);
    assert_eq!(whole.0.len(), 1, "{whole:?}");
    assert_eq!(whole.1, Layout::Stream);
}
