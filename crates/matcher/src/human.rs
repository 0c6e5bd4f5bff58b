//! The human view: a coordinator's screening sheet per trial — verdict
//! first, then what failed, what is missing, what needs review.

use crate::result::{Outcome, TrialResult, Verdict};
use crate::MatchReport;

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
            .map(|x| format!(", {x}"))
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
    if !r.missing.is_empty() {
        s.push_str("  Missing data:\n");
        for m in &r.missing {
            s.push_str(&format!("    ? {}\n", m.text));
        }
    }
    if !r.blocking_review.is_empty() {
        s.push_str("  Needs review:\n");
        for x in &r.blocking_review {
            s.push_str(&format!("    ! [{}] {}\n", x.kind, short(&x.text, 110)));
        }
    }
    if !r.remaining_review.is_empty() {
        s.push_str("  At enrolment (consent, agreements, investigator, treatment-time checks):\n");
        for x in &r.remaining_review {
            s.push_str(&format!("    - [{}] {}\n", x.kind, short(&x.text, 110)));
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
