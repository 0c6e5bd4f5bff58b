//! Seed-scenario quality of the compiler (issue 9): lexicon ids only,
//! scoped carve-outs, qualifiers that are not conditions, residual
//! fragments instead of whole-text copies.

mod common;

use tm_criteria::{compile, CompiledCriteria, CompiledCriterion, Expr, Op, Status, Value};

fn seed(prefix: &str) -> Option<CompiledCriteria> {
    let Some(text) = common::seed_criteria_repaired(prefix) else {
        eprintln!("note: seed {prefix} not found; test skipped");
        return None;
    };
    Some(compile(&text))
}

fn get<'a>(c: &'a CompiledCriteria, id: &str) -> &'a CompiledCriterion {
    c.criteria
        .iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
}

fn one(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Inclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

fn one_exc(text: &str) -> CompiledCriterion {
    let c = compile(&format!("Exclusion Criteria:\n1. {text}\n"));
    c.criteria.into_iter().next().expect("one criterion")
}

fn unparsed(c: &CompiledCriterion) -> Vec<String> {
    c.expr
        .leaves()
        .into_iter()
        .filter_map(|l| match l {
            Expr::Unparsed { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn has_concepts(e: &Expr) -> Vec<String> {
    e.leaves()
        .into_iter()
        .filter_map(|l| match l {
            Expr::Has { concept, .. } => Some(concept.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_emitted_concept_id_is_in_the_lexicon() {
    let mut seen = 0;
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some(c) = seed(prefix) else { continue };
        for cc in &c.criteria {
            let mut ids: Vec<String> = cc.atoms.iter().map(|a| a.field.clone()).collect();
            ids.extend(has_concepts(&cc.expr));
            for id in ids {
                seen += 1;
                assert!(
                    tm_lexicon::get(&id).is_some(),
                    "seed {prefix} {}: concept id {id:?} is not in the lexicon",
                    cc.id
                );
            }
        }
    }
    if seen == 0 {
        eprintln!("note: no seeds found; test skipped");
    }
}

#[test]
fn seed000_e11_review_is_scoped_to_non_iodized_oil_tace() {
    let Some(c) = seed("000") else { return };
    let e11 = get(&c, "E11");
    assert_eq!(e11.status, Status::Partial);
    let has = |present: &[&str]| {
        e11.expr.eval(&|l| match l {
            Expr::Has { concept, .. } => Some(present.contains(&concept.as_str())),
            _ => None,
        })
    };
    // Lipiodol TACE: the exclusion holds whatever the investigator says.
    assert_eq!(has(&["tace", "tace_lipiodol"]), Some(true));
    assert_eq!(has(&["radiotherapy"]), Some(true));
    // Non-iodized-oil TACE: the investigator decides.
    assert_eq!(has(&["tace"]), None);
    assert_eq!(has(&[]), Some(false));
}

#[test]
fn seed004_i2_for_hcc_qualifies_the_treatments() {
    let Some(c) = seed("004") else { return };
    let i2 = get(&c, "I2");
    // has(hcc) once (the diagnosis), never inside the negation.
    fn neg_concepts(e: &Expr, under_not: bool, out: &mut Vec<(String, bool)>) {
        match e {
            Expr::Not { expr } => neg_concepts(expr, !under_not, out),
            Expr::And { all } => all.iter().for_each(|x| neg_concepts(x, under_not, out)),
            Expr::Or { any } => any.iter().for_each(|x| neg_concepts(x, under_not, out)),
            Expr::Unless { base, except, .. } => {
                neg_concepts(base, under_not, out);
                neg_concepts(except, !under_not, out);
            }
            Expr::Has { concept, .. } => out.push((concept.clone(), under_not)),
            _ => {}
        }
    }
    let mut v = Vec::new();
    neg_concepts(&i2.expr, false, &mut v);
    assert!(v.contains(&("hcc".to_string(), false)), "{v:?}");
    assert!(!v.contains(&("hcc".to_string(), true)), "{v:?}");
    assert!(
        v.contains(&("antitumor_therapy".to_string(), true)),
        "{v:?}"
    );
    assert_eq!(i2.status, Status::Computable, "{:?}", i2.review_reason);
    let holds = |present: &[&str]| {
        i2.expr.eval(&|l| match l {
            Expr::Has { concept, .. } => Some(present.contains(&concept.as_str())),
            _ => None,
        })
    };
    assert_eq!(holds(&["hcc"]), Some(true));
    assert_eq!(holds(&["hcc", "chemotherapy"]), Some(false));
}

#[test]
fn seed002_inkt_and_lab_list_compile() {
    let Some(c) = seed("002") else { return };
    let i5 = get(&c, "I5");
    assert_eq!(i5.status, Status::Computable, "{:?}", i5.expr);
    let a = &i5.atoms[0];
    assert_eq!(
        (a.field.as_str(), a.op, a.unit.as_deref()),
        ("inkt_cells", Op::Gt, Some("/mL"))
    );
    assert_eq!(a.value, Value::Number(10.0));
    let i4 = get(&c, "I4");
    assert_eq!(i4.status, Status::Computable, "{:?}", i4.review_reason);
    let fields: Vec<&str> = i4.atoms.iter().map(|a| a.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "wbc",
            "lymphocytes",
            "hemoglobin",
            "platelets",
            "creatinine"
        ]
    );
    let cr = &i4.atoms[4];
    assert_eq!(cr.op, Op::Lt);
    assert_eq!(cr.value, Value::XUln { x_uln: 1.5 });
}

/// Filler and connective words make no `Unparsed` leaf.
#[test]
fn residual_filler_is_not_meaning_bearing() {
    for t in [
        "Diagnosed as hepatocellular carcinoma clinically, by imaging and/or pathology",
        "Creatinine clearance ≥ 50 mL/min (calculated according to Cockcroft-Gault formula)",
        "LVEF ≥ 50 percent assessed by ultrasonic cardiogram",
    ] {
        let c = one(t);
        assert_eq!(unparsed(&c), Vec::<String>::new(), "{t}: {:?}", c.expr);
        assert_eq!(c.status, Status::Computable, "{t}");
    }
    let c = one_exc("With the clinical manifestations of ascites, hepatic encephalopathy, etc.");
    assert!(
        unparsed(&c).iter().all(|u| !u.contains("etc")),
        "{:?}",
        c.expr
    );
}

/// Meaning-bearing leftovers stay, as their own fragments (never a copy of
/// the whole text), placed so that the criterion cannot pass without them.
#[test]
fn residual_fragments_keep_meaning_and_block_a_pass() {
    let c = one_exc(
        "With the hepatic tumor thrombus (excluding the thrombus limited to liver segments or lobes)",
    );
    assert_eq!(
        unparsed(&c),
        vec!["thrombus limited to liver segments or lobes".to_string()]
    );
    assert_eq!(c.status, Status::Partial);

    let text = "Portal vein tumor thrombus, brain lesions of unknown origin, or ascites";
    let c = one_exc(text);
    let u = unparsed(&c);
    assert_eq!(u, vec!["brain lesions of unknown origin".to_string()]);
    assert!(!u.iter().any(|x| x == text));
    // Exclusion: without pvtt and ascites it still cannot pass (unknown).
    let none = |_: &Expr| Some(false);
    let ev = c.expr.eval(&|l| match l {
        Expr::Has { .. } => none(l),
        _ => None,
    });
    assert_eq!(ev, None, "{:?}", c.expr);
    // … but with ascites it holds (fails the patient) whatever the fragment.
    let ev = c.expr.eval(&|l| match l {
        Expr::Has { concept, .. } => Some(concept == "ascites"),
        _ => None,
    });
    assert_eq!(ev, Some(true));

    // Inclusion: understood parts and the fragment must all hold.
    let c = one("Age 18-80 years, relapsed after previous therapy");
    assert_eq!(
        unparsed(&c),
        vec!["relapsed after previous therapy".to_string()]
    );
    let ev = c.expr.eval(&|l| match l {
        Expr::Compare { .. } => Some(true),
        _ => None,
    });
    assert_eq!(ev, None);
}

fn reviews(c: &CompiledCriterion) -> Vec<(tm_criteria::ReviewKind, String)> {
    c.expr
        .leaves()
        .into_iter()
        .filter_map(|l| match l {
            Expr::Review { reason, text, .. } => Some((*reason, text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn consent_item_covers_only_the_consent_words() {
    use tm_criteria::ReviewKind;
    let c = one("Patients diagnosed with SLE, aged 18 to 65 years, and provide informed consent");
    let r = reviews(&c);
    assert_eq!(
        r,
        vec![(ReviewKind::Consent, "provide informed consent".to_string())],
        "{:#?}",
        c.expr
    );
    // The condition is still there: compiled (age) or unparsed (SLE), so
    // the consent item cannot swallow it.
    assert!(c.atoms.iter().any(|a| a.field == "age"), "{:?}", c.atoms);
    assert!(
        unparsed(&c).iter().any(|t| t.contains("SLE"))
            || has_concepts(&c.expr)
                .iter()
                .any(|x| x.contains("lupus") || x == "sle"),
        "{:#?}",
        c.expr
    );
    // Age 70 fails it, whatever the consent.
    let age = |v: f64| {
        c.expr.eval(&|l| match l {
            Expr::Compare { atom } => c.atoms.get(*atom).map(|a| match a.value {
                Value::Number(x) => a.op.holds(v, x),
                _ => false,
            }),
            _ => None,
        })
    };
    assert_eq!(age(70.0), Some(false));
}

#[test]
fn medically_fit_is_a_clinical_judgement_not_consent() {
    use tm_criteria::ReviewKind;
    let c = one("Deemed medically fit to participate in the study");
    assert_eq!(reviews(&c)[0].0, ReviewKind::Clinical, "{:#?}", c.expr);
    let c =
        one("Patients deemed medically fit to participate and willing to sign informed consent");
    let r = reviews(&c);
    assert!(
        r.contains(&(
            ReviewKind::Consent,
            "willing to sign informed consent".to_string()
        )),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|(k, t)| *k == ReviewKind::Clinical && t.contains("medically fit")),
        "{r:?}"
    );
    assert!(
        !r.iter()
            .any(|(k, t)| *k == ReviewKind::Consent && t.contains("fit")),
        "{r:?}"
    );
    // A consent-only sentence stays one consent item.
    let c = one("Signed informed consent");
    assert_eq!(reviews(&c).len(), 1);
    assert_eq!(c.status, Status::Review);
}

#[test]
fn clauses_linked_by_or_are_alternatives() {
    let c = one("Platelets ≥ 100 × 10^9/L (within 7 days before dosing), or hemoglobin ≥ 9 g/dL");
    assert!(matches!(c.expr, Expr::Or { .. }), "{:#?}", c.expr);
    // One alternative false, the other true → holds.
    let v = c.expr.eval(&|l| match l {
        Expr::Compare { atom } => Some(c.atoms[*atom].field != "platelets"),
        _ => None,
    });
    assert_eq!(v, Some(true));
    // Without "or" the parts are all required (inclusion).
    let c = one("Platelets ≥ 100 × 10^9/L (within 7 days before dosing); hemoglobin ≥ 9 g/dL");
    assert!(matches!(c.expr, Expr::And { .. }), "{:#?}", c.expr);
}

#[test]
fn pregnancy_test_of_women_applies_to_women_of_childbearing_potential() {
    let c = one("The pregnancy test results of female participants of childbearing age within 24 hours before administration must be negative.");
    let eval = |female: bool, cbp: Option<bool>, pregnant: Option<bool>| {
        c.expr.eval(&|l| match l {
            Expr::Has { concept, .. } => match concept.as_str() {
                "female" => Some(female),
                "childbearing_potential" => cbp,
                "pregnant" => pregnant,
                _ => None,
            },
            _ => None,
        })
    };
    assert_eq!(eval(false, Some(false), Some(false)), Some(true));
    assert_eq!(eval(true, Some(true), None), None);
    assert_eq!(eval(true, Some(true), Some(true)), Some(false));
    assert!(unparsed(&c).is_empty(), "{:?}", unparsed(&c));
}
