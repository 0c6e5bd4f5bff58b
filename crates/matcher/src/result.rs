//! Output shapes (docs/contracts.md, "match").

use serde::Serialize;
use tm_criteria::{Kind, ReviewKind};

/// What a criterion means for enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Does not block enrolment.
    Pass,
    /// Blocks enrolment.
    Fail,
    /// Data missing or too old (`missing` says what is needed).
    Unknown,
    /// A person must decide (`review_reason`).
    Review,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
            Outcome::Review => "review",
        }
    }
}

/// The trial verdict for a patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Eligible,
    NeedsReview,
    NeedsData,
    Ineligible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Eligible => "eligible",
            Verdict::NeedsReview => "needs_review",
            Verdict::NeedsData => "needs_data",
            Verdict::Ineligible => "ineligible",
        }
    }
    /// Sort rank: eligible first.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Eligible => 0,
            Verdict::NeedsReview => 1,
            Verdict::NeedsData => 2,
            Verdict::Ineligible => 3,
        }
    }
}

/// Where a ULN/LLN came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitUsed {
    /// `uln` or `lln`.
    pub limit: &'static str,
    /// The limit (or `[lo, hi]` bounds when a default range was used).
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_hi: Option<f64>,
    pub unit: String,
    /// `reference_range` (the observation's own) or `default` (§7.2).
    pub origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One fact used to decide (or a derived value with its inputs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub concept: String,
    /// A number, text or boolean.
    pub value: serde_json::Value,
    pub unit: Option<String>,
    /// `YYYY-MM-DD`, or null for undated facts.
    pub date: Option<String>,
    /// Resource id (`Observation/plt-1`), `derived:child_pugh`, `Patient/p1`.
    pub source: String,
    /// For derived values: the inputs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Evidence>,
    /// The derived value's one-line explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uln: Option<LimitUsed>,
    /// The value as reported, when converted for the comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// A detection-limit comparator (`<`) of the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
}

/// A fact that would settle an unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Hash, PartialOrd, Ord)]
pub struct Missing {
    pub concept: String,
    pub text: String,
    /// The fact must be at most this old (days before its anchor), or null.
    pub max_age_days: Option<i64>,
    /// In `TrialResult.missing`: the ids of every criterion that needs the
    /// fact, most specific first (`I8.1` before `I8`). Empty (and not
    /// serialized) in a criterion's own `missing`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
}

/// A review item of a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    /// `consent`, `agreement`, `investigator`, `clinical`, `unit_missing`,
    /// `ambiguous_number`, `conflict`, `unparsed`, or `at_treatment` (a check
    /// that can only be made at the time of treatment).
    pub kind: String,
    pub text: String,
    pub span: (usize, usize),
    /// False for consent / agreement / general investigator items and
    /// treatment-time checks: they are listed beside an eligible verdict.
    pub blocking: bool,
    /// The id of the criterion the item comes from (in the trial-level
    /// lists: the most specific of `criteria`).
    pub criterion: String,
    /// In `TrialResult.blocking_review` / `remaining_review`: every criterion
    /// with the same item (same kind and text), most specific first
    /// (`I8.4` before its parent `I8`). Empty (and not serialized) in a
    /// criterion's own `review_reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
}

impl ReviewItem {
    pub fn kind_str(k: ReviewKind) -> &'static str {
        match k {
            ReviewKind::Consent => "consent",
            ReviewKind::Agreement => "agreement",
            ReviewKind::Investigator => "investigator",
            ReviewKind::Clinical => "clinical",
            ReviewKind::UnitMissing => "unit_missing",
            ReviewKind::AmbiguousNumber => "ambiguous_number",
            ReviewKind::Conflict => "conflict",
            ReviewKind::Unparsed => "unparsed",
        }
    }
}

/// The result of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionResult {
    pub id: String,
    pub kind: &'static str,
    pub text: String,
    /// Byte span in the trial's criteria text; null for criteria from the
    /// trial's structured fields (minimum/maximum age, sex).
    pub span: Option<(usize, usize)>,
    pub holds: Option<bool>,
    pub outcome: Outcome,
    pub review_reason: Vec<ReviewItem>,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub missing: Vec<Missing>,
    /// The leaves whose answers decided the outcome, as short strings
    /// (`platelets >= 80 10*9/L: false`).
    pub decided_by: Vec<String>,
    /// Parent criterion id for sub-criteria (`I8` for `I8.2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// How firm the reading behind the outcome is.
    pub confidence: Confidence,
}

/// How firm the reading behind a criterion's outcome is (a verdict is only
/// as strong as its weakest reading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confidence {
    /// `firm`: read with certainty (the outcome follows from the data, or
    /// data is missing); `inferred`: decided, but a deciding reading relied
    /// on an inference listed in `why` (a unit not stated); `uncertain`:
    /// not decided because a reading is uncertain (`why` names it and what
    /// the suspected reading would give).
    pub level: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

impl Confidence {
    pub fn firm() -> Confidence {
        Confidence {
            level: "firm",
            why: Vec::new(),
        }
    }
}

pub fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Inclusion => "inclusion",
        Kind::Exclusion => "exclusion",
    }
}

/// A trial's result for one patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialResult {
    pub trial: String,
    pub title: String,
    pub verdict: Verdict,
    pub score: f64,
    pub status: Option<String>,
    /// The patient has a condition the trial lists.
    pub condition_match: bool,
    /// Criterion ids that failed (for ineligible).
    pub failed: Vec<String>,
    /// Number of criteria with outcome `unknown`.
    pub unknowns: usize,
    /// Everything missing, deduplicated (each entry's `criteria` lists the
    /// criteria that need it).
    pub missing: Vec<Missing>,
    /// Blocking review items (`needs_review`), deduplicated by kind and
    /// text (each entry's `criteria` lists where it appears).
    pub blocking_review: Vec<ReviewItem>,
    /// Consent, agreement, investigator and treatment-time items left for
    /// enrolment, deduplicated like `blocking_review`.
    pub remaining_review: Vec<ReviewItem>,
    pub criteria: Vec<CriterionResult>,
}
