//! Y-90 SIRT dosimetry report — clinical-rules.md §6. A report layer only: every formula is
//! `tm_clinical::y90` (decay and residual §6.1/§6.2, MIRD §6.2, lung dose and limits §6.3,
//! partition model §6.5); volume → mass uses the 1.03 g/mL liver density of `tm_clinical::y90`
//! and `tm-units` for g → kg.
//!
//! Input CSV (docs/contracts.md "dosimetry"): one row per treatment, header required:
//! `patient, prescribed_gbq, residual_pct, hours_since_calibration, lsf_pct,
//! target_mass_kg | target_volume_ml, lung_mass_kg, prior_lung_dose_gy, tn_ratio,
//! tumour_mass_kg | tumour_volume_ml, normal_mass_kg | normal_volume_ml, microsphere`. Only
//! `patient`, `prescribed_gbq` and `lsf_pct` are required; blank = not given.
//!
//! Resin microspheres (`microsphere = resin`): the report adds the activity reduction by lung
//! shunt fraction of §6.3 (`tm_clinical::y90::resin_lsf_reduction`, default thresholds and
//! boundary settings of `ResinLsfConfig`) and the activity it recommends, taking
//! `prescribed_gbq` as the planned activity before that reduction (e.g. from the BSA method,
//! §6.4). The doses are still those of the prescribed activity as given.

pub use crate::sdtm::SkippedRow;
use serde::{Deserialize, Serialize};
use tm_clinical::error::ClinicalError;
use tm_clinical::units::{Gbq, Gy, Hours, Kg, Percent};
use tm_clinical::y90::{
    check_lung_dose, delivered_activity, lung_dose, mird_liver_dose, partition_doses,
    resin_lsf_reduction, DosimetryConfig, Partition, PartitionInput, ResinLsfConfig,
    ResinLsfDecision, LIVER_DENSITY_G_PER_ML, LUNG_MASS_CONVENTION,
};
use tm_model::Quantity;

/// A mass given directly (kg) or as a volume (mL) to be converted with the liver density.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MassInput {
    Kg(f64),
    VolumeMl(f64),
}

/// Microsphere product type (§6.2 glass / TheraSphere-type, §6.3–6.4 resin / SIR-Spheres-type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Microsphere {
    Resin,
    Glass,
}

impl std::str::FromStr for Microsphere {
    type Err = String;

    /// `resin` / `glass` (case-insensitive; also `sir-spheres`, `therasphere`).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "resin" | "sir-spheres" | "sirspheres" => Ok(Microsphere::Resin),
            "glass" | "therasphere" => Ok(Microsphere::Glass),
            other => Err(format!("microsphere '{other}' is not resin or glass")),
        }
    }
}

/// The resin activity reduction by lung shunt fraction (§6.3), as reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResinReduction {
    /// `full_activity`, `reduce` (with `reduction` percent and `factor`) or `do_not_treat`.
    #[serde(flatten)]
    pub decision: ResinLsfDecision,
    /// `prescribed_gbq` after the reduction; `None` = do not treat.
    pub recommended_activity_gbq: Option<f64>,
}

/// One treatment's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatmentInput {
    pub patient: String,
    /// Activity in the vial at calibration (GBq).
    pub prescribed_gbq: f64,
    /// Residual left in vial/catheter, percent (default 0).
    pub residual_pct: f64,
    /// Time from calibration to treatment, hours (default 0).
    pub hours_since_calibration: f64,
    /// Lung shunt fraction, percent.
    pub lsf_pct: f64,
    /// Perfused target (MIRD) mass.
    pub target: Option<MassInput>,
    /// Lung mass (default 1 kg convention, §6.3).
    pub lung_mass_kg: Option<f64>,
    /// Lung dose of earlier treatments (Gy), for the cumulative limit.
    pub prior_lung_dose_gy: f64,
    /// Tumour-to-normal concentration ratio (partition model).
    pub tn_ratio: Option<f64>,
    pub tumour: Option<MassInput>,
    pub normal_liver: Option<MassInput>,
    /// Microsphere type; `Some(Resin)` adds the LSF activity reduction to the report.
    pub microsphere: Option<Microsphere>,
}

