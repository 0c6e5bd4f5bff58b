//! The criterion IR: what a compiled criterion means, in a form the matcher
//! evaluates without reading text.
//!
//! Design:
//! - Every leaf names a concept id (`field`/`concept`, the lexicon's stable
//!   name), and for comparisons an operator, a value normalised to the
//!   concept's canonical UCUM unit (or a multiple of the ULN/LLN, or an
//!   offset from the ULN), and an optional time window.
//! - Leaves keep the text's own polarity: exclusion 14 of seed 000 ("lung
//!   dose > 30 Gy") is `maa_lung_dose_gy > 30 Gy` inside an exclusion; the
//!   matcher applies the criterion's `kind`. Negation in the text ("No …")
//!   is an explicit [`Expr::Not`].
//! - What needs a person is a [`Expr::Review`] leaf with a reason; text not
//!   understood is an [`Expr::Unparsed`] leaf with the verbatim text. Never
//!   dropped, never guessed.
//! - Every node carries the `[start, end)` byte span in the criteria text it
//!   came from.

use serde::{Deserialize, Serialize};

use crate::segment::Kind;

/// Comparison operator (`<`, `<=`, `>`, `>=`, `=`, `!=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "=",
            Op::Ne => "!=",
        }
    }

    /// Applies the operator to `lhs op rhs`.
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Op::Lt => lhs < rhs,
            Op::Le => lhs <= rhs,
            Op::Gt => lhs > rhs,
            Op::Ge => lhs >= rhs,
            Op::Eq => (lhs - rhs).abs() < 1e-9,
            Op::Ne => (lhs - rhs).abs() >= 1e-9,
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A number in the atom's `unit` (the concept's canonical unit when
    /// conversion was possible).
    Number(f64),
    /// `n × ULN` (upper limit of normal of the reporting laboratory).
    XUln { x_uln: f64 },
    /// `n × LLN`.
    XLln { x_lln: f64 },
    /// `ULN + n` in `unit` (seed 004: PT ≤ ULN + 6 s).
    UlnPlus { uln_plus: f64 },
}

/// A time window: the event happened within `value unit` before the anchor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub value: f64,
    /// UCUM: `h`, `d`, `wk`, `mo`, `a`.
    pub unit: String,
    /// What the window is counted back from, as written (`dosing`,
    /// `enrollment`), or null for "now / study start". For display only:
    /// the meaning is [`Window::from`].
    pub anchor: Option<String>,
    /// What the window is counted back from, decided by the compiler from
    /// the anchor words (the matcher reads only this).
    #[serde(default)]
    pub from: WindowFrom,
    pub span: (usize, usize),
}

/// The point a [`Window`] is counted back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowFrom {
    /// The index date (no anchor, "screening", "study entry").
    #[default]
    Now,
    /// The planned start of treatment / enrolment ("dosing", "first dose",
    /// "enrolment", "randomisation", "registration", "surgery" …).
    TreatmentStart,
}

/// A comparison atom: `field op value unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Atom {
    /// Lexicon concept id, e.g. `platelets`, `alt`, `child_pugh_score`.
    pub field: String,
    pub op: Op,
    pub value: Value,
    /// UCUM unit of `value` (null: the text gave none and the concept has
    /// no implicit unit — the criterion is then `partial`).
    pub unit: Option<String>,
    /// The comparison's text in the criteria text.
    pub span: (usize, usize),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

/// Why a part needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// Informed consent.
    Consent,
    /// An undertaking: contraception, sample donation, compliance.
    Agreement,
    /// A general discretion clause of the investigator.
    Investigator,
    /// A specific clinical judgement the data cannot settle.
    Clinical,
    /// A value whose unit is missing where the unit matters.
    UnitMissing,
    /// A separator that could be thousands or decimal, not settled by the
    /// concept's plausible range.
    AmbiguousNumber,
    /// The same threshold stated twice with different operators.
    Conflict,
    /// Text that was not understood.
    Unparsed,
}

