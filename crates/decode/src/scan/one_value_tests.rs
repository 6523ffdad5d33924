//! `is_one_value` against the byte loop it replaced, which stays here as the reference: the
//! framer drops runs unparsed on its word, so the two must agree on every input, valid or not.

use proptest::prelude::*;

use super::blocks::{is_one_value_baseline, new_carry};
#[cfg(target_arch = "x86_64")]
use super::marks::Haswell;
use super::marks::{bytewise, Baseline, Kernel};
use super::{is_one_value, is_one_value_within, Step, ValueScan};
use super::{CLASS, CLOSE, OPEN, QUOTE};

/// The byte loop that jumps strings with `memchr2`, as it was before the bitmask version.
fn is_one_value_reference(run: &[u8]) -> bool {
    if !matches!(run.first(), Some(b'{') | Some(b'[')) {
        return false;
    }
    let mut depth = 0u64;
    let mut i = 0;
    while i < run.len() {
        match CLASS[run[i] as usize] {
            QUOTE => {
                let mut j = i + 1;
                loop {
                    let Some(k) = memchr::memchr2(b'"', b'\\', &run[j..]) else {
                        return false;
                    };
                    if run[j + k] == b'"' {
                        i = j + k + 1;
                        break;
                    }
                    // An escape takes the byte after the backslash, whatever it is.
                    j += k + 2;
                    if j >= run.len() {
                        return false;
                    }
                }
                continue;
            }
            OPEN => depth += 1,
            CLOSE => {
                depth -= 1;
                if depth == 0 {
                    return i + 1 == run.len();
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

fn agree(run: &[u8]) -> bool {
    let shown = String::from_utf8_lossy(run);
    let expected = is_one_value_reference(run);
    assert_eq!(is_one_value(run), expected, "disagree on {shown:?}");
    assert_eq!(
        is_one_value_baseline(run, u64::MAX),
        expected,
        "baseline kernel disagrees on {shown:?}"
    );
    // With a depth limit, the answer is the scanner's that the framer used to ask.
    for max_depth in [0, 1, 2, 3, 4, 6, 9, u32::MAX] {
        let scanned = matches!(run.first(), Some(b'{') | Some(b'['))
            && matches!(
                ValueScan::default().step(run, 0, max_depth),
                Step::Done(n) if n == run.len()
            );
        assert_eq!(
            is_one_value_within(run, max_depth),
            scanned,
            "disagree within depth {max_depth} on {shown:?}"
        );
        assert_eq!(
            is_one_value_baseline(run, u64::from(max_depth)),
            scanned,
            "baseline kernel disagrees within depth {max_depth} on {shown:?}"
        );
    }
    expected
}

/// Bytes that matter to the scan, and a few that do not.
const ALPHABET: &[u8] = b"{}[]\"\\ a,:0\n\x00\xe9";

fn noise(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..max)
}

/// The inside of a JSON string: braces, escaped quotes, and runs of escaped backslashes of
/// every length, some ending in an escaped quote (an odd run before a quote).
fn string_body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "a", " ", "{", "}", "[", "]", "}}}", ":", ",", "é", "\\n"
        ])
        .prop_map(str::to_owned),
        Just("\\\"".to_owned()),
        (1usize..12, any::<bool>()).prop_map(|(k, quote)| {
            let mut s = "\\\\".repeat(k);
            if quote {
                s.push_str("\\\"");
            }
            s
        }),
        "[a-z]{0,40}",
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

fn json_string() -> impl Strategy<Value = String> {
    string_body().prop_map(|b| format!("\"{b}\""))
}

/// One JSON object or array whose strings hold brackets, quotes and backslashes.
fn container() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        json_string(),
        Just("1".to_owned()),
        Just("-2.5e3".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("{}".to_owned()),
        Just("[]".to_owned()),
    ];
    let value = leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((json_string(), inner, " {0,2}"), 0..8).prop_map(|kv| {
                let fields: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v, ws)| format!("{k}:{ws}{v}"))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    });
    (value, any::<bool>(), " {0,70}").prop_map(|(v, array, pad)| {
        if array {
            format!("[{pad}{v}]")
        } else {
            format!("{{{pad}\"k\":{v}}}")
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn agrees_on_noise(body in noise(400), open in any::<bool>()) {
        let mut run = if open { vec![b'{'] } else { Vec::new() };
        run.extend(body);
        agree(&run);
    }

    #[test]
    fn agrees_on_noise_that_closes(body in noise(300), pad in 0usize..64) {
        // Noise rarely closes what it opens; this gives the bracket walk real work.
        let mut run = b"[".to_vec();
        run.extend(std::iter::repeat_n(b' ', pad));
        run.extend(body.iter().map(|&b| if b == b'"' || b == b'\\' { b'a' } else { b }));
        run.extend(body);
        run.push(b']');
        agree(&run);
    }

    #[test]
    fn takes_every_generated_container_whole(doc in container()) {
        prop_assert!(agree(doc.as_bytes()), "not one value: {doc}");
    }

    #[test]
    fn agrees_on_cut_and_joined_containers(
        a in container(),
        b in container(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 4),
        sep in prop::sample::select(vec!["", ",", " ,\n", "}", "\"", "\\"]),
    ) {
        let a = a.as_bytes();
        let joined = [a, sep.as_bytes(), b.as_bytes()].concat();
        agree(&joined);
        let cut = cuts[0].index(a.len() + 1);
        agree(&a[..cut]);
        agree(&a[cut..]);
        // A run cut at an inner object or array, as a marker inside a record would cut it.
        let inner: Vec<usize> =
            (0..joined.len()).filter(|&i| matches!(joined[i], b'{' | b'[')).collect();
        let from = inner[cuts[1].index(inner.len())];
        agree(&joined[from..]);
        let to = from + cuts[2].index(joined.len() - from + 1);
        agree(&joined[from..to]);
        let mut spliced = joined[from..to].to_vec();
        spliced.extend_from_slice(&a[cuts[3].index(a.len())..]);
        agree(&spliced);
    }

    #[test]
    fn kernels_match_the_portable_classification(bytes in prop::collection::vec(
        prop_oneof![prop::sample::select(ALPHABET), any::<u8>()], 64), bits in any::<u64>()
    ) {
        let block: &[u8; 64] = bytes.as_slice().try_into().unwrap();
        prop_assert_eq!(Baseline.marks(block), bytewise(block));
        let mut want = 0u64;
        for i in 0..64 {
            want |= u64::from((bits & (u64::MAX >> (63 - i))).count_ones() % 2) << i;
        }
        prop_assert_eq!(Baseline.prefix_xor(bits), want);
        // Without these features the dispatch never picks this kernel, so nothing goes untested.
        #[cfg(target_arch = "x86_64")]
        if let Some(haswell) = Haswell::detect() {
            prop_assert_eq!(haswell.marks(block), bytewise(block));
            prop_assert_eq!(haswell.prefix_xor(bits), want);
        }
    }

    #[test]
    fn escapes_match_a_byte_loop(backslash in any::<u64>(), runs in any::<u64>(), carried in any::<bool>()) {
        // Dense runs are the interesting case; `runs` makes them.
        for backslash in [backslash, backslash | runs, !(runs & (runs << 3))] {
            let mut carry = new_carry(carried);
            let got = carry.escapes(backslash);
            let (mut want, mut pending) = (0u64, carried);
            for i in 0..64 {
                if pending {
                    want |= 1 << i;
                    pending = false;
                } else if backslash >> i & 1 != 0 {
                    pending = true;
                }
            }
            prop_assert_eq!(got, want, "backslashes {:064b}, carried {}", backslash, carried);
            prop_assert_eq!(carry.next_escaped(), pending);
        }
    }
}

#[test]
fn backslash_runs_across_the_block_boundary() {
    for pad in 40..70 {
        for n in 0..14 {
            let head = format!("{{\"k\":\"{}{}", "a".repeat(pad), "\\".repeat(n));
            // An even run leaves the quote to close the string; an odd one escapes it.
            assert_eq!(
                agree(format!("{head}\"}}").as_bytes()),
                n % 2 == 0,
                "{n} at {pad}"
            );
            assert_eq!(
                agree(format!("{head}\"}}\"}}").as_bytes()),
                n % 2 == 1,
                "{n} at {pad}"
            );
            assert!(!agree(head.as_bytes()));
            // The same run read outside any string escapes nothing.
            let outside = format!("{{{}{}\"}}\"}}", " ".repeat(pad), "\\".repeat(n));
            assert!(agree(outside.as_bytes()), "{n} outside at {pad}");
        }
    }
}

#[test]
fn quotes_on_either_side_of_the_block_boundary() {
    for pad in 0..140 {
        let run = format!("{{\"k\":{}\"x}}]\\\\\"}}", " ".repeat(pad));
        assert!(agree(run.as_bytes()), "{run}");
        let open = format!("{{\"k\":{}\"x}}", " ".repeat(pad));
        assert!(!agree(open.as_bytes()), "{open}");
    }
}

#[test]
fn depth_back_at_zero_before_the_end() {
    for pad in 0..140 {
        let spaces = " ".repeat(pad);
        for run in [
            format!("{{\"a\":1}} {spaces}"),
            format!("{{\"a\":1}}{spaces}{{}}"),
            format!("[{spaces}]]"),
            format!("{{{spaces}\"}}\"}}\"x\"}}"),
        ] {
            assert!(!agree(run.as_bytes()), "{run}");
        }
        assert!(agree(format!("[{spaces}[]]").as_bytes()));
    }
}

#[test]
fn every_length_up_to_200() {
    // A little xorshift, so each length gets its own few inputs and the test stays repeatable.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for len in 0..200 {
        if len >= 8 {
            let run = format!("{{\"k\":\"{}\"}}", "\\\\".repeat((len - 8) / 2));
            assert!(agree(run.as_bytes()), "{run}");
        }
        for _ in 0..64 {
            let run: Vec<u8> = (0..len)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    if i == 0 {
                        b'{'
                    } else {
                        ALPHABET[(state % 8) as usize]
                    }
                })
                .collect();
            agree(&run);
        }
    }
}

#[test]
fn deep_and_long_values() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(agree(deep.as_bytes()));
    assert!(!agree(&deep.as_bytes()[..deep.len() - 1]));
    let long = format!("{{\"k\":\"{}\"}}", "\\\"{}".repeat(3000));
    assert!(agree(long.as_bytes()));
}
