//! The false-verdict audit (issue 19 item 2): hand labels of whether a
//! patient is excluded from a trial (`../shared/data/audit/labels.json`)
//! against the matcher's verdicts. Counts false ineligible, false eligible,
//! exclusions caught for the labelled reason or another one, and the share
//! of criterion outcomes that are decided (pass or fail). Rules:
//! docs/evaluation.md, "Audit".

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tm_criteria::CompiledCriteria;
use tm_matcher::{
    evaluate_trial, CriterionResult, MatchConfig, Outcome, PatientFacts, TrialInfo, TrialResult,
    Verdict,
};
use tm_model::Date;

use crate::patients::PatientSet;
use crate::snapshot::ir_line;

/// Version of the `eval audit --json` shape (docs/contracts.md).
pub const AUDIT_SCHEMA_VERSION: u32 = 1;

/// `labels.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    /// The screening date the labellers used (`YYYY-MM-DD`).
    #[serde(default)]
    pub as_of: Option<String>,
    pub labels: Vec<Label>,
}

/// One trial × patient label.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub trial: String,
    pub patient: String,
    pub excluded: bool,
    #[serde(default)]
    pub ambiguous: bool,
    #[serde(default)]
    pub excluded_by: Vec<Reason>,
    #[serde(default)]
    pub satisfied_notable: Vec<Reason>,
    #[serde(default)]
    pub note: String,
}

/// A deciding (or notable) criterion: a verbatim snippet of the criteria
/// text, or `gender: …` / `minimum_age: …` / `maximum_age: …` /
/// `condition: …` / `brief_title: …` for population fields.
#[derive(Debug, Clone, Deserialize)]
pub struct Reason {
    #[serde(alias = "snippet")]
    pub text: String,
    #[serde(default)]
    pub why: String,
}

impl Labels {
    pub fn parse(json: &str) -> Result<Labels, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The distinct trial ids, sorted.
    pub fn trial_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.labels.iter().map(|l| l.trial.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Lower-case alphanumeric words.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Length of the longest run of tokens common to `a` and `b`.
fn longest_common_run(a: &[String], b: &[String]) -> usize {
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// Tokens a shared run must have to count on its own.
const LONG_RUN: usize = 6;

/// True when a criterion text and a label snippet are the same text for
/// the audit: compared as lower-case alphanumeric words (punctuation,
/// whitespace and case ignored), one contains the other (the shorter
/// having at least 2 words or 8 characters), or they share a run of at
/// least 6 words.
pub fn text_overlaps(criterion: &str, snippet: &str) -> bool {
    let a = tokens(criterion);
    let b = tokens(snippet);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let run = longest_common_run(&a, &b);
    let shorter = if a.len() <= b.len() { &a } else { &b };
    let contained = run == shorter.len()
        && (shorter.len() >= 2 || shorter.iter().map(String::len).sum::<usize>() >= 8);
    contained || run >= LONG_RUN
}

/// The structured criterion a population-field snippet stands for:
/// `gender:` → `SEX`, `minimum_age:` / `maximum_age:` → `AGE`,
/// `condition:` / `brief_title:` / `official_title:` → `COND`.
pub fn structured_target(snippet: &str) -> Option<&'static str> {
    let (field, _) = snippet.split_once(':')?;
    match field.trim().to_ascii_lowercase().as_str() {
        "gender" | "sex" => Some("SEX"),
        "minimum_age" | "maximum_age" | "age" => Some("AGE"),
        "condition" | "conditions" | "brief_title" | "official_title" | "title" => Some("COND"),
        _ => None,
    }
}

const STRUCTURED: [&str; 3] = ["AGE", "SEX", "COND"];

/// True when criterion result `c` is what snippet `s` names.
pub fn criterion_matches(c: &CriterionResult, snippet: &str) -> bool {
    match structured_target(snippet) {
        Some(id) => c.id == id,
        None => !STRUCTURED.contains(&c.id.as_str()) && text_overlaps(&c.text, snippet),
    }
}

/// `count` of `of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Ratio {
    pub count: usize,
    pub of: usize,
}

/// Exclusions (excluded, not ambiguous) and how the engine caught them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Caught {
    /// Verdict `ineligible`.
    pub count: usize,
    /// Labelled exclusions.
    pub of: usize,
    /// Ineligible with a failed criterion that overlaps an `excluded_by`.
    pub labelled_reason: usize,
    /// Of those: caught only by a structured line (AGE / SEX / COND) that
    /// a population-field snippet names, no criteria-text line.
    pub labelled_structured_only: usize,
    /// Ineligible, but no failed criterion is a labelled one.
    pub other_reason: usize,
    /// Not ineligible.
    pub not_caught: usize,
}

