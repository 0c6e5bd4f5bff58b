//! Clinical semantics on hand-built IR (independent of the compiler).

mod common;
use common::*;
use tm_criteria::{Expr, HasKind, Kind, Op, ReviewKind, Value, Window, WindowFrom};
use tm_matcher::{MatchConfig, Outcome, PatientFacts, Verdict};
use tm_model::patient::{flag, Flag, ObsValue, Observation, Patient, Procedure, Sex};
use tm_model::Date;

fn male() -> Patient {
    Patient {
        id: "p".into(),
        sex: Sex::Male,
        birth_date: Date::parse("1960-01-01"),
        ..Default::default()
    }
}

#[test]
fn or_true_branch_decides_despite_unknown() {
    let t = trial(vec![crit(
        "E1",
        Kind::Exclusion,
        Expr::Or {
            any: vec![Expr::Compare { atom: 0 }, Expr::Compare { atom: 1 }],
        },
        vec![
            atom("platelets", Op::Lt, Value::Number(50.0), Some("10*9/L")),
            atom("anc", Op::Lt, Value::Number(1.0), Some("10*9/L")),
        ],
    )]);
    let mut p = male();
    p.observations
        .push(lab("platelets", 30.0, "10*9/L", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].holds, Some(true));
    assert_eq!(r.verdict, Verdict::Ineligible);
}

#[test]
fn uln_from_reference_range_else_default_range() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("alt", Op::Le, Value::XUln { x_uln: 3.0 }, None),
    )]);
    // own range: ULN 40 → 3 × 40 = 120; 150 fails
    let mut p = male();
    p.observations
        .push(lab_rr("alt", 150.0, "U/L", "2025-02-20", 40.0));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Fail);
    assert_eq!(
        r.criteria[0].evidence[0].uln.as_ref().map(|u| u.origin),
        Some("reference_range")
    );
    // no range: default ALT ULN 40–55 (§7.2) → 120–165: 150 is undecided
    let mut p = male();
    p.observations.push(lab("alt", 150.0, "U/L", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Unknown);
    assert!(
        r.criteria[0].explanation.contains("ULN not reported"),
        "{}",
        r.criteria[0].explanation
    );
    // 100 ≤ 120 at both ends: stands, with the default shown
    let mut p = male();
    p.observations.push(lab("alt", 100.0, "U/L", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Pass);
    assert_eq!(
        r.criteria[0].evidence[0].uln.as_ref().map(|u| u.origin),
        Some("default")
    );
}

#[test]
fn newer_value_supersedes_and_old_values_are_missing() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("platelets", Op::Ge, Value::Number(100.0), Some("10*9/L")),
    )]);
    let mut p = male();
    p.observations
        .push(lab("platelets", 60.0, "10*9/L", "2025-02-01"));
    p.observations
        .push(lab("platelets", 150.0, "10*9/L", "2025-02-25"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Pass);
    // only a value older than 28 days: unknown, needs a recent one
    let mut p = male();
    p.observations
        .push(lab("platelets", 150.0, "10*9/L", "2024-12-01"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Unknown);
    assert_eq!(r.criteria[0].missing[0].max_age_days, Some(28));
    assert_eq!(r.verdict, Verdict::NeedsData);
    // the criterion's own window overrides the default
    let mut a = atom("platelets", Op::Ge, Value::Number(100.0), Some("10*9/L"));
    a.window = Some(Window {
        value: 120.0,
        unit: "d".into(),
        anchor: None,
        from: WindowFrom::Now,
        span: (0, 0),
    });
    let r = run(&p, &trial(vec![single("I1", Kind::Inclusion, a)]));
    assert_eq!(r.criteria[0].outcome, Outcome::Pass);
}

#[test]
fn flagged_values_are_never_compared_and_units_convert() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("platelets", Op::Ge, Value::Number(100.0), Some("10*9/L")),
    )]);
    let mut p = male();
    let mut o = lab("platelets", 90000.0, "10*9/L", "2025-02-25");
    o.flags.push(Flag::new(flag::IMPLAUSIBLE, "out of range"));
    p.observations.push(o);
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Unknown);
    // 150,000 /uL = 150 × 10⁹/L (tm_units)
    let mut p = male();
    p.observations
        .push(lab("platelets", 150000.0, "/uL", "2025-02-25"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Pass);
}

