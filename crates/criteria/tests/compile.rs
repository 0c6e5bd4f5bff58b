//! The criterion compiler: seed targets of issue 5, number forms and traps.

mod common;

use tm_criteria::{
    compile, window_from, Atom, CompiledCriteria, CompiledCriterion, Expr, Op, ReviewKind, Status,
    Value, WindowFrom,
};

fn get<'a>(c: &'a CompiledCriteria, id: &str) -> &'a CompiledCriterion {
    c.criteria
        .iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
}

fn atom<'a>(c: &'a CompiledCriterion, field: &str) -> &'a Atom {
    c.atoms
        .iter()
        .find(|a| a.field == field)
        .unwrap_or_else(|| panic!("{}: no atom {field}: {:?}", c.id, c.atoms))
}

fn num(a: &Atom) -> f64 {
    match a.value {
        Value::Number(n) => n,
        other => panic!("{} is not a number: {other:?}", a.field),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

fn check(c: &CompiledCriterion, field: &str, op: Op, v: f64, unit: Option<&str>) {
    let a = atom(c, field);
    assert_eq!(a.op, op, "{} {field}", c.id);
    assert!(close(num(a), v), "{} {field}: {} != {v}", c.id, num(a));
    assert_eq!(a.unit.as_deref(), unit, "{} {field}", c.id);
}

fn check_uln(c: &CompiledCriterion, field: &str, op: Op, x: f64) {
    let a = atom(c, field);
    assert_eq!(a.op, op, "{} {field}", c.id);
    assert!(
        matches!(a.value, Value::XUln { x_uln } if close(x_uln, x)),
        "{} {field}: {:?}",
        c.id,
        a.value
    );
}

fn one(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Inclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

fn one_exc(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Exclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

/// Evaluates with a map field → value (numbers only; ULN = 1 when given as
/// multiples: the caller passes values already as multiples where needed).
fn eval(c: &CompiledCriterion, vals: &[(&str, f64)], has: &[&str]) -> Option<bool> {
    c.expr.eval(&|leaf| match leaf {
        Expr::Compare { atom } => {
            let a = c.atoms.get(*atom)?;
            let v = vals.iter().find(|(f, _)| *f == a.field)?.1;
            let rhs = match a.value {
                Value::Number(n) => n,
                Value::XUln { x_uln } => x_uln,
                Value::XLln { x_lln } => x_lln,
                Value::UlnPlus { uln_plus } => uln_plus,
            };
            Some(a.op.holds(v, rhs))
        }
        Expr::Has { concept, .. } => Some(has.contains(&concept.as_str())),
        _ => None,
    })
}

fn every_span_in_text(text: &str, c: &CompiledCriteria) {
    for cc in &c.criteria {
        assert_eq!(&text[cc.span.0..cc.span.1], cc.text);
        for a in &cc.atoms {
            assert!(
                a.span.0 >= cc.span.0 && a.span.1 <= cc.span.1,
                "{} atom span",
                cc.id
            );
            assert!(text.get(a.span.0..a.span.1).is_some());
        }
    }
}

// ------------------------------------------------------------------ seed 000

fn seed(prefix: &str) -> Option<(String, CompiledCriteria)> {
    let t = common::seed_criteria_repaired(prefix)?;
    let c = compile(&t);
    every_span_in_text(&t, &c);
    Some((t, c))
}

#[test]
fn seed_000_inclusion_1_partial_age_and_consent() {
    let Some((_, c)) = seed("000") else { return };
    let i1 = get(&c, "I1");
    assert_eq!(i1.status, Status::Partial);
    let ages: Vec<_> = i1
        .atoms
        .iter()
        .filter(|a| a.field == "age")
        .map(|a| (a.op, num(a)))
        .collect();
    assert_eq!(ages, vec![(Op::Ge, 18.0), (Op::Le, 80.0)]);
    assert!(i1
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Consent));
}

#[test]
fn seed_000_inclusion_5_6_7_computable() {
    let Some((_, c)) = seed("000") else { return };
    let i5 = get(&c, "I5");
    assert_eq!(i5.status, Status::Computable);
    check(i5, "child_pugh_score", Op::Le, 7.0, None);
    let i6 = get(&c, "I6");
    assert_eq!(i6.status, Status::Computable);
    check(i6, "ecog", Op::Le, 1.0, None);
    let i7 = get(&c, "I7");
    assert_eq!(i7.status, Status::Computable);
    check(i7, "tumour_burden_pct", Op::Le, 50.0, Some("%"));
}

#[test]
fn seed_000_inclusion_8_parts() {
    let Some((_, c)) = seed("000") else { return };
    let p1 = get(&c, "I8.1");
    assert_eq!(p1.status, Status::Computable);
    check(p1, "anc", Op::Ge, 1.5, Some("10*9/L"));
    check(p1, "platelets", Op::Ge, 80.0, Some("10*9/L"));
    // Values are in the lexicon's canonical units (90 g/L → 9 g/dL).
    check(p1, "hemoglobin", Op::Ge, 9.0, Some("g/dL"));
    // No transfusion or G-CSF within 14 days.
    let mut found = false;
    for l in p1.expr.leaves() {
        if let Expr::Has {
            concept,
            window: Some(w),
            ..
        } = l
        {
            if concept == "transfusion" || concept == "gcsf" {
                assert!(close(w.value, 14.0) && w.unit == "d");
                found = true;
            }
        }
    }
    assert!(found);
    assert_eq!(
        eval(
            p1,
            &[("anc", 2.0), ("platelets", 100.0), ("hemoglobin", 10.0)],
            &["transfusion"]
        ),
        Some(false)
    );
    assert_eq!(
        eval(
            p1,
            &[("anc", 2.0), ("platelets", 100.0), ("hemoglobin", 10.0)],
            &[]
        ),
        Some(true)
    );

    let p2 = get(&c, "I8.2");
    assert_eq!(p2.status, Status::Computable);
    check_uln(p2, "total_bilirubin", Op::Le, 2.0);
    check_uln(p2, "alt", Op::Le, 5.0);
    check_uln(p2, "ast", Op::Le, 5.0);
    check(p2, "albumin", Op::Gt, 3.0, Some("g/dL"));

    let p3 = get(&c, "I8.3");
    assert_eq!(p3.status, Status::Computable);
    check_uln(p3, "creatinine", Op::Le, 1.5);
    check(p3, "crcl", Op::Ge, 50.0, Some("mL/min"));

    let p4 = get(&c, "I8.4");
    check_uln(p4, "inr", Op::Le, 1.5);
    check_uln(p4, "pt", Op::Le, 1.5);
    check_uln(p4, "aptt", Op::Le, 1.5);
    assert_eq!(
        p4.status,
        Status::Partial,
        "warfarin/heparin clause is review"
    );
    assert!(p4
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Investigator && r.text.contains("warfarin")));

    let p5 = get(&c, "I8.5");
    assert_eq!(p5.status, Status::Computable);
    check(p5, "lvef", Op::Ge, 50.0, Some("%"));

    // The parent combines its parts.
    let i8 = get(&c, "I8");
    assert_eq!(i8.status, Status::Partial);
    assert_eq!(i8.atoms.len(), 13);
}

#[test]
fn seed_000_exclusions_computable() {
    let Some((_, c)) = seed("000") else { return };
    let e5 = get(&c, "E5");
    assert_eq!(e5.status, Status::Computable);
    check(e5, "fev1_fvc", Op::Lt, 50.0, Some("%"));
    check(e5, "fev1_pct_predicted", Op::Lt, 50.0, Some("%"));
    check(e5, "mvv", Op::Lt, 50.0, Some("L/min"));
    assert!(matches!(e5.expr, Expr::Or { .. }));

    let e9 = get(&c, "E9");
    assert_eq!(e9.status, Status::Computable);
    assert!(matches!(&e9.expr, Expr::Has { concept, .. } if concept == "hiv"));

    // Polarity kept: > 30 Gy inside an exclusion, not negated.
    let e14 = get(&c, "E14");
    assert_eq!(e14.status, Status::Computable);
    check(e14, "maa_lung_dose_gy", Op::Gt, 30.0, Some("Gy"));
    assert!(matches!(e14.expr, Expr::Compare { .. }));

    let e15 = get(&c, "E15");
    assert_eq!(e15.status, Status::Computable);
    let mut concepts = Vec::new();
    for l in e15.expr.leaves() {
        if let Expr::Has {
            concept,
            window: Some(w),
            ..
        } = l
        {
            assert!(close(w.value, 30.0) && w.unit == "d");
            assert_eq!(w.anchor.as_deref(), Some("dosing"));
            assert_eq!(w.from, WindowFrom::TreatmentStart);
            concepts.push(concept.clone());
        }
    }
    assert_eq!(
        concepts,
        vec!["antitumor_therapy", "clinical_trial_participation"]
    );

    let e16 = get(&c, "E16");
    assert_eq!(e16.status, Status::Computable);
    assert_eq!(eval(e16, &[], &["lactating"]), Some(true));
    assert_eq!(eval(e16, &[], &[]), Some(false));
}

#[test]
fn seed_000_exclusion_11_partial() {
    let Some((_, c)) = seed("000") else { return };
    let e11 = get(&c, "E11");
    assert_eq!(e11.status, Status::Partial);
    // The investigator carve-out is scoped to the non-iodized-oil TACE part:
    // radiotherapy ∨ (TACE unless (¬ lipiodol TACE ∧ investigator)).
    let Expr::Or { any } = &e11.expr else {
        panic!("{:?}", e11.expr)
    };
    assert!(matches!(&any[0], Expr::Has { concept, .. } if concept == "radiotherapy"));
    let Expr::Unless { base, except, .. } = &any[1] else {
        panic!("{:?}", any[1])
    };
    assert!(matches!(&**base, Expr::Has { concept, .. } if concept == "tace"));
    let Expr::And { all } = &**except else {
        panic!("{except:?}")
    };
    assert!(
        matches!(&all[0], Expr::Not { expr } if matches!(&**expr, Expr::Has { concept, .. } if concept == "tace_lipiodol"))
    );
    assert!(matches!(
        &all[1],
        Expr::Review {
            reason: ReviewKind::Investigator,
            ..
        }
    ));
    assert_eq!(eval(e11, &[], &[]), Some(false));
    // Radiotherapy and TACE with lipiodol exclude outright …
    assert_eq!(eval(e11, &[], &["radiotherapy"]), Some(true));
    assert_eq!(eval(e11, &[], &["tace", "tace_lipiodol"]), Some(true));
    // … TACE of another kind (or of unknown kind) is for the investigator.
    assert_eq!(
        e11.expr.eval(&|l| match l {
            Expr::Has { concept, .. } => Some(concept == "tace"),
            _ => None,
        }),
        None
    );
}

#[test]
fn seed_000_investigator_and_clinical_review() {
    let Some((_, c)) = seed("000") else { return };
    let e18 = get(&c, "E18");
    assert_eq!(e18.status, Status::Review);
    assert!(e18
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Investigator));
    // "diseases have not been controlled despite aggressive treatment …
    // in the judgement of investigators": the uncontrolled disease is a
    // concept (a documented absence answers it), the rest the
    // investigator's judgement.
    let e7 = get(&c, "E7");
    assert!(has_leaf(e7, "uncontrolled_disease"), "{:?}", e7.expr);
    assert!(e7
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Investigator));
    assert!(!e7
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Clinical || r.kind == ReviewKind::Unparsed));
}

