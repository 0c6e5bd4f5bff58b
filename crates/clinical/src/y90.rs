//! Y-90 radioembolisation dosimetry (and Lu-177 decay) — clinical-rules.md §6.
//!
//! Constants §6.1 [S10][S12]; MIRD single-compartment model §6.2 [S10][S11];
//! lung shunt fraction and lung dose §6.3 [S11]; resin BSA method §6.4 [S11];
//! partition model §6.5 [S23][S11].
//!
//! The dose coefficient (Gy·kg per GBq fully decayed) is a setting
//! ([`DosimetryConfig`]): 49.67 (the value in §6.2–§6.5's formulas and
//! examples; the **default**), 49.38, or 50 (TheraSphere). Lung shunt
//! fractions are in percent ([`Percent`], 0–100).

use crate::error::{in_range, positive, stable, ClinicalError, Result};
use crate::units::{Days, Gbq, Gy, Hours, Kg, Ml, Percent, TimeSpan, M2};
use serde::{Deserialize, Serialize};

/// Y-90 half-life, 64.1 h (2.67 d) (§6.1, TheraSphere IFU [S10]).
pub const Y90_HALF_LIFE: Hours = Hours(64.1);
/// Lu-177 half-life, 6.647 d (§6.1, Lutathera SmPC [S12]).
pub const LU177_HALF_LIFE: Days = Days(6.647);

/// Dose coefficient computed with E_mean 0.9267 MeV (49.43 J/GBq; §6.2).
pub const GY_KG_PER_GBQ_49_38: f64 = 49.38;
/// Dose coefficient used in §6.2–§6.5's formulas and examples.
pub const GY_KG_PER_GBQ_49_67: f64 = 49.67;
/// TheraSphere's rounded coefficient (§6.2).
pub const GY_KG_PER_GBQ_50: f64 = 50.0;
/// Lung mass by convention, 1 kg (§6.3; UNVERIFIED as IFU wording).
pub const LUNG_MASS_CONVENTION: Kg = Kg(1.0);
/// Liver density, 1.03 g/mL (§1.10/§6.2, TheraSphere convention, UNVERIFIED).
/// Mass (kg) from a volume is the caller's job (`tm-units` for g → kg).
pub const LIVER_DENSITY_G_PER_ML: f64 = 1.03;

/// Dosimetry settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DosimetryConfig {
    /// Gy·kg per GBq fully decayed. Default 49.67.
    pub gy_kg_per_gbq: f64,
    /// Single-treatment lung dose limit, default 30 Gy (§6.3 [S11]).
    pub lung_limit_single: Gy,
    /// Cumulative lung dose limit, default 50 Gy (§6.3 [S11]).
    pub lung_limit_cumulative: Gy,
}

impl Default for DosimetryConfig {
    fn default() -> Self {
        DosimetryConfig {
            gy_kg_per_gbq: GY_KG_PER_GBQ_49_67,
            lung_limit_single: Gy(30.0),
            lung_limit_cumulative: Gy(50.0),
        }
    }
}

fn activity(a: Gbq) -> Result<f64> {
    in_range("activity", a.0, 0.0, 100.0)
}

fn lsf_fraction(lsf: Percent) -> Result<f64> {
    Ok(in_range("lung_shunt_fraction", lsf.0, 0.0, 100.0)? / 100.0)
}

fn mass(input: &'static str, m: Kg) -> Result<f64> {
    positive(input, m.0, 10.0)
}

// --------------------------------------------------------------- Decay ----

/// Fraction of activity left after `elapsed` (§6.1):
/// `exp(−ln 2 × t / T½)`. Elapsed time and half-life share one unit.
pub fn decay_fraction<T: TimeSpan>(elapsed: T, half_life: T) -> Result<f64> {
    let t = in_range("elapsed", elapsed.value(), 0.0, f64::MAX)?;
    let h = positive("half_life", half_life.value(), f64::MAX)?;
    Ok((-std::f64::consts::LN_2 * t / h).exp())
}

/// Decay-corrects a Y-90 activity over `elapsed` hours (§6.1, T½ 64.1 h).
pub fn y90_decay(activity0: Gbq, elapsed: Hours) -> Result<Gbq> {
    let a = activity(activity0)?;
    Ok(Gbq(a * decay_fraction(elapsed, Y90_HALF_LIFE)?))
}

