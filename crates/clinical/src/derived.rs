//! Derived values on a patient, as of an index date.
//!
//! [`derive`] computes every score a criterion may ask for (Child-Pugh, ALBI,
//! MELD, MELD-Na, Cockcroft-Gault, CKD-EPI 2021, BMI, BSA, BCLC, lung dose,
//! up-to-seven, Milan, tumour burden) from the newest **usable** inputs
//! (no blocking flag, see `tm_model::patient::Observation::is_usable`) dated
//! on or before the index date and within a recency window
//! ([`DeriveConfig`]). Each [`DerivedValue`] records its inputs (concept,
//! value, unit, date, source resource id, points), the formula and a one-line
//! explanation. A missing input gives `value: null` with the exact list of
//! what is missing — never a default.
//!
//! JSON shape (docs/contracts.md, "Derived values"): an object keyed by
//! [`Derived::KEYS`], each `{"value", "inputs", "missing", "formula", …}`.
//!
//! Design choices (all in [`DeriveConfig`], documented defaults):
//! - Recency windows: labs 28 days; ECOG/Karnofsky 28 days; weight 90 days;
//!   height 3660 days; ascites/encephalopathy observations 90 days (active
//!   conditions count whatever their onset); imaging facts (lesions, PVTT,
//!   extrahepatic spread, volumes, tumour burden) 90 days; MAA lung shunt
//!   fraction and planned activity 90 days. Undated observations are never
//!   used (they cannot be placed in a window).
//! - ALBI coefficient −0.085 (Johnson 2015; see [`crate::albi`]).
//! - Cockcroft-Gault on actual body weight (see [`crate::renal`]).
//! - Dosimetry coefficient 49.67 Gy·kg/GBq, lung mass 1 kg (§6.3).
//! - A value reported with a comparator (`< 3 umol/L`) is used at its limit
//!   and the input records the comparator (§1.2).
//! - MELD dialysis rule: ≥ 2 `dialysis` procedures, or any `cvvhd`
//!   procedure, in the 7 days up to the index date. A record without dialysis
//!   procedures counts as no dialysis (the input shows the count).

use crate::albi::{albi, AlbiConfig};
use crate::body::{bmi, bsa_dubois, bsa_mosteller};
use crate::child_pugh::{
    child_pugh, Ascites, BilirubinScale, ChildPughClass, ChildPughInput, Coagulation,
    Encephalopathy, IacMapping,
};
use crate::meld::{meld, meld_na, MeldInput};
use crate::performance::{kps_to_ecog, Kps};
use crate::renal::{ckd_epi_2021, cockcroft_gault, CgInput, CgStature, CgWeightBasis};
use crate::staging::{bclc, milan, tumour_burden, up_to_seven, Bclc, BclcConfig, BclcInput};
use crate::units::{
    Cm, GPerDl, GPerL, Gbq, Inches, Inr, Kg, KgPerM2, MgPerDl, Ml, MmolPerL, Percent, Seconds, Sex,
    UmolPerL, Years,
};
use crate::y90::{lung_dose, DosimetryConfig, LUNG_MASS_CONVENTION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tm_model::patient::{Grade, ObsValue, Observation, Patient, Sex as PatientSex};
use tm_model::{Date, Quantity};

/// Concept ids read by [`derive`]. They are lexicon concept ids
/// (`tm_lexicon`); the lab ids match `tm_units::ANALYTE_BRIDGES`.
pub mod concepts {
    pub const TOTAL_BILIRUBIN: &str = "total_bilirubin";
    pub const ALBUMIN: &str = "albumin";
    pub const INR: &str = "inr";
    /// PT prolongation in seconds over control (Child-Pugh PT variant),
    /// used only when no INR is available. Not a lexicon concept yet: the
    /// lexicon's `pt` is the raw PT, and the control PT is not recorded, so
    /// the raw PT is never turned into a prolongation.
    pub const PT_PROLONGATION: &str = "pt_prolongation";
    pub const CREATININE: &str = "creatinine";
    pub const SODIUM: &str = "sodium";
    pub const BODY_WEIGHT: &str = "weight";
    pub const BODY_HEIGHT: &str = "height";
    pub const ECOG: &str = "ecog";
    pub const KARNOFSKY: &str = "karnofsky";
    /// Observation (grade / text / boolean) or Condition (severity).
    pub const ASCITES: &str = "ascites";
    /// Observation (West Haven grade / text / boolean) or Condition.
    pub const HEPATIC_ENCEPHALOPATHY: &str = "hepatic_encephalopathy";
    /// Medications that suppress encephalopathy (§8: "suppressed with
    /// medication" = 2 points).
    pub const HE_MEDICATIONS: &[&str] = &["lactulose", "rifaximin"];
    /// Renal replacement therapy procedures (dialysis, haemodialysis,
    /// CVVHD); CVVHD is recognised by "cvvh" / "continuous veno" in the text.
    pub const DIALYSIS: &str = "renal_replacement_therapy";
    pub const LUNG_SHUNT_FRACTION: &str = "lung_shunt_fraction";
    pub const Y90_PLANNED_ACTIVITY: &str = "planned_y90_activity";
    pub const TUMOUR_BURDEN: &str = "tumour_burden_pct";
    pub const TUMOUR_VOLUME: &str = "tumour_volume";
    pub const LIVER_VOLUME: &str = "liver_volume";
    pub const EXTRAHEPATIC_SPREAD: &str = "extrahepatic_spread";
    /// A clinician-recorded Child-Pugh class (A/B/C) or score (5–15), used
    /// by BCLC only when Child-Pugh cannot be computed.
    pub const CHILD_PUGH_CLASS_RECORDED: &str = "child_pugh_class";
    pub const CHILD_PUGH_SCORE_RECORDED: &str = "child_pugh_score";
    /// Pseudo-concepts for inputs that are not observations.
    pub const AGE: &str = "age";
    pub const SEX: &str = "sex";
    pub const LESIONS: &str = "lesions";
    pub const MACROVASCULAR_INVASION: &str = "macrovascular_invasion";
    pub const PS_CANCER_RELATED: &str = "ps_cancer_related";
}

use concepts as c;

/// Settings of [`derive`]. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeriveConfig {
    /// Labs (bilirubin, albumin, INR, PT, creatinine, sodium). Default 28 d.
    pub lab_window_days: i32,
    /// ECOG / Karnofsky. Default 28 d.
    pub performance_window_days: i32,
    /// Body weight. Default 90 d.
    pub weight_window_days: i32,
    /// Body height. Default 3660 d (adult height is stable).
    pub height_window_days: i32,
    /// Ascites / encephalopathy observations. Default 90 d.
    pub clinical_window_days: i32,
    /// Lesions, vascular invasion, extrahepatic spread, volumes, tumour
    /// burden. Default 90 d.
    pub imaging_window_days: i32,
    /// MAA lung shunt fraction, planned Y-90 activity. Default 90 d.
    pub dosimetry_window_days: i32,
    pub albi: AlbiConfig,
    pub cg_weight: CgWeightBasis,
    pub iac: IacMapping,
    pub bclc: BclcConfig,
    pub dosimetry: DosimetryConfig,
    pub bilirubin_scale: BilirubinScale,
}