fn has_leaf(c: &CompiledCriterion, concept: &str) -> bool {
    c.expr
        .leaves()
        .iter()
        .any(|l| matches!(l, Expr::Has { concept: k, .. } if k == concept))
}

fn negated_leaf(c: &CompiledCriterion, concept: &str) -> bool {
    fn walk(e: &Expr, concept: &str, neg: bool) -> bool {
        match e {
            Expr::Not { expr } => walk(expr, concept, !neg),
            Expr::Has { concept: k, .. } => neg && k == concept,
            Expr::And { all } => all.iter().any(|x| walk(x, concept, neg)),
            Expr::Or { any } => any.iter().any(|x| walk(x, concept, neg)),
            Expr::Unless { base, except, .. } => {
                walk(base, concept, neg) || walk(except, concept, neg)
            }
            _ => false,
        }
    }
    walk(&c.expr, concept, false)
}

/// Issue 9: the SIRT work-up findings, allergies and infections of seed 000
/// are concepts answerable from the record, not review items.
#[test]
fn seed_000_sirt_work_up_is_computable() {
    let Some((_, c)) = seed("000") else { return };
    for (id, concept) in [
        ("I4", "measurable_disease_mrecist"),
        ("E3", "hepatic_artery_malformation"),
        ("E4", "anesthetic_allergy"),
        ("E4", "contrast_allergy"),
        ("E8", "infection"),
        ("E12", "maa_incomplete_coverage"),
        ("E13", "gi_shunting"),
    ] {
        let k = get(&c, id);
        assert!(has_leaf(k, concept), "{id}: {:?}", k.expr);
    }
    for id in ["I4", "E3", "E4", "E8", "E13"] {
        assert_eq!(get(&c, id).status, Status::Computable, "{id}");
    }
    // "[If any participant takes warfarin or heparin …, the investigator
    // should evaluate …]" is an exception path of the coagulation limits:
    // in an inclusion, an alternative to them (limits OR the exception).
    let i84 = get(&c, "I8.4");
    assert!(
        matches!(&i84.expr, Expr::Or { any }
            if any.len() == 2 && any[1].leaves().iter().any(|l| matches!(l, Expr::Has { concept, .. } if concept == "anticoagulant"))),
        "{:?}",
        i84.expr
    );
}

