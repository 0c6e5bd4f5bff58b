//! `trialmatch eval …`: measured accuracy, coverage and speed of the
//! criteria compiler (issue 6; scoring rules and figures in
//! docs/evaluation.md). Measurements, not tests.
//!
//! - `eval lct DIR` — numeric-comparison extraction scored against the
//!   Leaf Clinical Trials corpus (BRAT); last line `precision=P recall=R f1=F`.
//! - `eval coverage PATH…` — share of criteria per status and the most
//!   frequent unparsed phrases.
//! - `eval bench-compile HINT_CSV` — single-thread compile time of all texts.
//! - `eval compile-all PATH…` — compile every criteria text, reporting any
//!   panic with its trial id (exit 1 when one panicked).
//! - `eval snapshot PATH… [--patients DIR]` — the engine snapshot: one
//!   sorted JSON line per criterion and per patient × trial (for `diff`).
//! - `eval audit --labels FILE --patients DIR [--trials PATH…]` — hand
//!   labels of exclusion vs verdicts (tm_eval::audit).

use std::path::PathBuf;

use tm_criteria::CompiledCriteria;
use tm_eval::{audit, coverage::Coverage, lct, patients, runall, snapshot, texts};
use tm_matcher::TrialInfo;
use tm_model::Date;
use tm_store::{Store, DEFAULT_BATCH_SIZE};

