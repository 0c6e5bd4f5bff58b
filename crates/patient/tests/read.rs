//! Reader tests: the HCC example in FHIR and in the hand-entry profile,
//! flags, exclusions, errors, and the public FHIR data sets (skipped when
//! ../shared is absent).

use std::path::{Path, PathBuf};
use tm_model::patient::{flag, ObsValue, Patient};
use tm_patient::{canonical, read_path, read_str};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn one(path: &str) -> (Patient, tm_patient::ReadReport) {
    let r = read_path(root().join(path)).expect("read");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        r.patients.len(),
        1,
        "{:?}",
        r.patients.iter().map(|p| &p.id).collect::<Vec<_>>()
    );
    (r.patients[0].clone(), r)
}

#[test]
fn hcc_fhir_and_profile_are_the_same_patient() {
    let (fhir, report) = one("examples/patients/hcc-fhir.json");
    let (prof, _) = one("examples/patients/hcc-profile.json");
    // the FHIR bundle has one Encounter (skipped) and one refuted Condition
    assert_eq!(report.skipped_types.get("Encounter"), Some(&1));
    assert_eq!(report.excluded, 1);
    assert!(fhir
        .conditions
        .iter()
        .all(|c| c.concept.as_deref() != Some("ascites")));
    let a = serde_json::to_value(canonical(&fhir)).unwrap();
    let b = serde_json::to_value(canonical(&prof)).unwrap();
    if a != b {
        let pa = serde_json::to_string_pretty(&a).unwrap();
        let pb = serde_json::to_string_pretty(&b).unwrap();
        for (i, (x, y)) in pa.lines().zip(pb.lines()).enumerate() {
            if x != y {
                panic!("first difference at line {i}:\n fhir:    {x}\n profile: {y}");
            }
        }
        panic!("lengths differ");
    }
    // and the content is what the example says
    let d = tm_model::Date::parse("2025-03-01").unwrap();
    let bili = fhir.latest("total_bilirubin", d).unwrap();
    let q = bili.quantity().unwrap();
    assert_eq!(q.unit, "mg/dL");
    assert!((q.value - 1.2).abs() < 1e-9);
    assert_eq!(bili.original.as_ref().unwrap().unit, "umol/L");
    assert_eq!(
        fhir.latest("ecog", d).unwrap().value,
        Some(ObsValue::Integer(1))
    );
    assert_eq!(
        fhir.latest("bclc_stage", d).unwrap().value,
        Some(ObsValue::Text("B".into()))
    );
    assert_eq!(
        fhir.latest("sbp", d).unwrap().quantity().unwrap().value,
        132.0
    );
    assert_eq!(fhir.lesions.len(), 2);
    assert_eq!(fhir.lesions[0].longest().unwrap().value, 4.2);
    assert_eq!(fhir.lesions[0].longest().unwrap().unit, "cm");
    assert_eq!(fhir.lesions[0].intrahepatic, Some(true));
    assert!(!fhir.vascular_invasion[0].present);
    let tace = fhir.procedures_of("tace").next().unwrap();
    assert!(tace.details.iter().any(|d| d == "with lipiodol"));
    assert_eq!(fhir.medications[0].concept.as_deref(), Some("entecavir"));
    assert_eq!(
        fhir.allergies[0].concept.as_deref(),
        Some("iodinated_contrast")
    );
    assert_eq!(fhir.age_on(d), Some(66));
    assert!(fhir.all_flags().is_empty(), "{:?}", fhir.all_flags());
}

#[test]
fn canonical_detects_a_difference() {
    let (fhir, _) = one("examples/patients/hcc-fhir.json");
    let mut other = fhir.clone();
    if let Some(ObsValue::Quantity(q)) = &mut other.observations[0].value {
        q.value += 1.0;
    }
    assert_ne!(canonical(&fhir), canonical(&other));
}