impl TreatmentInput {
    /// Minimal input: activity and LSF only.
    pub fn new(patient: &str, prescribed_gbq: f64, lsf_pct: f64) -> Self {
        TreatmentInput {
            patient: patient.into(),
            prescribed_gbq,
            residual_pct: 0.0,
            hours_since_calibration: 0.0,
            lsf_pct,
            target: None,
            lung_mass_kg: None,
            prior_lung_dose_gy: 0.0,
            tn_ratio: None,
            tumour: None,
            normal_liver: None,
            microsphere: None,
        }
    }
}

/// The computed report of one treatment. Errors of a part are reported, not fatal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatmentReport {
    pub patient: String,
    pub delivered_gbq: Option<f64>,
    pub target_mass_kg: Option<f64>,
    /// MIRD single-compartment dose to the perfused target (§6.2).
    pub mird_liver_dose_gy: Option<f64>,
    pub lung_mass_kg: f64,
    pub lung_dose_gy: Option<f64>,
    pub cumulative_lung_dose_gy: Option<f64>,
    pub lung_single_within_limit: Option<bool>,
    pub lung_cumulative_within_limit: Option<bool>,
    /// Partition model (§6.5), when T/N, tumour and normal-liver masses are given.
    pub partition: Option<Partition>,
    pub microsphere: Option<Microsphere>,
    /// Resin microspheres only: the §6.3 activity reduction by lung shunt fraction.
    pub resin_lsf_reduction: Option<ResinReduction>,
    pub gy_kg_per_gbq: f64,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
}

