//! Every input byte is accounted for: the hunt's records parsed + prefiltered + unreadable
//! equal the records a slow exact reference finds (`revertwatch_testkit::reference`), and the
//! prefilter costs no call an exact parse of every record would find. Held on generated inputs
//! (escapes, byte-order marks, header and junk lines, parts, concatenations, gzip, envelopes),
//! on the vendored real samples and `../shared/data`, and through the binary on a simulated
//! corpus.

mod support;

use std::io::Write;
use std::path::Path;

use base64::Engine;
use proptest::prelude::*;
use revertwatch_decode::Limits;
use revertwatch_normalize::{FileReport, Ingest, Selection};
use revertwatch_testkit::reference::{reference, Reference};
use serde_json::{json, Value};
use support::{fixture_records, revertwatch};

fn pool() -> &'static [Value] {
    static POOL: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let mut all = fixture_records("scenarios/aws/full-revert.json");
        all.extend(fixture_records("scenarios/azure/full-revert.json"));
        all.extend(fixture_records("scenarios/gcp/full-revert.jsonl"));
        all.push(
            serde_json::from_str(&support::cloudtrail::ec2(
                "DescribeInstances",
                1,
                0,
                &["i-0f"],
            ))
            .unwrap(),
        );
        all
    })
}

/// The hunt's reading, with the default pack's prefilter, and with none (every record parsed).
fn ingests() -> &'static (Ingest, Ingest) {
    static INGESTS: std::sync::OnceLock<(Ingest, Ingest)> = std::sync::OnceLock::new();
    INGESTS.get_or_init(|| {
        let pack = revertwatch_pack::load_default();
        let fast = Ingest {
            selection: Selection::for_pack(&pack, false),
            limits: Limits::default(),
        };
        let mut exact = Selection::for_pack(&pack, false);
        exact.prefilter = None;
        let exact = Ingest {
            selection: exact,
            limits: Limits::default(),
        };
        (fast, exact)
    })
}

fn calls(report: &FileReport) -> Vec<(String, u64)> {
    let mut calls: Vec<(String, u64)> = report
        .calls
        .iter()
        .map(|c| (c.operation.clone(), c.origin.offset))
        .collect();
    calls.sort();
    calls
}

