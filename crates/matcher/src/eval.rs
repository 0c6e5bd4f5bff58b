//! The explained evaluation of one criterion: the outcome of
//! [`crate::plan::analyse`] (the one definition of pass / fail / unknown /
//! review, shared with the fast path) plus evidence, missing data, the
//! decisive facts and a one-line explanation.
//!
//! `holds` is the Kleene value of the criterion's expression with every
//! `Review`/`Unparsed` leaf unknown. When it is unknown, the outcome says
//! why:
//! - `review` (non-blocking) when the criterion passes for some answer of
//!   its *general* consent / agreement / investigator items (a top-level
//!   item of the criterion) or its treatment-time checks — they are listed
//!   beside an eligible verdict as `remaining_review`;
//! - `review` (blocking) when a clinical, unparsed, unit / ambiguity /
//!   conflict item (or an investigator judgement inside the logic, e.g. a
//!   carve-out) could change the answer;
//! - `unknown` otherwise: data is missing (`missing` says what).

use tm_criteria::{CompiledCriterion, Expr, ReviewKind};

use crate::facts::{LeafAnswer, PatientFacts};
use crate::plan::{analyse, CritPlan, LeafClass, LeafRef, LeafSpec, Out};
use crate::result::{
    kind_str, Confidence, CriterionResult, Evidence, Missing, Outcome, ReviewItem,
};

/// Review kinds that mean "the reading is uncertain" (not "a person must
/// judge a clear reading").
const UNCERTAIN_KINDS: &[&str] = &[
    "unit_ambiguous",
    "conditional",
    "scope",
    "population",
    "narrower",
    "unparsed",
];

/// One leaf, answered with its evidence.
struct Leaf {
    value: Option<bool>,
    class: LeafClass,
    answer: Option<LeafAnswer>,
    review: Option<ReviewItem>,
}

fn review_item(kind: &str, text: &str, span: (usize, usize), blocking: bool) -> ReviewItem {
    ReviewItem {
        kind: kind.into(),
        text: text.into(),
        span,
        blocking,
        criterion: String::new(),
        criteria: Vec::new(),
    }
}