impl Default for DeriveConfig {
    fn default() -> Self {
        DeriveConfig {
            lab_window_days: 28,
            performance_window_days: 28,
            weight_window_days: 90,
            height_window_days: 3660,
            clinical_window_days: 90,
            imaging_window_days: 90,
            dosimetry_window_days: 90,
            albi: AlbiConfig::default(),
            cg_weight: CgWeightBasis::Actual,
            iac: IacMapping::default(),
            bclc: BclcConfig::default(),
            dosimetry: DosimetryConfig::default(),
            bilirubin_scale: BilirubinScale::Standard,
        }
    }
}

/// A JSON scalar or list (`number | string | bool | [...]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Text(String),
    List(Vec<Value>),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{}", round_display(*n)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => write!(f, "{s}"),
            Value::List(l) => {
                let parts: Vec<String> = l.iter().map(|v| v.to_string()).collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

fn round_display(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One input of a derived value, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedInput {
    /// Role in the formula (`bilirubin`, `albumin`, `weight` …).
    pub name: String,
    /// Concept id (see [`concepts`]).
    pub concept: String,
    /// The value used, in `unit`.
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The value as reported, when it was converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<Quantity>,
    /// `<`, `<=`, `>=`, `>`: the value is a limit, used as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    #[serde(default)]
    pub date: Option<Date>,
    /// Source resource id (`Observation/abc`, `Patient/p1`).
    #[serde(default)]
    pub source: String,
    /// Points this input contributed (scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u8>,
}

/// A derived value: `value` is `null` exactly when it could not be computed
/// (`missing` lists the missing inputs, or `error` says why the inputs were
/// refused). Composites add their parts (flattened into the object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedValue {
    pub value: Option<Value>,
    pub inputs: Vec<DerivedInput>,
    pub missing: Vec<String>,
    pub formula: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// One line for people: `Child-Pugh 8 (B) = bilirubin 2 + albumin 2 + …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Why inputs were not used (too old, flagged, unconvertible …) and
    /// choices made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A calculator refused the inputs (out of range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Composite parts: `points`, `class` (child_pugh), `score`, `grade`
    /// (albi) …
    #[serde(flatten)]
    pub parts: BTreeMap<String, Value>,
}

impl DerivedValue {
    fn new(formula: &str) -> DerivedValue {
        DerivedValue {
            value: None,
            inputs: Vec::new(),
            missing: Vec::new(),
            formula: formula.to_string(),
            unit: None,
            explanation: None,
            notes: Vec::new(),
            error: None,
            parts: BTreeMap::new(),
        }
    }
    pub fn is_computed(&self) -> bool {
        self.value.is_some()
    }
    pub fn number(&self) -> Option<f64> {
        self.value.as_ref().and_then(Value::as_f64)
    }
    /// A part of a composite (`points`, `class`, `score`, `grade` …).
    pub fn part(&self, name: &str) -> Option<&Value> {
        self.parts.get(name)
    }
    /// The input with role `name`.
    pub fn input(&self, name: &str) -> Option<&DerivedInput> {
        self.inputs.iter().find(|i| i.name == name)
    }
}

/// All derived values of a patient. Serialises as an object keyed by
/// [`Derived::KEYS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    pub child_pugh: DerivedValue,
    pub albi: DerivedValue,
    pub meld: DerivedValue,
    pub meld_na: DerivedValue,
    pub crcl_cockcroft_gault: DerivedValue,
    pub egfr_ckd_epi_2021: DerivedValue,
    pub bmi: DerivedValue,
    pub bsa_mosteller: DerivedValue,
    pub bsa_dubois: DerivedValue,
    pub bclc: DerivedValue,
    pub lung_dose_gy: DerivedValue,
    pub up_to_seven: DerivedValue,
    pub milan: DerivedValue,
    pub tumour_burden_pct: DerivedValue,
}

impl Derived {
    /// The keys, in display order.
    pub const KEYS: [&'static str; 14] = [
        "child_pugh",
        "albi",
        "meld",
        "meld_na",
        "crcl_cockcroft_gault",
        "egfr_ckd_epi_2021",
        "bmi",
        "bsa_mosteller",
        "bsa_dubois",
        "bclc",
        "lung_dose_gy",
        "up_to_seven",
        "milan",
        "tumour_burden_pct",
    ];

    /// (key, value) pairs in display order.
    pub fn entries(&self) -> [(&'static str, &DerivedValue); 14] {
        [
            ("child_pugh", &self.child_pugh),
            ("albi", &self.albi),
            ("meld", &self.meld),
            ("meld_na", &self.meld_na),
            ("crcl_cockcroft_gault", &self.crcl_cockcroft_gault),
            ("egfr_ckd_epi_2021", &self.egfr_ckd_epi_2021),
            ("bmi", &self.bmi),
            ("bsa_mosteller", &self.bsa_mosteller),
            ("bsa_dubois", &self.bsa_dubois),
            ("bclc", &self.bclc),
            ("lung_dose_gy", &self.lung_dose_gy),
            ("up_to_seven", &self.up_to_seven),
            ("milan", &self.milan),
            ("tumour_burden_pct", &self.tumour_burden_pct),
        ]
    }

    pub fn get(&self, key: &str) -> Option<&DerivedValue> {
        self.entries()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// Plain-text lines for the human view: each value with its inputs, or
    /// what is missing.
    pub fn human_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in self.entries() {
            match (&v.value, &v.explanation) {
                (Some(_), Some(e)) => out.push(format!("{k}: {e}")),
                (Some(val), None) => out.push(format!("{k}: {val}")),
                (None, _) if !v.missing.is_empty() => {
                    out.push(format!("{k}: missing {}", v.missing.join(", ")))
                }
                (None, _) => out.push(format!(
                    "{k}: not computed{}",
                    v.error
                        .as_ref()
                        .or(v.notes.first())
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                )),
            }
            for i in &v.inputs {
                let unit = i
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                let date = i.date.map(|d| format!(" on {d}")).unwrap_or_default();
                let src = if i.source.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", i.source)
                };
                out.push(format!(
                    "    {} = {}{}{}{}{}",
                    i.name,
                    i.comparator.as_deref().unwrap_or(""),
                    i.value,
                    unit,
                    date,
                    src
                ));
            }
        }
        out
    }
}

// ------------------------------------------------------------ gathering ---

/// Why an input is missing.
struct Miss {
    concept: String,
    note: Option<String>,
}

fn miss(concept: &str, note: Option<String>) -> Miss {
    Miss {
        concept: concept.to_string(),
        note,
    }
}

type Got<T> = Result<(T, Vec<DerivedInput>), Miss>;

/// Collects inputs, missing names and notes while a value is built.
#[derive(Default)]
struct Acc {
    inputs: Vec<DerivedInput>,
    missing: Vec<String>,
    notes: Vec<String>,
}

impl Acc {
    fn take<T>(&mut self, g: Got<T>) -> Option<T> {
        match g {
            Ok((v, inputs)) => {
                self.inputs.extend(inputs);
                Some(v)
            }
            Err(m) => {
                if !self.missing.contains(&m.concept) {
                    self.missing.push(m.concept);
                }
                if let Some(n) = m.note {
                    if !self.notes.contains(&n) {
                        self.notes.push(n);
                    }
                }
                None
            }
        }
    }