/// Issue 9: seed 004's surgical criteria and immunosuppression exclusion.
#[test]
fn seed_004_resectability_and_steroid_dose() {
    let Some((_, c)) = seed("004") else { return };
    let i3 = get(&c, "I3");
    assert!(has_leaf(i3, "resectable"), "{:?}", i3.expr);
    assert_eq!(i3.status, Status::Computable);
    let e3 = get(&c, "E3");
    assert!(negated_leaf(e3, "resectable"), "{:?}", e3.expr);
    assert!(has_leaf(get(&c, "I7"), "fit_for_surgery"));
    assert!(negated_leaf(get(&c, "E1"), "hcc"));
    // "(equivalent to > 10 mg prednisone/day)" qualifies the steroid use.
    let e5 = get(&c, "E5");
    let dose = e5
        .atoms
        .iter()
        .find(|a| a.field == "prednisone_equivalent_dose")
        .expect("dose atom");
    assert_eq!(dose.op, Op::Gt);
    assert_eq!(dose.value, Value::Number(10.0));
    assert_eq!(dose.unit.as_deref(), Some("mg/d"));
    assert!(has_leaf(e5, "immunosuppressant"));
    // The consent to give samples is one consent item; the catch-all is
    // the investigator's.
    assert_eq!(get(&c, "I9").status, Status::Review);
    assert!(!get(&c, "I9")
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Unparsed));
    let e13 = get(&c, "E13");
    assert!(e13
        .review_reason
        .iter()
        .all(|r| r.kind == ReviewKind::Investigator));
    let e14 = get(&c, "E14");
    assert!(has_leaf(e14, "drug_allergy"));
}