/// The assertion: `fast` accounts for every record the reference finds plus the `junk`
/// units put in, and finds every call that parsing every record finds.
fn assert_accounted(
    what: &str,
    fast: &FileReport,
    exact: &FileReport,
    want: &Reference,
    junk: u64,
) {
    let accounted = fast.parsed + fast.prefiltered + fast.unread;
    assert_eq!(
        accounted,
        want.records + junk,
        "{what}: parsed {} + prefiltered {} + unreadable {} != reference {} + junk {junk}\nskips: {:?}",
        fast.parsed,
        fast.prefiltered,
        fast.unread,
        want.records,
        fast.skips
    );
    assert_eq!(
        calls(fast),
        calls(exact),
        "{what}: the prefilter lost calls an exact parse finds"
    );
    assert_eq!(fast.unread > 0, junk > 0, "{what}: skips {:?}", fast.skips);
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

const BOM: &str = "\u{feff}";

/// How one record is written.
fn written(record: &Value, escape: u8) -> String {
    let text = record.to_string();
    match escape {
        1 => text.replace('/', "\\/"),
        2 => text
            .replace("Instances\"", "\\u0049nstances\"")
            .replace("Microsoft.Compute", "Microsoft.\\u0043ompute")
            .replace("compute.", "c\\u006fmpute."),
        3 => text
            .replace("\"eventName\"", "\"event\\u004eame\"")
            .replace("\"operationName\"", "\"operation\\u004eame\"")
            .replace("\"methodName\"", "\"method\\u004eame\""),
        _ => text,
    }
}

/// A line that is one record in an envelope: Pub/Sub push or a CloudWatch Logs subscription.
fn enveloped(text: &str, kind: u8) -> String {
    match kind {
        1 => json!({"message": {"data": b64(text.as_bytes()), "messageId": "1"},
                    "subscription": "projects/p/subscriptions/s"})
        .to_string(),
        2 => {
            let data = json!({"messageType": "DATA_MESSAGE", "owner": "111122223333",
                "logGroup": "trail", "logStream": "s",
                "logEvents": [{"id": "1", "timestamp": 0, "message": text}]});
            json!({"awslogs": {"data": b64(&gzip(data.to_string().as_bytes()))}}).to_string()
        }
        _ => text.to_string(),
    }
}

#[derive(Debug, Clone)]
struct Case {
    records: Vec<(usize, u8, u8)>,
    layout: u8,
    bom: Vec<bool>,
    junk: Vec<usize>,
    gzip: bool,
    cuts: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    let n = pool().len();
    (
        prop::collection::vec((0..n, 0u8..4, 0u8..3), 1..24),
        0u8..4,
        prop::collection::vec(any::<bool>(), 24),
        prop::collection::vec(0usize..24, 0..3),
        any::<bool>(),
        prop::collection::vec(0usize..24, 0..3),
    )
        .prop_map(|(records, layout, bom, junk, gzip, cuts)| Case {
            records,
            layout,
            bom,
            junk,
            gzip,
            cuts,
        })
}

const JUNK: [&str; 3] = [
    "# exported by siem-export 2.1",
    "\"eventVersion\":\"1.09\",\"cut\":\"mid-record\"}",
    "{\"eventVersion\":\"1.09\",\"cut\":",
];

impl Case {
    /// The input as written (junk and all), the same without junk, and the junk lines in it.
    /// Layouts: 0 JSON Lines (with envelopes and junk), 1 `{"Records":[...]}` then JSON
    /// Lines (a concatenation), 2 an array, 3 pretty-printed values one after another.
    fn render(&self) -> (Vec<u8>, Vec<u8>, u64) {
        let texts: Vec<String> = self
            .records
            .iter()
            .map(|(i, escape, _)| written(&pool()[*i], *escape))
            .collect();
        let bom = |k: usize| {
            if self.bom[k % self.bom.len()] {
                BOM
            } else {
                ""
            }
        };
        let (dirty, clean, junk) = match self.layout {
            0 | 1 => {
                let mut lines: Vec<(String, bool)> = self
                    .records
                    .iter()
                    .zip(&texts)
                    .enumerate()
                    .map(|(k, ((_, _, env), text))| {
                        (format!("{}{}", bom(k), enveloped(text, *env)), false)
                    })
                    .collect();
                if self.layout == 1 {
                    let half = lines.len() / 2;
                    let head: Vec<String> = texts[..half].to_vec();
                    lines.drain(..half);
                    let doc = format!("{}{{\"Records\":[{}]}}", bom(0), head.join(",\n"));
                    lines.insert(0, (doc, false));
                }
                let mut junk = 0;
                // Junk goes between lines, never above a wrapped document (which is not lines).
                for (k, at) in self.junk.iter().enumerate() {
                    let at = (*at % (lines.len() + 1)).max(usize::from(self.layout == 1));
                    lines.insert(at, (JUNK[k % JUNK.len()].to_string(), true));
                    junk += 1;
                }
                let join = |keep_junk: bool| -> String {
                    lines
                        .iter()
                        .filter(|(_, j)| keep_junk || !j)
                        .map(|(l, _)| format!("{l}\n"))
                        .collect()
                };
                (join(true), join(false), junk)
            }
            2 => {
                let body = format!("{}[{}]", bom(0), texts.join(",\n"));
                (body.clone(), body, 0)
            }
            _ => {
                let body: String = self
                    .records
                    .iter()
                    .enumerate()
                    .map(|(k, (i, _, _))| {
                        format!(
                            "{}{}\n",
                            bom(k),
                            serde_json::to_string_pretty(&pool()[*i]).unwrap()
                        )
                    })
                    .collect();
                (body.clone(), body, 0)
            }
        };
        (dirty.into_bytes(), clean.into_bytes(), junk)
    }
}

/// Reads `bytes` as the hunt does: whole, or (JSON Lines) as parts cut at the given lines.
fn read(ingest: &Ingest, bytes: &[u8], cuts: &[usize], dir: &Path) -> FileReport {
    if cuts.is_empty() {
        return ingest.read_reader("case", std::io::Cursor::new(bytes.to_vec()));
    }
    let path = dir.join("case.jsonl");
    std::fs::write(&path, bytes).unwrap();
    let starts: Vec<u64> = std::iter::once(0)
        .chain(memchr_lines(bytes).into_iter().filter(|at| {
            cuts.contains(
                &(bytes[..*at as usize]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()),
            )
        }))
        .collect();
    let mut bounds: Vec<u64> = starts;
    bounds.push(bytes.len() as u64);
    bounds.dedup();
    let (mut whole, mut lines) = ingest.read_part(&path, bounds[0], bounds[1]);
    for w in bounds[1..].windows(2) {
        let (next, newlines) = ingest.read_part(&path, w[0], w[1]);
        whole.append_part(next, (w[0], lines));
        lines += newlines;
    }
    whole
}

/// Offsets of every line start after the first.
fn memchr_lines(bytes: &[u8]) -> Vec<u64> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i as u64 + 1)
        .filter(|at| (*at as usize) < bytes.len())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_inputs_are_accounted_for_record_by_record(case in case()) {
        let (dirty, clean, junk) = case.render();
        let want = reference(&clean).unwrap_or_else(|e| panic!("reference: {e}\n{}", String::from_utf8_lossy(&clean)));
        let dir = tempfile::tempdir().unwrap();
        // Parts only for plain JSON Lines, as the hunt cuts only those.
        let cuts: &[usize] = if case.layout == 0 && !case.gzip { &case.cuts } else { &[] };
        let dirty = if case.gzip { gzip(&dirty) } else { dirty };
        let (fast, exact) = ingests();
        let fast = read(fast, &dirty, cuts, dir.path());
        let exact = read(exact, &dirty, cuts, dir.path());
        assert_accounted(&format!("{case:?}"), &fast, &exact, &want, junk);
        // Every audit record the reference finds that names a pack operation is a call.
        let pack = revertwatch_pack::load_default();
        let known = want
            .operations
            .iter()
            .filter(|op| {
                [revertwatch_pack::Provider::Aws, revertwatch_pack::Provider::Azure, revertwatch_pack::Provider::Gcp]
                    .into_iter()
                    .any(|p| pack.knows(p, op))
            })
            .count();
        prop_assert_eq!(fast.calls.len(), known, "{:?}", case);
    }
}

