//! Benchmark (not a test): one patient against every stored trial with
//! criteria, compiled criteria read from the store (compiled and stored
//! first when missing for the current compiler version).
//!
//! `cargo run --release -p tm-matcher --example bench_match -- --db DB [--patient FILE] [--as-of YYYY-MM-DD] [--rounds N]`
//!
//! Prints the total and per-pair time of the verdict-only path (what a
//! ranking needs) and of the explained path (what `match` prints).
use std::path::PathBuf;
use std::time::Instant;

use tm_criteria::{CompiledCriteria, COMPILER_VERSION};
use tm_matcher::{evaluate_trial, MatchConfig, PatientFacts, Plan, TrialInfo, Verdict};
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
        eprintln!("usage: bench_match --db DB [--patient FILE] [--as-of DATE] [--rounds N]");
        std::process::exit(2);
    };
    let pfile =
        arg(&args, "--patient").unwrap_or_else(|| "examples/patients/seed000-eligible.json".into());
    let as_of = arg(&args, "--as-of")
        .and_then(|s| Date::parse(&s))
        .or_else(|| Date::parse("2025-03-01"))
        .unwrap_or_else(Date::today);
    let rounds: usize = arg(&args, "--rounds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let store = match tm_store::Store::open(&db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", db.display());
            std::process::exit(1);
        }
    };
    let t0 = Instant::now();
    let all = store.all_trials().unwrap_or_default();
    let (mut pre, mut fresh) = (0usize, 0usize);
    let mut trials: Vec<(TrialInfo, CompiledCriteria)> = Vec::new();
    for t in &all {
        let Some(text) = t
            .eligibility
            .criteria_text
            .as_deref()
            .filter(|x| !x.trim().is_empty())
        else {
            continue;
        };
        let c = match store.get_compiled::<CompiledCriteria>(&t.id, COMPILER_VERSION) {
            Ok(Some(c)) => {
                pre += 1;
                c
            }
            _ => {
                fresh += 1;
                let c = tm_criteria::compile(text);
                let _ = store.put_compiled(&t.id, COMPILER_VERSION, &c);
                c
            }
        };
        trials.push((TrialInfo::from_trial(t), c));
    }
    let load = t0.elapsed();
    let rep = tm_patient::read_path(&pfile).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let Some(patient) = rep.patients.first() else {
        eprintln!("no patient in {pfile}");
        std::process::exit(1)
    };
    let t1 = Instant::now();
    let facts = PatientFacts::new(patient, MatchConfig::new(as_of));
    let prep = t1.elapsed();
    let n = trials.len().max(1) as f64;
    let t2 = Instant::now();
    let refs: Vec<(TrialInfo, &CompiledCriteria)> =
        trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    let plan = Plan::new(&refs);
    let plan_time = t2.elapsed();
    let mut best = f64::INFINITY;
    let mut counts = [0usize; 4];
    for _ in 0..rounds {
        counts = [0; 4];
        let t = Instant::now();
        // a fresh patient preparation each round: nothing carried over
        let facts = PatientFacts::new(patient, MatchConfig::new(as_of));
        for (v, _) in plan.verdicts(&facts) {
            counts[usize::from(v.rank())] += 1;
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    // the explained path, verdicts checked against the fast path
    let fast = plan.verdicts(&facts);
    let mut mismatches = 0usize;
    let t = Instant::now();
    let mut crit = 0usize;
    for (i, (info, c)) in trials.iter().enumerate() {
        let r = evaluate_trial(info, c, &facts, true);
        crit += r.criteria.len();
        mismatches += usize::from(fast.get(i).map(|f| f.0) != Some(r.verdict));
    }
    let explained = t.elapsed().as_secs_f64();
    println!("bench match: {} trials with criteria ({} precompiled, {} compiled now; load {:.2} s), patient {}", trials.len(), pre, fresh, load.as_secs_f64(), patient.id);
    println!(
        "  patient preparation (index, derived values): {:.1} µs",
        prep.as_secs_f64() * 1e6
    );
    println!(
        "  plan: {} distinct leaves over all trials, built in {:.1} ms (once per trial set)",
        plan.distinct_leaves(),
        plan_time.as_secs_f64() * 1e3
    );
    println!(
        "  verdict only, fast plan (best of {rounds}, patient preparation included): total {:.2} ms, {:.3} µs per pair",
        best * 1e3,
        best * 1e6 / n
    );
    println!(
        "  with explanations and evidence: total {:.2} ms, {:.2} µs per pair ({} criteria); verdict mismatches fast vs explained: {}",
        explained * 1e3,
        explained * 1e6 / n,
        crit,
        mismatches
    );
    println!(
        "  verdicts: {} {}, {} {}, {} {}, {} {}",
        counts[0],
        Verdict::Eligible.as_str(),
        counts[1],
        Verdict::NeedsReview.as_str(),
        counts[2],
        Verdict::NeedsData.as_str(),
        counts[3],
        Verdict::Ineligible.as_str()
    );
}
