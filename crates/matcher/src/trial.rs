//! Trials: the metadata the matcher needs, the verdict for one patient,
//! the score, filters and ranking.

use serde::Serialize;
use tm_criteria::{Atom, CompiledCriteria, CompiledCriterion, Expr, Kind, Op, Status, Value};
use tm_model::patient::Sex;
use tm_model::{OverallStatus, Phase, SexEligibility, Trial};

use crate::eval::eval_criterion;
use crate::facts::PatientFacts;
use crate::result::{
    Confidence, CriterionResult, Evidence, Missing, Outcome, ReviewItem, TrialResult, Verdict,
};

/// What the matcher needs of a trial besides its compiled criteria.
#[derive(Debug, Clone, Serialize)]
pub struct TrialInfo {
    pub id: String,
    pub title: String,
    pub status: Option<OverallStatus>,
    pub phases: Vec<Phase>,
    pub conditions: Vec<String>,
    /// Lexicon concepts named by `conditions` (metadata, not criteria).
    pub condition_concepts: Vec<String>,
    pub countries: Vec<String>,
    /// Structured age limits in years.
    pub min_age: Option<f64>,
    pub max_age: Option<f64>,
    pub sex: Option<SexEligibility>,
    /// Display form of the structured limits.
    pub min_age_text: Option<String>,
    pub max_age_text: Option<String>,
}

impl TrialInfo {
    pub fn from_trial(t: &Trial) -> TrialInfo {
        let mut concepts: Vec<String> = Vec::new();
        for c in &t.conditions {
            for (_, k) in tm_lexicon::find_in(c) {
                if matches!(k.kind, tm_lexicon::Kind::Condition) && !concepts.contains(&k.id) {
                    concepts.push(k.id.clone());
                }
            }
        }
        let mut countries: Vec<String> = t
            .locations
            .iter()
            .filter_map(|l| l.country.clone())
            .collect();
        countries.sort();
        countries.dedup();
        let e = &t.eligibility;
        TrialInfo {
            id: t.id.clone(),
            title: t
                .title
                .clone()
                .or_else(|| t.official_title.clone())
                .unwrap_or_default(),
            status: t.status,
            phases: t.phase.clone(),
            conditions: t.conditions.clone(),
            condition_concepts: concepts,
            countries,
            min_age: e.min_age.as_ref().and_then(age_years).filter(|y| *y > 0.0),
            max_age: e.max_age.as_ref().and_then(age_years),
            sex: e.sex,
            min_age_text: e
                .min_age
                .as_ref()
                .map(|a| format!("{} {}", a.value, a.unit)),
            max_age_text: e
                .max_age
                .as_ref()
                .map(|a| format!("{} {}", a.value, a.unit)),
        }
    }

    pub fn recruiting(&self) -> bool {
        matches!(
            self.status,
            Some(OverallStatus::Recruiting) | Some(OverallStatus::NotYetRecruiting)
        )
    }
}

/// Which trials to evaluate (trials named explicitly are always
/// evaluated).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Evaluate every status (default: recruiting and not yet recruiting).
    pub any_status: bool,
    /// Case-insensitive substring of a condition.
    pub condition: Option<String>,
    pub phase: Option<Phase>,
    /// Case-insensitive country name of a location.
    pub country: Option<String>,
}

impl Filters {
    pub fn accepts(&self, t: &TrialInfo) -> bool {
        if !self.any_status && !t.recruiting() {
            return false;
        }
        if let Some(c) = &self.condition {
            let c = c.to_lowercase();
            if !t.conditions.iter().any(|x| x.to_lowercase().contains(&c)) {
                return false;
            }
        }
        if let Some(p) = self.phase {
            if !t.phases.contains(&p) {
                return false;
            }
        }
        if let Some(k) = &self.country {
            let k = k.to_lowercase();
            if !t.countries.iter().any(|x| x.to_lowercase() == k) {
                return false;
            }
        }
        true
    }
}

