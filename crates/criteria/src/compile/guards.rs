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
        Expr::Uncertain { expr, .. } => positive_pregnancy(expr),
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
    let negatable = match &expr {
        Expr::Or { any } => any.iter().all(positive_pregnancy),
        Expr::Unless { .. } | Expr::Uncertain { .. } => false,
        _ => true,
    };
    if NEGATION_CUE.is_match(text) && negatable {
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
    if unless_covers(&expr, span.0 + cue.start()) {
        return expr;
    }
    // "A, or B in case of C": the condition belongs to an alternative the
    // rules already read as one branch of an `or`.
    if matches!(expr, Expr::Or { .. }) && text[..cue.start()].contains(" or ") {
        return expr;
    }
    uncertain(expr, Uncertainty::Conditional, text, span)
}

/// A carve-out the rules already structured covers the condition word.
fn unless_covers(e: &Expr, at: usize) -> bool {
    match e {
        Expr::Unless { span, .. } => span.0 <= at && at < span.1,
        Expr::And { all } => all.iter().any(|x| unless_covers(x, at)),
        Expr::Or { any } => any.iter().any(|x| unless_covers(x, at)),
        Expr::Not { expr } => unless_covers(expr, at),
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

static NOT_SPECIFIED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:[a-z][a-z ]{1,30}:\s*)?(?:not\s+specified|unspecified|not\s+applicable|n/a|none\s+specified|no\s+restrictions?|any|see\s+(?:disease|patient)\s+characteristics)\s*\.?\s*$",
    )
});

/// **not_specified** — a PDQ field that states no restriction
/// ("Radiotherapy: Not specified", "Life expectancy: Not specified")
/// imposes nothing (it is not "no radiotherapy").
pub(super) fn not_specified(expr: Expr, text: &str) -> Expr {
    if NOT_SPECIFIED.is_match(text) {
        Expr::True
    } else {
        expr
    }
}

static SUBGROUP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\((?:[^()]*?)\b(?:with|if|in\s+case\s+of|in\s+(?:patients|subjects|those)\s+with|for\s+(?:patients|subjects|those)\s+with|due\s+to|related\s+to|unless|except|when)\b[^()]*\)",
    )
});
static EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:with\s+the\s+exceptions?\s+of|except(?:\s+for)?|other\s+than|excluding|apart\s+from|besides|not\s+including)\b[^.;()]*",
    )
});

/// Byte regions (absolute) of `text` where a mention is about a subgroup
/// or an exception, not the criterion's own subject.
fn side_regions(text: &str, start: usize) -> Vec<(usize, usize)> {
    SUBGROUP
        .find_iter(text)
        .chain(EXCEPTION.find_iter(text))
        .map(|m| (start + m.start(), start + m.end()))
        .collect()
}

/// **side_mentions** — a condition named in a parenthetical condition or
/// in an exception is not what the criterion asks about: "ALT ≤ 3 × ULN
/// (≤ 5 × ULN with liver metastases)" does not require the absence of
/// liver metastases; "active infections, with the exception of chronic
/// hepatitis B" does not exclude hepatitis B. Such presences become
/// uncertain.
pub(super) fn side_mentions(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    let regions = side_regions(text, span.0);
    if regions.is_empty() {
        return expr;
    }
    fn walk(e: Expr, regions: &[(usize, usize)], text: &str, span: (usize, usize)) -> Expr {
        match e {
            Expr::Has { span: (a, b), .. } if regions.iter().any(|&(s, t)| a >= s && b <= t) => {
                let rel = (a.saturating_sub(span.0), b.saturating_sub(span.0));
                let words = text.get(rel.0..rel.1).unwrap_or("");
                Expr::Uncertain {
                    expr: Box::new(e),
                    why: Uncertainty::Scope,
                    text: format!("\"{words}\" is named in an exception or a subgroup condition"),
                    span: (a, b),
                }
            }
            Expr::And { all } => Expr::And {
                all: all
                    .into_iter()
                    .map(|x| walk(x, regions, text, span))
                    .collect(),
            },
            Expr::Or { any } => Expr::Or {
                any: any
                    .into_iter()
                    .map(|x| walk(x, regions, text, span))
                    .collect(),
            },
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(walk(*expr, regions, text, span)),
            },
            Expr::Unless {
                base,
                except,
                span: us,
            } => Expr::Unless {
                base: Box::new(walk(*base, regions, text, span)),
                except,
                span: us,
            },
            other => other,
        }
    }
    walk(expr, &regions, text, span)
}

