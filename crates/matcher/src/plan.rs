//! The compiled plan of a criterion and its analysis: **the one evaluator**.
//!
//! A [`CritPlan`] is a criterion's expression flattened once (pre-order
//! nodes with subtree sizes) with each leaf classified: a data leaf (a
//! comparison or presence question, answered from the patient), a
//! *remaining* item (consent, agreement, a general investigator item:
//! listed beside an eligible verdict) or a *blocking* item (clinical
//! judgement, unparsed text, unit/ambiguity/conflict review). [`analyse`]
//! is the only place where a criterion's outcome is decided from its leaf
//! values; it combines values only through [`tm_criteria::kleene`].
//!
//! Both paths use it:
//! - the explained path ([`crate::eval::eval_criterion`], behind
//!   [`crate::evaluate_trial`]) builds the plan of each criterion, answers
//!   its leaves with evidence and asks [`analyse`] for the outcome and the
//!   decisive leaves — explanation only *adds* evidence to the same
//!   outcome;
//! - the fast path ([`Plan`]) flattens many trials once, shares identical
//!   data leaves across trials (each question is answered once per
//!   patient), asks [`analyse`] for outcomes only and stops at the first
//!   failing criterion. Its verdicts are identical to the explained path's
//!   (tested).

use std::cell::Cell;
use std::collections::HashMap;

use tm_criteria::{
    kleene, Atom, CompiledCriteria, CompiledCriterion, Expr, HasKind, Kind, ReviewKind, Status,
    Uncertainty, Window,
};

use crate::facts::{LeafAnswer, PatientFacts};
use crate::result::Verdict;
use crate::trial::TrialInfo;

#[derive(Clone, Copy, Debug)]
enum Op {
    And,
    Or,
    Not,
    Unless,
    True,
    Leaf(u32),
}

#[derive(Clone, Copy, Debug)]
struct Node {
    op: Op,
    /// Number of nodes in this subtree (itself included).
    size: u32,
}

/// What a leaf of a criterion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeafRef {
    /// A data question; the number identifies it in its table (the
    /// criterion's own for the explained path, the plan's shared one for
    /// the fast path).
    Data(u32),
    /// Consent, agreement or a general investigator item.
    Remaining,
    /// A clinical judgement, unparsed text, a unit / ambiguity / conflict
    /// item, a specific investigator judgement, a broken atom reference.
    Blocking,
}

/// How a leaf counts once answered: a data leaf whose check can only be
/// made at treatment time counts as `Remaining`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeafClass {
    Data,
    Remaining,
    Blocking,
}

/// One criterion, flattened.
#[derive(Debug)]
pub(crate) struct CritPlan {
    /// The value of the expression for which the criterion passes (true
    /// for an inclusion, false for an exclusion).
    pub pass_value: bool,
    /// Has sub-criteria (its unknowns are counted through them).
    pub parent: bool,
    /// The compiler understood nothing of it: it never passes.
    pub unparsed: bool,
    nodes: Vec<Node>,
    pub leaves: Vec<LeafRef>,
}

/// A data question of a leaf, as the patient facts answer it.
#[derive(Debug, Clone)]
pub(crate) enum LeafSpec {
    /// A reading broader than the text (`Uncertainty::Narrower`): its
    /// "no" decides, anything else is an uncertain reading.
    Narrower(Box<LeafSpec>),
    Atom(Atom),
    Has {
        concept: String,
        what: HasKind,
        window: Option<Window>,
    },
}

impl LeafSpec {
    /// The data question of a leaf node, if it is one.
    pub fn of(e: &Expr, c: &CompiledCriterion) -> Option<LeafSpec> {
        match e {
            Expr::Uncertain {
                expr,
                why: Uncertainty::Narrower,
                ..
            } => LeafSpec::of(expr, c).map(|x| LeafSpec::Narrower(Box::new(x))),
            Expr::Compare { atom } => c.atoms.get(*atom).cloned().map(LeafSpec::Atom),
            Expr::Has {
                concept,
                what,
                window,
                ..
            } => Some(LeafSpec::Has {
                concept: concept.clone(),
                what: *what,
                window: window.clone(),
            }),
            _ => None,
        }
    }

