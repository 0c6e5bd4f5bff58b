//! `trialmatch bench …`: measurements, not tests.
//!
//! - `bench import <PATH>…`: records/s for a whole import (read, normalise,
//!   store) into a fresh temporary store.
//! - `bench match --patient FILE`: one patient against every trial with
//!   criteria in the store, criteria read precompiled from the store; time
//!   of the fast verdict path (`tm_matcher::Plan`) and of the explained
//!   evaluation (`tm_matcher::evaluate_trial`), and a check that both give
//!   the same verdicts.
//! - `bench match-all [--patients DIR]`: every example patient against
//!   every trial in the store, each pair under `catch_unwind` (a panic is
//!   reported with the trial id and patient); verdict counts and timing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tm_criteria::CompiledCriteria;
use tm_matcher::{evaluate_trial, rank, MatchConfig, PatientFacts, Plan, TrialInfo, Verdict};
use tm_model::Date;
use tm_store::{Store, DEFAULT_BATCH_SIZE};

use super::import::{import_inputs, Input};
use super::match_cmd::date_arg;
use crate::{CliError, Ctx};

/// Default index date of the match benchmarks: the example patients' index
/// date (fixed, so that figures are reproducible).
const BENCH_AS_OF: &str = super::demo::DEMO_AS_OF;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand)]
pub enum What {
    /// Import DIR (files and directories) into a fresh temporary store and
    /// print records per second. Ignores --db.
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Records per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
        batch_size: usize,
    },
    /// One patient against every trial with criteria in --db: time per pair
    /// of the fast verdict path and of the explained evaluation, and a
    /// check that both give the same verdicts (exit 1 if not).
    Match {
        /// Patient file (FHIR R4 JSON / Bundle / NDJSON, or the hand-entry
        /// profile); the first patient unless --patient-id.
        #[arg(long, value_name = "FILE")]
        patient: PathBuf,
        /// Patient id when the file holds several patients.
        #[arg(long)]
        patient_id: Option<String>,
        /// Index date (YYYY-MM-DD). Default: 2025-03-01 (the example
        /// patients' index date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Rounds of each path; the best round is reported.
        #[arg(long, default_value_t = 5, value_name = "N")]
        repeat: usize,
    },
    /// Every patient of DIR/*.json against every trial in --db, each pair
    /// guarded against panics (reported with trial id and patient; exit 1):
    /// verdict counts per patient and timing.
    MatchAll {
        /// Directory of patient files (*.json).
        #[arg(long, value_name = "DIR", default_value = "examples/patients")]
        patients: PathBuf,
        /// Index date (YYYY-MM-DD). Default: 2025-03-01.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
    },
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    match args.what {
        What::Import { paths, batch_size } => bench_import(&paths, batch_size),
        What::Match {
            patient,
            patient_id,
            as_of,
            repeat,
        } => bench_match(ctx, &patient, patient_id.as_deref(), &as_of, repeat),
        What::MatchAll { patients, as_of } => bench_match_all(ctx, &patients, &as_of),
    }
}