/// Activity actually delivered (§6.2): prescribed × (1 − residual fraction),
/// decay-corrected from calibration to treatment time.
pub fn delivered_activity(prescribed: Gbq, residual: Percent, elapsed: Hours) -> Result<Gbq> {
    let a = activity(prescribed)?;
    let r = in_range("residual", residual.0, 0.0, 100.0)? / 100.0;
    y90_decay(Gbq(a * (1.0 - r)), elapsed)
}

// ---------------------------------------------------------------- MIRD ----

/// MIRD single-compartment liver dose (§6.2):
/// `D = k × A × (1 − LSF) / M_target`.
pub fn mird_liver_dose(a: Gbq, lsf: Percent, target_mass: Kg, cfg: &DosimetryConfig) -> Result<Gy> {
    let a = activity(a)?;
    let f = lsf_fraction(lsf)?;
    let m = mass("target_mass", target_mass)?;
    Ok(Gy(cfg.gy_kg_per_gbq * a * (1.0 - f) / m))
}

/// Inverse MIRD (§6.2): `A = D × M / (k × (1 − LSF))`.
pub fn mird_activity_for_dose(
    dose: Gy,
    lsf: Percent,
    target_mass: Kg,
    cfg: &DosimetryConfig,
) -> Result<Gbq> {
    let d = in_range("dose", dose.0, 0.0, 10_000.0)?;
    let f = lsf_fraction(lsf)?;
    let m = mass("target_mass", target_mass)?;
    if f >= 1.0 {
        return Err(ClinicalError::Invalid {
            input: "lung_shunt_fraction",
            reason: "100 % shunt: no activity reaches the liver".into(),
        });
    }
    Ok(Gbq(d * m / (cfg.gy_kg_per_gbq * (1.0 - f))))
}

// ---------------------------------------------------------------- Lung ----

/// Planar MAA lung shunt fraction (§6.3): `C_lung / (C_lung + C_liver)` with
/// each C the geometric mean `sqrt(anterior × posterior)` of its ROI counts.
pub fn lung_shunt_fraction(
    lung_anterior: f64,
    lung_posterior: f64,
    liver_anterior: f64,
    liver_posterior: f64,
) -> Result<Percent> {
    let la = in_range("lung_anterior_counts", lung_anterior, 0.0, f64::MAX)?;
    let lp = in_range("lung_posterior_counts", lung_posterior, 0.0, f64::MAX)?;
    let va = in_range("liver_anterior_counts", liver_anterior, 0.0, f64::MAX)?;
    let vp = in_range("liver_posterior_counts", liver_posterior, 0.0, f64::MAX)?;
    let cl = (la * lp).sqrt();
    let cv = (va * vp).sqrt();
    if cl + cv <= 0.0 {
        return Err(ClinicalError::Invalid {
            input: "counts",
            reason: "no counts".into(),
        });
    }
    Ok(Percent(100.0 * cl / (cl + cv)))
}

/// Lung dose (§6.3): `D_lung = k × A × LSF / M_lung`; pass
/// [`LUNG_MASS_CONVENTION`] (1 kg) unless the protocol measures it.
pub fn lung_dose(a: Gbq, lsf: Percent, lung_mass: Kg, cfg: &DosimetryConfig) -> Result<Gy> {
    let a = activity(a)?;
    let f = lsf_fraction(lsf)?;
    let m = mass("lung_mass", lung_mass)?;
    Ok(Gy(cfg.gy_kg_per_gbq * a * f / m))
}

/// Lung dose against the limits of §6.3 (30 Gy single, 50 Gy cumulative by
/// default; both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LungDoseCheck {
    pub single_within: bool,
    pub cumulative_within: bool,
}

/// Checks a planned lung dose and the cumulative dose including it.
pub fn check_lung_dose(single: Gy, cumulative: Gy, cfg: &DosimetryConfig) -> LungDoseCheck {
    LungDoseCheck {
        single_within: stable(single.0) <= cfg.lung_limit_single.0,
        cumulative_within: stable(cumulative.0) <= cfg.lung_limit_cumulative.0,
    }
}

// ------------------------------------------------- Resin LSF reduction ----

/// Which band a lung shunt fraction exactly at a threshold falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtThreshold {
    /// Exactly-at-threshold belongs to the band below (`≤ t` is the lower band).
    Lower,
    /// Exactly-at-threshold belongs to the band above (`< t` is the lower band).
    Upper,
}