pub(crate) fn structured_age(t: &TrialInfo) -> Option<CompiledCriterion> {
    let mut atoms = Vec::new();
    let mut parts = Vec::new();
    if let Some(min) = t.min_age {
        atoms.push(Atom {
            field: "age".into(),
            op: Op::Ge,
            value: Value::Number(min),
            unit: Some("a".into()),
            span: (0, 0),
            window: None,
        });
        parts.push(format!(
            "minimum age {}",
            t.min_age_text.clone().unwrap_or_default()
        ));
    }
    if let Some(max) = t.max_age {
        atoms.push(Atom {
            field: "age".into(),
            op: Op::Le,
            value: Value::Number(max),
            unit: Some("a".into()),
            span: (0, 0),
            window: None,
        });
        parts.push(format!(
            "maximum age {}",
            t.max_age_text.clone().unwrap_or_default()
        ));
    }
    if atoms.is_empty() {
        return None;
    }
    let all = (0..atoms.len())
        .map(|i| Expr::Compare { atom: i })
        .collect();
    Some(CompiledCriterion {
        id: "AGE".into(),
        kind: Kind::Inclusion,
        text: format!("{} (structured eligibility)", parts.join(", ")),
        span: (0, 0),
        parent: None,
        status: Status::Computable,
        review_reason: Vec::new(),
        expr: Expr::And { all },
        atoms,
    })
}

/// The sex the trial admits, when it admits only one.
fn sex_wanted(t: &TrialInfo) -> Option<Sex> {
    match t.sex? {
        SexEligibility::Male => Some(Sex::Male),
        SexEligibility::Female => Some(Sex::Female),
        _ => None,
    }
}

/// The structured sex criterion: `None` when the trial admits any sex;
/// otherwise whether the patient's recorded sex is admitted (unknown when
/// none is recorded).
pub(crate) fn sex_admitted(t: &TrialInfo, facts: &PatientFacts) -> Option<Option<bool>> {
    let want = sex_wanted(t)?;
    Some(match facts.patient.sex {
        Sex::Male | Sex::Female => Some(facts.patient.sex == want),
        _ => None,
    })
}

fn structured_sex(t: &TrialInfo, facts: &PatientFacts) -> Option<CriterionResult> {
    let want = sex_wanted(t)?;
    let have = facts.patient.sex;
    let holds = sex_admitted(t, facts)?;
    let outcome = match holds {
        Some(true) => Outcome::Pass,
        Some(false) => Outcome::Fail,
        None => Outcome::Unknown,
    };
    let label = if want == Sex::Male { "male" } else { "female" };
    Some(CriterionResult {
        id: "SEX".into(),
        kind: "inclusion",
        text: format!("sex: {label} (structured eligibility)"),
        span: None,
        holds,
        outcome,
        review_reason: Vec::new(),
        explanation: format!(
            "SEX inclusion → {} (patient sex {:?})",
            outcome.as_str(),
            have
        )
        .to_lowercase(),
        evidence: vec![Evidence {
            concept: "sex".into(),
            value: serde_json::json!(format!("{have:?}").to_lowercase()),
            unit: None,
            date: None,
            source: format!("Patient/{}", facts.patient.id),
            inputs: Vec::new(),
            explanation: None,
            uln: None,
            original: None,
            comparator: None,
        }],
        missing: if holds.is_none() {
            vec![Missing {
                concept: "sex".into(),
                text: "administrative sex".into(),
                max_age_days: None,
                criteria: Vec::new(),
            }]
        } else {
            Vec::new()
        },
        decided_by: Vec::new(),
        parent: None,
        confidence: Confidence::firm(),
    })
}

/// True when the patient has an active condition the trial lists.
pub fn condition_match(t: &TrialInfo, facts: &PatientFacts) -> bool {
    facts.has_active_condition(&t.condition_concepts)
}

