//! Renal function: Cockcroft-Gault creatinine clearance (§1.4 [S1]) and the
//! race-free CKD-EPI 2021 creatinine equation (§1.5 [S1][S17]) — clinical-rules.md.

use crate::error::{in_range, positive, ClinicalError, Result};
use crate::units::{
    Inches, Kg, KgPerM2, MgPerDl, MlPerMin, MlPerMinPer173M2, Sex, UmolPerL, Years,
};
use serde::{Deserialize, Serialize};

/// Adult age range accepted by both equations (§1.4: do not extrapolate to
/// age < 18).
pub const ADULT_AGE_RANGE: (f64, f64) = (18.0, 120.0);
/// Sanity upper bounds.
pub const WEIGHT_MAX_KG: f64 = 500.0;
pub const CREATININE_MAX_MG_DL: f64 = 30.0;
/// The same sanity bound in µmol/L, for [`cockcroft_gault_si`].
pub const CREATININE_MAX_UMOL_L: f64 = 2650.0;

/// Which body weight Cockcroft-Gault uses (§1.4).
///
/// **Default: [`CgWeightBasis::Actual`]** — the original equation used actual
/// body weight, and most protocols say "Cockcroft-Gault" without naming the
/// weight. The weight used is always reported in the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CgWeightBasis {
    #[default]
    Actual,
    /// Devine ideal body weight.
    Ideal,
    /// IBW + 0.4 × (actual − IBW).
    Adjusted,
    /// MDCalc rule: BMI < 18.5 → actual; 18.5–24.9 → IBW; ≥ 25 → adjusted.
    MdcalcByBmi,
}

impl CgWeightBasis {
    /// The serialised name (`actual`, `ideal`, `adjusted`, `mdcalc_by_bmi`).
    pub fn as_str(self) -> &'static str {
        match self {
            CgWeightBasis::Actual => "actual",
            CgWeightBasis::Ideal => "ideal",
            CgWeightBasis::Adjusted => "adjusted",
            CgWeightBasis::MdcalcByBmi => "mdcalc_by_bmi",
        }
    }
}

/// Height, given in both units the weight rules need: inches for Devine IBW,
/// and the BMI for the MDCalc rule. The caller converts with `tm-units`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgStature {
    pub height: Inches,
    pub bmi: KgPerM2,
}

/// Inputs of [`cockcroft_gault`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgInput {
    pub age: Years,
    pub sex: Sex,
    /// Actual body weight.
    pub weight: Kg,
    pub creatinine: MgPerDl,
    /// Needed only for the non-actual weight bases.
    pub stature: Option<CgStature>,
}

/// Result of [`cockcroft_gault`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CockcroftGault {
    /// mL/min, not indexed to BSA.
    pub crcl: MlPerMin,
    /// The weight put into the equation.
    pub weight_used: Kg,
    /// The basis actually applied (for `MdcalcByBmi`, the resolved one).
    pub weight_basis: CgWeightBasis,
    /// 0.85 for women, 1.0 for men.
    pub sex_factor: f64,
}

/// Devine ideal body weight (§1.4): men 50 + 2.3 × (in − 60); women
/// 45.5 + 2.3 × (in − 60).
pub fn ideal_body_weight_devine(height: Inches, sex: Sex) -> Result<Kg> {
    let h = in_range("height", height.0, 40.0, 110.0)?;
    let base = match sex {
        Sex::Male => 50.0,
        Sex::Female => 45.5,
    };
    Ok(Kg(base + 2.3 * (h - 60.0)))
}

/// Adjusted body weight (§1.4): IBW + 0.4 × (actual − IBW).
pub fn adjusted_body_weight(actual: Kg, ideal: Kg) -> Kg {
    Kg(ideal.0 + 0.4 * (actual.0 - ideal.0))
}

