//! Property tests: monotonicity of data, irrelevance of unrelated facts,
//! and "never eligible with an unparsed criterion".

mod common;
use common::*;
use proptest::prelude::*;
use tm_criteria::{Expr, Kind, Op, Value};
use tm_matcher::{Outcome, Verdict};
use tm_model::patient::{Patient, Sex};
use tm_model::Date;

/// Labs with their canonical units, each used by at most one criterion.
const LABS: &[(&str, &str)] = &[
    ("platelets", "10*9/L"),
    ("anc", "10*9/L"),
    ("wbc", "10*9/L"),
    ("albumin", "g/dL"),
    ("alt", "U/L"),
    ("ast", "U/L"),
    ("creatinine", "mg/dL"),
    ("inr", "{INR}"),
];

fn op_of(i: u8) -> Op {
    [Op::Lt, Op::Le, Op::Gt, Op::Ge][usize::from(i % 4)]
}

#[derive(Debug, Clone)]
struct Case {
    /// (lab index, op, threshold, inclusion?)
    crits: Vec<(usize, u8, f64, bool)>,
    /// value per lab (None = missing)
    values: Vec<Option<f64>>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::sample::subsequence((0..LABS.len()).collect::<Vec<_>>(), 1..=LABS.len()),
        proptest::collection::vec((any::<u8>(), 1.0f64..200.0, any::<bool>()), LABS.len()),
        proptest::collection::vec(proptest::option::of(1.0f64..200.0), LABS.len()),
    )
        .prop_map(|(labs, params, values)| Case {
            crits: labs
                .into_iter()
                .map(|l| (l, params[l].0, params[l].1, params[l].2))
                .collect(),
            values,
        })
}

fn build(c: &Case) -> (tm_matcher::TrialInfo, tm_criteria::CompiledCriteria) {
    trial(
        c.crits
            .iter()
            .enumerate()
            .map(|(i, &(l, op, th, inc))| {
                let (name, unit) = LABS[l];
                let kind = if inc {
                    Kind::Inclusion
                } else {
                    Kind::Exclusion
                };
                single(
                    &format!("C{i}"),
                    kind,
                    atom(name, op_of(op), Value::Number(th), Some(unit)),
                )
            })
            .collect(),
    )
}

fn patient_with(values: &[Option<f64>]) -> Patient {
    let mut p = Patient {
        id: "p".into(),
        sex: Sex::Female,
        birth_date: Date::parse("1970-01-01"),
        ..Default::default()
    };
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let (name, unit) = LABS[i];
            p.observations.push(lab(name, *v, unit, "2025-02-20"));
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn supplying_a_missing_fact_only_settles_that_criterion(c in case(), v in 1.0f64..200.0) {
        let t = build(&c);
        let before = run(&patient_with(&c.values), &t);
        // the first criterion whose lab is missing
        let Some((ci, &(l, ..))) = c.crits.iter().enumerate().find(|(_, x)| c.values[x.0].is_none()) else { return Ok(()) };
        let mut values = c.values.clone();
        values[l] = Some(v);
        let after = run(&patient_with(&values), &t);
        for (i, (b, a)) in before.criteria.iter().zip(&after.criteria).enumerate() {
            if i == ci {
                prop_assert_eq!(b.outcome, Outcome::Unknown);
                prop_assert!(matches!(a.outcome, Outcome::Pass | Outcome::Fail));
            } else {
                prop_assert_eq!(b.outcome, a.outcome);
            }
        }
    }

    #[test]
    fn an_unrelated_fact_never_changes_a_verdict(c in case(), v in 0.1f64..100.0) {
        let t = build(&c);
        let p = patient_with(&c.values);
        let before = run(&p, &t);
        let mut q = p.clone();
        q.observations.push(lab("ggt", v, "U/L", "2025-02-20"));
        q.observations.push(lab("potassium", v / 10.0, "mmol/L", "2025-02-21"));
        let after = run(&q, &t);
        prop_assert_eq!(before.verdict, after.verdict);
        for (b, a) in before.criteria.iter().zip(&after.criteria) {
            prop_assert_eq!(b.outcome, a.outcome);
        }
    }

    #[test]
    fn a_trial_with_an_unparsed_criterion_is_never_eligible(c in case(), pos in any::<usize>(), inc in any::<bool>()) {
        let mut t = build(&c);
        // every lab present: without the unparsed part the trial is decided
        let values: Vec<Option<f64>> = c.values.iter().map(|v| v.or(Some(50.0))).collect();
        let n = t.1.criteria.len();
        let target = &mut t.1.criteria[pos % n];
        target.kind = if inc { Kind::Inclusion } else { Kind::Exclusion };
        if pos % 2 == 0 {
            // a criterion nobody understood
            target.expr = Expr::Unparsed { text: "not understood".into(), span: (0, 0) };
            target.status = tm_criteria::Status::Unparsed;
        } else {
            // a criterion whose status says unparsed although some of it
            // was recognised: still never eligible
            target.expr = Expr::Or { any: vec![target.expr.clone(), Expr::Unparsed { text: "not understood".into(), span: (0, 0) }] };
            target.status = tm_criteria::Status::Unparsed;
        }
        let r = run(&patient_with(&values), &t);
        prop_assert_ne!(r.verdict, Verdict::Eligible);
    }

    #[test]
    fn the_fast_plan_gives_the_same_verdicts(c in case(), extra in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4)) {
        let mut t = build(&c);
        // sprinkle review / unparsed leaves into some criteria
        for (pos, k) in extra {
            let n = t.1.criteria.len();
            let target = &mut t.1.criteria[pos % n];
            let leaf = match k % 4 {
                0 => Expr::Unparsed { text: "x".into(), span: (0, 0) },
                1 => Expr::Review { reason: tm_criteria::ReviewKind::Consent, text: "c".into(), span: (0, 0) },
                2 => Expr::Review { reason: tm_criteria::ReviewKind::Investigator, text: "i".into(), span: (0, 0) },
                _ => Expr::Review { reason: tm_criteria::ReviewKind::Clinical, text: "k".into(), span: (0, 0) },
            };
            target.expr = if k % 2 == 0 { Expr::And { all: vec![target.expr.clone(), leaf] } } else { Expr::Or { any: vec![target.expr.clone(), leaf] } };
        }
        let p = patient_with(&c.values);
        let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
        let full = tm_matcher::evaluate_trial(&t.0, &t.1, &facts);
        let plan = tm_matcher::Plan::new(&[(t.0.clone(), &t.1)]);
        let fast = plan.verdicts(&facts);
        prop_assert_eq!(fast[0].0, full.verdict);
        if full.verdict != Verdict::Ineligible {
            prop_assert_eq!(fast[0].1, full.unknowns);
        }
    }
}