/// The condition the trial studies (registry `conditions`: metadata, not
/// criteria text). A trial is never `eligible` for a patient who is not
/// known to have it: the check passes when an active diagnosis of the
/// patient is (or descends from) a lexicon concept the trial's conditions
/// name; otherwise it is a blocking review item of kind `condition` — the
/// coordinator confirms the diagnosis (condition names the lexicon does not
/// know, healthy-volunteer studies, or no matching diagnosis on record).
/// `None` when the trial lists no condition.
pub fn structured_condition(t: &TrialInfo, facts: &PatientFacts) -> Option<CriterionResult> {
    if t.conditions.is_empty() {
        return None;
    }
    let matched = condition_match(t, facts);
    let text = format!("condition studied: {}", t.conditions.join("; "));
    let (outcome, review_reason, explanation) = if matched {
        (
            Outcome::Pass,
            Vec::new(),
            format!(
                "COND inclusion → pass (the patient has an active diagnosis of {})",
                t.condition_concepts.join(" / ")
            ),
        )
    } else {
        let why = if t.condition_concepts.is_empty() {
            "the trial's condition is not one trialmatch recognises: confirm the patient has it"
        } else {
            "no active diagnosis of the studied condition on record: confirm the patient has it"
        };
        (
            Outcome::Review,
            vec![ReviewItem {
                kind: "condition".into(),
                text: format!("{text} — {why}"),
                span: (0, 0),
                blocking: true,
                criterion: "COND".into(),
                criteria: Vec::new(),
            }],
            format!("COND inclusion → review ({why})"),
        )
    };
    Some(CriterionResult {
        id: "COND".into(),
        kind: "inclusion",
        text,
        span: None,
        holds: matched.then_some(true),
        outcome,
        review_reason,
        explanation,
        evidence: Vec::new(),
        missing: Vec::new(),
        decided_by: Vec::new(),
        parent: None,
        confidence: Confidence::firm(),
    })
}

/// Evaluates every criterion of a trial for a patient, with explanations
/// and evidence, and sets the verdict (the verdict alone, for many trials:
/// [`crate::Plan::verdicts`], which gives the same verdicts).
pub fn evaluate_trial(
    t: &TrialInfo,
    compiled: &CompiledCriteria,
    facts: &PatientFacts,
) -> TrialResult {
    let mut criteria: Vec<CriterionResult> = Vec::with_capacity(compiled.criteria.len() + 2);
    if let Some(age) = structured_age(t) {
        let mut r = eval_criterion(&age, facts);
        r.span = None;
        criteria.push(r);
    }
    if let Some(s) = structured_sex(t, facts) {
        criteria.push(s);
    }
    if let Some(c) = structured_condition(t, facts) {
        criteria.push(c);
    }
    for c in &compiled.criteria {
        criteria.push(eval_criterion(c, facts));
    }
    // No criteria on record: nothing was checked, so never eligible.
    if compiled.criteria.is_empty() {
        criteria.push(CriterionResult {
            id: "CRITERIA".into(),
            kind: "inclusion",
            text: "(no eligibility criteria on record)".into(),
            span: None,
            holds: None,
            outcome: Outcome::Review,
            review_reason: vec![ReviewItem {
                kind: "unparsed".into(),
                text: "no eligibility criteria text on record".into(),
                span: (0, 0),
                blocking: true,
                criterion: "CRITERIA".into(),
                criteria: Vec::new(),
            }],
            explanation: "the trial record has no eligibility criteria: read the protocol".into(),
            evidence: Vec::new(),
            missing: Vec::new(),
            decided_by: Vec::new(),
            parent: None,
            confidence: Confidence::firm(),
        });
    }
    finish(t, criteria, facts)
}

