//! Reading guards: the last stage of the compiler. Each guard is a small
//! named rule about how English eligibility text works, applied to a
//! compiled criterion: it either corrects a reading the clause rules are
//! known to get wrong, or marks the reading [`Expr::Uncertain`] so that it
//! can never decide a verdict (issue 19: "a verdict is only as strong as
//! its weakest reading"). A guard never makes a reading *more* decisive
//! than the rules made it.
//!
//! | guard | example | effect |
//! |---|---|---|
//! | [`permission`] | "Prior interferon alpha allowed" | no requirement (`True`); with a proviso: uncertain |
//! | [`pregnancy_polarity`] | inclusion "Patients must not be pregnant or nursing" | the presence is negated; without a negation cue: uncertain |
//! | [`conditional`] | "At least 4 weeks since chemotherapy if ANC is less than 1,000" | uncertain (conditional) |
//! | [`population`] | "A healthy volunteer who meets any of the following …" | uncertain (population), children too |

use std::sync::LazyLock;

use regex::Regex;

use crate::concepts::re_big;
use crate::ir::{Expr, HasKind, Uncertainty};
use crate::segment::Kind;

fn re(p: &str) -> Regex {
    re_big(p).expect("guard regex")
}

/// Wraps `expr` as uncertain unless there is nothing to wrap.
fn uncertain(expr: Expr, why: Uncertainty, text: &str, span: (usize, usize)) -> Expr {
    match expr {
        Expr::True | Expr::Uncertain { .. } => expr,
        e => Expr::Uncertain {
            expr: Box::new(e),
            why,
            text: text.chars().take(300).collect(),
            span,
        },
    }
}

static PERMISSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:allowed|permitted|acceptable)\b(?:\s*[.;)]?\s*$|\s*,?\s+(?:provided|if|as\s+long\s+as|only\s+if|unless|when)\b)",
    )
});
static PROVISO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:provided|if|as\s+long\s+as|only\s+if|unless|when)\b"));

/// **permission** — an item whose predicate is "allowed / permitted /
/// acceptable" imposes nothing ("Hypertension that is stable off medication
/// allowed" is not a requirement to have hypertension). With a proviso
/// ("… allowed provided measurable disease exists outside the CNS") the
/// reading is uncertain.
pub(super) fn permission(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    let t = text.trim();
    let Some(m) = PERMISSION.find(t) else {
        return expr;
    };
    // "Patients are eligible if …" / "… allowed" at the very start is not
    // a permission item of its own.
    if m.start() < 8 {
        return expr;
    }
    if PROVISO.is_match(t) {
        uncertain(expr, Uncertainty::Conditional, text, span)
    } else {
        Expr::True
    }
}

static NEGATION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:not|no|non|never|nor|cannot|neither|without|negative|exclud\w*|ineligible|discontinu\w*|free\s+of|absence\s+of|must\s+not|should\s+not|may\s+not)\b",
    )
});

fn is_pregnancy(concept: &str) -> bool {
    matches!(concept, "pregnant" | "lactating" | "breastfeeding")
}

/// Positive pregnancy / lactation presences outside any negation.
fn positive_pregnancy(e: &Expr) -> bool {
    match e {
        Expr::Has {
            concept,
            what: HasKind::Condition,
            ..
        } => is_pregnancy(concept),
        Expr::And { all } => all.iter().any(positive_pregnancy),
        Expr::Or { any } => any.iter().any(positive_pregnancy),
        Expr::Unless { base, .. } => positive_pregnancy(base),
        _ => false,
    }
}

fn negate_pregnancy(e: Expr) -> Expr {
    match e {
        Expr::Has {
            ref concept,
            what: HasKind::Condition,
            ..
        } if is_pregnancy(concept) => Expr::Not { expr: Box::new(e) },
        Expr::And { all } => Expr::And {
            all: all.into_iter().map(negate_pregnancy).collect(),
        },
        // "not pregnant or nursing" = not pregnant and not nursing.
        Expr::Or { any } if any.iter().all(positive_pregnancy) => Expr::And {
            all: any.into_iter().map(negate_pregnancy).collect(),
        },
        other => other,
    }
}

/// **pregnancy_polarity** — no inclusion criterion requires a patient to
/// be pregnant or nursing: a positive pregnancy/lactation presence in an
/// inclusion is a lost negation ("Patients must not be pregnant or
/// nursing", "Breastfeeding should be discontinued"). With a negation cue
/// in the text it is negated; without one the reading is uncertain.
pub(super) fn pregnancy_polarity(expr: Expr, kind: Kind, text: &str, span: (usize, usize)) -> Expr {
    if kind != Kind::Inclusion || !positive_pregnancy(&expr) {
        return expr;
    }
    if NEGATION_CUE.is_match(text) && !matches!(expr, Expr::Or { .. } | Expr::Unless { .. }) {
        let fixed = negate_pregnancy(expr);
        if !positive_pregnancy(&fixed) {
            return fixed;
        }
        return uncertain(fixed, Uncertainty::Scope, text, span);
    }
    uncertain(expr, Uncertainty::Scope, text, span)
}

static CONDITION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:if|in\s+case\s+of|in\s+the\s+event|when(?:ever)?|whichever|for\s+(?:those|patients|subjects|participants|men|women|females|males)\s+(?:who|with|of|receiving)|in\s+(?:patients|subjects|participants|those)\s+(?:who|with))\b",
    )
});