/// Resin-microsphere activity reduction by lung shunt fraction (§6.3 [S11]):
/// LSF < 10 %: none; 10–15 %: −20 %; 15–20 %: −40 %; > 20 %: do not treat.
///
/// The source leaves exactly 10, 15 and 20 % open ("use the product IFU"),
/// so each has a setting. Defaults:
/// - 10 % → **upper** (reduce 20 %): the table says "< 10 %: none".
/// - 15 % → **upper** (reduce 40 %): the conservative choice; some authors
///   advise not treating at LSF ≥ 15 %.
/// - 20 % → **lower** (reduce 40 %, treat): the table says "> 20 %: do not treat".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResinLsfConfig {
    pub t1: Percent,
    pub t2: Percent,
    pub t3: Percent,
    pub at_t1: AtThreshold,
    pub at_t2: AtThreshold,
    pub at_t3: AtThreshold,
    /// Reduction between t1 and t2, percent (default 20).
    pub reduction_band1: Percent,
    /// Reduction between t2 and t3, percent (default 40).
    pub reduction_band2: Percent,
}

impl Default for ResinLsfConfig {
    fn default() -> Self {
        ResinLsfConfig {
            t1: Percent(10.0),
            t2: Percent(15.0),
            t3: Percent(20.0),
            at_t1: AtThreshold::Upper,
            at_t2: AtThreshold::Upper,
            at_t3: AtThreshold::Lower,
            reduction_band1: Percent(20.0),
            reduction_band2: Percent(40.0),
        }
    }
}

/// Outcome of [`resin_lsf_reduction`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ResinLsfDecision {
    FullActivity,
    Reduce {
        /// Percent reduction.
        reduction: Percent,
        /// Multiply the activity by this (e.g. 0.8).
        factor: f64,
    },
    DoNotTreat,
}

impl ResinLsfDecision {
    /// Applies the decision to an activity; `None` = do not treat.
    pub fn apply(self, a: Gbq) -> Option<Gbq> {
        match self {
            ResinLsfDecision::FullActivity => Some(a),
            ResinLsfDecision::Reduce { factor, .. } => Some(Gbq(a.0 * factor)),
            ResinLsfDecision::DoNotTreat => None,
        }
    }
}

fn above(x: f64, t: Percent, at: AtThreshold) -> bool {
    match at {
        AtThreshold::Lower => x > t.0,
        AtThreshold::Upper => x >= t.0,
    }
}

/// Resin activity reduction for a lung shunt fraction (§6.3).
pub fn resin_lsf_reduction(lsf: Percent, cfg: &ResinLsfConfig) -> Result<ResinLsfDecision> {
    let x = stable(in_range("lung_shunt_fraction", lsf.0, 0.0, 100.0)?);
    if !(cfg.t1.0 <= cfg.t2.0 && cfg.t2.0 <= cfg.t3.0) {
        return Err(ClinicalError::Invalid {
            input: "resin_lsf_config",
            reason: "thresholds must be ascending".into(),
        });
    }
    let reduce = |r: Percent| ResinLsfDecision::Reduce {
        reduction: r,
        factor: 1.0 - r.0 / 100.0,
    };
    Ok(if above(x, cfg.t3, cfg.at_t3) {
        ResinLsfDecision::DoNotTreat
    } else if above(x, cfg.t2, cfg.at_t2) {
        reduce(cfg.reduction_band2)
    } else if above(x, cfg.t1, cfg.at_t1) {
        reduce(cfg.reduction_band1)
    } else {
        ResinLsfDecision::FullActivity
    })
}

// ---------------------------------------------------------- BSA method ----

/// Resin BSA method (§6.4):
/// `A (GBq) = (BSA − 0.2) + V_tumour / (V_tumour + V_normal)`, whole liver,
/// before the LSF reduction. BSA by DuBois (the method's derivation); the
/// caller records which formula it used. `lobar_fraction` (0–1, the treated
/// lobe's share of liver volume) scales it for lobar treatment (UNVERIFIED
/// detail; per IFU).
pub fn resin_bsa_activity(
    bsa: M2,
    tumour_volume: Ml,
    normal_liver_volume: Ml,
    lobar_fraction: Option<f64>,
) -> Result<Gbq> {
    let b = positive("bsa", bsa.0, 5.0)?;
    let t = in_range("tumour_volume", tumour_volume.0, 0.0, 1.0e5)?;
    let n = in_range("normal_liver_volume", normal_liver_volume.0, 0.0, 1.0e5)?;
    if t + n <= 0.0 {
        return Err(ClinicalError::Invalid {
            input: "liver_volume",
            reason: "zero total liver volume".into(),
        });
    }
    let f = match lobar_fraction {
        Some(f) => in_range("lobar_fraction", f, 0.0, 1.0)?,
        None => 1.0,
    };
    Ok(Gbq(((b - 0.2) + t / (t + n)) * f))
}