fn bench_import(paths: &[PathBuf], batch_size: usize) -> Result<(), CliError> {
    let (files, errors) = tm_ingest::collect_files(paths);
    for e in &errors {
        eprintln!("{e}");
    }
    if files.is_empty() {
        return Err(CliError::failure("no files to import"));
    }
    let dir = std::env::temp_dir().join(format!(
        "trialmatch-bench-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let result = (|| {
        let mut store = Store::open(&db)?;
        let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
        let run = import_inputs(&mut store, &inputs, batch_size, false)?;
        let trials = store.count_trials()?;
        Ok::<_, CliError>((run, trials))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let (run, trials) = result?;
    let secs = run.elapsed.as_secs_f64().max(1e-9);
    let store_secs = run.store_time.as_secs_f64();
    let s = &run.summary;
    outln!(
        "bench import: {} files, {} records read, {} rejected",
        run.files,
        run.records,
        run.rejections.len()
    );
    outln!(
        "  outcome: {} imported, {} merged, {} unchanged → {} trials",
        s.imported,
        s.merged,
        s.unchanged,
        trials
    );
    outln!(
        "  total {:.2} s  →  {:.0} records/s  (store {:.2} s, read + normalise {:.2} s; batch {})",
        secs,
        run.records as f64 / secs,
        store_secs,
        (secs - store_secs).max(0.0),
        batch_size
    );
    Ok(())
}

/// The trials of a store with their compiled criteria.
struct Loaded {
    trials: Vec<(TrialInfo, CompiledCriteria)>,
    /// Trials in the store.
    in_store: usize,
    /// Trials whose criteria had to be compiled now (absent for the
    /// current compiler version).
    compiled_now: usize,
    elapsed: Duration,
}

/// Reads every trial (only those with a criteria text when
/// `with_criteria_only`) and its compiled criteria from the store; criteria
/// missing for the current compiler version are compiled and stored first
/// (the import normally did it: `tm_app::compiled`).
fn load(ctx: &Ctx, with_criteria_only: bool) -> Result<Loaded, CliError> {
    let started = Instant::now();
    let mut store = ctx.open_existing_store()?.ok_or_else(|| {
        CliError::failure(format!(
            "no store at {} (run trialmatch import first)",
            ctx.db.display()
        ))
    })?;
    let compiled_now = tm_app::compiled::compile_missing(&mut store)?;
    let all = store.all_trials()?;
    let in_store = all.len();
    let mut trials = Vec::with_capacity(all.len());
    for t in &all {
        let has_text = t
            .eligibility
            .criteria_text
            .as_deref()
            .is_some_and(|x| !x.trim().is_empty());
        if with_criteria_only && !has_text {
            continue;
        }
        let c = tm_app::compiled::compiled_for(&store, t)?;
        trials.push((TrialInfo::from_trial(t), c));
    }
    if trials.is_empty() {
        return Err(CliError::failure(format!(
            "no trials{} in {} (run trialmatch import first)",
            if with_criteria_only {
                " with eligibility criteria"
            } else {
                ""
            },
            ctx.db.display()
        )));
    }
    Ok(Loaded {
        trials,
        in_store,
        compiled_now,
        elapsed: started.elapsed(),
    })
}

fn bench_as_of(s: &Option<String>) -> Result<Date, CliError> {
    match date_arg(s, "--as-of")? {
        Some(d) => Ok(d),
        None => Date::parse(BENCH_AS_OF).ok_or_else(|| CliError::failure("bad default date")),
    }
}

/// Verdict counts in `Verdict::rank` order.
fn counts<'a>(vs: impl IntoIterator<Item = &'a Verdict>) -> [usize; 4] {
    let mut c = [0usize; 4];
    for v in vs {
        c[usize::from(v.rank())] += 1;
    }
    c
}

fn counts_json(c: &[usize; 4]) -> serde_json::Value {
    serde_json::json!({
        "eligible": c[0], "needs_review": c[1], "needs_data": c[2], "ineligible": c[3]
    })
}

/// Trials where the fast path and the explained evaluation disagree on the
/// verdict, or (for a trial that is not ineligible) on the number of
/// unknown criteria.
fn disagreements(
    trials: &[(TrialInfo, CompiledCriteria)],
    fast: &[(Verdict, usize)],
    explained: &[(Verdict, usize)],
) -> Vec<String> {
    trials
        .iter()
        .zip(fast.iter().zip(explained))
        .filter(|(_, (f, e))| f.0 != e.0 || (e.0 != Verdict::Ineligible && f.1 != e.1))
        .map(|((t, _), (f, e))| {
            format!(
                "{}: fast {} ({} unknown), explained {} ({} unknown)",
                t.id,
                f.0.as_str(),
                f.1,
                e.0.as_str(),
                e.1
            )
        })
        .collect()
}

fn bench_match(
    ctx: &Ctx,
    patient_file: &Path,
    patient_id: Option<&str>,
    as_of: &Option<String>,
    repeat: usize,
) -> Result<(), CliError> {
    let as_of = bench_as_of(as_of)?;
    let repeat = repeat.max(1);
    let read = tm_patient::read_path(patient_file)
        .map_err(|e| CliError::failure(format!("cannot read patient: {e}")))?;
    let patient = match patient_id {
        Some(id) => read.patients.iter().find(|p| p.id == id),
        None => read.patients.first(),
    }
    .ok_or_else(|| CliError::failure(format!("no patient in {}", patient_file.display())))?;
    let loaded = load(ctx, true)?;
    let trials = &loaded.trials;
    let n = trials.len();
    let cfg = MatchConfig::new(as_of);

    let t = Instant::now();
    let refs: Vec<(TrialInfo, &CompiledCriteria)> =
        trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    let plan = Plan::new(&refs);
    let plan_time = t.elapsed();

    // Fast path: a fresh patient preparation in every round (included).
    let mut fast_times = Vec::with_capacity(repeat);
    let mut fast = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        let facts = PatientFacts::new(patient, cfg.clone());
        fast = plan.verdicts(&facts);
        fast_times.push(t.elapsed());
    }
    // Explained path: every criterion with explanation and evidence, then
    // the ranking (what `match` computes before printing).
    let mut ex_times = Vec::with_capacity(repeat);
    let mut explained = Vec::new();
    let mut criteria = 0usize;
    for _ in 0..repeat {
        let t = Instant::now();
        let facts = PatientFacts::new(patient, cfg.clone());
        let mut results: Vec<tm_matcher::TrialResult> = trials
            .iter()
            .map(|(i, c)| evaluate_trial(i, c, &facts))
            .collect();
        explained = results.iter().map(|r| (r.verdict, r.unknowns)).collect();
        criteria = results.iter().map(|r| r.criteria.len()).sum();
        rank(&mut results);
        ex_times.push(t.elapsed());
    }
    let t = Instant::now();
    std::hint::black_box(PatientFacts::new(patient, cfg.clone()));
    let prep = t.elapsed();

    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default().as_secs_f64();
    let median = |v: &[Duration]| {
        let mut s = v.to_vec();
        s.sort();
        s.get(s.len() / 2)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
    };
    let (fb, fm, eb, em) = (
        best(&fast_times),
        median(&fast_times),
        best(&ex_times),
        median(&ex_times),
    );
    let diff = disagreements(trials, &fast, &explained);
    let c = counts(fast.iter().map(|(v, _)| v));
    let per = |s: f64| s * 1e6 / n as f64;
    if ctx.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "patient": patient.id,
                "as_of": as_of.to_string(),
                "trials_in_store": loaded.in_store,
                "trials": n,
                "compiled_now": loaded.compiled_now,
                "load_seconds": loaded.elapsed.as_secs_f64(),
                "patient_preparation_us": prep.as_secs_f64() * 1e6,
                "plan": {"build_ms": plan_time.as_secs_f64() * 1e3,
                         "distinct_leaves": plan.distinct_leaves()},
                "repeat": repeat,
                "fast": {"best_ms": fb * 1e3, "median_ms": fm * 1e3, "per_pair_us": per(fb)},
                "explained": {"best_ms": eb * 1e3, "median_ms": em * 1e3, "per_pair_us": per(eb),
                              "criteria": criteria},
                "mismatches": diff.len(),
                "verdicts": counts_json(&c),
            }))?
        );
    } else {
        outln!(
            "bench match: patient {} as of {} against {} trials with criteria ({} in the store)",
            patient.id,
            as_of,
            n,
            loaded.in_store
        );
        outln!(
            "  load: {:.2} s (trials and precompiled criteria read from the store; {} compiled now)",
            loaded.elapsed.as_secs_f64(),
            loaded.compiled_now
        );
        outln!(
            "  plan: {} distinct leaves over all trials, built in {:.1} ms (once per trial set)",
            plan.distinct_leaves(),
            plan_time.as_secs_f64() * 1e3
        );
        outln!(
            "  patient preparation (index, derived values): {:.1} µs",
            prep.as_secs_f64() * 1e6
        );
        outln!("  one thread, best (median) of {repeat} rounds, patient preparation included:");
        outln!(
            "  fast verdict path:    total {:>9.2} ms ({:.2}), {:>8.3} µs per pair",
            fb * 1e3,
            fm * 1e3,
            per(fb)
        );
        outln!(
            "  explained evaluation: total {:>9.2} ms ({:.2}), {:>8.3} µs per pair ({} criteria, ranking included)",
            eb * 1e3,
            em * 1e3,
            per(eb),
            criteria
        );
        outln!(
            "  verdicts: {} eligible, {} needs review, {} needs data, {} ineligible",
            c[0],
            c[1],
            c[2],
            c[3]
        );
        outln!(
            "  fast vs explained: {}",
            if diff.is_empty() {
                "identical verdicts and unknown counts".to_string()
            } else {
                format!("{} trial(s) differ", diff.len())
            }
        );
    }
    if diff.is_empty() {
        Ok(())
    } else {
        for d in diff.iter().take(20) {
            eprintln!("  {d}");
        }
        Err(CliError::failure(format!(
            "{} verdict mismatch(es) between the fast path and the explained evaluation",
            diff.len()
        )))
    }
}

