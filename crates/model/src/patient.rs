//! The typed patient model (issue 7, item 1).
//!
//! Plain data filled by the readers in `tm-patient` (FHIR R4 bundles, bulk
//! NDJSON, the hand-entry profile) and read by `tm-clinical` (derived
//! scores) and the matcher. Every fact carries its date and the id of the
//! resource it came from; everything is evaluated as of an index date
//! (see [`Patient::latest`]).
//!
//! Conventions:
//! - `concept` fields hold a concept id of the lexicon (`tm_lexicon::get`),
//!   e.g. `platelets`, `total_bilirubin`, `ecog`, `hcc`, `tace`. `None` when
//!   the reader could not map the codes or text to a concept.
//! - Measured values are [`Quantity`] in UCUM. When the concept has a
//!   canonical unit and conversion is safe, readers store the value in the
//!   canonical unit and keep what the source said in `original`.
//! - Values that fail a check (impossible value, unit that contradicts the
//!   value, unknown unit) are kept, flagged in `flags`, and must not be used
//!   for matching: see [`Observation::is_usable`].
//! - Facts that are "refuted" or "entered-in-error" in the source are not
//!   facts and never appear here.
//!
//! Performance status, pregnancy, lactation, childbearing potential, MAA
//! lung shunt fraction, planned Y-90 activity, tumour burden %, liver volume,
//! extrahepatic spread, BCLC stage, Child-Pugh and ALBI as recorded by a
//! clinician, ICG-R15, iNKT cell count … are [`Observation`]s identified by
//! their concept (see docs/fhir-mapping.md for codes). Lesions and
//! macrovascular invasion (PVTT) have their own structured lists.

use crate::date::Date;
use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};

/// Well-known flag codes (the `code` of a [`Flag`]).
pub mod flag {
    /// The value lies outside the concept's plausible range (e.g. Hb 900 g/L);
    /// it is not used.
    pub const IMPLAUSIBLE: &str = "implausible";
    /// The unit contradicts the value: the value is plausible only in another
    /// unit of the same analyte (a g/dL value labelled g/L). Not used.
    pub const UNIT_MISMATCH: &str = "unit_mismatch";
    /// The unit could not be parsed. Not used.
    pub const UNIT_UNKNOWN: &str = "unit_unknown";
    /// The unit has another dimension than the concept's canonical unit
    /// (e.g. a platelet count in mg/dL). Not used.
    pub const UNIT_INCOMPATIBLE: &str = "unit_incompatible";
    /// A quantity without any unit where the concept needs one. Not used.
    pub const UNIT_MISSING: &str = "unit_missing";
    /// Conversion to the canonical unit depends on the assay (HBV DNA
    /// copies/mL ↔ IU/mL); the value is kept in its own unit and compared
    /// only with thresholds in that unit.
    pub const ASSAY_DEPENDENT: &str = "assay_dependent";
    /// The value carries a comparator (`<3 umol/L`): it is a detection limit,
    /// not an exact value.
    pub const CENSORED: &str = "censored";
    /// The fact has no date; it cannot be placed relative to an index date.
    pub const UNDATED: &str = "undated";
    /// The source marks the fact as not confirmed (provisional,
    /// differential, unconfirmed, preliminary).
    pub const UNCONFIRMED: &str = "unconfirmed";
    /// The codes and text could not be mapped to any lexicon concept.
    pub const UNMAPPED: &str = "unmapped";
    /// A value could not be read (bad date, unreadable value).
    pub const UNREADABLE: &str = "unreadable";
    /// Two sources disagree (e.g. two different birth dates).
    pub const CONFLICT: &str = "conflict";

    /// Flags that make an observation unusable for matching.
    pub const BLOCKING: &[&str] = &[
        IMPLAUSIBLE,
        UNIT_MISMATCH,
        UNIT_UNKNOWN,
        UNIT_INCOMPATIBLE,
        UNIT_MISSING,
        UNREADABLE,
    ];
}

/// A problem found with a value or a fact: a code from [`flag`] and a
/// human-readable detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Flag {
    pub fn new(code: &str, detail: impl Into<String>) -> Flag {
        Flag {
            code: code.to_string(),
            detail: detail.into(),
        }
    }
}