/// Every file under `dir`, each read and held to the reference. Returns how many were.
fn check_tree(dir: &Path) -> usize {
    let (fast, exact) = ingests();
    let mut checked = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let Ok(want) = reference(&bytes) else {
                continue; // not JSON (a README, a licence): nothing to count
            };
            let what = path.display().to_string();
            let f = fast.read_path(&path);
            let e = exact.read_path(&path);
            assert_accounted(&what, &f, &e, &want, 0);
            checked += 1;
        }
    }
    checked
}

#[test]
fn real_samples_are_accounted_for_record_by_record() {
    let vendored = check_tree(&support::vendored_data());
    assert!(vendored > 5, "only {vendored} vendored samples checked");
    if let Some(shared) = support::shared_data() {
        let shared = check_tree(&shared);
        assert!(shared > 5, "only {shared} shared samples checked");
    }
}

/// The summary line's records, through the binary, equal the reference over a simulated
/// corpus.
#[test]
fn a_simulated_corpus_is_accounted_for_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corpus");
    revertwatch(
        &["simulate", "--out", out.to_str().unwrap(), "--size", "3MB"],
        None,
    )
    .expect_code(0);
    std::fs::remove_file(out.join("ground-truth.jsonl")).ok();
    let mut want = 0;
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                want += reference(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                    .records;
            }
        }
    }
    let run = revertwatch(&["hunt", out.to_str().unwrap(), "--format", "jsonl"], None);
    run.expect_code(0);
    let summary = run
        .stderr
        .lines()
        .rfind(|l| l.contains(" files, "))
        .unwrap();
    let counts = &summary[summary.find(" MB, ").unwrap() + 5..];
    assert!(
        counts.starts_with(&format!("{want} records (")),
        "reference {want}: {summary}"
    );
    let inner: Vec<u64> = counts[counts.find('(').unwrap() + 1..counts.find(')').unwrap()]
        .split(", ")
        .map(|c| c.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(inner.iter().sum::<u64>(), want, "{summary}");
}