/// Runs `f`, turning a panic into its one-line report (tm-app's harness).
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    tm_app::guard::guarded(f).map_err(|p| p.report)
}

/// One line of the match-all table.
struct PatientRow {
    label: String,
    counts: [usize; 4],
    panics: usize,
    mismatches: usize,
    explained: Duration,
    fast: Duration,
}

fn bench_match_all(ctx: &Ctx, dir: &Path, as_of: &Option<String>) -> Result<(), CliError> {
    let as_of = bench_as_of(as_of)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| CliError::failure(format!("{}: {e}", dir.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::failure(format!(
            "no *.json patient files in {}",
            dir.display()
        )));
    }
    let loaded = load(ctx, false)?;
    let trials = &loaded.trials;
    let with_criteria = trials
        .iter()
        .filter(|(_, c)| !c.criteria.is_empty())
        .count();

    let mut panics: Vec<String> = Vec::new();
    let refs: Vec<(TrialInfo, &CompiledCriteria)> =
        trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    let plan = match guarded(|| Plan::new(&refs)) {
        Ok(p) => Some(p),
        Err(m) => {
            panics.push(format!("building the fast plan: {m}"));
            None
        }
    };
    let started = Instant::now();
    let mut rows: Vec<PatientRow> = Vec::new();
    let mut read_errors = 0usize;
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let read = match tm_patient::read_path(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                read_errors += 1;
                continue;
            }
        };
        read_errors += read.errors.len();
        for e in &read.errors {
            eprintln!("{e}");
        }
        for p in &read.patients {
            let label = if read.patients.len() == 1 && name.trim_end_matches(".json") == p.id {
                p.id.clone()
            } else {
                format!("{name}:{}", p.id)
            };
            let mut row = PatientRow {
                label: label.clone(),
                counts: [0; 4],
                panics: 0,
                mismatches: 0,
                explained: Duration::ZERO,
                fast: Duration::ZERO,
            };
            let t = Instant::now();
            let facts = match guarded(|| PatientFacts::new(p, MatchConfig::new(as_of))) {
                Ok(x) => x,
                Err(m) => {
                    panics.push(format!("patient {label}: preparing the facts: {m}"));
                    row.panics += 1;
                    rows.push(row);
                    continue;
                }
            };
            let mut explained: Vec<Option<(Verdict, usize)>> = Vec::with_capacity(trials.len());
            for (info, c) in trials {
                match guarded(|| evaluate_trial(info, c, &facts)) {
                    Ok(r) => {
                        row.counts[usize::from(r.verdict.rank())] += 1;
                        explained.push(Some((r.verdict, r.unknowns)));
                    }
                    Err(m) => {
                        panics.push(format!("trial {} × patient {label}: {m}", info.id));
                        row.panics += 1;
                        explained.push(None);
                    }
                }
            }
            row.explained = t.elapsed();
            if let Some(plan) = &plan {
                let t = Instant::now();
                let fast = guarded(|| plan.verdicts(&facts));
                row.fast = t.elapsed();
                match fast {
                    Ok(fast) => {
                        row.mismatches = fast
                            .iter()
                            .zip(&explained)
                            .filter(|(f, e)| {
                                e.is_some_and(|e| {
                                    f.0 != e.0 || (e.0 != Verdict::Ineligible && f.1 != e.1)
                                })
                            })
                            .count();
                    }
                    Err(m) => {
                        // Find the trial: one plan per trial (only on panic).
                        let mut found = false;
                        for r in &refs {
                            let one = std::slice::from_ref(r);
                            if let Err(m) = guarded(|| Plan::new(one).verdicts(&facts)) {
                                panics.push(format!(
                                    "fast path: trial {} × patient {label}: {m}",
                                    r.0.id
                                ));
                                row.panics += 1;
                                found = true;
                            }
                        }
                        if !found {
                            panics.push(format!("fast path × patient {label}: {m}"));
                            row.panics += 1;
                        }
                    }
                }
            }
            rows.push(row);
        }
    }
    let elapsed = started.elapsed();

    let pairs = rows.len() * trials.len();
    let mut total = [0usize; 4];
    for r in &rows {
        for (t, c) in total.iter_mut().zip(r.counts) {
            *t += c;
        }
    }
    let mismatches: usize = rows.iter().map(|r| r.mismatches).sum();
    let explained_s: f64 = rows.iter().map(|r| r.explained.as_secs_f64()).sum();
    let fast_s: f64 = rows.iter().map(|r| r.fast.as_secs_f64()).sum();
    let per = |s: f64| s * 1e6 / pairs.max(1) as f64;
    if ctx.json {
        let patients: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "patient": r.label,
                    "verdicts": counts_json(&r.counts),
                    "panics": r.panics,
                    "mismatches": r.mismatches,
                    "explained_ms": r.explained.as_secs_f64() * 1e3,
                    "fast_ms": r.fast.as_secs_f64() * 1e3,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "as_of": as_of.to_string(),
                "files": files.len(),
                "read_errors": read_errors,
                "trials": trials.len(),
                "trials_with_criteria": with_criteria,
                "pairs": pairs,
                "patients": patients,
                "verdicts": counts_json(&total),
                "panics": panics,
                "mismatches": mismatches,
                "seconds": elapsed.as_secs_f64(),
                "explained_per_pair_us": per(explained_s),
                "fast_per_pair_us": per(fast_s),
            }))?
        );
    } else {
        outln!(
            "bench match-all: {} patient(s) from {} file(s) in {} against {} trials ({} with criteria) as of {}",
            rows.len(),
            files.len(),
            dir.display(),
            trials.len(),
            with_criteria,
            as_of
        );
        outln!(
            "{:<40} {:>8} {:>12} {:>10} {:>10} {:>6} {:>11} {:>8}",
            "patient",
            "eligible",
            "needs_review",
            "needs_data",
            "ineligible",
            "panics",
            "explained",
            "fast"
        );
        for r in &rows {
            outln!(
                "{:<40} {:>8} {:>12} {:>10} {:>10} {:>6} {:>8.1} ms {:>5.1} ms",
                r.label,
                r.counts[0],
                r.counts[1],
                r.counts[2],
                r.counts[3],
                r.panics,
                r.explained.as_secs_f64() * 1e3,
                r.fast.as_secs_f64() * 1e3
            );
        }
        outln!(
            "{:<40} {:>8} {:>12} {:>10} {:>10} {:>6}",
            "total",
            total[0],
            total[1],
            total[2],
            total[3],
            panics.len()
        );
        outln!(
            "  {} pairs in {:.2} s: explained {:.2} µs per pair, fast path {:.3} µs per pair; {} panic(s), {} fast/explained mismatch(es), {} read error(s)",
            pairs,
            elapsed.as_secs_f64(),
            per(explained_s),
            per(fast_s),
            panics.len(),
            mismatches,
            read_errors
        );
    }
    for p in &panics {
        eprintln!("panic: {p}");
    }
    if !panics.is_empty() || mismatches > 0 {
        return Err(CliError::failure(format!(
            "{} panic(s), {} fast/explained mismatch(es)",
            panics.len(),
            mismatches
        )));
    }
    Ok(())
}