    /// The key under which identical questions are shared across trials.
    fn key(&self) -> String {
        fn window_key(w: &Option<Window>) -> String {
            match w {
                Some(w) => format!("{}{}@{:?}", w.value, w.unit, w.anchor),
                None => String::new(),
            }
        }
        match self {
            LeafSpec::Narrower(x) => format!("n|{}", x.key()),
            LeafSpec::Atom(a) => format!(
                "a|{}|{}|{:?}|{:?}|{}",
                a.field,
                a.op.as_str(),
                a.value,
                a.unit,
                window_key(&a.window)
            ),
            LeafSpec::Has {
                concept,
                what,
                window,
            } => format!("h|{concept}|{what:?}|{}", window_key(window)),
        }
    }

    /// The answer of the patient facts (`ex`: with evidence).
    pub fn answer(&self, facts: &PatientFacts, ex: bool) -> LeafAnswer {
        match self {
            LeafSpec::Narrower(x) => {
                let mut a = x.answer(facts, ex);
                if a.value != Some(false) && a.uncertain.is_none() {
                    a.uncertain = Some(format!(
                        "the text is narrower than \"{}\" ({}): only its absence decides",
                        a.label,
                        match a.value {
                            Some(true) => "present",
                            _ => "unknown",
                        }
                    ));
                    a.uncertain_kind = Some("narrower");
                    a.value = None;
                }
                a
            }
            LeafSpec::Atom(a) => facts.eval_atom(a, ex),
            LeafSpec::Has {
                concept,
                what,
                window,
            } => facts.eval_has(concept, *what, window, ex),
        }
    }
}

impl CritPlan {
    /// Flattens `c`. `data` numbers each data question (and may share
    /// identical ones); the leaf nodes are returned in leaf order.
    pub fn build<'c>(
        c: &'c CompiledCriterion,
        data: &mut dyn FnMut(LeafSpec) -> u32,
    ) -> (CritPlan, Vec<&'c Expr>) {
        let mut cp = CritPlan {
            pass_value: c.kind == Kind::Inclusion,
            parent: false,
            unparsed: c.status == Status::Unparsed,
            nodes: Vec::new(),
            leaves: Vec::new(),
        };
        let mut nodes = Vec::new();
        cp.walk(&c.expr, c, true, data, &mut nodes);
        (cp, nodes)
    }

    /// `general`: the node is reachable from the root through `and` only
    /// (inclusion) or `or` only (exclusion) — a consent / agreement /
    /// investigator item there is a general item of the criterion; inside
    /// the logic (a carve-out "… judged by the investigator") it is a
    /// specific judgement, hence blocking.
    fn walk<'c>(
        &mut self,
        e: &'c Expr,
        c: &'c CompiledCriterion,
        general: bool,
        data: &mut dyn FnMut(LeafSpec) -> u32,
        out: &mut Vec<&'c Expr>,
    ) {
        let at = self.nodes.len();
        let op = match e {
            Expr::And { .. } => Op::And,
            Expr::Or { .. } => Op::Or,
            Expr::Not { .. } => Op::Not,
            Expr::Unless { .. } => Op::Unless,
            Expr::True => Op::True,
            _ => Op::Leaf(self.leaves.len() as u32),
        };
        self.nodes.push(Node { op, size: 1 });
        match e {
            Expr::And { all } => {
                let g = general && c.kind == Kind::Inclusion;
                all.iter().for_each(|x| self.walk(x, c, g, data, out));
            }
            Expr::Or { any } => {
                let g = general && c.kind == Kind::Exclusion;
                any.iter().for_each(|x| self.walk(x, c, g, data, out));
            }
            Expr::Not { expr } => self.walk(expr, c, false, data, out),
            Expr::Unless { base, except, .. } => {
                self.walk(base, c, false, data, out);
                self.walk(except, c, false, data, out);
            }
            Expr::True => {}
            Expr::Review { reason, .. } => {
                let remaining = matches!(reason, ReviewKind::Consent | ReviewKind::Agreement)
                    || (*reason == ReviewKind::Investigator && general);
                self.leaves.push(if remaining {
                    LeafRef::Remaining
                } else {
                    LeafRef::Blocking
                });
                out.push(e);
            }
            Expr::Uncertain {
                why: Uncertainty::Narrower,
                ..
            } if LeafSpec::of(e, c).is_some() => {
                let spec = LeafSpec::of(e, c).unwrap_or(LeafSpec::Atom(Atom {
                    field: String::new(),
                    op: tm_criteria::Op::Eq,
                    value: tm_criteria::Value::Number(0.0),
                    unit: None,
                    span: (0, 0),
                    window: None,
                }));
                self.leaves.push(LeafRef::Data(data(spec)));
                out.push(e);
            }
            Expr::Unparsed { .. } | Expr::Uncertain { .. } => {
                self.leaves.push(LeafRef::Blocking);
                out.push(e);
            }
            Expr::Compare { .. } | Expr::Has { .. } => {
                self.leaves.push(match LeafSpec::of(e, c) {
                    Some(spec) => LeafRef::Data(data(spec)),
                    None => LeafRef::Blocking,
                });
                out.push(e);
            }
        }
        self.nodes[at].size = (self.nodes.len() - at) as u32;
    }

    /// Kleene value of the expression; `over` overrides leaf values.
    fn eval(
        &self,
        vals: &[Option<bool>],
        over: &dyn Fn(usize) -> Option<Option<bool>>,
    ) -> Option<bool> {
        self.eval_at(0, vals, over)
    }

    fn eval_at(
        &self,
        at: usize,
        vals: &[Option<bool>],
        over: &dyn Fn(usize) -> Option<Option<bool>>,
    ) -> Option<bool> {
        let n = self.nodes[at];
        let children = || {
            let end = at + n.size as usize;
            let mut j = at + 1;
            std::iter::from_fn(move || {
                (j < end).then(|| {
                    let k = j;
                    j += self.nodes[j].size as usize;
                    k
                })
            })
        };
        match n.op {
            Op::Leaf(i) => over(i as usize).unwrap_or(vals[i as usize]),
            Op::True => Some(true),
            Op::Not => kleene::not(self.eval_at(at + 1, vals, over)),
            Op::Unless => {
                let mut ch = children();
                let (b, x) = (ch.next().unwrap_or(at + 1), ch.next().unwrap_or(at + 1));
                kleene::unless(self.eval_at(b, vals, over), self.eval_at(x, vals, over))
            }
            Op::And => kleene::and(children().map(|j| self.eval_at(j, vals, over))),
            Op::Or => kleene::or(children().map(|j| self.eval_at(j, vals, over))),
        }
    }
}

