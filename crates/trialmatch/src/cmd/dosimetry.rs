//! `trialmatch dosimetry [CSV] [--activity GBq --lsf % … --microsphere resin|glass]`: Y-90 SIRT
//! dosimetry report — delivered activity (decay, residual), MIRD liver dose, lung dose and
//! limits, partition-model tumour / normal-liver doses, the resin LSF activity reduction (tm-outcomes::dosimetry over tm-clinical::y90; CSV format and
//! JSON shape in docs/contracts.md, section "dosimetry").

use std::path::PathBuf;

use tm_clinical::y90::{
    DosimetryConfig, GY_KG_PER_GBQ_49_38, GY_KG_PER_GBQ_49_67, GY_KG_PER_GBQ_50,
};
use tm_outcomes::dosimetry::{
    read_dosimetry_csv, readable, report, MassInput, Microsphere, SkippedRow, TreatmentInput,
};

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// CSV with one treatment per row (columns in docs/contracts.md). Without it, give
    /// --activity and --lsf.
    #[arg(value_name = "CSV")]
    pub input: Option<PathBuf>,
    /// Dose coefficient, Gy·kg/GBq.
    #[arg(long, default_value = "49.67", value_parser = ["49.67", "49.38", "50"])]
    pub coefficient: String,
    /// Patient label (single treatment from arguments).
    #[arg(long, default_value = "patient")]
    pub patient: String,
    /// Prescribed (calibrated) activity, GBq.
    #[arg(long, value_name = "GBQ")]
    pub activity: Option<f64>,
    /// Lung shunt fraction, percent.
    #[arg(long, value_name = "PCT")]
    pub lsf: Option<f64>,
    /// Residual activity left in vial/catheter, percent.
    #[arg(long, value_name = "PCT", default_value_t = 0.0)]
    pub residual: f64,
    /// Hours from calibration to treatment (decay correction).
    #[arg(long, value_name = "H", default_value_t = 0.0)]
    pub hours: f64,
    /// Perfused target mass, kg (MIRD).
    #[arg(long, value_name = "KG", conflicts_with = "target_volume")]
    pub target_mass: Option<f64>,
    /// Perfused target volume, mL (× 1.03 g/mL).
    #[arg(long, value_name = "ML")]
    pub target_volume: Option<f64>,
    /// Lung mass, kg (default 1 kg convention).
    #[arg(long, value_name = "KG")]
    pub lung_mass: Option<f64>,
    /// Lung dose of earlier treatments, Gy.
    #[arg(long, value_name = "GY", default_value_t = 0.0)]
    pub prior_lung_dose: f64,
    /// Tumour-to-normal concentration ratio (partition model).
    #[arg(long, value_name = "RATIO")]
    pub tn: Option<f64>,
    /// Tumour mass, kg (partition model).
    #[arg(long, value_name = "KG", conflicts_with = "tumour_volume")]
    pub tumour_mass: Option<f64>,
    /// Tumour volume, mL.
    #[arg(long, value_name = "ML")]
    pub tumour_volume: Option<f64>,
    /// Normal-liver mass, kg (partition model).
    #[arg(long, value_name = "KG", conflicts_with = "normal_volume")]
    pub normal_mass: Option<f64>,
    /// Normal-liver volume, mL.
    #[arg(long, value_name = "ML")]
    pub normal_volume: Option<f64>,
    /// Microsphere type; resin adds the activity reduction by lung shunt fraction (§6.3).
    #[arg(long, value_parser = ["resin", "glass"])]
    pub microsphere: Option<String>,
}

fn mass(kg: Option<f64>, ml: Option<f64>) -> Option<MassInput> {
    kg.map(MassInput::Kg).or(ml.map(MassInput::VolumeMl))
}