    fn finish(self, mut v: DerivedValue) -> DerivedValue {
        v.inputs = self.inputs;
        v.missing = self.missing;
        v.notes.extend(self.notes);
        v
    }
}

struct Ctx<'a> {
    p: &'a Patient,
    as_of: Date,
    cfg: &'a DeriveConfig,
}

fn within(as_of: Date, d: Date, window: i32) -> bool {
    d <= as_of && as_of.days() - d.days() <= window
}

impl<'a> Ctx<'a> {
    /// Newest usable observation of `concept` in the window.
    fn pick(&self, concept: &str, window: i32) -> Result<&'a Observation, Miss> {
        let mut best: Option<(&Observation, Date)> = None;
        let mut older: Option<Date> = None;
        let mut flagged = 0usize;
        let mut undated = 0usize;
        let p: &'a Patient = self.p;
        for o in p
            .observations
            .iter()
            .filter(|o| o.concept.as_deref() == Some(concept))
        {
            if !o.is_usable() {
                flagged += 1;
                continue;
            }
            match o.effective {
                Some(d) if within(self.as_of, d, window) => {
                    if best.is_none_or(|(_, bd)| d >= bd) {
                        best = Some((o, d));
                    }
                }
                Some(d) if d <= self.as_of => {
                    if older.is_none_or(|od| d > od) {
                        older = Some(d);
                    }
                }
                Some(_) => {}
                None => undated += 1,
            }
        }
        if let Some((o, _)) = best {
            return Ok(o);
        }
        let note = if let Some(d) = older {
            Some(format!(
                "{concept}: newest value ({d}) is older than the {window}-day window before {}",
                self.as_of
            ))
        } else if flagged > 0 {
            Some(format!("{concept}: only flagged (unusable) values"))
        } else if undated > 0 {
            Some(format!("{concept}: only undated values (not used)"))
        } else {
            None
        };
        Err(miss(concept, note))
    }

    fn input_of(o: &Observation, name: &str, concept: &str, value: Value) -> DerivedInput {
        DerivedInput {
            name: name.to_string(),
            concept: concept.to_string(),
            value,
            unit: None,
            original: o.original.clone(),
            comparator: o.comparator.clone(),
            date: o.effective,
            source: o.source.clone(),
            points: None,
        }
    }

    /// Newest quantity of `concept` converted to `unit` with `tm-units`.
    fn quantity(&self, name: &str, concept: &str, unit: &str, window: i32) -> Got<f64> {
        let o = self.pick(concept, window)?;
        let Some(q) = o.quantity() else {
            return Err(miss(
                concept,
                Some(format!(
                    "{concept}: value of {} is not a quantity",
                    o.source
                )),
            ));
        };
        // An empty unit on a dimensionless concept (INR) is read as "1".
        let q_in = if q.unit.trim().is_empty() && unit == "{INR}" {
            Quantity::new(q.value, "1")
        } else {
            q.clone()
        };
        let conv = tm_units::convert(&q_in, unit, Some(concept)).map_err(|e| {
            miss(
                concept,
                Some(format!("{concept}: {} not usable ({e})", o.source)),
            )
        })?;
        let mut input = Self::input_of(o, name, concept, Value::Number(conv.value));
        input.unit = Some(conv.unit.clone());
        if input.original.is_none() && tm_units::normalize_unit(&q.unit) != Some(unit) {
            input.original = Some(q.clone());
        }
        Ok((conv.value, vec![input]))
    }

    fn lab(&self, name: &str, concept: &str, unit: &str) -> Got<f64> {
        self.quantity(name, concept, unit, self.cfg.lab_window_days)
    }

    fn age(&self) -> Got<f64> {
        let Some(b) = self.p.birth_date else {
            return Err(miss(c::AGE, Some("age: no birth date".into())));
        };
        let age = b.years_until(self.as_of);
        Ok((
            age as f64,
            vec![DerivedInput {
                name: "age".into(),
                concept: c::AGE.into(),
                value: Value::Number(age as f64),
                unit: Some("a".into()),
                original: None,
                comparator: None,
                date: Some(self.as_of),
                source: format!("Patient/{}", self.p.id),
                points: None,
            }],
        ))
    }

    fn sex(&self) -> Got<Sex> {
        let s = match self.p.sex {
            PatientSex::Male => Sex::Male,
            PatientSex::Female => Sex::Female,
            _ => {
                return Err(miss(
                    c::SEX,
                    Some("sex: not recorded as male or female (the equation needs it)".into()),
                ))
            }
        };
        Ok((
            s,
            vec![DerivedInput {
                name: "sex".into(),
                concept: c::SEX.into(),
                value: Value::Text(if s == Sex::Male { "male" } else { "female" }.into()),
                unit: None,
                original: None,
                comparator: None,
                date: None,
                source: format!("Patient/{}", self.p.id),
                points: None,
            }],
        ))
    }

    fn weight(&self) -> Got<f64> {
        self.quantity("weight", c::BODY_WEIGHT, "kg", self.cfg.weight_window_days)
    }

    fn height_cm(&self) -> Got<f64> {
        self.quantity("height", c::BODY_HEIGHT, "cm", self.cfg.height_window_days)
    }

    /// ECOG, or ECOG from Karnofsky (the exact direction, §1.7).
    fn ecog(&self) -> Got<u8> {
        let w = self.cfg.performance_window_days;
        let ecog = self.pick(c::ECOG, w);
        if let Ok(o) = ecog {
            if let Some(g) = obs_integer(o).filter(|g| (0..=5).contains(g)) {
                let g = g as u8;
                let i = Self::input_of(o, "ecog", c::ECOG, Value::Number(g as f64));
                return Ok((g, vec![i]));
            }
        }
        if let Ok(o) = self.pick(c::KARNOFSKY, w) {
            if let Some(k) = obs_integer(o)
                .and_then(|k| u8::try_from(k).ok())
                .and_then(|k| Kps::new(k).ok())
            {
                let g = kps_to_ecog(k).grade();
                let mut i = Self::input_of(o, "ecog", c::KARNOFSKY, Value::Number(g as f64));
                i.original = Some(Quantity::new(k.score() as f64, "{score}"));
                return Ok((g, vec![i]));
            }
        }
        Err(match ecog {
            Err(m) => m,
            Ok(o) => miss(
                c::ECOG,
                Some(format!("ecog: {} is not a grade 0–5", o.source)),
            ),
        })
    }

    /// Newest grade reading of ascites / encephalopathy from observations
    /// (within the clinical window) and active conditions.
    fn grade_reading(&self, concept: &str) -> Got<Reading> {
        let mut cands: Vec<(Option<Date>, Option<Reading>, String, String)> = Vec::new();
        let obs = self.pick(concept, self.cfg.clinical_window_days);
        if let Ok(o) = obs {
            let r = match &o.value {
                Some(ObsValue::Integer(i)) => u8::try_from(*i).ok().map(Reading::grade),
                Some(ObsValue::Quantity(q)) if q.value.fract() == 0.0 && q.value >= 0.0 => {
                    Some(Reading::grade(q.value as u8))
                }
                Some(ObsValue::Bool(false)) => Some(Reading::grade(0)),
                Some(ObsValue::Bool(true)) => Some(Reading::present()),
                Some(_) => o.reading.as_ref().and_then(|r| r.grade),
                None => None,
            };
            let shown = match &o.value {
                Some(ObsValue::Integer(i)) => format!("grade {i}"),
                Some(ObsValue::Quantity(q)) => format!("grade {}", q.value),
                Some(ObsValue::Bool(b)) => (if *b { "present" } else { "absent" }).to_string(),
                Some(v) => v.as_text().unwrap_or("").to_string(),
                None => String::new(),
            };
            cands.push((o.effective, r, o.source.clone(), shown));
        }
        for cnd in self.p.conditions_of(concept) {
            if cnd.onset.is_some_and(|d| d > self.as_of) || !cnd.is_active_on(self.as_of) {
                continue;
            }
            let r = cnd
                .grade
                .map(|r| {
                    if r.grade == Some(0) {
                        Reading::present()
                    } else {
                        r
                    }
                })
                .or(Some(Reading::present()));
            let shown = cnd
                .severity
                .clone()
                .or_else(|| cnd.text.clone())
                .unwrap_or_else(|| "present".into());
            cands.push((cnd.onset, r, cnd.source.clone(), shown));
        }
        // Newest first; undated active conditions rank last.
        cands.sort_by_key(|(d, ..)| std::cmp::Reverse(d.map(|d| d.days()).unwrap_or(i32::MIN)));
        let Some((date, reading, source, shown)) = cands.into_iter().next() else {
            return Err(match obs {
                Err(m) => m,
                Ok(_) => miss(concept, None),
            });
        };
        let Some(reading) = reading else {
            return Err(miss(
                concept,
                Some(format!(
                    "{concept}: {source} ({shown:?}) has no readable grade"
                )),
            ));
        };
        Ok((
            reading,
            vec![DerivedInput {
                name: concept.to_string(),
                concept: concept.to_string(),
                value: Value::Text(shown),
                unit: None,
                original: None,
                comparator: None,
                date,
                source,
                points: None,
            }],
        ))
    }

    fn on_he_medication(&self) -> Option<String> {
        self.p
            .medications
            .iter()
            .filter(|m| {
                m.concept
                    .as_deref()
                    .is_some_and(|x| c::HE_MEDICATIONS.contains(&x))
            })
            .find(|m| {
                m.start.is_some_and(|s| s <= self.as_of)
                    && m.end.is_none_or(|e| e >= self.as_of)
                    && !matches!(
                        m.status.as_deref(),
                        Some("stopped") | Some("completed") | Some("cancelled") | Some("not-taken")
                    )
            })
            .map(|m| m.source.clone())
    }

    fn ascites(&self) -> Got<(Ascites, bool)> {
        let (r, mut inputs) = self.grade_reading(c::ASCITES)?;
        let Some(grade) = r.grade else {
            return Err(miss(
                "ascites_grade",
                Some(format!(
                    "ascites: present ({}) but ungraded",
                    inputs[0].source
                )),
            ));
        };
        let a = Ascites::from_iac(grade.min(3), r.refractory, &self.cfg.iac)
            .map_err(|e| miss("ascites_grade", Some(e.to_string())))?;
        inputs[0].points = Some(a.points());
        Ok(((a, grade > 0 || r.refractory), inputs))
    }

    /// Ascites presence only (BCLC).
    fn ascites_present(&self) -> Got<bool> {
        let (r, inputs) = self.grade_reading(c::ASCITES)?;
        Ok((r.grade != Some(0) || r.refractory, inputs))
    }

    fn encephalopathy(&self) -> Got<Encephalopathy> {
        let med = self.on_he_medication();
        let (r, mut inputs) = self.grade_reading(c::HEPATIC_ENCEPHALOPATHY)?;
        let Some(grade) = r.grade else {
            return Err(miss(
                "hepatic_encephalopathy_grade",
                Some(format!(
                    "hepatic_encephalopathy: present ({}) but ungraded",
                    inputs[0].source
                )),
            ));
        };
        let e = Encephalopathy::from_west_haven(grade.min(4), med.is_some(), r.refractory)
            .map_err(|e| miss("hepatic_encephalopathy_grade", Some(e.to_string())))?;
        inputs[0].points = Some(e.points());
        if let (Some(src), 0) = (med, grade) {
            inputs.push(DerivedInput {
                name: "encephalopathy_medication".into(),
                concept: "he_medication".into(),
                value: Value::Text("suppressed with medication".into()),
                unit: None,
                original: None,
                comparator: None,
                date: None,
                source: src,
                points: None,
            });
        }
        Ok((e, inputs))
    }

    /// MELD dialysis rule: ≥ 2 dialysis procedures or any CVVHD in the 7
    /// days up to the index date.
    fn dialysis(&self) -> Got<bool> {
        let recent: Vec<&tm_model::patient::Procedure> = self
            .p
            .procedures
            .iter()
            .filter(|p| p.concept.as_deref() == Some(c::DIALYSIS))
            .filter(|p| p.date.is_some_and(|d| within(self.as_of, d, 7)))
            .collect();
        let is_cvvhd = |p: &tm_model::patient::Procedure| {
            let mut texts: Vec<String> = p.text.iter().cloned().collect();
            texts.extend(p.details.iter().cloned());
            texts.extend(p.codes.iter().filter_map(|c| c.display.clone()));
            texts.iter().any(|t| {
                let t = t.to_lowercase();
                t.contains("cvvh") || t.contains("continuous veno")
            })
        };
        let cvvhd = recent.iter().filter(|p| is_cvvhd(p)).count();
        let on = recent.len() >= 2 || cvvhd > 0;
        let sources: Vec<String> = recent.iter().map(|p| p.source.clone()).collect();
        Ok((
            on,
            vec![DerivedInput {
                name: "dialysis_7d".into(),
                concept: c::DIALYSIS.into(),
                value: Value::Text(format!(
                    "{} dialysis treatment(s) ({cvvhd} CVVHD) in the prior 7 days",
                    recent.len()
                )),
                unit: None,
                original: None,
                comparator: None,
                date: None,
                source: sources.join(", "),
                points: None,
            }],
        ))
    }

    /// Intrahepatic nodules of the newest imaging date in the window.
    fn nodules(&self) -> Got<Vec<Cm>> {
        let w = self.cfg.imaging_window_days;
        let liver = |l: &tm_model::patient::Lesion| match l.intrahepatic {
            Some(b) => b,
            None => l
                .site
                .as_deref()
                .is_none_or(|s| s.to_lowercase().contains("liver") || s.contains("hepat")),
        };
        let newest = self
            .p
            .lesions
            .iter()
            .filter(|l| liver(l))
            .filter_map(|l| l.effective.filter(|d| within(self.as_of, *d, w)))
            .max();
        let Some(date) = newest else {
            let any = self.p.lesions.iter().any(liver);
            return Err(miss(
                c::LESIONS,
                any.then(|| format!("lesions: none dated within the {w}-day imaging window")),
            ));
        };
        let mut out = Vec::new();
        let mut inputs = Vec::new();
        for l in self
            .p
            .lesions
            .iter()
            .filter(|l| liver(l) && l.effective == Some(date))
        {
            let Some(q) = l.longest() else {
                return Err(miss(
                    "lesion_diameter",
                    Some(format!("lesion {} has no diameter", l.source)),
                ));
            };
            let conv = tm_units::convert(q, "cm", None)
                .map_err(|e| miss("lesion_diameter", Some(format!("lesion {}: {e}", l.source))))?;
            out.push(Cm(conv.value));
            inputs.push(DerivedInput {
                name: format!(
                    "nodule {}",
                    l.label.clone().unwrap_or_else(|| (out.len()).to_string())
                ),
                concept: c::LESIONS.into(),
                value: Value::Number(conv.value),
                unit: Some("cm".into()),
                original: (q.unit != "cm").then(|| q.clone()),
                comparator: None,
                date: Some(date),
                source: l.source.clone(),
                points: None,
            });
        }
        Ok((out, inputs))
    }

    fn macrovascular_invasion(&self) -> Got<bool> {
        let w = self.cfg.imaging_window_days;
        let v = self
            .p
            .vascular_invasion
            .iter()
            .filter(|v| v.effective.is_some_and(|d| within(self.as_of, d, w)))
            .max_by_key(|v| v.effective);
        let Some(v) = v else {
            return Err(miss(c::MACROVASCULAR_INVASION, None));
        };
        let present = v.present && v.tumour_thrombus != Some(false);
        let mut shown = if present { "present" } else { "absent" }.to_string();
        if let Some(vp) = v.vp_grade {
            shown.push_str(&format!(" (Vp{vp})"));
        }
        if v.present && v.tumour_thrombus == Some(false) {
            shown = "bland thrombus only".into();
        }
        Ok((
            present,
            vec![DerivedInput {
                name: "macrovascular_invasion".into(),
                concept: c::MACROVASCULAR_INVASION.into(),
                value: Value::Text(shown),
                unit: None,
                original: None,
                comparator: None,
                date: v.effective,
                source: v.source.clone(),
                points: None,
            }],
        ))
    }

    fn extrahepatic(&self) -> Got<bool> {
        let w = self.cfg.imaging_window_days;
        let obs = self.pick(c::EXTRAHEPATIC_SPREAD, w);
        if let Ok(o) = obs {
            let b = match &o.value {
                Some(ObsValue::Bool(b)) => Some(*b),
                Some(_) => o.reading.as_ref().and_then(|r| r.yes_no),
                None => None,
            };
            if let Some(b) = b {
                return Ok((
                    b,
                    vec![Self::input_of(
                        o,
                        "extrahepatic_spread",
                        c::EXTRAHEPATIC_SPREAD,
                        Value::Bool(b),
                    )],
                ));
            }
        }
        // An extrahepatic tumour lesion in the window is evidence of spread.
        if let Some(l) = self.p.lesions.iter().find(|l| {
            l.intrahepatic == Some(false) && l.effective.is_some_and(|d| within(self.as_of, d, w))
        }) {
            return Ok((
                true,
                vec![DerivedInput {
                    name: "extrahepatic_spread".into(),
                    concept: c::EXTRAHEPATIC_SPREAD.into(),
                    value: Value::Bool(true),
                    unit: None,
                    original: None,
                    comparator: None,
                    date: l.effective,
                    source: l.source.clone(),
                    points: None,
                }],
            ));
        }
        Err(match obs {
            Err(m) => m,
            Ok(o) => miss(
                c::EXTRAHEPATIC_SPREAD,
                Some(format!("extrahepatic_spread: {} unreadable", o.source)),
            ),
        })
    }
}

