//! Example FHIR patients (examples/patients) against the seed trials
//! (examples/seeds, read with tm_ingest and compiled): the verdict and the
//! criterion that decided it.

mod common;
use common::*;
use tm_matcher::{Outcome, Verdict};

fn leaf_ids_with(r: &tm_matcher::TrialResult, o: Outcome) -> Vec<String> {
    let parent = |id: &str| r.criteria.iter().any(|c| c.parent.as_deref() == Some(id));
    r.criteria
        .iter()
        .filter(|c| c.outcome == o && !parent(&c.id))
        .map(|c| c.id.clone())
        .collect()
}

/// The kinds of review item that may stand beside an `eligible` verdict
/// (issue 9: consent, agreement, general investigator items).
fn only_enrolment_items(r: &tm_matcher::TrialResult) {
    assert!(r.blocking_review.is_empty(), "{:#?}", r.blocking_review);
    for x in &r.remaining_review {
        assert!(
            ["consent", "agreement", "investigator"].contains(&x.kind.as_str()),
            "{x:?}"
        );
    }
}

#[test]
fn seed000_eligible_candidate_is_eligible() {
    let r = screen("seed000-eligible", "000").expect("seed 000 readable");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(
        leaf_ids_with(&r, Outcome::Unknown),
        Vec::<String>::new(),
        "{:#?}",
        r.missing
    );
    for id in [
        "I2", "I4", "I5", "I6", "I7", "I8.1", "I8.2", "I8.3", "I8.4", "I8.5", "E1", "E2", "E3",
        "E4", "E5", "E6", "E8", "E9", "E10", "E12", "E13", "E14", "E16",
    ] {
        assert_eq!(
            outcome(&r, id).outcome,
            Outcome::Pass,
            "{id}: {}",
            outcome(&r, id).explanation
        );
    }
    assert_eq!(r.verdict, Verdict::Eligible, "{:#?}", r.blocking_review);
    only_enrolment_items(&r);
    // I4 "at least one well defined tumor (mRECIST)" is answered by an
    // arterially enhancing lesion of ≥ 1 cm.
    let i4 = outcome(&r, "I4");
    assert!(
        i4.evidence.iter().any(|e| e.concept == "lesion"
            && e.explanation
                .as_deref()
                .is_some_and(|x| x.contains("arterial"))),
        "{:#?}",
        i4.evidence
    );
    // The ULN of ×ULN comparisons comes from the observation's own range.
    let i82 = outcome(&r, "I8.2");
    assert!(
        i82.evidence.iter().any(|e| e
            .uln
            .as_ref()
            .is_some_and(|u| u.origin == "reference_range")),
        "{:#?}",
        i82.evidence
    );
}

#[test]
fn seed000_without_arterial_enhancement_has_no_mrecist_target() {
    let (t, c) = seed("000").expect("seed 000");
    let mut p = patient("seed000-eligible");
    for l in &mut p.lesions {
        l.arterial_enhancement = Some(false);
    }
    let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    assert_eq!(r.failed, vec!["I4".to_string()]);
    // Enhancement not recorded: unknown, with what is missing.
    for l in &mut p.lesions {
        l.arterial_enhancement = None;
    }
    let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    assert_eq!(r.verdict, Verdict::NeedsData);
    assert_eq!(leaf_ids_with(&r, Outcome::Unknown), vec!["I4".to_string()]);
    assert!(
        r.missing
            .iter()
            .any(|m| m.text.contains("arterial-phase enhancement")),
        "{:#?}",
        r.missing
    );
}

#[test]
fn seed000_child_pugh_8_fails_i5_with_its_inputs() {
    let r = screen("seed000-child-pugh-8", "000").expect("seed 000 readable");
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert_eq!(r.failed, vec!["I5".to_string()]);
    let i5 = outcome(&r, "I5");
    let cp = i5
        .evidence
        .iter()
        .find(|e| e.source == "derived:child_pugh")
        .expect("derived evidence");
    assert_eq!(cp.value, serde_json::json!(8.0));
    assert!(cp.inputs.len() >= 5, "{:#?}", cp.inputs);
    assert!(
        cp.explanation
            .as_deref()
            .unwrap_or("")
            .contains("bilirubin 2 + albumin 2"),
        "{:?}",
        cp.explanation
    );
}

