//! CTCAE v5.0 laboratory grading — clinical-rules.md §4 [S4].
//!
//! The thresholds below are our own reviewed table, transcribed from the NCI CTCAE v5.0
//! terms as encoded in pharmaverse/admiral `data-raw/adlb_grading/ncictcaev5.json`
//! (also shipped as `atoxgr_criteria_ctcv5`), checked against the §4 table. They are data
//! in code ([`TERMS`]); nothing is read from disk at run time.
//!
//! Rules (§4 "Implementation rules"):
//! 1. **Baseline-dependent** (bilirubin, ALT, AST, ALP, GGT): a baseline above the ULN
//!    grades against multiples of the baseline value instead of the ULN. Grade-1 floor:
//!    bilirubin above 1.0 × baseline; ALT/AST at least 1.5 × baseline; ALP/GGT at least
//!    2.0 × baseline. (admiral's v5 code is strict for GGT's 2.0 × floor; the CTCAE text
//!    "2.0 – 2.5 × baseline" and §4 are inclusive, which we follow.)
//! 2. **Creatinine**: the worse of the ULN-based and the baseline-based grade; grade 4 is
//!    ULN-based only.
//! 3. **INR**: grade 1 is the absolute > 1.2 (not the lab ULN). "× baseline" only applies to
//!    anticoagulated patients: with `anticoagulated == None` we grade on the absolute
//!    values and flag when anticoagulation would give a higher grade.
//! 4. Grade 1 of a "< LLN" / "> ULN" term needs the lab's LLN/ULN; without it grade 1 is not
//!    assigned (the result is "not graded", never a silent default). Grades defined by
//!    absolute values are still assigned.
//! 5. Values are converted to one unit per term with `tm-units` (the only place factors
//!    live) and compared at 8 significant digits, like admiral's `signif(x, 8)`.
//!
//! Clinical-only criteria ("life-threatening", "transfusion indicated", "symptomatic",
//! "hospitalization indicated") cannot be read from a lab value: the lab grade is then a
//! lower bound and [`LabGrade::clinical_context`] says what could raise it. Hyponatremia
//! 125–129 mmol/L is grade 2 if asymptomatic and 3 if symptomatic: we report 2 and flag it
//! (admiral assigns 3, the worst case).
//!
//! Where v5 differs from v4 (the ADLB oracle of pharmaverse uses v4): the baseline rule of
//! rule 1 is new in v5 (v4 always used the ULN); v5 hypoalbuminemia, cytopenias and
//! creatinine thresholds are unchanged, v5 creatinine adds the baseline criterion, v5
//! dropped hypophosphatemia and hypo/hyperglycemia lab grades except hypoglycemia.

use serde::{Deserialize, Serialize};
use tm_model::Quantity;

/// A CTCAE v5.0 laboratory term we grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabTerm {
    Anemia,
    WhiteBloodCellDecreased,
    NeutrophilCountDecreased,
    LymphocyteCountDecreased,
    PlateletCountDecreased,
    BloodBilirubinIncreased,
    AlanineAminotransferaseIncreased,
    AspartateAminotransferaseIncreased,
    AlkalinePhosphataseIncreased,
    GgtIncreased,
    CreatinineIncreased,
    Hypoalbuminemia,
    InrIncreased,
    ApttProlonged,
    CpkIncreased,
    Hyperkalemia,
    Hypokalemia,
    Hypernatremia,
    Hyponatremia,
    Hypercalcemia,
    Hypocalcemia,
    Hypoglycemia,
    CholesterolHigh,
}

/// Which way the term deviates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Hypo / decreased.
    Low,
    /// Hyper / increased.
    High,
}

/// What the grade was measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Absolute thresholds (and the LLN/ULN for grade 1).
    Absolute,
    /// Multiples of the ULN (baseline normal or not baseline-dependent).
    Uln,
    /// Multiples of an abnormal baseline (rule 1) or the baseline criterion won (rule 2/3).
    Baseline,
}