/// Administrative sex as recorded (FHIR `Patient.gender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Other,
    #[default]
    Unknown,
}

/// A code from a code system. `system` is the FHIR system URL
/// (`http://loinc.org`, `http://snomed.info/sct`,
/// `http://hl7.org/fhir/sid/icd-10-cm`, `http://www.nlm.nih.gov/research/umls/rxnorm`,
/// `https://trialmatch.dev/fhir/CodeSystem/trialmatch`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Coding {
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// The value of an observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObsValue {
    /// A measured value (FHIR valueQuantity).
    Quantity(Quantity),
    /// A coded value (FHIR valueCodeableConcept): codes and text. `concept`
    /// is the lexicon concept of the answer when mapped (e.g. `positive`,
    /// `bclc_c`), else `None`.
    Coded {
        #[serde(default)]
        codes: Vec<Coding>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// Free text (FHIR valueString).
    Text(String),
    /// FHIR valueBoolean.
    Bool(bool),
    /// FHIR valueInteger (scores such as ECOG, Child-Pugh points).
    Integer(i64),
}

impl ObsValue {
    pub fn as_quantity(&self) -> Option<&Quantity> {
        match self {
            ObsValue::Quantity(q) => Some(q),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ObsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            ObsValue::Integer(i) => Some(*i),
            ObsValue::Quantity(q) if q.value.fract() == 0.0 && q.value.abs() < 1e15 => {
                Some(q.value as i64)
            }
            _ => None,
        }
    }
    /// The text of a coded or text value (for display; meaning is read
    /// once by tm-patient into [`ValueReading`]).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ObsValue::Text(t) => Some(t),
            ObsValue::Coded { text, codes } => text
                .as_deref()
                .or_else(|| codes.iter().find_map(|c| c.display.as_deref())),
            _ => None,
        }
    }
}

/// The grade of a graded finding (ascites IAC grade 0–3, West Haven grade
/// 0–4), as read by tm-patient from a code, a text or a condition's
/// severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Grade {
    /// `Some(0)`: absent; `None`: present but ungraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    /// Refractory (ascites, encephalopathy).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refractory: bool,
}

/// What a coded or text value says, read once by tm-patient — the only
/// crate that reads patient text. Derived values and the matcher read these
/// typed fields (and the typed [`ObsValue`] variants), never the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ValueReading {
    /// Yes / present / positive (true) or no / absent / negative (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes_no: Option<bool>,
    /// Grade of a graded finding (ascites, hepatic encephalopathy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// The text is a number (`"5"`, `"1.5"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    /// Position on the concept's ordered scale of classes / stages: BCLC
    /// 0, A, B, C, D → 0–4; Child-Pugh class A, B, C → 1–3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<u8>,
    /// A score stated beside a class ("Child-Pugh class A (score 5)" → 5);
    /// readers also add it as its own observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
}

/// The lab's reference range (FHIR `Observation.referenceRange`), in the
/// same unit as the observation's value. Rule 1 of clinical-rules §7.2: the
/// reporting laboratory's range is used before any default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReferenceRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One component of a multi-part observation (blood pressure, lesion
/// dimensions). Readers also emit every component that maps to a concept
/// as its own top-level [`Observation`], so consumers rarely need these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ObsComponent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ObsValue>,
}

/// A dated measurement or finding: labs, vitals, scores, stages, imaging
/// scalars, pregnancy status, performance status …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Observation {
    /// Lexicon concept id (`platelets`, `ecog`, `lung_shunt_fraction` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    /// The codes as given by the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<Coding>,
    /// `code.text` or the best display of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The value; `None` when the source gives none (data absent, or a panel
    /// whose values are all in components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ObsValue>,
    /// Quantity comparator of the source (`<`, `<=`, `>=`, `>`): the value is
    /// a limit, not exact (flagged [`flag::CENSORED`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    /// The value as the source gave it, when `value` was converted to the
    /// concept's canonical unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<Quantity>,
    /// The lab's reference range, converted like `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_range: Option<ReferenceRange>,
    /// Effective date (FHIR effective[x] / issued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    /// Interpretation codes (`H`, `L`, `POS`, `NEG` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretation: Vec<Coding>,
    /// Components as given by the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ObsComponent>,
    /// Source resource (`Observation/abc`, `profile:labs[3]`).
    #[serde(default)]
    pub source: String,
    /// Problems with this value; see [`flag`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// What a coded / text value says (tm-patient's reading); `None` for
    /// other values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<ValueReading>,
}