// ------------------------------------------------------------------ seed 003

#[test]
fn seed_003_values() {
    let Some((_, c)) = seed("003") else { return };
    let i6 = get(&c, "I6");
    check_uln(i6, "alt", Op::Le, 2.5);
    check_uln(i6, "ast", Op::Le, 2.5);
    let i7 = get(&c, "I7");
    check(i7, "platelets", Op::Ge, 75.0, Some("10*9/L"));
    check(i7, "hemoglobin", Op::Ge, 8.0, Some("g/dL"));
    check(i7, "anc", Op::Ge, 1.5, Some("10*9/L"));
    let e6 = get(&c, "E6");
    assert_eq!(e6.status, Status::Computable);
    match &e6.expr {
        Expr::Unless { base, except, .. } => {
            assert!(matches!(**base, Expr::Compare { .. }));
            assert!(matches!(**except, Expr::Compare { .. }));
        }
        other => panic!("{other:?}"),
    }
    check(e6, "albumin", Op::Lt, 3.0, Some("g/dL"));
    check_uln(e6, "pt", Op::Le, 1.0);
    // Albumin 25 g/L with PT normal is not excluded.
    assert_eq!(eval(e6, &[("albumin", 2.5), ("pt", 0.9)], &[]), Some(false));
    assert_eq!(eval(e6, &[("albumin", 2.5), ("pt", 1.3)], &[]), Some(true));
    let e5 = get(&c, "E5");
    check(e5, "child_pugh_score", Op::Ge, 8.0, None);
}