/// An integer value, or a whole number written as text (read by
/// tm-patient).
fn obs_integer(o: &Observation) -> Option<i64> {
    o.value.as_ref()?.as_integer().or_else(|| {
        o.reading
            .as_ref()
            .and_then(|r| r.number)
            .filter(|n| n.fract() == 0.0 && n.abs() < 1e15)
            .map(|n| n as i64)
    })
}

/// A graded clinical finding (ascites IAC grade, West Haven grade), as
/// read by tm-patient.
type Reading = Grade;

trait ReadingExt {
    fn grade(g: u8) -> Self;
    fn present() -> Self;
}

impl ReadingExt for Grade {
    fn grade(g: u8) -> Grade {
        Grade {
            grade: Some(g),
            refractory: false,
        }
    }
    fn present() -> Grade {
        Grade {
            grade: None,
            refractory: false,
        }
    }
}

// ------------------------------------------------------------- formulas ---

const F_CHILD_PUGH: &str = "bilirubin + albumin + INR (or PT prolongation) + ascites + encephalopathy points, 1–3 each; class A 5–6, B 7–9, C 10–15 (clinical-rules §1.1)";
const F_ALBI: &str = "0.66 × log10(bilirubin µmol/L) + c × albumin g/L, c = {coef}; grade 1 ≤ −2.60 < grade 2 ≤ −1.39 < grade 3 (clinical-rules §1.2)";
const F_MELD: &str = "10 × round1(0.957 ln Cr + 0.378 ln bilirubin + 1.120 ln INR + 0.643); labs < 1 set to 1; Cr > 4 or dialysis → 4; max 40 (OPTN 2016, clinical-rules §1.3)";
const F_MELD_NA: &str = "if MELD > 11: MELD + 1.32 (137 − Na) − 0.033 MELD (137 − Na), Na bounded 125–137; rounded to an integer (OPTN 2016, clinical-rules §1.3)";
const F_CG: &str =
    "(140 − age) × weight × (0.85 if female) / (72 × creatinine mg/dL) (clinical-rules §1.4)";
