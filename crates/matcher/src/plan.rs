//! The fast path for ranking many trials: compiled criteria flattened once
//! into a [`Plan`] whose data leaves are shared across trials (the same
//! comparison or presence question is answered once per patient), and a
//! verdict computed with the same rules as [`crate::evaluate_trial`] but
//! without explanations, stopping at the first failing criterion (the
//! verdict is then `ineligible` whatever the rest says). Its verdicts are
//! identical to `evaluate_trial`'s (tested).

use std::cell::Cell;
use std::collections::HashMap;

use tm_criteria::{
    Atom, CompiledCriteria, CompiledCriterion, Expr, HasKind, Kind, ReviewKind, Status, Window,
};

use crate::facts::PatientFacts;
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafRef {
    Data(u32),
    Remaining,
    Blocking,
}

#[derive(Debug)]
struct CritPlan {
    pass_value: bool,
    /// Has sub-criteria (its unknowns are counted through them).
    parent: bool,
    unparsed: bool,
    nodes: Vec<Node>,
    leaves: Vec<LeafRef>,
}

#[derive(Debug)]
enum LeafSpec {
    Atom(Atom),
    Has {
        concept: String,
        what: HasKind,
        window: Option<Window>,
    },
}

/// Trials prepared for fast matching.
#[derive(Debug, Default)]
pub struct Plan {
    leaves: Vec<LeafSpec>,
    trials: Vec<(TrialInfo, Vec<CritPlan>)>,
}

fn window_key(w: &Option<Window>) -> String {
    match w {
        Some(w) => format!(
            "{}{}@{}",
            w.value,
            w.unit,
            w.anchor.as_deref().unwrap_or("")
        ),
        None => String::new(),
    }
}

/// A structured criterion (AGE) built like `evaluate_trial` does.
fn structured(t: &TrialInfo) -> Vec<CompiledCriterion> {
    crate::trial::structured_age(t).into_iter().collect()
}

