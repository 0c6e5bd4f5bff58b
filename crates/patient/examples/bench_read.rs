//! Bench (not a test): reads the 100-patient Synthea bulk NDJSON set and
//! prints patients/s.
//!
//! `cargo run --release -p tm-patient --example bench_read [DIR] [ROUNDS]`
//! (default DIR: ../shared/data/fhir/synthea-bulk/100-patients).

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/fhir/synthea-bulk/100-patients")
    });
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    if !dir.exists() {
        eprintln!("note: {} absent; nothing to measure", dir.display());
        return;
    }
    let mut patients = 0usize;
    let mut resources = 0usize;
    let t = Instant::now();
    for _ in 0..rounds {
        match tm_patient::read_path(&dir) {
            Ok(r) => {
                patients += r.patients.len();
                resources +=
                    r.resources_read + r.skipped_types.values().sum::<usize>() + r.excluded;
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let secs = t.elapsed().as_secs_f64().max(1e-9);
    println!(
        "{}: {} rounds, {} patients/round, {:.0} patients/s, {:.0} resources/s, {:.1} ms/round",
        dir.display(),
        rounds,
        patients / rounds.max(1),
        patients as f64 / secs,
        resources as f64 / secs,
        secs * 1000.0 / rounds as f64
    );
}