/// Evaluates one compiled criterion with explanations and evidence. The
/// outcome comes from [`crate::plan::analyse`], the same analysis the fast
/// path ([`crate::Plan`]) uses; this path only adds evidence.
pub fn eval_criterion(c: &CompiledCriterion, facts: &PatientFacts) -> CriterionResult {
    let mut specs: Vec<LeafSpec> = Vec::new();
    let (cp, nodes) = CritPlan::build(c, &mut |spec| {
        specs.push(spec);
        (specs.len() - 1) as u32
    });
    let leaves: Vec<Leaf> = cp
        .leaves
        .iter()
        .zip(&nodes)
        .map(|(r, node)| match (*r, node) {
            (LeafRef::Data(i), _) => leaf_from_answer(node, specs[i as usize].answer(facts, true)),
            (class, Expr::Review { reason, text, span }) => {
                let blocking = class == LeafRef::Blocking;
                Leaf {
                    value: None,
                    class: if blocking {
                        LeafClass::Blocking
                    } else {
                        LeafClass::Remaining
                    },
                    answer: None,
                    review: Some(review_item(
                        ReviewItem::kind_str(*reason),
                        text,
                        *span,
                        blocking,
                    )),
                }
            }
            (
                _,
                Expr::Uncertain {
                    expr,
                    why,
                    text,
                    span,
                },
            ) => Leaf {
                value: None,
                class: LeafClass::Blocking,
                answer: None,
                review: Some(review_item(
                    why.as_str(),
                    &format!("{text}{}", likely(expr, c, facts)),
                    *span,
                    true,
                )),
            },
            (_, Expr::Unparsed { text, span }) => Leaf {
                value: None,
                class: LeafClass::Blocking,
                answer: None,
                review: Some(review_item("unparsed", text, *span, true)),
            },
            // A comparison whose atom is missing from the criterion.
            (_, other) => Leaf {
                value: None,
                class: LeafClass::Blocking,
                answer: None,
                review: Some(review_item(
                    ReviewItem::kind_str(ReviewKind::Unparsed),
                    "comparison without its atom (compiler defect)",
                    span_of(other),
                    true,
                )),
            },
        })
        .collect();
    let vals: Vec<Option<bool>> = leaves.iter().map(|l| l.value).collect();
    let classes: Vec<LeafClass> = leaves.iter().map(|l| l.class).collect();
    let a = analyse(&cp, &vals, &classes, true);
    let holds = a.holds;
    let outcome = match a.out {
        Out::Pass => Outcome::Pass,
        Out::Fail => Outcome::Fail,
        Out::Unknown => Outcome::Unknown,
        Out::Blocking | Out::Remaining => Outcome::Review,
    };
    let mut review_reason: Vec<ReviewItem> = a
        .review
        .iter()
        .filter_map(|&i| leaves[i].review.clone())
        .collect();
    if a.unparsed_override {
        review_reason.push(review_item("unparsed", &c.text, c.span, true));
    }
    let decisive = a.decisive;
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut missing: Vec<Missing> = Vec::new();
    let mut decided_by: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let shown: Vec<usize> = if outcome == Outcome::Pass && holds.is_some() {
        (0..leaves.len())
            .filter(|&i| leaves[i].answer.is_some())
            .collect()
    } else {
        decisive.clone()
    };
    for &i in &shown {
        let l = &leaves[i];
        if let Some(a) = &l.answer {
            for e in &a.evidence {
                if !evidence.contains(e) {
                    evidence.push(e.clone());
                }
            }
            if l.value.is_none() {
                for m in &a.missing {
                    if !missing.contains(m) {
                        missing.push(m.clone());
                    }
                }
            }
        }
    }
    for &i in &decisive {
        let l = &leaves[i];
        let v = match l.value {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        match (&l.answer, &l.review) {
            (Some(a), _) => {
                let d = format!("{}: {v}", a.label);
                if decided_by.contains(&d) {
                    continue;
                }
                decided_by.push(d);
                if let Some(n) = &a.note {
                    notes.push(format!("{}: {n}", a.label));
                }
            }
            (None, Some(r)) => decided_by.push(format!("{} \"{}\"", r.kind, r.text)),
            _ => {}
        }
    }
    let explanation = explain(
        c,
        outcome,
        holds,
        &decided_by,
        &notes,
        &missing,
        &review_reason,
    );
    let uncertain: Vec<String> = review_reason
        .iter()
        .filter(|r| UNCERTAIN_KINDS.contains(&r.kind.as_str()))
        .map(|r| format!("[{}] {}", r.kind, r.text))
        .collect();
    let inferred: Vec<String> = decisive
        .iter()
        .filter_map(|&i| leaves[i].answer.as_ref()?.inferred.clone())
        .collect();
    let confidence = if outcome == Outcome::Review && !uncertain.is_empty() {
        Confidence {
            level: "uncertain",
            why: uncertain,
        }
    } else if matches!(outcome, Outcome::Pass | Outcome::Fail) && !inferred.is_empty() {
        Confidence {
            level: "inferred",
            why: inferred,
        }
    } else {
        Confidence::firm()
    };
    for r in &mut review_reason {
        r.criterion.clone_from(&c.id);
    }
    CriterionResult {
        id: c.id.clone(),
        kind: kind_str(c.kind),
        text: c.text.clone(),
        span: Some(c.span),
        holds,
        outcome,
        review_reason,
        explanation,
        evidence,
        missing,
        decided_by,
        parent: c.parent.clone(),
        confidence,
    }
}

/// What the suspected reading of an uncertain part would give.
fn likely(e: &Expr, c: &CompiledCriterion, facts: &PatientFacts) -> String {
    let v = e.eval(&|leaf| match LeafSpec::of(leaf, c) {
        Some(spec) => spec.answer(facts, false).value,
        None => None,
    });
    let reading = tm_criteria::render::expr_to_string(e, &c.atoms);
    match v {
        Some(b) => format!(
            " — suspected reading {reading}: {}",
            if b { "yes" } else { "no" }
        ),
        None => format!(" — suspected reading {reading}: undecided"),
    }
}

fn leaf_from_answer(node: &Expr, ans: LeafAnswer) -> Leaf {
    if let Some(why) = &ans.uncertain {
        let review = review_item(
            ans.uncertain_kind.unwrap_or("unit_ambiguous"),
            &format!("{}: {why}", ans.label),
            span_of(node),
            true,
        );
        return Leaf {
            value: None,
            class: LeafClass::Blocking,
            answer: Some(ans),
            review: Some(review),
        };
    }
    if ans.at_treatment {
        let review = review_item("at_treatment", &ans.label, span_of(node), false);
        return Leaf {
            value: None,
            class: LeafClass::Remaining,
            answer: Some(ans),
            review: Some(review),
        };
    }
    Leaf {
        value: ans.value,
        class: LeafClass::Data,
        answer: Some(ans),
        review: None,
    }
}

fn span_of(e: &Expr) -> (usize, usize) {
    match e {
        Expr::Has { span, .. }
        | Expr::Review { span, .. }
        | Expr::Unparsed { span, .. }
        | Expr::Unless { span, .. } => *span,
        _ => (0, 0),
    }
}

fn explain(
    c: &CompiledCriterion,
    outcome: Outcome,
    holds: Option<bool>,
    decided_by: &[String],
    notes: &[String],
    missing: &[Missing],
    review: &[ReviewItem],
) -> String {
    let kind = kind_str(c.kind);
    let what = match holds {
        Some(true) => "holds",
        Some(false) => "does not hold",
        None => "cannot be decided",
    };
    let mut s = format!("{} {kind} {what} → {}", c.id, outcome.as_str());
    if !decided_by.is_empty() {
        s.push_str(&format!(" ({})", decided_by.join("; ")));
    }
    if !notes.is_empty() {
        s.push_str(&format!(". {}", notes.join("; ")));
    }
    if outcome == Outcome::Unknown && !missing.is_empty() {
        s.push_str(&format!(
            ". Needs: {}",
            missing
                .iter()
                .map(|m| m.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if outcome == Outcome::Review && !review.is_empty() {
        s.push_str(&format!(
            ". Review: {}",
            review
                .iter()
                .map(|r| format!("[{}] {}", r.kind, r.text))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    s
}
