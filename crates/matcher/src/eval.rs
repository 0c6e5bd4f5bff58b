//! Criterion evaluation in three-valued (Kleene) logic and the trial
//! verdict.
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

use tm_criteria::{CompiledCriterion, Expr, Kind, ReviewKind, Status};

use crate::facts::{LeafAnswer, PatientFacts};
use crate::result::{kind_str, CriterionResult, Evidence, Missing, Outcome, ReviewItem};

/// The state of one leaf during evaluation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LeafClass {
    /// A data leaf (value known or unknown).
    Data,
    /// Consent / agreement / general investigator item, treatment-time check.
    Remaining,
    /// Clinical, unparsed, unit, ambiguity, conflict, specific investigator.
    Blocking,
}

struct Leaf<'e> {
    node: &'e Expr,
    value: Option<bool>,
    class: LeafClass,
    answer: Option<LeafAnswer>,
    review: Option<ReviewItem>,
}

/// Kleene evaluation with the leaf values given by position (pointer
/// identity) in `leaves`.
fn kleene(e: &Expr, leaves: &[Leaf], over: &dyn Fn(usize) -> Option<Option<bool>>) -> Option<bool> {
    e.eval_leaves(&|leaf| {
        let i = leaves.iter().position(|l| std::ptr::eq(l.node, leaf))?;
        over(i).unwrap_or(leaves[i].value)
    })
}

