//! One test per class of extraction error found on the LCT corpus
//! (docs/evaluation.md §5) and the seeds' structural bugs.

use tm_criteria::{compile, Atom, CompiledCriterion, Expr, Op, Value};

fn one(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Inclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

fn one_exc(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Exclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

fn atoms_of<'a>(c: &'a CompiledCriterion, field: &str) -> Vec<&'a Atom> {
    c.atoms.iter().filter(|a| a.field == field).collect()
}

fn num(a: &Atom) -> f64 {
    match a.value {
        Value::Number(n) => n,
        other => panic!("{} is not a number: {other:?}", a.field),
    }
}

fn has(c: &CompiledCriterion, field: &str, op: Op, v: f64, unit: Option<&str>) -> bool {
    atoms_of(c, field).iter().any(|a| {
        a.op == op && (num(a) - v).abs() < 1e-6 * v.abs().max(1.0) && a.unit.as_deref() == unit
    })
}

#[test]
fn bmi_unit_is_kg_per_m2() {
    for t in [
        "BMI ≥ 30kg/m²",
        "BMI >= 30 kg/m^2",
        "BMI >= 30 kg / m2",
        "BMI >= 30kg.m2",
    ] {
        let c = one(t);
        assert!(
            has(&c, "bmi", Op::Ge, 30.0, Some("kg/m2")),
            "{t}: {:?}",
            c.atoms
        );
    }
    let c = one("BMI between 18.5 and 35 kg/m2");
    assert!(has(&c, "bmi", Op::Ge, 18.5, Some("kg/m2")), "{:?}", c.atoms);
    assert!(has(&c, "bmi", Op::Le, 35.0, Some("kg/m2")), "{:?}", c.atoms);
}

#[test]
fn unit_that_does_not_fit_the_concept_gives_no_atom() {
    // A BMI "in kg" is a misreading: no threshold rather than a wrong one.
    let c = one("BMI > 30 kg");
    assert!(atoms_of(&c, "bmi").is_empty(), "{:?}", c.atoms);
}

#[test]
fn range_bounds_are_converted_with_their_unit() {
    let c = one("Age 6-36 months");
    assert!(has(&c, "age", Op::Ge, 0.5, Some("a")), "{:?}", c.atoms);
    assert!(has(&c, "age", Op::Le, 3.0, Some("a")), "{:?}", c.atoms);
    let c = one("Hemoglobin between 9 and 13 g/dL");
    let hb = atoms_of(&c, "hemoglobin");
    assert_eq!(hb.len(), 2, "{:?}", c.atoms);
    // Same unit for both bounds, and 9 g/dL is not 9 g/L.
    assert_eq!(hb[0].unit, hb[1].unit);
    let lo = num(hb[0]);
    match hb[0].unit.as_deref() {
        Some("g/L") => assert!((lo - 90.0).abs() < 1e-6),
        Some("g/dL") => assert!((lo - 9.0).abs() < 1e-6),
        other => panic!("unit {other:?}"),
    }
}

#[test]
fn gestational_age_is_not_age() {
    let c = one("Gestational age 35 to 39 weeks");
    assert!(atoms_of(&c, "age").is_empty(), "{:?}", c.atoms);
}

#[test]
fn split_and_reversed_operators() {
    for (t, op) in [
        ("Age >/= 18 years", Op::Ge),
        ("Age > or = 18 years", Op::Ge),
        ("Age equal or above 18 years", Op::Ge),
        ("Age equal or greater than 18 years", Op::Ge),
        ("Age greater or equal to 18 years", Op::Ge),
        ("Age </= 18 years", Op::Le),
    ] {
        let c = one(t);
        assert!(has(&c, "age", op, 18.0, Some("a")), "{t}: {:?}", c.atoms);
    }
}

#[test]
fn times_normal_phrasings_are_multiples_of_uln() {
    let c = one("Total bilirubin < 1.5 X maximum normal value");
    let a = atoms_of(&c, "total_bilirubin");
    assert_eq!(a.len(), 1, "{:?}", c.atoms);
    assert_eq!(a[0].value, Value::XUln { x_uln: 1.5 });
    let c = one_exc("ALT > 2x normal");
    assert_eq!(atoms_of(&c, "alt")[0].value, Value::XUln { x_uln: 2.0 });
}

