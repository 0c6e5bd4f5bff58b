//! MELD and MELD-Na, OPTN/UNOS 2016 policy 9.1.D — clinical-rules.md §1.3 [S3].
//!
//! 1. `MELD(i) = 0.957 ln(Cr) + 0.378 ln(bili) + 1.120 ln(INR) + 0.643`
//! 2. Creatinine, bilirubin, INR < 1.0 are set to 1.0.
//! 3. Creatinine is set to 4.0 mg/dL if > 4.0, or with ≥ 2 dialysis
//!    treatments / 24 h CVVHD in the prior 7 days.
//! 4. Round MELD(i) to the tenth, multiply by 10; maximum 40.
//! 5. If MELD(i) > 11: `MELD = MELD(i) + 1.32 (137 − Na) − 0.033 MELD(i) (137 − Na)`,
//!    Na bounded to 125–137 mmol/L; otherwise MELD-Na = MELD(i).
//!
//! The final MELD-Na is rounded to an integer (normal practice, UNVERIFIED as
//! policy wording); both raw and rounded values are returned. MELD 3.0 is not
//! implemented (§1.3: implement what the protocol names). The policy applies
//! to candidates ≥ 12 years old; age is the caller's concern.

use crate::error::{in_range, positive, Result};
use crate::units::{Inr, MgPerDl, MmolPerL};
use serde::{Deserialize, Serialize};

/// Maximum MELD (policy step 4).
pub const MELD_MAX: f64 = 40.0;
/// Sodium bounds (policy step 5), mmol/L.
pub const SODIUM_BOUNDS: (f64, f64) = (125.0, 137.0);
/// Creatinine ceiling and dialysis value, mg/dL (policy step 3).
pub const CREATININE_CEILING_MG_DL: f64 = 4.0;
/// Lab floor (policy step 2).
pub const LAB_FLOOR: f64 = 1.0;

/// Inputs of [`meld`]. `dialysis` = ≥ 2 dialysis treatments or 24 h of CVVHD
/// within the prior 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeldInput {
    pub creatinine: MgPerDl,
    pub bilirubin: MgPerDl,
    pub inr: Inr,
    pub dialysis: bool,
}

/// Result of [`meld`]: the values actually used after the policy's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Meld {
    /// MELD(i) after rounding and the 40 cap (an integer-valued number, 6–40).
    pub meld: f64,
    /// Unrounded `0.957 ln Cr + 0.378 ln bili + 1.120 ln INR + 0.643`.
    pub meld_raw: f64,
    pub creatinine_used: f64,
    pub bilirubin_used: f64,
    pub inr_used: f64,
    /// True when creatinine was set to 4.0 because of dialysis.
    pub creatinine_set_by_dialysis: bool,
}

/// Result of [`meld_na`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeldNa {
    pub meld: Meld,
    /// Sodium after bounding to 125–137.
    pub sodium_used: f64,
    /// Unrounded MELD-Na (equal to MELD(i) when MELD(i) ≤ 11).
    pub meld_na_raw: f64,
    /// Rounded to the nearest integer.
    pub meld_na: f64,
    /// Whether the sodium correction applied (MELD(i) > 11).
    pub sodium_applied: bool,
}

fn lab(input: &'static str, v: f64) -> Result<f64> {
    positive(input, v, 1000.0).map(|v| v.max(LAB_FLOOR))
}

/// MELD(i) per OPTN 2016 (§1.3, steps 1–4).
pub fn meld(input: &MeldInput) -> Result<Meld> {
    let mut cr = lab("creatinine", input.creatinine.0)?;
    let bili = lab("bilirubin", input.bilirubin.0)?;
    let inr = lab("inr", input.inr.0)?;
    let creatinine_set_by_dialysis = input.dialysis;
    if input.dialysis || cr > CREATININE_CEILING_MG_DL {
        cr = CREATININE_CEILING_MG_DL;
    }
    let meld_raw = 0.957 * cr.ln() + 0.378 * bili.ln() + 1.120 * inr.ln() + 0.643;
    let meld = ((meld_raw * 10.0).round()).min(MELD_MAX);
    Ok(Meld {
        meld,
        meld_raw,
        creatinine_used: cr,
        bilirubin_used: bili,
        inr_used: inr,
        creatinine_set_by_dialysis,
    })
}

/// MELD-Na per OPTN 2016 (§1.3, step 5).
pub fn meld_na(input: &MeldInput, sodium: MmolPerL) -> Result<MeldNa> {
    let na = in_range("sodium", sodium.0, 50.0, 250.0)?;
    let m = meld(input)?;
    let sodium_used = na.clamp(SODIUM_BOUNDS.0, SODIUM_BOUNDS.1);
    let sodium_applied = m.meld > 11.0;
    let meld_na_raw = if sodium_applied {
        let d = 137.0 - sodium_used;
        (m.meld + 1.32 * d - 0.033 * m.meld * d).min(MELD_MAX)
    } else {
        m.meld
    };
    Ok(MeldNa {
        meld: m,
        sodium_used,
        meld_na_raw,
        meld_na: meld_na_raw.round(),
        sodium_applied,
    })
}