/// Criterion outcomes over the labelled, non-ambiguous pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Decided {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub review: usize,
    pub total: usize,
    /// (pass + fail) / total.
    pub share: f64,
}

/// A criterion that decided a wrong pair (or that the label names).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecidingCriterion {
    pub id: String,
    /// The first 160 characters of the text.
    pub text: String,
    pub outcome: &'static str,
    /// The IR on one line (for AGE / SEX / COND: the structured check).
    pub ir: String,
    /// Failed for this pair.
    pub failed: bool,
    /// Overlaps an `excluded_by` snippet of the label.
    pub labelled: bool,
}

/// A pair the engine got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrongPair {
    /// `false_ineligible`, `false_eligible` or `caught_other_reason`.
    pub kind: &'static str,
    pub trial: String,
    pub patient: String,
    pub verdict: &'static str,
    /// The failed criteria, then the criteria the label names.
    pub criteria: Vec<DecidingCriterion>,
    /// `excluded_by` snippets no criterion overlaps.
    pub unmatched_snippets: Vec<String>,
    pub note: String,
}

/// A label that could not be screened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub trial: String,
    pub patient: String,
    pub reason: String,
}

/// Verdict counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerdictCounts {
    pub eligible: usize,
    pub needs_review: usize,
    pub needs_data: usize,
    pub ineligible: usize,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Eligible => self.eligible += 1,
            Verdict::NeedsReview => self.needs_review += 1,
            Verdict::NeedsData => self.needs_data += 1,
            Verdict::Ineligible => self.ineligible += 1,
        }
    }
}

/// The `eval audit --json` document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub schema_version: u32,
    pub as_of: String,
    pub compiler_version: &'static str,
    /// Labels in the file.
    pub labels: usize,
    /// Ambiguous labels (left out of every figure).
    pub ambiguous: usize,
    /// Non-ambiguous labels screened.
    pub screened: usize,
    /// Labels whose trial or patient was not found.
    pub skipped: Vec<Skipped>,
    /// Verdicts of the screened pairs by label.
    pub verdicts_not_excluded: VerdictCounts,
    pub verdicts_excluded: VerdictCounts,
    pub false_ineligible: Ratio,
    pub false_eligible: Ratio,
    pub caught: Caught,
    pub decided: Decided,
    pub wrong_pairs: Vec<WrongPair>,
}