use super::import::{import_inputs, Input};
use super::match_cmd::date_arg;
use tm_app::compiled::compiled_for;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand)]
pub enum What {
    /// Score numeric-comparison extraction against the LCT corpus (a
    /// directory of BRAT .txt + .ann pairs, searched recursively).
    Lct {
        dir: PathBuf,
        /// Print up to N false positives and N misses (human view).
        #[arg(long, default_value_t = 0, value_name = "N")]
        show_errors: usize,
    },
    /// Share of criteria computable / partial / review / unparsed over
    /// trial files (any ingest format, or the HINT CSV), and the most
    /// frequent unparsed phrases.
    Coverage {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// How many unparsed phrases to show.
        #[arg(long, default_value_t = 30)]
        top: usize,
    },
    /// Compile every criteria text of a file set (e.g. the HINT CSV) on one
    /// thread and print the total time and texts/s.
    BenchCompile {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Timed runs (the best is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Compile every criteria text in PATHs, catching panics per text;
    /// prints counts and each panic with its trial id (exit 1 if any).
    CompileAll {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// The engine snapshot: one JSON line per criterion of every trial in
    /// PATHs (id, status, IR) and, with --patients, per patient × trial
    /// (verdict, failed / unknown / review criteria); sorted, so that two
    /// snapshots diff cleanly. Trials are imported into a temporary
    /// in-memory store (as `import` does; the HINT CSV is compiled directly).
    Snapshot {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// FHIR patients (a directory of *.json / *.ndjson, or one file):
        /// screened against every trial, any status, as `match` does.
        #[arg(long, value_name = "DIR")]
        patients: Option<PathBuf>,
        /// Screening date (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Write the snapshot to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The false-verdict audit: screen every labelled trial × patient pair
    /// (labels.json of ../shared/data/audit) and count false ineligible,
    /// false eligible, exclusions caught for the labelled reason, and the
    /// decided share of criterion outcomes.
    Audit {
        /// The labels file (`{"as_of", "labels": [...]}`).
        #[arg(long, value_name = "FILE")]
        labels: PathBuf,
        /// The patients (a label's `patient` is a file stem or patient id).
        #[arg(long, value_name = "DIR")]
        patients: PathBuf,
        /// Trial files to import into a temporary in-memory store (any
        /// ingest format); without it the trials come from --db.
        #[arg(long, value_name = "PATH", num_args = 1..)]
        trials: Vec<PathBuf>,
        /// Screening date (YYYY-MM-DD). Default: the labels' `as_of`.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
    },
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    match args.what {
        What::Lct { dir, show_errors } => run_lct(ctx, dir, show_errors),
        What::Coverage { paths, top } => run_coverage(ctx, &paths, top),
        What::BenchCompile { paths, runs } => run_bench(ctx, &paths, runs),
        What::CompileAll { paths } => run_compile_all(ctx, &paths),
        What::Snapshot {
            paths,
            patients,
            as_of,
            out,
        } => run_snapshot(ctx, &paths, patients.as_deref(), &as_of, out.as_deref()),
        What::Audit {
            labels,
            patients,
            trials,
            as_of,
        } => run_audit(ctx, &labels, &patients, &trials, &as_of),
    }
}

fn report_read_errors(ctx: &Ctx, stats: &texts::ReadStats) {
    if !ctx.quiet {
        for e in stats.errors.iter().take(20) {
            eprintln!("warning: {e}");
        }
        if stats.errors.len() > 20 {
            eprintln!("warning: … {} more read errors", stats.errors.len() - 20);
        }
    }
}

fn run_lct(ctx: &Ctx, dir: PathBuf, show: usize) -> Result<(), CliError> {
    if !dir.is_dir() {
        return Err(CliError::failure(format!(
            "{}: not a directory",
            dir.display()
        )));
    }
    let r = lct::score_dir(&dir);
    if r.documents == 0 {
        return Err(CliError::failure(format!(
            "{}: no BRAT .txt + .ann pairs",
            dir.display()
        )));
    }
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    for e in &r.errors {
        eprintln!("warning: {e}");
    }
    let s = &r.skipped;
    outln!(
        "LCT: {} documents, {} gold comparisons (left out: {} unscorable values, {} without operator attribute, {} incomplete ranges, {} bad offsets)",
        r.documents,
        r.gold,
        s.unscorable_value,
        s.no_operator_attribute,
        s.incomplete_range,
        s.bad_offsets
    );
    outln!(
        "{:<12} {:>6} {:>6} {:>7} {:>8} {:>7} {:>7}",
        "operator",
        "gold",
        "found",
        "atoms",
        "matched",
        "recall",
        "prec."
    );
    let pct = |a: usize, b: usize| {
        if b == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", a as f64 / b as f64)
        }
    };
    let row = |name: &str, c: &lct::OpCounts| {
        outln!(
            "{:<12} {:>6} {:>6} {:>7} {:>8} {:>7} {:>7}",
            name,
            c.gold,
            c.found,
            c.atoms,
            c.atoms_matched,
            pct(c.found, c.gold),
            pct(c.atoms_matched, c.atoms)
        );
    };
    for (op, c) in &r.by_operator {
        row(op, c);
    }
    row("(temporal)", &r.temporal);
    row("(other)", &r.non_temporal);
    outln!(
        "diagnostic (not scored): {} more gold LT/LTEQ time quantities found as time windows → recall with windows {:.4}",
        r.found_by_window,
        r.recall_with_windows
    );
    if show > 0 {
        outln!();
        outln!("false positives (first {show}):");
        for fp in r.false_positives.iter().take(show) {
            outln!(
                "  {}: {:?} → {} {} {} {}{}",
                fp.doc,
                fp.text,
                fp.atom.field,
                fp.atom.op.as_str(),
                serde_json::to_string(&fp.atom.value)?,
                fp.atom.unit.as_deref().unwrap_or(""),
                if fp.overlapping_gold.is_empty() {
                    " (no gold here)".to_string()
                } else {
                    format!("  (gold: {})", fp.overlapping_gold.join(" | "))
                }
            );
        }
        outln!("misses (first {show}):");
        for m in r.misses.iter().take(show) {
            let atoms: Vec<String> = m
                .overlapping_atoms
                .iter()
                .map(|a| {
                    format!(
                        "{} {} {} {}",
                        a.field,
                        a.op.as_str(),
                        serde_json::to_string(&a.value).unwrap_or_default(),
                        a.unit.as_deref().unwrap_or("")
                    )
                })
                .collect();
            outln!(
                "  {}: {:?} {} {:?} {:?}{}",
                m.gold.doc,
                m.gold.text,
                m.gold.op.name(),
                m.gold.values,
                m.gold.unit,
                if atoms.is_empty() {
                    String::new()
                } else {
                    format!("  atoms: {}", atoms.join("; "))
                }
            );
        }
        outln!();
    }
    outln!(
        "precision={:.4} recall={:.4} f1={:.4}",
        r.precision,
        r.recall,
        r.f1
    );
    Ok(())
}

fn run_coverage(ctx: &Ctx, paths: &[PathBuf], top: usize) -> Result<(), CliError> {
    let mut cov = Coverage::default();
    let stats = texts::for_each_text(paths, &mut |t| cov.add(&tm_criteria::compile(&t.text)));
    report_read_errors(ctx, &stats);
    if cov.texts == 0 {
        return Err(CliError::failure("no criteria texts found"));
    }
    let rep = cov.report(top);
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&rep)?);
        return Ok(());
    }
    let c = &rep.counts;
    outln!(
        "coverage: {} texts ({} files, {} records, {} without criteria text), {} criteria",
        rep.texts,
        stats.files,
        stats.records,
        stats.without_text,
        rep.criteria
    );
    for (name, n, share) in [
        ("computable", c.computable, rep.shares.computable),
        ("partial", c.partial, rep.shares.partial),
        ("review", c.review, rep.shares.review),
        ("unparsed", c.unparsed, rep.shares.unparsed),
    ] {
        outln!("  {name:<11} {n:>7}  {:>5.1} %", share * 100.0);
    }
    outln!(
        "unparsed leaves: {} ({} distinct phrases); top {}:",
        rep.unparsed_leaves,
        rep.distinct_unparsed_phrases,
        rep.top_unparsed.len()
    );
    for p in &rep.top_unparsed {
        outln!("  {:>6}  {}", p.count, p.phrase);
    }
    Ok(())
}

