//! Derived values on patients with only some inputs: each value is computed
//! with its inputs, or missing with exactly the missing inputs.

use tm_clinical::derived::{derive, DeriveConfig, Derived, Value};
use tm_model::patient::{
    flag, Condition, Flag, Grade, Lesion, Medication, ObsValue, Observation, Patient, Procedure,
    Sex, ValueReading, VascularInvasion,
};
use tm_model::{Date, Quantity};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn q(concept: &str, v: f64, unit: &str, date: &str, src: &str) -> Observation {
    Observation {
        concept: Some(concept.into()),
        value: Some(ObsValue::Quantity(Quantity::new(v, unit))),
        effective: Some(d(date)),
        source: src.into(),
        ..Default::default()
    }
}

/// A graded finding written as text, with the grade tm-patient reads from
/// it (tm-patient is the only reader of patient text).
fn text(concept: &str, t: &str, grade: u8, date: &str, src: &str) -> Observation {
    Observation {
        concept: Some(concept.into()),
        value: Some(ObsValue::Text(t.into())),
        effective: Some(d(date)),
        source: src.into(),
        reading: Some(ValueReading {
            grade: Some(Grade {
                grade: Some(grade),
                refractory: false,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn int(concept: &str, i: i64, date: &str, src: &str) -> Observation {
    Observation {
        concept: Some(concept.into()),
        value: Some(ObsValue::Integer(i)),
        effective: Some(d(date)),
        source: src.into(),
        ..Default::default()
    }
}

const AS_OF: &str = "2024-06-01";

/// Liver labs, creatinine, weight, ECOG; no sodium, no height, no imaging.
fn patient_labs() -> Patient {
    let mut implausible = q(
        "total_bilirubin",
        900.0,
        "mg/dL",
        "2024-05-30",
        "Observation/bad",
    );
    implausible
        .flags
        .push(Flag::new(flag::IMPLAUSIBLE, "900 mg/dL"));
    Patient {
        id: "p1".into(),
        birth_date: Some(d("1960-03-01")),
        sex: Sex::Male,
        observations: vec![
            q(
                "total_bilirubin",
                2.0,
                "mg/dL",
                "2024-05-20",
                "Observation/bili",
            ),
            implausible,
            q("albumin", 2.5, "g/dL", "2024-01-01", "Observation/alb-old"),
            q("albumin", 35.0, "g/L", "2024-05-20", "Observation/alb"),
            q("inr", 1.2, "{INR}", "2024-05-20", "Observation/inr"),
            q("creatinine", 88.4, "umol/L", "2024-05-25", "Observation/cr"),
            q("weight", 72.0, "kg", "2024-05-01", "Observation/wt"),
            text("ascites", "mild", 1, "2024-05-10", "Observation/asc"),
            text(
                "hepatic_encephalopathy",
                "none",
                0,
                "2024-05-10",
                "Observation/he",
            ),
            int("ecog", 0, "2024-05-28", "Observation/ecog"),
        ],
        ..Default::default()
    }
}

fn names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn partial_labs_each_value_computed_or_missing() {
    let p = patient_labs();
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());

    // Child-Pugh 8 = bilirubin 2 + albumin 2 + INR 1 + ascites 2 + HE 1.
    let cp = &r.child_pugh;
    assert_eq!(cp.number(), Some(8.0));
    assert_eq!(cp.part("class"), Some(&Value::Text("B".into())));
    assert_eq!(cp.part("points"), Some(&Value::Number(8.0)));
    assert!(cp.missing.is_empty());
    assert_eq!(
        cp.explanation.as_deref(),
        Some("Child-Pugh 8 (B) = bilirubin 2 + albumin 2 + INR 1 + ascites 2 + encephalopathy 1")
    );
    let bili = cp.input("bilirubin").unwrap();
    assert_eq!(bili.source, "Observation/bili", "flagged value skipped");
    assert_eq!(bili.date, Some(d("2024-05-20")));
    assert_eq!(bili.points, Some(2));
    let alb = cp.input("albumin").unwrap();
    assert_eq!(alb.source, "Observation/alb", "newest in window");
    assert_eq!(alb.value, Value::Number(3.5));
    assert_eq!(alb.unit.as_deref(), Some("g/dL"));
    assert_eq!(alb.original, Some(Quantity::new(35.0, "g/L")));
    assert_eq!(cp.input("ascites").unwrap().points, Some(2));
    assert_eq!(cp.input("hepatic_encephalopathy").unwrap().points, Some(1));

    // ALBI from bilirubin 34.2 µmol/L and albumin 35 g/L.
    let albi = &r.albi;
    let expected = 0.66 * 34.2f64.log10() - 0.085 * 35.0;
    assert!((albi.number().unwrap() - expected).abs() < 1e-9);
    assert_eq!(albi.part("grade"), Some(&Value::Number(2.0)));
    assert_eq!(
        albi.input("bilirubin").unwrap().unit.as_deref(),
        Some("umol/L")
    );

    // MELD computed (no dialysis recorded); MELD-Na misses sodium only.
    assert_eq!(r.meld.number(), Some(11.0));
    assert!(r.meld.input("dialysis_7d").is_some());
    assert_eq!(r.meld_na.value, None);
    assert_eq!(names(&r.meld_na.missing), ["sodium"]);

    // Cockcroft-Gault: (140 − 64) × 72 / (72 × 1.0) = 76, actual body weight.
    let cg = &r.crcl_cockcroft_gault;
    assert!((cg.number().unwrap() - 76.0).abs() < 1e-9);
    assert_eq!(cg.part("weight_basis"), Some(&Value::Text("actual".into())));
    assert_eq!(cg.input("age").unwrap().value, Value::Number(64.0));
    assert!(r.egfr_ckd_epi_2021.is_computed());

    // No height.
    for v in [&r.bmi, &r.bsa_mosteller, &r.bsa_dubois] {
        assert_eq!(v.value, None);
        assert_eq!(names(&v.missing), ["height"]);
        assert_eq!(v.inputs.len(), 1, "the weight found is still shown");
    }
    // No dosimetry, no imaging.
    assert_eq!(
        names(&r.lung_dose_gy.missing),
        ["lung_shunt_fraction", "planned_y90_activity"]
    );
    assert_eq!(names(&r.up_to_seven.missing), ["lesions"]);
    assert_eq!(
        names(&r.tumour_burden_pct.missing),
        ["tumour_volume", "liver_volume"]
    );
    assert_eq!(
        names(&r.milan.missing),
        ["lesions", "macrovascular_invasion", "extrahepatic_spread"]
    );
    // Child-Pugh B, ECOG 0: BCLC 2022 does not place it.
    assert_eq!(r.bclc.value, None);
    assert_eq!(
        r.bclc.part("status"),
        Some(&Value::Text("indeterminate_liver_function".into()))
    );
}

#[test]
fn only_two_labs_lists_exactly_what_is_missing() {
    let p = Patient {
        id: "p2".into(),
        sex: Sex::Female,
        observations: vec![
            q(
                "total_bilirubin",
                1.0,
                "mg/dL",
                "2024-05-30",
                "Observation/b",
            ),
            q("creatinine", 0.8, "mg/dL", "2024-05-30", "Observation/c"),
            // Too old for the 28-day lab window.
            q("albumin", 4.0, "g/dL", "2024-04-01", "Observation/a"),
        ],
        ..Default::default()
    };
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    assert_eq!(
        names(&r.child_pugh.missing),
        ["albumin", "inr", "ascites", "hepatic_encephalopathy"]
    );
    assert_eq!(r.child_pugh.value, None);
    assert_eq!(r.child_pugh.inputs.len(), 1);
    assert!(r
        .child_pugh
        .notes
        .iter()
        .any(|n| n.contains("albumin") && n.contains("2024-04-01")));
    assert_eq!(names(&r.albi.missing), ["albumin"]);
    assert_eq!(names(&r.meld.missing), ["inr"]);
    assert_eq!(names(&r.meld_na.missing), ["inr", "sodium"]);
    assert_eq!(names(&r.crcl_cockcroft_gault.missing), ["age", "weight"]);
    assert_eq!(names(&r.egfr_ckd_epi_2021.missing), ["age"]);
    // A wider window makes the albumin usable.
    let wide = DeriveConfig {
        lab_window_days: 90,
        ..DeriveConfig::default()
    };
    let r = derive(&p, d(AS_OF), &wide);
    assert!(r.albi.is_computed());
    // Nothing about the patient: BCLC lists every missing input.
    assert_eq!(r.bclc.value, None);
    for m in [
        "ecog",
        "child_pugh_class",
        "macrovascular_invasion",
        "extrahepatic_spread",
        "lesions",
    ] {
        assert!(
            r.bclc.missing.iter().any(|x| x == m),
            "{m}: {:?}",
            r.bclc.missing
        );
    }
}

fn lesion(label: &str, mm: f64, date: &str) -> Lesion {
    Lesion {
        label: Some(label.into()),
        site: Some("liver".into()),
        intrahepatic: Some(true),
        diameters: vec![Quantity::new(mm, "mm")],
        effective: Some(d(date)),
        source: format!("Observation/{label}"),
        ..Default::default()
    }
}

/// Full HCC work-up: good labs, imaging, MAA, dialysis.
fn patient_full() -> Patient {
    let mut p = patient_labs();
    p.observations.retain(|o| {
        !matches!(
            o.concept.as_deref(),
            Some("total_bilirubin") | Some("albumin") | Some("ascites")
        )
    });
    p.observations.extend([
        q(
            "total_bilirubin",
            1.0,
            "mg/dL",
            "2024-05-20",
            "Observation/b2",
        ),
        q("albumin", 4.0, "g/dL", "2024-05-20", "Observation/a2"),
        text("ascites", "none", 0, "2024-05-10", "Observation/asc2"),
        q("sodium", 130.0, "mmol/L", "2024-05-20", "Observation/na"),
        q("height", 170.0, "cm", "2020-01-01", "Observation/ht"),
        q(
            "lung_shunt_fraction",
            8.0,
            "%",
            "2024-05-15",
            "Observation/lsf",
        ),
        q(
            "planned_y90_activity",
            2.0,
            "GBq",
            "2024-05-15",
            "Observation/act",
        ),
        q("tumour_volume", 400.0, "mL", "2024-05-15", "Observation/tv"),
        q("liver_volume", 1600.0, "mL", "2024-05-15", "Observation/lv"),
        Observation {
            concept: Some("extrahepatic_spread".into()),
            value: Some(ObsValue::Bool(false)),
            effective: Some(d("2024-05-15")),
            source: "Observation/ehs".into(),
            ..Default::default()
        },
    ]);
    p.lesions = vec![
        // An older scan is ignored: only the newest imaging date counts.
        lesion("old", 10.0, "2024-03-20"),
        lesion("L1", 40.0, "2024-05-15"),
        lesion("L2", 20.0, "2024-05-15"),
        lesion("L3", 10.0, "2024-05-15"),
    ];
    p.vascular_invasion = vec![VascularInvasion {
        present: false,
        effective: Some(d("2024-05-15")),
        source: "Observation/pvtt".into(),
        ..Default::default()
    }];
    p
}

#[test]
fn full_work_up() {
    let r = derive(&patient_full(), d(AS_OF), &DeriveConfig::default());
    assert_eq!(r.child_pugh.number(), Some(5.0));
    assert_eq!(r.child_pugh.part("class"), Some(&Value::Text("A".into())));
    // 3 nodules, largest 4 cm: 7, within.
    assert_eq!(r.up_to_seven.number(), Some(7.0));
    assert_eq!(r.up_to_seven.part("within"), Some(&Value::Bool(true)));
    assert_eq!(r.up_to_seven.inputs.len(), 3);
    assert_eq!(
        r.up_to_seven.inputs[0].original,
        Some(Quantity::new(40.0, "mm"))
    );
    // 3 nodules, one > 3 cm: beyond Milan; multinodular beyond A: BCLC B.
    assert_eq!(r.milan.value, Some(Value::Text("beyond".into())));
    assert_eq!(r.bclc.value, Some(Value::Text("B".into())));
    // Lung dose 49.67 × 2 × 0.08 / 1 = 7.95 Gy.
    assert!((r.lung_dose_gy.number().unwrap() - 7.9472).abs() < 1e-9);
    assert!((r.tumour_burden_pct.number().unwrap() - 25.0).abs() < 1e-9);
    assert!((r.bmi.number().unwrap() - 24.913).abs() < 1e-3);
    // MELD-Na with Na 130.
    assert!(r.meld_na.is_computed());
}

#[test]
fn dialysis_and_encephalopathy_medication_and_conditions() {
    let mut p = patient_full();
    p.procedures = vec![
        Procedure {
            concept: Some("renal_replacement_therapy".into()),
            date: Some(d("2024-05-27")),
            source: "Procedure/hd1".into(),
            ..Default::default()
        },
        Procedure {
            concept: Some("renal_replacement_therapy".into()),
            date: Some(d("2024-05-30")),
            source: "Procedure/hd2".into(),
            ..Default::default()
        },
    ];
    // HE grade 0 on lactulose = suppressed with medication (2 points).
    p.medications = vec![Medication {
        concept: Some("lactulose".into()),
        start: Some(d("2024-01-01")),
        source: "MedicationStatement/lac".into(),
        ..Default::default()
    }];
    // An active ascites condition, newer than the "none" observation.
    p.conditions = vec![Condition {
        concept: Some("ascites".into()),
        onset: Some(d("2024-05-25")),
        clinical_status: Some("active".into()),
        severity: Some("moderate".into()),
        grade: Some(Grade {
            grade: Some(2),
            refractory: false,
        }),
        source: "Condition/asc".into(),
        ..Default::default()
    }];
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    let meld = &r.meld;
    assert!(meld.explanation.as_deref().unwrap().contains("dialysis"));
    // Cr set to 4.0: 0.957 ln 4 + 0 + 1.12 ln 1.2 + 0.643 = 2.17 → 22.
    assert_eq!(meld.number(), Some(22.0));
    let cp = &r.child_pugh;
    assert_eq!(cp.input("ascites").unwrap().source, "Condition/asc");
    assert_eq!(cp.input("ascites").unwrap().points, Some(2), "IAC 2 → 2");
    assert_eq!(cp.input("hepatic_encephalopathy").unwrap().points, Some(2));
    assert!(cp.input("encephalopathy_medication").is_some());
    // 1 + 1 + 1 + 2 + 2
    assert_eq!(cp.number(), Some(7.0));
    // Ascites present: BCLC 2022 no longer "preserved".
    assert_eq!(r.bclc.value, None);

    // An ungraded ascites condition: Child-Pugh misses the grade.
    p.conditions[0].severity = None;
    p.conditions[0].grade = None;
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    assert_eq!(names(&r.child_pugh.missing), ["ascites_grade"]);
}

#[test]
fn json_shape() {
    let r: Derived = derive(&patient_labs(), d(AS_OF), &DeriveConfig::default());
    let j = serde_json::to_value(&r).unwrap();
    let obj = j.as_object().unwrap();
    for k in Derived::KEYS {
        let v = &obj[k];
        assert!(v.get("value").is_some(), "{k} has value (maybe null)");
        assert!(v["inputs"].is_array(), "{k}");
        assert!(v["missing"].is_array(), "{k}");
        assert!(v["formula"].is_string(), "{k}");
    }
    assert_eq!(obj.len(), Derived::KEYS.len());
    assert_eq!(j["child_pugh"]["value"], 8.0);
    assert_eq!(j["child_pugh"]["points"], 8.0);
    assert_eq!(j["child_pugh"]["class"], "B");
    assert_eq!(j["child_pugh"]["inputs"][0]["concept"], "total_bilirubin");
    assert_eq!(j["child_pugh"]["inputs"][0]["date"], "2024-05-20");
    assert_eq!(j["child_pugh"]["inputs"][0]["source"], "Observation/bili");
    assert_eq!(j["child_pugh"]["inputs"][0]["points"], 2);
    assert_eq!(j["albi"]["grade"], 2.0);
    assert!(j["albi"]["score"].is_number());
    assert!(j["meld_na"]["value"].is_null());
    assert_eq!(j["meld_na"]["missing"][0], "sodium");
    // Round trip.
    let back: Derived = serde_json::from_value(j).unwrap();
    assert_eq!(back, r);
    // Human view lists each value.
    let lines = r.human_lines();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("child_pugh: Child-Pugh 8 (B)")));
    assert!(lines.iter().any(|l| l == "meld_na: missing sodium"));
}

#[test]
fn cvvhd_and_recorded_child_pugh() {
    let mut p = patient_full();
    p.procedures = vec![Procedure {
        concept: Some("renal_replacement_therapy".into()),
        text: Some("CVVHD 24 h".into()),
        date: Some(d("2024-05-30")),
        source: "Procedure/cvvhd".into(),
        ..Default::default()
    }];
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    assert_eq!(r.meld.number(), Some(22.0), "one CVVHD run sets Cr to 4.0");
    // One intermittent dialysis is not enough.
    p.procedures[0].text = Some("haemodialysis".into());
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    // 1.120 ln 1.2 + 0.643 = 0.847 → 8.
    assert_eq!(r.meld.number(), Some(8.0));

    // Child-Pugh not computable (no INR): BCLC falls back on a recorded class.
    p.observations
        .retain(|o| o.concept.as_deref() != Some("inr"));
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    assert_eq!(r.child_pugh.value, None);
    assert_eq!(r.bclc.value, None);
    assert!(r.bclc.missing.iter().any(|m| m == "child_pugh_class"));
    assert!(r
        .bclc
        .notes
        .iter()
        .any(|n| n.contains("child_pugh: missing inr")));
    // a recorded class as tm-patient stores it: "A", ordinal 1
    p.observations.push(Observation {
        concept: Some("child_pugh_class".into()),
        value: Some(ObsValue::Text("A".into())),
        effective: Some(d("2024-05-20")),
        source: "Observation/cpc".into(),
        reading: Some(ValueReading {
            ordinal: Some(1),
            ..Default::default()
        }),
        ..Default::default()
    });
    let r = derive(&p, d(AS_OF), &DeriveConfig::default());
    assert_eq!(r.bclc.value, Some(Value::Text("B".into())));
    assert_eq!(
        r.bclc.input("child_pugh_class").unwrap().source,
        "Observation/cpc"
    );
}
