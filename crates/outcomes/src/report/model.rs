//! The `report.json` shape (docs/contracts.md, section "report"). Every table names the CSV in
//! the output folder it was computed from (`source`).

use serde::Serialize;

/// Version of the report JSON shape.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub title: String,
    pub study_id: Option<String>,
    pub sdtm_dir: String,
    pub trial: Option<TrialRef>,
    /// Analysis datasets written next to the report, with the module that wrote each.
    pub datasets: Vec<Dataset>,
    pub participant_flow: ParticipantFlow,
    pub baseline: Baseline,
    pub outcome_measures: Vec<OutcomeMeasure>,
    pub efficacy: Efficacy,
    pub adverse_events: Option<AdverseEvents>,
    pub plots: Vec<PlotRef>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialRef {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dataset {
    pub file: String,
    pub description: String,
    /// Rust path of the function that wrote it.
    pub written_by: String,
    pub rows: usize,
}

/// Counts per arm (parallel to the enclosing table's `arms`) plus the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRow {
    pub label: String,
    pub by_arm: Vec<u64>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParticipantFlow {
    pub source: String,
    /// Planned arms (ADSL ARM) of randomised subjects.
    pub arms: Vec<String>,
    /// Subjects in DM (everyone screened).
    pub screened: u64,
    pub screen_failures: u64,
    /// Randomised, treated, completed, discontinued, ongoing (by planned arm).
    pub rows: Vec<CountRow>,
    /// Randomised subjects who discontinued, by DS reason (`DCSREAS`).
    pub discontinuation_reasons: Vec<CountRow>,
    /// Subjects treated but not randomised, or randomised but not in a named arm.
    pub notes: Vec<String>,
}

/// Continuous summary (one per arm, then the total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Continuous {
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Characteristic {
    pub name: String,
    /// ADSL variable.
    pub variable: String,
    pub collected: bool,
    /// `continuous` or `categorical`.
    pub kind: String,
    /// Per arm then total (continuous only).
    pub summary: Vec<Continuous>,
    /// Category counts (categorical only); a `Missing` row when some subjects lack a value.
    pub categories: Vec<CountRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub source: String,
    pub population: String,
    pub arms: Vec<String>,
    /// Subjects per arm, then the total.
    pub n: Vec<u64>,
    pub characteristics: Vec<Characteristic>,
}

/// A proportion with its exact (Clopper-Pearson) CI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub k: u64,
    pub n: u64,
    pub estimate: Option<f64>,
    pub ci: [Option<f64>; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseByArm {
    pub arm: String,
    /// Randomised subjects of the arm (ITT denominator).
    pub n: u64,
    /// Subjects with a best overall response other than MISSING.
    pub assessed: u64,
    pub bor: Vec<(String, u64)>,
    pub orr: Rate,
    pub orr_confirmed: Rate,
    pub dcr: Rate,
    pub dcr_confirmed: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TteByArm {
    pub arm: String,
    pub n: u64,
    pub events: u64,
    pub median_days: Option<f64>,
    pub median_ci_days: [Option<f64>; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TteEndpoint {
    pub paramcd: String,
    pub name: String,
    pub source: String,
    pub arms: Vec<TteByArm>,
    pub logrank_p: Option<f64>,
    /// Hazard ratios (Cox, Efron) of each arm against the first.
    pub hazard_ratios: Vec<HazardRatio>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardRatio {
    pub arm: String,
    pub reference: String,
    pub hr: Option<f64>,
    pub ci: [Option<f64>; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Efficacy {
    /// `null` when no ADRS was written.
    pub response_source: Option<String>,
    pub criteria: Option<String>,
    pub response: Vec<ResponseByArm>,
    pub time_to_event: Vec<TteEndpoint>,
    pub conf_level: f64,
}

/// One registered outcome measure and what the report computed for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeMeasure {
    /// `primary`, `secondary` or `other`.
    pub kind: String,
    pub measure: String,
    pub time_frame: Option<String>,
    /// `ORR`, `DCR`, `PFS`, `OS`, `DOR`, `TTP`, `HTTP`, `AE`, or `null`.
    pub matched: Option<String>,
    /// The keyword rule that matched (docs/contracts.md, "report").
    pub rule: Option<String>,
    /// `computed` or `not computed`.
    pub status: String,
    pub values: Vec<ArmValue>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmValue {
    pub arm: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermRow {
    pub soc: String,
    /// Empty for the SOC's own row.
    pub term: String,
    pub by_arm: Vec<u64>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdverseEvents {
    pub source: String,
    /// Actual arms (ADSL ACTARM) of the safety population.
    pub arms: Vec<String>,
    /// Safety population (SAFFL = Y) per arm, then the total.
    pub n: Vec<u64>,
    /// Subjects with ≥ 1 TEAE, with grade ≥ 3 (null when AE has no AETOXGR), severe (AESEV),
    /// serious (AESER), fatal (AEOUT FATAL or grade 5).
    pub summary: Vec<CountRow>,
    pub grade_collected: bool,
    /// Subjects with a TEAE by system organ class and preferred term (SOC rows have an empty
    /// `term`), most frequent SOC first.
    pub by_soc_term: Vec<TermRow>,
    /// Subjects with a grade ≥ 3 TEAE (or, without grades, a severe one) by term.
    pub severe_by_term: Vec<TermRow>,
    /// Subjects with a serious TEAE by term.
    pub serious_by_term: Vec<TermRow>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlotRef {
    pub id: String,
    pub title: String,
    /// SVG file in the output folder.
    pub file: String,
    pub source: String,
    pub note: Option<String>,
}
