//! A measured number with its unit.
//!
//! Architecture invariant: a measured value travels between crates only as a
//! [`Quantity`] — a number together with its UCUM unit string — never as a
//! bare `f64` that might be g/dL or g/L. Conversion between units lives in
//! one place only, `tm-units` (`tm_units::convert`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value with a UCUM unit (case-sensitive form, e.g. `umol/L`, `10*9/L`,
/// `[IU]/mL`, `{INR}`; `1` or `""` for dimensionless).
///
/// Readers normalise common spellings (`µmol/L`, `x10^9/L`) to UCUM through
/// `tm_units::normalize_unit` before building a `Quantity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub value: f64,
    /// UCUM unit code.
    pub unit: String,
}

impl Quantity {
    pub fn new(value: f64, unit: impl Into<String>) -> Quantity {
        Quantity {
            value,
            unit: unit.into(),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unit.is_empty() || self.unit == "1" {
            write!(f, "{}", self.value)
        } else {
            write!(f, "{} {}", self.value, self.unit)
        }
    }
}