const OBS: &str = r#"{"resourceType":"Bundle","type":"searchset","entry":[
 {"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-02"}},
 {"resource":{"resourceType":"Observation","id":"hb1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2025-01-01","valueQuantity":{"value":900,"unit":"g/L"}}},
 {"resource":{"resourceType":"Observation","id":"hb2","status":"final","code":{"text":"Haemoglobin"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2025-01-02","valueQuantity":{"value":9.5,"unit":"g/L"}}},
 {"resource":{"resourceType":"Observation","id":"hb3","status":"final","code":{"text":"Hb"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-12-01","valueQuantity":{"value":10.1,"unit":"g/dl"}}},
 {"resource":{"resourceType":"Observation","id":"hbv","status":"final","code":{"text":"HBV DNA"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2025-01-02","valueQuantity":{"value":2000,"unit":"copies/mL"}}},
 {"resource":{"resourceType":"Observation","id":"bil","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"14631-6"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2025-01-02","valueQuantity":{"value":3,"comparator":"<","unit":"µmol/L"}}},
 {"resource":{"resourceType":"Observation","id":"gone","status":"entered-in-error","code":{"coding":[{"system":"http://loinc.org","code":"777-3"}]},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":5,"unit":"10*9/L"}}},
 {"resource":{"resourceType":"Observation","id":"preg","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"82810-3"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2025-01-02","valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"60001007","display":"Not pregnant"}]}}},
 {"resource":{"resourceType":"Condition","id":"c1","verificationStatus":{"coding":[{"code":"entered-in-error"}]},"code":{"text":"HIV"},"subject":{"reference":"Patient/p1"}}},
 {"resource":{"resourceType":"Procedure","id":"x1","status":"not-done","code":{"text":"TACE"},"subject":{"reference":"Patient/p1"}}},
 {"resource":{"resourceType":"Procedure","id":"x2","status":"completed","code":{"text":"TACE with drug-eluting beads"},"subject":{"reference":"Patient/p1"},"performedDateTime":"2024-05-01"}},
 {"resource":{"resourceType":"Flag","id":"f1"}}
]}"#;

#[test]
fn flags_exclusions_and_text_only_codes() {
    let r = read_str("mem", OBS, false);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.excluded, 3);
    assert_eq!(r.skipped_types.get("Flag"), Some(&1));
    let p = &r.patients[0];
    assert_eq!(p.id, "p1");
    let by = |id: &str| {
        p.observations
            .iter()
            .find(|o| o.source == format!("Observation/{id}"))
            .unwrap()
    };
    assert!(by("hb1").has_flag(flag::IMPLAUSIBLE));
    assert!(by("hb2").has_flag(flag::UNIT_MISMATCH));
    assert_eq!(by("hb2").concept.as_deref(), Some("hemoglobin"));
    assert!(by("hbv").has_flag(flag::ASSAY_DEPENDENT));
    assert!(by("bil").has_flag(flag::CENSORED));
    assert_eq!(by("preg").value, Some(ObsValue::Bool(false)));
    // the flagged values are not used: the latest usable Hb is the older one
    let d = tm_model::Date::parse("2025-02-01").unwrap();
    let hb = p.latest("hemoglobin", d).unwrap();
    assert_eq!(hb.source, "Observation/hb3");
    assert!((hb.quantity().unwrap().value - 10.1).abs() < 1e-9);
    assert!(p.conditions.is_empty());
    assert_eq!(p.procedures.len(), 1);
    assert_eq!(p.procedures[0].concept.as_deref(), Some("tace"));
    assert!(p.procedures[0]
        .details
        .iter()
        .any(|d| d == "without lipiodol"));
    assert!(p.all_flags().len() >= 4);
}

#[test]
fn malformed_json_is_reported_with_file_and_line() {
    let nd = "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Patient\",\"id\":\n{\"resourceType\":\"Observation\",\"id\":\"o\",\"code\":{\"text\":\"platelets\"},\"subject\":{\"reference\":\"Patient/a\"},\"valueQuantity\":{\"value\":150,\"unit\":\"10*9/L\"}}\n";
    let r = read_str("x.ndjson", nd, true);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert!(r.errors[0].starts_with("x.ndjson:2:"), "{}", r.errors[0]);
    // the position is given once, counted in the file (not serde's line 1)
    assert!(!r.errors[0].contains(" at line "), "{}", r.errors[0]);
    let empty = read_str("empty.json", " \n", false);
    assert_eq!(empty.errors, vec!["empty.json:1: empty file".to_string()]);
    assert_eq!(r.patients.len(), 1);
    assert_eq!(r.patients[0].observations.len(), 1);
    let r = read_str(
        "bad.json",
        "{\n \"resourceType\": \"Patient\",\n \"id\": }",
        false,
    );
    assert!(r.errors[0].starts_with("bad.json:3:"), "{:?}", r.errors);
    // a resource of the wrong shape is an error, not a crash
    let r = read_str(
        "w.json",
        r#"{"resourceType":"Observation","id":"o","code":"oops"}"#,
        false,
    );
    assert_eq!(r.errors.len(), 1);
}

fn shared(p: &str) -> Option<PathBuf> {
    let d = root().join("../shared/data/fhir").join(p);
    if d.exists() {
        Some(d)
    } else {
        eprintln!("note: {} absent; skipped", d.display());
        None
    }
}

#[test]
fn r4_examples_read_without_crash() {
    let Some(d) = shared("r4-examples") else {
        return;
    };
    let r = read_path(&d).unwrap();
    assert!(r.files > 300, "{}", r.files);
    assert!(r.patients.len() > 10);
    assert!(r.skipped_types.contains_key("Encounter"));
    // every error names a file
    for e in &r.errors {
        assert!(e.contains("r4-examples"), "{e}");
    }
    eprintln!(
        "r4-examples: {} files, {} patients, {} resources, {} excluded, {} errors, skipped {:?}",
        r.files,
        r.patients.len(),
        r.resources_read,
        r.excluded,
        r.errors.len(),
        r.skipped_types
    );
}

#[test]
fn synthea_bundles_and_bulk_read_without_crash() {
    if let Some(d) = shared("synthea-bundles") {
        let r = read_path(&d).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert!(r.patients.len() >= 10, "{}", r.patients.len());
        let with_vitals = r
            .patients
            .iter()
            .filter(|p| {
                p.observations
                    .iter()
                    .any(|o| o.concept.as_deref() == Some("weight"))
            })
            .count();
        assert!(with_vitals > 0);
    }
    for set in ["synthea-bulk/10-patients", "synthea-bulk/100-patients"] {
        let Some(d) = shared(set) else { continue };
        let r = read_path(&d).unwrap();
        assert!(
            r.errors.is_empty(),
            "{:?}",
            &r.errors[..r.errors.len().min(5)]
        );
        let with_birth = r.patients.iter().filter(|p| p.birth_date.is_some()).count();
        assert!(with_birth >= 10, "{set}: {with_birth}");
        assert!(r.skipped_types.contains_key("(no resourceType)")); // log.ndjson
    }
}

/// Issue 17: "Child-Pugh class A (score 5)" was stored as the class
/// `ASCORE5`; it is class A, and the score 5 is its own observation that
/// derived values and the matcher see.
#[test]
fn child_pugh_class_with_a_score_reads_as_class_and_score() {
    let obs = |id: &str, value: &str| {
        format!(
            r#"{{"resourceType":"Observation","id":"{id}","status":"final",
              "subject":{{"reference":"Patient/p"}},"effectiveDateTime":"2025-02-20",
              "code":{{"text":"Child-Pugh class"}},{value}}}"#
        )
    };
    let bundle = format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[
          {{"resource":{{"resourceType":"Patient","id":"p","gender":"male","birthDate":"1960-01-01"}}}},
          {{"resource":{}}},
          {{"resource":{}}}]}}"#,
        obs(
            "cc",
            r#""valueCodeableConcept":{"text":"Child-Pugh class A (score 5)"}"#
        ),
        obs("s", r#""valueString":"Child-Pugh class B (score 8)""#),
    );
    let r = read_str("cp.json", &bundle, false);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let p = &r.patients[0];
    let class = |src: &str| {
        p.observations
            .iter()
            .find(|o| o.source.ends_with(src) && o.concept.as_deref() == Some("child_pugh_class"))
            .unwrap_or_else(|| panic!("{src}: {:#?}", p.observations))
    };
    let score = |src: &str| {
        p.observations
            .iter()
            .find(|o| o.source.ends_with(src) && o.concept.as_deref() == Some("child_pugh_score"))
            .and_then(|o| o.value.clone())
    };
    assert_eq!(class("/cc").value, Some(ObsValue::Text("A".into())));
    assert_eq!(class("/cc").reading.as_ref().unwrap().ordinal, Some(1));
    assert_eq!(score("/cc"), Some(ObsValue::Integer(5)));
    assert_eq!(class("/s").value, Some(ObsValue::Text("B".into())));
    assert_eq!(score("/s"), Some(ObsValue::Integer(8)));
    // derived values see the recorded class (no labs: Child-Pugh is not computed)
    let d = tm_model::Date::parse("2025-03-01").unwrap();
    let newest = p.latest("child_pugh_class", d).unwrap();
    assert_eq!(newest.effective, tm_model::Date::parse("2025-02-20"));
    let derived = tm_clinical::derive(p, d, &tm_clinical::DeriveConfig::default());
    let input = derived.bclc.input("child_pugh_class");
    assert!(
        input.is_some_and(|i| i.value == tm_clinical::derived::Value::Text("A".into())
            || i.value == tm_clinical::derived::Value::Text("B".into())),
        "{:?}",
        derived.bclc
    );
}
