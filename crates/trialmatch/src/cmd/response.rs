//! `trialmatch response <sdtm-dir | lesions.csv> [--criteria recist11|mrecist] [--out DIR]`:
//! per-visit tumour response, best overall response (confirmed and unconfirmed) and the
//! efficacy endpoints per arm (tm-outcomes `response`; JSON shape and CSV outputs in
//! docs/contracts.md, section "response").

use std::fmt::Write as _;
use std::path::PathBuf;

use tm_outcomes::response::adam::{adrs_csv, adtr_csv, adtte_csv, timepoints_csv};
use tm_outcomes::response::dates::Imputation;
use tm_outcomes::response::endpoints::{Denominator, DAYS_PER_MONTH};
use tm_outcomes::response::pipeline::{
    run_lesions, run_sdtm, OvrSource, ResponseOptions, ResponseReport,
};
use tm_outcomes::response::Criteria;

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// A directory of SDTM CSVs (dm, ds, ex, rs, tu, tr; optional ae, lb) or a lesion CSV.
    #[arg(value_name = "SDTM_DIR|LESIONS.csv")]
    pub input: PathBuf,
    /// Response criteria for per-visit responses derived from measurements.
    #[arg(long, default_value = "recist11", value_parser = ["recist11", "mrecist"])]
    pub criteria: String,
    /// Per-visit overall responses: RS OVRLRESP when present (auto), RS only, or derived from
    /// the measurements.
    #[arg(long, default_value = "auto", value_parser = ["auto", "rs", "derived"])]
    pub source: String,
    /// Restrict to one evaluator (SDTM `--EVAL`/`--EVALID`: `INVESTIGATOR`, `RADIOLOGIST 1`,
    /// or the full `INDEPENDENT ASSESSOR RADIOLOGIST 1`); its responses make BOR and the
    /// endpoints. Default: every evaluator is read, `INVESTIGATOR` is primary.
    #[arg(long, value_name = "NAME")]
    pub evaluator: Option<String>,
    /// Write adrs.csv, adtte.csv, adtr.csv and timepoints.csv to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Minimum days between a CR/PR and its confirmation.
    #[arg(long, default_value_t = 28)]
    pub confirmation_days: i32,
    /// Minimum days from randomisation for SD.
    #[arg(long, default_value_t = 42)]
    pub sd_min_days: i32,
    /// Maximum NE assessments between a response and its confirmation.
    #[arg(long, default_value_t = 1)]
    pub max_ne: usize,
    /// Accept SD between a PR and its confirmation.
    #[arg(long)]
    pub accept_sd: bool,
    /// Imputation of partial response-assessment dates: none, first, last, first-month,
    /// last-month.
    #[arg(long, default_value = "last")]
    pub impute_response: String,
    /// Imputation of partial measurement dates (ADTR, ordering).
    #[arg(long, default_value = "first")]
    pub impute_measurement: String,
    /// Imputation of partial death dates.
    #[arg(long, default_value = "first-month")]
    pub impute_death: String,
    /// Denominator of ORR/DCR: all (randomised), measurable, evaluable.
    #[arg(long, default_value = "all", value_parser = ["all", "measurable", "evaluable"])]
    pub denominator: String,
    /// Censor PD/death that follows more than this many days without an adequate assessment
    /// (the "≥ 2 missed assessments" rule; off by default).
    #[arg(long, value_name = "DAYS")]
    pub missed_assessment_gap: Option<i32>,
    /// Do not censor PFS/TTP/DoR at the start of a new anticancer therapy (by default a
    /// record whose event follows a new therapy (CM/PR/EX, NACTDT, lesion-CSV
    /// new_therapy_date) is censored at the last assessment on or before it: FDA 2018 / EMA).
    #[arg(long)]
    pub no_new_therapy_censoring: bool,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// List every subject, also those without any response assessment.
    #[arg(long)]
    pub all_subjects: bool,
}