fn finish(t: &TrialInfo, criteria: Vec<CriterionResult>, facts: &PatientFacts) -> TrialResult {
    // A parent with sub-criteria repeats them: count each fact once (its
    // own outcome still counts for the verdict: its lead-in may decide).
    let is_parent = |c: &CriterionResult| {
        criteria
            .iter()
            .any(|x| x.parent.as_deref() == Some(c.id.as_str()))
    };
    let leaf: Vec<&CriterionResult> = criteria.iter().filter(|c| !is_parent(c)).collect();
    let mut failed: Vec<String> = leaf
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.id.clone())
        .collect();
    for c in criteria
        .iter()
        .filter(|c| is_parent(c) && c.outcome == Outcome::Fail)
    {
        let child_failed = criteria
            .iter()
            .any(|x| x.parent.as_deref() == Some(c.id.as_str()) && x.outcome == Outcome::Fail);
        if !child_failed {
            failed.push(c.id.clone());
        }
    }
    let unknowns = leaf
        .iter()
        .filter(|c| c.outcome == Outcome::Unknown)
        .count();
    let any_unknown = criteria.iter().any(|c| c.outcome == Outcome::Unknown);
    let blocked = criteria
        .iter()
        .any(|c| c.outcome == Outcome::Review && c.review_reason.iter().any(|r| r.blocking));
    let (blocking_review, remaining_review) = collect_review(&criteria);
    let missing = collect_missing(&criteria);
    let verdict = crate::plan::Tally {
        failed: !failed.is_empty(),
        blocked,
        unknown: any_unknown,
    }
    .verdict();
    let cm = condition_match(t, facts);
    let passed = leaf.iter().filter(|c| c.outcome == Outcome::Pass).count();
    let score = score(verdict, passed, leaf.len(), cm, t.recruiting());
    TrialResult {
        trial: t.id.clone(),
        title: t.title.clone(),
        verdict,
        score,
        status: t.status.map(|s| s.as_str().to_string()),
        condition_match: cm,
        failed,
        unknowns,
        missing,
        blocking_review,
        remaining_review,
        criteria,
    }
}

/// Whitespace-collapsed, lower-case text: items that differ only in
/// spacing or case are the same item.
fn norm_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Adds `id` to `ids` (once), before any of its ancestors, so the most
/// specific criterion comes first. Returns true when it went first.
fn add_id(criteria: &[CriterionResult], ids: &mut Vec<String>, id: &str) -> bool {
    if ids.iter().any(|x| x == id) {
        return false;
    }
    // The ancestors of `id`, found once rather than once per listed id
    // (that was cubic in the number of criteria, issue 29 item 3).
    let parent_of = |x: &str| {
        criteria
            .iter()
            .find(|c| c.id == x)
            .and_then(|c| c.parent.as_deref())
    };
    let mut ancestors: Vec<&str> = Vec::new();
    let mut cur = parent_of(id);
    while let Some(p) = cur.filter(|p| ancestors.len() < criteria.len() && !ancestors.contains(p)) {
        ancestors.push(p);
        cur = parent_of(p);
    }
    let pos = ids
        .iter()
        .position(|x| ancestors.contains(&x.as_str()))
        .unwrap_or(ids.len());
    ids.insert(pos, id.to_string());
    pos == 0
}

/// Adds review item `r` of criterion `id` to `list`: merged into the entry
/// with the same kind and text (whitespace and case aside) when there is
/// one, keeping the most specific criterion's id, wording and span first.
pub(crate) fn merge_review(
    list: &mut Vec<ReviewItem>,
    r: &ReviewItem,
    id: &str,
    criteria: &[CriterionResult],
) {
    let key = norm_text(&r.text);
    match list
        .iter_mut()
        .find(|x| x.kind == r.kind && norm_text(&x.text) == key)
    {
        Some(x) => {
            if add_id(criteria, &mut x.criteria, id) {
                x.text.clone_from(&r.text);
                x.span = r.span;
                x.criterion = id.to_string();
            }
        }
        None => {
            let mut x = r.clone();
            x.criterion = id.to_string();
            x.criteria = vec![id.to_string()];
            list.push(x);
        }
    }
}

