//! Child-Pugh (Child-Turcotte-Pugh) score — clinical-rules.md §1.1 [S1][S2][S27].
//!
//! | Parameter | 1 | 2 | 3 |
//! |---|---|---|---|
//! | Bilirubin mg/dL | < 2 | 2–3 | > 3 |
//! | Bilirubin mg/dL, PBC/PSC variant | < 4 | 4–10 | > 10 |
//! | Albumin g/dL | > 3.5 | 2.8–3.5 | < 2.8 |
//! | INR | < 1.7 | 1.7–2.3 | > 2.3 |
//! | or PT prolongation, s over control | < 4 | 4–6 | > 6 |
//! | Ascites | none | slight | moderate–severe |
//! | Encephalopathy | none | grade 1–2 (or suppressed by medication) | grade 3–4 (or refractory) |
//!
//! Boundaries (MDCalc convention, §1.1): bilirubin 2.0 and 3.0 → 2 points,
//! albumin 3.5 and 2.8 → 2 points, INR 1.7 and 2.3 → 2 points; the middle band
//! is inclusive at both ends for every row (PT 4 and 6 s → 2 points).
//! Class A = 5–6, B = 7–9, C = 10–15.

use crate::error::{in_range, stable, ClinicalError, Result};
use crate::units::{GPerDl, Inr, MgPerDl, Seconds};
use serde::{Deserialize, Serialize};

/// Sanity bounds of the inputs (§1.1, from a public calculator spec [S1b]).
/// Values outside are refused, not clamped.
pub const BILIRUBIN_RANGE_MG_DL: (f64, f64) = (0.1, 50.0);
/// Albumin sanity bounds, g/dL [S1b].
pub const ALBUMIN_RANGE_G_DL: (f64, f64) = (1.0, 6.0);
/// INR sanity bounds [S1b].
pub const INR_RANGE: (f64, f64) = (0.8, 10.0);
/// PT prolongation sanity bounds, seconds over control (own choice; a PT
/// shorter than control gives a negative number and scores 1 point).
pub const PT_PROLONGATION_RANGE_S: (f64, f64) = (-30.0, 120.0);

/// Coagulation input: INR, or the PT variant (seconds over control, i.e.
/// patient PT − control PT).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coagulation {
    Inr(Inr),
    PtProlongation(Seconds),
}

/// Which bilirubin row applies (§1.1): the standard one, or the PBC/PSC
/// (cholestatic) variant with cut-offs 4 and 10 mg/dL [S2]. Use the variant
/// only when the protocol or the aetiology calls for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BilirubinScale {
    #[default]
    Standard,
    Cholestatic,
}

/// The Child-Pugh ascites category (the row's three columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ascites {
    None,
    /// Slight / mild, controlled with diuretics: 2 points.
    Slight,
    /// Moderate–severe (tense, refractory): 3 points.
    ModerateSevere,
}

/// How International Ascites Club grades map onto Child-Pugh ascites points.
///
/// UNVERIFIED (§1.1): no standard mapping exists. The defaults follow "common
/// practice": IAC grade 1–2 → slight (2 points), grade 3 or refractory →
/// moderate–severe (3 points). Grade 1 is "detectable only by ultrasound"
/// (imaging-only); whether it scores 1 or 2 points is not settled, hence the
/// setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IacMapping {
    pub grade1: Ascites,
    pub grade2: Ascites,
    pub grade3: Ascites,
    pub refractory: Ascites,
}

impl Default for IacMapping {
    fn default() -> Self {
        IacMapping {
            grade1: Ascites::Slight,
            grade2: Ascites::Slight,
            grade3: Ascites::ModerateSevere,
            refractory: Ascites::ModerateSevere,
        }
    }
}

impl Ascites {
    /// Points for this category.
    pub fn points(self) -> u8 {
        match self {
            Ascites::None => 1,
            Ascites::Slight => 2,
            Ascites::ModerateSevere => 3,
        }
    }

    /// From an International Ascites Club grade (0 = none, 1–3) and whether
    /// the ascites is refractory, through a configurable mapping (§1.1, §8).
    pub fn from_iac(grade: u8, refractory: bool, map: &IacMapping) -> Result<Ascites> {
        if refractory {
            return Ok(map.refractory);
        }
        match grade {
            0 => Ok(Ascites::None),
            1 => Ok(map.grade1),
            2 => Ok(map.grade2),
            3 => Ok(map.grade3),
            _ => Err(ClinicalError::Invalid {
                input: "ascites_iac_grade",
                reason: format!("IAC grade must be 0–3, got {grade}"),
            }),
        }
    }
}

/// The Child-Pugh hepatic-encephalopathy category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encephalopathy {
    None,
    /// West Haven grade 1–2, or suppressed with medication: 2 points.
    Grade1To2,
    /// West Haven grade 3–4, or refractory: 3 points.
    Grade3To4,
}

impl Encephalopathy {
    /// Points for this category.
    pub fn points(self) -> u8 {
        match self {
            Encephalopathy::None => 1,
            Encephalopathy::Grade1To2 => 2,
            Encephalopathy::Grade3To4 => 3,
        }
    }

