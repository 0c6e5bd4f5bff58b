//! Unit newtypes: every calculator input states its unit in its type.
//!
//! Each newtype holds a plain `f64` in exactly one unit (named by the type) and
//! does no conversion: conversions between units (mg/dL ↔ µmol/L, g/dL ↔ g/L,
//! cm ↔ inch, …) belong to `tm-units` alone. Callers that hold a
//! `tm_model::Quantity` in another unit convert it with `tm-units` first, then
//! wrap the number in the newtype whose unit it now has.
//!
//! The UCUM code of each unit is given by [`UnitNewtype::UCUM`].

use serde::{Deserialize, Serialize};

/// A unit newtype: a number in one fixed unit.
pub trait UnitNewtype: Copy {
    /// UCUM code of the unit (case-sensitive form).
    const UCUM: &'static str;
    /// The number, in [`Self::UCUM`].
    fn value(self) -> f64;
}

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident, $ucum:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl UnitNewtype for $name {
            const UCUM: &'static str = $ucum;
            fn value(self) -> f64 {
                self.0
            }
        }
    };
}

unit!(
    /// Mass concentration in mg/dL (total bilirubin, creatinine).
    MgPerDl,
    "mg/dL"
);
unit!(
    /// Molar concentration in µmol/L (total bilirubin, creatinine, SI).
    UmolPerL,
    "umol/L"
);
unit!(
    /// Mass concentration in g/dL (albumin, conventional).
    GPerDl,
    "g/dL"
);
unit!(
    /// Mass concentration in g/L (albumin, SI).
    GPerL,
    "g/L"
);
unit!(
    /// Substance concentration in mmol/L (sodium; mEq/L is the same number).
    MmolPerL,
    "mmol/L"
);
unit!(
    /// International normalised ratio (dimensionless).
    Inr,
    "{INR}"
);
unit!(
    /// Time in seconds (prothrombin time prolongation).
    Seconds,
    "s"
);
unit!(
    /// Time in hours (decay intervals, Y-90 half-life).
    Hours,
    "h"
);
unit!(
    /// Time in days (Lu-177 half-life).
    Days,
    "d"
);
unit!(
    /// Age in years.
    Years,
    "a"
);
unit!(
    /// Mass in kilograms (body weight, target mass, lung mass).
    Kg,
    "kg"
);
unit!(
    /// Length in centimetres (height, tumour diameter).
    Cm,
    "cm"
);
unit!(
    /// Length in inches (only for the Devine ideal-body-weight formula).
    Inches,
    "[in_i]"
);
unit!(
    /// Volume in millilitres (liver and tumour volumes; 1 mL = 1 cm³).
    Ml,
    "mL"
);
unit!(
    /// Area in square metres (body surface area).
    M2,
    "m2"
);
unit!(
    /// Flow in mL/min (creatinine clearance, not indexed to BSA).
    MlPerMin,
    "mL/min"
);
unit!(
    /// Flow indexed to 1.73 m² BSA (eGFR).
    MlPerMinPer173M2,
    "mL/min/{1.73_m2}"
);
unit!(
    /// Body-mass index in kg/m².
    KgPerM2,
    "kg/m2"
);
unit!(
    /// Activity in gigabecquerels.
    Gbq,
    "GBq"
);
unit!(
    /// Absorbed dose in gray.
    Gy,
    "Gy"
);
unit!(
    /// A percentage, 0–100 (lung shunt fraction, tumour burden).
    Percent,
    "%"
);

/// A time span usable for radioactive decay: elapsed time and half-life must
/// share one unit, so no conversion is ever needed.
pub trait TimeSpan: UnitNewtype {}
impl TimeSpan for Hours {}
impl TimeSpan for Days {}
impl TimeSpan for Seconds {}

/// Biological sex as used by the renal equations (sex factor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
}