/// **conditional** — a criterion whose requirement depends on a condition
/// the clause rules did not structure ("At least 4 weeks since prior
/// chemotherapy if absolute neutrophil count is less than 1,000/mm³") is
/// uncertain: read as a plain requirement it fails patients it does not
/// apply to.
pub(super) fn conditional(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    let Some(cue) = CONDITION_CUE.find(text) else {
        return expr;
    };
    if contains_unless(&expr) {
        return expr;
    }
    // "A, or B in case of C": the condition belongs to an alternative the
    // rules already read as one branch of an `or`.
    if matches!(expr, Expr::Or { .. }) && text[..cue.start()].contains(" or ") {
        return expr;
    }
    uncertain(expr, Uncertainty::Conditional, text, span)
}

fn contains_unless(e: &Expr) -> bool {
    match e {
        Expr::Unless { .. } => true,
        Expr::And { all } => all.iter().any(contains_unless),
        Expr::Or { any } => any.iter().any(contains_unless),
        Expr::Not { expr } => contains_unless(expr),
        _ => false,
    }
}

static POPULATION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:healthy\s+(?:adult\s+)?(?:volunteers?|subjects?|controls?|participants?|individuals?|donors?)|control\s+(?:group|subjects?|participants?)|cohorts?\s*(?:[A-Z0-9]{1,3}\b|\d)|(?:arm|group|part|stratum)\s+(?:[A-D]|[1-9]|I{1,3}|IV)\b)",
    )
});

/// **population** — a criterion about another population than the one
/// screened (healthy volunteers, controls, one cohort / arm / part of a
/// multi-cohort study) never decides for a patient: its reading is
/// uncertain, and so are its sub-criteria (`applies_to_children`).
pub(super) fn population(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    if !POPULATION_CUE.is_match(text) {
        return expr;
    }
    uncertain(expr, Uncertainty::Population, text, span)
}

/// Whether the lead-in of a parent names another population, so that
/// every sub-criterion is about it ("A healthy volunteer who meets any of
/// the following criteria will be excluded:").
pub(super) fn names_population(text: &str) -> bool {
    POPULATION_CUE.is_match(text)
}

/// Marks `expr` uncertain because its parent is about another population.
pub(super) fn inherited_population(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    uncertain(expr, Uncertainty::Population, text, span)
}

/// All guards, in order, for one criterion.
pub(super) fn apply(expr: Expr, kind: Kind, text: &str, span: (usize, usize)) -> Expr {
    let expr = permission(expr, text, span);
    let expr = pregnancy_polarity(expr, kind, text, span);
    let expr = population(expr, text, span);
    conditional(expr, text, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(c: &str) -> Expr {
        Expr::Has {
            concept: c.into(),
            what: HasKind::Condition,
            window: None,
            span: (0, 0),
        }
    }

    fn is_uncertain(e: &Expr, why: Uncertainty) -> bool {
        matches!(e, Expr::Uncertain { why: w, .. } if *w == why)
    }

    #[test]
    fn permission_imposes_nothing() {
        let t = "Hypertension that is stable off medication allowed";
        assert_eq!(permission(has("hypertension"), t, (0, 0)), Expr::True);
        let t = "Previously treated brain metastases allowed provided measurable disease exists outside the CNS";
        assert!(is_uncertain(
            &permission(has("cns_metastases"), t, (0, 0)),
            Uncertainty::Conditional
        ));
        // Not a permission: an ordinary requirement.
        let t = "Histologically confirmed hepatocellular carcinoma";
        assert_eq!(permission(has("hcc"), t, (0, 0)), has("hcc"));
    }

    #[test]
    fn pregnancy_in_an_inclusion_is_a_lost_negation() {
        let e = Expr::Or {
            any: vec![has("pregnant"), has("lactating")],
        };
        let t = "Patients must not be pregnant or nursing";
        let got = pregnancy_polarity(e.clone(), Kind::Inclusion, t, (0, 0));
        assert!(!positive_pregnancy(&got), "{got:?}");
        // No negation cue: uncertain, never a requirement to be pregnant.
        let got = pregnancy_polarity(
            has("lactating"),
            Kind::Inclusion,
            "Breastfeeding mothers",
            (0, 0),
        );
        assert!(is_uncertain(&got, Uncertainty::Scope));
        // Exclusions keep their polarity.
        let got = pregnancy_polarity(
            e.clone(),
            Kind::Exclusion,
            "Pregnant or nursing women",
            (0, 0),
        );
        assert_eq!(got, e);
    }

    #[test]
    fn conditions_not_structured_make_the_reading_uncertain() {
        let t = "At least 4 weeks since prior chemotherapy if absolute neutrophil count is less than 1,000/mm^3";
        assert!(is_uncertain(
            &conditional(has("chemotherapy"), t, (0, 0)),
            Uncertainty::Conditional
        ));
        let t = "No prior chemotherapy";
        assert_eq!(
            conditional(has("chemotherapy"), t, (0, 0)),
            has("chemotherapy")
        );
        // The condition of one understood alternative.
        let alt = Expr::Or {
            any: vec![has("ssa_progression"), has("liver_invasion")],
        };
        let t = "Progressive after somatostatin analog, or as soon as the diagnosis is made in case of hepatic invasion > 50%";
        assert_eq!(conditional(alt.clone(), t, (0, 0)), alt);
    }

    #[test]
    fn other_populations_never_decide() {
        let t = "A healthy volunteer who meets any of the following criteria will be excluded from participation in this study:";
        assert!(names_population(t));
        assert!(is_uncertain(
            &population(has("hbv"), t, (0, 0)),
            Uncertainty::Population
        ));
        assert!(names_population(
            "Cohort B: patients previously treated with sorafenib"
        ));
        assert!(!names_population("Patients with hepatocellular carcinoma"));
    }
}