/// Review leaves that are "general" items of the criterion: reachable
/// from the root through `and` only (inclusion) or `or` only (exclusion).
/// Other consent/agreement/investigator leaves sit inside the logic (a
/// carve-out such as "… are judged by investigators") and are a specific
/// judgement, hence blocking.
fn general_leaves(e: &Expr, kind: Kind) -> Vec<&Expr> {
    fn walk<'a>(e: &'a Expr, kind: Kind, out: &mut Vec<&'a Expr>) {
        match (e, kind) {
            (Expr::Review { .. }, _) => out.push(e),
            (Expr::And { all }, Kind::Inclusion) => all.iter().for_each(|x| walk(x, kind, out)),
            (Expr::Or { any }, Kind::Exclusion) => any.iter().for_each(|x| walk(x, kind, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, kind, &mut out);
    out
}

/// Evaluates one compiled criterion. `ex`: build explanations and
/// evidence (false on the fast path: outcome only).
pub fn eval_criterion(c: &CompiledCriterion, facts: &PatientFacts, ex: bool) -> CriterionResult {
    let general = general_leaves(&c.expr, c.kind);
    let mut leaves: Vec<Leaf> = Vec::new();
    for node in c.expr.leaves() {
        let leaf = match node {
            Expr::Compare { atom } => {
                let ans = match c.atoms.get(*atom) {
                    Some(a) => facts.eval_atom(a, ex),
                    None => LeafAnswer {
                        note: Some("atom index out of range".into()),
                        ..Default::default()
                    },
                };
                leaf_from_answer(node, ans, ex)
            }
            Expr::Has {
                concept,
                what,
                window,
                ..
            } => {
                let ans = facts.eval_has(concept, *what, window, ex);
                leaf_from_answer(node, ans, ex)
            }
            Expr::Review { reason, text, span } => {
                let general_kind = matches!(reason, ReviewKind::Consent | ReviewKind::Agreement)
                    || (*reason == ReviewKind::Investigator
                        && general.iter().any(|g| std::ptr::eq(*g, node)));
                let class = if general_kind {
                    LeafClass::Remaining
                } else {
                    LeafClass::Blocking
                };
                Leaf {
                    node,
                    value: None,
                    class,
                    answer: None,
                    review: Some(ReviewItem {
                        kind: ReviewItem::kind_str(*reason).into(),
                        text: text.clone(),
                        span: *span,
                        blocking: class == LeafClass::Blocking,
                        criterion: String::new(),
                        criteria: Vec::new(),
                    }),
                }
            }
            Expr::Unparsed { text, span } => Leaf {
                node,
                value: None,
                class: LeafClass::Blocking,
                answer: None,
                review: Some(ReviewItem {
                    kind: "unparsed".into(),
                    text: text.clone(),
                    span: *span,
                    blocking: true,
                    criterion: String::new(),
                    criteria: Vec::new(),
                }),
            },
            _ => Leaf {
                node,
                value: Some(true),
                class: LeafClass::Data,
                answer: None,
                review: None,
            },
        };
        leaves.push(leaf);
    }
    let holds = kleene(&c.expr, &leaves, &|_| None);
    let pass_value = c.kind == Kind::Inclusion;
    let mut outcome = match holds {
        Some(h) if h == pass_value => Outcome::Pass,
        Some(_) => Outcome::Fail,
        None => Outcome::Unknown,
    };
    // Which unknown leaves matter?
    let unknown_idx: Vec<usize> = (0..leaves.len())
        .filter(|&i| leaves[i].value.is_none())
        .collect();
    let relevant = |i: usize| -> bool {
        let t = kleene(&c.expr, &leaves, &|j| (j == i).then_some(Some(true)));
        let f = kleene(&c.expr, &leaves, &|j| (j == i).then_some(Some(false)));
        t != f
    };
    let mut review_reason: Vec<ReviewItem> = Vec::new();
    let mut decisive: Vec<usize> = Vec::new();
    if holds.is_none() {
        let rel: Vec<usize> = unknown_idx
            .iter()
            .copied()
            .filter(|&i| relevant(i))
            .collect();
        // Non-blocking items: all unknown ones, not only those that flip
        // the result alone — several of them can matter together (seed 000
        // I9: two agreements and a treatment-time pregnancy check).
        let remaining: Vec<usize> = unknown_idx
            .iter()
            .copied()
            .filter(|&i| leaves[i].class == LeafClass::Remaining)
            .collect();
        let blocking: Vec<usize> = rel
            .iter()
            .copied()
            .filter(|&i| leaves[i].class == LeafClass::Blocking)
            .collect();
        // Can the remaining (non-blocking) items make the criterion pass
        // with everything else as is? (at most 2^8 assignments)
        let k = remaining.len().min(8);
        let mut passes_if_remaining = false;
        let mut needed: Vec<usize> = Vec::new();
        if k > 0 {
            for mask in 0u32..(1u32 << k) {
                let at = |j: usize, flip: Option<usize>| {
                    remaining
                        .iter()
                        .take(k)
                        .position(|&x| x == j)
                        .map(|p| Some((mask & (1 << p) != 0) != (flip == Some(j))))
                };
                let r = kleene(&c.expr, &leaves, &|j| at(j, None));
                if r == Some(pass_value) {
                    passes_if_remaining = true;
                    // The items this pass depends on.
                    needed = remaining
                        .iter()
                        .take(k)
                        .copied()
                        .filter(|&i| {
                            kleene(&c.expr, &leaves, &|j| at(j, Some(i))) != Some(pass_value)
                        })
                        .collect();
                    break;
                }
            }
        }
        let remaining: Vec<usize> = if passes_if_remaining {
            needed
        } else {
            remaining
                .into_iter()
                .filter(|&i| rel.contains(&i))
                .collect()
        };
        if passes_if_remaining {
            outcome = Outcome::Review;
            for &i in &remaining {
                if let Some(r) = &leaves[i].review {
                    review_reason.push(r.clone());
                }
            }
            decisive.extend(remaining.iter().copied());
        } else if !blocking.is_empty() {
            outcome = Outcome::Review;
            for &i in blocking.iter().chain(remaining.iter()) {
                if let Some(r) = &leaves[i].review {
                    review_reason.push(r.clone());
                }
            }
            decisive.extend(blocking.iter().copied());
        } else {
            outcome = Outcome::Unknown;
            for &i in &remaining {
                if let Some(r) = &leaves[i].review {
                    review_reason.push(r.clone());
                }
            }
        }
        decisive.extend(
            rel.iter()
                .copied()
                .filter(|&i| leaves[i].class == LeafClass::Data),
        );
        decisive.sort_unstable();
        decisive.dedup();
    } else {
        // The known leaves that decide: those whose flip would change the
        // result (or, for an all-true/any-false result, every known leaf).
        for i in 0..leaves.len() {
            if let Some(v) = leaves[i].value {
                let flipped = kleene(&c.expr, &leaves, &|j| (j == i).then_some(Some(!v)));
                if flipped != holds {
                    decisive.push(i);
                }
            }
        }
        if decisive.is_empty() {
            decisive = (0..leaves.len())
                .filter(|&i| leaves[i].value.is_some() && leaves[i].answer.is_some())
                .collect();
        }
    }
    // A criterion nobody understood never passes (issue 9: "a criterion
    // nobody understood never lets a trial be eligible").
    if c.status == Status::Unparsed && outcome != Outcome::Fail && outcome != Outcome::Review {
        outcome = Outcome::Review;
        review_reason.push(ReviewItem {
            kind: "unparsed".into(),
            text: c.text.clone(),
            span: c.span,
            blocking: true,
            criterion: String::new(),
            criteria: Vec::new(),
        });
    }
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut missing: Vec<Missing> = Vec::new();
    let mut decided_by: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    if ex {
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
    }
    let explanation = if ex {
        explain(
            c,
            outcome,
            holds,
            &decided_by,
            &notes,
            &missing,
            &review_reason,
        )
    } else {
        String::new()
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
    }
}

fn leaf_from_answer<'e>(node: &'e Expr, ans: LeafAnswer, _ex: bool) -> Leaf<'e> {
    if ans.at_treatment {
        let review = ReviewItem {
            kind: "at_treatment".into(),
            text: ans.label.clone(),
            span: span_of(node),
            blocking: false,
            criterion: String::new(),
            criteria: Vec::new(),
        };
        return Leaf {
            node,
            value: None,
            class: LeafClass::Remaining,
            answer: Some(ans),
            review: Some(review),
        };
    }
    Leaf {
        node,
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
