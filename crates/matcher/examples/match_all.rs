//! Every example patient (examples/patients/*.json) against every stored
//! trial with criteria: verdict counts, timing, and no panic.
//!
//! `cargo run --release -p tm-matcher --example match_all -- --db DB [--as-of YYYY-MM-DD] [--dir examples/patients]`
//! Exit status 1 if any pair panicked.
use std::path::PathBuf;
use std::time::Instant;

use tm_criteria::{CompiledCriteria, COMPILER_VERSION};
use tm_matcher::{evaluate_trial, MatchConfig, PatientFacts, TrialInfo};
use tm_model::Date;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(db) = arg(&args, "--db").map(PathBuf::from) else {
        eprintln!("usage: match_all --db DB [--as-of DATE] [--dir DIR]");
        std::process::exit(2);
    };
    let dir = arg(&args, "--dir").unwrap_or_else(|| "examples/patients".into());
    let as_of = arg(&args, "--as-of")
        .and_then(|s| Date::parse(&s))
        .or_else(|| Date::parse("2025-03-01"))
        .unwrap_or_else(Date::today);
    let store = match tm_store::Store::open(&db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", db.display());
            std::process::exit(1);
        }
    };
    let mut trials: Vec<(TrialInfo, CompiledCriteria)> = Vec::new();
    for t in store.all_trials().unwrap_or_default() {
        let Some(text) = t
            .eligibility
            .criteria_text
            .as_deref()
            .filter(|x| !x.trim().is_empty())
        else {
            continue;
        };
        let c = match store.get_compiled::<CompiledCriteria>(&t.id, COMPILER_VERSION) {
            Ok(Some(c)) => c,
            _ => {
                let c = tm_criteria::compile(text);
                let _ = store.put_compiled(&t.id, COMPILER_VERSION, &c);
                c
            }
        };
        trials.push((TrialInfo::from_trial(&t), c));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    std::panic::set_hook(Box::new(|_| {}));
    let mut panics = 0usize;
    let mut total = [0usize; 4];
    let started = Instant::now();
    let mut pairs = 0usize;
    println!(
        "{:<34} {:>9} {:>13} {:>11} {:>11} {:>10}",
        "patient", "eligible", "needs_review", "needs_data", "ineligible", "ms"
    );
    for f in &files {
        let rep = match tm_patient::read_path(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        for p in &rep.patients {
            let t = Instant::now();
            let facts = PatientFacts::new(p, MatchConfig::new(as_of));
            let mut counts = [0usize; 4];
            for (info, c) in &trials {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    evaluate_trial(info, c, &facts, true)
                })) {
                    Ok(r) => counts[usize::from(r.verdict.rank())] += 1,
                    Err(_) => {
                        panics += 1;
                        eprintln!("panic: patient {} trial {}", p.id, info.id);
                    }
                }
                pairs += 1;
            }
            for i in 0..4 {
                total[i] += counts[i];
            }
            println!(
                "{:<34} {:>9} {:>13} {:>11} {:>11} {:>10.1}",
                p.id,
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                t.elapsed().as_secs_f64() * 1e3
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{:<34} {:>9} {:>13} {:>11} {:>11}",
        "total", total[0], total[1], total[2], total[3]
    );
    println!("{} patients files, {} trials, {} pairs in {:.2} s ({:.1} µs per pair, explained); {} panics", files.len(), trials.len(), pairs, secs, secs * 1e6 / pairs.max(1) as f64, panics);
    if panics > 0 {
        std::process::exit(1);
    }
}