/// The outcome of a criterion, before explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Out {
    Pass,
    Fail,
    /// Data missing.
    Unknown,
    /// Review that blocks eligibility.
    Blocking,
    /// Passes but for remaining (consent-like or treatment-time) items.
    Remaining,
}

/// What [`analyse`] found.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// The expression's Kleene value.
    pub holds: Option<bool>,
    pub out: Out,
    /// Set by the "nothing understood never passes" rule.
    pub unparsed_override: bool,
    /// With `detail`: the review leaves to show, in order.
    pub review: Vec<usize>,
    /// With `detail`: the leaves that decide the outcome.
    pub decisive: Vec<usize>,
}

/// The outcome of criterion `cp` given its leaf values and classes —
/// **the** definition of pass / fail / unknown / review:
/// - `holds` known: pass when it equals the criterion's pass value, else
///   fail;
/// - unknown, and some answer of the unknown *remaining* items makes it
///   pass: review (non-blocking, `Remaining`);
/// - unknown, and a *blocking* item could change it: review (`Blocking`);
/// - otherwise unknown: data is missing;
/// - a criterion the compiler understood nothing of never passes.
///
/// `detail`: also compute the decisive and review leaves (explained path).
pub(crate) fn analyse(
    cp: &CritPlan,
    vals: &[Option<bool>],
    classes: &[LeafClass],
    detail: bool,
) -> Analysis {
    let holds = cp.eval(vals, &|_| None);
    let mut a = Analysis {
        holds,
        out: Out::Unknown,
        unparsed_override: false,
        review: Vec::new(),
        decisive: Vec::new(),
    };
    match holds {
        Some(h) => {
            a.out = if h == cp.pass_value {
                Out::Pass
            } else {
                Out::Fail
            };
            if detail {
                // The known leaves whose flip would change the result (or,
                // for an all-true / any-false result, every known leaf).
                a.decisive = (0..vals.len())
                    .filter(|&i| {
                        vals[i].is_some_and(|v| {
                            cp.eval(vals, &|j| (j == i).then_some(Some(!v))) != holds
                        })
                    })
                    .collect();
                if a.decisive.is_empty() {
                    a.decisive = (0..vals.len()).filter(|&i| vals[i].is_some()).collect();
                }
            }
        }
        None => {
            let relevant = |i: usize| {
                let t = cp.eval(vals, &|j| (j == i).then_some(Some(true)));
                let f = cp.eval(vals, &|j| (j == i).then_some(Some(false)));
                t != f
            };
            let unknown: Vec<usize> = (0..vals.len()).filter(|&i| vals[i].is_none()).collect();
            // Non-blocking items: all unknown ones, not only those that flip
            // the result alone — several can matter together (seed 000 I9:
            // two agreements and a treatment-time pregnancy check).
            let remaining: Vec<usize> = unknown
                .iter()
                .copied()
                .filter(|&i| classes[i] == LeafClass::Remaining)
                .collect();
            // Can the remaining items make the criterion pass with
            // everything else as is? (at most 2^8 assignments)
            let k = remaining.len().min(8);
            let at = |mask: u32, j: usize, flip: Option<usize>| {
                remaining
                    .iter()
                    .take(k)
                    .position(|&x| x == j)
                    .map(|p| Some((mask & (1 << p) != 0) != (flip == Some(j))))
            };
            let passing_mask = (0u32..if k > 0 { 1 << k } else { 0 })
                .find(|&mask| cp.eval(vals, &|j| at(mask, j, None)) == Some(cp.pass_value));
            if !detail {
                a.out = if passing_mask.is_some() {
                    Out::Remaining
                } else if unknown
                    .iter()
                    .any(|&i| classes[i] == LeafClass::Blocking && relevant(i))
                {
                    Out::Blocking
                } else {
                    Out::Unknown
                };
                return finish_unparsed(cp, a);
            }
            let rel: Vec<usize> = unknown.iter().copied().filter(|&i| relevant(i)).collect();
            let blocking: Vec<usize> = rel
                .iter()
                .copied()
                .filter(|&i| classes[i] == LeafClass::Blocking)
                .collect();
            let remaining_rel = remaining.iter().copied().filter(|i| rel.contains(i));
            if let Some(mask) = passing_mask {
                a.out = Out::Remaining;
                // The items this pass depends on.
                a.review = remaining
                    .iter()
                    .take(k)
                    .copied()
                    .filter(|&i| cp.eval(vals, &|j| at(mask, j, Some(i))) != Some(cp.pass_value))
                    .collect();
                a.decisive.clone_from(&a.review);
            } else if blocking.is_empty() {
                a.out = Out::Unknown;
                a.review = remaining_rel.collect();
            } else {
                a.out = Out::Blocking;
                a.review = blocking.iter().copied().chain(remaining_rel).collect();
                a.decisive = blocking;
            }
            a.decisive.extend(
                rel.iter()
                    .copied()
                    .filter(|&i| classes[i] == LeafClass::Data),
            );
            a.decisive.sort_unstable();
            a.decisive.dedup();
        }
    }
    finish_unparsed(cp, a)
}