/// How a term is graded. Thresholds are in the term's unit; `g4: None` = no lab grade 4.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Grade 1 `< LLN`; grade k when `value < gk` (absolute).
    LowAbsolute { g2: f64, g3: f64, g4: Option<f64> },
    /// Grade 1 `> ULN`; grade k when `value > gk` (absolute).
    HighAbsolute { g2: f64, g3: f64, g4: Option<f64> },
    /// Grade 1 `> ULN`; grade k when `value > gk × ULN`.
    UlnMultiple { g2: f64, g3: f64, g4: Option<f64> },
    /// Rule 1: multiples of the ULN, or of the baseline when baseline > ULN;
    /// `g1_baseline` is the grade-1 floor × baseline, `g1_inclusive` whether it is ≥.
    BaselineDependent {
        g1_baseline: f64,
        g1_inclusive: bool,
        g2: f64,
        g3: f64,
        g4: f64,
    },
    /// Rule 2 (creatinine).
    Creatinine,
    /// Rule 3 (INR).
    Inr,
    /// Hypokalemia: `< LLN – 3.0` is grade 1 (grade 2 if symptomatic), `< 3.0` grade 3,
    /// `< 2.5` grade 4.
    Hypokalemia,
    /// Hyponatremia: `< LLN – 130` grade 1; `125–129` grade 2 (3 if symptomatic);
    /// `120–124` grade 3; `< 120` grade 4.
    Hyponatremia,
}