fn run_bench(ctx: &Ctx, paths: &[PathBuf], runs: usize) -> Result<(), CliError> {
    let (all, stats) = texts::collect_texts(paths);
    report_read_errors(ctx, &stats);
    if all.is_empty() {
        return Err(CliError::failure("no criteria texts found"));
    }
    let r = runall::bench(&all, runs);
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    outln!(
        "bench compile: {} texts ({:.1} MB), {} criteria, one thread, {} runs{}",
        r.texts,
        r.bytes as f64 / 1e6,
        r.criteria,
        r.runs,
        if cfg!(debug_assertions) {
            " (debug build: use --release for figures)"
        } else {
            ""
        }
    );
    outln!(
        "  best {:.3} s, median {:.3} s  →  {:.0} texts/s",
        r.best_seconds,
        r.median_seconds,
        r.texts_per_second
    );
    outln!("  slowest texts (first run):");
    for t in r.slowest.iter().take(5) {
        outln!("    {:>8.1} ms  {:>7} bytes  {}", t.ms, t.bytes, t.id);
    }
    Ok(())
}

fn run_compile_all(ctx: &Ctx, paths: &[PathBuf]) -> Result<(), CliError> {
    let (all, stats) = texts::collect_texts(paths);
    report_read_errors(ctx, &stats);
    if all.is_empty() {
        return Err(CliError::failure("no criteria texts found"));
    }
    let r = runall::compile_all(&all, &tm_criteria::compile);
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        outln!(
            "compile-all: {} files, {} records ({} without criteria text, {} read errors)",
            stats.files,
            stats.records,
            stats.without_text,
            stats.errors.len()
        );
        outln!(
            "  {} texts compiled ({:.1} MB) → {} criteria, {} atoms in {:.2} s; {} panics",
            r.texts,
            r.bytes as f64 / 1e6,
            r.criteria,
            r.atoms,
            r.seconds,
            r.panics.len()
        );
        for p in &r.panics {
            outln!("  PANIC {}: {}", p.id, p.message);
        }
    }
    if r.panics.is_empty() {
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{} criteria texts panicked",
            r.panics.len()
        )))
    }
}

/// Imports the trial files of `paths` into a temporary in-memory store,
/// as `trialmatch import` does (the same driver, identity and merge
/// rules); with `compile_all` compiles every trial's criteria as `import`
/// does (else they are compiled when read, by `compiled_for`). HINT CSV
/// files (not a registry format) are left out and returned.
fn temp_store(
    ctx: &Ctx,
    paths: &[PathBuf],
    compile_all: bool,
) -> Result<(Store, Vec<PathBuf>), CliError> {
    let (files, walk_errors) = tm_ingest::collect_files(paths);
    for e in &walk_errors {
        eprintln!("{e}");
    }
    let (hint, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| texts::hint_criteria_column(f).is_some());
    if files.is_empty() && hint.is_empty() {
        return Err(CliError::failure("no trial files found"));
    }
    let mut store = Store::open_in_memory()?;
    let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
    import_inputs(&mut store, &inputs, DEFAULT_BATCH_SIZE, !ctx.quiet)?;
    if compile_all {
        tm_app::compiled::compile_missing(&mut store)?;
    }
    Ok((store, hint))
}

