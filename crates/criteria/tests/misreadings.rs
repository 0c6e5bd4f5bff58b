//! The misreading classes of issue 19, each on short sentences of our own:
//! what the compiler must never read as a requirement that excludes.

use tm_criteria::{compile, CompiledCriteria, Expr, HasKind, Kind};

fn inc(body: &str) -> CompiledCriteria {
    compile(&format!("Inclusion Criteria:\n\n{body}\n"))
}

fn exc(body: &str) -> CompiledCriteria {
    compile(&format!("Exclusion Criteria:\n\n{body}\n"))
}

/// Presence leaves reachable without passing through `Not` or `Uncertain`.
fn positive_has(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Has { concept, .. } => out.push(concept.clone()),
        Expr::And { all } => all.iter().for_each(|x| positive_has(x, out)),
        Expr::Or { any } => any.iter().for_each(|x| positive_has(x, out)),
        Expr::Unless { base, .. } => positive_has(base, out),
        _ => {}
    }
}

fn positives(c: &CompiledCriteria) -> Vec<String> {
    let mut v = Vec::new();
    for k in &c.criteria {
        positive_has(&k.expr, &mut v);
    }
    v
}

fn any_has(e: &Expr, concept: &str) -> bool {
    match e {
        Expr::Has { concept: c, .. } => c == concept,
        Expr::And { all } => all.iter().any(|x| any_has(x, concept)),
        Expr::Or { any } => any.iter().any(|x| any_has(x, concept)),
        Expr::Not { expr } => any_has(expr, concept),
        Expr::Unless { base, except, .. } => any_has(base, concept) || any_has(except, concept),
        Expr::Uncertain { expr, .. } => any_has(expr, concept),
        _ => false,
    }
}

fn uncertain(e: &Expr) -> bool {
    matches!(e, Expr::Uncertain { .. })
}

#[test]
fn negation_inside_an_inclusion_is_kept() {
    let c = inc("- Patients must not be pregnant or nursing");
    let p = positives(&c);
    assert!(
        !p.iter().any(|x| x == "pregnant" || x == "lactating"),
        "{p:?} {:?}",
        c.criteria[0].expr
    );
}

#[test]
fn the_disease_a_therapy_was_for_is_context() {
    for t in [
        "- No prior biologic therapy for hepatocellular carcinoma",
        "- No more than 1 prior systemic regimen for HCC allowed",
    ] {
        let c = inc(t);
        assert!(
            !c.criteria.iter().any(|k| any_has(&k.expr, "hcc")),
            "{t}: {:?}",
            c.criteria[0].expr
        );
    }
}

#[test]
fn concurrent_means_going_on_now() {
    let c = inc("- No concurrent radiotherapy");
    let mut found = false;
    fn walk(e: &Expr, found: &mut bool) {
        match e {
            Expr::Has {
                what: HasKind::Therapy,
                window: Some(w),
                ..
            } => *found |= w.anchor.as_deref() == Some("concurrent") && w.value == 0.0,
            Expr::Not { expr } => walk(expr, found),
            Expr::And { all } => all.iter().for_each(|x| walk(x, found)),
            Expr::Or { any } => any.iter().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    walk(&c.criteria[0].expr, &mut found);
    assert!(found, "{:?}", c.criteria[0].expr);
}

#[test]
fn a_condition_not_understood_makes_the_reading_uncertain() {
    let c = inc("- At least 4 weeks since prior chemotherapy if absolute neutrophil count is less than 1,000/mm^3 or platelet count is less than 75,000/mm^3");
    assert!(uncertain(&c.criteria[0].expr), "{:?}", c.criteria[0].expr);
}

#[test]
fn criteria_about_healthy_volunteers_never_decide_for_patients() {
    let c = exc("Healthy Volunteers\n\nA healthy volunteer who meets any of the following criteria will be excluded from\nparticipation in this study:\n\n  1. BMI < 18 or BMI > 25\n\n  2. HBsAg positive");
    let kids: Vec<_> = c.criteria.iter().filter(|k| k.parent.is_some()).collect();
    assert_eq!(kids.len(), 2, "{c:#?}");
    assert!(kids.iter().all(|k| uncertain(&k.expr)), "{kids:#?}");
}

#[test]
fn alternative_populations_are_not_all_required() {
    let c = inc("- Patients with compensated cirrhosis without previous history of ascites\n- Cirrhotic patients with ascites without renal failure\n- Healthy controls");
    for k in c.criteria.iter().filter(|k| k.kind == Kind::Inclusion) {
        assert!(
            uncertain(&k.expr)
                || matches!(
                    k.expr,
                    Expr::True | Expr::Review { .. } | Expr::Unparsed { .. }
                ),
            "{}: {:?}",
            k.id,
            k.expr
        );
    }
}

#[test]
fn permissions_impose_nothing() {
    let c = inc("- Hypertension that is stable off medication allowed");
    assert!(
        !positives(&c).contains(&"hypertension".to_string()),
        "{:?}",
        c.criteria[0].expr
    );
}

#[test]
fn flattened_pdq_items_are_read_one_by_one() {
    let c = inc("PATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2 Hematopoietic: WBC at least 3,000 Platelets at least 100,000 Other: No HIV seropositivity No active infection No pregnant or nursing women");
    // No item requires a disease or pregnancy: everything positive is negated.
    let p = positives(&c);
    assert!(p.is_empty(), "{p:?}");
    assert!(
        c.criteria.len() >= 6,
        "{:#?}",
        c.criteria.iter().map(|k| &k.text).collect::<Vec<_>>()
    );
}

#[test]
fn a_washout_is_a_window_on_the_last_therapy() {
    let c = inc("- At least 4 weeks since prior chemotherapy");
    let e = &c.criteria[0].expr;
    let ok = matches!(e, Expr::Not { expr } if matches!(&**expr,
        Expr::Has { concept, window: Some(w), .. } if concept == "chemotherapy" && w.value == 4.0 && w.unit == "wk"));
    assert!(ok, "{e:?}");
    assert!(positives(&c).is_empty());
}