/// The trial-level review lists (blocking, remaining): every criterion's
/// items (a parent's as well as its sub-criteria's), one entry per
/// blocking/kind/text with the ids of all criteria that carry it.
fn collect_review(criteria: &[CriterionResult]) -> (Vec<ReviewItem>, Vec<ReviewItem>) {
    let mut blocking: Vec<ReviewItem> = Vec::new();
    let mut remaining: Vec<ReviewItem> = Vec::new();
    for c in criteria {
        for r in &c.review_reason {
            let list = if r.blocking {
                &mut blocking
            } else {
                &mut remaining
            };
            merge_review(list, r, &c.id, criteria);
        }
    }
    (blocking, remaining)
}

/// Adds missing fact `m` of criterion `id` to `list`: merged into the
/// entry for the same fact when there is one.
pub(crate) fn merge_missing(
    list: &mut Vec<Missing>,
    m: &Missing,
    id: &str,
    criteria: &[CriterionResult],
) {
    match list
        .iter_mut()
        .find(|x| x.concept == m.concept && x.text == m.text && x.max_age_days == m.max_age_days)
    {
        Some(x) => {
            add_id(criteria, &mut x.criteria, id);
        }
        None => {
            let mut x = m.clone();
            x.criteria = vec![id.to_string()];
            list.push(x);
        }
    }
}

/// The trial-level missing facts of unknown / review criteria, one entry
/// per fact with the ids of all criteria that need it.
fn collect_missing(criteria: &[CriterionResult]) -> Vec<Missing> {
    let mut missing: Vec<Missing> = Vec::new();
    for c in criteria
        .iter()
        .filter(|c| c.outcome == Outcome::Unknown || c.outcome == Outcome::Review)
    {
        for m in &c.missing {
            merge_missing(&mut missing, m, &c.id, criteria);
        }
    }
    missing
}

/// The score: `band + 0.2499 × (0.6 × passed/criteria + 0.25 ×
/// condition_match + 0.15 × recruiting)` with band 0.75 (eligible), 0.5
/// (needs_review), 0.25 (needs_data), 0 (ineligible). It lies in [0, 1)
/// and never crosses bands, so sorting by score keeps the verdict order
/// (docs/contracts.md).
pub fn score(
    verdict: Verdict,
    passed: usize,
    total: usize,
    condition_match: bool,
    recruiting: bool,
) -> f64 {
    let band = match verdict {
        Verdict::Eligible => 0.75,
        Verdict::NeedsReview => 0.5,
        Verdict::NeedsData => 0.25,
        Verdict::Ineligible => 0.0,
    };
    let frac = if total == 0 {
        0.0
    } else {
        passed as f64 / total as f64
    };
    let within = 0.6 * frac
        + 0.25 * f64::from(u8::from(condition_match))
        + 0.15 * f64::from(u8::from(recruiting));
    let s = band + 0.2499 * within;
    (s * 10000.0).round() / 10000.0
}

/// Ranks results: eligible, needs_review, needs_data (fewest unknowns
/// first), ineligible; ties by condition match, recruiting status, score,
/// trial id.
pub fn rank(results: &mut [TrialResult]) {
    results.sort_by(|a, b| {
        let key = |r: &TrialResult| {
            (
                r.verdict.rank(),
                if r.verdict == Verdict::NeedsData {
                    r.unknowns
                } else {
                    0
                },
                !r.condition_match,
                r.status.as_deref() != Some("RECRUITING")
                    && r.status.as_deref() != Some("NOT_YET_RECRUITING"),
            )
        };
        key(a)
            .cmp(&key(b))
            .then(b.score.total_cmp(&a.score))
            .then(a.trial.cmp(&b.trial))
    });
}

/// An age limit in years (UCUM factors of `tm_units::duration`).
fn age_years(a: &tm_model::AgeLimit) -> Option<f64> {
    tm_units::duration(a.value, &a.unit, "a")
}