fn read_patient_dir(dir: &std::path::Path) -> Result<patients::PatientSet, CliError> {
    if !dir.exists() {
        return Err(CliError::failure(format!("{}: not found", dir.display())));
    }
    let set = patients::read_patients(dir);
    for e in &set.errors {
        eprintln!("warning: {e}");
    }
    if set.patients.is_empty() {
        return Err(CliError::failure(format!(
            "{}: no patient could be read",
            dir.display()
        )));
    }
    Ok(set)
}

fn run_snapshot(
    ctx: &Ctx,
    paths: &[PathBuf],
    patient_dir: Option<&std::path::Path>,
    as_of: &Option<String>,
    out: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let as_of = date_arg(as_of, "--as-of")?.unwrap_or_else(Date::today);
    let patient_set = patient_dir.map(read_patient_dir).transpose()?;
    let (store, hint) = temp_store(ctx, paths, true)?;
    let mut trials: Vec<(TrialInfo, CompiledCriteria)> = Vec::new();
    for t in store.all_trials()? {
        let c = compiled_for(&store, &t)?;
        trials.push((TrialInfo::from_trial(&t), c));
    }
    let mut snap = snapshot::Snapshot::default();
    snap.add_criteria(trials.iter().map(|(t, c)| (t.id.as_str(), c)), None);
    if !hint.is_empty() {
        let stats = texts::for_each_text(&hint, &mut |t| {
            let c = tm_criteria::compile(&t.text);
            snap.add_criteria([(t.id.as_str(), &c)], Some("hint"));
        });
        report_read_errors(ctx, &stats);
    }
    if let Some(set) = &patient_set {
        snap.add_verdicts(&set.patients, &trials, as_of);
    }
    let text = snap.to_jsonl();
    match out {
        Some(f) => std::fs::write(f, text)
            .map_err(|e| CliError::failure(format!("{}: {e}", f.display())))?,
        None => crate::ctx::write_stdout(&text),
    }
    if !ctx.quiet {
        eprintln!(
            "snapshot: {} trials, {} criterion lines, {} verdict lines (as of {as_of}, {})",
            trials.len(),
            snap.criteria.len(),
            snap.verdicts.len(),
            tm_criteria::COMPILER_VERSION
        );
    }
    Ok(())
}

fn run_audit(
    ctx: &Ctx,
    labels_file: &std::path::Path,
    patient_dir: &std::path::Path,
    trial_paths: &[PathBuf],
    as_of: &Option<String>,
) -> Result<(), CliError> {
    let text = std::fs::read_to_string(labels_file)
        .map_err(|e| CliError::failure(format!("{}: {e}", labels_file.display())))?;
    let labels = audit::Labels::parse(&text)
        .map_err(|e| CliError::failure(format!("{}: {e}", labels_file.display())))?;
    let as_of = match date_arg(as_of, "--as-of")? {
        Some(d) => d,
        None => match labels.as_of.as_deref() {
            Some(s) => Date::parse(s).ok_or_else(|| {
                CliError::failure(format!(
                    "{}: as_of {s:?} is not YYYY-MM-DD",
                    labels_file.display()
                ))
            })?,
            None => Date::today(),
        },
    };
    let patient_set = read_patient_dir(patient_dir)?;
    let store = if trial_paths.is_empty() {
        ctx.open_existing_store()?.ok_or_else(|| {
            CliError::failure(format!(
                "no store at {} (give --trials PATH…, or import first)",
                ctx.db.display()
            ))
        })?
    } else {
        temp_store(ctx, trial_paths, false)?.0
    };
    let mut trials = audit::TrialMap::new();
    for id in labels.trial_ids() {
        let found = match store.get_trial(&id)? {
            Some(t) => Some((TrialInfo::from_trial(&t), compiled_for(&store, &t)?)),
            None => None,
        };
        trials.insert(id, found);
    }
    let rep = audit::run(&labels, as_of, &patient_set, &trials);
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        crate::ctx::write_stdout(&rep.human());
    }
    if rep.screened == 0 {
        return Err(CliError::failure(
            "no labelled pair could be screened (trials or patients not found)",
        ));
    }
    Ok(())
}
