//! The human view: a coordinator's screening sheet per trial — verdict
//! first, then what failed, what is missing, what needs review.

use tm_model::OverallStatus;

use crate::result::{Missing, Outcome, ReviewItem, TrialResult, Verdict};
use crate::trial::{merge_missing, merge_review};
use crate::MatchReport;

/// The registry status as a coordinator reads it (`Active, not
/// recruiting`); JSON keeps the raw value.
fn status_label(raw: &str) -> String {
    let Some(s) = OverallStatus::parse(raw) else {
        // Not a status we know: sentence case of the raw spelling.
        let lower = raw.replace('_', " ").to_lowercase();
        let mut c = lower.chars();
        return match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        };
    };
    s.label().to_string()
}

/// The criterion ids of a trial-level entry (`I8.4, I8`): `criteria`, or
/// `criterion` when the entry was not merged.
fn ids(criteria: &[String], criterion: &str) -> Vec<String> {
    if !criteria.is_empty() {
        criteria.to_vec()
    } else if !criterion.is_empty() {
        vec![criterion.to_string()]
    } else {
        Vec::new()
    }
}

/// The entries once each (same kind and text merged, ids child first).
fn merged_review(r: &TrialResult, items: &[ReviewItem]) -> Vec<ReviewItem> {
    let mut out: Vec<ReviewItem> = Vec::new();
    for x in items {
        let all = ids(&x.criteria, &x.criterion);
        if all.is_empty() {
            merge_review(&mut out, x, "", &r.criteria);
        }
        for id in &all {
            merge_review(&mut out, x, id, &r.criteria);
        }
    }
    out
}

fn merged_missing(r: &TrialResult) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for m in &r.missing {
        let all = ids(&m.criteria, "");
        if all.is_empty() {
            merge_missing(&mut out, m, "", &r.criteria);
        }
        for id in &all {
            merge_missing(&mut out, m, id, &r.criteria);
        }
    }
    out
}

/// `I8.4, I8` then `sep`, or nothing without ids.
fn id_prefix(criteria: &[String], sep: &str) -> String {
    let ids: Vec<&str> = criteria
        .iter()
        .map(String::as_str)
        .filter(|x| !x.is_empty())
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!("{}{sep}", ids.join(", "))
    }
}

fn verdict_line(v: Verdict) -> &'static str {
    match v {
        Verdict::Eligible => "ELIGIBLE",
        Verdict::NeedsReview => "NEEDS REVIEW",
        Verdict::NeedsData => "NEEDS DATA",
        Verdict::Ineligible => "INELIGIBLE",
    }
}

fn short(s: &str, n: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= n {
        one
    } else {
        format!("{}…", one.chars().take(n).collect::<String>())
    }
}

/// One trial's sheet.
pub fn trial_sheet(r: &TrialResult, verbose: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "{}  {}  (score {:.2}{})\n  {}\n",
        verdict_line(r.verdict),
        r.trial,
        r.score,
        r.status
            .as_deref()
            .map(|x| format!(", {}", status_label(x)))
            .unwrap_or_default(),
        short(&r.title, 100)
    ));
    let is_parent = |id: &str| r.criteria.iter().any(|c| c.parent.as_deref() == Some(id));
    let fails: Vec<_> = r
        .criteria
        .iter()
        .filter(|c| c.outcome == Outcome::Fail && !is_parent(&c.id))
        .collect();
    if !fails.is_empty() {
        s.push_str("  Failed:\n");
        for c in fails {
            s.push_str(&format!(
                "    ✗ {} {}: {}\n",
                c.id,
                c.kind,
                short(&c.text, 90)
            ));
            for e in &c.evidence {
                let unit = e
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "        {} = {}{}{}{}\n",
                    e.concept,
                    show_value(&e.value),
                    unit,
                    e.date
                        .as_deref()
                        .map(|d| format!(" on {d}"))
                        .unwrap_or_default(),
                    if e.source.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", e.source)
                    }
                ));
                if let Some(x) = &e.explanation {
                    s.push_str(&format!("          {x}\n"));
                }
                if let Some(u) = &e.uln {
                    s.push_str(&format!(
                        "          {} {}{} {} ({})\n",
                        u.limit.to_uppercase(),
                        u.value,
                        u.value_hi.map(|h| format!("–{h}")).unwrap_or_default(),
                        u.unit,
                        u.origin
                    ));
                }
            }
            if !c.decided_by.is_empty() {
                s.push_str(&format!(
                    "        decided by: {}\n",
                    c.decided_by.join("; ")
                ));
            }
        }
    }
    // Ineligible: what failed is the answer; the rest only when asked.
    if r.verdict == Verdict::Ineligible && !verbose {
        return s;
    }
    // Each line starts with the criterion ids (most specific first) so the
    // coordinator can find the criterion; an item several criteria share
    // is listed once.
    let missing = merged_missing(r);
    if !missing.is_empty() {
        s.push_str("  Missing data:\n");
        for m in &missing {
            s.push_str(&format!(
                "    ? {}{}\n",
                id_prefix(&m.criteria, ": "),
                m.text
            ));
        }
    }
    for (items, head, mark) in [
        (&r.blocking_review, "Needs review:", '!'),
        (
            &r.remaining_review,
            "At enrolment (consent, agreements, investigator, treatment-time checks):",
            '-',
        ),
    ] {
        let items = merged_review(r, items);
        if items.is_empty() {
            continue;
        }
        s.push_str(&format!("  {head}\n"));
        for x in &items {
            s.push_str(&format!(
                "    {mark} {}[{}] {}\n",
                id_prefix(&x.criteria, " "),
                x.kind,
                short(&x.text, 110)
            ));
        }
    }
    if verbose {
        s.push_str("  Criteria:\n");
        for c in &r.criteria {
            s.push_str(&format!(
                "    {:<8} {:<7} {}\n",
                c.id,
                c.outcome.as_str(),
                short(&c.explanation, 160)
            ));
        }
    }
    s
}