/// One row of the criteria table.
#[derive(Debug, Clone, Copy)]
pub struct TermSpec {
    pub term: LabTerm,
    /// CTCAE v5.0 term name.
    pub name: &'static str,
    pub direction: Direction,
    /// UCUM unit the thresholds are in.
    pub unit: &'static str,
    /// `tm-units` concept id (enables analyte-specific conversions).
    pub concept: &'static str,
    pub rule: Rule,
    /// Clinical criteria a lab value cannot show: (from this lab grade on, text).
    pub context: Option<(u8, &'static str)>,
    /// Always-attached caveat.
    pub note: Option<&'static str>,
}

const LIFE: &str = "grade 4 if life-threatening consequences / urgent intervention indicated";
const ELECTROLYTE: &str =
    "higher grade if symptomatic / intervention initiated (2), hospitalization indicated (3), \
     life-threatening consequences (4)";

/// The reviewed CTCAE v5.0 lab criteria (§4; [S4] admiral ncictcaev5).
pub const TERMS: &[TermSpec] = &[
    TermSpec {
        term: LabTerm::Anemia,
        name: "Anemia",
        direction: Direction::Low,
        unit: "g/L",
        concept: "hemoglobin",
        rule: Rule::LowAbsolute { g2: 100.0, g3: 80.0, g4: None },
        context: Some((
            1,
            "grade 3 if transfusion indicated; grade 4 if life-threatening consequences / urgent intervention indicated",
        )),
        note: None,
    },
    TermSpec {
        term: LabTerm::WhiteBloodCellDecreased,
        name: "White blood cell decreased",
        direction: Direction::Low,
        unit: "10*9/L",
        concept: "wbc",
        rule: Rule::LowAbsolute { g2: 3.0, g3: 2.0, g4: Some(1.0) },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::NeutrophilCountDecreased,
        name: "Neutrophil count decreased",
        direction: Direction::Low,
        unit: "10*9/L",
        concept: "neutrophils",
        rule: Rule::LowAbsolute { g2: 1.5, g3: 1.0, g4: Some(0.5) },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::LymphocyteCountDecreased,
        name: "Lymphocyte count decreased",
        direction: Direction::Low,
        unit: "10*9/L",
        concept: "lymphocytes",
        rule: Rule::LowAbsolute { g2: 0.8, g3: 0.5, g4: Some(0.2) },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::PlateletCountDecreased,
        name: "Platelet count decreased",
        direction: Direction::Low,
        unit: "10*9/L",
        concept: "platelets",
        rule: Rule::LowAbsolute { g2: 75.0, g3: 50.0, g4: Some(25.0) },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::BloodBilirubinIncreased,
        name: "Blood bilirubin increased",
        direction: Direction::High,
        unit: "umol/L",
        concept: "total_bilirubin",
        rule: Rule::BaselineDependent {
            g1_baseline: 1.0,
            g1_inclusive: false,
            g2: 1.5,
            g3: 3.0,
            g4: 10.0,
        },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::AlanineAminotransferaseIncreased,
        name: "Alanine aminotransferase increased",
        direction: Direction::High,
        unit: "U/L",
        concept: "alt",
        rule: Rule::BaselineDependent {
            g1_baseline: 1.5,
            g1_inclusive: true,
            g2: 3.0,
            g3: 5.0,
            g4: 20.0,
        },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::AspartateAminotransferaseIncreased,
        name: "Aspartate aminotransferase increased",
        direction: Direction::High,
        unit: "U/L",
        concept: "ast",
        rule: Rule::BaselineDependent {
            g1_baseline: 1.5,
            g1_inclusive: true,
            g2: 3.0,
            g3: 5.0,
            g4: 20.0,
        },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::AlkalinePhosphataseIncreased,
        name: "Alkaline phosphatase increased",
        direction: Direction::High,
        unit: "U/L",
        concept: "alp",
        rule: Rule::BaselineDependent {
            g1_baseline: 2.0,
            g1_inclusive: true,
            g2: 2.5,
            g3: 5.0,
            g4: 20.0,
        },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::GgtIncreased,
        name: "GGT increased",
        direction: Direction::High,
        unit: "U/L",
        concept: "ggt",
        rule: Rule::BaselineDependent {
            g1_baseline: 2.0,
            g1_inclusive: true,
            g2: 2.5,
            g3: 5.0,
            g4: 20.0,
        },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::CreatinineIncreased,
        name: "Creatinine increased",
        direction: Direction::High,
        unit: "umol/L",
        concept: "creatinine",
        rule: Rule::Creatinine,
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::Hypoalbuminemia,
        name: "Hypoalbuminemia",
        direction: Direction::Low,
        unit: "g/L",
        concept: "albumin",
        rule: Rule::LowAbsolute { g2: 30.0, g3: 20.0, g4: None },
        context: Some((3, LIFE)),
        note: None,
    },
    TermSpec {
        term: LabTerm::InrIncreased,
        name: "INR increased",
        direction: Direction::High,
        unit: "{INR}",
        concept: "inr",
        rule: Rule::Inr,
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::ApttProlonged,
        name: "Activated partial thromboplastin time prolonged",
        direction: Direction::High,
        unit: "s",
        concept: "aptt",
        rule: Rule::UlnMultiple { g2: 1.5, g3: 2.5, g4: None },
        context: Some((1, "grade 3 if bleeding")),
        note: None,
    },
    TermSpec {
        term: LabTerm::CpkIncreased,
        name: "CPK increased",
        direction: Direction::High,
        unit: "U/L",
        concept: "ck",
        rule: Rule::UlnMultiple { g2: 2.5, g3: 5.0, g4: Some(10.0) },
        context: None,
        note: None,
    },
    TermSpec {
        term: LabTerm::Hyperkalemia,
        name: "Hyperkalemia",
        direction: Direction::High,
        unit: "mmol/L",
        concept: "potassium",
        rule: Rule::HighAbsolute { g2: 5.5, g3: 6.0, g4: Some(7.0) },
        context: Some((1, ELECTROLYTE)),
        note: None,
    },
    TermSpec {
        term: LabTerm::Hypokalemia,
        name: "Hypokalemia",
        direction: Direction::Low,
        unit: "mmol/L",
        concept: "potassium",
        rule: Rule::Hypokalemia,
        context: Some((1, ELECTROLYTE)),
        note: None,
    },
    TermSpec {
        term: LabTerm::Hypernatremia,
        name: "Hypernatremia",
        direction: Direction::High,
        unit: "mmol/L",
        concept: "sodium",
        rule: Rule::HighAbsolute { g2: 150.0, g3: 155.0, g4: Some(160.0) },
        context: Some((1, ELECTROLYTE)),
        note: None,
    },
    TermSpec {
        term: LabTerm::Hyponatremia,
        name: "Hyponatremia",
        direction: Direction::Low,
        unit: "mmol/L",
        concept: "sodium",
        rule: Rule::Hyponatremia,
        context: Some((1, LIFE)),
        note: None,
    },
    TermSpec {
        term: LabTerm::Hypercalcemia,
        name: "Hypercalcemia",
        direction: Direction::High,
        unit: "mmol/L",
        concept: "calcium",
        rule: Rule::HighAbsolute { g2: 2.9, g3: 3.1, g4: Some(3.4) },
        context: Some((1, ELECTROLYTE)),
        note: Some("CTCAE grades corrected serum calcium; graded on the calcium value given"),
    },
    TermSpec {
        term: LabTerm::Hypocalcemia,
        name: "Hypocalcemia",
        direction: Direction::Low,
        unit: "mmol/L",
        concept: "calcium",
        rule: Rule::LowAbsolute { g2: 2.0, g3: 1.75, g4: Some(1.5) },
        context: Some((1, ELECTROLYTE)),
        note: Some("CTCAE grades corrected serum calcium; graded on the calcium value given"),
    },
    TermSpec {
        term: LabTerm::Hypoglycemia,
        name: "Hypoglycemia",
        direction: Direction::Low,
        unit: "mmol/L",
        concept: "glucose",
        rule: Rule::LowAbsolute { g2: 3.0, g3: 2.2, g4: Some(1.7) },
        context: Some((1, "grade 4 if life-threatening consequences or seizures")),
        note: None,
    },
    TermSpec {
        term: LabTerm::CholesterolHigh,
        name: "Cholesterol high",
        direction: Direction::High,
        unit: "mmol/L",
        concept: "cholesterol",
        rule: Rule::HighAbsolute { g2: 7.75, g3: 10.34, g4: Some(12.92) },
        context: None,
        note: None,
    },
];

/// The criteria row of a term.
pub fn spec(term: LabTerm) -> &'static TermSpec {
    // TERMS lists every LabTerm exactly once (tested).
    TERMS.iter().find(|s| s.term == term).unwrap_or(&TERMS[0])
}