#[test]
fn assay_dependent_conversion_is_refused() {
    let t = trial(vec![single(
        "E1",
        Kind::Exclusion,
        atom(
            "hbv_dna",
            Op::Gt,
            Value::Number(2000.0),
            Some("{copies}/mL"),
        ),
    )]);
    let mut p = male();
    p.observations
        .push(lab("hbv_dna", 5000.0, "[IU]/mL", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Unknown);
    assert!(
        r.criteria[0].explanation.contains("assay"),
        "{}",
        r.criteria[0].explanation
    );
    let mut p = male();
    p.observations
        .push(lab("hbv_dna", 5000.0, "{copies}/mL", "2025-02-20"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Fail);
}

fn has(concept: &str, what: HasKind, window: Option<Window>) -> Expr {
    Expr::Has {
        concept: concept.into(),
        what,
        window,
        span: (0, 0),
    }
}

#[test]
fn implications_and_documented_absence() {
    let preg = trial(vec![crit(
        "E1",
        Kind::Exclusion,
        Expr::Or {
            any: vec![
                has("pregnant", HasKind::Condition, None),
                has("lactating", HasKind::Condition, None),
            ],
        },
        vec![],
    )]);
    assert_eq!(run(&male(), &preg).criteria[0].outcome, Outcome::Pass);
    let mut f = male();
    f.sex = Sex::Female;
    assert_eq!(run(&f, &preg).criteria[0].outcome, Outcome::Unknown);
    // HCV RNA answered by a negative anti-HCV
    let hcv = trial(vec![single(
        "E2",
        Kind::Exclusion,
        atom("hcv_rna", Op::Gt, Value::Number(1000.0), None),
    )]);
    let mut p = male();
    assert_eq!(run(&p, &hcv).criteria[0].outcome, Outcome::Unknown);
    // as a reader stores it: the text read once by tm-patient
    let mut o = Observation {
        concept: Some("anti_hcv".into()),
        value: Some(ObsValue::Text("Negative".into())),
        effective: Date::parse("2025-01-10"),
        source: "Observation/ahcv".into(),
        ..Default::default()
    };
    tm_patient::normalize::normalize_observation(&mut o);
    p.observations.push(o);
    assert_eq!(run(&p, &hcv).criteria[0].outcome, Outcome::Pass);
    // a presence question: no record → unknown; an explicit "no" → absent
    let hiv = trial(vec![crit(
        "E3",
        Kind::Exclusion,
        has("hiv", HasKind::Condition, None),
        vec![],
    )]);
    let mut p = male();
    assert_eq!(run(&p, &hiv).criteria[0].outcome, Outcome::Unknown);
    p.observations.push(Observation {
        concept: Some("hiv".into()),
        value: Some(ObsValue::Bool(false)),
        effective: Date::parse("2025-02-01"),
        ..Default::default()
    });
    assert_eq!(run(&p, &hiv).criteria[0].outcome, Outcome::Pass);
}

#[test]
fn therapy_windows_count_back_from_planned_start_and_hierarchy_matches() {
    let w = Window {
        value: 30.0,
        unit: "d".into(),
        anchor: Some("dosing".into()),
        from: WindowFrom::TreatmentStart,
        span: (0, 0),
    };
    let t = trial(vec![crit(
        "E1",
        Kind::Exclusion,
        has("locoregional_therapy", HasKind::Therapy, Some(w)),
        vec![],
    )]);
    let mut p = male();
    p.procedures.push(Procedure {
        concept: Some("tace".into()),
        date: Date::parse("2025-02-10"),
        source: "Procedure/t".into(),
        ..Default::default()
    });
    // as of 2025-03-01, planned start = as of: TACE 19 days before → excluded
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Fail);
    // planned start 2025-03-20: 38 days before dosing → outside the window
    let cfg = MatchConfig::new(as_of()).with_planned_start(Date::parse("2025-03-20"));
    let facts = PatientFacts::new(&p, cfg);
    let r = tm_matcher::evaluate_trial(&t.0, &t.1, &facts);
    assert_ne!(r.criteria[0].outcome, Outcome::Fail);
}

#[test]
fn treatment_time_checks_and_consent_do_not_block_eligibility() {
    let w = Window {
        value: 24.0,
        unit: "h".into(),
        anchor: Some("administration".into()),
        from: WindowFrom::TreatmentStart,
        span: (0, 0),
    };
    let t = trial(vec![
        crit(
            "I1",
            Kind::Inclusion,
            Expr::Review {
                reason: ReviewKind::Consent,
                text: "signed consent".into(),
                span: (0, 0),
            },
            vec![],
        ),
        crit(
            "I2",
            Kind::Inclusion,
            Expr::Not {
                expr: Box::new(has("pregnancy_test", HasKind::Condition, Some(w))),
            },
            vec![],
        ),
    ]);
    let mut f = male();
    f.sex = Sex::Female;
    let r = run(&f, &t);
    assert_eq!(r.verdict, Verdict::Eligible, "{:#?}", r.criteria);
    assert_eq!(r.remaining_review.len(), 2);
    assert!(r.remaining_review.iter().any(|x| x.kind == "at_treatment"));
}

#[test]
fn unparsed_or_clinical_items_block_and_investigator_carve_outs_are_specific() {
    let t = trial(vec![crit(
        "I1",
        Kind::Inclusion,
        Expr::Unparsed {
            text: "???".into(),
            span: (0, 0),
        },
        vec![],
    )]);
    assert_eq!(run(&male(), &t).verdict, Verdict::NeedsReview);
    let t = trial(vec![crit(
        "E1",
        Kind::Exclusion,
        Expr::Unless {
            base: Box::new(has("tace", HasKind::Therapy, None)),
            except: Box::new(Expr::Review {
                reason: ReviewKind::Investigator,
                text: "judged by investigators".into(),
                span: (0, 0),
            }),
            span: (0, 0),
        },
        vec![],
    )]);
    let mut p = male();
    p.procedures.push(Procedure {
        concept: Some("tace".into()),
        date: Date::parse("2024-12-01"),
        ..Default::default()
    });
    assert_eq!(run(&p, &t).verdict, Verdict::NeedsReview);
}

#[test]
fn age_is_taken_at_the_index_date() {
    let t = trial(vec![crit(
        "I1",
        Kind::Inclusion,
        Expr::And {
            all: vec![Expr::Compare { atom: 0 }, Expr::Compare { atom: 1 }],
        },
        vec![
            atom("age", Op::Ge, Value::Number(18.0), Some("a")),
            atom("age", Op::Le, Value::Number(75.0), Some("a")),
        ],
    )]);
    let mut p = male();
    p.birth_date = Date::parse("1949-03-02"); // 75 on 2025-03-01, 76 the day after
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Pass);
    p.birth_date = Date::parse("1949-02-28");
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Fail);
}

