//! Tumour staging: BCLC 2022 (§1.8 [S9]), Milan and up-to-seven (§1.9 [S25]),
//! tumour burden as % of liver volume (§1.10) — clinical-rules.md.

use crate::child_pugh::ChildPughClass;
use crate::error::{positive, stable, ClinicalError, Result};
use crate::units::{Cm, Ml, Percent};
use serde::{Deserialize, Serialize};

fn diameters(nodules: &[Cm]) -> Result<Vec<f64>> {
    if nodules.is_empty() {
        return Err(ClinicalError::Invalid {
            input: "nodules",
            reason: "at least one nodule is needed".into(),
        });
    }
    nodules
        .iter()
        .map(|d| positive("nodule_diameter", d.0, 100.0).map(stable))
        .collect()
}

// ---------------------------------------------------------------- Milan ----

/// Result of [`milan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milan {
    pub within: bool,
    /// The tumour-size branch alone (single ≤ 5 cm, or 2–3 each ≤ 3 cm).
    pub size_criteria_met: bool,
}

/// Milan criteria (§1.9): single tumour ≤ 5 cm, or 2–3 tumours each ≤ 3 cm;
/// no macrovascular invasion; no extrahepatic spread.
pub fn milan(nodules: &[Cm], macrovascular_invasion: bool, extrahepatic: bool) -> Result<Milan> {
    let d = diameters(nodules)?;
    let size = match d.len() {
        1 => d[0] <= 5.0,
        2 | 3 => d.iter().all(|&x| x <= 3.0),
        _ => false,
    };
    Ok(Milan {
        within: size && !macrovascular_invasion && !extrahepatic,
        size_criteria_met: size,
    })
}

// ---------------------------------------------------------- Up-to-seven ----

/// Result of [`up_to_seven`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UpToSeven {
    /// Largest diameter (cm) + number of tumours.
    pub sum: f64,
    pub largest: Cm,
    pub count: usize,
    /// `sum ≤ 7`. "Beyond up-to-seven" = `!within` (sum > 7).
    pub within: bool,
}

/// Up-to-seven (§1.9): size of the largest tumour (cm) + number of tumours
/// ≤ 7. Vascular invasion (part of the transplant derivation) is not part of
/// this sum; check it separately when the protocol asks.
pub fn up_to_seven(nodules: &[Cm]) -> Result<UpToSeven> {
    let d = diameters(nodules)?;
    let largest = d.iter().copied().fold(0.0, f64::max);
    let sum = stable(largest + d.len() as f64);
    Ok(UpToSeven {
        sum,
        largest: Cm(largest),
        count: d.len(),
        within: sum <= 7.0,
    })
}

// ------------------------------------------------------- Tumour burden ----

/// Tumour burden (§1.10): `Σ tumour volumes / total liver volume × 100`,
/// total liver volume including the tumour.
pub fn tumour_burden(tumour_volume: Ml, total_liver_volume: Ml) -> Result<Percent> {
    let t = crate::error::in_range("tumour_volume", tumour_volume.0, 0.0, 1.0e5)?;
    let l = positive("liver_volume", total_liver_volume.0, 1.0e5)?;
    if t > l {
        return Err(ClinicalError::Invalid {
            input: "tumour_volume",
            reason: format!("tumour volume {t} mL exceeds the total liver volume {l} mL"),
        });
    }
    Ok(Percent(t / l * 100.0))
}

/// Ellipsoid volume estimate (§1.10): `π/6 × d1 × d2 × d3` (1 cm³ = 1 mL).
/// Crude: results built on it must be marked as estimated. For a sphere pass
/// the same diameter three times.
pub fn ellipsoid_volume(d1: Cm, d2: Cm, d3: Cm) -> Result<Ml> {
    let a = positive("diameter", d1.0, 100.0)?;
    let b = positive("diameter", d2.0, 100.0)?;
    let c = positive("diameter", d3.0, 100.0)?;
    Ok(Ml(std::f64::consts::PI / 6.0 * a * b * c))
}

// ---------------------------------------------------------------- BCLC ----

/// A BCLC 2022 stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BclcStage {
    #[serde(rename = "0")]
    VeryEarly,
    A,
    B,
    C,
    D,
}