const F_CKD_EPI: &str = "142 × min(Cr/κ,1)^α × max(Cr/κ,1)^−1.200 × 0.9938^age × 1.012 [female]; κ 0.7/0.9, α −0.241/−0.302 (F/M) (clinical-rules §1.5)";
const F_BMI: &str = "weight kg / (height m)² (clinical-rules §1.6)";
const F_MOSTELLER: &str = "sqrt(height cm × weight kg / 3600) (clinical-rules §1.6)";
const F_DUBOIS: &str = "0.007184 × weight^0.425 × height^0.725 (clinical-rules §1.6)";
const F_BCLC: &str = "D if ECOG ≥ 3 or Child-Pugh C; Child-Pugh B (or A with ascites) unplaced; C if macrovascular invasion, extrahepatic spread or cancer-related ECOG 1–2; 0 if single ≤ 2 cm; A if single or 2–3 all ≤ 3 cm; else B (BCLC 2022, clinical-rules §1.8)";
const F_LUNG: &str = "{k} × activity GBq × LSF / lung mass 1 kg (clinical-rules §6.3)";
const F_UP7: &str = "largest diameter cm + number of tumours; within if ≤ 7 (clinical-rules §1.9)";
const F_MILAN: &str = "single ≤ 5 cm, or 2–3 each ≤ 3 cm; no macrovascular invasion; no extrahepatic spread (clinical-rules §1.9)";
const F_BURDEN: &str =
    "tumour volume / total liver volume (including tumour) × 100 (clinical-rules §1.10)";