#[test]
fn a_trial_without_criteria_is_never_eligible() {
    let t = trial(vec![]);
    let r = run(&male(), &t);
    assert_eq!(r.verdict, Verdict::NeedsReview);
    let plan = tm_matcher::Plan::new(&[(t.0.clone(), &t.1)]);
    let p = male();
    let facts = PatientFacts::new(&p, MatchConfig::new(as_of()));
    assert_eq!(plan.verdicts(&facts)[0].0, Verdict::NeedsReview);
}

/// A number without a unit is compared only in a unit the concept's
/// plausible range makes unambiguous, and the inferred unit is shown
/// (issue 19: "Platelets at least 100,000" vs 150 × 10⁹/L).
#[test]
fn bare_number_read_in_its_only_plausible_unit() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("platelets", Op::Ge, Value::Number(100_000.0), None),
    )]);
    let mut p = male();
    p.observations
        .push(lab("platelets", 150.0, "10*9/L", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Pass);
    assert_eq!(r.criteria[0].confidence.level, "inferred");
    assert!(
        r.criteria[0].confidence.why[0].contains("/uL"),
        "{:?}",
        r.criteria[0].confidence
    );
    let mut p = male();
    p.observations
        .push(lab("platelets", 85.0, "10*9/L", "2025-02-20"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Fail);
}

/// Several plausible units that disagree: never pass or fail — a blocking
/// review naming the readings (haemoglobin 9: g/dL or mmol/L); when every
/// reading agrees, the leaf is decided.
#[test]
fn ambiguous_bare_number_is_review_unless_all_readings_agree() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("hemoglobin", Op::Ge, Value::Number(9.0), None),
    )]);
    let mut p = male();
    p.observations
        .push(lab("hemoglobin", 13.8, "g/dL", "2025-02-20"));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Review);
    assert_eq!(r.criteria[0].confidence.level, "uncertain");
    assert_eq!(r.verdict, Verdict::NeedsReview);
    assert!(r.blocking_review[0].text.contains("mmol/L"));
    // 16 g/dL is ≥ 9 g/dL and ≥ 9 mmol/L (14.5 g/dL): decided.
    let mut p = male();
    p.observations
        .push(lab("hemoglobin", 16.0, "g/dL", "2025-02-20"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Pass);
    // 6 g/dL fails under both readings.
    let mut p = male();
    p.observations
        .push(lab("hemoglobin", 6.0, "g/dL", "2025-02-20"));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Fail);
}