/// Cockcroft-Gault creatinine clearance (§1.4):
/// `(140 − age) × weight × (0.85 if female) / (72 × SCr mg/dL)`.
pub fn cockcroft_gault(input: &CgInput, basis: CgWeightBasis) -> Result<CockcroftGault> {
    let (amin, amax) = ADULT_AGE_RANGE;
    let age = in_range("age", input.age.0, amin, amax)?;
    let actual = positive("weight", input.weight.0, WEIGHT_MAX_KG)?;
    let scr = positive("creatinine", input.creatinine.0, CREATININE_MAX_MG_DL)?;
    let need_stature = || {
        input.stature.ok_or(ClinicalError::Invalid {
            input: "height",
            reason: "needed for the ideal/adjusted body weight".into(),
        })
    };
    let (weight_used, resolved) = match basis {
        CgWeightBasis::Actual => (actual, CgWeightBasis::Actual),
        CgWeightBasis::Ideal => {
            let s = need_stature()?;
            (
                ideal_body_weight_devine(s.height, input.sex)?.0,
                CgWeightBasis::Ideal,
            )
        }
        CgWeightBasis::Adjusted => {
            let s = need_stature()?;
            let ibw = ideal_body_weight_devine(s.height, input.sex)?;
            (
                adjusted_body_weight(Kg(actual), ibw).0,
                CgWeightBasis::Adjusted,
            )
        }
        CgWeightBasis::MdcalcByBmi => {
            let s = need_stature()?;
            let bmi = positive("bmi", s.bmi.0, 200.0)?;
            let ibw = ideal_body_weight_devine(s.height, input.sex)?;
            if bmi < 18.5 {
                (actual, CgWeightBasis::Actual)
            } else if bmi < 25.0 {
                (ibw.0, CgWeightBasis::Ideal)
            } else {
                (
                    adjusted_body_weight(Kg(actual), ibw).0,
                    CgWeightBasis::Adjusted,
                )
            }
        }
    };
    if weight_used <= 0.0 {
        return Err(ClinicalError::Invalid {
            input: "weight",
            reason: format!("the {resolved:?} body weight is not positive ({weight_used} kg)"),
        });
    }
    let sex_factor = match input.sex {
        Sex::Female => 0.85,
        Sex::Male => 1.0,
    };
    let crcl = (140.0 - age) * weight_used * sex_factor / (72.0 * scr);
    Ok(CockcroftGault {
        crcl: MlPerMin(crcl),
        weight_used: Kg(weight_used),
        weight_basis: resolved,
        sex_factor,
    })
}

/// The SI form of Cockcroft-Gault (§1.4): `(140 − age) × weight × K / SCr
/// µmol/L`, K = 1.23 (men) or 1.04 (women), with actual body weight. The
/// rounded constants make it differ slightly from [`cockcroft_gault`]
/// (80.1 vs 80.0 mL/min in the §1.4 vector); use it only when a protocol
/// names this form. [`cockcroft_gault`] is the default everywhere else.
pub fn cockcroft_gault_si(
    age: Years,
    sex: Sex,
    weight: Kg,
    creatinine: UmolPerL,
) -> Result<MlPerMin> {
    let (amin, amax) = ADULT_AGE_RANGE;
    let age = in_range("age", age.0, amin, amax)?;
    let weight = positive("weight", weight.0, WEIGHT_MAX_KG)?;
    let scr = positive("creatinine", creatinine.0, CREATININE_MAX_UMOL_L)?;
    let k = match sex {
        Sex::Male => 1.23,
        Sex::Female => 1.04,
    };
    Ok(MlPerMin((140.0 - age) * weight * k / scr))
}

/// Result of [`ckd_epi_2021`], with the terms of the equation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CkdEpi2021 {
    pub egfr: MlPerMinPer173M2,
    pub kappa: f64,
    pub alpha: f64,
    /// 1.012 for women, 1.0 for men.
    pub sex_factor: f64,
}

/// CKD-EPI 2021 race-free creatinine eGFR (§1.5):
/// `142 × min(SCr/κ,1)^α × max(SCr/κ,1)^−1.200 × 0.9938^age × 1.012 [female]`,
/// κ 0.7 (F) / 0.9 (M), α −0.241 (F) / −0.302 (M). SCr IDMS-standardised mg/dL.
pub fn ckd_epi_2021(age: Years, sex: Sex, creatinine: MgPerDl) -> Result<CkdEpi2021> {
    let (amin, amax) = ADULT_AGE_RANGE;
    let age = in_range("age", age.0, amin, amax)?;
    let scr = positive("creatinine", creatinine.0, CREATININE_MAX_MG_DL)?;
    let (kappa, alpha, sex_factor) = match sex {
        Sex::Female => (0.7, -0.241, 1.012),
        Sex::Male => (0.9, -0.302, 1.0),
    };
    let r = scr / kappa;
    let egfr =
        142.0 * r.min(1.0).powf(alpha) * r.max(1.0).powf(-1.200) * 0.9938f64.powf(age) * sex_factor;
    Ok(CkdEpi2021 {
        egfr: MlPerMinPer173M2(egfr),
        kappa,
        alpha,
        sex_factor,
    })
}
