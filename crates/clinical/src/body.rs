//! Body size: BSA (Mosteller, DuBois) and BMI — clinical-rules.md §1.6 [S1d][S11].
//!
//! Formulas are written in the units they are defined in (height cm, weight
//! kg); BMI in cm is `10 000 × kg / cm²` (= kg / m²).

use crate::error::{positive, Result};
use crate::units::{Cm, Kg, KgPerM2, M2};
use serde::{Deserialize, Serialize};

/// Sanity upper bounds.
pub const HEIGHT_MAX_CM: f64 = 300.0;
pub const WEIGHT_MAX_KG: f64 = 500.0;

fn hw(height: Cm, weight: Kg) -> Result<(f64, f64)> {
    Ok((
        positive("height", height.0, HEIGHT_MAX_CM)?,
        positive("weight", weight.0, WEIGHT_MAX_KG)?,
    ))
}

/// Which BSA formula (protocols differ; store which one was used, §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BsaFormula {
    #[default]
    Mosteller,
    DuBois,
}

/// Mosteller BSA (§1.6): `sqrt(height cm × weight kg / 3600)` m².
pub fn bsa_mosteller(height: Cm, weight: Kg) -> Result<M2> {
    let (h, w) = hw(height, weight)?;
    Ok(M2((h * w / 3600.0).sqrt()))
}

/// DuBois & DuBois BSA (§1.6): `0.007184 × weight^0.425 × height^0.725` m².
/// The resin-microsphere BSA method (§6.4) was derived with this formula.
pub fn bsa_dubois(height: Cm, weight: Kg) -> Result<M2> {
    let (h, w) = hw(height, weight)?;
    Ok(M2(0.007184 * w.powf(0.425) * h.powf(0.725)))
}

/// BSA by the named formula.
pub fn bsa(formula: BsaFormula, height: Cm, weight: Kg) -> Result<M2> {
    match formula {
        BsaFormula::Mosteller => bsa_mosteller(height, weight),
        BsaFormula::DuBois => bsa_dubois(height, weight),
    }
}

/// BMI (§1.6): weight / height_m² kg/m².
pub fn bmi(height: Cm, weight: Kg) -> Result<KgPerM2> {
    let (h, w) = hw(height, weight)?;
    Ok(KgPerM2(10_000.0 * w / (h * h)))
}

/// WHO BMI band (§1.6): < 18.5, 18.5–24.9, 25.0–29.9, 30.0–34.9, 35.0–39.9,
/// ≥ 40. The bands are contiguous: a value is in the band whose lower bound it
/// reaches (24.95 is "normal", 25.0 is "overweight").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BmiBand {
    Underweight,
    Normal,
    Overweight,
    ObeseI,
    ObeseII,
    ObeseIII,
}

/// The WHO band of a BMI.
pub fn bmi_band(bmi: KgPerM2) -> BmiBand {
    let b = crate::error::stable(bmi.0);
    if b < 18.5 {
        BmiBand::Underweight
    } else if b < 25.0 {
        BmiBand::Normal
    } else if b < 30.0 {
        BmiBand::Overweight
    } else if b < 35.0 {
        BmiBand::ObeseI
    } else if b < 40.0 {
        BmiBand::ObeseII
    } else {
        BmiBand::ObeseIII
    }
}