/// A criterion nobody understood never passes (issue 9) and never fails
/// (issue 19: an exclusion read as nothing but `True` is not a reading).
fn finish_unparsed(cp: &CritPlan, mut a: Analysis) -> Analysis {
    if cp.unparsed && matches!(a.out, Out::Pass | Out::Unknown | Out::Fail) {
        a.out = Out::Blocking;
        a.unparsed_override = true;
    }
    a
}

/// The trial verdict from its criteria's outcomes — **the** definition:
/// a failed criterion makes the patient ineligible; otherwise a blocking
/// review item needs review; otherwise missing data needs data; otherwise
/// eligible.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub failed: bool,
    pub blocked: bool,
    pub unknown: bool,
}

impl Tally {
    pub fn verdict(self) -> Verdict {
        if self.failed {
            Verdict::Ineligible
        } else if self.blocked {
            Verdict::NeedsReview
        } else if self.unknown {
            Verdict::NeedsData
        } else {
            Verdict::Eligible
        }
    }
}

/// Trials prepared for fast matching.
#[derive(Debug, Default)]
pub struct Plan {
    leaves: Vec<LeafSpec>,
    trials: Vec<(TrialInfo, Vec<CritPlan>)>,
}

impl Plan {
    pub fn new(trials: &[(TrialInfo, &CompiledCriteria)]) -> Plan {
        let mut plan = Plan::default();
        let mut index: HashMap<String, u32> = HashMap::new();
        for (info, compiled) in trials {
            let mut crits = Vec::new();
            let age = crate::trial::structured_age(info);
            for c in age.iter().chain(compiled.criteria.iter()) {
                let leaves = &mut plan.leaves;
                let (mut cp, _) = CritPlan::build(c, &mut |spec| {
                    *index.entry(spec.key()).or_insert_with(|| {
                        leaves.push(spec);
                        (leaves.len() - 1) as u32
                    })
                });
                cp.parent = compiled
                    .criteria
                    .iter()
                    .any(|x| x.parent.as_deref() == Some(c.id.as_str()));
                crits.push(cp);
            }
            // No criteria on record: a blocking item (as evaluate_trial).
            if compiled.criteria.is_empty() {
                crits.push(CritPlan {
                    pass_value: true,
                    parent: false,
                    unparsed: true,
                    nodes: vec![Node {
                        op: Op::Leaf(0),
                        size: 1,
                    }],
                    leaves: vec![LeafRef::Blocking],
                });
            }
            plan.trials.push((info.clone(), crits));
        }
        plan
    }