fn excerpt(s: &str, n: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn deciding(
    c: &CriterionResult,
    compiled: &CompiledCriteria,
    failed: bool,
    labelled: bool,
) -> DecidingCriterion {
    let ir = match compiled.criteria.iter().find(|x| x.id == c.id) {
        Some(x) => ir_line(x),
        None if !c.decided_by.is_empty() => format!("structured: {}", c.decided_by.join("; ")),
        None => format!("structured: {}", excerpt(&c.text, 80)),
    };
    DecidingCriterion {
        id: c.id.clone(),
        text: excerpt(&c.text, 160),
        outcome: c.outcome.as_str(),
        ir,
        failed,
        labelled,
    }
}

/// Trial ids → the trial as the matcher sees it (`None`: not found).
pub type TrialMap = HashMap<String, Option<(TrialInfo, CompiledCriteria)>>;

/// Screens every label's pair as `trialmatch match --any-status` does
/// (`tm_matcher::evaluate_trial` with explanations, index date `as_of`)
/// and counts. `trials` maps each label's trial id to the stored trial.
pub fn run(labels: &Labels, as_of: Date, patients: &PatientSet, trials: &TrialMap) -> AuditReport {
    let mut rep = AuditReport {
        schema_version: AUDIT_SCHEMA_VERSION,
        as_of: as_of.to_string(),
        compiler_version: tm_criteria::COMPILER_VERSION,
        labels: labels.labels.len(),
        ambiguous: 0,
        screened: 0,
        skipped: Vec::new(),
        verdicts_not_excluded: VerdictCounts::default(),
        verdicts_excluded: VerdictCounts::default(),
        false_ineligible: Ratio::default(),
        false_eligible: Ratio::default(),
        caught: Caught::default(),
        decided: Decided::default(),
        wrong_pairs: Vec::new(),
    };
    // Each patient prepared once.
    let mut facts: BTreeMap<String, PatientFacts> = BTreeMap::new();
    for l in &labels.labels {
        if l.ambiguous {
            rep.ambiguous += 1;
            continue;
        }
        let Some(entry) = patients.find(&l.patient) else {
            rep.skipped.push(Skipped {
                trial: l.trial.clone(),
                patient: l.patient.clone(),
                reason: "patient not found".into(),
            });
            continue;
        };
        let Some(Some((info, compiled))) = trials.get(&l.trial) else {
            rep.skipped.push(Skipped {
                trial: l.trial.clone(),
                patient: l.patient.clone(),
                reason: "trial not found".into(),
            });
            continue;
        };
        let f = facts
            .entry(entry.label.clone())
            .or_insert_with(|| PatientFacts::new(&entry.patient, MatchConfig::new(as_of)));
        let r = evaluate_trial(info, compiled, f);
        rep.screened += 1;
        count_pair(&mut rep, l, &r, compiled);
    }
    let d = &mut rep.decided;
    d.share = if d.total == 0 {
        0.0
    } else {
        (d.pass + d.fail) as f64 / d.total as f64
    };
    rep
}

fn count_pair(rep: &mut AuditReport, l: &Label, r: &TrialResult, compiled: &CompiledCriteria) {
    for c in &r.criteria {
        let d = &mut rep.decided;
        d.total += 1;
        match c.outcome {
            Outcome::Pass => d.pass += 1,
            Outcome::Fail => d.fail += 1,
            Outcome::Unknown => d.unknown += 1,
            Outcome::Review => d.review += 1,
        }
    }
    let labelled =
        |c: &CriterionResult| l.excluded_by.iter().any(|s| criterion_matches(c, &s.text));
    let kind = if l.excluded {
        rep.verdicts_excluded.add(r.verdict);
        rep.false_eligible.of += 1;
        rep.caught.of += 1;
        match r.verdict {
            Verdict::Ineligible => {
                rep.caught.count += 1;
                let by_label = r
                    .criteria
                    .iter()
                    .any(|c| c.outcome == Outcome::Fail && labelled(c));
                if by_label {
                    rep.caught.labelled_reason += 1;
                    let by_text = r.criteria.iter().any(|c| {
                        c.outcome == Outcome::Fail
                            && !STRUCTURED.contains(&c.id.as_str())
                            && labelled(c)
                    });
                    if !by_text {
                        rep.caught.labelled_structured_only += 1;
                    }
                    None
                } else {
                    rep.caught.other_reason += 1;
                    Some("caught_other_reason")
                }
            }
            Verdict::Eligible => {
                rep.caught.not_caught += 1;
                rep.false_eligible.count += 1;
                Some("false_eligible")
            }
            _ => {
                rep.caught.not_caught += 1;
                None
            }
        }
    } else {
        rep.verdicts_not_excluded.add(r.verdict);
        rep.false_ineligible.of += 1;
        if r.verdict == Verdict::Ineligible {
            rep.false_ineligible.count += 1;
            Some("false_ineligible")
        } else {
            None
        }
    };
    let Some(kind) = kind else { return };
    // The failed criteria first (in `failed` order), then those the label
    // names.
    let mut criteria: Vec<DecidingCriterion> = Vec::new();
    for id in &r.failed {
        if let Some(c) = r.criteria.iter().find(|c| &c.id == id) {
            criteria.push(deciding(c, compiled, true, labelled(c)));
        }
    }
    for c in r.criteria.iter().filter(|c| labelled(c)) {
        if !criteria.iter().any(|x| x.id == c.id) {
            criteria.push(deciding(c, compiled, c.outcome == Outcome::Fail, true));
        }
    }
    let unmatched_snippets = l
        .excluded_by
        .iter()
        .filter(|s| !r.criteria.iter().any(|c| criterion_matches(c, &s.text)))
        .map(|s| excerpt(&s.text, 160))
        .collect();
    rep.wrong_pairs.push(WrongPair {
        kind,
        trial: l.trial.clone(),
        patient: l.patient.clone(),
        verdict: r.verdict.as_str(),
        criteria,
        unmatched_snippets,
        note: l.note.clone(),
    });
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * a as f64 / b as f64)
    }
}

