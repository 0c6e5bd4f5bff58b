//! ECOG performance status ↔ Karnofsky — clinical-rules.md §1.7 [S18].
//!
//! | ECOG | KPS commonly mapped |
//! |---|---|
//! | 0 | 100, 90 |
//! | 1 | 80, 70 |
//! | 2 | 60, 50 |
//! | 3 | 40, 30 |
//! | 4 | 20, 10 |
//! | 5 | 0 |
//!
//! No formally validated mapping exists. KPS → ECOG is many-to-one and exact
//! ([`kps_to_ecog`]); ECOG → KPS yields a range ([`ecog_to_kps`]), and a KPS
//! threshold checked against an ECOG-derived range answers only "likely" /
//! "unlikely" / "uncertain" ([`KpsRange::at_least`]), never a certainty.

use crate::error::{ClinicalError, Result};
use serde::{Deserialize, Serialize};

/// ECOG grade (0–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ecog(u8);

impl Ecog {
    pub fn new(grade: u8) -> Result<Ecog> {
        if grade <= 5 {
            Ok(Ecog(grade))
        } else {
            Err(ClinicalError::Invalid {
                input: "ecog",
                reason: format!("ECOG must be 0–5, got {grade}"),
            })
        }
    }
    pub fn grade(self) -> u8 {
        self.0
    }
}

/// Karnofsky performance status (0–100 in steps of 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kps(u8);

impl Kps {
    pub fn new(score: u8) -> Result<Kps> {
        if score <= 100 && (score / 10) * 10 == score {
            Ok(Kps(score))
        } else {
            Err(ClinicalError::Invalid {
                input: "kps",
                reason: format!("Karnofsky must be 0–100 in steps of 10, got {score}"),
            })
        }
    }
    pub fn score(self) -> u8 {
        self.0
    }
}

/// KPS → ECOG (§1.7): 100–90 → 0, 80–70 → 1, 60–50 → 2, 40–30 → 3,
/// 20–10 → 4, 0 → 5.
pub fn kps_to_ecog(kps: Kps) -> Ecog {
    Ecog(match kps.0 {
        90..=100 => 0,
        70..=89 => 1,
        50..=69 => 2,
        30..=49 => 3,
        10..=29 => 4,
        _ => 5,
    })
}

/// An inclusive KPS range implied by an ECOG grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpsRange {
    pub min: u8,
    pub max: u8,
}

/// Answer to a KPS threshold asked of an ECOG-derived range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Implied {
    /// Every KPS of the range satisfies it (still only "likely": the mapping
    /// is not validated).
    Likely,
    /// No KPS of the range satisfies it.
    Unlikely,
    /// Some do, some do not.
    Uncertain,
}

impl KpsRange {
    /// Does "KPS ≥ threshold" hold for this range?
    pub fn at_least(self, threshold: u8) -> Implied {
        if self.min >= threshold {
            Implied::Likely
        } else if self.max < threshold {
            Implied::Unlikely
        } else {
            Implied::Uncertain
        }
    }
}

/// ECOG → KPS range (§1.7).
pub fn ecog_to_kps(ecog: Ecog) -> KpsRange {
    let (min, max) = match ecog.0 {
        0 => (90, 100),
        1 => (70, 80),
        2 => (50, 60),
        3 => (30, 40),
        4 => (10, 20),
        _ => (0, 0),
    };
    KpsRange { min, max }
}