/// CTCAE terms graded from an SDTM `LBTESTCD` (CDISC controlled terminology codes).
pub fn terms_for_lbtestcd(code: &str) -> &'static [LabTerm] {
    use LabTerm::*;
    match code.trim().to_ascii_uppercase().as_str() {
        "HGB" => &[Anemia],
        "WBC" => &[WhiteBloodCellDecreased],
        "NEUT" | "ANC" => &[NeutrophilCountDecreased],
        "LYM" | "LYMPH" => &[LymphocyteCountDecreased],
        "PLAT" => &[PlateletCountDecreased],
        "BILI" => &[BloodBilirubinIncreased],
        "ALT" => &[AlanineAminotransferaseIncreased],
        "AST" => &[AspartateAminotransferaseIncreased],
        "ALP" | "ALKPH" => &[AlkalinePhosphataseIncreased],
        "GGT" => &[GgtIncreased],
        "CREAT" => &[CreatinineIncreased],
        "ALB" => &[Hypoalbuminemia],
        "INR" => &[InrIncreased],
        "APTT" => &[ApttProlonged],
        "CK" => &[CpkIncreased],
        "K" | "POTAS" => &[Hyperkalemia, Hypokalemia],
        "SODIUM" | "NA" => &[Hypernatremia, Hyponatremia],
        "CA" => &[Hypercalcemia, Hypocalcemia],
        "GLUC" => &[Hypoglycemia],
        "CHOL" | "CHOLES" => &[CholesterolHigh],
        _ => &[],
    }
}

/// One lab result to grade. `lln`/`uln` are in the unit of `value`; `baseline` may be in any
/// unit convertible to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabObservation {
    pub value: Quantity,
    pub lln: Option<f64>,
    pub uln: Option<f64>,
    pub baseline: Option<Quantity>,
    /// ULN that applied to the baseline sample (for "baseline abnormal"); defaults to `uln`.
    pub baseline_uln: Option<f64>,
    /// Whether the patient is on anticoagulation (INR rule 3); `None` = unknown.
    pub anticoagulated: Option<bool>,
}

impl LabObservation {
    /// A value with its reference range and nothing else.
    pub fn new(value: f64, unit: &str, lln: Option<f64>, uln: Option<f64>) -> Self {
        LabObservation {
            value: Quantity::new(value, unit),
            lln,
            uln,
            baseline: None,
            baseline_uln: None,
            anticoagulated: None,
        }
    }

    /// Adds a baseline value in the same unit.
    pub fn with_baseline(mut self, baseline: f64) -> Self {
        self.baseline = Some(Quantity::new(baseline, self.value.unit.clone()));
        self
    }
}

/// The grade of one lab result for one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabGrade {
    pub term: LabTerm,
    pub direction: Direction,
    /// 0–4 from the lab value alone; `None` = cannot be graded (see `not_graded`).
    pub grade: Option<u8>,
    pub basis: Basis,
    /// When set, `grade` is a lower bound: this clinical information may raise it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinical_context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_graded: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Rounds to 8 significant digits before comparing (rule 5, admiral `signif(x, 8)`).
