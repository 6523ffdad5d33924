//! Times one run: `cargo run -p revertwatch-simulate --release --example bench -- OUT_DIR [MB] [containers]`
//! (containers: comma-separated, default all).
use revertwatch_simulate::{simulate, Container, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: bench OUT_DIR [MB] [containers]");
    let mb: u64 = args.next().map(|s| s.parse().expect("MB")).unwrap_or(200);
    let containers: Vec<Container> = match args.next() {
        Some(s) => s
            .split(',')
            .map(|c| c.parse().expect("container"))
            .collect(),
        None => Container::ALL.to_vec(),
    };
    let opts = Options {
        out_dir: out.into(),
        size_bytes: mb * 1_000_000,
        containers,
        ..Options::default()
    };
    let r = simulate(&opts).expect("simulate");
    let secs = r.elapsed.as_secs_f64();
    println!(
        "{} files, {} records, {:.1} MB uncompressed, {:.1} MB on disk, {} planted, {:.2} s, {:.1} MB/s",
        r.files,
        r.records,
        r.bytes as f64 / 1e6,
        r.compressed_bytes as f64 / 1e6,
        r.planted.len(),
        secs,
        r.bytes as f64 / 1e6 / secs
    );
}