/// A number for a message: at most 4 significant digits, scientific notation outside
/// 0.001–999,999 (`1e300`, not 300 digits), trailing zeros trimmed; `NaN`/`inf` as such.
pub fn readable(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{x:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{e}");
    }
    let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A calculator error with readable numbers ([`readable`]).
pub fn clinical_text(e: &ClinicalError) -> String {
    match e {
        ClinicalError::OutOfRange {
            input,
            value,
            min,
            max,
        } => format!(
            "{input}: {} outside the accepted range {}–{}",
            readable(*value),
            readable(*min),
            readable(*max)
        ),
        other => other.to_string(),
    }
}

fn mass_kg(m: MassInput, what: &str) -> Result<f64, String> {
    match m {
        MassInput::Kg(k) => Ok(k),
        MassInput::VolumeMl(v) => {
            let grams = Quantity::new(v * LIVER_DENSITY_G_PER_ML, "g");
            tm_units::convert(&grams, "kg", None)
                .map(|q| q.value)
                .map_err(|e| format!("{what}: {e}"))
        }
    }
}

/// Computes the report of one treatment (§6).
pub fn report_treatment(t: &TreatmentInput, cfg: &DosimetryConfig) -> TreatmentReport {
    let mut r = TreatmentReport {
        patient: t.patient.clone(),
        delivered_gbq: None,
        target_mass_kg: None,
        mird_liver_dose_gy: None,
        lung_mass_kg: t.lung_mass_kg.unwrap_or(LUNG_MASS_CONVENTION.0),
        lung_dose_gy: None,
        cumulative_lung_dose_gy: None,
        lung_single_within_limit: None,
        lung_cumulative_within_limit: None,
        partition: None,
        microsphere: t.microsphere,
        resin_lsf_reduction: None,
        gy_kg_per_gbq: cfg.gy_kg_per_gbq,
        notes: Vec::new(),
        errors: Vec::new(),
    };
    if t.lung_mass_kg.is_none() {
        r.notes
            .push("lung mass 1 kg by convention (clinical-rules §6.3)".into());
    }
    let lsf = Percent(t.lsf_pct);
    if t.microsphere == Some(Microsphere::Resin) {
        match resin_lsf_reduction(lsf, &ResinLsfConfig::default()) {
            Ok(decision) => {
                if decision == ResinLsfDecision::DoNotTreat {
                    r.notes.push(format!(
                        "resin microspheres: LSF {} % is above the treatment limit (§6.3): do not treat",
                        t.lsf_pct
                    ));
                }
                r.resin_lsf_reduction = Some(ResinReduction {
                    decision,
                    recommended_activity_gbq: decision.apply(Gbq(t.prescribed_gbq)).map(|a| a.0),
                });
            }
            Err(e) => r
                .errors
                .push(format!("resin LSF reduction: {}", clinical_text(&e))),
        }
    }
    let delivered = match delivered_activity(
        Gbq(t.prescribed_gbq),
        Percent(t.residual_pct),
        Hours(t.hours_since_calibration),
    ) {
        Ok(a) => a,
        Err(e) => {
            r.errors
                .push(format!("delivered activity: {}", clinical_text(&e)));
            return r;
        }
    };
    r.delivered_gbq = Some(delivered.0);
    match t.target.map(|m| mass_kg(m, "target mass")) {
        Some(Ok(m)) => {
            r.target_mass_kg = Some(m);
            match mird_liver_dose(delivered, lsf, Kg(m), cfg) {
                Ok(d) => r.mird_liver_dose_gy = Some(d.0),
                Err(e) => r.errors.push(format!("MIRD dose: {}", clinical_text(&e))),
            }
        }
        Some(Err(e)) => r.errors.push(e),
        None => r
            .notes
            .push("no target mass/volume: MIRD liver dose not computed".into()),
    }
    match lung_dose(delivered, lsf, Kg(r.lung_mass_kg), cfg) {
        Ok(d) => {
            let cumulative = d.0 + t.prior_lung_dose_gy;
            let check = check_lung_dose(d, Gy(cumulative), cfg);
            r.lung_dose_gy = Some(d.0);
            r.cumulative_lung_dose_gy = Some(cumulative);
            r.lung_single_within_limit = Some(check.single_within);
            r.lung_cumulative_within_limit = Some(check.cumulative_within);
        }
        Err(e) => r.errors.push(format!("lung dose: {}", clinical_text(&e))),
    }
    match (t.tn_ratio, t.tumour, t.normal_liver) {
        (Some(tn), Some(mt), Some(mn)) => {
            let masses =
                mass_kg(mt, "tumour mass").and_then(|a| Ok((a, mass_kg(mn, "normal liver mass")?)));
            match masses {
                Ok((mt, mn)) => {
                    let p = PartitionInput {
                        lsf,
                        tn_ratio: tn,
                        tumour_mass: Kg(mt),
                        normal_liver_mass: Kg(mn),
                        lung_mass: Kg(r.lung_mass_kg),
                    };
                    match partition_doses(delivered, &p, cfg) {
                        Ok(p) => r.partition = Some(p),
                        Err(e) => r
                            .errors
                            .push(format!("partition model: {}", clinical_text(&e))),
                    }
                }
                Err(e) => r.errors.push(e),
            }
        }
        (None, None, None) => {}
        _ => r.notes.push(
            "partition model needs tn_ratio, tumour and normal-liver mass/volume together".into(),
        ),
    }
    r
}

/// Reads the dosimetry CSV (module docs). Rows with unreadable numbers are skipped.
pub fn read_dosimetry_csv(text: &str) -> Result<(Vec<TreatmentInput>, Vec<SkippedRow>), String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let pos = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    for req in ["patient", "prescribed_gbq", "lsf_pct"] {
        if pos(req).is_none() {
            return Err(format!("missing column '{req}'"));
        }
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                skipped.push(SkippedRow {
                    line: line as u64,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let cell = |n: &str| pos(n).and_then(|c| rec.get(c)).filter(|s| !s.is_empty());
        let num = |n: &str| -> Result<Option<f64>, String> {
            match cell(n) {
                None => Ok(None),
                Some(s) => s
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| format!("{n}: '{s}' is not a number")),
            }
        };
        let row = (|| -> Result<TreatmentInput, String> {
            let patient = cell("patient").ok_or("empty patient")?.to_string();
            let mass = |kg: &str, ml: &str| -> Result<Option<MassInput>, String> {
                Ok(match (num(kg)?, num(ml)?) {
                    (Some(k), _) => Some(MassInput::Kg(k)),
                    (None, Some(v)) => Some(MassInput::VolumeMl(v)),
                    _ => None,
                })
            };
            Ok(TreatmentInput {
                patient,
                prescribed_gbq: num("prescribed_gbq")?.ok_or("empty prescribed_gbq")?,
                residual_pct: num("residual_pct")?.unwrap_or(0.0),
                hours_since_calibration: num("hours_since_calibration")?.unwrap_or(0.0),
                lsf_pct: num("lsf_pct")?.ok_or("empty lsf_pct")?,
                target: mass("target_mass_kg", "target_volume_ml")?,
                lung_mass_kg: num("lung_mass_kg")?,
                prior_lung_dose_gy: num("prior_lung_dose_gy")?.unwrap_or(0.0),
                tn_ratio: num("tn_ratio")?,
                tumour: mass("tumour_mass_kg", "tumour_volume_ml")?,
                normal_liver: mass("normal_mass_kg", "normal_volume_ml")?,
                microsphere: cell("microsphere")
                    .map(str::parse::<Microsphere>)
                    .transpose()?,
            })
        })();
        match row {
            Ok(t) => out.push(t),
            Err(reason) => skipped.push(SkippedRow {
                line: line as u64,
                reason,
            }),
        }
    }
    Ok((out, skipped))
}

/// The `dosimetry` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DosimetryReport {
    pub config: DosimetryConfig,
    pub treatments: Vec<TreatmentReport>,
    pub skipped: Vec<SkippedRow>,
}