/// Why a reading is uncertain ([`Expr::Uncertain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Uncertainty {
    /// A number without a unit that several plausible units fit.
    UnitAmbiguous,
    /// A condition ("if …", "for patients with …") the compiler did not
    /// understand decides whether the criterion applies.
    Conditional,
    /// Unparsed words inside the criterion could reverse its meaning
    /// (negation, exception, scope).
    Scope,
    /// The criterion applies to another population (healthy volunteers,
    /// another cohort).
    Population,
    /// The reading is broader than the text ("uncontrolled hypertension"
    /// read as hypertension, "pelvic radiotherapy" as radiotherapy): its
    /// "no" is certain (no hypertension at all is no uncontrolled
    /// hypertension), its "yes" is not.
    Narrower,
}

impl Uncertainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Uncertainty::UnitAmbiguous => "unit_ambiguous",
            Uncertainty::Conditional => "conditional",
            Uncertainty::Scope => "scope",
            Uncertainty::Population => "population",
            Uncertainty::Narrower => "narrower",
        }
    }
}

/// One reason for review, with the text it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReason {
    pub kind: ReviewKind,
    pub text: String,
    pub span: (usize, usize),
}

/// What kind of presence an [`Expr::Has`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HasKind {
    /// A condition, finding or state (diagnosis, pregnancy, HIV positive).
    Condition,
    /// A procedure or therapy received (radiotherapy, TACE, transfusion).
    Therapy,
    /// Participation in another trial.
    Trial,
}

/// The criterion IR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expr {
    /// All must hold.
    And { all: Vec<Expr> },
    /// At least one must hold.
    Or { any: Vec<Expr> },
    /// The text's own negation ("No …", "without …", "negative").
    Not { expr: Box<Expr> },
    /// A carve-out: `base` holds unless `except` holds (`base ∧ ¬except`).
    /// "albumin < 30 g/L unless PT is within the normal range";
    /// "… However, resolved radiation pneumonitis is excluded".
    Unless {
        base: Box<Expr>,
        except: Box<Expr>,
        span: (usize, usize),
    },
    /// A comparison; `atom` indexes the criterion's flat `atoms` list.
    Compare { atom: usize },
    /// Presence of a condition or of a therapy/procedure (optionally within
    /// a window). Absence is `Not { Has }`.
    Has {
        concept: String,
        what: HasKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<Window>,
        span: (usize, usize),
    },
    /// Needs a person.
    Review {
        reason: ReviewKind,
        text: String,
        span: (usize, usize),
    },
    /// Not understood; kept verbatim.
    Unparsed { text: String, span: (usize, usize) },
    /// A reading the compiler is not sure of (a number without a unit that
    /// more than one plausible unit fits, a negation or condition whose
    /// scope is unclear, residue that could change polarity). **It never
    /// decides**: the matcher treats it as a blocking review item and only
    /// reports what `expr`, the suspected reading, would give ("likely
    /// fails: platelets ≥ 100 × 10⁹/L — 85").
    Uncertain {
        expr: Box<Expr>,
        why: Uncertainty,
        text: String,
        span: (usize, usize),
    },
    /// Nothing to check (an empty lead-in such as "Adequate organ function:"
    /// whose content is in its sub-criteria).
    True,
}

/// How much of a criterion was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// All of it understood and machine-checkable.
    Computable,
    /// Some computable parts plus parts for review.
    Partial,
    /// Nothing computable; a person must decide.
    Review,
    /// Nothing understood.
    Unparsed,
}

/// One compiled criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompiledCriterion {
    pub id: String,
    pub kind: Kind,
    pub text: String,
    pub span: (usize, usize),
    pub parent: Option<String>,
    pub status: Status,
    pub review_reason: Vec<ReviewReason>,
    pub expr: Expr,
    pub atoms: Vec<Atom>,
}

/// All criteria of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompiledCriteria {
    pub compiler_version: String,
    pub criteria: Vec<CompiledCriterion>,
}