/// An uncertain reading never decides, whatever the suspected reading
/// gives, on both paths (explained and fast).
#[test]
fn uncertain_reading_never_decides() {
    use tm_criteria::Uncertainty;
    let t = trial(vec![crit(
        "I1",
        Kind::Inclusion,
        Expr::Uncertain {
            expr: Box::new(Expr::Compare { atom: 0 }),
            why: Uncertainty::Conditional,
            text: "if ANC is less than 1,000".into(),
            span: (0, 0),
        },
        vec![atom(
            "platelets",
            Op::Ge,
            Value::Number(100.0),
            Some("10*9/L"),
        )],
    )]);
    for v in [50.0, 150.0] {
        let mut p = male();
        p.observations
            .push(lab("platelets", v, "10*9/L", "2025-02-20"));
        let r = run(&p, &t);
        assert_eq!(r.criteria[0].outcome, Outcome::Review);
        assert_eq!(r.verdict, Verdict::NeedsReview);
        let text = &r.blocking_review[0].text;
        assert!(text.contains("suspected reading"), "{text}");
        let facts = PatientFacts::new(&p, MatchConfig::new(as_of()));
        let plan = tm_matcher::Plan::new(&[(t.0.clone(), &t.1)]);
        assert_eq!(plan.verdicts(&facts)[0].0, Verdict::NeedsReview);
    }
}

#[test]
fn match_config_windows_reach_derived_score_inputs() {
    // bilirubin 40 days before the index date: outside the default 28-day
    // lab window, inside a 60-day one
    let mut p = male();
    p.observations
        .push(lab("total_bilirubin", 1.0, "mg/dL", "2025-01-20"));
    let facts = PatientFacts::new(&p, MatchConfig::new(as_of()));
    let cp = &facts.derived.child_pugh;
    assert!(cp.input("bilirubin").is_none(), "{:?}", cp.inputs);
    assert!(cp.missing.iter().any(|m| m == "total_bilirubin"));
    let mut cfg = MatchConfig::new(as_of());
    cfg.lab_window_days = 60;
    let facts = PatientFacts::new(&p, cfg);
    let cp = &facts.derived.child_pugh;
    assert!(
        cp.inputs.iter().any(|i| i.concept == "total_bilirubin"),
        "{:?}",
        cp.inputs
    );
    assert!(!cp.missing.iter().any(|m| m == "total_bilirubin"));
}