#[test]
fn seed000_lung_dose_35_gy_fails_e14() {
    let r = screen("seed000-lung-dose-35", "000").expect("seed 000 readable");
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert_eq!(r.failed, vec!["E14".to_string()]);
    let e14 = outcome(&r, "E14");
    assert_eq!(e14.holds, Some(true));
    assert!(e14
        .evidence
        .iter()
        .any(|e| e.source == "derived:lung_dose_gy" && !e.inputs.is_empty()));
}

#[test]
fn seed000_platelets_60_fails_blood_routine() {
    let r = screen("seed000-platelets-60", "000").expect("seed 000 readable");
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert_eq!(r.failed, vec!["I8.1".to_string()]);
    let c = outcome(&r, "I8.1");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.concept == "platelets" && e.value == serde_json::json!(60.0)),
        "{:#?}",
        c.evidence
    );
}

#[test]
fn seed000_lvef_missing_needs_data_for_i85_only() {
    let r = screen("seed000-lvef-missing", "000").expect("seed 000 readable");
    assert!(r.failed.is_empty());
    assert_eq!(
        leaf_ids_with(&r, Outcome::Unknown),
        vec!["I8.5".to_string()]
    );
    assert!(
        r.missing.iter().any(|m| m.concept == "lvef"),
        "{:?}",
        r.missing
    );
    assert_eq!(r.verdict, Verdict::NeedsData);
    only_enrolment_items(&r);
}

#[test]
fn seed000_prior_lipiodol_tace_is_never_eligible() {
    let r = screen("seed000-prior-tace", "000").expect("seed 000 readable");
    let e11 = outcome(&r, "E11");
    assert_ne!(e11.outcome, Outcome::Pass, "{}", e11.explanation);
    assert_ne!(r.verdict, Verdict::Eligible);
}

#[test]
fn seed000_prior_lipiodol_tace_fails_e11() {
    let r = screen("seed000-prior-tace", "000").expect("seed 000 readable");
    assert_eq!(r.failed, vec!["E11".to_string()]);
}

#[test]
fn seed002_low_inkt_is_never_eligible() {
    let Some(r) = screen("seed002-inkt-low", "002") else {
        return eprintln!("note: seed 002 not readable yet");
    };
    assert_ne!(r.verdict, Verdict::Eligible);
    assert_ne!(outcome(&r, "I5").outcome, Outcome::Pass);
}

#[test]
fn seed002_low_inkt_fails_i5() {
    let r = screen("seed002-inkt-low", "002").expect("seed 002 readable");
    assert!(r.failed.contains(&"I5".to_string()), "{:?}", r.failed);
}

#[test]
fn seed004_hbv_dna_5000_copies_and_age_76() {
    let Some(r) = screen("seed004-hbv-dna-5000", "004") else {
        return eprintln!(
            "note: seed 004 (ClinConnect page) is not readable by tm_ingest yet; test skipped"
        );
    };
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert!(r.failed.iter().any(|id| id == "E4"), "{:?}", r.failed);
    let r = screen("seed004-age-76", "004").expect("seed 004 readable");
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert!(r.failed.iter().any(|id| id == "I1"), "{:?}", r.failed);
    let r = screen("seed004-eligible", "004").expect("seed 004 readable");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    for id in ["I1", "I2", "I4", "I5", "I6", "E2", "E4", "E11", "E12"] {
        assert_eq!(
            outcome(&r, id).outcome,
            Outcome::Pass,
            "{id}: {}",
            outcome(&r, id).explanation
        );
    }
}