// ------------------------------------------------------------------ seed 004

#[test]
fn seed_004_values() {
    let Some((_, c)) = seed("004") else { return };
    let i5 = get(&c, "I5");
    assert_eq!(i5.status, Status::Computable);
    check(i5, "icg_r15", Op::Le, 10.0, Some("%"));
    check(i5, "child_pugh_score", Op::Le, 6.0, None);
    let e4 = get(&c, "E4");
    check(e4, "hbv_dna", Op::Gt, 2000.0, Some("{copies}/mL"));
    check(e4, "hcv_rna", Op::Gt, 1000.0, None);
    assert_eq!(e4.status, Status::Partial, "HCV RNA without unit");
    assert!(e4
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::UnitMissing));
    let e9 = get(&c, "E9");
    check(e9, "glucose_fasting", Op::Ge, 180.2, Some("mg/dL"));
    let e10 = get(&c, "E10");
    check(e10, "sbp", Op::Ge, 140.0, Some("mm[Hg]"));
    check(e10, "dbp", Op::Ge, 90.0, Some("mm[Hg]"));
    let i3 = get(&c, "I3");
    check(i3, "up_to_seven", Op::Gt, 7.0, None);
    check(i3, "bclc_stage", Op::Ge, 1.0, None);
    check(i3, "bclc_stage", Op::Ge, 1.0, None);
}

#[test]
fn seed_004_inclusion_7_uln_plus_and_conflict() {
    let Some((_, c)) = seed("004") else { return };
    let i7 = get(&c, "I7");
    let pt = atom(i7, "pt");
    assert_eq!(pt.op, Op::Le);
    assert!(matches!(pt.value, Value::UlnPlus { uln_plus } if close(uln_plus, 6.0)));
    assert_eq!(pt.unit.as_deref(), Some("s"));
    check_uln(i7, "alp", Op::Le, 2.5);
    let cr: Vec<Op> = i7
        .atoms
        .iter()
        .filter(|a| a.field == "creatinine")
        .map(|a| a.op)
        .collect();
    assert_eq!(cr, vec![Op::Lt, Op::Le], "both statements kept");
    assert!(i7
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Conflict));
}

