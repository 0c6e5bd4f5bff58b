//! The normalised clinical-trial record.
//!
//! One `Trial` is produced per source record by a reader (`tm-ingest`);
//! records of the same trial from several sources are merged into one
//! `Trial` whose `sources` lists every contribution and whose `conflicts`
//! keeps values that disagree.

use serde::{Deserialize, Serialize};

/// Version of the JSON shape printed by `show --json` (docs/contracts.md).
pub const TRIAL_SCHEMA_VERSION: u32 = 1;

/// A registry identifier with its kind and issuing source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RegistryId {
    /// The identifier as published, e.g. `NCT06310590`, `CTR20230515`.
    pub id: String,
    /// `nct`, `ctr` (China drug-trial registry), `euct`, `eudract`, `isrctn`,
    /// `chictr`, `jrct`, `org` (organisation study id), `derived` (trialmatch
    /// hash of title and sponsor), `other`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who issued or published it (`ClinicalTrials.gov`, a sponsor name, the
    /// registry's name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Overall recruitment status, with the CT.gov API v2 enum spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OverallStatus {
    ActiveNotRecruiting,
    Completed,
    EnrollingByInvitation,
    NotYetRecruiting,
    Recruiting,
    Suspended,
    Terminated,
    Withdrawn,
    Available,
    NoLongerAvailable,
    TemporarilyNotAvailable,
    ApprovedForMarketing,
    Withheld,
    Unknown,
}

impl OverallStatus {
    /// The status as people read it: `Recruiting`, `Active, not recruiting`.
    pub fn label(self) -> &'static str {
        match self {
            Self::ActiveNotRecruiting => "Active, not recruiting",
            Self::Completed => "Completed",
            Self::EnrollingByInvitation => "Enrolling by invitation",
            Self::NotYetRecruiting => "Not yet recruiting",
            Self::Recruiting => "Recruiting",
            Self::Suspended => "Suspended",
            Self::Terminated => "Terminated",
            Self::Withdrawn => "Withdrawn",
            Self::Available => "Available",
            Self::NoLongerAvailable => "No longer available",
            Self::TemporarilyNotAvailable => "Temporarily not available",
            Self::ApprovedForMarketing => "Approved for marketing",
            Self::Withheld => "Withheld",
            Self::Unknown => "Unknown status",
        }
    }

    /// All values, in API v2 order.
    pub const ALL: [OverallStatus; 14] = [
        Self::ActiveNotRecruiting,
        Self::Completed,
        Self::EnrollingByInvitation,
        Self::NotYetRecruiting,
        Self::Recruiting,
        Self::Suspended,
        Self::Terminated,
        Self::Withdrawn,
        Self::Available,
        Self::NoLongerAvailable,
        Self::TemporarilyNotAvailable,
        Self::ApprovedForMarketing,
        Self::Withheld,
        Self::Unknown,
    ];

    /// The API v2 spelling, e.g. `ACTIVE_NOT_RECRUITING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActiveNotRecruiting => "ACTIVE_NOT_RECRUITING",
            Self::Completed => "COMPLETED",
            Self::EnrollingByInvitation => "ENROLLING_BY_INVITATION",
            Self::NotYetRecruiting => "NOT_YET_RECRUITING",
            Self::Recruiting => "RECRUITING",
            Self::Suspended => "SUSPENDED",
            Self::Terminated => "TERMINATED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Available => "AVAILABLE",
            Self::NoLongerAvailable => "NO_LONGER_AVAILABLE",
            Self::TemporarilyNotAvailable => "TEMPORARILY_NOT_AVAILABLE",
            Self::ApprovedForMarketing => "APPROVED_FOR_MARKETING",
            Self::Withheld => "WITHHELD",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Parses any spelling met in registries: `RECRUITING`, `Recruiting`,
    /// `Active, not recruiting`, `Not yet recruiting`, `Unknown status` …
    pub fn parse(s: &str) -> Option<Self> {
        let norm: String = s
            .trim()
            .chars()
            .filter_map(|c| {
                if c.is_ascii_alphanumeric() {
                    Some(c.to_ascii_uppercase())
                } else if c == ' ' || c == '_' || c == '-' || c == ',' {
                    Some('_')
                } else {
                    None
                }
            })
            .collect();
        let mut collapsed = String::new();
        for c in norm.chars() {
            if c == '_' && (collapsed.is_empty() || collapsed.ends_with('_')) {
                continue;
            }
            collapsed.push(c);
        }
        let collapsed = collapsed.trim_end_matches('_');
        let status = match collapsed {
            "ACTIVE_NOT_RECRUITING" => Self::ActiveNotRecruiting,
            "COMPLETED" => Self::Completed,
            "ENROLLING_BY_INVITATION" => Self::EnrollingByInvitation,
            "NOT_YET_RECRUITING" => Self::NotYetRecruiting,
            "RECRUITING" => Self::Recruiting,
            "SUSPENDED" => Self::Suspended,
            "TERMINATED" => Self::Terminated,
            "WITHDRAWN" => Self::Withdrawn,
            "AVAILABLE" => Self::Available,
            "NO_LONGER_AVAILABLE" => Self::NoLongerAvailable,
            "TEMPORARILY_NOT_AVAILABLE" => Self::TemporarilyNotAvailable,
            "APPROVED_FOR_MARKETING" => Self::ApprovedForMarketing,
            "WITHHELD" => Self::Withheld,
            "UNKNOWN" | "UNKNOWN_STATUS" => Self::Unknown,
            _ => return None,
        };
        Some(status)
    }
}

