//! `trialmatch` — the command-line tool. CLI wiring only: argument parsing,
//! progress bars, output formatting; the work happens in the library crates.
//!
//! Adding a command: one variant in [`Commands`] plus one module under
//! `src/cmd/` exposing `Args` (clap) and `run(&Ctx, Args)`.
//!
//! Exit codes (docs/contracts.md): 0 success, 1 failure (unknown id, nothing
//! could be read, store error), 2 usage error.

/// `println!` for command output: a closed stdout (`trialmatch list | head`)
/// ends the process quietly with status 0 instead of a panic.
macro_rules! outln {
    () => {
        $crate::ctx::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::ctx::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod cmd;
mod ctx;
mod esc;
mod human;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use ctx::{CliError, Ctx};

#[derive(Parser)]
#[command(
    name = "trialmatch",
    version,
    about = "Make clinical-trial records computable: import registry records, list and show trials.",
    after_help = "Start with: trialmatch import examples/seeds && trialmatch list   (or: trialmatch demo)"
)]
struct Cli {
    /// The SQLite store to use.
    #[arg(long, global = true, env = "TRIALMATCH_DB", default_value = tm_store::DEFAULT_DB_PATH)]
    db: PathBuf,
    /// Print machine-readable JSON (shapes in docs/contracts.md) instead of
    /// the human view.
    #[arg(long, global = true)]
    json: bool,
    /// No progress bars and no human summaries (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Import registry files or directories (recursively) into the store.
    Import(cmd::import::Args),
    /// List the trials in the store, optionally filtered.
    List(cmd::list::Args),
    /// Show one trial by any registry id or alias.
    Show(cmd::show::Args),
    /// Segment and compile a trial's eligibility criteria (or `--text-file F`)
    /// and show what was understood.
    Criteria(cmd::criteria::Args),
    /// Import the five bundled example trials (embedded in the binary) and list them.
    Demo(cmd::demo::Args),
    /// Benchmarks (not tests): e.g. `trialmatch bench import DIR`.
    Bench(cmd::bench::Args),
    /// Kaplan-Meier curves, medians, log-rank test and hazard ratios from a CSV file.
    Survival(cmd::survival::Args),
    /// Tumour response (RECIST 1.1 / mRECIST) from SDTM or a lesion CSV: per-subject best
    /// overall response and ORR, DCR, PFS, OS, duration of response per arm.
    #[command(alias = "outcomes")]
    Response(cmd::response::Args),
    /// Screen one patient against the trials: verdict, failed criteria, missing data, review items.
    Match(cmd::match_cmd::Args),
    /// Read a patient (FHIR R4 JSON / Bundle / NDJSON / directory, or a
    /// hand-entry profile) and show the normalised facts and every flag.
    Patient(cmd::patient::Args),
    /// Measure the criteria compiler: `eval lct DIR`, `eval coverage PATH…`,
    /// `eval bench-compile CSV`, `eval compile-all PATH…` (docs/evaluation.md).
    Eval(cmd::eval::Args),
    /// Results report (participant flow, baseline, outcome measures, adverse events, KM /
    /// waterfall / swimmer plots) from an SDTM folder: report.md, report.html, report.json.
    Report(cmd::report::Args),
    /// Adverse-event tables (treatment-emergent, worst grade by arm, serious vs grade ≥ 3),
    /// CTCAE v5 lab grades and AFP change from an SDTM CSV directory.
    Safety(cmd::safety::Args),
    /// EORTC QLQ-C30 v3.0 scores, summary score and change from baseline from a CSV or SDTM QS.
    Qol(cmd::qol::Args),
    /// Y-90 SIRT dosimetry: delivered activity, MIRD, lung, partition doses, resin LSF reduction.
    Dosimetry(cmd::dosimetry::Args),
    /// The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json) until Ctrl-C / SIGTERM.
    Serve(cmd::serve::Args),
    /// API tokens for `serve`: `token create NAME` prints a new token.
    Token(cmd::token::Args),
    /// Fetch studies from the ClinicalTrials.gov API v2 into the store: incremental (per query),
    /// rate-limited, retried, resumable after a kill.
    Sync(cmd::sync::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(matches!(cli.command, Commands::Serve(_)));
    let ctx = Ctx {
        db: cli.db,
        json: cli.json,
        quiet: cli.quiet,
    };
    let result = match cli.command {
        Commands::Import(a) => cmd::import::run(&ctx, a),
        Commands::List(a) => cmd::list::run(&ctx, a),
        Commands::Show(a) => cmd::show::run(&ctx, a),
        Commands::Criteria(a) => cmd::criteria::run(&ctx, a),
        Commands::Demo(a) => cmd::demo::run(&ctx, a),
        Commands::Bench(a) => cmd::bench::run(&ctx, a),
        Commands::Survival(a) => cmd::survival::run(&ctx, a),
        Commands::Response(a) => cmd::response::run(&ctx, a),
        Commands::Match(a) => cmd::match_cmd::run(&ctx, a),
        Commands::Patient(a) => cmd::patient::run(&ctx, a),
        Commands::Eval(a) => cmd::eval::run(&ctx, a),
        Commands::Report(a) => cmd::report::run(&ctx, a),
        Commands::Safety(a) => cmd::safety::run(&ctx, a),
        Commands::Qol(a) => cmd::qol::run(&ctx, a),
        Commands::Dosimetry(a) => cmd::dosimetry::run(&ctx, a),
        Commands::Serve(a) => cmd::serve::run(&ctx, a),
        Commands::Token(a) => cmd::token::run(&ctx, a),
        Commands::Sync(a) => cmd::sync::run(&ctx, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", esc::text(&e.message));
            ExitCode::from(e.code)
        }
    }
}

/// Diagnostics go to stderr, filtered by `TRIALMATCH_LOG` (e.g. `debug`,
/// `tm_store=trace`); default: warnings only (`serve`: also the request log).
fn init_tracing(serve: bool) {
    let default = if serve {
        "warn,tm_server=info,tm_app=info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRIALMATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