impl Observation {
    pub fn has_flag(&self, code: &str) -> bool {
        self.flags.iter().any(|f| f.code == code)
    }
    /// False when a blocking flag ([`flag::BLOCKING`]) is set: the value must
    /// not be used for matching.
    pub fn is_usable(&self) -> bool {
        !self
            .flags
            .iter()
            .any(|f| flag::BLOCKING.contains(&f.code.as_str()))
    }
    pub fn quantity(&self) -> Option<&Quantity> {
        self.value.as_ref().and_then(ObsValue::as_quantity)
    }
}

/// A diagnosis or problem (FHIR Condition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<Date>,
    /// Abatement (resolution) date, if resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abatement: Option<Date>,
    /// FHIR clinical status code: active, recurrence, relapse, inactive,
    /// remission, resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_status: Option<String>,
    /// FHIR verification status code: confirmed, provisional, differential,
    /// unconfirmed (refuted / entered-in-error never reach the model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<String>,
    /// Body sites (text or display), e.g. "liver", "lung".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_site: Vec<String>,
    /// Severity or grade text (e.g. ascites "moderate", HE "grade 2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// The grade read by tm-patient from `severity` (else `text`) for
    /// graded findings (ascites, hepatic encephalopathy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
}

impl Condition {
    /// Active unless the clinical status says inactive / remission /
    /// resolved, or an abatement date on or before `as_of` is given.
    pub fn is_active_on(&self, as_of: Date) -> bool {
        if let Some(a) = self.abatement {
            if a <= as_of {
                return false;
            }
        }
        !matches!(
            self.clinical_status.as_deref(),
            Some("inactive") | Some("remission") | Some("resolved")
        )
    }
}

/// A procedure performed (FHIR Procedure): TACE, TAE, SIRT, HAIC, resection,
/// ablation, transplant, radiotherapy, biliary stent …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Procedure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Date performed (start of performedPeriod when a period is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// FHIR status (completed, in-progress, not-done …); `not-done` is kept
    /// out of the model by readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Free details that criteria distinguish: `"with lipiodol"`,
    /// `"without lipiodol"`, `"drug-eluting beads"`, body site, used agent …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

/// How the medication fact was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MedicationKind {
    /// Patient reports / record says they take it (MedicationStatement).
    #[default]
    Statement,
    /// Prescribed (MedicationRequest).
    Request,
    /// Given (MedicationAdministration).
    Administration,
}

/// A medication exposure (FHIR MedicationStatement / MedicationRequest /
/// MedicationAdministration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Medication {
    /// Drug or drug-class concept (`sorafenib`, `corticosteroid`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default)]
    pub kind: MedicationKind,
    /// Start of the period (or the authored / administration date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// End of the period; `None` = ongoing or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// FHIR status (active, completed, stopped, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Dose per administration when given (e.g. `10 mg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<Quantity>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

/// An allergy or intolerance (FHIR AllergyIntolerance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Allergy {
    /// Substance concept (`iodinated_contrast`, `gadolinium_contrast`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// food, medication, environment, biologic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<String>,
    /// low, high, unable-to-assess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<String>,
    /// Reaction manifestations (text), e.g. "anaphylaxis", "urticaria".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<String>,
    /// Worst reaction severity: mild, moderate, severe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<Date>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

/// A tumour lesion seen on imaging (clinical-rules §1.8–1.10, §2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Lesion {
    /// Lesion label/identifier as given (`"L1"`, `"segment VII"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Organ / site text (`liver`, `liver segment 7`, `lung`, `lymph node`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// True when in the liver; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intrahepatic: Option<bool>,
    /// Diameters, longest first (UCUM length, normalised to `cm`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diameters: Vec<Quantity>,
    /// Arterial-phase (hyper)enhancement (mRECIST viable tumour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arterial_enhancement: Option<bool>,
    /// Washout in portal-venous / delayed phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub washout: Option<bool>,
    /// Treated before by locoregional therapy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previously_treated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