/// Unparsed fragments sit where they can stop a pass: E6's "clinical
/// significant bleeding events" is not understood, so a patient without
/// anticoagulants is not cleared of it (before, the fragment was and-ed
/// with the anticoagulant leaf and E6 passed on half of its text).
#[test]
fn seed004_candidate_is_eligible_on_a_documented_resectability_decision() {
    let r = screen("seed004-eligible", "004").expect("seed 004 readable");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.verdict, Verdict::Eligible, "{:#?}", r.blocking_review);
    only_enrolment_items(&r);
    for id in ["I3", "I7", "E1", "E3", "E5", "E6", "E7", "E14"] {
        assert_eq!(outcome(&r, id).outcome, Outcome::Pass, "{id}");
    }
    // Without the MDT decision, "deemed resectable" (I3) and "unresectable"
    // (E3) are missing data, never a guess.
    let (t, c) = seed("004").expect("seed 004");
    let mut p = patient("seed004-eligible");
    p.observations
        .retain(|o| o.concept.as_deref() != Some("resectable"));
    let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    assert_eq!(r.verdict, Verdict::NeedsData);
    assert_eq!(
        leaf_ids_with(&r, Outcome::Unknown),
        vec!["I3".to_string(), "E3".to_string()]
    );
}

#[test]
fn seed004_candidate_fails_nothing() {
    let r = screen("seed004-eligible", "004").expect("seed 004 readable");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
}

#[test]
fn seed002_candidate_is_eligible() {
    let Some(r) = screen("seed002-eligible", "002") else {
        return eprintln!("note: seed 002 not readable yet");
    };
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(outcome(&r, "I5").outcome, Outcome::Pass);
    // I2: HCC, BCLC B/C, relapsed with no effective therapy (MDT note).
    assert_eq!(outcome(&r, "I2").outcome, Outcome::Pass);
    assert_eq!(r.verdict, Verdict::Eligible, "{:#?}", r.blocking_review);
    only_enrolment_items(&r);
}