pub fn signif8(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(7 - mag);
    let r = (x * scale).round() / scale;
    if r.is_finite() {
        r
    } else {
        x
    }
}

fn lt(a: f64, b: f64) -> bool {
    signif8(a) < signif8(b)
}
fn gt(a: f64, b: f64) -> bool {
    signif8(a) > signif8(b)
}
fn ge(a: f64, b: f64) -> bool {
    signif8(a) >= signif8(b)
}

/// Converts `v` (in `unit`) to the term's unit; the reference limits share `unit`.
fn to_term_unit(v: f64, unit: &str, s: &TermSpec) -> Result<f64, String> {
    if !v.is_finite() {
        return Err("value is not a finite number".into());
    }
    if unit == s.unit {
        return Ok(v);
    }
    tm_units::convert(&Quantity::new(v, unit), s.unit, Some(s.concept))
        .map(|q| q.value)
        .map_err(|e| format!("cannot convert {unit} to {}: {e}", s.unit))
}

/// Grades one observation for one term (§4).
pub fn grade(term: LabTerm, obs: &LabObservation) -> LabGrade {
    let s = spec(term);
    let mut out = LabGrade {
        term,
        direction: s.direction,
        grade: None,
        basis: Basis::Absolute,
        clinical_context: None,
        not_graded: None,
        notes: s.note.map(|n| vec![n.to_string()]).unwrap_or_default(),
    };
    let unit = obs.value.unit.as_str();
    let conv = |x: f64| to_term_unit(x, unit, s);
    let value = match conv(obs.value.value) {
        Ok(v) => v,
        Err(e) => {
            out.not_graded = Some(e);
            return out;
        }
    };
    let lln = obs.lln.and_then(|x| conv(x).ok());
    let uln = obs.uln.and_then(|x| conv(x).ok());
    let baseline = match &obs.baseline {
        Some(b) => match to_term_unit(b.value, &b.unit, s) {
            Ok(v) => Some(v),
            Err(e) => {
                out.notes.push(format!("baseline ignored: {e}"));
                None
            }
        },
        None => None,
    };
    let baseline_uln = obs.baseline_uln.and_then(|x| conv(x).ok()).or(uln);
    let result: Result<(u8, Basis), String> = match s.rule {
        Rule::LowAbsolute { g2, g3, g4 } => absolute_grade(
            value,
            lt,
            &[(4, g4), (3, Some(g3)), (2, Some(g2))],
            lln,
            "LLN",
        ),
        Rule::HighAbsolute { g2, g3, g4 } => absolute_grade(
            value,
            gt,
            &[(4, g4), (3, Some(g3)), (2, Some(g2))],
            uln,
            "ULN",
        ),
        Rule::UlnMultiple { g2, g3, g4 } => match uln {
            None => Err("graded in multiples of the ULN, which is missing".into()),
            Some(u) => Ok((multiples(value, u, 1.0, false, g2, g3, g4), Basis::Uln)),
        },
        Rule::BaselineDependent {
            g1_baseline,
            g1_inclusive,
            g2,
            g3,
            g4,
        } => match uln {
            None => Err("graded in multiples of the ULN, which is missing".into()),
            Some(u) => match (baseline, baseline_uln) {
                (Some(b), Some(bu)) if gt(b, bu) => Ok((
                    multiples(value, b, g1_baseline, g1_inclusive, g2, g3, Some(g4)),
                    Basis::Baseline,
                )),
                (b, _) => {
                    if b.is_none() {
                        out.notes
                            .push("no baseline: graded as if baseline were normal (× ULN)".into());
                    }
                    Ok((
                        multiples(value, u, 1.0, false, g2, g3, Some(g4)),
                        Basis::Uln,
                    ))
                }
            },
        },
        Rule::Creatinine => {
            let by_uln = uln.map(|u| multiples(value, u, 1.0, false, 1.5, 3.0, Some(6.0)));
            let by_base = baseline.map(|b| {
                if gt(value, 3.0 * b) {
                    3
                } else if gt(value, 1.5 * b) {
                    2
                } else {
                    0
                }
            });
            match (by_uln, by_base) {
                (Some(a), Some(b)) if b > a => Ok((b, Basis::Baseline)),
                (Some(a), _) => Ok((a, Basis::Uln)),
                (None, Some(b)) if b > 0 => {
                    out.notes
                        .push("ULN missing: baseline criterion only (grades 2–3)".into());
                    Ok((b, Basis::Baseline))
                }
                _ => Err("grade needs the ULN (or a baseline for grades 2–3)".into()),
            }
        }
        Rule::Inr => {
            let abs = if gt(value, 2.5) {
                3
            } else if gt(value, 1.5) {
                2
            } else if gt(value, 1.2) {
                1
            } else {
                0
            };
            let by_base = baseline.map(|b| multiples(value, b, 1.0, false, 1.5, 2.5, None));
            match (obs.anticoagulated, by_base) {
                (Some(true), Some(b)) if b > abs => Ok((b, Basis::Baseline)),
                (Some(true), None) => {
                    out.notes
                        .push("anticoagulated but no baseline: graded on absolute INR only".into());
                    Ok((abs, Basis::Absolute))
                }
                (None, Some(b)) if b > abs => {
                    out.clinical_context = Some(format!(
                        "grade {b} if on anticoagulation (× baseline criterion)"
                    ));
                    Ok((abs, Basis::Absolute))
                }
                _ => Ok((abs, Basis::Absolute)),
            }
        }
        Rule::Hypokalemia => {
            absolute_grade(value, lt, &[(4, Some(2.5)), (3, Some(3.0))], lln, "LLN")
        }
        Rule::Hyponatremia => {
            let g = absolute_grade(
                value,
                lt,
                &[(4, Some(120.0)), (3, Some(125.0)), (2, Some(130.0))],
                lln,
                "LLN",
            );
            if matches!(g, Ok((2, _))) {
                out.clinical_context =
                    Some("125–129 mmol/L: grade 3 if symptomatic, grade 2 if asymptomatic".into());
            }
            g
        }
    };
    match result {
        Ok((g, basis)) => {
            out.grade = Some(g);
            out.basis = basis;
            if out.clinical_context.is_none() {
                if let Some((from, text)) = s.context {
                    let max = match s.rule {
                        Rule::LowAbsolute { g4: None, .. } => 4,
                        Rule::UlnMultiple { g4: None, .. } => 3,
                        _ => 4,
                    };
                    if g >= from && g < max {
                        out.clinical_context = Some(text.to_string());
                    }
                }
            }
        }
        Err(e) => out.not_graded = Some(e),
    }
    out
}