impl AuditReport {
    /// The human view: the figures, then every wrong pair with the
    /// criteria that decided it.
    pub fn human(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "audit: {} labels ({} ambiguous, left out), {} pairs screened as of {} ({}){}",
            self.labels,
            self.ambiguous,
            self.screened,
            self.as_of,
            self.compiler_version,
            if self.skipped.is_empty() {
                String::new()
            } else {
                format!(", {} skipped", self.skipped.len())
            }
        );
        for k in &self.skipped {
            let _ = writeln!(s, "  skipped {} × {}: {}", k.trial, k.patient, k.reason);
        }
        let fi = self.false_ineligible;
        let fe = self.false_eligible;
        let c = self.caught;
        let d = self.decided;
        let _ = writeln!(
            s,
            "  false ineligible  {:>4} of {:<4} ({})  not excluded but ineligible",
            fi.count,
            fi.of,
            pct(fi.count, fi.of)
        );
        let _ = writeln!(
            s,
            "  false eligible    {:>4} of {:<4} ({})  excluded but eligible",
            fe.count,
            fe.of,
            pct(fe.count, fe.of)
        );
        let _ = writeln!(
            s,
            "  caught            {:>4} of {:<4} ({})  excluded and ineligible: {} for a labelled reason ({} only by a structured AGE/SEX/COND line), {} for another reason; {} not caught",
            c.count,
            c.of,
            pct(c.count, c.of),
            c.labelled_reason,
            c.labelled_structured_only,
            c.other_reason,
            c.not_caught
        );
        let _ = writeln!(
            s,
            "  decided share     {:.1} %  ({} pass + {} fail of {} criterion outcomes; {} unknown, {} review)",
            100.0 * d.share,
            d.pass,
            d.fail,
            d.total,
            d.unknown,
            d.review
        );
        let v = |x: &VerdictCounts| {
            format!(
                "{} eligible, {} needs review, {} needs data, {} ineligible",
                x.eligible, x.needs_review, x.needs_data, x.ineligible
            )
        };
        let _ = writeln!(
            s,
            "  verdicts, not excluded: {}",
            v(&self.verdicts_not_excluded)
        );
        let _ = writeln!(
            s,
            "  verdicts, excluded:     {}",
            v(&self.verdicts_excluded)
        );
        for kind in ["false_ineligible", "false_eligible", "caught_other_reason"] {
            let pairs: Vec<&WrongPair> =
                self.wrong_pairs.iter().filter(|p| p.kind == kind).collect();
            if pairs.is_empty() {
                continue;
            }
            let _ = writeln!(s);
            let _ = writeln!(s, "{} ({}):", kind.replace('_', " "), pairs.len());
            for p in pairs {
                let _ = writeln!(s, "  {} × {} → {}", p.trial, p.patient, p.verdict);
                for c in &p.criteria {
                    let _ = writeln!(
                        s,
                        "    {:<6} {:<7}{} {}",
                        c.id,
                        c.outcome,
                        if c.labelled { " [label]" } else { "" },
                        c.text
                    );
                    let _ = writeln!(s, "           IR: {}", c.ir);
                }
                for u in &p.unmatched_snippets {
                    let _ = writeln!(s, "    label (no criterion matched): {u}");
                }
                if !p.note.is_empty() {
                    let _ = writeln!(s, "    note: {}", excerpt(&p.note, 240));
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_ignores_case_space_and_punctuation() {
        assert!(text_overlaps(
            "Platelet count >= 100,000/mm3",
            "platelet  count  ≥ 100,000/mm3"
        ));
        // Either way round.
        assert!(text_overlaps(
            "Pregnant or breast-feeding",
            "Exclusion: pregnant or breast feeding women"
        ));
        assert!(text_overlaps(
            "Known HIV infection",
            "Patients with known HIV infection are excluded"
        ));
        // A long shared run.
        assert!(text_overlaps(
            "No prior chemotherapy for hepatocellular carcinoma within 4 weeks, no prior radiotherapy",
            "prior chemotherapy for hepatocellular carcinoma within 4 weeks of enrolment"
        ));
        assert!(!text_overlaps("Age >= 18 years", "ECOG 0-1"));
        // One short word alone is not enough.
        assert!(!text_overlaps("No HIV", "HIV"));
        assert!(!text_overlaps("", "HIV"));
    }

    #[test]
    fn structured_snippets_name_structured_criteria() {
        assert_eq!(structured_target("gender: Male"), Some("SEX"));
        assert_eq!(structured_target("maximum_age: 40 Years"), Some("AGE"));
        assert_eq!(structured_target("minimum_age: 50 Years"), Some("AGE"));
        assert_eq!(structured_target("condition: HIV Infections"), Some("COND"));
        assert_eq!(
            structured_target("brief_title: Acute Hepatitis"),
            Some("COND")
        );
        assert_eq!(structured_target("Platelets: at least 100"), None);
        assert_eq!(structured_target("No HIV"), None);
    }

    #[test]
    fn labels_parse_the_audit_shape() {
        let l = Labels::parse(
            r#"{"as_of": "2026-11-01", "labeller_notes": ["x"], "labels": [
                {"trial": "NCT1", "patient": "p", "excluded": true, "ambiguous": false,
                 "excluded_by": [{"text": "gender: Male", "why": "female"}],
                 "satisfied_notable": [], "note": "n"},
                {"trial": "NCT2", "patient": "p", "excluded": false, "ambiguous": true,
                 "excluded_by": [], "note": ""}]}"#,
        )
        .unwrap();
        assert_eq!(l.as_of.as_deref(), Some("2026-11-01"));
        assert_eq!(l.labels.len(), 2);
        assert_eq!(l.labels[0].excluded_by[0].text, "gender: Male");
        assert_eq!(l.trial_ids(), ["NCT1", "NCT2"]);
    }
}
