//! Per-stage throughput on real CloudTrail (the suzaku S3-layout sample in ../shared/data):
//! inflate (three inflaters), prefilter, framing, normalize, and correlation.

use std::io::{Cursor, Read};
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use revertwatch_decode::{decode, Limits};
use revertwatch_detect::{detect, DEFAULT_WINDOW};
use revertwatch_normalize::{annotate, merge_phases, Ingest, Selection};
use revertwatch_pack::load_default;

/// The sample's gz files, concatenated (a multi-member gzip stream), and the JSON inside.
fn corpus() -> (Vec<Vec<u8>>, Vec<u8>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/Yamato-Security__suzaku-sample-data");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("the shared samples beside the checkout") {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "gz") {
                files.push(std::fs::read(&p).unwrap());
            }
        }
    }
    files.sort();
    let mut json = Vec::new();
    for f in &files {
        flate2::read::MultiGzDecoder::new(&f[..]).read_to_end(&mut json).unwrap();
    }
    (files, json)
}

fn inflate(c: &mut Criterion) {
    let (files, json) = corpus();
    let mut g = c.benchmark_group("inflate");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("flate2-zlib-rs", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(json.len());
            for f in &files {
                flate2::read::MultiGzDecoder::new(&f[..]).read_to_end(&mut out).unwrap();
            }
            out.len()
        })
    });
    g.bench_function("libdeflate", |b| {
        let mut d = libdeflater::Decompressor::new();
        b.iter(|| {
            let mut total = 0;
            for f in &files {
                let n = u32::from_le_bytes(f[f.len() - 4..].try_into().unwrap()) as usize;
                let mut out = vec![0u8; n];
                total += d.gzip_decompress(f, &mut out).unwrap();
            }
            total
        })
    });
    g.bench_function("miniz_oxide", |b| {
        b.iter(|| {
            let mut total = 0;
            for f in &files {
                total += miniz_oxide::inflate::decompress_to_vec(&f[gzip_header_len(f)..f.len() - 8]).unwrap().len();
            }
            total
        })
    });
    g.finish();
}

/// Length of a gzip member header (RFC 1952: fixed 10 bytes, then optional fields by flag).
fn gzip_header_len(f: &[u8]) -> usize {
    let flags = f[3];
    let mut at = 10;
    if flags & 0x04 != 0 {
        at += 2 + u16::from_le_bytes([f[at], f[at + 1]]) as usize;
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            at += f[at..].iter().position(|&b| b == 0).unwrap() + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    at
}

fn frame_and_prefilter(c: &mut Criterion) {
    let pack = load_default();
    let pf = pack.prefilter();
    // One big `{"Records":[...]}`, as a large CloudTrail file would be.
    let (files, _) = corpus();
    let mut records = Vec::new();
    for f in &files {
        let mut one = Vec::new();
        flate2::read::MultiGzDecoder::new(&f[..]).read_to_end(&mut one).unwrap();
        decode(&one[..], &Limits::default(), None, &mut |f| records.push(f.bytes.to_vec()));
    }
    let mut big = b"{\"Records\":[".to_vec();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            big.push(b',');
        }
        big.extend_from_slice(r);
    }
    big.extend_from_slice(b"]}");
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("frame-all", |b| {
        b.iter(|| decode(&big[..], &Limits::default(), None, &mut |_| {}).frames)
    });
    let interest = |r: &[u8]| pf.is_candidate(r);
    g.bench_function("frame-with-prefilter", |b| {
        b.iter(|| decode(&big[..], &Limits::default(), Some(&interest), &mut |_| {}).frames)
    });
    g.bench_function("prefilter-only", |b| b.iter(|| records.iter().filter(|r| pf.is_candidate(r)).count()));
    g.finish();
}

fn normalize_and_correlate(c: &mut Criterion) {
    let pack = load_default();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/scenarios/aws/full-revert.json");
    let text = std::fs::read(&fixtures).unwrap();
    let ingest = || Ingest {
        selection: Selection {
            prefilter: Some(pack.prefilter()),
            keep: Box::new({
                let p = pack.clone();
                move |prov, op| p.knows(prov, op)
            }),
            keep_record: false,
            annotate_with: None,
        },
        limits: Limits::default(),
    };
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("full-revert-file", |b| {
        let ing = ingest();
        b.iter(|| ing.read_reader("bench", Cursor::new(text.clone())).calls.len())
    });
    g.finish();
    let mut g = c.benchmark_group("correlate");
    for copies in [10usize, 300] {
        let ing = ingest();
        let mut calls = Vec::new();
        for n in 0..copies {
            // Every copy is its own revert: its own instance, volumes, snapshot and event ids.
            let text = String::from_utf8(text.clone())
                .unwrap()
                .replace("i-0a1b2c3d4e5f60004", &format!("i-{n:017x}"))
                .replace("vol-0aaa000000000004", &format!("vol-a{n:016x}"))
                .replace("vol-0ccc000000000004", &format!("vol-c{n:016x}"))
                .replace("snap-0feedface0000003", &format!("snap-{n:017x}"));
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for (i, r) in v["Records"].as_array_mut().unwrap().iter_mut().enumerate() {
                r["eventID"] = serde_json::Value::String(format!("{n}-{i}"));
            }
            calls.extend(ing.read_reader("bench", Cursor::new(v.to_string().into_bytes())).calls);
        }
        g.bench_with_input(BenchmarkId::new("incidents", copies), &calls, |b, calls| {
            b.iter(|| {
                let mut merged = merge_phases(calls.clone());
                for c in &mut merged {
                    annotate(c, &pack);
                }
                detect(&merged, &pack, DEFAULT_WINDOW).incidents.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, inflate, frame_and_prefilter, normalize_and_correlate);
criterion_main!(benches);