/// Trial phase, API v2 spelling. A trial has a list (`PHASE1`, `PHASE2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Phase {
    #[serde(rename = "EARLY_PHASE1")]
    EarlyPhase1,
    #[serde(rename = "PHASE1")]
    Phase1,
    #[serde(rename = "PHASE2")]
    Phase2,
    #[serde(rename = "PHASE3")]
    Phase3,
    #[serde(rename = "PHASE4")]
    Phase4,
    #[serde(rename = "NA")]
    NotApplicable,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EarlyPhase1 => "EARLY_PHASE1",
            Self::Phase1 => "PHASE1",
            Self::Phase2 => "PHASE2",
            Self::Phase3 => "PHASE3",
            Self::Phase4 => "PHASE4",
            Self::NotApplicable => "NA",
        }
    }

    /// Parses one phase or a combined phase into a list:
    /// `PHASE2`, `Phase 2`, `Phase 1/Phase 2`, `Phase 1/2`, `PHASE1|PHASE2`,
    /// `Early Phase 1`, `N/A`, `Not Applicable`, `II`, `Phase III`.
    pub fn parse_list(s: &str) -> Vec<Phase> {
        let up = s.to_ascii_uppercase();
        let up = up.trim();
        if up.is_empty() {
            return vec![];
        }
        if matches!(up, "NA" | "N/A" | "NOT APPLICABLE" | "NOT_APPLICABLE") {
            return vec![Phase::NotApplicable];
        }
        let mut out = Vec::new();
        let early = up.contains("EARLY");
        for part in up
            .split(['/', '|', ',', '&', ';'])
            .flat_map(|p| p.split(" AND "))
        {
            let p = part
                .replace("EARLY_PHASE", "")
                .replace("EARLY PHASE", "")
                .replace("PHASE", "")
                .replace(['_', ' '], "");
            let ph = match p.as_str() {
                "0" => Some(Phase::EarlyPhase1),
                "1" | "I" if early => Some(Phase::EarlyPhase1),
                "1" | "I" => Some(Phase::Phase1),
                "2" | "II" => Some(Phase::Phase2),
                "3" | "III" => Some(Phase::Phase3),
                "4" | "IV" => Some(Phase::Phase4),
                "12" | "1/2" => {
                    out.push(Phase::Phase1);
                    Some(Phase::Phase2)
                }
                "23" => {
                    out.push(Phase::Phase2);
                    Some(Phase::Phase3)
                }
                "NA" | "N/A" => Some(Phase::NotApplicable),
                _ => None,
            };
            if let Some(ph) = ph {
                if !out.contains(&ph) {
                    out.push(ph);
                }
            }
        }
        out.sort();
        out
    }
}

/// Enrollment count and whether it is actual or anticipated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub count: u32,
    /// `ACTUAL` or `ESTIMATED` (API v2 spelling; classic XML's `Anticipated`
    /// maps to `ESTIMATED`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Key dates, each an ISO 8601 date or partial date (`2024-03`, `2024-03-15`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialDates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_completion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_posted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
}

/// Study design (API v2 enum spellings where the source allows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    /// `RANDOMIZED`, `NON_RANDOMIZED`, `NA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<String>,
    /// `SINGLE_GROUP`, `PARALLEL`, `CROSSOVER`, `FACTORIAL`, `SEQUENTIAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention_model: Option<String>,
    /// `NONE`, `SINGLE`, `DOUBLE`, `TRIPLE`, `QUADRUPLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking: Option<String>,
    /// `TREATMENT`, `PREVENTION`, `DIAGNOSTIC`, `SUPPORTIVE_CARE`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_purpose: Option<String>,
    /// Observational model / time perspective and similar extras.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observational_model: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arm {
    pub label: String,
    /// `EXPERIMENTAL`, `ACTIVE_COMPARATOR`, `PLACEBO_COMPARATOR`,
    /// `SHAM_COMPARATOR`, `NO_INTERVENTION`, `OTHER`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Names of the interventions given in this arm.
    #[serde(default)]
    pub interventions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    /// `DRUG`, `DEVICE`, `BIOLOGICAL`, `PROCEDURE`, `RADIATION`, `BEHAVIORAL`,
    /// `GENETIC`, `DIETARY_SUPPLEMENT`, `COMBINATION_PRODUCT`,
    /// `DIAGNOSTIC_TEST`, `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub other_names: Vec<String>,
    /// Labels of the arms that receive it.
    #[serde(default)]
    pub arm_labels: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub measure: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame: Option<String>,
    /// The outcome exactly as the source wrote it, when the source packs the
    /// parts into one string (CSV exports); descriptions often contain commas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    #[serde(default)]
    pub primary: Vec<Outcome>,
    #[serde(default)]
    pub secondary: Vec<Outcome>,
    #[serde(default)]
    pub other: Vec<Outcome>,
}