impl Lesion {
    /// The longest diameter, if any.
    pub fn longest(&self) -> Option<&Quantity> {
        self.diameters.first()
    }
}

/// Macrovascular invasion / portal-vein tumour thrombus (clinical-rules §8,
/// Vp classification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct VascularInvasion {
    /// True when present, false when explicitly absent (e.g. "no PVTT").
    pub present: bool,
    /// Vessel text (`main portal vein`, `right portal vein`, `hepatic vein`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<String>,
    /// Japanese Vp grade 0–4 (Vp4 = main trunk / contralateral branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp_grade: Option<u8>,
    /// Tumour thrombus (true) vs bland thrombus (false); `None` unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tumour_thrombus: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

/// A consent-type fact: informed consent signed, agreement to
/// contraception, consent to sample use, … `kind` is a concept id
/// (`informed_consent`, `contraception_agreement`, `sample_consent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConsentFact {
    pub kind: String,
    pub given: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(default)]
    pub source: String,
}

/// A patient with all facts read from one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Patient {
    /// Patient id (FHIR Patient.id, or the profile's `id`).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub sex: Sex,
    /// Date of death when deceased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deceased: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedures: Vec<Procedure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub medications: Vec<Medication>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allergies: Vec<Allergy>,
    /// Tumour lesions on imaging.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lesions: Vec<Lesion>,
    /// Macrovascular invasion / PVTT findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vascular_invasion: Vec<VascularInvasion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<ConsentFact>,
    /// Patient-level problems (conflicting birth dates, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

impl Patient {
    /// Age in whole years on `as_of`.
    /// Age in whole years on `as_of`; `None` when the birth date is
    /// unknown, after `as_of` (impossible), or in conflict between sources
    /// (a `conflict` flag on the birth date): an age-dependent answer is
    /// then unknown, never decided by whichever date came last.
    pub fn age_on(&self, as_of: Date) -> Option<i32> {
        if self.birth_date_conflict() {
            return None;
        }
        self.birth_date
            .filter(|b| *b <= as_of)
            .map(|b| b.years_until(as_of))
    }

    /// Two sources gave different birth dates.
    pub fn birth_date_conflict(&self) -> bool {
        self.flags
            .iter()
            .any(|f| f.code == flag::CONFLICT && f.detail.starts_with("birth date"))
    }