fn options(args: &Args) -> Result<ResponseOptions, CliError> {
    let criteria: Criteria = args.criteria.parse().map_err(CliError::usage)?;
    let mut o = ResponseOptions::new(criteria);
    o.source = match args.source.as_str() {
        "rs" => OvrSource::Rs,
        "derived" => OvrSource::Derived,
        _ => OvrSource::Auto,
    };
    o.evaluator = args.evaluator.clone();
    o.bor.confirmation_days = args.confirmation_days;
    o.bor.sd_min_days = args.sd_min_days;
    o.bor.max_ne_between = args.max_ne;
    o.bor.accept_sd = args.accept_sd;
    o.dates.response = Imputation::parse(&args.impute_response).map_err(CliError::usage)?;
    o.dates.measurement = Imputation::parse(&args.impute_measurement).map_err(CliError::usage)?;
    o.dates.death = Imputation::parse(&args.impute_death).map_err(CliError::usage)?;
    o.endpoints.denominator = args
        .denominator
        .parse::<Denominator>()
        .map_err(CliError::usage)?;
    o.endpoints.missed_assessment_gap_days = args.missed_assessment_gap;
    o.endpoints.censor_new_therapy = !args.no_new_therapy_censoring;
    if !(args.conf_level > 0.0 && args.conf_level < 1.0) {
        return Err(CliError::usage("--conf-level must be between 0 and 1"));
    }
    if args.confirmation_days < 0 || args.sd_min_days < 0 {
        return Err(CliError::usage("day counts must be ≥ 0"));
    }
    o.endpoints.level = args.conf_level;
    Ok(o)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let opts = options(&args)?;
    let report = if args.input.is_dir() {
        run_sdtm(&args.input, &opts)
    } else if args.input.is_file() {
        run_lesions(&args.input, &opts)
    } else {
        return Err(CliError::failure(format!(
            "{}: no such file or directory",
            args.input.display()
        )));
    }
    .map_err(CliError::failure)?;
    let mut written = Vec::new();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::failure(format!("{}: {e}", dir.display())))?;
        for (name, text) in [
            ("adrs.csv", adrs_csv(&report)),
            ("adtte.csv", adtte_csv(&report)),
            ("adtr.csv", adtr_csv(&report)),
            ("timepoints.csv", timepoints_csv(&report)),
        ] {
            let text = text.map_err(CliError::failure)?;
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| CliError::failure(format!("{}: {e}", path.display())))?;
            written.push(path);
        }
    }
    if ctx.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?));
    } else if !ctx.quiet {
        let mut text = human(&report, args.all_subjects);
        for p in &written {
            let _ = writeln!(text, "Wrote {}", p.display());
        }
        write_stdout(&text);
    }
    Ok(())
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

fn days(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.0}")).unwrap_or_else(|| "NR".into())
}

/// "Used / skipped" lines: what the pipeline read and left out.
fn usage_lines(s: &mut String, rep: &ResponseReport) {
    let u = &rep.input_usage;
    let _ = writeln!(s, "Primary evaluator: {}", u.primary_evaluator);
    if let Some(t) = &u.sdtm {
        let list = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "Used: TR {}/{} rows, TU {}/{} rows, RS {} rows; evaluators seen: {}",
            t.tr_rows_used,
            t.tr_rows,
            t.tu_rows_used,
            t.tu_rows,
            t.rs_rows - t.rs_rows_other_evaluator,
            t.evaluators.join("; ")
        );
        let mut skipped = Vec::new();
        if !t.tr_summary_rows.is_empty() {
            skipped.push(format!(
                "TR summary records (not lesions): {}",
                list(&t.tr_summary_rows)
            ));
        }
        if !t.tr_unknown_tests.is_empty() {
            skipped.push(format!(
                "TR tests not used by the response rules: {}",
                list(&t.tr_unknown_tests)
            ));
        }
        let other =
            t.tr_rows_other_evaluator + t.tu_rows_other_evaluator + t.rs_rows_other_evaluator;
        if other > 0 {
            skipped.push(format!("{other} TU/TR/RS rows of other evaluators"));
        }
        if t.tr_rows_without_lesion > 0 {
            skipped.push(format!(
                "{} TR rows without a TU lesion or TRGRPID",
                t.tr_rows_without_lesion
            ));
        }
        if !skipped.is_empty() {
            let _ = writeln!(s, "Skipped: {}", skipped.join("; "));
        }
        if t.tr_rows_linked_across_evaluators > 0 {
            let _ = writeln!(
                s,
                "Linked: {} TR rows to another evaluator's TU lesion (TRLNKID = TULNKID)",
                t.tr_rows_linked_across_evaluators
            );
        }
    }
    if let Some(n) = u.lesion_rows_used {
        let _ = writeln!(
            s,
            "Used: {n} lesion rows; skipped {} (listed below)",
            rep.skipped.len()
        );
    }
    if u.new_therapy_subjects > 0 {
        let _ = writeln!(
            s,
            "New anticancer therapy: {} subjects; {} PFS records censored at the last assessment before it{}",
            u.new_therapy_subjects,
            u.pfs_censored_new_therapy,
            if rep.options.endpoints.censor_new_therapy {
                ""
            } else {
                " (censoring off: --no-new-therapy-censoring)"
            }
        );
    }
    if u.rs_records_used > 0 {
        let _ = writeln!(s, "Used: {} RS OVRLRESP records", u.rs_records_used);
    }
    for e in &u.evaluators {
        let _ = writeln!(
            s,
            "Derived time points, {}: {} subjects, {} baseline, {} post-baseline, {} NE{}",
            e.evaluator,
            e.subjects,
            e.baseline_timepoints,
            e.post_baseline_timepoints,
            e.post_baseline_ne,
            if e.incomplete_baseline > 0 {
                format!(
                    " ({} with incomplete baseline targets)",
                    e.incomplete_baseline
                )
            } else {
                String::new()
            }
        );
    }
}