/// Absolute threshold ladder in one direction (§4): the first grade (listed from 4 down) whose
/// threshold `value` is worse than (`worse` = [`lt`] for low-direction terms, [`gt`] for high;
/// `None` = the term has no such grade), else grade 1 when worse than the lab's normal limit
/// (`limit`, the LLN or ULN named by `limit_name`; grading needs it), else grade 0.
fn absolute_grade(
    value: f64,
    worse: fn(f64, f64) -> bool,
    thresholds: &[(u8, Option<f64>)],
    limit: Option<f64>,
    limit_name: &str,
) -> Result<(u8, Basis), String> {
    if let Some(&(g, _)) = thresholds
        .iter()
        .find(|(_, t)| t.is_some_and(|t| worse(value, t)))
    {
        return Ok((g, Basis::Absolute));
    }
    match limit {
        None => Err(format!(
            "grade 1 needs the lab's {limit_name}, which is missing"
        )),
        Some(l) if worse(value, l) => Ok((1, Basis::Absolute)),
        Some(_) => Ok((0, Basis::Absolute)),
    }
}

/// Grade by multiples of a reference `r` (ULN or baseline): grade 1 when
/// `value > g1 × r` (or `≥` with `g1_inclusive`), grade k when `value > gk × r`.
fn multiples(
    value: f64,
    r: f64,
    g1: f64,
    g1_inclusive: bool,
    g2: f64,
    g3: f64,
    g4: Option<f64>,
) -> u8 {
    if g4.is_some_and(|m| gt(value, m * r)) {
        4
    } else if gt(value, g3 * r) {
        3
    } else if gt(value, g2 * r) {
        2
    } else if (g1_inclusive && ge(value, g1 * r)) || (!g1_inclusive && gt(value, g1 * r)) {
        1
    } else {
        0
    }
}

/// Grades an observation for every term its `LBTESTCD` maps to (both directions).
pub fn grade_lbtestcd(code: &str, obs: &LabObservation) -> Vec<LabGrade> {
    terms_for_lbtestcd(code)
        .iter()
        .map(|&t| grade(t, obs))
        .collect()
}