    pub fn len(&self) -> usize {
        self.trials.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trials.is_empty()
    }

    /// Distinct data leaves over all trials.
    pub fn distinct_leaves(&self) -> usize {
        self.leaves.len()
    }

    /// Verdicts (and, for trials that are not ineligible, the number of
    /// unknown criteria) for one patient, in plan order.
    pub fn verdicts(&self, facts: &PatientFacts) -> Vec<(Verdict, usize)> {
        // 0 = not yet asked, 1 true, 2 false, 3 unknown, 4 treatment-time,
        // 5 uncertain reading
        let cache: Vec<Cell<u8>> = (0..self.leaves.len()).map(|_| Cell::new(0)).collect();
        let mut vals: Vec<Option<bool>> = Vec::new();
        let mut classes: Vec<LeafClass> = Vec::new();
        self.trials
            .iter()
            .map(|(info, crits)| {
                let sex = crate::trial::sex_admitted(info, facts);
                if sex == Some(Some(false)) {
                    return (Verdict::Ineligible, 0);
                }
                let sex_unknown = sex == Some(None);
                let mut tally = Tally {
                    unknown: sex_unknown,
                    ..Tally::default()
                };
                let mut unknowns = usize::from(sex_unknown);
                for c in crits {
                    vals.clear();
                    classes.clear();
                    for l in &c.leaves {
                        let (v, class) = match *l {
                            LeafRef::Data(i) => {
                                let cell = &cache[i as usize];
                                if cell.get() == 0 {
                                    cell.set(code(&self.leaves[i as usize].answer(facts, false)));
                                }
                                match cell.get() {
                                    1 => (Some(true), LeafClass::Data),
                                    2 => (Some(false), LeafClass::Data),
                                    4 => (None, LeafClass::Remaining),
                                    5 => (None, LeafClass::Blocking),
                                    _ => (None, LeafClass::Data),
                                }
                            }
                            LeafRef::Remaining => (None, LeafClass::Remaining),
                            LeafRef::Blocking => (None, LeafClass::Blocking),
                        };
                        vals.push(v);
                        classes.push(class);
                    }
                    match analyse(c, &vals, &classes, false).out {
                        Out::Fail => return (Verdict::Ineligible, 0),
                        Out::Blocking => tally.blocked = true,
                        Out::Unknown => {
                            tally.unknown = true;
                            unknowns += usize::from(!c.parent);
                        }
                        Out::Pass | Out::Remaining => {}
                    }
                }
                // The studied condition (`trial::structured_condition`).
                if !info.conditions.is_empty()
                    && !facts.has_active_condition(&info.condition_concepts)
                {
                    tally.blocked = true;
                }
                (tally.verdict(), unknowns)
            })
            .collect()
    }

    pub fn trial(&self, i: usize) -> Option<&TrialInfo> {
        self.trials.get(i).map(|(t, _)| t)
    }
}

/// A leaf answer as one cached byte.
fn code(a: &LeafAnswer) -> u8 {
    if a.uncertain.is_some() {
        return 5;
    }
    if a.at_treatment {
        return 4;
    }
    match a.value {
        Some(true) => 1,
        Some(false) => 2,
        None => 3,
    }
}