/// Issue 29 item 1: two different values of one concept on the same day
/// decide a leaf only when both decide it the same way — whatever their
/// order in the record.
#[test]
fn same_day_conflicting_values_never_decide_by_order() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("hemoglobin", Op::Ge, Value::Number(9.0), Some("g/dL")),
    )]);
    for order in [[13.2, 6.0], [6.0, 13.2]] {
        let mut p = male();
        for v in order {
            p.observations
                .push(lab("hemoglobin", v, "g/dL", "2025-02-20"));
        }
        tm_patient::flag_same_day_conflicts(&mut p);
        assert!(p.observations.iter().all(|o| o.has_flag(flag::CONFLICT)));
        let r = run(&p, &t);
        assert_eq!(r.criteria[0].outcome, Outcome::Unknown, "{order:?}");
        assert_ne!(r.verdict, Verdict::Eligible);
        assert_ne!(r.verdict, Verdict::Ineligible);
    }
    // Both values decide "≥ 5 g/dL" the same way: decided.
    let t5 = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("hemoglobin", Op::Ge, Value::Number(5.0), Some("g/dL")),
    )]);
    let mut p = male();
    p.observations
        .push(lab("hemoglobin", 13.2, "g/dL", "2025-02-20"));
    p.observations
        .push(lab("hemoglobin", 6.0, "g/dL", "2025-02-20"));
    assert_eq!(run(&p, &t5).criteria[0].outcome, Outcome::Pass);
}

/// Issue 29 item 2: an impossible (future) or conflicting birth date makes
/// age-dependent leaves unknown, never a fail.
#[test]
fn impossible_or_conflicting_birth_dates_make_age_unknown() {
    let t = trial(vec![single(
        "I1",
        Kind::Inclusion,
        atom("age", Op::Ge, Value::Number(18.0), Some("a")),
    )]);
    let mut p = male();
    p.birth_date = Date::parse("2030-01-01");
    tm_patient::flag_future_birth_date(&mut p, Date::parse("2026-12-04").unwrap());
    assert!(p.flags.iter().any(|f| f.code == flag::IMPLAUSIBLE));
    let r = run(&p, &t);
    assert_eq!(r.criteria[0].outcome, Outcome::Unknown);
    let mut p = male();
    p.flags.push(Flag::new(
        flag::CONFLICT,
        "birth date 1960-01-01 vs 2010-01-01",
    ));
    assert_eq!(run(&p, &t).criteria[0].outcome, Outcome::Unknown);
}

/// A reading broader than the text ("No uncontrolled hypertension" read as
/// "no hypertension"): a patient with (controlled) hypertension is never
/// failed — review; the broader reading's "no" would decide.
#[test]
fn a_narrower_text_fails_no_one_on_the_broader_reading() {
    use tm_criteria::Uncertainty;
    use tm_model::patient::Condition;
    let t = trial(vec![crit(
        "I1",
        Kind::Inclusion,
        Expr::Not {
            expr: Box::new(Expr::Uncertain {
                expr: Box::new(Expr::Has {
                    concept: "hypertension".into(),
                    what: HasKind::Condition,
                    window: None,
                    span: (0, 0),
                }),
                why: Uncertainty::Narrower,
                text: "uncontrolled hypertension".into(),
                span: (0, 0),
            }),
        },
        vec![],
    )]);
    let mut p = male();
    p.conditions.push(Condition {
        concept: Some("hypertension".into()),
        clinical_status: Some("active".into()),
        onset: Date::parse("2015-01-01"),
        ..Default::default()
    });
    let r = run(&p, &t);
    assert_eq!(
        r.criteria[0].outcome,
        Outcome::Review,
        "{:?}",
        r.criteria[0]
    );
    assert_eq!(r.criteria[0].review_reason[0].kind, "narrower");
    let facts = PatientFacts::new(&p, MatchConfig::new(as_of()));
    let plan = tm_matcher::Plan::new(&[(t.0.clone(), &t.1)]);
    assert_ne!(plan.verdicts(&facts)[0].0, Verdict::Ineligible);
}
