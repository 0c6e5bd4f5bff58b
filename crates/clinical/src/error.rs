//! Typed errors of the calculators. No calculator panics on any input.

use serde::Serialize;
use std::fmt;

/// Why a calculator refused its input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClinicalError {
    /// NaN or infinite.
    NotFinite { input: &'static str },
    /// Outside the calculator's documented domain (inclusive bounds).
    OutOfRange {
        input: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A value that is finite but not acceptable (e.g. KPS 75, no nodules).
    Invalid { input: &'static str, reason: String },
}

impl fmt::Display for ClinicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClinicalError::NotFinite { input } => write!(f, "{input}: not a finite number"),
            ClinicalError::OutOfRange {
                input,
                value,
                min,
                max,
            } => write!(f, "{input}: {value} outside the accepted range {min}–{max}"),
            ClinicalError::Invalid { input, reason } => write!(f, "{input}: {reason}"),
        }
    }
}

impl std::error::Error for ClinicalError {}

pub type Result<T> = std::result::Result<T, ClinicalError>;

/// Checks `min ≤ value ≤ max` (and finiteness); returns the value.
pub(crate) fn in_range(input: &'static str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(ClinicalError::NotFinite { input });
    }
    if value < min || value > max {
        return Err(ClinicalError::OutOfRange {
            input,
            value,
            min,
            max,
        });
    }
    Ok(value)
}

/// Checks `value > 0` (and finiteness, and `value ≤ max`).
pub(crate) fn positive(input: &'static str, value: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(ClinicalError::NotFinite { input });
    }
    if value <= 0.0 || value > max {
        return Err(ClinicalError::OutOfRange {
            input,
            value,
            min: f64::MIN_POSITIVE,
            max,
        });
    }
    Ok(value)
}

/// Rounds to 9 decimals before a threshold comparison, so that floating-point
/// artefacts (`34.2 / 17.1 = 2.0000000000000004`) never move a value across a
/// clinical boundary. Clinical inputs carry at most a few decimals, so this
/// never changes a real comparison.
pub(crate) fn stable(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}
