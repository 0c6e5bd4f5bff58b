//! Issue 18, "done when": adding a plain lab is one data entry. The
//! `lipase` entry of `crates/lexicon/data/concepts.json` (LOINC 3040-3,
//! U/L, reference 13–60 U/L, `"compile": true`) is the only change made
//! for this test: the lexicon is a process-global static index built from
//! the embedded data, so the entry lives in the real data file rather
//! than in a runtime fixture. Nothing in the compiler, the patient reader
//! or the matcher names lipase.

mod common;
use common::*;
use tm_matcher::{Outcome, Verdict};

/// A FHIR Bundle with one lipase Observation coded by LOINC only.
fn patient_with_lipase(value: f64) -> tm_model::patient::Patient {
    let bundle = format!(
        r#"{{"resourceType": "Bundle", "type": "collection", "entry": [
  {{"resource": {{"resourceType": "Patient", "id": "lip", "gender": "female", "birthDate": "1960-01-01"}}}},
  {{"resource": {{"resourceType": "Observation", "id": "lip-1", "status": "final",
    "code": {{"coding": [{{"system": "http://loinc.org", "code": "3040-3", "display": "Lipase [Enzymatic activity/volume] in Serum or Plasma"}}]}},
    "subject": {{"reference": "Patient/lip"}}, "effectiveDateTime": "2025-02-20",
    "valueQuantity": {{"value": {value}, "unit": "U/L", "system": "http://unitsofmeasure.org", "code": "U/L"}},
    "referenceRange": [{{"low": {{"value": 13, "unit": "U/L"}}, "high": {{"value": 60, "unit": "U/L", "system": "http://unitsofmeasure.org", "code": "U/L"}}}}]}}}}
]}}"#
    );
    let rep = tm_patient::read_str("lipase.json", &bundle, false);
    assert!(rep.errors.is_empty(), "{:?}", rep.errors);
    rep.patients.into_iter().next().expect("one patient")
}

#[test]
fn lipase_is_one_data_entry() {
    let compiled = tm_criteria::compile("Inclusion Criteria:\n- Lipase ≤ 1.5 × ULN\n");
    let c = &compiled.criteria.last().expect("one criterion");
    assert_eq!(c.atoms.len(), 1, "{c:#?}");
    assert_eq!(c.atoms[0].field, "lipase");
    let (info, _) = trial(Vec::new());
    let t = (info, compiled);
    // 70 ≤ 1.5 × 60 = 90: passes
    let r = run(&patient_with_lipase(70.0), &t);
    let leaf = r.criteria.last().unwrap();
    assert_eq!(leaf.outcome, Outcome::Pass, "{leaf:#?}");
    assert_eq!(r.verdict, Verdict::Eligible, "{r:#?}");
    assert_eq!(
        leaf.evidence[0].uln.as_ref().map(|u| u.origin),
        Some("reference_range")
    );
    // 100 > 90: fails
    let r = run(&patient_with_lipase(100.0), &t);
    assert_eq!(r.criteria.last().unwrap().outcome, Outcome::Fail);
    assert_eq!(r.verdict, Verdict::Ineligible);
}