#[test]
fn fast_plan_verdicts_equal_explained_verdicts_on_seeds_and_examples() {
    let mut trials = Vec::new();
    for prefix in ["000", "001", "002", "003", "004"] {
        if let Some(t) = seed(prefix) {
            trials.push(t);
        }
    }
    assert!(!trials.is_empty());
    let refs: Vec<(tm_matcher::TrialInfo, &tm_criteria::CompiledCriteria)> =
        trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    let plan = tm_matcher::Plan::new(&refs);
    let dir = root().join("examples/patients");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/patients")
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .map(|s| s.trim_end_matches(".json").to_string())
        })
        .filter(|n| n.starts_with("seed"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for n in names {
        let p = patient(&n);
        let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
        let fast = plan.verdicts(&facts);
        for (i, (t, c)) in refs.iter().enumerate() {
            let full = tm_matcher::evaluate_trial(t, c, &facts);
            assert_eq!(fast[i].0, full.verdict, "{n} × {}", t.id);
            if full.verdict != Verdict::Ineligible {
                assert_eq!(fast[i].1, full.unknowns, "{n} × {}", t.id);
            }
        }
    }
}

/// Seed 000 I9: "The pregnancy test results of female participants of
/// childbearing age … must be negative" applies to women only. A male
/// patient is not asked to review it; for a woman it stays a non-blocking
/// treatment-time check (never a blocking review, never a fail).
#[test]
fn seed000_i9_pregnancy_test_applies_to_women_only() {
    let Some((t, c)) = seed("000") else {
        eprintln!("note: seed 000 not readable; test skipped");
        return;
    };
    let male = patient("seed000-eligible");
    assert_eq!(male.sex, tm_model::patient::Sex::Male);
    let facts = tm_matcher::PatientFacts::new(&male, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    let i9 = outcome(&r, "I9");
    assert_ne!(i9.outcome, Outcome::Fail);
    assert!(
        i9.review_reason
            .iter()
            .all(|x| !x.blocking && !x.text.to_lowercase().contains("pregnan")),
        "{:#?}",
        i9.review_reason
    );
    let mut female = male.clone();
    female.sex = tm_model::patient::Sex::Female;
    let facts = tm_matcher::PatientFacts::new(&female, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    let i9 = outcome(&r, "I9");
    assert_ne!(i9.outcome, Outcome::Fail);
    assert!(
        i9.review_reason.iter().all(|x| !x.blocking),
        "{:#?}",
        i9.review_reason
    );
    assert!(
        i9.review_reason.iter().any(|x| x.kind == "at_treatment"),
        "{:#?}",
        i9.review_reason
    );
}

/// Seed 003 I2 (read with `tm_ingest::read_bytes`): "progressive after …
/// SSA (…), or … hepatic invasion > 50%" is a choice of alternatives, so a
/// tumour burden of 18% does not fail it.
#[test]
fn seed003_i2_alternatives_are_or() {
    let dir = root().join("examples/seeds");
    let Some(path) = std::fs::read_dir(&dir).ok().and_then(|d| {
        d.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("003"))
        })
    }) else {
        eprintln!("note: seed 003 not found; test skipped");
        return;
    };
    let bytes = std::fs::read(&path).expect("seed 003 readable");
    let mut text = None;
    tm_ingest::read_bytes(&bytes, "003.txt", None, &mut |r| {
        if let Ok(t) = r {
            if text.is_none() {
                text = t.eligibility.criteria_text.clone();
            }
        }
    });
    let Some(text) = text else {
        eprintln!("note: seed 003 has no criteria text; test skipped");
        return;
    };
    let c = tm_criteria::compile(&text);
    let i2 = c.criteria.iter().find(|x| x.id == "I2").expect("I2");
    assert!(
        matches!(i2.expr, tm_criteria::Expr::Or { .. }),
        "{:#?}",
        i2.expr
    );
    let burden = |pct: f64| {
        i2.expr.eval(&|l| match l {
            tm_criteria::Expr::Compare { atom } => i2
                .atoms
                .get(*atom)
                .filter(|a| a.field == "tumour_burden_pct")
                .map(|a| a.op.holds(pct, 50.0)),
            _ => None,
        })
    };
    // 18%: one alternative is false, the other unknown → unknown, not fail.
    assert_eq!(burden(18.0), None);
    assert_ne!(burden(60.0), Some(false));
    // Through the matcher: an 18% tumour burden never fails I2.
    let (t, _) = seed("003").expect("seed 003 compiles");
    let mut p = patient("seed000-eligible");
    p.observations
        .retain(|o| o.concept.as_deref() != Some("tumour_burden_pct"));
    p.observations
        .push(lab("tumour_burden_pct", 18.0, "%", "2025-02-20"));
    let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    assert_ne!(outcome(&r, "I2").outcome, Outcome::Fail);
    assert!(!r.failed.contains(&"I2".to_string()), "{:?}", r.failed);
}

#[test]
fn seed003_gep_net_candidate_is_eligible_and_residual_uptake_decides_e2() {
    let Some(r) = screen("seed003-eligible", "003") else {
        return eprintln!("note: seed 003 not readable");
    };
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    for id in ["I1", "I2", "I3", "I4", "I7", "E1", "E2", "E5", "E12", "E13"] {
        assert_eq!(
            outcome(&r, id).outcome,
            Outcome::Pass,
            "{id}: {}",
            outcome(&r, id).explanation
        );
    }
    assert_eq!(r.verdict, Verdict::Eligible, "{:#?}", r.blocking_review);
    only_enrolment_items(&r);
    let r = screen("seed003-no-residual-uptake", "003").expect("seed 003");
    assert_eq!(r.failed, vec!["E2".to_string()]);
    // Fewer than 4 PRRT cycles fails I3.
    let (t, c) = seed("003").expect("seed 003");
    let mut p = patient("seed003-eligible");
    for o in &mut p.observations {
        if o.concept.as_deref() == Some("prrt_cycles") {
            o.value = Some(tm_model::patient::ObsValue::Integer(3));
        }
    }
    let facts = tm_matcher::PatientFacts::new(&p, tm_matcher::MatchConfig::new(as_of()));
    let r = tm_matcher::evaluate_trial(&t, &c, &facts);
    assert_eq!(r.failed, vec!["I3".to_string()]);
}