impl Outcomes {
    pub fn is_empty(&self) -> bool {
        self.primary.is_empty() && self.secondary.is_empty() && self.other.is_empty()
    }
}

/// An age limit as a UCUM quantity: `{"value": 18, "unit": "a"}`.
/// Units: `a` (years), `mo`, `wk`, `d`, `h`, `min`. In years:
/// `tm_units::duration(value, &unit, "a")` (time factors live in tm-units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeLimit {
    pub value: f64,
    pub unit: String,
}

impl AgeLimit {
    /// Parses `18 Years`, `6 Months`, `18`, `N/A`, `18Y`.
    pub fn parse(s: &str) -> Option<AgeLimit> {
        let s = s.trim();
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let value: f64 = s[..num_end].parse().ok()?;
        let rest = s[num_end..].trim().to_ascii_lowercase();
        let unit = if rest.is_empty() || rest.starts_with('y') || rest == "a" {
            "a"
        } else if rest.starts_with("mo") {
            "mo"
        } else if rest.starts_with('w') {
            "wk"
        } else if rest.starts_with('d') {
            "d"
        } else if rest.starts_with('h') {
            "h"
        } else if rest.starts_with("mi") {
            "min"
        } else {
            return None;
        };
        Some(AgeLimit {
            value,
            unit: unit.to_string(),
        })
    }
}

/// Sex eligible for the trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SexEligibility {
    All,
    Female,
    Male,
}

impl SexEligibility {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" | "both" | "all sexes" | "male and female" | "female and male" => Some(Self::All),
            "female" | "females" | "women" | "female only" => Some(Self::Female),
            "male" | "males" | "men" | "male only" => Some(Self::Male),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    pub min_age: Option<AgeLimit>,
    pub max_age: Option<AgeLimit>,
    pub sex: Option<SexEligibility>,
    pub healthy_volunteers: Option<bool>,
    /// The eligibility criteria text after text repair (mojibake, markdown
    /// escapes). Criterion spans are UTF-8 byte offsets into this string.
    pub criteria_text: Option<String>,
    /// `CHILD`, `ADULT`, `OLDER_ADULT` when the source lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub std_ages: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sponsor {
    pub name: String,
    /// `lead` or `collaborator`.
    pub role: String,
    /// `INDUSTRY`, `NIH`, `FED`, `OTHER_GOV`, `NETWORK`, `OTHER`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// A description of the sponsor when a page gives one (ClinConnect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsibleParty {
    /// `SPONSOR`, `PRINCIPAL_INVESTIGATOR`, `SPONSOR_INVESTIGATOR`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Official {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// `PRINCIPAL_INVESTIGATOR`, `STUDY_CHAIR`, `STUDY_DIRECTOR`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Site recruitment status in API v2 spelling (`RECRUITING`, …); `None`
    /// when the source lists the site with an empty status.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoPoint>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
    /// `BACKGROUND`, `RESULT`, `DERIVED`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Where a trial's data came from: one entry per source record.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceRef {
    /// Reader format: `ctgov-json`, `ctgov-xml`, `ctgov-page`, `ctgov-csv-row`,
    /// `ctgov-csv`, `ctgov-csv-legacy`, `clinconnect-page`.
    pub format: String,
    /// The file it was read from (as given on the command line).
    pub file: String,
    /// Record locator inside the file: index (0-based) or line, when the
    /// file holds several records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// Content hash of the source record (hex), for idempotent re-import.
    pub content_hash: String,
    /// Date the source says its data is current as of, if it says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_as_of: Option<String>,
}

/// Values that disagree between sources, kept side by side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The field path, e.g. `status`, `enrollment.count`, `title`.
    pub field: String,
    pub values: Vec<ConflictValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    pub value: serde_json::Value,
    /// Index into `Trial::sources`.
    pub source: usize,
}