/// Reports every treatment.
pub fn report(
    inputs: &[TreatmentInput],
    skipped: Vec<SkippedRow>,
    cfg: &DosimetryConfig,
) -> DosimetryReport {
    DosimetryReport {
        config: *cfg,
        treatments: inputs.iter().map(|t| report_treatment(t, cfg)).collect(),
        skipped,
    }
}

fn f2(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())
}

impl DosimetryReport {
    /// Human-readable report.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Y-90 dosimetry (coefficient {} Gy·kg/GBq; lung limits {} Gy single, {} Gy cumulative)\n",
            self.config.gy_kg_per_gbq, self.config.lung_limit_single.0, self.config.lung_limit_cumulative.0
        );
        for t in &self.treatments {
            out.push_str(&format!("\n{}\n", t.patient));
            out.push_str(&format!(
                "  delivered activity   {} GBq\n",
                f2(t.delivered_gbq)
            ));
            out.push_str(&match (t.mird_liver_dose_gy, t.target_mass_kg) {
                (Some(d), Some(m)) => format!(
                    "  MIRD target dose     {} Gy (target {} kg)\n",
                    f2(Some(d)),
                    f2(Some(m))
                ),
                (_, m) => format!(
                    "  MIRD target dose     not computed{}\n",
                    if m.is_none() {
                        " (no target mass or volume)"
                    } else {
                        ""
                    }
                ),
            });
            let lim = match (t.lung_single_within_limit, t.lung_cumulative_within_limit) {
                (Some(true), Some(true)) => "within limits".to_string(),
                (Some(s), Some(c)) => format!(
                    "EXCEEDS {}",
                    [(!s).then_some("single"), (!c).then_some("cumulative")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                _ => "–".into(),
            };
            out.push_str(&format!(
                "  lung dose            {} Gy (cumulative {} Gy; {lim})\n",
                f2(t.lung_dose_gy),
                f2(t.cumulative_lung_dose_gy)
            ));
            if let Some(rr) = &t.resin_lsf_reduction {
                let what = match rr.decision {
                    ResinLsfDecision::FullActivity => "no reduction".to_string(),
                    ResinLsfDecision::Reduce { reduction, .. } => {
                        format!("reduce by {} %", reduction.0)
                    }
                    ResinLsfDecision::DoNotTreat => "do not treat".to_string(),
                };
                out.push_str(&format!(
                    "  resin LSF reduction  {what} → recommended activity {} GBq (prescribed taken as planned)\n",
                    f2(rr.recommended_activity_gbq)
                ));
            }
            if let Some(p) = &t.partition {
                out.push_str(&format!(
                    "  partition: tumour {:.2} Gy, normal liver {:.2} Gy, lung {:.2} Gy (A_T {:.3}, A_N {:.3} GBq)\n",
                    p.dose_tumour.0, p.dose_normal.0, p.dose_lung.0, p.activity_tumour.0, p.activity_normal.0
                ));
            }
            for n in &t.notes {
                out.push_str(&format!("  note: {n}\n"));
            }
            for e in &t.errors {
                out.push_str(&format!("  error: {e}\n"));
            }
        }
        out.push_str(&SkippedRow::summary(&self.skipped));
        out
    }
}

#[cfg(test)]
mod readable_tests {
    use super::readable;

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(readable(1e300), "1e300");
        assert_eq!(readable(-2.5e-7), "-2.5e-7");
        assert_eq!(readable(100.0), "100");
        assert_eq!(readable(0.30000000000000004), "0.3");
        assert_eq!(readable(123.456), "123.5");
        assert_eq!(readable(f64::NAN), "NaN");
    }
}