#[test]
fn score_ranges_and_lists_are_not_single_values() {
    for t in ["ECOG of 0-2", "ECOG of 0~2"] {
        let c = one(t);
        assert!(has(&c, "ecog", Op::Ge, 0.0, None), "{t}: {:?}", c.atoms);
        assert!(has(&c, "ecog", Op::Le, 2.0, None), "{t}: {:?}", c.atoms);
        assert!(
            !c.atoms.iter().any(|a| a.op == Op::Eq),
            "{t}: {:?}",
            c.atoms
        );
    }
    let c = one("ECOG performance status of 0 or 1");
    assert!(has(&c, "ecog", Op::Le, 1.0, None), "{:?}", c.atoms);
    assert!(!c.atoms.iter().any(|a| a.op == Op::Eq), "{:?}", c.atoms);
}

#[test]
fn operator_before_grade() {
    // Seed 003 / 004: "> Grade 2" is grade > 2, not grade = 2.
    let c = one_exc("Active severe clinical infection (> Grade 2, NCI-CTCAE Version 5.0)");
    assert!(has(&c, "ctcae_grade", Op::Gt, 2.0, None), "{:?}", c.atoms);
    assert!(!has(&c, "ctcae_grade", Op::Eq, 2.0, None), "{:?}", c.atoms);
    let c = one_exc("Neuropathy ≥grade 1");
    assert!(has(&c, "ctcae_grade", Op::Ge, 1.0, None), "{:?}", c.atoms);
}

#[test]
fn values_outside_a_scale_and_other_grading_systems() {
    let c = one_exc("Toxicity grade 8");
    assert!(atoms_of(&c, "ctcae_grade").is_empty(), "{:?}", c.atoms);
    let c = one_exc("Child-pugh class 2 or 3");
    assert!(atoms_of(&c, "child_pugh_score").is_empty(), "{:?}", c.atoms);
    let c = one("ASA grade 1- 4");
    assert!(atoms_of(&c, "ctcae_grade").is_empty(), "{:?}", c.atoms);
}

#[test]
fn ordinals_are_not_values() {
    let c = one("a BMI > 25th percentile for age and gender");
    assert!(atoms_of(&c, "bmi").is_empty(), "{:?}", c.atoms);
}

#[test]
fn count_without_unit_keeps_thousands_and_is_flagged() {
    let c = one_exc("Platelets <20,000");
    let a = atoms_of(&c, "platelets");
    assert_eq!(a.len(), 1, "{:?}", c.atoms);
    assert_eq!(num(a[0]), 20000.0);
    assert_eq!(a[0].unit, None);
    assert_ne!(c.status, tm_criteria::Status::Computable);
    let c = one_exc("Platelets below 50,000 per ul");
    assert!(
        has(&c, "platelets", Op::Lt, 50.0, Some("10*9/L")),
        "{:?}",
        c.atoms
    );
}

#[test]
fn disease_a_therapy_was_for_is_not_a_condition() {
    // Seed 004: "No prior … anti-tumor treatments for HCC" has no `has hcc`
    // inside the negated therapy list.
    let c = one(
        "No prior systemic chemotherapy, immunotherapy, or other anti-tumor treatments for HCC",
    );
    let mut concepts = Vec::new();
    fn walk(e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Has { concept, .. } => out.push(concept.clone()),
            Expr::And { all } => all.iter().for_each(|x| walk(x, out)),
            Expr::Or { any } => any.iter().for_each(|x| walk(x, out)),
            Expr::Not { expr } => walk(expr, out),
            Expr::Unless { base, except, .. } => {
                walk(base, out);
                walk(except, out);
            }
            _ => {}
        }
    }
    walk(&c.expr, &mut concepts);
    assert!(
        concepts.contains(&"chemotherapy".to_string()),
        "{concepts:?}"
    );
    assert!(!concepts.contains(&"hcc".to_string()), "{concepts:?}");
}
