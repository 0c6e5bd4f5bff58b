//! Posted results of a trial (CT.gov API v2 `resultsSection`, classic XML
//! `<clinical_results>`), shaped like the registry's tables.
//!
//! Values are kept as the registry wrote them (strings: `"59"`, `"NA"`,
//! `"12.3"`), never re-computed. Enum spellings follow API v2
//! (`COUNT_OF_PARTICIPANTS`, `STANDARD_DEVIATION`, `CONFIDENCE_95`, `PRIMARY`);
//! classic XML's spellings are mapped to them by the reader. Group ids are the
//! source's own (`FG000`/`BG000`/`OG000`/`EG000` in API v2, `P1`/`B1`/`O1`/`E1`
//! in classic XML). Which source the results came from is
//! `Trial::provenance["results"]` (results are taken whole from one source).

use serde::{Deserialize, Serialize};

/// Everything a registry posts as results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_flow: Option<ParticipantFlow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    #[serde(default)]
    pub outcome_measures: Vec<OutcomeMeasure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adverse_events: Option<AdverseEvents>,
    /// "Limitations and caveats" (API v2 `moreInfoModule.limitationsAndCaveats`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limitations: Option<String>,
}

impl Results {
    pub fn is_empty(&self) -> bool {
        self.participant_flow.is_none()
            && self.baseline.is_none()
            && self.outcome_measures.is_empty()
            && self.adverse_events.is_none()
            && self.limitations.is_none()
    }
}

/// A reporting group (arm or cohort as the results present it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultGroup {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantFlow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruitment_details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_assignment_details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_units_analyzed: Option<String>,
    #[serde(default)]
    pub groups: Vec<ResultGroup>,
    #[serde(default)]
    pub periods: Vec<FlowPeriod>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowPeriod {
    pub title: String,
    /// `STARTED`, `COMPLETED`, `NOT COMPLETED` and free-text milestones.
    #[serde(default)]
    pub milestones: Vec<FlowRow>,
    /// Reasons for not completing (`Adverse Event`, `Withdrawal by Subject` …).
    #[serde(default)]
    pub drop_withdraws: Vec<FlowRow>,
}

/// One row of the participant-flow table: a milestone or a withdrawal reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRow {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default)]
    pub counts: Vec<FlowCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCount {
    pub group_id: String,
    /// Participants (API v2 `numSubjects`, classic `count`), as written.
    pub count: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Participants analysed per group (`denoms`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denom {
    /// `Participants` or the units analysed.
    pub units: String,
    /// Title of the class this denominator belongs to, when it is per class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default)]
    pub counts: Vec<GroupValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupValue {
    pub group_id: String,
    pub value: String,
}

/// One cell of a measure table: a group's value in a class and category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    /// Class title (row block), e.g. `Female`, `Analysis of all enrolled …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Category title (row inside a class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    #[serde(default)]
    pub groups: Vec<ResultGroup>,
    #[serde(default)]
    pub denoms: Vec<Denom>,
    #[serde(default)]
    pub measures: Vec<BaselineMeasure>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineMeasure {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    /// `MEAN`, `MEDIAN`, `COUNT_OF_PARTICIPANTS`, `NUMBER`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_type: Option<String>,
    /// `STANDARD_DEVIATION`, `FULL_RANGE`, `CONFIDENCE_95`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default)]
    pub denoms: Vec<Denom>,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeMeasure {
    /// `PRIMARY`, `SECONDARY`, `OTHER_PRE_SPECIFIED`, `POST_HOC`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame: Option<String>,
    /// `POSTED` / `NOT_POSTED` when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default)]
    pub groups: Vec<ResultGroup>,
    #[serde(default)]
    pub denoms: Vec<Denom>,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    #[serde(default)]
    pub analyses: Vec<Analysis>,
}

/// A statistical analysis of an outcome measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    #[serde(default)]
    pub group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_description: Option<String>,
    /// `SUPERIORITY`, `NON_INFERIORITY`, `EQUIVALENCE`, `OTHER`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_inferiority_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_inferiority_comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value_comment: Option<String>,
    /// E.g. `Log Rank`, `Cochran-Mantel-Haenszel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_comment: Option<String>,
    /// E.g. `Hazard Ratio (HR)`, `Mean Difference (Final Values)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_percent: Option<String>,
    /// `ONE_SIDED` / `TWO_SIDED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_sides: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_lower: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_upper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEvents {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_threshold: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub groups: Vec<EventGroup>,
    #[serde(default)]
    pub serious: Vec<AdverseEvent>,
    #[serde(default)]
    pub other: Vec<AdverseEvent>,
}

/// An adverse-event reporting group with its totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventGroup {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deaths_affected: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deaths_at_risk: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_affected: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_at_risk: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_affected: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_at_risk: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEvent {
    pub term: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organ_system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary: Option<String>,
    /// `SYSTEMATIC_ASSESSMENT` / `NON_SYSTEMATIC_ASSESSMENT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default)]
    pub stats: Vec<EventStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStats {
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<u64>,
}