/// The normalised trial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// Canonical id: the NCT ID when known, else another registry id, else a
    /// derived id `TM-` + 16 hex digits of a hash of title and lead sponsor.
    pub id: String,
    #[serde(default)]
    pub registry_ids: Vec<RegistryId>,
    /// Other ids this trial answers to (derived ids kept after merge, …).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Brief title.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub official_title: Option<String>,
    #[serde(default)]
    pub acronym: Option<String>,
    #[serde(default)]
    pub status: Option<OverallStatus>,
    #[serde(default)]
    pub phase: Vec<Phase>,
    /// `INTERVENTIONAL`, `OBSERVATIONAL`, `EXPANDED_ACCESS`.
    #[serde(default)]
    pub study_type: Option<String>,
    #[serde(default)]
    pub enrollment: Option<Enrollment>,
    #[serde(default)]
    pub dates: TrialDates,
    #[serde(default)]
    pub design: Design,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub arms: Vec<Arm>,
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    /// Other intervention names a source lists without saying which
    /// intervention they belong to (CT.gov page text with several
    /// interventions); when attributable they go to `Intervention::other_names`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_intervention_names: Vec<String>,
    #[serde(default)]
    pub outcomes: Outcomes,
    #[serde(default)]
    pub eligibility: Eligibility,
    #[serde(default)]
    pub sponsors: Vec<Sponsor>,
    #[serde(default)]
    pub responsible_party: Option<ResponsibleParty>,
    #[serde(default)]
    pub officials: Vec<Official>,
    #[serde(default)]
    pub locations: Vec<Location>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub has_results: Option<bool>,
    /// Posted results (participant flow, baseline, outcome measures, adverse
    /// events), taken whole from one source: `provenance["results"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<crate::results::Results>,
    #[serde(default)]
    pub brief_summary: Option<String>,
    #[serde(default)]
    pub detailed_description: Option<String>,
    /// A plain-language summary (ClinConnect's summary).
    #[serde(default)]
    pub lay_summary: Option<String>,
    /// Trials a page lists as related ("More Related Trials"); never this
    /// trial's own id and never a reason to merge.
    #[serde(default)]
    pub related_trials: Vec<String>,
    /// Every source record that contributed.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// Field name → indexes into `sources` that supplied its value.
    #[serde(default)]
    pub provenance: std::collections::BTreeMap<String, Vec<usize>>,
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

impl Trial {
    /// The NCT id, if the trial has one.
    pub fn nct_id(&self) -> Option<&str> {
        self.registry_ids
            .iter()
            .find(|r| r.kind == "nct")
            .map(|r| r.id.as_str())
    }

    /// The lead sponsor's name, if known.
    pub fn lead_sponsor(&self) -> Option<&str> {
        self.sponsors
            .iter()
            .find(|s| s.role == "lead")
            .map(|s| s.name.as_str())
    }

    /// Every id this trial answers to: `id`, registry ids and aliases.
    pub fn all_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = vec![self.id.as_str()];
        v.extend(self.registry_ids.iter().map(|r| r.id.as_str()));
        v.extend(self.aliases.iter().map(|s| s.as_str()));
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_spellings() {
        assert_eq!(
            OverallStatus::parse("Active, not recruiting"),
            Some(OverallStatus::ActiveNotRecruiting)
        );
        assert_eq!(
            OverallStatus::parse("RECRUITING"),
            Some(OverallStatus::Recruiting)
        );
        assert_eq!(
            OverallStatus::parse("Not yet recruiting"),
            Some(OverallStatus::NotYetRecruiting)
        );
        assert_eq!(
            OverallStatus::parse("Unknown status"),
            Some(OverallStatus::Unknown)
        );
        assert_eq!(OverallStatus::parse("banana"), None);
        for s in OverallStatus::ALL {
            assert_eq!(OverallStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn phase_spellings() {
        assert_eq!(
            Phase::parse_list("Phase 1/Phase 2"),
            vec![Phase::Phase1, Phase::Phase2]
        );
        assert_eq!(Phase::parse_list("PHASE2"), vec![Phase::Phase2]);
        assert_eq!(
            Phase::parse_list("Phase 1/2"),
            vec![Phase::Phase1, Phase::Phase2]
        );
        assert_eq!(
            Phase::parse_list("PHASE1|PHASE2"),
            vec![Phase::Phase1, Phase::Phase2]
        );
        assert_eq!(Phase::parse_list("Early Phase 1"), vec![Phase::EarlyPhase1]);
        assert_eq!(Phase::parse_list("N/A"), vec![Phase::NotApplicable]);
        assert_eq!(Phase::parse_list("Phase III"), vec![Phase::Phase3]);
        assert_eq!(Phase::parse_list(""), vec![]);
    }

    #[test]
    fn ages() {
        let a = AgeLimit::parse("18 Years").unwrap();
        assert_eq!((a.value, a.unit.as_str()), (18.0, "a"));
        let m = AgeLimit::parse("6 Months").unwrap();
        assert_eq!(m.unit, "mo");
        assert!(AgeLimit::parse("N/A").is_none());
    }
}