fn err_note(v: &mut DerivedValue, e: crate::ClinicalError) {
    v.error = Some(e.to_string());
}

/// Derived values of `patient` as of `as_of` (see the module doc).
pub fn derive(patient: &Patient, as_of: Date, cfg: &DeriveConfig) -> Derived {
    let ctx = Ctx {
        p: patient,
        as_of,
        cfg,
    };
    let child = d_child_pugh(&ctx);
    Derived {
        albi: d_albi(&ctx),
        meld: d_meld(&ctx, false),
        meld_na: d_meld(&ctx, true),
        crcl_cockcroft_gault: d_cg(&ctx),
        egfr_ckd_epi_2021: d_ckd_epi(&ctx),
        bmi: d_body(&ctx, BodyKind::Bmi),
        bsa_mosteller: d_body(&ctx, BodyKind::Mosteller),
        bsa_dubois: d_body(&ctx, BodyKind::DuBois),
        bclc: d_bclc(&ctx, &child),
        lung_dose_gy: d_lung(&ctx),
        up_to_seven: d_up7(&ctx),
        milan: d_milan(&ctx),
        tumour_burden_pct: d_burden(&ctx),
        child_pugh: child,
    }
}

fn d_child_pugh(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_CHILD_PUGH);
    let mut acc = Acc::default();
    let bili = acc.take(ctx.lab("bilirubin", c::TOTAL_BILIRUBIN, "mg/dL"));
    let alb = acc.take(ctx.lab("albumin", c::ALBUMIN, "g/dL"));
    // INR, else the PT variant; missing lists INR (the usual input).
    let coag = match ctx.lab("inr", c::INR, "{INR}") {
        Ok((x, i)) => acc.take(Ok((Coagulation::Inr(Inr(x)), i))),
        Err(m_inr) => match ctx.lab("pt_prolongation", c::PT_PROLONGATION, "s") {
            Ok((x, i)) => acc.take(Ok((Coagulation::PtProlongation(Seconds(x)), i))),
            Err(_) => acc.take::<Coagulation>(Err(m_inr)),
        },
    };
    let asc = acc.take(ctx.ascites());
    let enc = acc.take(ctx.encephalopathy());
    if let (Some(b), Some(a), Some(co), Some((asc, _)), Some(e)) = (bili, alb, coag, asc, enc) {
        let input = ChildPughInput {
            bilirubin: MgPerDl(b),
            albumin: GPerDl(a),
            coagulation: co,
            ascites: asc,
            encephalopathy: e,
            bilirubin_scale: ctx.cfg.bilirubin_scale,
        };
        match child_pugh(&input) {
            Ok(r) => {
                let pts = r.components;
                for i in acc.inputs.iter_mut() {
                    i.points = match i.name.as_str() {
                        "bilirubin" => Some(pts.bilirubin),
                        "albumin" => Some(pts.albumin),
                        "inr" | "pt_prolongation" => Some(pts.coagulation),
                        "ascites" => Some(pts.ascites),
                        "hepatic_encephalopathy" => Some(pts.encephalopathy),
                        _ => i.points,
                    };
                }
                let coag_name = match co {
                    Coagulation::Inr(_) => "INR",
                    Coagulation::PtProlongation(_) => "PT",
                };
                v.value = Some(Value::Number(r.points as f64));
                v.parts
                    .insert("points".into(), Value::Number(r.points as f64));
                v.parts
                    .insert("class".into(), Value::Text(r.class.as_str().into()));
                v.explanation = Some(format!(
                    "Child-Pugh {} ({}) = bilirubin {} + albumin {} + {coag_name} {} + ascites {} + encephalopathy {}",
                    r.points,
                    r.class.as_str(),
                    pts.bilirubin,
                    pts.albumin,
                    pts.coagulation,
                    pts.ascites,
                    pts.encephalopathy
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_albi(ctx: &Ctx) -> DerivedValue {
    let coef = ctx.cfg.albi.albumin_coef;
    let mut v = DerivedValue::new(&F_ALBI.replace("{coef}", &coef.to_string()));
    let mut acc = Acc::default();
    let bili = acc.take(ctx.lab("bilirubin", c::TOTAL_BILIRUBIN, "umol/L"));
    let alb = acc.take(ctx.lab("albumin", c::ALBUMIN, "g/L"));
    if let (Some(b), Some(a)) = (bili, alb) {
        match albi(UmolPerL(b), GPerL(a), &ctx.cfg.albi) {
            Ok(r) => {
                v.value = Some(Value::Number(r.score));
                v.parts.insert("score".into(), Value::Number(r.score));
                v.parts
                    .insert("grade".into(), Value::Number(r.grade.as_u8() as f64));
                let malbi = r.malbi_grade.as_str().to_string();
                v.parts
                    .insert("malbi_grade".into(), Value::Text(malbi.clone()));
                v.parts
                    .insert("albumin_coefficient".into(), Value::Number(coef));
                v.explanation = Some(format!(
                    "ALBI {:.3} (grade {}, mALBI {malbi}) = 0.66 × log10({}) {} {} × {}",
                    r.score,
                    r.grade.as_u8(),
                    round_display(b),
                    if coef < 0.0 { "−" } else { "+" },
                    coef.abs(),
                    round_display(a)
                ));
                if acc.inputs.iter().any(|i| i.comparator.is_some()) {
                    acc.notes.push(
                        "a censored value (reported with a comparator) was used at its limit"
                            .into(),
                    );
                }
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_meld(ctx: &Ctx, with_na: bool) -> DerivedValue {
    let mut v = DerivedValue::new(if with_na { F_MELD_NA } else { F_MELD });
    let mut acc = Acc::default();
    let cr = acc.take(ctx.lab("creatinine", c::CREATININE, "mg/dL"));
    let bili = acc.take(ctx.lab("bilirubin", c::TOTAL_BILIRUBIN, "mg/dL"));
    let inr = acc.take(ctx.lab("inr", c::INR, "{INR}"));
    let na = if with_na {
        acc.take(ctx.lab("sodium", c::SODIUM, "mmol/L"))
    } else {
        Some(0.0)
    };
    let dialysis = acc.take(ctx.dialysis());
    if let (Some(cr), Some(b), Some(i), Some(na), Some(d)) = (cr, bili, inr, na, dialysis) {
        let input = MeldInput {
            creatinine: MgPerDl(cr),
            bilirubin: MgPerDl(b),
            inr: Inr(i),
            dialysis: d,
        };
        let used = |m: &crate::meld::Meld| {
            format!(
                "creatinine {} (used {}), bilirubin {} (used {}), INR {} (used {})",
                round_display(cr),
                m.creatinine_used,
                round_display(b),
                m.bilirubin_used,
                round_display(i),
                m.inr_used
            )
        };
        if with_na {
            match meld_na(&input, MmolPerL(na)) {
                Ok(r) => {
                    v.value = Some(Value::Number(r.meld_na));
                    v.parts.insert("raw".into(), Value::Number(r.meld_na_raw));
                    v.parts.insert("meld".into(), Value::Number(r.meld.meld));
                    v.parts
                        .insert("sodium_used".into(), Value::Number(r.sodium_used));
                    v.explanation = Some(format!(
                        "MELD-Na {} (raw {:.2}) from MELD {} and Na {} (used {}){}",
                        r.meld_na,
                        r.meld_na_raw,
                        r.meld.meld,
                        round_display(na),
                        r.sodium_used,
                        if r.sodium_applied {
                            ""
                        } else {
                            "; MELD ≤ 11, no sodium correction"
                        }
                    ));
                }
                Err(e) => err_note(&mut v, e),
            }
        } else {
            match meld(&input) {
                Ok(r) => {
                    v.value = Some(Value::Number(r.meld));
                    v.parts.insert("raw".into(), Value::Number(r.meld_raw));
                    v.explanation = Some(format!(
                        "MELD {} from {}{}",
                        r.meld,
                        used(&r),
                        if r.creatinine_set_by_dialysis {
                            "; creatinine set to 4.0 (dialysis)"
                        } else {
                            ""
                        }
                    ));
                }
                Err(e) => err_note(&mut v, e),
            }
        }
    }
    acc.finish(v)
}

fn d_cg(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_CG);
    v.unit = Some("mL/min".into());
    let mut acc = Acc::default();
    let age = acc.take(ctx.age());
    let sex = acc.take(ctx.sex());
    let w = acc.take(ctx.weight());
    let cr = acc.take(ctx.lab("creatinine", c::CREATININE, "mg/dL"));
    let stature = if ctx.cfg.cg_weight == CgWeightBasis::Actual {
        Some(None)
    } else {
        // Height (inches via tm-units) and BMI for the IBW rules.
        let h = acc.take(ctx.height_cm());
        match (h, w) {
            (Some(h), Some(w)) => {
                let inches = tm_units::convert(&Quantity::new(h, "cm"), "[in_i]", None).ok();
                match (inches, bmi(Cm(h), Kg(w))) {
                    (Some(i), Ok(b)) => Some(Some(CgStature {
                        height: Inches(i.value),
                        bmi: KgPerM2(b.0),
                    })),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    if let (Some(age), Some(sex), Some(w), Some(cr), Some(st)) = (age, sex, w, cr, stature) {
        let input = CgInput {
            age: Years(age),
            sex,
            weight: Kg(w),
            creatinine: MgPerDl(cr),
            stature: st,
        };
        match cockcroft_gault(&input, ctx.cfg.cg_weight) {
            Ok(r) => {
                v.value = Some(Value::Number(r.crcl.0));
                let basis = r.weight_basis.as_str();
                v.parts
                    .insert("weight_basis".into(), Value::Text(basis.into()));
                v.parts
                    .insert("weight_used_kg".into(), Value::Number(r.weight_used.0));
                v.explanation = Some(format!(
                    "CrCl {:.1} mL/min = (140 − {age}) × {} kg ({basis} body weight) × {} / (72 × {})",
                    r.crcl.0,
                    round_display(r.weight_used.0),
                    r.sex_factor,
                    round_display(cr)
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_ckd_epi(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_CKD_EPI);
    v.unit = Some("mL/min/{1.73_m2}".into());
    let mut acc = Acc::default();
    let age = acc.take(ctx.age());
    let sex = acc.take(ctx.sex());
    let cr = acc.take(ctx.lab("creatinine", c::CREATININE, "mg/dL"));
    if let (Some(age), Some(sex), Some(cr)) = (age, sex, cr) {
        match ckd_epi_2021(Years(age), sex, MgPerDl(cr)) {
            Ok(r) => {
                v.value = Some(Value::Number(r.egfr.0));
                v.explanation = Some(format!(
                    "eGFR {:.1} mL/min/1.73 m² (CKD-EPI 2021, age {age}, creatinine {})",
                    r.egfr.0,
                    round_display(cr)
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

enum BodyKind {
    Bmi,
    Mosteller,
    DuBois,
}

fn d_body(ctx: &Ctx, kind: BodyKind) -> DerivedValue {
    let (formula, unit, name) = match kind {
        BodyKind::Bmi => (F_BMI, "kg/m2", "BMI"),
        BodyKind::Mosteller => (F_MOSTELLER, "m2", "BSA (Mosteller)"),
        BodyKind::DuBois => (F_DUBOIS, "m2", "BSA (DuBois)"),
    };
    let mut v = DerivedValue::new(formula);
    v.unit = Some(unit.into());
    let mut acc = Acc::default();
    let h = acc.take(ctx.height_cm());
    let w = acc.take(ctx.weight());
    if let (Some(h), Some(w)) = (h, w) {
        let r = match kind {
            BodyKind::Bmi => bmi(Cm(h), Kg(w)).map(|x| x.0),
            BodyKind::Mosteller => bsa_mosteller(Cm(h), Kg(w)).map(|x| x.0),
            BodyKind::DuBois => bsa_dubois(Cm(h), Kg(w)).map(|x| x.0),
        };
        match r {
            Ok(x) => {
                v.value = Some(Value::Number(x));
                v.explanation = Some(format!(
                    "{name} {} {unit} from height {} cm, weight {} kg",
                    round_display(x),
                    round_display(h),
                    round_display(w)
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

/// Child-Pugh class for BCLC: computed, else clinician-recorded.
fn cp_class(ctx: &Ctx, child: &DerivedValue) -> Got<ChildPughClass> {
    if let Some(cls) = child.part("class").and_then(Value::as_str) {
        let class = match cls {
            "A" => ChildPughClass::A,
            "B" => ChildPughClass::B,
            _ => ChildPughClass::C,
        };
        return Ok((
            class,
            vec![DerivedInput {
                name: "child_pugh_class".into(),
                concept: "child_pugh".into(),
                value: Value::Text(cls.into()),
                unit: None,
                original: None,
                comparator: None,
                date: Some(ctx.as_of),
                source: "derived:child_pugh".into(),
                points: None,
            }],
        ));
    }
    let w = ctx.cfg.clinical_window_days;
    let recorded = [c::CHILD_PUGH_CLASS_RECORDED, c::CHILD_PUGH_SCORE_RECORDED]
        .into_iter()
        .filter_map(|concept| ctx.pick(concept, w).ok().map(|o| (concept, o)));
    for (concept, o) in recorded {
        let class = match obs_integer(o) {
            Some(p) => u8::try_from(p).ok().and_then(ChildPughClass::from_points),
            None => match o.reading.as_ref().and_then(|r| r.ordinal) {
                Some(1) => Some(ChildPughClass::A),
                Some(2) => Some(ChildPughClass::B),
                Some(3) => Some(ChildPughClass::C),
                _ => None,
            },
        };
        if let Some(class) = class {
            return Ok((
                class,
                vec![Ctx::input_of(
                    o,
                    "child_pugh_class",
                    concept,
                    Value::Text(class.as_str().into()),
                )],
            ));
        }
    }
    Err(miss(
        "child_pugh_class",
        (!child.missing.is_empty())
            .then(|| format!("child_pugh: missing {}", child.missing.join(", "))),
    ))
}

fn d_bclc(ctx: &Ctx, child: &DerivedValue) -> DerivedValue {
    let mut v = DerivedValue::new(F_BCLC);
    let mut acc = Acc::default();
    // Gather everything, but let the staging decide what is really missing.
    let mut pending: Vec<Miss> = Vec::new();
    fn got<T>(g: Got<T>, acc: &mut Acc, pending: &mut Vec<Miss>) -> Option<T> {
        match g {
            Ok((x, i)) => {
                acc.inputs.extend(i);
                Some(x)
            }
            Err(m) => {
                pending.push(m);
                None
            }
        }
    }
    let nodules = got(ctx.nodules(), &mut acc, &mut pending);
    let mvi = got(ctx.macrovascular_invasion(), &mut acc, &mut pending);
    let ehs = got(ctx.extrahepatic(), &mut acc, &mut pending);
    let cp = got(cp_class(ctx, child), &mut acc, &mut pending);
    let ascites = got(ctx.ascites_present(), &mut acc, &mut pending);
    let ecog = got(ctx.ecog(), &mut acc, &mut pending);
    let input = BclcInput {
        nodules,
        macrovascular_invasion: mvi,
        extrahepatic_spread: ehs,
        child_pugh_class: cp,
        ascites,
        ecog,
        ps_cancer_related: None,
    };
    match bclc(&input, &ctx.cfg.bclc) {
        Ok(Bclc::Staged { stage, reason }) => {
            v.value = Some(Value::Text(stage.as_str().into()));
            v.explanation = Some(format!("BCLC {}: {reason}", stage.as_str()));
        }
        Ok(Bclc::Indeterminate {
            possible,
            liver_function_unplaced,
            missing,
        }) => {
            // Map the staging's input names to the concepts missing.
            for name in &missing {
                let concept = match name.as_str() {
                    "nodules" => c::LESIONS,
                    other => other,
                };
                if let Some(pos) = pending.iter().position(|m| {
                    m.concept == concept
                        || (concept == c::LESIONS && m.concept == "lesion_diameter")
                }) {
                    let m = pending.remove(pos);
                    acc.take::<()>(Err(m));
                } else {
                    acc.take::<()>(Err(miss(concept, None)));
                }
            }
            let list: Vec<Value> = possible
                .iter()
                .map(|s| Value::Text(s.as_str().into()))
                .collect();
            v.parts.insert("possible".into(), Value::List(list));
            if liver_function_unplaced {
                v.parts.insert(
                    "liver_function_unplaced".into(),
                    Value::Bool(liver_function_unplaced),
                );
            }
        }
        Ok(Bclc::IndeterminateLiverFunction { reason }) => {
            v.parts.insert(
                "status".into(),
                Value::Text("indeterminate_liver_function".into()),
            );
            v.notes
                .push(format!("BCLC indeterminate (liver function): {reason}"));
        }
        Err(e) => err_note(&mut v, e),
    }
    acc.finish(v)
}

fn d_lung(ctx: &Ctx) -> DerivedValue {
    let k = ctx.cfg.dosimetry.gy_kg_per_gbq;
    let mut v = DerivedValue::new(&F_LUNG.replace("{k}", &k.to_string()));
    v.unit = Some("Gy".into());
    let mut acc = Acc::default();
    let w = ctx.cfg.dosimetry_window_days;
    let lsf = acc.take(ctx.quantity("lung_shunt_fraction", c::LUNG_SHUNT_FRACTION, "%", w));
    let a = acc.take(ctx.quantity("activity", c::Y90_PLANNED_ACTIVITY, "GBq", w));
    if let (Some(lsf), Some(a)) = (lsf, a) {
        match lung_dose(
            Gbq(a),
            Percent(lsf),
            LUNG_MASS_CONVENTION,
            &ctx.cfg.dosimetry,
        ) {
            Ok(d) => {
                v.value = Some(Value::Number(d.0));
                v.explanation = Some(format!(
                    "lung dose {:.2} Gy = {k} × {} GBq × {} % / 1 kg",
                    d.0,
                    round_display(a),
                    round_display(lsf)
                ));
                v.notes
                    .push("lung mass 1 kg by convention (clinical-rules §6.3)".into());
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_up7(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_UP7);
    let mut acc = Acc::default();
    if let Some(n) = acc.take(ctx.nodules()) {
        match up_to_seven(&n) {
            Ok(r) => {
                v.value = Some(Value::Number(r.sum));
                v.parts.insert("within".into(), Value::Bool(r.within));
                v.explanation = Some(format!(
                    "up-to-seven {} = largest {} cm + {} tumour(s): {}",
                    round_display(r.sum),
                    round_display(r.largest.0),
                    r.count,
                    if r.within { "within" } else { "beyond" }
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_milan(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_MILAN);
    let mut acc = Acc::default();
    let n = acc.take(ctx.nodules());
    let mvi = acc.take(ctx.macrovascular_invasion());
    let ehs = acc.take(ctx.extrahepatic());
    if let (Some(n), Some(mvi), Some(ehs)) = (n, mvi, ehs) {
        match milan(&n, mvi, ehs) {
            Ok(r) => {
                v.value = Some(Value::Text(
                    if r.within { "within" } else { "beyond" }.into(),
                ));
                v.parts.insert("within".into(), Value::Bool(r.within));
                v.explanation = Some(format!(
                    "Milan: {} ({} nodule(s); size criteria {}; macrovascular invasion {mvi}; extrahepatic spread {ehs})",
                    if r.within { "within" } else { "beyond" },
                    n.len(),
                    if r.size_criteria_met { "met" } else { "not met" }
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
    }
    acc.finish(v)
}

fn d_burden(ctx: &Ctx) -> DerivedValue {
    let mut v = DerivedValue::new(F_BURDEN);
    v.unit = Some("%".into());
    let w = ctx.cfg.imaging_window_days;
    // Computed from volumes when both exist; else the recorded percentage.
    let t = ctx.quantity("tumour_volume", c::TUMOUR_VOLUME, "mL", w);
    let l = ctx.quantity("liver_volume", c::LIVER_VOLUME, "mL", w);
    if let (Ok((t, ti)), Ok((l, li))) = (&t, &l) {
        let mut acc = Acc::default();
        acc.inputs.extend(ti.clone());
        acc.inputs.extend(li.clone());
        match tumour_burden(Ml(*t), Ml(*l)) {
            Ok(p) => {
                v.value = Some(Value::Number(p.0));
                v.explanation = Some(format!(
                    "tumour burden {:.1} % = {} mL / {} mL × 100",
                    p.0,
                    round_display(*t),
                    round_display(*l)
                ));
            }
            Err(e) => err_note(&mut v, e),
        }
        return acc.finish(v);
    }
    let mut acc = Acc::default();
    if let Ok(r) = ctx.quantity("tumour_burden", c::TUMOUR_BURDEN, "%", w) {
        let x = acc.take(Ok(r));
        if let Some(x) = x {
            v.value = Some(Value::Number(x));
            v.explanation = Some(format!("tumour burden {} % as recorded", round_display(x)));
            v.notes
                .push("recorded percentage (no volumes to compute it)".into());
        }
        return acc.finish(v);
    }
    acc.take(t);
    acc.take(l);
    acc.finish(v)
}
