//! `trialmatch match --patient FILE [--trial ID]… [--as-of DATE]
//! [--planned-start DATE] [--any-status] [--condition TEXT] [--phase P]
//! [--country NAME] [--json] [--verbose]`: screens one patient against the
//! trials in the store (tm-matcher). Compiled criteria are read from the
//! store (opened read-only; never created or written) for the current
//! compiler version, else compiled in memory (tm-app: the screening is
//! `tm_app::App::screen`, the caching rule `tm_app::compiled`).

use std::time::Instant;

use tm_app::MatchOptions;
use tm_matcher::Verdict;
use tm_model::Date;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Patient file: FHIR R4 JSON (Bundle or resource), NDJSON, or the
    /// hand-entry profile.
    #[arg(long, value_name = "FILE")]
    pub patient: std::path::PathBuf,
    /// Patient id when the file holds several patients (default: the first).
    #[arg(long)]
    pub patient_id: Option<String>,
    /// Evaluate this trial (any id or alias), whatever its status. Repeatable.
    /// Without --trial every trial passing the filters is evaluated.
    #[arg(long = "trial", value_name = "ID")]
    pub trials: Vec<String>,
    /// Index date (YYYY-MM-DD): facts after it are ignored; age is taken on
    /// it. Default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Planned start of treatment / enrolment: "within N days prior to
    /// dosing" windows count back from it. Default: the index date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub planned_start: Option<String>,
    /// Evaluate trials of every status (default: recruiting and not yet
    /// recruiting).
    #[arg(long)]
    pub any_status: bool,
    /// Keep trials with a condition containing this text (case-insensitive).
    #[arg(long)]
    pub condition: Option<String>,
    /// Keep trials of this phase (1, 2, 3, 4, "phase 1/2", NA …).
    #[arg(long)]
    pub phase: Option<String>,
    /// Keep trials with a site in this country.
    #[arg(long)]
    pub country: Option<String>,
    /// Show every criterion with its explanation.
    #[arg(long, short)]
    pub verbose: bool,
    /// Show at most this many trials (human view).
    #[arg(long)]
    pub limit: Option<usize>,
}

pub(crate) fn date_arg(s: &Option<String>, flag: &str) -> Result<Option<Date>, CliError> {
    match s {
        None => Ok(None),
        Some(s) => Date::parse(s)
            .map(Some)
            .ok_or_else(|| CliError::usage(format!("{flag}: expected YYYY-MM-DD, got {s:?}"))),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let as_of = date_arg(&args.as_of, "--as-of")?.unwrap_or_else(Date::today);
    let planned = date_arg(&args.planned_start, "--planned-start")?;
    if let Some(p) = &args.phase {
        super::list::parse_phase_arg(p)?;
    }
    let read = tm_patient::read_path(&args.patient)
        .map_err(|e| CliError::failure(format!("cannot read patient: {e}")))?;
    for e in &read.errors {
        eprintln!("{}", crate::esc::text(&e.to_string()));
    }
    let patient = tm_app::patient::select(&read, args.patient_id.as_deref())
        .map_err(|_| CliError::failure(format!("no patient in {}", args.patient.display())))?;
    if args.patient_id.is_none() && read.patients.len() > 1 {
        eprintln!(
            "note: {} patients in the file; using {} (choose with --patient-id)",
            read.patients.len(),
            patient.id
        );
    }
    let opts = MatchOptions {
        trials: args.trials.clone(),
        as_of: Some(as_of),
        planned_start: planned,
        any_status: args.any_status,
        condition: args.condition.clone(),
        phase: args.phase.clone(),
        country: args.country.clone(),
    };
    let started = Instant::now();
    let screening = tm_app::App::cli(&ctx.db)
        .screen(patient, &opts)
        .map_err(|e| match e.kind {
            tm_app::ErrorKind::NotFound => {
                CliError::failure(format!("{} in {}", e.message, ctx.db.display()))
            }
            _ => e.into(),
        })?;
    let (report, not_recruiting) = (screening.report, screening.not_recruiting);
    tracing::info!(
        "matched {} trials in {:?}",
        report.results.len(),
        started.elapsed()
    );
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    // Verdict first: the header and the counts, then one sheet per trial.
    let count = |v: Verdict| report.results.iter().filter(|r| r.verdict == v).count();
    outln!(
        "Patient {} — screening as of {}{}",
        report.patient.id,
        report.as_of,
        if report.planned_start != report.as_of {
            format!(" (planned start of treatment {})", report.planned_start)
        } else {
            String::new()
        }
    );
    if !ctx.quiet {
        outln!(
            "{} trial(s) screened: {} eligible, {} needs review, {} needs data, {} ineligible",
            report.results.len(),
            count(Verdict::Eligible),
            count(Verdict::NeedsReview),
            count(Verdict::NeedsData),
            count(Verdict::Ineligible)
        );
        if not_recruiting > 0 {
            outln!(
                "{not_recruiting} trial(s) not screened because they are not recruiting (--any-status to include them, or name one with --trial)"
            );
        }
        if report.results.is_empty() && not_recruiting == 0 {
            outln!("No trial in the store passes the filters.");
        }
        if let Some(n) = args.limit.filter(|n| *n < report.results.len()) {
            outln!("Showing the first {n} (--limit).");
        }
    }
    outln!();
    let shown = args.limit.unwrap_or(usize::MAX);
    for r in report.results.iter().take(shown) {
        outln!("{}", tm_matcher::human::trial_sheet(r, args.verbose));
    }
    Ok(())
}