#[test]
fn seed_004_carve_outs() {
    let Some((_, c)) = seed("004") else { return };
    // E9: "However, resolved radiation pneumonitis is excluded" is a carve-out.
    let e9 = get(&c, "E9");
    let mut carve = None;
    e9_walk(&e9.expr, &mut carve);
    let except = carve.expect("an Unless node");
    assert!(matches!(except, Expr::Has { concept, .. } if concept == "radiation_pneumonitis"));
    // E12: other malignancy within 5 years unless cured BCC / cervical CIS.
    let e12 = get(&c, "E12");
    assert_eq!(e12.status, Status::Computable);
    match &e12.expr {
        Expr::Unless { base, except, .. } => {
            assert!(
                matches!(&**base, Expr::Has { concept, window: Some(w), .. } if concept == "other_malignancy" && close(w.value, 5.0) && w.unit == "a")
            );
            assert!(matches!(&**except, Expr::Or { any } if any.len() == 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        eval(e12, &[], &["other_malignancy", "basal_cell_carcinoma"]),
        Some(false)
    );
    assert_eq!(eval(e12, &[], &["other_malignancy"]), Some(true));
}

fn e9_walk<'a>(e: &'a Expr, out: &mut Option<&'a Expr>) {
    match e {
        Expr::Unless { except, .. } => *out = Some(except),
        Expr::And { all } => all.iter().for_each(|x| e9_walk(x, out)),
        Expr::Or { any } => any.iter().for_each(|x| e9_walk(x, out)),
        Expr::Not { expr } => e9_walk(expr, out),
        _ => {}
    }
}

// ------------------------------------------------------------ number forms

#[test]
fn number_forms() {
    check(
        &one("ANC ≥ 1.5 × 10^9/L"),
        "anc",
        Op::Ge,
        1.5,
        Some("10*9/L"),
    );
    check(
        &one("ANC ≥ 1.5 x 10⁹/L"),
        "anc",
        Op::Ge,
        1.5,
        Some("10*9/L"),
    );
    check(
        &one("ANC ≥ 1.5 × 10\\^9/L"),
        "anc",
        Op::Ge,
        1.5,
        Some("10*9/L"),
    );
    check(
        &one("Platelets ≧ 100 × 10^9/L"),
        "platelets",
        Op::Ge,
        100.0,
        Some("10*9/L"),
    );
    check(
        &one("Platelets > 50 × 10^9/L"),
        "platelets",
        Op::Gt,
        50.0,
        Some("10*9/L"),
    );
    check(
        &one("Hemoglobin no less than 9 g/dL"),
        "hemoglobin",
        Op::Ge,
        9.0,
        Some("g/dL"),
    );
    check(
        &one("Total bilirubin not more than 2 mg/dL"),
        "total_bilirubin",
        Op::Le,
        2.0,
        Some("mg/dL"),
    );
    check(
        &one("Creatinine clearance at least 60 mL/min"),
        "crcl",
        Op::Ge,
        60.0,
        Some("mL/min"),
    );
    check(
        &one("Tumour burden exceeding 50 percent"),
        "tumour_burden_pct",
        Op::Gt,
        50.0,
        Some("%"),
    );
    check_uln(
        &one("ALT ≤ 2,5x the upper limit of normal"),
        "alt",
        Op::Le,
        2.5,
    );
    check(
        &one("Platelets ≥ 75.000/mm3"),
        "platelets",
        Op::Ge,
        75.0,
        Some("10*9/L"),
    );
    check(
        &one("Neutrophils ≥ 1,500/mm3"),
        "anc",
        Op::Ge,
        1.5,
        Some("10*9/L"),
    );
    check(
        &one("Hemoglobin ≥ 8 g/dL"),
        "hemoglobin",
        Op::Ge,
        8.0,
        Some("g/dL"),
    );
    check_uln(&one("AST ≤ 5. 0×ULN"), "ast", Op::Le, 5.0);
    check(
        &one("Age 18 years or older"),
        "age",
        Op::Ge,
        18.0,
        Some("a"),
    );
}

#[test]
fn separator_ambiguity_is_flagged() {
    // Neither 9 g/L nor 9000 g/L is a plausible haemoglobin.
    let c = one("Hemoglobin ≥ 9,000 g/L");
    assert!(c
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::AmbiguousNumber));
    assert_eq!(c.status, Status::Partial);
}

#[test]
fn number_without_unit_where_it_matters() {
    let c = one_exc("HCV RNA > 1000");
    assert_eq!(c.status, Status::Partial);
    assert_eq!(atom(&c, "hcv_rna").unit, None);
}

// ------------------------------------------------------------------- traps

#[test]
fn trap_no_renal_impairment_defined_by_crcl() {
    let c = one("No significant renal impairment (creatinine clearance < 30 mL/minute)");
    // The atom keeps the text's "< 30"; the negation makes it CrCl ≥ 30.
    check(&c, "crcl", Op::Lt, 30.0, Some("mL/min"));
    assert!(matches!(c.expr, Expr::Not { .. }), "{:?}", c.expr);
    assert_eq!(c.status, Status::Computable);
    assert_eq!(eval(&c, &[("crcl", 45.0)], &[]), Some(true));
    assert_eq!(eval(&c, &[("crcl", 20.0)], &[]), Some(false));
}

#[test]
fn trap_threshold_twice_with_different_operators() {
    let c = one("Serum creatinine < 1.5 ULN; Serum creatinine ≤ 1.5 ULN");
    assert_eq!(c.atoms.len(), 2);
    assert!(c
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Conflict));
}

#[test]
fn trap_platelets_per_microlitre() {
    check(
        &one("Platelet count ≥ 60,000/µL"),
        "platelets",
        Op::Ge,
        60.0,
        Some("10*9/L"),
    );
}

#[test]
fn or_with_condition() {
    let c = one("ALT ≤ 5 × ULN, or ≤ 10 × ULN with liver metastases");
    let alts: Vec<f64> = c
        .atoms
        .iter()
        .filter(|a| a.field == "alt")
        .map(|a| {
            if let Value::XUln { x_uln } = a.value {
                x_uln
            } else {
                0.0
            }
        })
        .collect();
    assert_eq!(alts, vec![5.0, 10.0]);
    assert_eq!(eval(&c, &[("alt", 7.0)], &["liver_metastases"]), Some(true));
    assert_eq!(eval(&c, &[("alt", 7.0)], &[]), Some(false));
    assert_eq!(eval(&c, &[("alt", 3.0)], &[]), Some(true));
}

