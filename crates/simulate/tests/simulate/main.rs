//! End-to-end checks of the simulator: determinism, containers, ground truth, size.

mod containers;
mod habits;
mod runs;
mod truth;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use revertwatch_simulate::{simulate, Container, Options, Planted, Report};
use serde_json::Value;

const MB: u64 = 1_000_000;

/// Every file under `root` (relative path → bytes, gzip decoded), ground truth left out.
fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let raw = std::fs::read(&path).unwrap();
            let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
                let mut v = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut v)
                    .unwrap();
                v
            } else {
                raw
            };
            out.insert(rel, bytes);
        }
    }
    out
}

fn raw_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn container_of(rel: &str) -> Option<Container> {
    if rel.starts_with("aws/AWSLogs/") {
        Some(Container::AwsS3Gz)
    } else if rel.starts_with("aws-jsonl/") {
        Some(Container::AwsJsonl)
    } else if rel.starts_with("azure/eventhub/") {
        Some(Container::AzureEventHub)
    } else if rel.starts_with("azure/rest/") {
        Some(Container::AzureRest)
    } else if rel.starts_with("gcp/cloudaudit.googleapis.com/") {
        Some(Container::GcpJsonl)
    } else {
        None
    }
}

fn small(out: PathBuf, seed: u64) -> Options {
    Options {
        out_dir: out,
        size_bytes: 2 * MB,
        seed,
        days: 1,
        aws_regions: vec!["eu-west-1".into()],
        ..Options::default()
    }
}

struct Corpus {
    dir: PathBuf,
    report: Report,
    files: BTreeMap<String, Vec<u8>>,
}

/// One 20 MB corpus with default options, shared by the tests that read it.
fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("simulate-20mb");
        let _ = std::fs::remove_dir_all(&dir);
        // two days keep the file count (and the test) small; the budget is what is tested
        let opts = Options {
            out_dir: dir.clone(),
            size_bytes: 20 * MB,
            days: 2,
            ..Options::default()
        };
        let report = simulate(&opts).expect("simulate");
        let mut files = read_tree(&dir);
        files.remove("ground-truth.jsonl");
        Corpus { dir, report, files }
    })
}

/// The records of one file, parsed as the container it is in.
fn records(rel: &str, bytes: &[u8]) -> Vec<Value> {
    let c = container_of(rel).unwrap_or_else(|| panic!("{rel}: not in any container's layout"));
    let lines = || -> Vec<Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{rel}: {e}")))
            .collect()
    };
    match c {
        Container::AwsS3Gz => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let obj = v.as_object().unwrap();
            assert_eq!(obj.len(), 1, "{rel}: only Records");
            obj["Records"].as_array().expect("Records array").clone()
        }
        Container::AwsJsonl | Container::GcpJsonl => lines(),
        Container::AzureEventHub => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            v["records"].as_array().expect("records array").clone()
        }
        Container::AzureRest => {
            let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
            v.as_array().expect("a bare array").clone()
        }
    }
}

fn ground_truth(dir: &Path) -> Vec<Planted> {
    std::fs::read_to_string(dir.join("ground-truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
