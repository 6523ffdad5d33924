//! Framing edge cases: which bytes become records, with and without an interest test.

use revertwatch_decode::{decode, Interest, IssueKind, Layout, Limits};

fn frames(
    input: &str,
    interest: Option<Interest<'_>>,
) -> (Vec<String>, Layout, Vec<IssueKind>) {
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
