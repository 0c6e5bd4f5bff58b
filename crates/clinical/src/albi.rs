//! ALBI score and grade — clinical-rules.md §1.2 [S16][S1c].
//!
//! `ALBI = 0.66 × log10(bilirubin µmol/L) + c × albumin g/L`, with the
//! albumin coefficient `c` a setting ([`AlbiConfig`]).
//!
//! **Coefficient choice:** the default is **−0.085**, the value printed in
//! Johnson et al. 2015 (J Clin Oncol 33:550) and the one §1.2's test vectors
//! use. Some implementations use −0.0852 ([`ALBUMIN_COEF_0852`]); near a grade
//! boundary that can flip the grade, so the constant is configurable and the
//! one used is reported in every [`Albi`] result.
//!
//! Grades: 1 if score ≤ −2.60; 2 if −2.60 < score ≤ −1.39; 3 if > −1.39.
//! mALBI (Hiraoka 2017) splits grade 2 at −2.270 (UNVERIFIED cut-off, hence a
//! setting): 2a ≤ −2.270 < 2b.
//!
//! Inputs are SI (µmol/L, g/L) as the formula is defined; convert
//! conventional units with `tm-units` before calling.

use crate::error::{positive, stable, Result};
use crate::units::{GPerL, UmolPerL};
use serde::{Deserialize, Serialize};

/// Albumin coefficient printed by Johnson et al. 2015 (the default).
pub const ALBUMIN_COEF_JOHNSON_2015: f64 = -0.085;
/// Albumin coefficient used by several public implementations (§1.2).
pub const ALBUMIN_COEF_0852: f64 = -0.0852;
/// Bilirubin coefficient (on log10 µmol/L).
pub const BILIRUBIN_COEF: f64 = 0.66;
/// Grade 1 upper bound (inclusive).
pub const GRADE1_MAX: f64 = -2.60;
/// Grade 2 upper bound (inclusive).
pub const GRADE2_MAX: f64 = -1.39;
/// mALBI 2a upper bound (inclusive), UNVERIFIED (Hiraoka 2017).
pub const MALBI_2A_MAX: f64 = -2.270;

/// Sanity upper bound for bilirubin input, µmol/L.
pub const BILIRUBIN_MAX_UMOL_L: f64 = 1000.0;
/// Sanity upper bound for albumin input, g/L.
pub const ALBUMIN_MAX_G_L: f64 = 100.0;

/// ALBI settings; `Default` = Johnson 2015 coefficient, mALBI cut −2.270.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlbiConfig {
    pub albumin_coef: f64,
    pub malbi_2a_max: f64,
}

impl Default for AlbiConfig {
    fn default() -> Self {
        AlbiConfig {
            albumin_coef: ALBUMIN_COEF_JOHNSON_2015,
            malbi_2a_max: MALBI_2A_MAX,
        }
    }
}

/// ALBI grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AlbiGrade {
    #[serde(rename = "1")]
    G1,
    #[serde(rename = "2")]
    G2,
    #[serde(rename = "3")]
    G3,
}

impl AlbiGrade {
    pub fn as_u8(self) -> u8 {
        match self {
            AlbiGrade::G1 => 1,
            AlbiGrade::G2 => 2,
            AlbiGrade::G3 => 3,
        }
    }
}

/// Modified ALBI grade (grade 2 split in 2a / 2b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MalbiGrade {
    #[serde(rename = "1")]
    G1,
    #[serde(rename = "2a")]
    G2a,
    #[serde(rename = "2b")]
    G2b,
    #[serde(rename = "3")]
    G3,
}

impl MalbiGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            MalbiGrade::G1 => "1",
            MalbiGrade::G2a => "2a",
            MalbiGrade::G2b => "2b",
            MalbiGrade::G3 => "3",
        }
    }
}

/// Result of [`albi`], with the two terms so an explanation can show them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Albi {
    pub score: f64,
    pub grade: AlbiGrade,
    pub malbi_grade: MalbiGrade,
    /// `0.66 × log10(bilirubin)`.
    pub bilirubin_term: f64,
    /// `coef × albumin`.
    pub albumin_term: f64,
    /// The albumin coefficient used.
    pub albumin_coef: f64,
}

/// ALBI grade of a score (§1.2); boundaries inclusive on the lower grade.
pub fn albi_grade(score: f64) -> AlbiGrade {
    let s = stable(score);
    if s <= GRADE1_MAX {
        AlbiGrade::G1
    } else if s <= GRADE2_MAX {
        AlbiGrade::G2
    } else {
        AlbiGrade::G3
    }
}

/// mALBI grade of a score (§1.2), with the 2a/2b cut from `cfg`.
pub fn malbi_grade(score: f64, cfg: &AlbiConfig) -> MalbiGrade {
    let s = stable(score);
    match albi_grade(s) {
        AlbiGrade::G1 => MalbiGrade::G1,
        AlbiGrade::G2 if s <= stable(cfg.malbi_2a_max) => MalbiGrade::G2a,
        AlbiGrade::G2 => MalbiGrade::G2b,
        AlbiGrade::G3 => MalbiGrade::G3,
    }
}

/// ALBI score and grade (§1.2). Bilirubin must be > 0 (logarithm): a lab
/// value reported as "< detection limit" is passed as the limit by the caller,
/// who flags it.
pub fn albi(bilirubin: UmolPerL, albumin: GPerL, cfg: &AlbiConfig) -> Result<Albi> {
    let b = positive("bilirubin", bilirubin.0, BILIRUBIN_MAX_UMOL_L)?;
    let a = positive("albumin", albumin.0, ALBUMIN_MAX_G_L)?;
    let bilirubin_term = BILIRUBIN_COEF * b.log10();
    let albumin_term = cfg.albumin_coef * a;
    let score = bilirubin_term + albumin_term;
    Ok(Albi {
        score,
        grade: albi_grade(score),
        malbi_grade: malbi_grade(score, cfg),
        bilirubin_term,
        albumin_term,
        albumin_coef: cfg.albumin_coef,
    })
}