impl BclcStage {
    /// The stage of a code written by [`BclcStage::as_str`] (a derived
    /// value), `None` for anything else.
    pub fn from_code(code: &str) -> Option<BclcStage> {
        [
            BclcStage::VeryEarly,
            BclcStage::A,
            BclcStage::B,
            BclcStage::C,
            BclcStage::D,
        ]
        .into_iter()
        .find(|s| s.as_str() == code)
    }

    /// Position on the scale: 0, A, B, C, D → 0–4.
    pub fn ordinal(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BclcStage::VeryEarly => "0",
            BclcStage::A => "A",
            BclcStage::B => "B",
            BclcStage::C => "C",
            BclcStage::D => "D",
        }
    }
}

/// BCLC settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BclcConfig {
    /// "Preserved liver function" = Child-Pugh A **without any ascites**
    /// (BCLC 2022 figure footnote; UNVERIFIED in §1.8). Default true; false
    /// means Child-Pugh A alone.
    pub preserved_requires_no_ascites: bool,
    /// Treat an ECOG 1–2 whose cause is not recorded as cancer-related.
    /// Default false: the relation is then a missing input.
    pub assume_ps_cancer_related: bool,
}

impl Default for BclcConfig {
    fn default() -> Self {
        BclcConfig {
            preserved_requires_no_ascites: true,
            assume_ps_cancer_related: false,
        }
    }
}

/// Inputs of [`bclc`]; `None` = not known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BclcInput {
    /// Diameter of each nodule.
    pub nodules: Option<Vec<Cm>>,
    pub macrovascular_invasion: Option<bool>,
    pub extrahepatic_spread: Option<bool>,
    pub child_pugh_class: Option<ChildPughClass>,
    /// Any ascites (including imaging-only).
    pub ascites: Option<bool>,
    pub ecog: Option<u8>,
    /// Whether an ECOG 1–2 is caused by cancer-related symptoms.
    pub ps_cancer_related: Option<bool>,
}

/// Result of [`bclc`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Bclc {
    Staged {
        stage: BclcStage,
        /// The rule that placed the patient.
        reason: String,
    },
    /// Inputs are missing: the stages still possible and what is missing.
    Indeterminate {
        possible: Vec<BclcStage>,
        /// True when "indeterminate (liver function)" is also possible.
        liver_function_unplaced: bool,
        missing: Vec<String>,
    },
    /// Child-Pugh B (or A with ascites) outside stage D: the 2022 figure does
    /// not place it (§1.8, "BCLC indeterminate (liver function)").
    IndeterminateLiverFunction { reason: String },
}