fn human(rep: &ResponseReport, all: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Tumour response — {} ({}), criteria {}, per-visit responses from {}",
        rep.input,
        rep.input_kind,
        rep.criteria.label(),
        if rep.response_source == "rs" {
            "RS OVRLRESP"
        } else {
            "the measurements"
        }
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<16} {:<24} {:>6} {:<14} {:<10} {:<14} {:<10} {:<10} {:<10}",
        "SUBJECT", "ARM", "VISITS", "BOR", "BOR DATE", "CONFIRMED", "RESP", "PD", "DEATH"
    );
    let d =
        |x: Option<tm_model::date::Date>| x.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    let mut hidden = 0;
    for sub in &rep.subjects {
        if !all && sub.assessments == 0 {
            hidden += 1;
            continue;
        }
        let _ = writeln!(
            s,
            "{:<16} {:<24} {:>6} {:<14} {:<10} {:<14} {:<10} {:<10} {:<10}",
            sub.subject,
            sub.arm.as_deref().unwrap_or("-"),
            sub.assessments,
            sub.bor,
            d(sub.bor_date),
            sub.confirmed_bor,
            d(sub.response_date),
            d(sub.progression_date),
            d(sub.death_date),
        );
    }
    if hidden > 0 {
        let _ = writeln!(
            s,
            "({hidden} subjects without response assessments (BOR MISSING) not listed; --all-subjects lists them)"
        );
    }
    let e = &rep.endpoints;
    let lvl = e.conf_level * 100.0;
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Response per arm (denominator: {:?}; exact Clopper-Pearson {lvl:.0}% CI)",
        e.denominator
    );
    for a in &e.response {
        let ci = |p: &tm_outcomes::response::endpoints::Proportion| {
            format!(
                "{}/{} = {} [{}, {}]",
                p.responders,
                p.n,
                pct(p.estimate),
                pct(p.ci[0]),
                pct(p.ci[1])
            )
        };
        let _ = writeln!(s, "  {} (n = {})", a.arm, a.n);
        let _ = writeln!(
            s,
            "    ORR {:<34} confirmed {}",
            ci(&a.orr),
            ci(&a.orr_confirmed)
        );
        let _ = writeln!(
            s,
            "    DCR {:<34} confirmed {}",
            ci(&a.dcr),
            ci(&a.dcr_confirmed)
        );
        let counts: Vec<String> = a.bor.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(s, "    BOR: {}", counts.join(", "));
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Time to event per arm (Kaplan-Meier median in days [{lvl:.0}% CI]; months = days / {DAYS_PER_MONTH})"
    );
    for t in &e.time_to_event {
        let p = t
            .logrank_p
            .map(|p| format!("log-rank p = {p:.4}"))
            .unwrap_or_else(|| "log-rank: -".into());
        let _ = writeln!(s, "  {} ({}), {p}", t.paramcd, t.label);
        for a in &t.arms {
            let _ = writeln!(
                s,
                "    {:<24} n {:>4}  events {:>3}  median {} [{}, {}]{}",
                a.arm,
                a.n,
                a.events,
                days(a.median_days),
                days(a.median_ci_days[0]),
                days(a.median_ci_days[1]),
                a.median_months
                    .map(|m| format!(" = {m:.1} months"))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(a) = rep.rs_agreement.as_ref().filter(|a| a.compared > 0) {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "RS OVRLRESP vs responses derived from TR ({}): {}/{} agree",
            rep.criteria.label(),
            a.agreed,
            a.compared
        );
        for m in a.mismatches.iter().take(10) {
            let _ = writeln!(
                s,
                "  {} {} {} {}: RS {} derived {}",
                m.subject,
                m.evaluator,
                m.visit.as_deref().unwrap_or(""),
                m.date_text,
                m.rs,
                m.derived.as_deref().unwrap_or("-")
            );
        }
    }
    let _ = writeln!(s);
    usage_lines(&mut s, rep);
    if !rep.warnings.is_empty() || !rep.skipped.is_empty() {
        let _ = writeln!(s);
        for w in &rep.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        for k in &rep.skipped {
            let _ = writeln!(s, "skipped: {} line {}: {}", k.file, k.line, k.reason);
        }
    }
    s
}
