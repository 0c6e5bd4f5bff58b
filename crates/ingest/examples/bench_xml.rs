//! Throughput of the classic XML reader (parse + normalise), one thread.
//!
//! `cargo run --release -p tm-ingest --example bench_xml -- /work/shared/data/ctgov/classic-xml`
//!
//! Loads every file into memory first, so only parsing is timed.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/ctgov/classic-xml"));
    let (files, errors) = tm_ingest::collect_files(&[dir]);
    for e in &errors {
        eprintln!("warning: {e}");
    }
    let docs: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter_map(|p| match std::fs::read(p) {
            Ok(b) => Some((p.display().to_string(), b)),
            Err(e) => {
                eprintln!("warning: {}: {e}", p.display());
                None
            }
        })
        .collect();
    let bytes: usize = docs.iter().map(|(_, b)| b.len()).sum();
    if docs.is_empty() {
        eprintln!("no files to read");
        std::process::exit(1);
    }
    let fmt = Some(tm_ingest::Format::CtgovXml);
    // One untimed warm-up pass, then the timed pass.
    for pass in 0..2 {
        let (mut ok, mut bad, mut locs) = (0usize, 0usize, 0usize);
        let start = Instant::now();
        for (name, b) in &docs {
            tm_ingest::read_bytes(b, name, fmt, &mut |r| match r {
                Ok(t) => {
                    ok += 1;
                    locs += t.locations.len();
                }
                Err(_) => bad += 1,
            });
        }
        let secs = start.elapsed().as_secs_f64();
        if pass == 1 {
            println!(
                "{} records ({} rejected, {} locations) from {:.1} MB in {:.3} s: {:.0} records/s, {:.1} MB/s",
                ok,
                bad,
                locs,
                bytes as f64 / 1e6,
                secs,
                (ok + bad) as f64 / secs,
                bytes as f64 / 1e6 / secs
            );
        }
    }
}