// ----------------------------------------------------- Partition model ----

/// Tumour-to-normal ratio of concentrations (§6.5):
/// `T/N = (C_T / M_T) / (C_N / M_N)`. Not the activity ratio A_T/A_N.
pub fn tumour_to_normal_ratio(
    counts_tumour: f64,
    mass_tumour: Kg,
    counts_normal: f64,
    mass_normal: Kg,
) -> Result<f64> {
    let ct = in_range("tumour_counts", counts_tumour, 0.0, f64::MAX)?;
    let cn = positive("normal_counts", counts_normal, f64::MAX)?;
    let mt = mass("tumour_mass", mass_tumour)?;
    let mn = mass("normal_liver_mass", mass_normal)?;
    Ok((ct / mt) / (cn / mn))
}

/// Inputs of the partition model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PartitionInput {
    pub lsf: Percent,
    /// Tumour-to-normal concentration ratio.
    pub tn_ratio: f64,
    pub tumour_mass: Kg,
    pub normal_liver_mass: Kg,
    pub lung_mass: Kg,
}

/// Activities and doses of the three compartments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    pub activity: Gbq,
    pub activity_liver: Gbq,
    pub activity_tumour: Gbq,
    pub activity_normal: Gbq,
    pub activity_lung: Gbq,
    pub dose_tumour: Gy,
    pub dose_normal: Gy,
    pub dose_lung: Gy,
}

fn partition_checked(p: &PartitionInput) -> Result<(f64, f64, f64, f64, f64)> {
    Ok((
        lsf_fraction(p.lsf)?,
        in_range("tn_ratio", p.tn_ratio, 0.0, 1000.0)?,
        mass("tumour_mass", p.tumour_mass)?,
        mass("normal_liver_mass", p.normal_liver_mass)?,
        mass("lung_mass", p.lung_mass)?,
    ))
}

/// Partition model doses for an administered activity (§6.5):
/// `A_liver = A (1 − LSF)`, `A_N = A_liver × M_N / (T/N × M_T + M_N)`,
/// `A_T = A_liver − A_N`, `D_N = k A_N / M_N`, `D_T = T/N × D_N`,
/// `D_lung = k A LSF / M_lung`.
pub fn partition_doses(a: Gbq, p: &PartitionInput, cfg: &DosimetryConfig) -> Result<Partition> {
    let a = activity(a)?;
    let (f, tn, mt, mn, ml) = partition_checked(p)?;
    let k = cfg.gy_kg_per_gbq;
    let a_liver = a * (1.0 - f);
    let a_n = a_liver * mn / (tn * mt + mn);
    let a_t = a_liver - a_n;
    let d_n = k * a_n / mn;
    Ok(Partition {
        activity: Gbq(a),
        activity_liver: Gbq(a_liver),
        activity_tumour: Gbq(a_t),
        activity_normal: Gbq(a_n),
        activity_lung: Gbq(a * f),
        dose_tumour: Gy(tn * d_n),
        dose_normal: Gy(d_n),
        dose_lung: Gy(k * a * f / ml),
    })
}

/// Activity that gives normal liver the dose `d_normal` (§6.5):
/// `A = D_N × (T/N × M_T + M_N) / (k × (1 − LSF))` (not `D_N × M_N × (T/N + 1)`,
/// which is wrong unless M_T = M_N). Returns the full partition at that
/// activity.
pub fn partition_for_normal_dose(
    d_normal: Gy,
    p: &PartitionInput,
    cfg: &DosimetryConfig,
) -> Result<Partition> {
    let d = in_range("normal_liver_dose", d_normal.0, 0.0, 10_000.0)?;
    let (f, tn, mt, mn, _) = partition_checked(p)?;
    if f >= 1.0 {
        return Err(ClinicalError::Invalid {
            input: "lung_shunt_fraction",
            reason: "100 % shunt: no activity reaches the liver".into(),
        });
    }
    let a = d * (tn * mt + mn) / (cfg.gy_kg_per_gbq * (1.0 - f));
    partition_doses(Gbq(a), p, cfg)
}