/// Three-valued OR.
fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// BCLC 2022 stage (§1.8) by the deterministic approximation:
/// D if (PS ≥ 3 or end-stage liver function = Child-Pugh C); else liver
/// function not preserved (Child-Pugh B, or A with ascites by default) →
/// indeterminate (liver function); else C if (macrovascular invasion or
/// extrahepatic spread or cancer-related PS 1–2); else 0 if a single nodule
/// ≤ 2 cm; else A if single, or 2–3 nodules all ≤ 3 cm; else B.
///
/// Missing inputs are followed through every branch: when the stage does not
/// depend on them it is still given; otherwise the result lists the stages
/// still possible and exactly which inputs are missing — never a default.
pub fn bclc(input: &BclcInput, cfg: &BclcConfig) -> Result<Bclc> {
    if let Some(e) = input.ecog {
        crate::performance::Ecog::new(e)?;
    }
    let nodules = match &input.nodules {
        Some(n) => Some(diameters(n)?),
        None => None,
    };
    let mut missing: Vec<String> = Vec::new();
    let mut miss = |name: &str| {
        if !missing.iter().any(|m| m == name) {
            missing.push(name.to_string());
        }
    };
    let mut possible: Vec<BclcStage> = Vec::new();
    let mut liver_indeterminate = false;

    // Step D.
    let ps_ge3 = input.ecog.map(|e| e >= 3);
    let cp_c = input.child_pugh_class.map(|c| c == ChildPughClass::C);
    if ps_ge3.is_none() {
        miss("ecog");
    }
    if cp_c.is_none() {
        miss("child_pugh_class");
    }
    match or3(ps_ge3, cp_c) {
        Some(true) => {
            let reason = if ps_ge3 == Some(true) {
                "ECOG ≥ 3"
            } else {
                "end-stage liver function (Child-Pugh C)"
            };
            return Ok(Bclc::Staged {
                stage: BclcStage::D,
                reason: reason.into(),
            });
        }
        None => possible.push(BclcStage::D),
        Some(false) => {}
    }

    // Preserved liver function.
    let preserved = match input.child_pugh_class {
        Some(ChildPughClass::A) if cfg.preserved_requires_no_ascites => match input.ascites {
            Some(a) => Some(!a),
            None => {
                miss("ascites");
                None
            }
        },
        Some(ChildPughClass::A) => Some(true),
        Some(_) => Some(false),
        None => None,
    };
    match preserved {
        Some(false) => {
            if possible.is_empty() {
                return Ok(Bclc::IndeterminateLiverFunction {
                    reason: if input.child_pugh_class == Some(ChildPughClass::A) {
                        "Child-Pugh A with ascites is not preserved liver function in BCLC 2022"
                            .into()
                    } else {
                        "Child-Pugh B is not placed by the BCLC 2022 figure".into()
                    },
                });
            }
            liver_indeterminate = true;
        }
        None => liver_indeterminate = true,
        Some(true) => {}
    }
    if preserved != Some(false) {
        // Step C.
        let ps_12 = input.ecog.map(|e| (1..=2).contains(&e));
        let related = if cfg.assume_ps_cancer_related {
            Some(input.ps_cancer_related.unwrap_or(true))
        } else {
            input.ps_cancer_related
        };
        let ps_c = match ps_12 {
            Some(false) => Some(false),
            Some(true) => {
                if related.is_none() {
                    miss("ps_cancer_related");
                }
                related
            }
            None => None,
        };
        if input.macrovascular_invasion.is_none() {
            miss("macrovascular_invasion");
        }
        if input.extrahepatic_spread.is_none() {
            miss("extrahepatic_spread");
        }
        let c = or3(
            or3(input.macrovascular_invasion, input.extrahepatic_spread),
            ps_c,
        );
        let reach_tumour = match c {
            Some(true) => {
                possible.push(BclcStage::C);
                false
            }
            None => {
                possible.push(BclcStage::C);
                true
            }
            Some(false) => true,
        };
        if reach_tumour {
            match &nodules {
                None => {
                    miss("nodules");
                    possible.extend([BclcStage::VeryEarly, BclcStage::A, BclcStage::B]);
                }
                Some(d) => {
                    let stage = if d.len() == 1 && d[0] <= 2.0 {
                        BclcStage::VeryEarly
                    } else if d.len() == 1 || (d.len() <= 3 && d.iter().all(|&x| x <= 3.0)) {
                        BclcStage::A
                    } else {
                        BclcStage::B
                    };
                    possible.push(stage);
                }
            }
        }
    }

    possible.sort();
    possible.dedup();
    if possible.len() == 1 && !liver_indeterminate {
        let stage = possible[0];
        return Ok(Bclc::Staged {
            stage,
            reason: stage_reason(stage, input),
        });
    }
    Ok(Bclc::Indeterminate {
        possible,
        liver_function_unplaced: liver_indeterminate,
        missing,
    })
}

fn stage_reason(stage: BclcStage, input: &BclcInput) -> String {
    match stage {
        BclcStage::VeryEarly => "single nodule ≤ 2 cm, preserved liver function, ECOG 0".into(),
        BclcStage::A => {
            "single nodule, or 2–3 nodules each ≤ 3 cm; preserved liver function".into()
        }
        BclcStage::B => "multinodular beyond A; preserved liver function".into(),
        BclcStage::C => {
            let mut why = Vec::new();
            if input.macrovascular_invasion == Some(true) {
                why.push("macrovascular invasion");
            }
            if input.extrahepatic_spread == Some(true) {
                why.push("extrahepatic spread");
            }
            if why.is_empty() {
                why.push("cancer-related ECOG 1–2");
            }
            why.join(", ")
        }
        BclcStage::D => "ECOG ≥ 3 or end-stage liver function".into(),
    }
}