#[test]
fn json_shape() {
    let c = one("Platelets ≥ 100 × 10^9/L");
    let v = serde_json::to_value(&c).expect("json");
    assert_eq!(v["status"], "computable");
    assert_eq!(v["atoms"][0]["field"], "platelets");
    assert_eq!(v["atoms"][0]["op"], ">=");
    assert_eq!(v["atoms"][0]["value"], 100.0);
    assert_eq!(v["atoms"][0]["unit"], "10*9/L");
    let u = serde_json::to_value(one("ALT ≤ 3 × ULN")).expect("json");
    assert_eq!(u["atoms"][0]["value"]["x_uln"], 3.0);
    assert_eq!(v["expr"]["type"], "compare");
}

#[test]
fn never_panics_on_odd_text() {
    for t in [
        "",
        "≥",
        "(",
        "≤ 5. ",
        "ALT ≤ ×ULN",
        "1,2,3,4",
        "Age 80-18",
        "((((",
        "unless",
        "However, x is excluded.",
    ] {
        let c = compile(t);
        every_span_in_text(t, &c);
    }
}

/// Issue 9: the GEP-NET trial (seed 003) is computable apart from its
/// consent / agreement items.
#[test]
fn seed_003_gep_net_criteria() {
    let Some((_, c)) = seed("003") else { return };
    assert!(has_leaf(get(&c, "I1"), "net"));
    let i3 = get(&c, "I3");
    let a = i3
        .atoms
        .iter()
        .find(|a| a.field == "prrt_cycles")
        .expect("cycles");
    assert_eq!((a.op, a.value), (Op::Ge, Value::Number(4.0)));
    let i4 = get(&c, "I4");
    assert!(has_leaf(i4, "liver_dominant_metastases"));
    assert!(has_leaf(i4, "measurable_disease"));
    assert!(negated_leaf(i4, "resectable"));
    // "Contraindications to intra-hepatic arterial infusion (list)": the
    // list defines the phrase; no clinical review is left.
    let e5 = get(&c, "E5");
    assert_eq!(e5.status, Status::Computable, "{:?}", e5.expr);
    for k in [
        "bleeding_tendency",
        "portal_vein_thrombosis",
        "biliary_dilatation",
        "biliary_anastomosis",
    ] {
        assert!(has_leaf(e5, k), "{k}");
    }
    assert!(negated_leaf(get(&c, "E2"), "sstr_uptake"));
    for id in [
        "I1", "I2", "I3", "I4", "I5", "I6", "I7", "E1", "E2", "E5", "E10", "E12", "E13",
    ] {
        assert_eq!(get(&c, id).status, Status::Computable, "{id}");
    }
    // The contraception methods are part of the agreement item.
    assert!(!get(&c, "I9")
        .review_reason
        .iter()
        .any(|r| r.kind == ReviewKind::Unparsed));
}

#[test]
fn window_anchors_compile_to_what_they_count_back_from() {
    use WindowFrom::{Now, TreatmentStart};
    for a in [
        "dosing",
        "first dose",
        "enrolment",
        "enrollment",
        "registration",
        "randomization",
        "randomisation",
        "study treatment",
        "start of study treatment",
        "inclusion",
        "the first medication",
        "administration",
        "surgery",
        "treatment",
    ] {
        assert_eq!(window_from(Some(a)), TreatmentStart, "{a}");
    }
    for a in ["screening", "study entry", "consent"] {
        assert_eq!(window_from(Some(a)), Now, "{a}");
    }
    assert_eq!(window_from(None), Now);
    // stored IR without the key still reads (as counted from now)
    let w: tm_criteria::Window =
        serde_json::from_str(r#"{"value":30.0,"unit":"d","anchor":null,"span":[0,0]}"#).unwrap();
    assert_eq!(w.from, Now);
    let j = serde_json::to_string(&tm_criteria::Window {
        from: TreatmentStart,
        ..w
    })
    .unwrap();
    assert!(j.contains(r#""from":"treatment_start""#), "{j}");
}