/// The whole report.
pub fn report(rep: &MatchReport, verbose: bool) -> String {
    let mut s = format!(
        "Patient {} — screening as of {} (planned start {}) — {} trial(s)\n\n",
        rep.patient.id,
        rep.as_of,
        rep.planned_start,
        rep.results.len()
    );
    for r in &rep.results {
        s.push_str(&trial_sheet(r, verbose));
        s.push('\n');
    }
    s
}

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) => {
                let r = (x * 1000.0).round() / 1000.0;
                if r.fract() == 0.0 && r.abs() < 1e15 {
                    format!("{}", r as i64)
                } else {
                    format!("{r}")
                }
            }
            None => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::CriterionResult;

    fn crit(id: &str, parent: Option<&str>) -> CriterionResult {
        CriterionResult {
            id: id.into(),
            kind: "inclusion",
            text: id.into(),
            span: Some((0, 0)),
            holds: None,
            outcome: Outcome::Review,
            review_reason: Vec::new(),
            explanation: String::new(),
            evidence: Vec::new(),
            missing: Vec::new(),
            decided_by: Vec::new(),
            parent: parent.map(str::to_string),
            confidence: crate::result::Confidence::firm(),
        }
    }

    fn item(kind: &str, text: &str, id: &str, blocking: bool) -> ReviewItem {
        ReviewItem {
            kind: kind.into(),
            text: text.into(),
            span: (0, 0),
            blocking,
            criterion: id.into(),
            criteria: Vec::new(),
        }
    }

    #[test]
    fn status_labels_are_human() {
        assert_eq!(
            status_label("ACTIVE_NOT_RECRUITING"),
            "Active, not recruiting"
        );
        assert_eq!(status_label("RECRUITING"), "Recruiting");
        assert_eq!(status_label("COMPLETED"), "Completed");
        assert_eq!(status_label("NOT_YET_RECRUITING"), "Not yet recruiting");
        assert_eq!(status_label("SOMETHING_NEW"), "Something new");
    }

    /// A hand-built result whose lists were not merged: the sheet still
    /// prints a repeated item once, child id first.
    #[test]
    fn unmerged_duplicates_print_once_with_all_ids() {
        let r = TrialResult {
            trial: "T9".into(),
            title: "t".into(),
            verdict: Verdict::NeedsReview,
            score: 0.5,
            status: Some("RECRUITING".into()),
            condition_match: false,
            failed: Vec::new(),
            unknowns: 0,
            missing: vec![Missing {
                concept: "ecog".into(),
                text: "ECOG performance status".into(),
                max_age_days: Some(28),
                criteria: vec!["I3".into()],
            }],
            blocking_review: vec![
                item(
                    "investigator",
                    "investigator decides on warfarin",
                    "I8",
                    true,
                ),
                item(
                    "investigator",
                    "investigator decides on warfarin",
                    "I8.4",
                    true,
                ),
            ],
            remaining_review: vec![
                item("consent", "signed informed consent", "I1", false),
                item("consent", "Signed  informed consent", "E2", false),
            ],
            criteria: vec![
                crit("I1", None),
                crit("I3", None),
                crit("I8", None),
                crit("I8.4", Some("I8")),
                crit("E2", None),
            ],
        };
        let s = trial_sheet(&r, false);
        assert!(
            s.starts_with("NEEDS REVIEW  T9  (score 0.50, Recruiting)"),
            "{s}"
        );
        assert_eq!(s.matches("warfarin").count(), 1, "{s}");
        assert!(
            s.contains("    ! I8.4, I8 [investigator] investigator decides on warfarin\n"),
            "{s}"
        );
        assert_eq!(
            s.to_lowercase().matches("informed consent").count(),
            1,
            "{s}"
        );
        assert!(
            s.contains("    - I1, E2 [consent] signed informed consent\n"),
            "{s}"
        );
        assert!(s.contains("    ? I3: ECOG performance status\n"), "{s}");
    }
}