/// **qualifier** — an unread word right before a presence narrows it
/// ("No prior *pelvic* radiotherapy", "*major* surgery"): read without it
/// the presence is broader than the text, so it becomes uncertain.
pub(super) fn qualifier(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    let mut unparsed: Vec<(usize, usize)> = Vec::new();
    collect_unparsed(&expr, &mut unparsed);
    if unparsed.is_empty() {
        return expr;
    }
    fn walk(e: Expr, un: &[(usize, usize)], text: &str, span: (usize, usize)) -> Expr {
        match e {
            Expr::Has { span: (a, b), .. }
                if un.iter().any(|&(_, ue)| {
                    ue <= a
                        && text
                            .get(ue.saturating_sub(span.0)..a.saturating_sub(span.0))
                            .is_some_and(|gap| gap.trim().is_empty())
                }) =>
            {
                let words = text
                    .get(
                        un.iter()
                            .filter(|&&(_, ue)| ue <= a)
                            .map(|&(us, _)| us)
                            .max()
                            .unwrap_or(a)
                            .saturating_sub(span.0)
                            ..b.saturating_sub(span.0),
                    )
                    .unwrap_or("");
                Expr::Uncertain {
                    expr: Box::new(e),
                    why: Uncertainty::Narrower,
                    text: format!("\"{words}\": the qualifier was not read"),
                    span: (a, b),
                }
            }
            Expr::And { all } => Expr::And {
                all: all.into_iter().map(|x| walk(x, un, text, span)).collect(),
            },
            Expr::Or { any } => Expr::Or {
                any: any.into_iter().map(|x| walk(x, un, text, span)).collect(),
            },
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(walk(*expr, un, text, span)),
            },
            other => other,
        }
    }
    walk(expr, &unparsed, text, span)
}

fn collect_unparsed(e: &Expr, out: &mut Vec<(usize, usize)>) {
    match e {
        Expr::Unparsed { span, .. } => out.push(*span),
        Expr::And { all } => all.iter().for_each(|x| collect_unparsed(x, out)),
        Expr::Or { any } => any.iter().for_each(|x| collect_unparsed(x, out)),
        Expr::Not { expr } => collect_unparsed(expr, out),
        Expr::Unless { base, except, .. } => {
            collect_unparsed(base, out);
            collect_unparsed(except, out);
        }
        _ => {}
    }
}

/// **inclusion_carve_out** — in an inclusion, "A unless E" waives the
/// requirement for E ("other liver tests ≤ 2 × ULN unless related to liver
/// metastases" = A or E); the IR's `Unless` (A and not E) is the exclusion
/// reading ("excluded for A unless E").
pub(super) fn inclusion_carve_out(expr: Expr, kind: Kind) -> Expr {
    if kind != Kind::Inclusion {
        return expr;
    }
    fn walk(e: Expr) -> Expr {
        match e {
            Expr::Unless { base, except, .. } => Expr::Or {
                any: vec![walk(*base), walk(*except)],
            },
            Expr::And { all } => Expr::And {
                all: all.into_iter().map(walk).collect(),
            },
            Expr::Or { any } => Expr::Or {
                any: any.into_iter().map(walk).collect(),
            },
            other => other,
        }
    }
    walk(expr)
}

static LEADING_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[A-Za-z][A-Za-z /-]{1,30}:"));

