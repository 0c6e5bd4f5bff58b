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

use std::path::PathBuf;

use tm_eval::{coverage::Coverage, lct, runall, texts};

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
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    match args.what {
        What::Lct { dir, show_errors } => run_lct(ctx, dir, show_errors),
        What::Coverage { paths, top } => run_coverage(ctx, &paths, top),
        What::BenchCompile { paths, runs } => run_bench(ctx, &paths, runs),
        What::CompileAll { paths } => run_compile_all(ctx, &paths),
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
