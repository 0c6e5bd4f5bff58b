//! The engine snapshot (issue 17 item 1): one JSON line per criterion of
//! every trial (id, status, the IR on one line) and, with patients, one
//! line per patient × trial (verdict and the criteria behind it). Lines are
//! sorted so that two snapshots — before and after an engine change — diff
//! cleanly with `diff`; the same inputs give the same bytes.

use serde::Serialize;
use tm_criteria::{render, CompiledCriteria, CompiledCriterion, Status};
use tm_matcher::{match_patient, MatchConfig, Outcome, PatientFacts, TrialInfo, TrialResult};
use tm_model::Date;

use crate::patients::PatientEntry;

/// `"computable" | "partial" | "review" | "unparsed"`.
pub fn status_str(s: Status) -> &'static str {
    match s {
        Status::Computable => "computable",
        Status::Partial => "partial",
        Status::Review => "review",
        Status::Unparsed => "unparsed",
    }
}

/// The criterion's IR on one line (`tm_criteria::render::expr_to_string`,
/// whitespace runs — e.g. a line break inside unparsed text — as one space).
pub fn ir_line(c: &CompiledCriterion) -> String {
    let s = render::expr_to_string(&c.expr, &c.atoms);
    if s.chars().any(|c| c.is_whitespace() && c != ' ') || s.contains("  ") {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        s
    }
}

/// One criterion of one trial.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionLine {
    pub trial: String,
    /// `I3`, `E2.1` …
    pub criterion: String,
    pub status: &'static str,
    pub ir: String,
    /// `hint` for texts read from the HINT CSV (compiled directly, not
    /// imported); absent for trials read through the store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
}

/// One patient × trial verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictLine {
    pub patient: String,
    pub trial: String,
    pub verdict: &'static str,
    /// `TrialResult.failed` (the criteria that make it ineligible).
    pub failed: Vec<String>,
    /// Every criterion with outcome `unknown`, in criterion order.
    pub unknown: Vec<String>,
    /// Every criterion with outcome `review`, in criterion order.
    pub review: Vec<String>,
}

/// The criterion lines of one trial, in criterion order.
pub fn criterion_lines(
    trial: &str,
    c: &CompiledCriteria,
    source: Option<&'static str>,
) -> Vec<CriterionLine> {
    c.criteria
        .iter()
        .map(|x| CriterionLine {
            trial: trial.to_string(),
            criterion: x.id.clone(),
            status: status_str(x.status),
            ir: ir_line(x),
            source,
        })
        .collect()
}

fn ids_with(r: &TrialResult, o: Outcome) -> Vec<String> {
    r.criteria
        .iter()
        .filter(|c| c.outcome == o)
        .map(|c| c.id.clone())
        .collect()
}

/// The verdict line of one trial result.
pub fn verdict_line(patient: &str, r: &TrialResult) -> VerdictLine {
    VerdictLine {
        patient: patient.to_string(),
        trial: r.trial.clone(),
        verdict: r.verdict.as_str(),
        failed: r.failed.clone(),
        unknown: ids_with(r, Outcome::Unknown),
        review: ids_with(r, Outcome::Review),
    }
}

/// A whole snapshot.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub criteria: Vec<CriterionLine>,
    pub verdicts: Vec<VerdictLine>,
}

impl Snapshot {
    /// Adds the criterion lines of `trials` (`(trial id, criteria)`).
    pub fn add_criteria<'a>(
        &mut self,
        trials: impl IntoIterator<Item = (&'a str, &'a CompiledCriteria)>,
        source: Option<&'static str>,
    ) {
        for (id, c) in trials {
            self.criteria.extend(criterion_lines(id, c, source));
        }
    }

    /// Screens every patient against every trial as `trialmatch match`
    /// does (`tm_matcher::match_patient`, index date `as_of`, planned start
    /// = index date, any status) and adds one line per pair.
    pub fn add_verdicts(
        &mut self,
        patients: &[PatientEntry],
        trials: &[(TrialInfo, CompiledCriteria)],
        as_of: Date,
    ) {
        let refs: Vec<(TrialInfo, &CompiledCriteria)> =
            trials.iter().map(|(t, c)| (t.clone(), c)).collect();
        for p in patients {
            let facts = PatientFacts::new(&p.patient, MatchConfig::new(as_of));
            let report = match_patient(&facts, &refs);
            self.verdicts
                .extend(report.results.iter().map(|r| verdict_line(&p.label, r)));
        }
    }

    /// Sorts the lines: criteria by trial (then source; criterion order
    /// kept), verdicts by patient then trial.
    pub fn sort(&mut self) {
        self.criteria
            .sort_by(|a, b| (&a.trial, a.source).cmp(&(&b.trial, b.source)));
        self.verdicts
            .sort_by(|a, b| (&a.patient, &a.trial).cmp(&(&b.patient, &b.trial)));
    }

    /// The sorted snapshot as JSON lines: every criterion line, then every
    /// verdict line; each line ends with `\n`.
    pub fn to_jsonl(&self) -> String {
        let mut s = self.clone();
        s.sort();
        let mut out = String::new();
        for l in &s.criteria {
            out.push_str(&serde_json::to_string(l).unwrap_or_default());
            out.push('\n');
        }
        for l in &s.verdicts {
            out.push_str(&serde_json::to_string(l).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_sorted_and_stable() {
        let a = tm_criteria::compile("Inclusion Criteria:\n- Platelets >= 50,000/mm3\n- Age 18 or older\nExclusion Criteria:\n- Pregnancy\n");
        let b = tm_criteria::compile("Inclusion Criteria:\n- ECOG 0-1\n");
        let mut s = Snapshot::default();
        s.add_criteria([("NCT2", &a), ("NCT1", &b)], None);
        let text = s.to_jsonl();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), a.criteria.len() + b.criteria.len());
        assert!(lines[0].starts_with(r#"{"trial":"NCT1","criterion":"I1","#));
        assert!(lines[1].starts_with(r#"{"trial":"NCT2","criterion":"I1","#));
        assert!(text.contains(r#""criterion":"E1""#));
        assert!(text.contains("platelets >= "), "{text}");
        // Criterion order is kept within a trial (I1, I2, E1).
        let ids: Vec<String> = lines[1..]
            .iter()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["criterion"].to_string())
            .collect();
        assert_eq!(ids, ["\"I1\"", "\"I2\"", "\"E1\""]);
        assert_eq!(text, s.to_jsonl());
    }
}
