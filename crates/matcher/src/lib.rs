//! Three-valued evaluation of compiled criteria against a patient;
//! verdicts, evidence, ranking (issue 9).
//!
//! **Architecture invariant: the matcher never reads raw text.** It sees
//! only the criterion IR (`tm_criteria::CompiledCriterion`: expressions,
//! atoms, concept ids, windows, review leaves) and the typed
//! `tm_model::patient::Patient`. Criteria text is copied into results for
//! display only; it is never parsed here.
//!
//! Module map:
//! - [`config`]   — index date, planned start, recency windows, default
//!   ULN/LLN ranges (clinical-rules §7.2).
//! - [`concepts`] — criterion concept ids → fact concept ids (aliases,
//!   hierarchy, negative tests, derived values).
//! - [`facts`]    — the patient prepared once ([`PatientFacts`]) and the
//!   answer of each leaf with evidence / missing data.
//! - [`eval`]     — Kleene evaluation of a criterion, outcome classification
//!   (pass / fail / unknown / review).
//! - [`trial`]    — trial metadata, structured age/sex criteria, verdict,
//!   score, filters, ranking.
//! - [`result`]   — the output shapes (docs/contracts.md, "match").
//! - [`human`]    — the coordinator's screening sheet (text).
//! - [`plan`]     — the fast path: trials flattened once, leaves shared
//!   across trials, verdict-only evaluation (identical verdicts).
//!
//! Typical use:
//! ```text
//! let facts = PatientFacts::new(&patient, MatchConfig::new(as_of));
//! let r = evaluate_trial(&TrialInfo::from_trial(&trial), &compiled, &facts);
//! ```

pub mod concepts;
pub mod config;
pub mod eval;
pub mod facts;
pub mod human;
pub mod plan;
pub mod result;
pub mod trial;

use serde::Serialize;

pub use config::MatchConfig;
pub use eval::eval_criterion;
pub use facts::PatientFacts;
pub use plan::Plan;
pub use result::{CriterionResult, Evidence, Missing, Outcome, ReviewItem, TrialResult, Verdict};
pub use trial::{evaluate_trial, rank, Filters, TrialInfo};

/// The `match --json` document.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub patient: PatientRef,
    pub as_of: String,
    pub planned_start: String,
    pub results: Vec<TrialResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatientRef {
    pub id: String,
}

/// Evaluates and ranks `trials` for one patient (with explanations).
pub fn match_patient(
    facts: &PatientFacts,
    trials: &[(TrialInfo, &tm_criteria::CompiledCriteria)],
) -> MatchReport {
    let mut results: Vec<TrialResult> = trials
        .iter()
        .map(|(t, c)| evaluate_trial(t, c, facts))
        .collect();
    rank(&mut results);
    MatchReport {
        patient: PatientRef {
            id: facts.patient.id.clone(),
        },
        as_of: facts.cfg.as_of.to_string(),
        planned_start: facts.cfg.planned_start.to_string(),
        results,
    }
}