    /// From a West Haven grade (0–4) (§8 [S20]). `on_medication` (lactulose,
    /// rifaximin) with grade 0 means "suppressed with medication" → 2 points
    /// (§8, [S2]); `refractory` → 3 points.
    pub fn from_west_haven(grade: u8, on_medication: bool, refractory: bool) -> Result<Self> {
        if refractory {
            return Ok(Encephalopathy::Grade3To4);
        }
        match grade {
            0 if on_medication => Ok(Encephalopathy::Grade1To2),
            0 => Ok(Encephalopathy::None),
            1 | 2 => Ok(Encephalopathy::Grade1To2),
            3 | 4 => Ok(Encephalopathy::Grade3To4),
            _ => Err(ClinicalError::Invalid {
                input: "encephalopathy_west_haven_grade",
                reason: format!("West Haven grade must be 0–4, got {grade}"),
            }),
        }
    }
}

/// Child-Pugh class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ChildPughClass {
    A,
    B,
    C,
}

impl ChildPughClass {
    /// A = 5–6, B = 7–9, C = 10–15 (§1.1). `None` outside 5–15.
    pub fn from_points(points: u8) -> Option<ChildPughClass> {
        match points {
            5 | 6 => Some(ChildPughClass::A),
            7..=9 => Some(ChildPughClass::B),
            10..=15 => Some(ChildPughClass::C),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChildPughClass::A => "A",
            ChildPughClass::B => "B",
            ChildPughClass::C => "C",
        }
    }
}

/// Inputs of [`child_pugh`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChildPughInput {
    pub bilirubin: MgPerDl,
    pub albumin: GPerDl,
    pub coagulation: Coagulation,
    pub ascites: Ascites,
    pub encephalopathy: Encephalopathy,
    #[serde(default)]
    pub bilirubin_scale: BilirubinScale,
}

/// Points per parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildPughPoints {
    pub bilirubin: u8,
    pub albumin: u8,
    /// INR or PT-prolongation points, whichever was given.
    pub coagulation: u8,
    pub ascites: u8,
    pub encephalopathy: u8,
}

/// Result of [`child_pugh`]: total points, class and the points of each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildPugh {
    pub points: u8,
    pub class: ChildPughClass,
    pub components: ChildPughPoints,
}

/// Three-band scoring where the middle band `[lo, hi]` is inclusive and a
/// larger value is worse.
fn band_rising(x: f64, lo: f64, hi: f64) -> u8 {
    let x = stable(x);
    if x < lo {
        1
    } else if x <= hi {
        2
    } else {
        3
    }
}

/// Bilirubin points (§1.1): standard < 2 / 2–3 / > 3 mg/dL; cholestatic
/// < 4 / 4–10 / > 10 mg/dL.
pub fn bilirubin_points(bilirubin: MgPerDl, scale: BilirubinScale) -> Result<u8> {
    let (lo, hi) = BILIRUBIN_RANGE_MG_DL;
    let b = in_range("bilirubin", bilirubin.0, lo, hi)?;
    Ok(match scale {
        BilirubinScale::Standard => band_rising(b, 2.0, 3.0),
        BilirubinScale::Cholestatic => band_rising(b, 4.0, 10.0),
    })
}

/// Albumin points (§1.1): > 3.5 / 2.8–3.5 / < 2.8 g/dL.
pub fn albumin_points(albumin: GPerDl) -> Result<u8> {
    let (lo, hi) = ALBUMIN_RANGE_G_DL;
    let a = stable(in_range("albumin", albumin.0, lo, hi)?);
    Ok(if a > 3.5 {
        1
    } else if a >= 2.8 {
        2
    } else {
        3
    })
}

/// Coagulation points (§1.1): INR < 1.7 / 1.7–2.3 / > 2.3, or PT prolongation
/// < 4 / 4–6 / > 6 seconds over control.
pub fn coagulation_points(c: Coagulation) -> Result<u8> {
    match c {
        Coagulation::Inr(inr) => {
            let (lo, hi) = INR_RANGE;
            Ok(band_rising(in_range("inr", inr.0, lo, hi)?, 1.7, 2.3))
        }
        Coagulation::PtProlongation(s) => {
            let (lo, hi) = PT_PROLONGATION_RANGE_S;
            Ok(band_rising(
                in_range("pt_prolongation", s.0, lo, hi)?,
                4.0,
                6.0,
            ))
        }
    }
}

/// Child-Pugh score (§1.1): sum of five 1–3 point items, 5–15; class A/B/C.
pub fn child_pugh(input: &ChildPughInput) -> Result<ChildPugh> {
    let components = ChildPughPoints {
        bilirubin: bilirubin_points(input.bilirubin, input.bilirubin_scale)?,
        albumin: albumin_points(input.albumin)?,
        coagulation: coagulation_points(input.coagulation)?,
        ascites: input.ascites.points(),
        encephalopathy: input.encephalopathy.points(),
    };
    let points = components.bilirubin
        + components.albumin
        + components.coagulation
        + components.ascites
        + components.encephalopathy;
    // Always 5–15 by construction; the fallback keeps the function total.
    let class = ChildPughClass::from_points(points).ok_or(ClinicalError::Invalid {
        input: "child_pugh",
        reason: format!("points {points} outside 5–15"),
    })?;
    Ok(ChildPugh {
        points,
        class,
        components,
    })
}