/// **field_label** — the field label of a PDQ item ("Radiotherapy: No
/// prior pelvic radiotherapy", "Chemotherapy: At least 4 weeks since …")
/// is a heading, not a mention: presences read from it are dropped.
pub(super) fn field_label(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    let Some(m) = LEADING_LABEL.find(text) else {
        return expr;
    };
    let (ls, le) = (span.0 + m.start(), span.0 + m.end());
    let in_label = |e: &Expr| matches!(e, Expr::Has { span: (a, b), .. } if *a >= ls && *b <= le);
    fn walk(e: Expr, in_label: &dyn Fn(&Expr) -> bool) -> Expr {
        match e {
            Expr::And { all } => {
                let all: Vec<Expr> = all
                    .into_iter()
                    .filter(|x| !in_label(x))
                    .map(|x| walk(x, in_label))
                    .collect();
                match all.len() {
                    0 => Expr::True,
                    1 => all.into_iter().next().unwrap_or(Expr::True),
                    _ => Expr::And { all },
                }
            }
            Expr::Or { any } => {
                let n = any.len();
                let any: Vec<Expr> = any
                    .into_iter()
                    .filter(|x| !in_label(x))
                    .map(|x| walk(x, in_label))
                    .collect();
                match any.len() {
                    0 if n > 0 => Expr::Not {
                        expr: Box::new(Expr::True),
                    },
                    1 => any.into_iter().next().unwrap_or(Expr::True),
                    _ => Expr::Or { any },
                }
            }
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(walk(*expr, in_label)),
            },
            other => other,
        }
    }
    walk(expr, &in_label)
}

static EXCLUDED_PREDICATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:will|shall|are|is|must)\s+be\s+(?:excluded|ineligible|not\s+eligible)\b|\bserves?\s+to\s+exclude\b|\b(?:are|is)\s+(?:ineligible|not\s+eligible)\b",
    )
});

/// **excluded_predicate** — an item under "Inclusion" whose own predicate
/// excludes ("Patients with known hepatitis C … will be excluded", "An AST
/// greater than 75 IU/L will serve to exclude patients") is an exclusion:
/// its reading is negated.
pub(super) fn excluded_predicate(expr: Expr, kind: Kind, text: &str) -> Expr {
    if kind != Kind::Inclusion || !EXCLUDED_PREDICATE.is_match(text) || matches!(expr, Expr::True) {
        return expr;
    }
    Expr::Not {
        expr: Box::new(expr),
    }
}

static AFTER_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:\)\s*)?(?:vaccin\w*|immuni[sz]ation|immunoglobulin|prophylaxis|screening|test(?:ing)?\b|exposure|contacts?\b|infected\s+or\s+uninfected|positive\s+or\s+negative)",
    )
});
static SEVERITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:uncontrolled|poorly\s+controlled|not\s+(?:well\s+)?controlled|severe|significant|symptomatic|unstable|decompensated|life[- ]threatening|serious)\s+(?:\w+\s+){0,2}$",
    )
});
static POSTMODIFIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:to|for|of|in|on)\s+(?:the\s+|an?\s+|only\s+)*(?:[a-z]+\s+){0,2}(?:site|lesion|region|area|field|rectum|pelvis|brain|cranium|bone|liver|lung|chest|abdomen|adenocarcinoma|carcinoma|cancer|disease|tumou?r|metasta\w*|mediastinum|marrow)",
    )
});

/// **object_words** — words around a mention that change what it is about:
/// "hepatitis B *vaccines*", "HCV *infected or uninfected*", "*uncontrolled*
/// hypertension" (a controlled one does not count), "radiotherapy *to the
/// pelvis*", "radiotherapy *for adenocarcinoma of the rectum*". The
/// presence read without them is broader or another object: uncertain.
pub(super) fn object_words(expr: Expr, text: &str, span: (usize, usize)) -> Expr {
    fn walk(e: Expr, text: &str, span: (usize, usize)) -> Expr {
        match e {
            Expr::Has { span: (a, b), .. }
                if {
                    let (ra, rb) = (a.saturating_sub(span.0), b.saturating_sub(span.0));
                    let before = text.get(..ra).unwrap_or("");
                    let after = text.get(rb..).unwrap_or("");
                    AFTER_OBJECT.is_match(after)
                        || SEVERITY.is_match(before)
                        || (POSTMODIFIER.is_match(after) && is_therapy(&e))
                } =>
            {
                let rel = (a.saturating_sub(span.0), b.saturating_sub(span.0));
                let words = text.get(rel.0..rel.1).unwrap_or("").to_string();
                let other_object = AFTER_OBJECT.is_match(text.get(rel.1..).unwrap_or(""));
                Expr::Uncertain {
                    expr: Box::new(e),
                    why: if other_object {
                        Uncertainty::Scope
                    } else {
                        Uncertainty::Narrower
                    },
                    text: format!("\"{words}\": words around it change what it is about"),
                    span: (a, b),
                }
            }
            Expr::And { all } => Expr::And {
                all: all.into_iter().map(|x| walk(x, text, span)).collect(),
            },
            Expr::Or { any } => Expr::Or {
                any: any.into_iter().map(|x| walk(x, text, span)).collect(),
            },
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(walk(*expr, text, span)),
            },
            other => other,
        }
    }
    fn is_therapy(e: &Expr) -> bool {
        matches!(
            e,
            Expr::Has {
                what: HasKind::Therapy,
                ..
            }
        )
    }
    walk(expr, text, span)
}