    /// All observations of a concept (any date, any flags).
    pub fn observations_of<'a>(
        &'a self,
        concept: &'a str,
    ) -> impl Iterator<Item = &'a Observation> + 'a {
        self.observations
            .iter()
            .filter(move |o| o.concept.as_deref() == Some(concept))
    }

    /// The most recent usable observation of `concept` dated on or before
    /// `as_of` (undated observations are used only when no dated one
    /// exists). Observations with a blocking flag are skipped.
    pub fn latest(&self, concept: &str, as_of: Date) -> Option<&Observation> {
        let mut best: Option<&Observation> = None;
        let mut undated: Option<&Observation> = None;
        for o in self
            .observations
            .iter()
            .filter(|o| o.concept.as_deref() == Some(concept) && o.is_usable())
        {
            match o.effective {
                Some(d) if d <= as_of => {
                    if best.and_then(|b| b.effective).is_none_or(|bd| d >= bd) {
                        best = Some(o);
                    }
                }
                Some(_) => {}
                None => {
                    if undated.is_none() {
                        undated = Some(o);
                    }
                }
            }
        }
        best.or(undated)
    }

    /// Conditions of a concept.
    pub fn conditions_of<'a>(
        &'a self,
        concept: &'a str,
    ) -> impl Iterator<Item = &'a Condition> + 'a {
        self.conditions
            .iter()
            .filter(move |c| c.concept.as_deref() == Some(concept))
    }

    /// Procedures of a concept.
    pub fn procedures_of<'a>(
        &'a self,
        concept: &'a str,
    ) -> impl Iterator<Item = &'a Procedure> + 'a {
        self.procedures
            .iter()
            .filter(move |p| p.concept.as_deref() == Some(concept))
    }

    /// Every flag in the patient, with where it sits (`observation
    /// Observation/x (platelets)`), for display.
    pub fn all_flags(&self) -> Vec<(String, &Flag)> {
        let mut out = Vec::new();
        let name = |c: &Option<String>, t: &Option<String>| {
            c.clone()
                .or_else(|| t.clone())
                .unwrap_or_else(|| "?".into())
        };
        for f in &self.flags {
            out.push(("patient".to_string(), f));
        }
        for o in &self.observations {
            for f in &o.flags {
                out.push((
                    format!("observation {} ({})", o.source, name(&o.concept, &o.text)),
                    f,
                ));
            }
        }
        for c in &self.conditions {
            for f in &c.flags {
                out.push((
                    format!("condition {} ({})", c.source, name(&c.concept, &c.text)),
                    f,
                ));
            }
        }
        for p in &self.procedures {
            for f in &p.flags {
                out.push((
                    format!("procedure {} ({})", p.source, name(&p.concept, &p.text)),
                    f,
                ));
            }
        }
        for m in &self.medications {
            for f in &m.flags {
                out.push((
                    format!("medication {} ({})", m.source, name(&m.concept, &m.text)),
                    f,
                ));
            }
        }
        for a in &self.allergies {
            for f in &a.flags {
                out.push((
                    format!("allergy {} ({})", a.source, name(&a.concept, &a.text)),
                    f,
                ));
            }
        }
        for l in &self.lesions {
            for f in &l.flags {
                out.push((format!("lesion {}", l.source), f));
            }
        }
        for v in &self.vascular_invasion {
            for f in &v.flags {
                out.push((format!("vascular invasion {}", v.source), f));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(concept: &str, v: f64, d: &str, flags: Vec<Flag>) -> Observation {
        Observation {
            concept: Some(concept.into()),
            value: Some(ObsValue::Quantity(Quantity::new(v, "10*9/L"))),
            effective: Date::parse(d),
            flags,
            ..Default::default()
        }
    }

    #[test]
    fn latest_respects_index_date_and_flags() {
        let p = Patient {
            id: "p".into(),
            observations: vec![
                obs("platelets", 100.0, "2024-01-01", vec![]),
                obs("platelets", 120.0, "2024-02-01", vec![]),
                obs(
                    "platelets",
                    9000.0,
                    "2024-02-15",
                    vec![Flag::new(flag::IMPLAUSIBLE, "")],
                ),
                obs("platelets", 140.0, "2024-03-01", vec![]),
            ],
            ..Default::default()
        };
        let d = Date::parse("2024-02-20").unwrap();
        assert_eq!(
            p.latest("platelets", d).unwrap().quantity().unwrap().value,
            120.0
        );
        let d = Date::parse("2024-12-31").unwrap();
        assert_eq!(
            p.latest("platelets", d).unwrap().quantity().unwrap().value,
            140.0
        );
        let d = Date::parse("2023-12-31").unwrap();
        assert!(p.latest("platelets", d).is_none());
        assert_eq!(p.all_flags().len(), 1);
    }

    #[test]
    fn serde_round_trip() {
        let p = Patient {
            id: "x".into(),
            birth_date: Date::parse("1960-05-01"),
            sex: Sex::Female,
            observations: vec![Observation {
                concept: Some("ecog".into()),
                value: Some(ObsValue::Integer(1)),
                ..Default::default()
            }],
            ..Default::default()
        };
        let s = serde_json::to_string(&p).unwrap();
        assert!(s.contains("\"sex\":\"female\""), "{s}");
        assert!(s.contains("\"integer\":1"), "{s}");
        let back: Patient = serde_json::from_str(&s).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn condition_activity() {
        let mut c = Condition {
            clinical_status: Some("active".into()),
            ..Default::default()
        };
        let d = Date::parse("2024-01-01").unwrap();
        assert!(c.is_active_on(d));
        c.abatement = Date::parse("2023-06-01");
        assert!(!c.is_active_on(d));
        c.abatement = None;
        c.clinical_status = Some("resolved".into());
        assert!(!c.is_active_on(d));
    }
}
