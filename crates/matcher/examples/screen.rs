//! Screens example patients against the seed trials, compiling the
//! criteria text read with `tm_ingest` (no store):
//! `cargo run -p tm-matcher --example screen -- PATIENT.json [SEED_PREFIX] [--as-of YYYY-MM-DD] [-v] [--json]`.
use std::path::Path;

use tm_matcher::{match_patient, MatchConfig, PatientFacts, TrialInfo};
use tm_model::Date;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(pfile) = args.first() else {
        eprintln!("usage: screen PATIENT.json [SEED_PREFIX] [--as-of DATE] [-v] [--json]");
        return;
    };
    let prefix = args.get(1).filter(|a| !a.starts_with('-')).cloned();
    let as_of = args
        .iter()
        .position(|a| a == "--as-of")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| Date::parse(s))
        .or_else(|| Date::parse("2025-03-01"))
        .unwrap_or_else(Date::today);
    let rep = match tm_patient::read_path(pfile) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    for e in &rep.errors {
        eprintln!("{e}");
    }
    let Some(patient) = rep.patients.into_iter().next() else {
        eprintln!("no patient");
        return;
    };
    let mut trials = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("examples/seeds")
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if prefix
            .as_ref()
            .is_some_and(|p| !name.starts_with(p.as_str()))
        {
            continue;
        }
        tm_ingest::read_file(Path::new(&f), &mut |r| {
            if let Ok(t) = r {
                let c = tm_criteria::compile(t.eligibility.criteria_text.as_deref().unwrap_or(""));
                trials.push((TrialInfo::from_trial(&t), c));
            }
        });
    }
    let facts = PatientFacts::new(&patient, MatchConfig::new(as_of));
    let refs: Vec<_> = trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    let report = match_patient(&facts, &refs);
    if args.iter().any(|a| a == "--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!(
            "{}",
            tm_matcher::human::report(&report, args.iter().any(|a| a == "-v"))
        );
    }
}