static STRUCTURE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:(?:disease|patient)\s+characteristics|prior\s+concurrent\s+therapy)\s*:?(?:\s*-+)?|(?:^|[\s.;)])(?:age|sex|menopausal\s+status|performance\s+status|life\s+expectancy|hematopoietic|haematopoietic|hepatic|renal|cardiovascular|cardiac|pulmonary|neurologic|gastrointestinal|other|biologic\s+therapy|immunotherapy|chemotherapy|endocrine\s+therapy|hormonal\s+therapy|radiotherapy|radiation\s+therapy|surgery)\s*:|\bnot\s+specified\b|\bsee\s+(?:disease|patient)\s+characteristics\b)",
    )
});

/// Byte ranges of `s` that are structure, not content: PDQ block headings
/// and field labels, and "no restriction" phrases. The field label keeps
/// its word when it is also the subject ("Chemotherapy: …" is covered,
/// but a mention of chemotherapy later in the item is read as usual).
pub(super) fn structure_words(s: &str) -> Vec<(usize, usize)> {
    STRUCTURE
        .find_iter(s)
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// The text is one that imposes nothing (a permission without proviso, a
/// field "Not specified").
pub(super) fn imposes_nothing(text: &str) -> bool {
    NOT_SPECIFIED.is_match(text)
        || PERMISSION
            .find(text.trim())
            .is_some_and(|m| m.start() >= 8 && !PROVISO.is_match(text))
}

/// All guards, in order, for one criterion (`conditional` before
/// `inclusion_carve_out`: a carve-out the rules structured covers its own
/// condition words).
pub(super) fn apply(expr: Expr, kind: Kind, text: &str, span: (usize, usize)) -> Expr {
    let expr = field_label(expr, text, span);
    let expr = not_specified(expr, text);
    // Before the qualifier guards: a lost negation is fixed, not narrowed.
    let expr = pregnancy_polarity(expr, kind, text, span);
    let expr = side_mentions(expr, text, span);
    let expr = qualifier(expr, text, span);
    let expr = object_words(expr, text, span);
    let expr = permission(expr, text, span);
    let expr = excluded_predicate(expr, kind, text);
    let expr = population(expr, text, span);
    let expr = conditional(expr, text, span);
    inclusion_carve_out(expr, kind)
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

    fn has_at(c: &str, a: usize, b: usize) -> Expr {
        Expr::Has {
            concept: c.into(),
            what: HasKind::Condition,
            window: None,
            span: (a, b),
        }
    }

    #[test]
    fn not_specified_imposes_nothing() {
        assert_eq!(
            not_specified(
                Expr::Not {
                    expr: Box::new(has("radiotherapy"))
                },
                "Radiotherapy: Not specified"
            ),
            Expr::True
        );
        assert_eq!(
            not_specified(has("hcc"), "Hepatocellular carcinoma"),
            has("hcc")
        );
    }

    #[test]
    fn exceptions_and_subgroups_are_not_the_subject() {
        let t =
            "ALT no greater than 3 times ULN (no greater than 5 times ULN with liver metastases)";
        let a = t.find("liver").unwrap();
        let e = Expr::Not {
            expr: Box::new(has_at("liver_metastases", a, a + 16)),
        };
        let got = side_mentions(e, t, (0, t.len()));
        assert!(
            matches!(got, Expr::Not { ref expr } if matches!(**expr, Expr::Uncertain { .. })),
            "{got:?}"
        );
        let t = "Active opportunistic infections, with the exception of chronic hepatitis B";
        let a = t.find("hepatitis").unwrap();
        let got = side_mentions(has_at("hbv", a, a + 11), t, (0, t.len()));
        assert!(is_uncertain(&got, Uncertainty::Scope));
        // Outside any exception: unchanged.
        let t = "Chronic hepatitis B";
        assert_eq!(
            side_mentions(has_at("hbv", 8, 19), t, (0, t.len())),
            has_at("hbv", 8, 19)
        );
    }

    #[test]
    fn an_unread_qualifier_narrows_the_presence() {
        let t = "No prior pelvic radiotherapy";
        let a = t.find("radio").unwrap();
        let e = Expr::And {
            all: vec![
                Expr::Not {
                    expr: Box::new(has_at("radiotherapy", a, t.len())),
                },
                Expr::Unparsed {
                    text: "pelvic".into(),
                    span: (9, 15),
                },
            ],
        };
        let got = qualifier(e, t, (0, t.len()));
        let Expr::And { all } = got else { panic!() };
        assert!(
            matches!(&all[0], Expr::Not { expr } if matches!(**expr, Expr::Uncertain { .. })),
            "{all:?}"
        );
    }

    #[test]
    fn a_field_label_is_not_a_mention() {
        let t = "Radiotherapy: No prior pelvic radiotherapy";
        let b = t.find("pelvic").unwrap() + 7;
        let e = Expr::Not {
            expr: Box::new(Expr::Or {
                any: vec![
                    has_at("radiotherapy", 0, 12),
                    has_at("radiotherapy", b, t.len()),
                ],
            }),
        };
        let got = field_label(e, t, (0, t.len()));
        assert_eq!(
            got,
            Expr::Not {
                expr: Box::new(has_at("radiotherapy", b, t.len()))
            }
        );
    }

    #[test]
    fn an_inclusion_carve_out_waives_the_requirement() {
        let e = Expr::Unless {
            base: Box::new(has("x")),
            except: Box::new(has("liver_metastases")),
            span: (0, 0),
        };
        assert_eq!(
            inclusion_carve_out(e.clone(), Kind::Inclusion),
            Expr::Or {
                any: vec![has("x"), has("liver_metastases")]
            }
        );
        assert_eq!(inclusion_carve_out(e.clone(), Kind::Exclusion), e);
    }

    #[test]
    fn an_inclusion_item_that_excludes_is_negated() {
        let t = "Patients with known hepatitis C or hepatitis B virus carriers will be excluded";
        assert_eq!(
            excluded_predicate(has("hcv"), Kind::Inclusion, t),
            Expr::Not {
                expr: Box::new(has("hcv"))
            }
        );
        assert_eq!(
            excluded_predicate(has("hcv"), Kind::Exclusion, t),
            has("hcv")
        );
    }

    #[test]
    fn words_around_a_mention_change_its_object() {
        for (t, w) in [
            ("Pneumovax, tetanus and hepatitis B vaccines", "hepatitis B"),
            ("No uncontrolled hypertension", "hypertension"),
            ("Hepatitis C infected or uninfected", "Hepatitis C"),
        ] {
            let a = t.find(w).unwrap();
            let got = object_words(has_at("x", a, a + w.len()), t, (0, t.len()));
            assert!(matches!(got, Expr::Uncertain { .. }), "{t}: {got:?}");
        }
        let t = "No prior radiotherapy for adenocarcinoma of the rectum";
        let a = t.find("radiotherapy").unwrap();
        let e = Expr::Has {
            concept: "radiotherapy".into(),
            what: HasKind::Therapy,
            window: None,
            span: (a, a + 12),
        };
        assert!(is_uncertain(
            &object_words(e, t, (0, t.len())),
            Uncertainty::Narrower
        ));
        // Plain mentions stay.
        let t = "No prior radiotherapy";
        let a = t.find("radiotherapy").unwrap();
        let e = Expr::Has {
            concept: "radiotherapy".into(),
            what: HasKind::Therapy,
            window: None,
            span: (a, a + 12),
        };
        assert_eq!(object_words(e.clone(), t, (0, t.len())), e);
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
