//! `trialmatch patient <file> [--as-of DATE] [--json]`: read a FHIR R4
//! file / bundle / NDJSON / directory or a hand-entry profile and show the
//! normalised patient(s) and every flagged value (docs/contracts.md,
//! "patient").

use std::path::PathBuf;

use tm_model::patient::ObsValue;
use tm_model::Date;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// FHIR JSON (resource or Bundle), NDJSON, a hand-entry profile, or a
    /// directory of them.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Index date: facts after it are ignored in the summary (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
}

fn value_str(v: &Option<ObsValue>, comparator: &Option<String>) -> String {
    let c = comparator.clone().unwrap_or_default();
    match v {
        Some(ObsValue::Quantity(q)) => format!("{c}{q}"),
        Some(ObsValue::Integer(i)) => i.to_string(),
        Some(ObsValue::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        Some(ObsValue::Text(t)) => t.clone(),
        Some(v @ ObsValue::Coded { codes, .. }) => v
            .as_text()
            .map(str::to_string)
            .or_else(|| codes.first().map(|c| format!("{}|{}", c.system, c.code)))
            .unwrap_or_default(),
        None => "—".to_string(),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let report = tm_patient::read_path(&args.file).map_err(|e| CliError::failure(e.to_string()))?;
    let as_of = args.as_of.unwrap_or_else(Date::today);
    for e in &report.errors {
        eprintln!("{}", crate::esc::text(&e.to_string()));
    }
    if report.patients.is_empty() {
        return Err(CliError::failure(format!(
            "no patient found in {}",
            args.file.display()
        )));
    }
    if ctx.json {
        let out = tm_app::patient::patient_json(&report, as_of);
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for p in &report.patients {
        outln!(
            "Patient {}  sex {:?}  born {}  age {} (as of {as_of}){}",
            p.id,
            p.sex,
            p.birth_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "?".into()),
            p.age_on(as_of)
                .map(|a| a.to_string())
                .unwrap_or_else(|| "?".into()),
            p.deceased
                .map(|d| format!("  DECEASED {d}"))
                .unwrap_or_default()
        );
        // latest usable value per concept as of the index date
        let mut concepts: Vec<&str> = p
            .observations
            .iter()
            .filter_map(|o| o.concept.as_deref())
            .collect();
        concepts.sort();
        concepts.dedup();
        if !concepts.is_empty() {
            outln!("  Latest values (usable, on or before {as_of}):");
        }
        for c in concepts {
            if let Some(o) = p.latest(c, as_of).filter(|o| o.value.is_some()) {
                let orig = o
                    .original
                    .as_ref()
                    .map(|q| format!("  (reported {q})"))
                    .unwrap_or_default();
                outln!(
                    "    {c:<24} {:<16} {}{orig}",
                    value_str(&o.value, &o.comparator),
                    o.effective
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "undated".into())
                );
            }
        }
        let list = |title: &str, items: Vec<String>| {
            if !items.is_empty() {
                outln!("  {title}:");
                for i in items {
                    outln!("    {i}");
                }
            }
        };
        let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
        let name = |c: &Option<String>, t: &Option<String>| {
            c.clone()
                .or_else(|| t.clone())
                .unwrap_or_else(|| "?".into())
        };
        list(
            "Conditions",
            p.conditions
                .iter()
                .map(|c| {
                    format!(
                        "{:<24} onset {}  {}",
                        name(&c.concept, &c.text),
                        d(c.onset),
                        c.clinical_status.clone().unwrap_or_default()
                    )
                })
                .collect(),
        );
        list(
            "Procedures",
            p.procedures
                .iter()
                .map(|x| {
                    format!(
                        "{:<24} {}  {}",
                        name(&x.concept, &x.text),
                        d(x.date),
                        x.details.join("; ")
                    )
                })
                .collect(),
        );
        list(
            "Medications",
            p.medications
                .iter()
                .map(|m| {
                    format!(
                        "{:<24} {} – {}",
                        name(&m.concept, &m.text),
                        d(m.start),
                        m.end
                            .map(|e| e.to_string())
                            .unwrap_or_else(|| "ongoing".into())
                    )
                })
                .collect(),
        );
        list(
            "Allergies",
            p.allergies
                .iter()
                .map(|a| {
                    format!(
                        "{:<24} {} {}",
                        name(&a.concept, &a.text),
                        a.severity.clone().unwrap_or_default(),
                        a.reactions.join(", ")
                    )
                })
                .collect(),
        );
        list(
            "Lesions",
            p.lesions
                .iter()
                .map(|l| {
                    format!(
                        "{} {}  {}  APHE {}  washout {}  treated {}  {}",
                        l.label.clone().unwrap_or_default(),
                        l.site.clone().unwrap_or_default(),
                        l.diameters
                            .iter()
                            .map(|q| q.to_string())
                            .collect::<Vec<_>>()
                            .join(" × "),
                        yes_no(l.arterial_enhancement),
                        yes_no(l.washout),
                        yes_no(l.previously_treated),
                        d(l.effective)
                    )
                })
                .collect(),
        );
        list(
            "Vascular invasion",
            p.vascular_invasion
                .iter()
                .map(|v| {
                    format!(
                        "present {}  Vp {}  {}  {}",
                        yes_no(Some(v.present)),
                        v.vp_grade
                            .map(|g| g.to_string())
                            .unwrap_or_else(|| "—".into()),
                        v.vessel.clone().unwrap_or_default(),
                        d(v.effective)
                    )
                })
                .collect(),
        );
        list(
            "Consents",
            p.consents
                .iter()
                .map(|c| format!("{} given {} {}", c.kind, yes_no(Some(c.given)), d(c.date)))
                .collect(),
        );
        let derived = tm_clinical::derive(p, as_of, &tm_clinical::DeriveConfig::default());
        outln!("  Derived (as of {as_of}; inputs, or what is missing):");
        for line in derived.human_lines() {
            outln!("    {line}");
        }
        let flags = p.all_flags();
        if flags.is_empty() {
            outln!("  Flags: none");
        } else {
            outln!("  Flags ({}):", flags.len());
            for (w, f) in flags {
                outln!("    {:<18} {w}: {}", f.code, f.detail);
            }
        }
        outln!();
    }
    if !ctx.quiet {
        eprintln!(
            "{} patient(s) from {} file(s); {} resources read, {} excluded (refuted / entered-in-error / not done), {} unmapped observations, {} errors; skipped types: {}",
            report.patients.len(),
            report.files,
            report.resources_read,
            report.excluded,
            report.unmapped_observations,
            report.errors.len(),
            report
                .skipped_types
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// `yes` / `no` / `?` for a three-valued fact in the human view.
fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}