impl Expr {
    /// Leaves of the expression, depth first.
    pub fn leaves(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if !matches!(
                e,
                Expr::And { .. } | Expr::Or { .. } | Expr::Not { .. } | Expr::Unless { .. }
            ) {
                out.push(e);
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::And { all } => all.iter().for_each(|e| e.walk(f)),
            Expr::Or { any } => any.iter().for_each(|e| e.walk(f)),
            Expr::Not { expr } => expr.walk(f),
            Expr::Unless { base, except, .. } => {
                base.walk(f);
                except.walk(f);
            }
            _ => {}
        }
    }

    /// Three-valued evaluation: `leaf` answers `Some(true/false)` or `None`
    /// (unknown) for each leaf; `Review`/`Unparsed` leaves are unknown.
    pub fn eval(&self, leaf: &dyn Fn(&Expr) -> Option<bool>) -> Option<bool> {
        self.eval_leaves(&|e| match e {
            Expr::Review { .. } | Expr::Unparsed { .. } | Expr::Uncertain { .. } => None,
            other => leaf(other),
        })
    }

    /// Kleene evaluation in which `leaf` answers every leaf, `Review` and
    /// `Unparsed` included (the matcher settles some review items, e.g. a
    /// male patient and a pregnancy test). `True` is always true. The truth
    /// tables are those of [`kleene`].
    pub fn eval_leaves(&self, leaf: &dyn Fn(&Expr) -> Option<bool>) -> Option<bool> {
        match self {
            Expr::And { all } => kleene::and(all.iter().map(|e| e.eval_leaves(leaf))),
            Expr::Or { any } => kleene::or(any.iter().map(|e| e.eval_leaves(leaf))),
            Expr::Not { expr } => kleene::not(expr.eval_leaves(leaf)),
            Expr::Unless { base, except, .. } => {
                kleene::unless(base.eval_leaves(leaf), except.eval_leaves(leaf))
            }
            Expr::True => Some(true),
            other => leaf(other),
        }
    }
}

/// Kleene's strong three-valued logic (`None` = unknown): the one
/// definition of the connectives of the IR. Every evaluator (the tree walk
/// above, the matcher's flat plan) combines values only through these.
pub mod kleene {
    /// Conjunction, short-circuiting on the first `false` (the iterator is
    /// not consumed further).
    pub fn and(items: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
        junction(items, false)
    }

    /// Disjunction, short-circuiting on the first `true`.
    pub fn or(items: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
        junction(items, true)
    }

    /// `decisive` is the value that settles the junction (false for AND,
    /// true for OR); without it, any unknown makes the result unknown.
    fn junction(items: impl IntoIterator<Item = Option<bool>>, decisive: bool) -> Option<bool> {
        let mut unknown = false;
        for v in items {
            match v {
                Some(b) if b == decisive => return Some(decisive),
                None => unknown = true,
                Some(_) => {}
            }
        }
        (!unknown).then_some(!decisive)
    }

    pub fn not(v: Option<bool>) -> Option<bool> {
        v.map(|b| !b)
    }

    /// `base` unless `except` (`base ∧ ¬except`).
    pub fn unless(base: Option<bool>, except: Option<bool>) -> Option<bool> {
        and([base, not(except)])
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        const V: [Option<bool>; 3] = [Some(true), Some(false), None];

        #[test]
        fn truth_tables() {
            for a in V {
                for b in V {
                    let and_ = and([a, b]);
                    let or_ = or([a, b]);
                    let expect_and = match (a, b) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    };
                    let expect_or = match (a, b) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    };
                    assert_eq!(and_, expect_and, "{a:?} and {b:?}");
                    assert_eq!(or_, expect_or, "{a:?} or {b:?}");
                    // De Morgan holds in Kleene logic.
                    assert_eq!(not(and_), or([not(a), not(b)]));
                    assert_eq!(unless(a, b), and([a, not(b)]));
                }
            }
            assert_eq!(and([]), Some(true));
            assert_eq!(or([]), Some(false));
        }

        #[test]
        fn short_circuit_stops_consuming() {
            let mut seen = 0;
            let r = and([Some(true), Some(false), None]
                .into_iter()
                .inspect(|_| seen += 1));
            assert_eq!(r, Some(false));
            assert_eq!(seen, 2);
        }
    }
}