impl Plan {
    pub fn new(trials: &[(TrialInfo, &CompiledCriteria)]) -> Plan {
        let mut plan = Plan::default();
        let mut index: HashMap<String, u32> = HashMap::new();
        for (info, compiled) in trials {
            let mut crits = Vec::new();
            let extra = structured(info);
            for c in extra.iter().chain(compiled.criteria.iter()) {
                let mut cp = plan.flatten(c, &mut index);
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

    fn flatten(&mut self, c: &CompiledCriterion, index: &mut HashMap<String, u32>) -> CritPlan {
        let general: Vec<*const Expr> = general(&c.expr, c.kind);
        let mut cp = CritPlan {
            pass_value: c.kind == Kind::Inclusion,
            parent: false,
            unparsed: c.status == Status::Unparsed,
            nodes: Vec::new(),
            leaves: Vec::new(),
        };
        self.walk(&c.expr, c, &general, index, &mut cp);
        cp
    }

    fn walk(
        &mut self,
        e: &Expr,
        c: &CompiledCriterion,
        general: &[*const Expr],
        index: &mut HashMap<String, u32>,
        cp: &mut CritPlan,
    ) {
        let at = cp.nodes.len();
        let op = match e {
            Expr::And { .. } => Op::And,
            Expr::Or { .. } => Op::Or,
            Expr::Not { .. } => Op::Not,
            Expr::Unless { .. } => Op::Unless,
            Expr::True => Op::True,
            _ => Op::Leaf(cp.leaves.len() as u32),
        };
        cp.nodes.push(Node { op, size: 1 });
        match e {
            Expr::And { all } => all.iter().for_each(|x| self.walk(x, c, general, index, cp)),
            Expr::Or { any } => any.iter().for_each(|x| self.walk(x, c, general, index, cp)),
            Expr::Not { expr } => self.walk(expr, c, general, index, cp),
            Expr::Unless { base, except, .. } => {
                self.walk(base, c, general, index, cp);
                self.walk(except, c, general, index, cp);
            }
            Expr::True => {}
            Expr::Compare { atom } => {
                let r = match c.atoms.get(*atom) {
                    Some(a) => {
                        let key = format!(
                            "a|{}|{}|{:?}|{:?}|{}",
                            a.field,
                            a.op.as_str(),
                            a.value,
                            a.unit,
                            window_key(&a.window)
                        );
                        LeafRef::Data(self.intern(key, || LeafSpec::Atom(a.clone()), index))
                    }
                    None => LeafRef::Blocking,
                };
                cp.leaves.push(r);
            }
            Expr::Has {
                concept,
                what,
                window,
                ..
            } => {
                let key = format!("h|{concept}|{what:?}|{}", window_key(window));
                let spec = || LeafSpec::Has {
                    concept: concept.clone(),
                    what: *what,
                    window: window.clone(),
                };
                let r = LeafRef::Data(self.intern(key, spec, index));
                cp.leaves.push(r);
            }
            Expr::Review { reason, .. } => {
                let g = matches!(reason, ReviewKind::Consent | ReviewKind::Agreement)
                    || (*reason == ReviewKind::Investigator
                        && general.contains(&(e as *const Expr)));
                cp.leaves.push(if g {
                    LeafRef::Remaining
                } else {
                    LeafRef::Blocking
                });
            }
            Expr::Unparsed { .. } => cp.leaves.push(LeafRef::Blocking),
        }
        cp.nodes[at].size = (cp.nodes.len() - at) as u32;
    }

    fn intern(
        &mut self,
        key: String,
        spec: impl FnOnce() -> LeafSpec,
        index: &mut HashMap<String, u32>,
    ) -> u32 {
        if let Some(&i) = index.get(&key) {
            return i;
        }
        let i = self.leaves.len() as u32;
        self.leaves.push(spec());
        index.insert(key, i);
        i
    }

    /// Verdicts (and, for trials that are not ineligible, the number of
    /// unknown criteria) for one patient, in plan order.
    pub fn verdicts(&self, facts: &PatientFacts) -> Vec<(Verdict, usize)> {
        // 0 = not yet asked, 1 true, 2 false, 3 unknown, 4 treatment-time
        let cache: Vec<Cell<u8>> = (0..self.leaves.len()).map(|_| Cell::new(0)).collect();
        let mut buf: Vec<Option<bool>> = Vec::new();
        let mut classes: Vec<LeafRef> = Vec::new();
        self.trials
            .iter()
            .map(|(info, crits)| {
                if let Some(v) = sex_fails(info, facts) {
                    if v {
                        return (Verdict::Ineligible, 0);
                    }
                }
                let sex_unknown = sex_fails(info, facts).is_none()
                    && matches!(
                        info.sex,
                        Some(tm_model::SexEligibility::Male)
                            | Some(tm_model::SexEligibility::Female)
                    );
                let (mut blocked, mut unknowns, mut has_unknown) =
                    (false, usize::from(sex_unknown), sex_unknown);
                for c in crits {
                    buf.clear();
                    classes.clear();
                    for l in &c.leaves {
                        match *l {
                            LeafRef::Data(i) => {
                                let cell = &cache[i as usize];
                                if cell.get() == 0 {
                                    cell.set(self.answer(i as usize, facts));
                                }
                                match cell.get() {
                                    1 => (buf.push(Some(true)), classes.push(LeafRef::Data(i))),
                                    2 => (buf.push(Some(false)), classes.push(LeafRef::Data(i))),
                                    4 => (buf.push(None), classes.push(LeafRef::Remaining)),
                                    _ => (buf.push(None), classes.push(LeafRef::Data(i))),
                                };
                            }
                            other => {
                                buf.push(None);
                                classes.push(other);
                            }
                        }
                    }
                    match outcome(c, &buf, &classes) {
                        Out::Fail => return (Verdict::Ineligible, 0),
                        Out::Blocking => blocked = true,
                        Out::Unknown => {
                            has_unknown = true;
                            unknowns += usize::from(!c.parent);
                        }
                        Out::Pass | Out::Remaining => {}
                    }
                }
                // The studied condition (`trial::structured_condition`).
                if !blocked
                    && !info.conditions.is_empty()
                    && !facts.has_active_condition(&info.condition_concepts)
                {
                    blocked = true;
                }
                let v = if blocked {
                    Verdict::NeedsReview
                } else if has_unknown {
                    Verdict::NeedsData
                } else {
                    Verdict::Eligible
                };
                (v, unknowns)
            })
            .collect()
    }

    fn answer(&self, i: usize, facts: &PatientFacts) -> u8 {
        let a = match &self.leaves[i] {
            LeafSpec::Atom(a) => facts.eval_atom(a, false),
            LeafSpec::Has {
                concept,
                what,
                window,
            } => facts.eval_has(concept, *what, window, false),
        };
        if a.at_treatment {
            return 4;
        }
        match a.value {
            Some(true) => 1,
            Some(false) => 2,
            None => 3,
        }
    }

    pub fn trial(&self, i: usize) -> Option<&TrialInfo> {
        self.trials.get(i).map(|(t, _)| t)
    }
}

/// Some(true) when the structured sex criterion fails, None when unknown.
fn sex_fails(info: &TrialInfo, facts: &PatientFacts) -> Option<bool> {
    use tm_model::patient::Sex;
    let want = match info.sex {
        Some(tm_model::SexEligibility::Male) => Sex::Male,
        Some(tm_model::SexEligibility::Female) => Sex::Female,
        _ => return Some(false),
    };
    match facts.patient.sex {
        Sex::Male | Sex::Female => Some(facts.patient.sex != want),
        _ => None,
    }
}

enum Out {
    Pass,
    Fail,
    Unknown,
    Blocking,
    Remaining,
}

/// Kleene evaluation of the flat tree at `at`; `over` overrides leaves.
fn eval(
    nodes: &[Node],
    at: usize,
    vals: &[Option<bool>],
    over: &dyn Fn(usize) -> Option<Option<bool>>,
) -> Option<bool> {
    let n = nodes[at];
    match n.op {
        Op::Leaf(i) => over(i as usize).unwrap_or(vals[i as usize]),
        Op::True => Some(true),
        Op::Not => eval(nodes, at + 1, vals, over).map(|b| !b),
        Op::Unless => {
            let base = eval(nodes, at + 1, vals, over);
            let except = eval(nodes, at + 1 + nodes[at + 1].size as usize, vals, over);
            match (base, except) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            }
        }
        Op::And | Op::Or => {
            let decisive = matches!(n.op, Op::Or);
            let mut unknown = false;
            let mut j = at + 1;
            let end = at + n.size as usize;
            while j < end {
                match eval(nodes, j, vals, over) {
                    Some(b) if b == decisive => return Some(decisive),
                    None => unknown = true,
                    _ => {}
                }
                j += nodes[j].size as usize;
            }
            if unknown {
                None
            } else {
                Some(!decisive)
            }
        }
    }
}

/// The same classification as `eval::eval_criterion`.
fn outcome(c: &CritPlan, vals: &[Option<bool>], classes: &[LeafRef]) -> Out {
    let none = |_: usize| None;
    let holds = eval(&c.nodes, 0, vals, &none);
    let out = match holds {
        Some(h) if h == c.pass_value => Out::Pass,
        Some(_) => Out::Fail,
        None => {
            let relevant = |i: usize| {
                let t = eval(&c.nodes, 0, vals, &|j| (j == i).then_some(Some(true)));
                let f = eval(&c.nodes, 0, vals, &|j| (j == i).then_some(Some(false)));
                t != f
            };
            let unknown = |i: usize| vals[i].is_none();
            let remaining: Vec<usize> = (0..vals.len())
                .filter(|&i| unknown(i) && classes[i] == LeafRef::Remaining)
                .collect();
            let k = remaining.len().min(8);
            let mut passes = false;
            for mask in 0u32..(if k > 0 { 1u32 << k } else { 0 }) {
                let r = eval(&c.nodes, 0, vals, &|j| {
                    remaining
                        .iter()
                        .take(k)
                        .position(|&x| x == j)
                        .map(|p| Some(mask & (1 << p) != 0))
                });
                if r == Some(c.pass_value) {
                    passes = true;
                    break;
                }
            }
            if passes {
                Out::Remaining
            } else if (0..vals.len())
                .any(|i| unknown(i) && classes[i] == LeafRef::Blocking && relevant(i))
            {
                Out::Blocking
            } else {
                Out::Unknown
            }
        }
    };
    if c.unparsed && !matches!(out, Out::Fail | Out::Blocking | Out::Remaining) {
        return Out::Blocking;
    }
    out
}

fn general(e: &Expr, kind: Kind) -> Vec<*const Expr> {
    fn walk(e: &Expr, kind: Kind, out: &mut Vec<*const Expr>) {
        match (e, kind) {
            (Expr::Review { .. }, _) => out.push(e as *const Expr),
            (Expr::And { all }, Kind::Inclusion) => all.iter().for_each(|x| walk(x, kind, out)),
            (Expr::Or { any }, Kind::Exclusion) => any.iter().for_each(|x| walk(x, kind, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, kind, &mut out);
    out
}