/// Numeric flags must be finite and within their physical range (issue 29: `--activity NaN`
/// is a usage error, not a report of nulls). Numbers in messages are readable.
fn check_flags(args: &Args) -> Result<(), CliError> {
    let inf = f64::INFINITY;
    let checks: [(&str, Option<f64>, f64, f64, bool); 12] = [
        ("--activity", args.activity, 0.0, inf, true),
        ("--lsf", args.lsf, 0.0, 100.0, false),
        ("--residual", Some(args.residual), 0.0, 100.0, false),
        ("--hours", Some(args.hours), 0.0, inf, false),
        ("--target-mass", args.target_mass, 0.0, inf, true),
        ("--target-volume", args.target_volume, 0.0, inf, true),
        ("--lung-mass", args.lung_mass, 0.0, inf, true),
        (
            "--prior-lung-dose",
            Some(args.prior_lung_dose),
            0.0,
            inf,
            false,
        ),
        ("--tn", args.tn, 0.0, inf, true),
        ("--tumour-mass", args.tumour_mass, 0.0, inf, true),
        ("--tumour-volume", args.tumour_volume, 0.0, inf, true),
        (
            "--normal-mass",
            args.normal_mass.or(args.normal_volume),
            0.0,
            inf,
            true,
        ),
    ];
    for (flag, value, min, max, strictly_positive) in checks {
        let Some(v) = value else { continue };
        if !v.is_finite() {
            return Err(CliError::usage(format!(
                "{flag}: {} is not a finite number",
                readable(v)
            )));
        }
        let below = if strictly_positive { v <= min } else { v < min };
        if below || v > max {
            let range = match (strictly_positive, max.is_finite()) {
                (true, _) => "> 0".to_string(),
                (false, true) => format!("{}–{}", readable(min), readable(max)),
                (false, false) => format!("≥ {}", readable(min)),
            };
            return Err(CliError::usage(format!(
                "{flag}: {} is outside the accepted range ({range})",
                readable(v)
            )));
        }
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let k = match args.coefficient.as_str() {
        "49.38" => GY_KG_PER_GBQ_49_38,
        "50" => GY_KG_PER_GBQ_50,
        _ => GY_KG_PER_GBQ_49_67,
    };
    let cfg = DosimetryConfig {
        gy_kg_per_gbq: k,
        ..DosimetryConfig::default()
    };
    let (inputs, skipped) = match (&args.input, args.activity, args.lsf) {
        (Some(p), None, None) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::failure(format!("{}: {e}", p.display())))?;
            read_dosimetry_csv(&text)
                .map_err(|e| CliError::failure(format!("{}: {e}", p.display())))?
        }
        (None, Some(a), Some(l)) => {
            check_flags(&args)?;
            let mut t = TreatmentInput::new(&args.patient, a, l);
            t.residual_pct = args.residual;
            t.hours_since_calibration = args.hours;
            t.target = mass(args.target_mass, args.target_volume);
            t.lung_mass_kg = args.lung_mass;
            t.prior_lung_dose_gy = args.prior_lung_dose;
            t.tn_ratio = args.tn;
            t.tumour = mass(args.tumour_mass, args.tumour_volume);
            t.normal_liver = mass(args.normal_mass, args.normal_volume);
            t.microsphere = args
                .microsphere
                .as_deref()
                .map(str::parse::<Microsphere>)
                .transpose()
                .map_err(CliError::usage)?;
            (vec![t], vec![])
        }
        _ => {
            return Err(CliError::usage(
                "give either a CSV file or --activity and --lsf (not both)",
            ))
        }
    };
    if inputs.is_empty() {
        let source = args
            .input
            .as_ref()
            .map_or_else(|| "input".to_string(), |p| p.display().to_string());
        return Err(CliError::failure(SkippedRow::no_usable_rows(
            &source, &skipped,
        )));
    }
    let rep = report(&inputs, skipped, &cfg);
    // Nothing computable (every treatment stopped at the delivered activity): a failure.
    if rep.treatments.iter().all(|t| t.delivered_gbq.is_none()) {
        let first = rep
            .treatments
            .iter()
            .find_map(|t| t.errors.first().map(|e| format!("{}: {e}", t.patient)))
            .unwrap_or_else(|| "no treatment could be computed".into());
        return Err(CliError::failure(format!("nothing computed: {first}")));
    }
    if ctx.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&rep)?));
    } else if !ctx.quiet {
        write_stdout(&rep.to_text());
    }
    Ok(())
}
